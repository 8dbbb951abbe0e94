"""GPU path of the 2-D/n-D transforms (issue 20): dwt2/wavedec2/waverec2, dwtn/idwtn and
swt2/iswt2 on device arrays run the GPU DWT twin along each axis (rows after a move of the axis);
against PyWavelets, every mode, odd and even shapes."""
import numpy as np
import pytest
import pywt

from tests.tolerances import RTOL


def assert_close(ours, ref, dtype, *, what=""):
    """Peak-relative, with the peak at least 1 (the inputs are unit-variance): a band that
    vanishes in exact arithmetic (smooth-mode details of two samples) has no scale of its own."""
    err = float(np.max(np.abs(np.asarray(ours, np.float64) - ref))) / max(1.0, float(np.max(np.abs(ref))))
    assert err <= RTOL[np.dtype(dtype)], f"{what}: error {err:.3e} ({np.dtype(dtype)})"

MODES = ["zero", "constant", "symmetric", "periodic", "smooth", "periodization", "reflect",
         "antisymmetric", "antireflect"]


@pytest.mark.filterwarnings("ignore:Level value")
@pytest.mark.parametrize("mode", MODES)
def test_wavedec2_waverec2_dwtn_match_pywt(device, dtype, mode):
    import dsp

    shape = (2, 9, 12) if device.simulator else (8, 257, 384)
    x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    ref = pywt.wavedec2(x.astype(np.float64), "db2", mode, level=2, axes=(1, 2))
    with device.context():
        ours = dsp.wavedec2(device.put(x), "db2", mode, level=2, axes=(1, 2))
        back = dsp.waverec2(ours, "db2", mode, axes=(1, 2))
        d = dsp.dwtn(device.put(x), "sym3", mode, axes=(0, 2))
        y = dsp.idwtn(d, "sym3", mode, axes=(0, 2))
    assert device.is_device_array(ours[0]) and device.get(ours[0]).dtype == dtype
    assert_close(device.get(ours[0]), ref[0], dtype, what=f"cA {mode}")
    for o, r in zip(ours[1:], ref[1:]):
        for ob, rb in zip(o, r):
            assert_close(device.get(ob), rb, dtype, what=f"detail {mode}")
    assert_close(device.get(back), pywt.waverec2(ref, "db2", mode, axes=(1, 2)), dtype, what=f"waverec2 {mode}")
    rd = pywt.dwtn(x.astype(np.float64), "sym3", mode, axes=(0, 2))
    for k in rd:
        assert_close(device.get(d[k]), rd[k], dtype, what=f"dwtn {k} {mode}")
    assert_close(device.get(y), pywt.idwtn(rd, "sym3", mode, axes=(0, 2)), dtype, what=f"idwtn {mode}")


def test_swt2_iswt2_match_pywt(device, dtype):
    import dsp

    n = 8 if device.simulator else 256
    x = np.random.default_rng(2).standard_normal((n, n)).astype(dtype)
    ref = pywt.swt2(x.astype(np.float64), "db2", 2)
    with device.context():
        ours = dsp.swt2(device.put(x), "db2", 2)
        back = dsp.iswt2(ours, "db2")
    for (oa, od), (ra, rd) in zip(ours, ref):
        assert_close(device.get(oa), ra, dtype, what="swt2 cA")
        for o, r in zip(od, rd):
            assert_close(device.get(o), r, dtype, what="swt2 detail")
    assert_close(device.get(back), x.astype(np.float64), dtype, what="iswt2")
