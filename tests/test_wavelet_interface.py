"""PyWavelets' interface beyond the transforms: its dtype policy, wavelet objects accepted
everywhere, the Wavelet members (wavefun, family_number, ...) and its exception types.

The peers' own test suites (tests/peers) exercise the same from PyWavelets' side; these are the
quick, direct checks.
"""
import warnings

import numpy as np
import pytest
import pywt

import dsp
from dsp import DSPError


@pytest.mark.parametrize("dt", [np.int8, np.int64, np.uint16, np.bool_])
def test_integer_and_bool_input_computed_in_float64(dt):
    x = (np.arange(16) % 3).astype(dt)
    for ours, ref in [(dsp.dwt(x, "db2"), pywt.dwt(x, "db2")),
                      (dsp.wavedec(x, "db2", level=2), pywt.wavedec(x, "db2", level=2)),
                      ([a for p in dsp.swt(x, "db1", level=2) for a in p],
                       [a for p in pywt.swt(x, "db1", level=2) for a in p])]:
        for a, b in zip(ours, ref):
            assert a.dtype == b.dtype == np.float64
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert dsp.idwt(x, x, "haar").dtype == np.float64
    assert dsp.waverec([x[:8], x[:8]], "haar").dtype == np.float64


def test_float16_and_complex_dtypes_follow_pywt():
    for dt in (np.float16, np.float32, np.float64, np.complex64, np.complex128):
        x = np.ones(8, dtype=dt)
        assert dsp.dwt(x, "haar")[0].dtype == pywt.dwt(x, "haar")[0].dtype


def test_pywt_wavelet_objects_everywhere():
    w = pywt.Wavelet("sym5")
    assert dsp.dwt_max_level(32, w) == pywt.dwt_max_level(32, w) == 1
    assert dsp.dwt_coeff_len(10, w, "zero") == pywt.dwt_coeff_len(10, w, "zero")
    x = np.sin(np.arange(32.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no spurious "not orthogonal" warning for db2
        ours = dsp.swt(x, pywt.Wavelet("db2"), level=2, norm=True)
    ref = pywt.swt(x, "db2", level=2, norm=True)
    np.testing.assert_allclose(np.array(ours), np.array(ref), atol=1e-12)
    with pytest.warns(UserWarning, match="not orthogonal"):
        dsp.swt(x, pywt.Wavelet("bior2.2"), level=1, norm=True)


class _HaarBank:  # any object with a filter_bank, as PyWavelets accepts
    filter_bank = ([2 ** -0.5] * 2, [-(2 ** -0.5), 2 ** -0.5], [2 ** -0.5] * 2, [2 ** -0.5, -(2 ** -0.5)])


def test_filter_bank_objects():
    assert dsp.dwt_max_level(16, _HaarBank()) == 4
    np.testing.assert_allclose(dsp.dwt(np.arange(4.0), _HaarBank())[0], pywt.dwt(np.arange(4.0), "haar")[0])


@pytest.mark.parametrize("name", ["haar", "db2", "sym3", "coif1", "bior1.3", "bior3.5", "rbio2.2", "dmey"])
@pytest.mark.parametrize("level", [1, 3, 6])
def test_wavefun_matches_pywt(name, level):
    ours = dsp.Wavelet(name).wavefun(level=level)
    ref = pywt.Wavelet(name).wavefun(level=level)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12 * max(1.0, np.abs(b).max()))


def test_wavelet_members():
    for name in ("haar", "db4", "sym12", "coif3", "bior3.5", "rbio2.8", "dmey"):
        w, r = dsp.Wavelet(name), pywt.Wavelet(name)
        assert (w.family_number, w.number) == (r.family_number, r.number)
    assert dsp.Wavelet("mine", filter_bank=_HaarBank()).family_number is None
    w = dsp.Wavelet("db2")
    with pytest.warns(DeprecationWarning):
        assert w.get_filters_coeffs() == w.filter_bank
    with pytest.warns(DeprecationWarning):
        assert w.get_reverse_filters_coeffs() == w.inverse_filter_bank


def test_exception_types_follow_pywt():
    x = np.ones(8)
    with pytest.raises(TypeError):
        pywt.dwt(x, "db2", None)
    with pytest.raises(TypeError) as err:
        dsp.dwt(x, "db2", None)
    assert isinstance(err.value, DSPError) and isinstance(err.value, ValueError)
    for call in (lambda: dsp.dwt(x, None), lambda: dsp.wavedec(x, "db1", level=1.5),
                 lambda: dsp.waverec([x, x], "db1", axis=1.5), lambda: dsp.dwt_coeff_len(8.5, 2)):
        with pytest.raises(TypeError, match="must be"):
            call()
    coeffs = pywt.array_to_coeffs(*pywt.coeffs_to_array(pywt.wavedec(np.arange(8.0), "db1")))
    with pytest.raises(ValueError, match="Unexpected detail coefficient type"):
        dsp.waverec(coeffs, "haar")
