"""The constant-Q transform's fused CPU kernels (issue 19): one octave from the signal
(``cqt_octave``: frames, FFT and sparse projection in one pass) against librosa's STFT times the
dense filter matrix, and the octave step's decimation by fast convolution (``cqt_halve``)
against the direct sum with ``dsp.resample``'s 2:1 taps in float64 (``np.convolve``) and against
``dsp.resample`` itself (direct below ``dsp._resample_halving.pays``' length, the same kernel above)."""
import contextlib

import librosa
import numpy as np
import pytest

import dsp
from dsp._cqt_filters import cqt_frequencies, relative_bandwidth, sparse_basis
from dsp._dispatch import kernel_for
from dsp._cqt_octaves import _halve
from dsp._resample_halving import GROUP_US
from tolerances import assert_close


def _bank(sr, fmin, bpo, dtype):
    freqs = cqt_frequencies(bpo, fmin=fmin, bins_per_octave=bpo)
    alpha = relative_bandwidth(freqs, bpo)
    cdt = np.complex64 if dtype == np.float32 else np.complex128
    return sparse_basis(float(sr), tuple(freqs), tuple(alpha), 1.0, 1.0, 0.01, "hann", 0.0, None,
                        cdt)


@pytest.mark.parametrize("n, hop, pad_mode, limit", [
    (22050, 512, "constant", None), (22050, 7, "constant", 100), (3000, 64, "reflect", None),
    (300, 16, "edge", None), (5000, 33, "constant", 40),
])
@pytest.mark.parametrize("bpo, fmin", [(12, 2093.0), (36, 523.25)])
def test_octave_kernel_matches_librosa_stft_projection(dtype, n, hop, pad_mode, limit, bpo, fmin):
    sr = 22050
    rng = np.random.default_rng(n + hop)
    y = rng.standard_normal((2, n)).astype(dtype)
    starts, offsets, weights, n_fft, _ = _bank(sr, fmin, bpo, dtype)
    dense = np.zeros((len(starts), n_fft // 2 + 1), dtype=np.complex128)
    for k in range(len(starts)):
        run = weights[offsets[k]:offsets[k + 1]]
        dense[k, starts[k]:starts[k] + run.size] = run
    with pytest.warns(UserWarning) if n_fft > n else contextlib.nullcontext():
        D = librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=hop, window="ones",
                         center=True, pad_mode=pad_mode)
    ref = np.einsum("kf,bft->bkt", dense, D)
    n_frames = ref.shape[-1] if limit is None else limit
    got = kernel_for("cqt_octave", y)(y, n_fft=n_fft, hop_length=hop, pad_mode=pad_mode,
                                     starts=starts, offsets=offsets, weights=weights,
                                     n_frames=n_frames)
    assert got.dtype == weights.dtype and got.shape == (2, len(starts), n_frames)
    assert_close(got, ref[..., :n_frames], dtype, what="octave")


def _direct_halving(y, taps):
    """``out[m] = sum_j taps[j] y[2m - T/2 + 1 + j]`` in float64, zeros outside the signal."""
    T = len(taps)
    m = np.arange((y.shape[-1] + 1) // 2)
    full = np.stack([np.convolve(row, taps[::-1]) for row in y.astype(np.float64)])
    return full[:, 2 * m - T // 2 + T]  # full[k] = sum_i taps[i] y[k - T + 1 + i]


@pytest.mark.parametrize("res_type", ["soxr_hq", "kaiser_best", "kaiser_fast"])
@pytest.mark.parametrize("n", [1, 2, 5, 371, 4000, 100_001])
def test_halving_matches_resample(dtype, res_type, n):
    from dsp._cqt_octaves import _resample_quality
    from dsp.resampling import _polyphase_table

    y = np.random.default_rng(n).standard_normal((2, n)).astype(dtype)
    got = _halve(np.ascontiguousarray(y), res_type)
    taps = _polyphase_table(1, 2, _resample_quality(res_type), "<f8")[0] * np.sqrt(2.0)
    assert got.dtype == y.dtype and got.shape == (2, (n + 1) // 2)
    assert_close(got, _direct_halving(y, taps), dtype, what=f"halving {res_type}")
    ref = dsp.resample(y, orig_sr=2, target_sr=1, res_type=res_type, scale=True)
    assert_close(got, ref, dtype, what=f"halving {res_type} against dsp.resample")


@pytest.mark.parametrize("n_fft", sorted(GROUP_US))
@pytest.mark.parametrize("rows, n", [(1, 16_000), (3, 100_001)])
def test_halving_kernel_at_every_block_size(dtype, n_fft, rows, n):
    # every block length the cost model may pick (powers of two and 3 or 5 times one), on one
    # thread (one group of blocks: the float32 clip with blocks of 1280 or more) and on the pool
    # (several groups), against the direct sum with the 'high' taps
    from dsp._resample_halving import halving_filter

    y = np.random.default_rng(n_fft + n).standard_normal((rows, n)).astype(dtype)
    taps, fold = halving_filter("high", 1.0, np.dtype(dtype).str, n_fft)
    got = kernel_for("cqt_halve", y)(y, taps, n_fft, fold)
    assert got.dtype == y.dtype and got.shape == (rows, (n + 1) // 2)
    assert_close(got, _direct_halving(y, taps.astype(np.float64)), dtype, what=f"halving, blocks of {n_fft}")


def test_halving_filter_table_follows_the_filter_array_it_was_made_from():
    # the kernel's coefficients are cached by the filter array's identity: a writable filter is
    # converted on every call (so changing it in place changes the result), another filter of
    # the same length gets its own table, and dsp.clear_caches() empties the cache
    from dsp._resample_halving import halving_filter
    from dsp_kernels.cpu import cqt as cqt_kernels

    y = np.random.default_rng(3).standard_normal((1, 16_000)).astype(np.float32)
    halve_kernel = kernel_for("cqt_halve", y)
    taps, fold = halving_filter("high", 1.0, "<f4", 1280)
    taps2, fold2 = halving_filter("high", 0.5, "<f4", 1280)
    first = halve_kernel(y, taps, 1280, fold)
    assert any(hit[0] is fold for hit in cqt_kernels._FOLD_TABLES.values())
    assert_close(halve_kernel(y, taps2, 1280, fold2), _direct_halving(y, taps2.astype(np.float64)),
                 np.float32, what="a second filter of the same block length")
    mine = fold.copy()  # writable
    assert_close(halve_kernel(y, taps, 1280, mine), first, np.float32, what="a writable copy")
    mine *= 2
    assert_close(halve_kernel(y, taps, 1280, mine), 2 * first, np.float32, what="the copy changed in place")
    assert not any(hit[0] is mine for hit in cqt_kernels._FOLD_TABLES.values())
    dsp.clear_caches()
    assert not cqt_kernels._FOLD_TABLES


def test_octave_halving_keeps_to_power_of_two_blocks():
    # the constant-Q octaves take power-of-two blocks only (one compiled plan type), where
    # dsp.resample may take 3 or 5 times one (a 1 s clip at 16 -> 8 kHz: 1280)
    from dsp._resample_halving import block_size

    lengths = [2_000, 8_000, 11_025, 35_000, 100_000, 200_000, 661_500]
    for quality in ("high", "hq", "fast"):
        for n_out in lengths:
            n_fft = block_size(n_out, quality, np.float32, smooth=False)
            assert n_fft & (n_fft - 1) == 0, (quality, n_out, n_fft)
    assert block_size(8_000, "high", np.float32) == 1280
    assert any(block_size(n, q, np.float32) & (block_size(n, q, np.float32) - 1)
               for n in lengths for q in ("high", "hq"))


@pytest.mark.parametrize("n_fft", sorted(GROUP_US))
def test_bound_halving_of_one_row_matches_direct_sum_and_checks_finiteness(dtype, n_fft, monkeypatch):
    # dsp.resample's 2:1 route for one clip length (dsp_kernels.cpu.cqt.halve_bound): a row that
    # fits one group of blocks goes to the kernel that pads the row once and checks it on the
    # way; the outputs are the direct sum's, and NaN or infinity anywhere (first sample, last,
    # between blocks) is reported, where finite rows say finite
    from dsp._resample_halving import halving_filter
    from dsp_kernels.cpu import cqt
    from dsp_kernels.cpu.cqt import _halving_geometry, halve_bound
    from dsp_kernels.shapes import halving_block_outputs

    row_calls = []
    one_group = cqt._HALVE_ROW
    monkeypatch.setattr(cqt, "_HALVE_ROW", lambda *a: row_calls.append(1) or one_group(*a))

    taps, fold = halving_filter("high", 1.0, np.dtype(dtype).str, n_fft)
    lanes = 64 // np.dtype(dtype).itemsize
    M = halving_block_outputs(n_fft, len(taps))
    rng = np.random.default_rng(n_fft)
    for n in (2 * lanes * M - 1, 2 * (lanes - 1) * M + 3, 2 * M):  # a full group, a ragged one
        assert _halving_geometry((n + 1) // 2, len(taps), n_fft, np.dtype(dtype).char)[4] == 1
        run = halve_bound(n, taps, n_fft, fold)
        y = rng.standard_normal((1, n)).astype(dtype)
        got, finite = run(y)
        assert finite and got.dtype == y.dtype and got.shape == (1, (n + 1) // 2)
        assert row_calls.pop()  # the one-group kernel ran
        assert_close(got, _direct_halving(y, taps.astype(np.float64)), dtype,
                     what=f"bound halving, {n} samples in blocks of {n_fft}")
        for where in (0, n - 1, n // 2 + 1):
            for bad in (np.nan, np.inf, -np.inf):
                z = y.copy()
                z[0, where] = bad
                assert not run(z)[1], (n, where, bad)
    # other input takes the general kernel and the separate check, with the same answers
    n = 2 * M
    run = halve_bound(n, taps, n_fft, fold)
    row_calls.clear()
    two = rng.standard_normal((2, n)).astype(dtype)
    got, finite = run(two)
    assert finite and not row_calls
    assert_close(got, _direct_halving(two, taps.astype(np.float64)), dtype, what="bound halving, 2 rows")
    two[1, 5] = np.nan
    assert not run(two)[1]
    read_only = rng.standard_normal((1, n)).astype(dtype)
    read_only.flags.writeable = False
    got, finite = run(read_only)
    assert finite and not row_calls
    assert_close(got, _direct_halving(read_only, taps.astype(np.float64)), dtype, what="read-only row")
