"""GPU twin of the strided n-D axis DWT (kernels/gpu/dwt_nd.py, issue 20) against PyWavelets:
one level along the middle axis of ``(outer, n, inner)``, a few wavelets x every mode x odd/even
lengths; and the public n-D functions on device arrays no longer move an inner axis last."""
import numpy as np
import pytest
import pywt

from tests.tolerances import RTOL

MODES = ["zero", "constant", "symmetric", "periodic", "smooth", "periodization", "reflect",
         "antisymmetric", "antireflect"]


def assert_close(ours, ref, dtype, *, what=""):
    """Peak-relative with the peak at least 1 (unit-variance inputs), as test_gpu_dwt_nd: a band
    that vanishes in exact arithmetic has no scale of its own."""
    err = float(np.max(np.abs(np.asarray(ours, np.float64) - ref))) / max(1.0, float(np.max(np.abs(ref))))
    assert err <= RTOL[np.dtype(dtype)], f"{what}: error {err:.3e} ({np.dtype(dtype)})"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wavelet", ["haar", "db2", "bior2.2"])
def test_middle_axis_dwt_idwt_match_pywt(device, dtype, mode, wavelet):
    from dsp._wavelet_modes import MODES as IDS
    from dsp_kernels.gpu import dwt_nd

    w = pywt.Wavelet(wavelet)
    outer, inner = device.size((2, 3), (16, 300))
    for n in device.size((5, 8), (257, 512)):
        x = np.random.default_rng(n).standard_normal((outer, n, inner)).astype(dtype)
        ca, cd = dwt_nd.dwt(device.put(x), w.dec_lo, w.dec_hi, IDS[mode])
        ra, rd = pywt.dwt(x.astype(np.float64), w, mode=mode, axis=1)
        assert device.is_device_array(ca) and device.get(ca).dtype == dtype
        assert_close(device.get(ca), ra, dtype, what=f"cA {wavelet} {mode} n={n}")
        assert_close(device.get(cd), rd, dtype, what=f"cD {wavelet} {mode} n={n}")
        back = dwt_nd.idwt(ca, cd, w.rec_lo, w.rec_hi, IDS[mode])
        ref = pywt.idwt(ra, rd, w, mode=mode, axis=1)
        assert device.is_device_array(back) and device.get(back).dtype == dtype
        assert device.get(back).shape == ref.shape
        assert_close(device.get(back), ref, dtype, what=f"idwt {wavelet} {mode} n={n}")


@pytest.mark.filterwarnings("ignore:Level value")
@pytest.mark.parametrize("mode", ["symmetric", "periodization"])
def test_nd_functions_do_not_move_inner_axes(device, dtype, mode, monkeypatch):
    """dwtn/idwtn/wavedec2/waverec2 over axes (0, 2) and wavedecn/waverecn over all three axes of
    a 3-D device array: only the last axis
    goes through the row glue (``rows``, which moves and copies any other axis), every other axis
    through the n-D twin; results equal PyWavelets'."""
    import dsp
    import dsp._wavelet_nd as nd

    seen, real_rows = [], nd.rows

    def spy(x, axis):
        seen.append((axis, x.ndim))
        return real_rows(x, axis)

    monkeypatch.setattr(nd, "rows", spy)
    shape = device.size((7, 3, 6), (129, 16, 256))
    x = np.random.default_rng(3).standard_normal(shape).astype(dtype)
    with device.context():
        d = dsp.dwtn(device.put(x), "db2", mode, axes=(0, 2))
        y = dsp.idwtn(d, "db2", mode, axes=(0, 2))
        c = dsp.wavedec2(device.put(x), "sym3", mode, level=1, axes=(2, 0))
        back = dsp.waverec2(c, "sym3", mode, axes=(2, 0))
        cn = dsp.wavedecn(device.put(x), "haar", mode, level=1)
        backn = dsp.waverecn(cn, "haar", mode)
    assert seen and all(axis == ndim - 1 for axis, ndim in seen), seen
    rd = pywt.dwtn(x.astype(np.float64), "db2", mode, axes=(0, 2))
    for k in rd:
        assert device.is_device_array(d[k])
        assert_close(device.get(d[k]), rd[k], dtype, what=f"dwtn {k}")
    assert_close(device.get(y), pywt.idwtn(rd, "db2", mode, axes=(0, 2)), dtype, what="idwtn")
    rc = pywt.wavedec2(x.astype(np.float64), "sym3", mode, level=1, axes=(2, 0))
    assert_close(device.get(c[0]), rc[0], dtype, what="wavedec2 cA")
    for o, r in zip(c[1], rc[1]):
        assert_close(device.get(o), r, dtype, what="wavedec2 detail")
    assert device.is_device_array(back)
    assert_close(device.get(back), pywt.waverec2(rc, "sym3", mode, axes=(2, 0)), dtype, what="waverec2")
    rn = pywt.wavedecn(x.astype(np.float64), "haar", mode, level=1)
    assert_close(device.get(cn[0]), rn[0], dtype, what="wavedecn cA")
    for k in rn[1]:
        assert_close(device.get(cn[1][k]), rn[1][k], dtype, what=f"wavedecn {k}")
    assert device.is_device_array(backn)
    assert_close(device.get(backn), pywt.waverecn(rn, "haar", mode), dtype, what="waverecn")
