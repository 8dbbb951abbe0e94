"""dsp.dwtn / idwtn / dwt2 / idwt2 / wavedecn / waverecn / wavedec2 / waverec2 against PyWavelets.

Every discrete wavelet x every mode on a small 3-D array transformed along all three axes (so
both the row kernels, last axis, and the strided axis kernels, other axes, are covered), float64
to 1e-10 absolute relative to max(1, peak) (smooth and antireflect extrapolate: coefficients of
long filters reach 1e6 on unit-variance data), float32 peak-relative against the float64
reference of the same input (tests/tolerances.py).
"""
import warnings

import numpy as np
import pytest

import dsp
from dsp import DSPError

from tolerances import RTOL

pywt = pytest.importorskip("pywt")

WAVELETS = pywt.wavelist(kind="discrete")
MODES = pywt.Modes.modes
ATOL64 = 1e-10


def _err(ours, ref):
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    return float(np.max(np.abs(ours - ref)) / max(1.0, np.max(np.abs(ref)))) if ref.size else 0.0


@pytest.mark.parametrize("mode", MODES)
def test_dwtn_idwtn_every_wavelet_float64(mode):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 7, 3))
    worst = 0.0
    for name in WAVELETS:
        axes = (1, 0, 2) if name < "d" else (2, 0, 1)
        try:
            ref = pywt.dwtn(x, name, mode, axes)
        except ValueError:
            with pytest.raises(DSPError):
                dsp.dwtn(x, name, mode, axes)
            continue
        ours = dsp.dwtn(x, name, mode, axes)
        assert sorted(ours) == sorted(ref)
        worst = max([worst] + [_err(ours[k], ref[k]) for k in ref])
        worst = max(worst, _err(dsp.idwtn(ref, name, mode, axes), pywt.idwtn(ref, name, mode, axes)))
    assert worst <= ATOL64


@pytest.mark.parametrize("mode", MODES)
def test_wavedec2_waverec2_float32_and_float64(mode):
    rng = np.random.default_rng(4)
    x64 = rng.standard_normal((4, 19, 12))
    x32 = x64.astype(np.float32)
    for name in ("haar", "db3", "sym4", "coif2", "bior3.5", "rbio2.4", "dmey"):
        for axes in ((-2, -1), (2, 0)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                ref = pywt.wavedec2(x64, name, mode, level=2, axes=axes)
                ours = dsp.wavedec2(x64, name, mode, level=2, axes=axes)
                ref32 = pywt.wavedec2(x32.astype(np.float64), name, mode, level=2, axes=axes)
                ours32 = dsp.wavedec2(x32, name, mode, level=2, axes=axes)
            assert len(ours) == len(ref) == 3
            assert _err(ours[0], ref[0]) <= ATOL64
            assert ours32[0].dtype == np.float32
            scale = np.max(np.abs(ref32[0]))
            assert np.max(np.abs(ours32[0] - ref32[0])) / scale <= 10 * RTOL[np.dtype(np.float32)]
            for o, r, o32, r32 in zip(ours[1:], ref[1:], ours32[1:], ref32[1:]):
                for b in range(3):
                    assert _err(o[b], r[b]) <= ATOL64
                    assert o32[b].dtype == np.float32
                    assert np.max(np.abs(o32[b] - r32[b])) / scale <= 10 * RTOL[np.dtype(np.float32)]
            rec = dsp.waverec2(ours, name, mode, axes=axes)
            assert _err(rec, pywt.waverec2(ref, name, mode, axes=axes)) <= ATOL64
            rec32 = dsp.waverec2(ours32, name, mode, axes=axes)
            assert rec32.dtype == np.float32
            if name != "dmey":  # dmey's FIR table is not exactly biorthogonal
                sl = tuple(slice(s) for s in x64.shape)
                assert np.max(np.abs(rec[sl] - x64)) <= 1e-9


@pytest.mark.filterwarnings("ignore:Level value")
def test_wavedecn_waverecn_round_trip_and_structure():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((9, 10, 11))
    for axes in (None, (0, 2), (-1,)):
        ref = pywt.wavedecn(x, "db2", "periodic", level=2, axes=axes)
        ours = dsp.wavedecn(x, "db2", "periodic", level=2, axes=axes)
        assert _err(ours[0], ref[0]) <= ATOL64
        for o, r in zip(ours[1:], ref[1:]):
            assert sorted(o) == sorted(r)
            assert max(_err(o[k], r[k]) for k in r) <= ATOL64
        y = dsp.waverecn(ours, "db2", "periodic", axes=axes)
        assert _err(y, pywt.waverecn(ref, "db2", "periodic", axes=axes)) <= ATOL64


def test_per_axis_wavelets_modes_complex_and_dtypes():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((8, 12)) + 1j * rng.standard_normal((8, 12))
    ref = pywt.dwt2(x, ("db2", "sym3"), ("zero", "reflect"))
    ours = dsp.dwt2(x, ("db2", "sym3"), ("zero", "reflect"))
    assert _err(ours[0], ref[0]) <= ATOL64
    assert all(_err(o, r) <= ATOL64 for o, r in zip(ours[1], ref[1]))
    assert dsp.dwt2(np.arange(16).reshape(4, 4), "db1")[0].dtype == np.float64
    assert dsp.dwt2(np.ones((4, 4), np.float32), "db1")[0].dtype == np.float32
    # a None band is zeros; float32 with float64 meets in float64
    a, (h, v, d) = dsp.dwt2(np.ones((6, 6), np.float32), "db1")
    assert dsp.idwt2((a, (None, v.astype(np.float64), d)), "db1").dtype == np.float64
    y = dsp.idwt2((a, (None, None, None)), "db1")
    assert np.allclose(y, pywt.idwt2((a, (None, None, None)), "db1"))


def test_bad_input_names_the_parameter():
    x = np.ones((8, 8))
    with pytest.raises(DSPError, match="unique"):
        dsp.wavedecn(x, "db1", axes=(0, 0))
    # as in PyWavelets, a single-level dwtn transforms a repeated axis again
    assert dsp.dwtn(x, "db1", axes=(0, 0))["aa"].shape == (2, 8)
    with pytest.raises(DSPError, match="axes"):
        dsp.dwt2(x, "db1", axes=(0, 2))
    with pytest.raises(DSPError, match="axes"):
        dsp.wavedec2(x, "db1", axes=(0, 1, 1))
    with pytest.raises(DSPError, match="mode"):
        dsp.dwt2(x, "db1", mode="nope")
    with pytest.raises(DSPError):
        dsp.dwt2(x, "nope")
    with pytest.raises(DSPError):
        dsp.dwt2(x, "morl")  # continuous
    with pytest.raises(DSPError, match="level"):
        dsp.wavedec2(x, "db1", level=-1)
    with pytest.raises(DSPError, match="level"):
        dsp.wavedec2(x, "db1", level=100)
    with pytest.warns(UserWarning, match="too high"):
        dsp.wavedec2(x, "db1", level=4)
    c = dsp.wavedec2(np.ones((16, 16)), "db1", level=2)
    c[1] = (c[1][0][:1], c[1][1], c[1][2])
    with pytest.raises(DSPError, match="shape"):
        dsp.waverec2(c, "db1")
    c = dsp.wavedec2(np.ones((16, 16)), "db1", level=2)
    c[0] = c[0][:1]
    with pytest.raises(DSPError, match="shape"):
        dsp.waverec2(c, "db1")
    with pytest.raises(DSPError, match="wavelet"):
        dsp.dwtn(x, ["db1", "db2", "db3"])
    with pytest.raises(DSPError, match="Unexpected detail"):
        dsp.waverec2([x, x], "db1")
    with pytest.raises(DSPError, match="invalid keys"):
        dsp.idwtn({"ax": x}, "db1")
