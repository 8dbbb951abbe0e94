"""dsp.cwt / ContinuousWavelet / integrate_wavelet / central_frequency against PyWavelets: every
continuous family, both methods, float64 to 1e-10, float32 peak-relative."""
import warnings

import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close

pywt = pytest.importorskip("pywt")

NAMES = [n for n in pywt.wavelist(kind="continuous") if n not in ("cmor", "shan", "fbsp")] + [
    "cmor1.5-1.0", "cmor0.5-2.0", "shan1.5-1.0", "shan0.5-0.25", "fbsp1-1.5-1.0", "fbsp3-0.5-2.0"]


@pytest.mark.parametrize("name", NAMES)
def test_cwt_equals_pywavelets(name):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 150))
    a, b = pywt.ContinuousWavelet(name), dsp.ContinuousWavelet(name)
    for attr in ("lower_bound", "upper_bound", "center_frequency", "bandwidth_frequency", "fbsp_order",
                 "complex_cwt", "symmetry", "short_family_name"):
        assert getattr(a, attr) == getattr(b, attr), attr
    pa, xa = a.wavefun(10)
    pb, xb = b.wavefun(10)
    assert np.max(np.abs(pa - pb)) <= 1e-12 and np.array_equal(xa, xb)
    ia, _ = pywt.integrate_wavelet(name, precision=9)
    ib, _ = dsp.integrate_wavelet(name, precision=9)
    assert np.max(np.abs(ia - ib)) <= 1e-12
    assert pywt.central_frequency(name) == dsp.central_frequency(name)
    for method in ("conv", "fft"):
        r, fr = pywt.cwt(x, [1, 2.5, 7, 20], name, 0.01, method)
        o, fo = dsp.cwt(x, [1, 2.5, 7, 20], name, 0.01, method)
        assert o.shape == r.shape and o.dtype == r.dtype
        assert np.max(np.abs(o - r)) <= 1e-10 * max(1.0, np.max(np.abs(r)))
        assert np.max(np.abs(fo - fr)) <= 1e-12
    r, _ = pywt.cwt(x.T.astype(np.float32), [3, 4], name, method="fft", axis=0)
    o, _ = dsp.cwt(x.T.astype(np.float32), [3, 4], name, method="fft", axis=0)
    assert o.dtype == r.dtype and o.shape == r.shape
    assert np.max(np.abs(o - r)) / np.max(np.abs(r)) <= 1e-4


def test_defaults_and_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fam in ("cmor", "shan", "fbsp"):
            a, b = pywt.ContinuousWavelet(fam), dsp.ContinuousWavelet(fam)
            assert (a.bandwidth_frequency, a.center_frequency, a.fbsp_order) == (
                b.bandwidth_frequency, b.center_frequency, b.fbsp_order)
    with pytest.raises(DSPError, match="discrete"):
        dsp.cwt(np.ones(16), [1], "db2")
    with pytest.raises(DSPError, match="continuous"):
        dsp.cwt(np.ones(16), [1], "nope")
    with pytest.raises(DSPError, match="cmorB-C"):
        dsp.ContinuousWavelet("cmor1.5")
    with pytest.raises(DSPError, match="scales"):
        dsp.cwt(np.ones(16), [0, 1], "morl")
    with pytest.raises(DSPError, match="method"):
        dsp.cwt(np.ones(16), [1], "morl", method="wavelets")
    with pytest.raises(DSPError):
        dsp.dwt2(np.ones((8, 8)), "cmor1.5-1.0")


@pytest.mark.parametrize("name", ["morl", "mexh", "gaus3", "cmor1.5-1.0", "cgau2"])
def test_fft_long_signal_equals_pywavelets(name):
    """Signals many FFT blocks long, scales across several block sizes (the overlap-save seams):
    real and complex wavelets, real and complex data, 1-D and along axis 0."""
    rng = np.random.default_rng(3)
    scales = np.geomspace(1, 90, 12)
    x = rng.standard_normal(9000)
    for data in (x, x[:4000] + 1j * rng.standard_normal(4000)):
        r, fr = pywt.cwt(data, scales, name, method="fft")
        o, fo = dsp.cwt(data, scales, name, method="fft")
        assert o.shape == r.shape and o.dtype == r.dtype
        assert_close(o, r, np.float64, what=f"cwt {name} {data.dtype}")
        assert np.array_equal(fo, fr)
    y = rng.standard_normal((3000, 2)).astype(np.float32)
    r, _ = pywt.cwt(y, scales[::3], name, method="fft", axis=0)
    o, _ = dsp.cwt(y, scales[::3], name, method="fft", axis=0)
    assert o.dtype == r.dtype
    assert_close(o, r, np.float32, what=f"cwt {name} float32")
