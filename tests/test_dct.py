"""dsp.dct / dsp.idct against scipy.fft.dct / idct: types 1-3, every norm, any axis, both dtypes."""
import numpy as np
import pytest
import scipy.fft

import dsp
from dsp import DSPError
from tolerances import RTOL, assert_close

NORMS = [None, "backward", "ortho", "forward"]


@pytest.mark.parametrize("type", [1, 2, 3])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [2, 3, 8, 13, 128, 257])
def test_dct_and_idct_match_scipy(type, norm, n, dtype):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((3, n)).astype(dtype)
    for ours, ref in ((dsp.dct, scipy.fft.dct), (dsp.idct, scipy.fft.idct)):
        y = ours(x, type=type, norm=norm)
        assert y.dtype == dtype and y.shape == x.shape
        assert_close(y, ref(x.astype(np.float64), type=type, norm=norm), dtype, what=f"{ours.__name__}")


@pytest.mark.parametrize("type", [1, 2, 3])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("n", [300, 1031, 4096])  # through the FFT: even, prime (Bluestein), 2^12
def test_long_axes_match_scipy(type, norm, n, dtype):
    x = np.random.default_rng(n).standard_normal((2, n)).astype(dtype)
    for ours, ref in ((dsp.dct, scipy.fft.dct), (dsp.idct, scipy.fft.idct)):
        y = ours(x, type=type, norm=norm)
        assert y.dtype == dtype
        assert_close(y, ref(x.astype(np.float64), type=type, norm=norm), dtype, what=ours.__name__)


def test_long_middle_axis():
    x = np.random.default_rng(3).standard_normal((3, 500, 4))
    assert_close(dsp.dct(x, axis=1, norm="ortho"), scipy.fft.dct(x, axis=1, norm="ortho"), np.float64)
    assert_close(dsp.idct(x, type=1, axis=1), scipy.fft.idct(x, type=1, axis=1), np.float64)


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("type", [1, 2, 3])
def test_any_axis(axis, type):
    x = np.random.default_rng(0).standard_normal((5, 6, 7))
    assert_close(dsp.dct(x, type=type, norm="ortho", axis=axis),
                 scipy.fft.dct(x, type=type, norm="ortho", axis=axis), np.float64)
    assert_close(dsp.idct(x, type=type, axis=axis), scipy.fft.idct(x, type=type, axis=axis), np.float64)


@pytest.mark.parametrize("type", [1, 2, 3])
@pytest.mark.parametrize("norm", NORMS)
def test_inverse_round_trip(type, norm):
    x = np.random.default_rng(1).standard_normal((2, 40))
    assert_close(dsp.idct(dsp.dct(x, type=type, norm=norm), type=type, norm=norm), x, np.float64)


def test_ortho_is_orthonormal():
    eye = np.eye(16)
    for type in (1, 2, 3):
        C = dsp.dct(eye, type=type, norm="ortho", axis=0)
        assert_close(C.T @ C, eye, np.float64)


def test_read_only_and_non_contiguous_input():
    x = np.random.default_rng(2).standard_normal((8, 10))
    x.setflags(write=False)
    xt = x.T  # non-contiguous view
    assert_close(dsp.dct(xt, axis=0), scipy.fft.dct(xt, axis=0), np.float64)


def test_errors():
    with pytest.raises(DSPError, match="type=4 is not supported"):
        dsp.dct(np.ones(4), type=4)
    with pytest.raises(DSPError, match="norm='unit' is not supported"):
        dsp.idct(np.ones(4), norm="unit")
    with pytest.raises(DSPError, match="type-1 dct needs length >= 2"):
        dsp.dct(np.ones(1), type=1)
    with pytest.raises(DSPError, match="axis=2 is out of range"):
        dsp.dct(np.ones((2, 2)), axis=2)
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.dct(np.array([1.0, np.nan]))
    with pytest.raises(DSPError, match="n=0 is too small"):
        dsp.dct(np.ones(4), n=0)
    with pytest.raises(DSPError, match="orthogonalize='yes' must be None, True or False"):
        dsp.dct(np.ones(4), orthogonalize="yes")


@pytest.mark.parametrize("type", [1, 2, 3])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("orthogonalize", [None, False, True])
@pytest.mark.parametrize("length", [5, 300])  # the cosine matrix and the FFT path
def test_scipy_signature(type, norm, orthogonalize, length):
    # SciPy's positional order (x, type, n, axis, norm), n, orthogonalize, integer and complex input
    x = np.random.default_rng(1).standard_normal((3, length))
    inputs = [x, (100 * x).astype(np.int64), x + 1j * x[::-1]]
    if orthogonalize is not None:  # SciPy 1.17's complex path ignores an explicit orthogonalize
        inputs.pop()
    for a in inputs:
        for n in (None, length - 2, length + 3):
            for f, ref in ((dsp.dct, scipy.fft.dct), (dsp.idct, scipy.fft.idct)):
                ours = f(a, type, n, -1, norm, orthogonalize=orthogonalize, workers=1)
                expect = ref(a, type, n, -1, norm, orthogonalize=orthogonalize)
                assert ours.dtype == expect.dtype
                np.testing.assert_allclose(ours, expect, rtol=1e-10, atol=1e-10 * np.abs(expect).max())
