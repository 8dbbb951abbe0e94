"""The filter-bank kernels of dsp.cwt on the CPU, given the bank dsp builds (dsp/_cwt.py:
_scale_filter, _filter_bank), against PyWavelets: cwt_conv (the CPU twin of the GPU kernel of
method='conv') and overlap_save (method='fft'; the GPU side is cuFFT, tests/gpu/test_gpu_cwt.py).
dsp.cwt's public CPU path is tested in tests/test_cwt.py."""
import numpy as np
import pytest

from dsp._cwt import _as_continuous, _filter_bank, _scale_filter, integrate_wavelet
from dsp_kernels.cpu.cwt import cwt_conv
from dsp_kernels.cpu.cwt_fft import overlap_save
from tests.tolerances import assert_close

pywt = pytest.importorskip("pywt")


@pytest.mark.parametrize("method", ["conv", "fft"])
@pytest.mark.parametrize("wavelet", ["morl", "gaus3", "cmor1.5-1.0", "shan1.5-1.0"])
def test_bank_kernels_match_pywt(dtype, wavelet, method):
    scales = np.array([1.0, 2.5, 7.0, 20.0])
    w = _as_continuous(wavelet)
    int_psi, grid = integrate_wavelet(w, precision=10)
    int_psi = np.conj(int_psi) if w.complex_cwt else int_psi
    int_psi = int_psi.astype(np.result_type(dtype, np.complex64) if w.complex_cwt else dtype)
    filters = [_scale_filter(int_psi, grid.astype(dtype), s, wavelet, 10) for s in scales]
    run = cwt_conv if method == "conv" else overlap_save
    for n in (301, 256):
        x = np.random.default_rng(n).standard_normal((3, n)).astype(dtype)
        ours = run(x, *_filter_bank(filters, scales, x.dtype))
        ref, _ = pywt.cwt(x.astype(np.float64), scales, wavelet, method=method, axis=-1, precision=10)
        assert ours.shape == ref.shape and ours.dtype.kind == ref.dtype.kind
        assert_close(ours, ref, dtype, what=f"{wavelet} {method} n={n}")
