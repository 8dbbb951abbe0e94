"""The CPU twins of the GPU cwt kernels (kernels/cpu/cwt.py: cwt_conv, cwt_fft), through the
device glue dsp/_cwt_gpu.py on NumPy arrays, against PyWavelets; the GPU twins are tested in
tests/gpu/test_gpu_cwt.py. dsp.cwt's own CPU path is tested in tests/test_cwt.py."""
import numpy as np
import pytest

from dsp._cwt import _as_continuous, integrate_wavelet
from dsp._cwt_gpu import cwt_device
from tests.tolerances import assert_close

pywt = pytest.importorskip("pywt")


@pytest.mark.parametrize("method", ["conv", "fft"])
@pytest.mark.parametrize("wavelet", ["morl", "gaus3", "cmor1.5-1.0", "shan1.5-1.0"])
def test_cpu_twins_match_pywt(dtype, wavelet, method):
    scales = np.array([1.0, 2.5, 7.0, 20.0])
    w = _as_continuous(wavelet)
    int_psi, grid = integrate_wavelet(w, precision=10)
    int_psi = np.conj(int_psi) if w.complex_cwt else int_psi
    int_psi = int_psi.astype(np.result_type(dtype, np.complex64) if w.complex_cwt else dtype)
    for n, axis in ((301, -1), (256, 0)):
        x = np.random.default_rng(n).standard_normal((3, n)).astype(dtype)
        x = x if axis == -1 else np.ascontiguousarray(x.T)
        ours = cwt_device(x, scales, int_psi, grid.astype(dtype), wavelet, method, axis, 10)
        ref, _ = pywt.cwt(x.astype(np.float64), scales, wavelet, method=method, axis=axis, precision=10)
        assert ours.shape == ref.shape and ours.dtype.kind == ref.dtype.kind
        assert_close(ours, ref, dtype, what=f"{wavelet} {method} n={n}")
