"""GPU DWT twin against PyWavelets (the reference), every mode, odd and even lengths."""
import numpy as np
import pytest
import pywt

from tests.tolerances import assert_close

MODES = ["zero", "constant", "symmetric", "periodic", "smooth", "periodization", "reflect",
         "antisymmetric", "antireflect"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wavelet", ["db2", "sym4", "bior2.2"])
def test_wavedec_waverec_match_pywt(device, dtype, mode, wavelet):
    from dsp._wavelet_modes import MODES as IDS
    from dsp_kernels.gpu import dwt

    w = pywt.Wavelet(wavelet)
    for n in device.size((3, 13, 40), (1001, 22050 * 10)):
        x = np.random.default_rng(n).standard_normal((2, n)).astype(dtype)
        level = max(1, min(3, pywt.dwt_max_level(n, w.dec_len)))
        ours = dwt.wavedec(device.put(x), w.dec_lo, w.dec_hi, IDS[mode], level)
        ref = pywt.wavedec(x.astype(np.float64), w, mode=mode, level=level)
        for o, r in zip(ours, ref):
            assert device.get(o).dtype == dtype
            assert_close(device.get(o), r, dtype, what=f"{wavelet} {mode} n={n}")
        back = device.get(dwt.waverec(ours[0], ours[1:], w.rec_lo, w.rec_hi, IDS[mode]))
        ref_back = pywt.waverec(ref, w, mode=mode)
        assert back.shape == ref_back.shape
        assert_close(back, ref_back, dtype, what=f"waverec {wavelet} {mode} n={n}")
