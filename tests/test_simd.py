"""The explicit SIMD helpers (kernels/cpu/fft/simd.py, kernels/cpu/lanes_sum.py) against NumPy's
transpose and products and the loops they replace."""
import numba
import numpy as np
import pytest

from dsp_kernels.cpu.fft.simd import (
    frames_to_lanes, frames_to_lanes_split, lanes_for, transpose_pairs, transpose_tile_checked,
)
from dsp_kernels.cpu.lanes_sum import lanes_power2_sum, lanes_weighted_sum


@pytest.mark.parametrize("s0, sstride, d0, dstride", [(0, 16, 0, 16), (5, 37, 11, 50), (3, 512, 0, 2050)])
def test_transpose_tile_is_a_transpose(dtype, s0, sstride, d0, dstride):
    w = lanes_for(dtype)
    src = np.random.default_rng(0).standard_normal(s0 + w * sstride + w).astype(dtype)
    dst = np.full(d0 + w * dstride + w, -7.0, dtype=dtype)
    before = dst.copy()
    transpose_tile_checked(src, s0, sstride, dst, d0, dstride)
    tile_in = np.stack([src[s0 + r * sstride: s0 + r * sstride + w] for r in range(w)])
    tile_out = np.stack([dst[d0 + c * dstride: d0 + c * dstride + w] for c in range(w)])
    np.testing.assert_array_equal(tile_out, tile_in.T)
    # nothing outside the W rows of W values was written
    mask = np.ones(dst.size, bool)
    for c in range(w):
        mask[d0 + c * dstride: d0 + c * dstride + w] = False
    np.testing.assert_array_equal(dst[mask], before[mask])


@numba.njit
def _pairs(src, s0, pstride, odd, dst, d0, dstride):
    transpose_pairs(src, s0, pstride, odd, dst, d0, dstride)


@pytest.mark.parametrize("s0, pstride, odd, d0, dstride", [
    (0, 32, 16, 0, 16), (0, 16, 3216, 5, 402), (7, 8, 808, 0, 19), (2, 40, 20, 3, 33)])
def test_transpose_pairs_reads_rows_alternating_between_two_runs(dtype, s0, pstride, odd, d0,
                                                                 dstride):
    # row r of the tile at s0 + (r // 2) pstride + (r % 2) odd: the interleaved layout
    # (pstride 2 W, odd W) and real and imaginary halves (pstride W, odd the half's length)
    w = lanes_for(dtype)
    src = np.random.default_rng(1).standard_normal(s0 + w * pstride + odd + w).astype(dtype)
    dst = np.full(d0 + w * dstride + w, -7.0, dtype=dtype)
    before = dst.copy()
    _pairs(src, s0, pstride, odd, dst, d0, dstride)
    at = [s0 + (r // 2) * pstride + (r % 2) * odd for r in range(w)]
    tile_in = np.stack([src[a:a + w] for a in at])
    tile_out = np.stack([dst[d0 + c * dstride: d0 + c * dstride + w] for c in range(w)])
    np.testing.assert_array_equal(tile_out, tile_in.T)
    mask = np.ones(dst.size, bool)
    for c in range(w):
        mask[d0 + c * dstride: d0 + c * dstride + w] = False
    np.testing.assert_array_equal(dst[mask], before[mask])


def test_transpose_tile_checked_refuses_rows_outside_the_arrays(dtype):
    w = lanes_for(dtype)
    src = np.zeros(4 * w, dtype=dtype)
    dst = np.zeros(w * w, dtype=dtype)
    with pytest.raises(IndexError, match="outside"):
        transpose_tile_checked(src, 0, w, dst, 0, w)  # rows 4.. of src do not exist
    with pytest.raises(IndexError, match="outside"):
        transpose_tile_checked(dst, 0, w, src, 1, w)


def test_transpose_tile_refuses_strided_arrays_at_compile_time(dtype):
    """The intrinsic indexes the data pointer with stride 1: a strided view must not compile."""
    w = lanes_for(dtype)
    src = np.zeros(2 * w * w, dtype=dtype)
    dst = np.zeros(w * w, dtype=dtype)
    with pytest.raises(numba.core.errors.TypingError):
        transpose_tile_checked(src[::2], 0, w, dst, 0, w)


@numba.njit
def _to_lanes(src, s0, sstride, window, j0, d0, split, out0, out1):
    if split:
        frames_to_lanes_split(src, s0, sstride, window, j0, out0, out1, d0)
    else:
        frames_to_lanes(src, s0, sstride, window, j0, out0, out1, d0)


@pytest.mark.parametrize("split", [True, False])
def test_frames_to_lanes_windows_and_splits_the_samples(dtype, split):
    w = lanes_for(dtype)
    rng = np.random.default_rng(1)
    n, hop, s0, j0 = 4 * w, 3 * w + 1, 2, 2 * w
    src = rng.standard_normal(s0 + w * hop + n).astype(dtype)
    window = rng.standard_normal(n).astype(dtype)
    frames = np.stack([src[s0 + r * hop: s0 + r * hop + n] for r in range(w)]) * window
    out0 = np.zeros(n * w, dtype=dtype)
    out1 = np.zeros(n * w, dtype=dtype)
    d0 = (j0 // 2) * w if split else j0 * w
    _to_lanes(src, s0, hop, window, j0, d0, split, out0, out1)
    lanes = frames[:, j0:j0 + w].T  # (sample, frame)
    if split:
        np.testing.assert_array_equal(out0[d0:d0 + w * w // 2].reshape(-1, w), lanes[0::2])
        np.testing.assert_array_equal(out1[d0:d0 + w * w // 2].reshape(-1, w), lanes[1::2])
    else:
        np.testing.assert_array_equal(out0[d0:d0 + w * w].reshape(-1, w), lanes)
        assert not out1.any()


@pytest.mark.parametrize("split", [True, False])
def test_frames_to_lanes_widens_float32_samples_under_a_float64_window(split):
    # onset_strength's transform: float32 samples, float64 window and lanes (8 of them); each
    # lane value is the float64 product of the widened sample, bit for bit
    w = lanes_for(np.float64)
    rng = np.random.default_rng(2)
    n, hop, s0, j0 = 4 * w, 5 * w + 3, 1, 2 * w
    src = rng.standard_normal(s0 + w * hop + n).astype(np.float32)
    window = rng.standard_normal(n)
    frames = np.stack([src[s0 + r * hop: s0 + r * hop + n].astype(np.float64) for r in range(w)]) * window
    out0 = np.zeros(n * w)
    out1 = np.zeros(n * w)
    d0 = (j0 // 2) * w if split else j0 * w
    _to_lanes(src, s0, hop, window, j0, d0, split, out0, out1)
    lanes = frames[:, j0:j0 + w].T
    if split:
        np.testing.assert_array_equal(out0[d0:d0 + w * w // 2].reshape(-1, w), lanes[0::2])
        np.testing.assert_array_equal(out1[d0:d0 + w * w // 2].reshape(-1, w), lanes[1::2])
    else:
        np.testing.assert_array_equal(out0[d0:d0 + w * w].reshape(-1, w), lanes)


def test_frames_to_lanes_refuses_narrowing_at_compile_time():
    # float64 samples under a float32 window would be rounded: not a supported combination
    src = np.zeros(256)
    window = np.zeros(32, dtype=np.float32)
    out = np.zeros(32 * 16, dtype=np.float32)
    with pytest.raises(numba.core.errors.TypingError):
        _to_lanes(src, 0, 16, window, 0, 0, True, out, out.copy())


# -- lanes_weighted_sum (kernels/cpu/lanes_sum.py): the mel projection's band sums ----------------

@numba.njit
def _weighted_sum(P, k0, w, i0, i1, out, o):
    lanes_weighted_sum(P, k0, w, i0, i1, out, o)


@numba.njit
def _power2_sum(P, k0, w, i0, i1, out, o):
    lanes_power2_sum(P, k0, w, i0, i1, out, o)


def _weighted_sum_loop(P, k0, w, i0, i1, out, o, squares):
    """The loops the intrinsics replace, in the same order: zero, then ascending i; with
    ``squares``, bin k's re * re + im * im in P's dtype first (the mel kernel's power pass)."""
    W = 64 // P.itemsize
    t, p = out.dtype.type, P.dtype.type
    for lane in range(W):
        acc = t(0)
        for i in range(i0, i1):
            k = k0 + i - i0
            if squares:
                re, im = P[2 * k * W + lane], P[(2 * k + 1) * W + lane]
                v = p(p(re * re) + p(im * im))
            else:
                v = P[k * W + lane]
            acc = t(acc + t(w[i] * t(v)))
        out[o + lane] = acc


@pytest.mark.parametrize("squares", [False, True])
@pytest.mark.parametrize("p_dtype, out_dtype", [(np.float32, np.float32), (np.float64, np.float64),
                                                (np.float32, np.float64)])
@pytest.mark.parametrize("k0, i0, i1", [(0, 0, 1), (3, 5, 22), (7, 2, 2)])
def test_lanes_weighted_sums_equal_their_loops_bit_for_bit(squares, p_dtype, out_dtype, k0, i0, i1):
    """Sums of W lanes of consecutive bins (of their squared magnitudes), in out's dtype, equal
    the scalar loop exactly (an empty run gives zeros); nothing outside out[o:o + W] is written."""
    W = 64 // np.dtype(p_dtype).itemsize
    rng = np.random.default_rng(k0 + i1)
    P = rng.standard_normal((k0 + (i1 - i0) + 2) * W * 2).astype(p_dtype)
    w = rng.random(i1 + 3).astype(out_dtype)
    got = np.full(3 * W, np.nan, dtype=out_dtype)
    want = got.copy()
    (_power2_sum if squares else _weighted_sum)(P, k0, w, i0, i1, got, W)
    _weighted_sum_loop(P, k0, w, i0, i1, want, W, squares)
    np.testing.assert_array_equal(got[W:2 * W], want[W:2 * W])
    assert np.isnan(got[:W]).all() and np.isnan(got[2 * W:]).all()


def test_lanes_weighted_sum_checked_twin_refuses_indices_outside():
    """The twin that replaces the intrinsic under bounds checking raises IndexError where the
    intrinsic would read past P or write past out (compiled, through its overload)."""
    from dsp_kernels.cpu import lanes_sum

    @numba.njit
    def f(P, k0, w, i0, i1, out, o):
        lanes_sum._lanes_weighted_sum_indexed(P, k0, w, i0, i1, out, o)

    @numba.njit
    def g(P, k0, w, i0, i1, out, o):
        lanes_sum._lanes_power2_sum_indexed(P, k0, w, i0, i1, out, o)

    P = np.zeros(4 * 16, np.float32)  # 4 bins of 16 lanes, or 2 complex bins
    w = np.ones(8, np.float32)
    out = np.zeros(32, np.float32)
    f(P, 0, w, 0, 4, out, 16)  # bins 0..3 of 4, out[16:32]: inside
    g(P, 0, w, 0, 2, out, 16)
    with pytest.raises(IndexError, match="outside P"):
        f(P, 1, w, 0, 4, out, 0)  # bin 4 does not exist
    with pytest.raises(IndexError, match="outside P"):
        g(P, 1, w, 0, 2, out, 0)  # complex bin 2 does not exist
    with pytest.raises(IndexError, match="outside out"):
        f(P, 0, w, 0, 4, out, 17)
