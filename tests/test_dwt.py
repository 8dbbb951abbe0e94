"""dsp.dwt / idwt / wavedec / waverec against PyWavelets, the loop reference and themselves.

The grid sweeps every discrete wavelet x every mode x lengths 1..64 with one small batch of
signals per call (few Numba specialisations: float32/float64 only). float64 must agree with
PyWavelets to 1e-10 absolute on unit-variance signals; float32 is compared with the float64
reference computed from the same float32 input, peak-relative (tests/tolerances.py).
"""
import warnings

import numpy as np
import pytest

import dsp
from dsp import DSPError

from conftest import load_recording
from naive import naive_dwt, naive_idwt
from tolerances import RTOL, peak_relative_error

pywt = pytest.importorskip("pywt")

WAVELETS = pywt.wavelist(kind="discrete")
MODES = pywt.Modes.modes
ATOL64 = 1e-10
# the published symlet and Meyer tables are not exactly orthonormal (about 1e-11 and 1e-2 for
# dmey's FIR approximation), so their round trip is held to PyWavelets' own round trip instead
INEXACT = {n for n in WAVELETS if n.startswith("sym")} | {"dmey"}


def _scaled_error(ours, ref, scale):
    """max|ours - ref| / scale: float32 errors measured against the signal's own scale (a detail
    band that should vanish has no peak of its own to be relative to)."""
    return _max_abs(ours, ref) / scale


def _max_abs(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


@pytest.mark.parametrize("mode", MODES)
def test_dwt_idwt_every_wavelet_and_length_float64(mode):
    rng = np.random.default_rng(5)
    worst = 0.0
    for name in WAVELETS:
        w = dsp.Wavelet(name)
        for n in range(1, 65):
            x = rng.standard_normal((2, n))
            try:
                ref = pywt.dwt(x, name, mode)
            except ValueError:
                with pytest.raises(DSPError):
                    dsp.dwt(x, w, mode)
                continue
            ca, cd = dsp.dwt(x, w, mode)
            assert ca.dtype == np.float64
            worst = max(worst, _max_abs(ca, ref[0]), _max_abs(cd, ref[1]))
            if mode != "periodization" and 2 * ca.shape[-1] - w.rec_len + 2 <= 0:
                with pytest.raises(DSPError, match="too few for wavelet"):
                    dsp.idwt(ca, cd, w, mode)
                continue
            worst = max(worst, _max_abs(dsp.idwt(ca, cd, w, mode), pywt.idwt(*ref, name, mode)))
            if n % 7 == 0:  # one of the two may be missing
                worst = max(worst, _max_abs(dsp.idwt(None, cd, w, mode), pywt.idwt(None, ref[1], name, mode)))
                worst = max(worst, _max_abs(dsp.idwt(ca, None, w, mode), pywt.idwt(ref[0], None, name, mode)))
            assert worst <= ATOL64, (name, n, worst)


@pytest.mark.parametrize("mode", MODES)
def test_dwt_idwt_float32(mode):
    rng = np.random.default_rng(6)
    tol = RTOL[np.dtype(np.float32)]
    for name in WAVELETS[::3] + ["db38", "dmey"]:
        for n in list(range(1, 65, 3)) + [200, 513]:
            x = rng.standard_normal((2, n)).astype(np.float32)
            try:
                ref = pywt.dwt(x.astype(np.float64), name, mode)
            except ValueError:
                continue
            ca, cd = dsp.dwt(x, name, mode)
            assert ca.dtype == cd.dtype == np.float32
            scale = max(np.abs(x).max(), np.abs(ref[0]).max(), np.abs(ref[1]).max())
            assert _scaled_error(ca, ref[0], scale) <= tol and _scaled_error(cd, ref[1], scale) <= tol, (name, n)
            if mode == "periodization" or 2 * ca.shape[-1] - len(pywt.Wavelet(name).rec_lo) + 2 > 0:
                a32, d32 = ref[0].astype(np.float32), ref[1].astype(np.float32)
                y = dsp.idwt(a32, d32, name, mode)
                assert y.dtype == np.float32
                y_ref = pywt.idwt(a32.astype(np.float64), d32.astype(np.float64), name, mode)
                assert _scaled_error(y, y_ref, scale) <= tol, (name, n)


def test_loop_reference_agrees():
    """The mode table, executed one sample at a time (tests/naive.py), gives the same numbers."""
    rng = np.random.default_rng(7)
    for name in ("db2", "bior3.3", "coif1"):
        w = dsp.Wavelet(name)
        for mode in MODES:
            for n in (2, 3, 9):
                x = rng.standard_normal(n)
                ca, cd = dsp.dwt(x, w, mode)
                ra, rd = naive_dwt(x, w.dec_lo, w.dec_hi, mode)
                assert _max_abs(ca, ra) <= ATOL64 and _max_abs(cd, rd) <= ATOL64, (name, mode, n)
                if mode == "periodization" or 2 * len(ca) - w.rec_len + 2 > 0:
                    y = dsp.idwt(ca, cd, w, mode)
                    assert _max_abs(y, naive_idwt(ca, cd, w.rec_lo, w.rec_hi, mode)) <= ATOL64


@pytest.mark.parametrize("mode", MODES)
def test_waverec_inverts_wavedec(mode):
    rng = np.random.default_rng(8)
    for name in WAVELETS:
        for n in (64, 101):
            x = rng.standard_normal(n)
            with warnings.catch_warnings():  # long filters: levels beyond dwt_max_level on purpose
                warnings.simplefilter("ignore", UserWarning)
                coeffs = dsp.wavedec(x, name, mode, level=3 if n > 64 else 2)
            y = dsp.waverec(coeffs, name, mode)
            assert y.shape[-1] in (n, n + 1)
            err = _max_abs(y[:n], x)
            if name in INEXACT:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    ref = pywt.waverec(pywt.wavedec(x, name, mode, level=len(coeffs) - 1), name, mode)
                assert err <= _max_abs(ref[:n], x) + 1e-12, (name, n, err)
            else:
                assert err <= ATOL64, (name, n, err)


@pytest.mark.parametrize("name", ["speech", "chord", "chirp", "stereo"])
def test_wavedec_waverec_recordings(name):
    y64, _ = load_recording(name, dtype=np.float64)
    y32 = y64.astype(np.float32)
    for wavelet, mode in (("db4", "symmetric"), ("sym8", "periodization"), ("coif3", "smooth"),
                          ("bior3.5", "reflect"), ("haar", "zero"), ("db20", "antireflect")):
        for level in (1, 5, None):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                ref = pywt.wavedec(y64, wavelet, mode, level=level)
                ours = dsp.wavedec(y64, wavelet, mode, level=level)
                ours32 = dsp.wavedec(y32, wavelet, mode, level=level)
            assert len(ours) == len(ref)
            # float32 rounds at the scale of the largest coefficient, not of each (tiny) band
            scale32 = max(np.abs(y64).max(), max(np.abs(b).max() for b in ref))
            for a, b, c in zip(ours, ref, ours32):
                # peak-relative: smooth/antireflect extrapolation makes deep levels grow large
                assert peak_relative_error(a, b) <= RTOL[np.dtype(np.float64)]
                assert c.dtype == np.float32
                assert _scaled_error(c, b, scale32) <= RTOL[np.dtype(np.float32)]
            rec = dsp.waverec(ours, wavelet, mode)
            assert peak_relative_error(rec, pywt.waverec(ref, wavelet, mode)) <= RTOL[np.dtype(np.float64)]
            assert _max_abs(rec[..., : y64.shape[-1]], y64) <= ATOL64
            rec32 = dsp.waverec(ours32, wavelet, mode)
            assert rec32.dtype == np.float32
            # float32 rounding happens at the scale of the largest coefficient, which smooth and
            # antireflect extrapolation at deep levels make 1e5 times the signal's
            scale = max(np.abs(y64).max(), max(np.abs(c).max() for c in ours32))
            err = _scaled_error(rec32[..., : y64.shape[-1]], y64, scale)
            assert err <= RTOL[np.dtype(np.float32)], (wavelet, mode, level, err)


def test_axis_and_batches_equal_per_signal_results():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 45, 2))
    for axis in (0, 1, -1):
        ca, cd = dsp.dwt(x, "db3", "symmetric", axis=axis)
        ra, rd = pywt.dwt(x, "db3", "symmetric", axis=axis)
        assert _max_abs(ca, ra) <= ATOL64 and _max_abs(cd, rd) <= ATOL64
        assert _max_abs(dsp.idwt(ca, cd, "db3", axis=axis), pywt.idwt(ra, rd, "db3", axis=axis)) <= ATOL64
        with warnings.catch_warnings():  # axis -1 has 2 samples: level 1 is above the maximum
            warnings.simplefilter("ignore", UserWarning)
            coeffs = dsp.wavedec(x, "sym4", "periodization", level=1, axis=axis)
            refs = pywt.wavedec(x, "sym4", "periodization", level=1, axis=axis)
        for a, b in zip(coeffs, refs):
            assert _max_abs(a, b) <= ATOL64
        assert _max_abs(dsp.waverec(coeffs, "sym4", "periodization", axis=axis),
                        pywt.waverec(refs, "sym4", "periodization", axis=axis)) <= ATOL64
    # every signal of a batch is transformed as if alone
    coeffs = dsp.wavedec(x, "coif2", "antisymmetric", level=2, axis=1)
    for i in range(3):
        for j in range(2):
            alone = dsp.wavedec(x[i, :, j], "coif2", "antisymmetric", level=2)
            for a, b in zip(coeffs, alone):
                np.testing.assert_array_equal(a[i, :, j], b)
    # non-contiguous and read-only input
    ro = np.asfortranarray(x)
    ro.flags.writeable = False
    assert _max_abs(dsp.dwt(ro, "db2", axis=1)[0], pywt.dwt(x, "db2", axis=1)[0]) <= ATOL64


def test_long_signal_is_split_across_threads_consistently():
    """One long signal is cut into blocks of outputs; the blocks must join seamlessly. A batch
    runs all levels of a row in one task (another code path): same numbers."""
    rng = np.random.default_rng(10)
    for x in (rng.standard_normal(300_001), rng.standard_normal((9, 5001)).astype(np.float32)):
        for mode in ("symmetric", "periodization"):
            ours = dsp.wavedec(x, "db4", mode, level=4)
            ref = pywt.wavedec(x.astype(np.float64), "db4", mode, level=4)
            scale = max(np.abs(r).max() for r in ref)
            for a, b in zip(ours, ref):
                assert a.dtype == x.dtype and a.flags.c_contiguous
                assert _max_abs(a, b) <= RTOL[x.dtype] * scale
            back = dsp.waverec(ours, "db4", mode)
            assert back.dtype == x.dtype
            assert _max_abs(back, pywt.waverec(ref, "db4", mode)) <= RTOL[x.dtype] * scale
    x = rng.standard_normal(300_001)
    for mode in ("symmetric", "periodization"):
        for a, b in zip(dsp.wavedec(x, "db4", mode, level=2), pywt.wavedec(x, "db4", mode, level=2)):
            assert _max_abs(a, b) <= ATOL64
        c = pywt.wavedec(x, "db4", mode, level=2)
        assert _max_abs(dsp.waverec(c, "db4", mode), pywt.waverec(c, "db4", mode)) <= ATOL64


def test_complex_input_transforms_real_and_imaginary_parts():
    rng = np.random.default_rng(11)
    z = rng.standard_normal((2, 33)) + 1j * rng.standard_normal((2, 33))
    ca, cd = dsp.dwt(z, "db2", "smooth")
    ra, rd = pywt.dwt(z, "db2", "smooth")
    assert ca.dtype == np.complex128 and _max_abs(ca, ra) <= ATOL64 and _max_abs(cd, rd) <= ATOL64
    assert _max_abs(dsp.idwt(ca, cd, "db2", "smooth"), pywt.idwt(ra, rd, "db2", "smooth")) <= ATOL64
    c = dsp.wavedec(z, "db2", level=2)
    assert _max_abs(dsp.waverec(c, "db2"), pywt.waverec(pywt.wavedec(z, "db2", level=2), "db2")) <= ATOL64
    assert dsp.dwt(z.astype(np.complex64), "db2")[0].dtype == np.complex64


def test_waverec_length_conventions_and_missing_details():
    rng = np.random.default_rng(12)
    for n in (17, 30, 31):
        x = rng.standard_normal(n)
        for mode in ("symmetric", "periodization"):
            with warnings.catch_warnings():  # level 3 is above dwt_max_level for n = 17
                warnings.simplefilter("ignore", UserWarning)
                ref = pywt.wavedec(x, "db2", mode, level=3)
                ours = dsp.wavedec(x, "db2", mode, level=3)
            assert [c.shape for c in ours] == [c.shape for c in ref]
            assert _max_abs(dsp.waverec(ours, "db2", mode), pywt.waverec(ref, "db2", mode)) <= ATOL64
            ref[2] = None
            ours[2] = None
            try:  # without the detail, the approximation cannot be trimmed: both may refuse
                expected = pywt.waverec(ref, "db2", mode)
            except ValueError:
                with pytest.raises(DSPError, match="coefficient shape mismatch"):
                    dsp.waverec(ours, "db2", mode)
                continue
            assert _max_abs(dsp.waverec(ours, "db2", mode), expected) <= ATOL64
    # mixed precisions meet in float64, as in PyWavelets
    c = dsp.wavedec(rng.standard_normal(40).astype(np.float32), "db1", level=2)
    c[-1] = c[-1].astype(np.float64)
    assert dsp.waverec(c, "db1").dtype == np.float64
    assert dsp.idwt(c[1], c[1].astype(np.float64), "db1").dtype == np.float64
    # a level-0 list is the signal itself
    x = rng.standard_normal(10)
    assert dsp.waverec([x], "db1") is x


def test_levels_and_lengths_match_pywavelets():
    for n in (0, 1, 2, 6, 7, 8, 100, 1023, 1024, 22050):
        for name in ("haar", "db4", "coif5", "dmey"):
            flen = pywt.Wavelet(name).dec_len
            assert dsp.dwt_max_level(n, name) == pywt.dwt_max_level(n, name)
            assert dsp.dwt_max_level(n, flen) == dsp.dwt_max_level(n, dsp.Wavelet(name))
            if n:
                for mode in MODES:
                    assert dsp.dwt_coeff_len(n, flen, mode) == pywt.dwt_coeff_len(n, flen, mode)
                    assert dsp.dwt_coeff_len(n, dsp.Wavelet(name), mode) == pywt.dwt_coeff_len(n, flen, mode)
    assert dsp.dwt_max_level(100, 8.0) == 3
    x = np.arange(1.0, 9.0)
    (out,) = dsp.wavedec(x, "db1", level=0)
    assert out is x or np.shares_memory(out, x)
    with pytest.warns(UserWarning, match="Level value of 5 is too high"):
        coeffs = dsp.wavedec(x, "db2", level=5)
    with pytest.warns(UserWarning):
        ref = pywt.wavedec(x, "db2", level=5)
    assert [c.shape for c in coeffs] == [c.shape for c in ref]
    with pytest.warns(DeprecationWarning, match="'per' is the old name of 'periodization'"):
        ca, _ = dsp.dwt(x, "db2", "per")
    assert ca.shape == (4,)
    assert dsp.dwt(x, "db2", 5)[0].shape == (4,)  # PyWavelets' integer mode ids


def test_errors():
    x = np.ones(16)
    with pytest.raises(DSPError, match="data has length 0 along axis=0"):
        dsp.dwt(np.ones(0), "db1")
    with pytest.raises(DSPError, match="mode='reflect' needs at least 2 samples"):
        dsp.dwt(np.ones(1), "db1", "reflect")
    with pytest.raises(DSPError, match="mode='antireflect' needs at least 2 samples"), pytest.warns(UserWarning):
        dsp.wavedec(np.ones(2), "haar", "antireflect", level=2)
    with pytest.raises(DSPError, match="mode='foo' is not a signal-extension mode"):
        dsp.dwt(x, "db1", "foo")
    with pytest.raises(DSPError, match="mode=9 is not a signal-extension mode"):
        dsp.dwt(x, "db1", 9)
    with pytest.raises(DSPError, match="axis=1 is out of range"):
        dsp.dwt(x, "db1", axis=1)
    with pytest.raises(DSPError, match="mode=None is a NoneType"):  # a TypeError too, as in PyWavelets
        dsp.dwt(x, "db1", None)
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.dwt(np.array([1.0, np.nan]), "db1")
    with pytest.raises(DSPError, match="cA and cD are both None"):
        dsp.idwt(None, None, "db1")
    with pytest.raises(DSPError, match=r"cA.shape=\(3,\) and cD.shape=\(4,\) differ"):
        dsp.idwt(np.ones(3), np.ones(4), "db1")
    with pytest.raises(DSPError, match="1 coefficients along axis=0, too few for wavelet 'db2'"):
        dsp.idwt(np.ones(1), np.ones(1), "db2")
    with pytest.raises(DSPError, match="cA and cD have length 0"):
        dsp.idwt(np.ones(0), np.ones(0), "db1", "periodization")
    with pytest.raises(DSPError, match="level=-1 is too low: need level >= 0"):
        dsp.wavedec(x, "db1", level=-1)
    with pytest.raises(DSPError, match="level=1.5 must be an integer"):
        dsp.wavedec(x, "db1", level=1.5)
    c = dsp.wavedec(x, "db1", level=2)
    with pytest.raises(DSPError, match="coeffs must be a list"):
        dsp.waverec(np.ones(4), "db1")
    with pytest.raises(DSPError, match="coeffs is empty"):
        dsp.waverec([], "db1")
    with pytest.raises(DSPError, match=r"Unexpected detail coefficient type: coeffs\[1\] is a list"):
        dsp.waverec([c[0], [1.0, 2.0], c[2]], "db1")
    with pytest.raises(DSPError, match="coefficient shape mismatch"):
        dsp.waverec([c[0], c[2], c[2]], "db1")
    with pytest.raises(ValueError, match="coefficient shape mismatch"):
        pywt.waverec([c[0], c[2], c[2]], "db1")  # the reference refuses it too
    with pytest.raises(DSPError, match="all must have the same number of dimensions"):
        dsp.waverec([c[0][None], c[1], c[2]], "db1")
    with pytest.raises(DSPError, match="they may differ only along axis"):
        dsp.waverec([np.ones((2, 4)), np.ones((3, 4)), np.ones((2, 8))], "db1")
    with pytest.raises(DSPError, match="every entry of coeffs is None"):
        dsp.waverec([None, None], "db1")
    with pytest.raises(DSPError, match="too few for wavelet 'db4'"):
        dsp.waverec([np.ones(2), np.ones(2)], "db4")
    with pytest.raises(DSPError, match="filter_len=1 is an invalid wavelet filter length"):
        dsp.dwt_max_level(10, 1)
    with pytest.raises(DSPError, match="filter_len=2.5 must be an integer"):
        dsp.dwt_max_level(10, 2.5)
    with pytest.raises(DSPError, match="filter_len='foo' is not a discrete wavelet name"):
        dsp.dwt_max_level(10, "foo")
    with pytest.raises(DSPError, match="data_len=-1 is too small"):
        dsp.dwt_max_level(-1, 4)
    with pytest.raises(DSPError, match="data_len=0 is too small: need data_len >= 1"):
        dsp.dwt_coeff_len(0, 4)
    with pytest.raises(DSPError, match="filter_len=0 is too small"):
        dsp.dwt_coeff_len(10, 0)


# ---- stationary transform ------------------------------------------------------------------


def test_swt_iswt_every_wavelet():
    rng = np.random.default_rng(13)
    for name in WAVELETS:
        for n, level, start in ((8, 3, 0), (24, 2, 1), (64, 4, 0)):
            x = rng.standard_normal((2, n))
            ref = pywt.swt(x, name, level=level, start_level=start)
            ours = dsp.swt(x, name, level=level, start_level=start)
            assert len(ours) == len(ref)
            for (a, d), (ra, rd) in zip(ours, ref):
                assert _max_abs(a, ra) <= ATOL64 and _max_abs(d, rd) <= ATOL64, (name, n)
            assert _max_abs(dsp.iswt(ours, name), pywt.iswt(ref, name)) <= ATOL64, (name, n)
            if start == 0 and name not in INEXACT:
                assert _max_abs(dsp.iswt(ours, name), x) <= ATOL64


def test_swt_options_axis_and_dtypes():
    rng = np.random.default_rng(14)
    x = rng.standard_normal((3, 32, 2))
    for axis in (0, 1):
        if x.shape[axis] % 2:
            continue
        level = dsp.swt_max_level(x.shape[axis])
        ours = dsp.swt(x, "db2", level=level, axis=axis, trim_approx=True)
        ref = pywt.swt(x, "db2", level=level, axis=axis, trim_approx=True)
        for a, b in zip(ours, ref):
            assert _max_abs(a, b) <= ATOL64
        assert _max_abs(dsp.iswt(ours, "db2", axis=axis), x) <= ATOL64
    y = rng.standard_normal(40)
    for a, b in zip(dsp.swt(y, "sym4", norm=True), pywt.swt(y, "sym4", norm=True)):
        assert _max_abs(a[0], b[0]) <= ATOL64 and _max_abs(a[1], b[1]) <= ATOL64
    assert _max_abs(dsp.iswt(dsp.swt(y, "sym4", norm=True), "sym4", norm=True), y) <= 1e-9
    with pytest.warns(UserWarning, match="not orthogonal"):
        dsp.swt(y, "bior2.2", level=1, norm=True)
    y32 = y.astype(np.float32)
    c32 = dsp.swt(y32, "db3", level=3)
    ref = pywt.swt(y32.astype(np.float64), "db3", level=3)
    scale = max(np.abs(r).max() for pair in ref for r in pair)
    for (a, d), (ra, rd) in zip(c32, ref):
        assert a.dtype == d.dtype == np.float32
        assert _scaled_error(a, ra, scale) <= RTOL[np.dtype(np.float32)]
        assert _scaled_error(d, rd, scale) <= RTOL[np.dtype(np.float32)]
    back = dsp.iswt(c32, "db3")
    assert back.dtype == np.float32 and _scaled_error(back, y, scale) <= RTOL[np.dtype(np.float32)]
    z = y + 1j * y[::-1]
    assert _max_abs(dsp.iswt(dsp.swt(z, "db2", level=2), "db2"), z) <= ATOL64
    assert dsp.swt_max_level(96) == pywt.swt_max_level(96) == 5
    with pytest.warns(UserWarning, match="No levels of stationary wavelet decomposition"):
        assert dsp.swt_max_level(7) == 0


def test_swt_errors():
    x = np.ones(8)
    with pytest.raises(DSPError, match="data has odd length 7"):
        dsp.swt(np.ones(7), "db1")
    with pytest.raises(DSPError, match="level=4 is too high: length 8 is a multiple of 2\\*\\*3"):
        dsp.swt(x, "db1", level=4)
    with pytest.raises(DSPError, match="level=2 is too high"):
        dsp.swt(x, "db1", level=2, start_level=2)
    with pytest.raises(DSPError, match="level=0 is too small: need level >= 1"):
        dsp.swt(x, "db1", level=0)
    with pytest.raises(DSPError, match="start_level=3 is too large for length 8: need start_level < 3"):
        dsp.swt(x, "db1", start_level=3)
    with pytest.raises(DSPError, match="start_level=-1 is too small"):
        dsp.swt(x, "db1", start_level=-1)
    with pytest.raises(DSPError, match="data has length 0"):
        dsp.swt(np.ones(0), "db1")
    with pytest.raises(DSPError, match="input_len=0 is too small"):
        dsp.swt_max_level(0)
    with pytest.raises(DSPError, match="coeffs must be a non-empty list"):
        dsp.iswt([], "db1")
    with pytest.raises(DSPError, match=r"coeffs\[1\] must be a pair"):
        dsp.iswt([(x, x), x], "db1")
    with pytest.raises(DSPError, match="all must have the same shape"):
        dsp.iswt([(x, np.ones(6))], "db1")
    with pytest.raises(DSPError, match="2 level\\(s\\) need a positive multiple of 4"):
        dsp.iswt([(np.ones(6), np.ones(6))] * 2, "db1")
