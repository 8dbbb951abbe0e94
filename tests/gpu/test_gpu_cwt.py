"""dsp.cwt on device arrays (issue 20): CuPy in, CuPy out, both methods, real and complex
wavelets, odd and even lengths, both axes, against PyWavelets (float64 reference from the same
input) within the dtype's tolerance. ``precision=8`` under the simulator keeps the wavelet's
table (and central_frequency's FFT of it) small."""
import numpy as np
import pytest
import pywt

import dsp
from tests.tolerances import assert_close

WAVELETS = ["morl", "mexh", "gaus3", "cgau2", "cmor1.5-1.0"]


@pytest.mark.parametrize("method", ["conv", "fft"])
@pytest.mark.parametrize("wavelet", WAVELETS)
def test_cwt_matches_pywt(device, dtype, wavelet, method):
    precision = device.size(8, 12)
    scales = device.size([1.0, 2.5, 4.0], [1.0, 2.5, 7.0, 20.0, 64.0])
    rng = np.random.default_rng(len(wavelet))
    for n, axis in zip(device.size((21, 32), (4001, 8192)), (-1, 0)):
        x = rng.standard_normal((2, n)).astype(dtype)
        if axis == 0:
            x = np.ascontiguousarray(x.T)
        ref, fref = pywt.cwt(x.astype(np.float64), scales, wavelet, 0.5, method, axis=axis, precision=precision)
        with device.context():
            ours, freqs = dsp.cwt(device.put(x), scales, wavelet, 0.5, method, axis=axis, precision=precision)
        assert device.is_device_array(ours)
        out = device.get(ours)
        assert out.shape == ref.shape
        assert out.dtype == (np.result_type(dtype, np.complex64) if ref.dtype.kind == "c" else dtype)
        assert_close(out, ref, dtype, what=f"cwt {wavelet} {method} n={n} axis={axis}")
        assert np.allclose(freqs, fref, rtol=1e-12, atol=0)


def test_cwt_complex_data_and_errors(device):
    precision = device.size(8, 12)
    rng = np.random.default_rng(5)
    n = device.size(19, 5000)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    for wavelet in ("morl", "cmor1.5-1.0"):
        ref, _ = pywt.cwt(x, [1.0, 3.0], wavelet, method="conv", precision=precision)
        with device.context():
            ours, _ = dsp.cwt(device.put(x), [1.0, 3.0], wavelet, method="fft", precision=precision)
        assert device.is_device_array(ours) and device.get(ours).dtype == np.complex128
        assert_close(device.get(ours), ref, np.complex128, what=f"complex data {wavelet}")
    with device.context(), pytest.raises(dsp.DSPError, match="scale 0.01 is too small"):
        dsp.cwt(device.put(x.real), [0.01], "morl", precision=precision)
