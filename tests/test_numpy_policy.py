"""numpy.fft's conventions kept by dsp.fft/ifft/rfft/irfft: integer and boolean input computed in
float64, ``out=``, and numpy's exception types (numpy/fft/tests run against ours in tests/peers)."""
import numpy as np
import pytest

import dsp
from dsp import DSPError


@pytest.mark.parametrize("fn", ["fft", "ifft", "rfft", "irfft"])
@pytest.mark.parametrize("data", [np.array([False, True, False]), np.arange(10, dtype=np.uint8),
                                  np.arange(5, dtype=np.int16), [1, 2, 3, 4]])
def test_integer_and_bool_input(fn, data):
    ours = getattr(dsp, fn)(data)
    np.testing.assert_array_equal(ours, getattr(dsp, fn)(np.asarray(data, dtype=np.float64)))
    assert ours.dtype == getattr(np.fft, fn)(data).dtype


def test_out():
    y = np.random.default_rng(0).standard_normal((6, 8))
    out = np.zeros((6, 5), dtype=complex)
    assert dsp.rfft(y, out=out) is out
    np.testing.assert_array_equal(out, dsp.rfft(y))
    z = y + 1j
    assert dsp.fft(z, out=z) is z  # fully in place
    np.testing.assert_allclose(z, np.fft.fft(y + 1j), atol=1e-12)
    with pytest.raises(TypeError, match="must be of ArrayType"):
        dsp.fft(y, out="")
    with pytest.raises(DSPError, match="has wrong shape"):
        dsp.fft(y, out=np.zeros((8, 6), complex))
    with pytest.raises(TypeError, match="Cannot cast"):
        dsp.fft(y, out=np.zeros(y.shape))
    with pytest.raises(ValueError, match="Invalid number of FFT data points"):
        dsp.ifft([])
