"""Blocked real FFT: ``W`` frames at once, SIMD across the frames ("lanes").

A single transform vectorises poorly: its early passes have short contiguous runs. Here the
data of ``W`` transforms are interleaved, element ``i`` of lane ``l`` at ``i * W + l``, so every
run of every Stockham pass (fft_passes.py) is at least ``W`` long and each butterfly is one SIMD
operation whatever the radix. ``W`` is the number of values in a 64-byte vector: 16 float32 or
8 float64 (``lanes_for``).

Moving frames into lanes and spectra out of them is a transpose; done element by element it
cost more than the FFT itself (1.5 us of 3.5 us per 2048-point frame), so both directions go
through :func:`dsp_kernels.cpu.fft.simd.transpose_tile`, ``W x W`` values at a time in registers.

njit API
--------
``work = alloc_block_work(plan)``
    scratch for one thread (any contents; every value read is written first).
``rfft_lanes(plan, src, s0, sstride, B, window, outf, o0, ostride, work, scale)``
    Frame ``l < B`` (``B <= W``) is ``src[s0 + l*sstride : s0 + l*sstride + n] * window``;
    its ``n//2 + 1`` bins times ``scale`` go to ``outf[o0 + l*ostride + 2k]`` (real part) and
    ``+ 1`` (imaginary part): ``outf`` is the float view of a complex output, in the plan's
    dtype. ``src``, ``window`` and ``outf`` are 1-D, C-contiguous and must not overlap
    ``work``. Any real plan: those of Bluestein's convolution (``plans.BLUESTEIN``) run it
    in lanes (:mod:`~dsp_kernels.cpu.fft.bluestein_block`).
``rfft_lanes_spectra(plan, src, s0, sstride, B, window, work, scale)``
    The same transforms, left in lanes for a fused consumer (mel): bin ``k`` of frame ``l`` is
    ``work[1][2kW + l]`` (real part) and ``work[1][(2k + 1)W + l]`` (imaginary part); lanes
    ``l >= B`` hold the transforms of zeros.
``pair_spectra_lanes(plan, src, s0, sstride, window, work)``
    ``W`` frames' half-length complex transforms, before the split, left in ``work[0]``.
``store_lanes(plan, work, B, outf, o0, ostride)``
    the second half of ``rfft_lanes``: those spectra out to ``outf``.
``store_pairs(P, pstride, odd, n_floats, B, outf, o0, ostride)``
    the general lanes -> rows move of either layout of ``block_bins.rfft_lanes_bins``:
    ``outf[o0 + l*ostride + i] = P[(i // 2) pstride + (i % 2) odd + l]``.
``store_floats(P, n_floats, B, outf, o0, ostride)``
    the general lanes -> rows move: ``outf[o0 + l*ostride + i] = P[i W + l]``.
``store_lane_runs(P, M, B, dst, m0, n_out)``
    an overlap-save group's outputs: the first ``M`` values of lane ``l < B`` to
    ``dst[m0 + l M:]``, the run that would pass ``n_out`` cut there.
"""
from __future__ import annotations

import numba
import numpy as np
from numba.extending import intrinsic

from dsp_kernels.config import inline_jit, inner_jit, noalias_jit, scratch_jit
from dsp_kernels.cpu.fft.bluestein_block import chirp_in, chirp_out, filter_conj
from dsp_kernels.cpu.fft.last_post import head_row, last4_post, split_bin, stockham_head
from dsp_kernels.cpu.fft.passes import stockham_call, u64
from dsp_kernels.cpu.fft.plans import BLUESTEIN, SPLIT_FUSED
from dsp_kernels.cpu.fft.simd import (
    frames_to_lanes, frames_to_lanes_split, pair_at, transpose_pairs, transpose_tile,
)
from dsp_kernels.subroutine import typed_call


#: Stockham sizes from which a block's scratch rows are padded by 16 more lanes' values (below)
PAD_FROM = 1024


@inner_jit
def block_row(plan):
    """Values per lane in each half (real parts, imaginary parts) of a block's scratch rows.

    At least ``work_len + 1`` (the real transform's ``n/2 + 1`` bins). From ``PAD_FROM`` on, 16
    more: the big passes read and write runs of ``s W`` values whose starts differ by multiples
    of 4 kB, and with the halves and the two rows also a multiple of 4 kB apart plus one line,
    loads wait on unrelated earlier stores (4K aliasing) and share L1 sets. Measured on the
    2-core Zen 4 machine, one thread, 256 frames in cache, 64-byte-aligned scratch, padding 17
    against 1, per transform, three runs: float32 2048 points -6 to -8 %, 4096 -14 %, 8192 -15
    to -20 %; float64 2048 -4 to -6 %, 4096 -13 %, 8192 -18 %. At 1024 points it went either
    way (float32 -9 % to +9 %), so smaller sizes keep 1.
    """
    n = plan.work_len
    return n + 17 if n >= PAD_FROM else n + 1


@inline_jit
def block_lanes(plan, work):
    """W, read from the scratch's shape (a run-time value: with a constant trip count LLVM
    unrolls the lane loops completely and then leaves the unrolled code scalar, 4x slower)."""
    return work.shape[1] // (2 * block_row(plan))


@scratch_jit
def alloc_block_work(plan):
    """Scratch for one block of W transforms (allocate once per thread): two rows of
    ``2 * block_row(plan) * W`` values, starting on a 64-byte boundary.

    Every load and store of the passes is one 64-byte vector at a multiple of 64 bytes from the
    start, so the start decides whether each of them touches one cache line or two. Numba's
    allocator aligns to 32 bytes only: half the allocations put every vector across two lines.
    Measured on the 2-core Zen 4 machine (one thread, 256 frames in cache, per transform,
    float32): 2048 points 1.73 -> 1.52 us, 400 points 0.34 -> 0.29 us; float64 2048 points
    2.72 -> 2.24 us.
    """
    w = 64 // plan.consts.itemsize
    cols = 2 * block_row(plan) * w
    flat = np.empty(2 * cols + w, dtype=plan.consts.dtype)  # w spare values: up to 64 bytes
    skip = (-flat.ctypes.data % 64) // plan.consts.itemsize  # unsigned: -a % 64 = (64 - a % 64) % 64
    return flat[skip:skip + 2 * cols].reshape((2, cols))


@noalias_jit
def _load_full(src, s0, sstride, n, window, w0, w1, odd):
    """W frames into lanes: pairs of samples as complex values (n even), or real values with
    zero imaginary parts (odd == 1). W and the arithmetic are the window's dtype (float32
    samples under a float64 window are widened)."""
    W = 64 // window.itemsize
    uw = u64(W)
    n_full = (n // W) * W
    zero = window[0] * 0
    if odd == 1:
        for j0 in range(0, n_full, W):
            frames_to_lanes(src, s0, sstride, window, j0, w0, w1, j0 * W)
        for i in range(n * W):
            w1[i] = zero
    else:
        for j0 in range(0, n_full, W):
            frames_to_lanes_split(src, s0, sstride, window, j0, w0, w1, (j0 // 2) * W)
    for j in range(n_full, n):  # the last n % W samples, gathered one by one
        g = window[j]
        for l in range(W):
            v = src[s0 + l * sstride + j] * g
            if odd == 1:
                w0[u64(j) * uw + u64(l)] = v
                w1[u64(j) * uw + u64(l)] = zero
            elif j % 2 == 0:
                w0[u64(j // 2) * uw + u64(l)] = v
            else:
                w1[u64(j // 2) * uw + u64(l)] = v


@noalias_jit
def _load_partial(src, s0, sstride, B, n, window, w0, w1, odd):
    """B < W frames into lanes, the other lanes zero (no tile reads past the last frame)."""
    W = 64 // window.itemsize
    uw = u64(W)
    zero = window[0] * 0
    m = n if odd == 1 else n // 2
    for i in range(m * W):
        w0[i] = zero
        w1[i] = zero
    for l in range(B):
        base = s0 + l * sstride
        for j in range(n):
            v = src[base + j] * window[j]
            if odd == 1:
                w0[u64(j) * uw + u64(l)] = v
            elif j % 2 == 0:
                w0[u64(j // 2) * uw + u64(l)] = v
            else:
                w1[u64(j // 2) * uw + u64(l)] = v


@noalias_jit
def _post_even(rw_re, rw_im, w0, w1, Pr, Pi, h, half, sc, lanes):
    """Split the half-length spectra Z (lanes) into the real transforms' bins 0..h, written as
    ``P[(2k) W + l]`` (real) and ``P[(2k + 1) W + l]`` (imaginary); ``Pr = P``, ``Pi = P[W:]``
    (two arguments, so that LLVM knows the two streams of stores are independent)."""
    W = u64(lanes)
    two = u64(2)  # a signed literal would make the index signed, and LLVM then scatters
    uh = u64(h)
    zero = sc * 0
    for l in range(W):
        z0r = w0[l]
        z0i = w1[l]
        Pr[l] = (z0r + z0i) * sc
        Pi[l] = zero
        Pr[two * uh * W + l] = (z0r - z0i) * sc
        Pi[two * uh * W + l] = zero
    for k in range(1, h):
        uk = u64(k)
        a = uk * W
        b = (uh - uk) * W
        o = two * uk * W
        cr = rw_re[k]
        ci = rw_im[k]
        for l in range(W):
            vr, vi = split_bin(w0[a + l], w1[a + l], w0[b + l], w1[b + l], cr, ci, half)
            Pr[o + l] = vr
            Pi[o + l] = vi


@noalias_jit
def _post_odd(w0, w1, Pr, Pi, n_bins, sc, lanes):
    """Bins 0..n_bins-1 of the full complex transforms (odd n) into P's layout."""
    W = u64(lanes)
    two = u64(2)
    for k in range(n_bins):
        a = u64(k) * W
        o = two * a
        for l in range(W):
            Pr[o + l] = w0[a + l] * sc
            Pi[o + l] = w1[a + l] * sc


@noalias_jit
def store_pairs(P, pstride, odd, n_floats, B, outf, o0, ostride):
    """Lanes back to rows: ``outf[o0 + l*ostride + i] = P[p(i) + l]`` for ``i < n_floats``,
    ``l < B``, ``p(i) = (i // 2) pstride + (i % 2) odd`` (the layouts of
    :func:`rfft_lanes_bins`); whole ``W x W`` tiles through the in-register transpose when all
    ``W`` lanes are wanted."""
    W = 64 // P.itemsize
    ps = u64(pstride)
    uo = u64(odd)
    i_full = (n_floats // W) * W if B == W else 0
    for i0 in range(0, i_full, W):
        transpose_pairs(P, (i0 // 2) * pstride, pstride, odd, outf, o0 + i0, ostride)
    for i in range(i_full, n_floats):
        at = pair_at(i, ps, uo)
        for l in range(B):
            outf[o0 + l * ostride + i] = P[at + u64(l)]


@inline_jit
def store_floats(P, n_floats, B, outf, o0, ostride):
    """Lanes back to rows: ``outf[o0 + l*ostride + i] = P[i W + l]`` for ``i < n_floats``,
    ``l < B`` (:func:`store_pairs` of the lanes one after another)."""
    W = 64 // P.itemsize
    store_pairs(P, 2 * W, W, n_floats, B, outf, o0, ostride)


@inner_jit
def store_lane_runs(P, M, B, dst, m0, n_out):
    """The first ``M`` values of each of ``B`` lanes to ``dst[m0 + l M:]`` (lane ``l``), the
    run that would pass ``n_out`` cut there: the outputs of a group of overlap-save blocks.
    The last lane's block holds at least one output (``n_out > m0 + (B - 1) M``)."""
    W = 64 // P.itemsize
    uw = u64(W)
    last = n_out - (m0 + (B - 1) * M)  # outputs of the last lane's block
    if last >= M:
        store_floats(P, M, B, dst, m0, M)
        return
    # The signal's last block is short. In a full group, whole tiles still go as far as that
    # block's run, the rest by element (a 1 s clip's 2:1 resampling: 16 blocks of 506 outputs,
    # the last 410, element by element cost the clip's kernel three times as much: docs/
    # sampling.md, stop 38).
    i_t = (max(0, last) // W) * W if B == W else 0
    for i0 in range(0, i_t, W):
        transpose_tile(P, i0 * W, W, dst, m0 + i0, M)
    for i in range(i_t, M):
        for l in range(B - 1):
            dst[m0 + l * M + i] = P[u64(i) * uw + u64(l)]
    for q in range(i_t, last):
        dst[m0 + (B - 1) * M + q] = P[u64(q) * uw + u64(B - 1)]


@inline_jit
def _load_frames(plan, src, s0, sstride, B, window, work, row, odd):
    """``B <= W`` frames into the halves of work row ``row`` (the other lanes zero when
    ``B < W``): the first step of every path below."""
    M = work.shape[1] // 2
    if B == 64 // work.itemsize:
        _load_full(src, s0, sstride, plan.n, window, work[row, :M], work[row, M:], odd)
    else:
        _load_partial(src, s0, sstride, B, plan.n, window, work[row, :M], work[row, M:], odd)


@inline_jit
def _split_post(plan, work, sc):
    """The complex core's outputs in work row 0 to the real transform's bins in row 1."""
    W = 64 // work.itemsize
    M = work.shape[1] // 2
    P = work[1]
    n = plan.n
    lanes = block_lanes(plan, work)
    if plan.odd == 1:
        _post_odd(work[0, :M], work[0, M:], P, P[W:], n // 2 + 1, sc, lanes)
    else:
        _post_even(plan.rw_re, plan.rw_im, work[0, :M], work[0, M:], P, P[W:], n // 2,
                   plan.consts[0] * sc, sc, lanes)


def _spectra_split(plan, src, s0, sstride, B, window, work, sc):
    """:func:`rfft_lanes_spectra` for most plans: load, all passes, then the split."""
    _load_frames(plan, src, s0, sstride, B, window, work, 0, plan.odd)
    stockham_call(plan, work, 64 // work.itemsize)
    _split_post(plan, work, sc)


def _spectra_bluestein(plan, src, s0, sstride, B, window, work, sc):
    """:func:`rfft_lanes_spectra` for the plans of ``plans.BLUESTEIN``: load, chirp, the
    convolution's two transforms around the filter, chirp, then the split. Frame by frame the
    same steps run on one signal at a time (``transforms._cfft_core``)."""
    W = 64 // work.itemsize
    M = work.shape[1] // 2
    w0 = work[0, :M]
    w1 = work[0, M:]
    lanes = block_lanes(plan, work)
    _load_frames(plan, src, s0, sstride, B, window, work, 0, plan.odd)
    chirp_in(w0, w1, plan.bw_re, plan.bw_im, plan.cn, plan.m, lanes)
    stockham_call(plan, work, W)
    filter_conj(w0, w1, plan.bf_re, plan.bf_im, plan.m, lanes)
    stockham_call(plan, work, W)
    chirp_out(w0, w1, plan.bw_re, plan.bw_im, plan.cn, lanes)
    _split_post(plan, work, sc)


@inline_jit
def fused_head(plan, src, s0, sstride, B, window, work):
    """The first steps of a fused plan (``plans.SPLIT_FUSED``): the frames to the row from which
    the passes before the last end in row 0, and those passes."""
    _load_frames(plan, src, s0, sstride, B, window, work, head_row(plan), 0)
    stockham_head(plan, work, 64 // work.itemsize)


def _spectra_fused(plan, src, s0, sstride, B, window, work, sc):
    """:func:`rfft_lanes_spectra` for the plans of ``plans.SPLIT_FUSED``: :func:`fused_head`,
    then the last pass fused with the split (:mod:`~dsp_kernels.cpu.fft.last_post`)."""
    fused_head(plan, src, s0, sstride, B, window, work)
    last4_post(plan, work, block_lanes(plan, work), sc)


_split_core = inner_jit(_spectra_split)
_fused_core = inner_jit(_spectra_fused)
_bluestein_core = inner_jit(_spectra_bluestein)


@intrinsic
def _call_spectra(typingctx, plan, src, s0, sstride, B, window, work, sc):
    # the path is a property of the plan's type (plans._real_classed and the Bluestein classes
    # decide), so a kernel compiles one of the three
    cls = getattr(plan, "instance_class", None)
    core = (_fused_core if cls in SPLIT_FUSED
            else _bluestein_core if cls in BLUESTEIN else _split_core)
    return typed_call(typingctx, core, (plan, src, s0, sstride, B, window, work, sc))


def _call_spectra_python(plan, src, s0, sstride, B, window, work, sc):
    """What :func:`_call_spectra` does, as plain Python (``NUMBA_DISABLE_JIT=1``)."""
    core = (_spectra_fused if isinstance(plan, SPLIT_FUSED)
            else _spectra_bluestein if isinstance(plan, BLUESTEIN) else _spectra_split)
    core(plan, src, s0, sstride, B, window, work, sc)


_spectra_call = _call_spectra_python if numba.config.DISABLE_JIT else _call_spectra


@inline_jit
def pair_spectra_lanes(plan, src, s0, sstride, window, work):
    """The half-length complex FFTs of W whole frames' sample pairs (even ``plan.n``), before
    the split into the real transforms' bins: ``Z_k`` of lane ``l`` at ``work[0][k W + l]``
    (real part) and ``work[0][R + k W + l]`` (imaginary part), ``R = work.shape[1] // 2``,
    unscaled. For a consumer that fuses the split with its own sweep over the bins
    (:mod:`dsp_kernels.cpu.fft.split_fold`)."""
    R = work.shape[1] // 2
    _load_full(src, s0, sstride, plan.n, window, work[0, :R], work[0, R:], 0)
    stockham_call(plan, work, 64 // work.itemsize)


@inline_jit
def rfft_lanes_spectra(plan, src, s0, sstride, B, window, work, scale):
    """Real FFTs of B <= W windowed frames of ``src``, left in lanes in ``work[1]`` (module doc)."""
    _spectra_call(plan, src, s0, sstride, B, window, work, plan.consts[7] * scale)


@inline_jit
def store_lanes(plan, work, B, outf, o0, ostride):
    """The spectra left by :func:`rfft_lanes_spectra` into the float view ``outf``."""
    store_floats(work[1], 2 * (plan.n // 2 + 1), B, outf, o0, ostride)


@inline_jit
def rfft_lanes(plan, src, s0, sstride, B, window, outf, o0, ostride, work, scale):
    """Real FFTs of B <= W windowed frames of ``src`` into the float view ``outf`` (module doc)."""
    rfft_lanes_spectra(plan, src, s0, sstride, B, window, work, scale)
    store_lanes(plan, work, B, outf, o0, ostride)
