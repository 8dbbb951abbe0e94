"""The last radix-4 Stockham pass of a blocked real FFT fused with the real-transform split.

A blocked real FFT (:mod:`dsp_kernels.cpu.fft.block`) ends with two sweeps over the block: the
last Stockham pass writes the half-length spectra Z, and the split (``block._post_even``) reads
them back to make the real transform's bins, bin k from Z_k and Z_{h-k}. Here the split takes
Z straight from the last pass's butterflies, so one write and one read of the whole block (128
kB for 16 frames of 2048 points, float32) go. The passes were found bound by their loads and
stores in the core, not by the cache level they reach (a radix-4 pass cost the same per
butterfly with its rows in L1 as in L2, on the 2-core Zen 5 machine), so removing a sweep is
what pays. Measured there, in one process alternating with the previous tree: a 60 s stft
(n_fft 2048, float32) 1.81 -> 1.52 ms, the mel spectrogram 1.92 -> 1.50 ms (docs/spectral.md,
stop 40).

The last pass has radix 4 and ``s = m / 4`` transforms already combined (twiddles all one): the
butterfly at position ``q`` makes ``Z_{q + k s}``, ``k < 4``, from ``x_{q + j s}``. The partner
of bin ``q + k s`` is ``h - q - k s = (s - q) + (3 - k) s``: a bin of the butterfly at
``s - q``. So the butterflies at ``q`` and ``s - q`` together make four bins and their four
partners; ``q = 0`` and ``q = s / 2`` pair within themselves and are done apart.

Each butterfly is one 64-byte vector per operand, all lanes at once
(:mod:`~dsp_kernels.cpu.fft.lane_vector`). The bins go to row 1 (:func:`last4_post`) or over
the inputs in row 0 (:func:`last4_in_place`); the butterfly pairs have a loop for each layout
(:func:`_pairs`, :func:`_pairs_in_place`: with the layout's strides as arguments one loop was
slower), the two self-paired butterflies one function for both (:func:`_self_paired`).

Which plans take this path is a property of the plan's type
(:class:`~dsp_kernels.cpu.fft.plans.SplitFusedPlan`, decided in ``plans._real_classed``), so a
kernel compiles one path, not both.

njit API
--------
``head_row(plan)``
    the work row to load the frames into: the passes before the last then end in row 0.
``stockham_head(plan, work, L)``
    those passes.
``last4_post(plan, work, lanes, sc)``
    the last pass and the split, row 0 -> row 1 in ``block.rfft_lanes_spectra``'s layout.
``last4_in_place(plan, work, lanes, sc)``
    the same over row 0 itself: real parts in its first half, imaginary parts in its second
    (``block_bins.rfft_lanes_bins``).
``split_bin(ar, ai, br, bi, cr, ci, half)``
    the split's formula for one bin (also ``block._post_even``'s).
"""
from __future__ import annotations

import numba
import numpy as np

from dsp_kernels.config import inline_jit, inner_jit, noalias_jit
from dsp_kernels.cpu.fft.butterflies import dft4_lanes
from dsp_kernels.cpu.fft.lane_vector import store
from dsp_kernels.cpu.fft.passes import head_passes_call

u64 = numba.uint64


@inner_jit
def split_bin(ar, ai, br_, bi_, cr, ci, half):
    """Bin k of the real transform of 2h points from a = Z_k and b = Z_{h-k} of the h-point
    complex transform of its sample pairs: ``(a + conj b + (a - conj b) c / i) * half`` with
    ``c = exp(-2 pi i k / 2h)`` (real and imaginary parts; ``half`` is 1/2 times the scale).
    The split of ``block._post_even`` and of the fused last pass here."""
    br = br_
    bi = -bi_
    er = ar + br
    ei = ai + bi
    o_r = ai - bi  # (Z_k - conj Z_{h-k}) / i
    o_i = br - ar
    return (er + o_r * cr - o_i * ci) * half, (ei + o_r * ci + o_i * cr) * half


@inner_jit
def _split_twiddles(rw_re, rw_im, q, s):
    """``exp(-2 pi i b / n)`` for the bins ``b = q + k s``, ``k < 4``: eight values (re, im,
    ...)."""
    two = u64(2)
    return (rw_re[q], rw_im[q], rw_re[q + s], rw_im[q + s], rw_re[q + two * s], rw_im[q + two * s],
            rw_re[q + u64(3) * s], rw_im[q + u64(3) * s])


@inner_jit
def _pair_bins(a, b, ca, cb, half):
    """The eight bins of the butterflies at ``q`` (``Z_{q + k s}``: ``a``, as
    :func:`~dsp_kernels.cpu.fft.butterflies.dft4` returns them) and ``s - q`` (``b``); ``ca``
    and ``cb`` their :func:`_split_twiddles`. Bin ``q + k s`` pairs with ``(s - q) + (3 - k)
    s``. Returns (re, im) of bins ``q``, ``(s - q) + 3 s``, ``q + s``, ``(s - q) + 2 s``, ``q +
    2 s``, ``(s - q) + s``, ``q + 3 s``, ``s - q``."""
    A0r, A0i = split_bin(a[0], a[1], b[6], b[7], ca[0], ca[1], half)
    B3r, B3i = split_bin(b[6], b[7], a[0], a[1], cb[6], cb[7], half)
    A1r, A1i = split_bin(a[2], a[3], b[4], b[5], ca[2], ca[3], half)
    B2r, B2i = split_bin(b[4], b[5], a[2], a[3], cb[4], cb[5], half)
    A2r, A2i = split_bin(a[4], a[5], b[2], b[3], ca[4], ca[5], half)
    B1r, B1i = split_bin(b[2], b[3], a[4], a[5], cb[2], cb[3], half)
    A3r, A3i = split_bin(a[6], a[7], b[0], b[1], ca[6], ca[7], half)
    B0r, B0i = split_bin(b[0], b[1], a[6], a[7], cb[0], cb[1], half)
    return (A0r, A0i, B3r, B3i, A1r, A1i, B2r, B2i, A2r, A2i, B1r, B1i, A3r, A3i, B0r, B0i)


@inner_jit
def _zero_bins(a, c, half, sc):
    """The butterfly at ``q = 0`` (``a``; ``c`` its :func:`_split_twiddles`): bins 0 and
    ``h = 4 s`` (real: from Z_0 alone), ``s`` with ``3 s``, and ``2 s = h / 2`` with itself.
    Returns bin 0, bin h (real parts), then (re, im) of bins ``s``, ``3 s`` and ``2 s``."""
    vr1, vi1 = split_bin(a[2], a[3], a[6], a[7], c[2], c[3], half)
    vr3, vi3 = split_bin(a[6], a[7], a[2], a[3], c[6], c[7], half)
    vr2, vi2 = split_bin(a[4], a[5], a[4], a[5], c[4], c[5], half)
    return (a[0] + a[1]) * sc, (a[0] - a[1]) * sc, vr1, vi1, vr3, vi3, vr2, vi2


@inner_jit
def _half_bins(a, c, half):
    """The butterfly at ``q = s / 2`` (``a``; ``c`` its :func:`_split_twiddles`): bin
    ``q + k s`` pairs with ``q + (3 - k) s``. Returns (re, im) of bins ``q + k s``, ``k < 4``."""
    v0r, v0i = split_bin(a[0], a[1], a[6], a[7], c[0], c[1], half)
    v1r, v1i = split_bin(a[2], a[3], a[4], a[5], c[2], c[3], half)
    v2r, v2i = split_bin(a[4], a[5], a[2], a[3], c[4], c[5], half)
    v3r, v3i = split_bin(a[6], a[7], a[0], a[1], c[6], c[7], half)
    return v0r, v0i, v1r, v1i, v2r, v2i, v3r, v3i


@inner_jit
def _store_bins(P, q, s, b, im, v):
    """Store the bins ``q + k s``, ``k < 4``, from ``v`` (re, im, ... as :func:`_half_bins`
    returns them): bin ``c``'s real parts at ``c b``, its imaginary parts ``im`` further."""
    o0 = q * b
    o1 = o0 + s * b
    o2 = o1 + s * b
    o3 = o2 + s * b
    store(P, o0, v[0])
    store(P, o0 + im, v[1])
    store(P, o1, v[2])
    store(P, o1 + im, v[3])
    store(P, o2, v[4])
    store(P, o2 + im, v[5])
    store(P, o3, v[6])
    store(P, o3 + im, v[7])


@inner_jit
def _store_pair_bins(P, oa, ob, step, im, v):
    """Store :func:`_pair_bins`' sixteen vectors ``v``: bin ``q + k s`` at ``oa + k step``, its
    partner ``(s - q) + (3 - k) s`` at ``ob + (3 - k) step``, imaginary parts ``im`` after
    their real parts."""
    three = u64(3)
    two = u64(2)
    store(P, oa, v[0])
    store(P, oa + im, v[1])
    store(P, ob + three * step, v[2])
    store(P, ob + three * step + im, v[3])
    store(P, oa + step, v[4])
    store(P, oa + step + im, v[5])
    store(P, ob + two * step, v[6])
    store(P, ob + two * step + im, v[7])
    store(P, oa + two * step, v[8])
    store(P, oa + two * step + im, v[9])
    store(P, ob + step, v[10])
    store(P, ob + step + im, v[11])
    store(P, oa + three * step, v[12])
    store(P, oa + three * step + im, v[13])
    store(P, ob, v[14])
    store(P, ob + im, v[15])


@noalias_jit
def _pairs(x, P, M_, s_, W_, rw_re, rw_im, half):
    """Bins q + k s and their partners (s - q) + (3 - k) s for 1 <= q < s / 2, from the last
    pass's inputs in ``x`` (value ``j`` at ``j W``, imaginary parts ``M`` further) into
    :func:`last4_post`'s layout in ``P`` (bin ``c``'s real parts at ``2 c W``, its imaginary
    parts ``W`` further).

    One butterfly pair is one vector per operand (:mod:`~dsp_kernels.cpu.fft.lane_vector`): 16
    loads, two 4-point DFTs and the split, 16 stores, all addressed from ``x`` and ``P``. As a
    loop over the lanes (LLVM's vectorisation) each store stream needed an array view of its
    own, and the sixteen views' pointers were reloaded from the stack for every pair (5.8 us a
    block of 16 frames of 2048 points, against 2.9 us here).
    """
    M = u64(M_)
    s = u64(s_)
    W = u64(W_)
    two = u64(2)
    g = s * W
    for q in range(u64(1), s // two):
        q2 = s - q
        ca = _split_twiddles(rw_re, rw_im, q, s)
        cb = _split_twiddles(rw_re, rw_im, q2, s)
        v = _pair_bins(dft4_lanes(x, M, q * W, g), dft4_lanes(x, M, q2 * W, g), ca, cb, half)
        _store_pair_bins(P, two * q * W, two * q2 * W, two * g, W, v)


@inner_jit
def _pairs_in_place(x, M_, s_, W_, rw_re, rw_im, half):
    """:func:`_pairs` over its own inputs: the pair at ``q`` writes its bins to the places it
    read (bin ``c``'s real parts at ``c W``, its imaginary parts ``M`` further), after reading
    them; the places of different pairs are disjoint. Its own loop, not :func:`_pairs` with
    ``P = x`` and the strides as arguments: with the stores addressed by strides of their own
    LLVM kept more addresses than registers (4.3 us a block against 2.9)."""
    M = u64(M_)
    s = u64(s_)
    W = u64(W_)
    two = u64(2)
    g = s * W
    for q in range(u64(1), s // two):
        q2 = s - q
        ia = q * W
        ib = q2 * W
        ca = _split_twiddles(rw_re, rw_im, q, s)
        cb = _split_twiddles(rw_re, rw_im, q2, s)
        v = _pair_bins(dft4_lanes(x, M, ia, g), dft4_lanes(x, M, ib, g), ca, cb, half)
        _store_pair_bins(x, ia, ib, g, M, v)


@inner_jit
def _self_paired(x, P, M_, s_, W_, b_, im_, rw_re, rw_im, half, sc):
    """The bins of the two butterflies that are their own partners (:func:`_zero_bins`,
    :func:`_half_bins`), in :func:`_pairs`' layouts; bin ``h = 4 s`` goes one past the last
    quarter (in row 0 the row's spare place, read by no butterfly)."""
    M = u64(M_)
    s = u64(s_)
    W = u64(W_)
    b = u64(b_)
    im = u64(im_)
    two = u64(2)
    zero = half * np.float32(0)  # the plan's dtype (an int literal would make it float64)
    g = s * W
    v = _zero_bins(dft4_lanes(x, M, u64(0), g), _split_twiddles(rw_re, rw_im, u64(0), s), half, sc)
    h = u64(4) * s * b
    store(P, u64(0), v[0])
    store(P, im, zero)
    store(P, h, v[1])
    store(P, h + im, zero)
    # bins s, 3 s and 2 s (k = 1, 3, 2 of the butterfly at q = 0)
    store(P, s * b, v[2])
    store(P, s * b + im, v[3])
    store(P, u64(3) * s * b, v[4])
    store(P, u64(3) * s * b + im, v[5])
    store(P, two * s * b, v[6])
    store(P, two * s * b + im, v[7])
    q = s // two
    c = _split_twiddles(rw_re, rw_im, q, s)
    _store_bins(P, q, s, b, im, _half_bins(dft4_lanes(x, M, q * W, g), c, half))


@inline_jit
def last4_post(plan, work, lanes, sc):
    """The last radix-4 pass on work row 0 and the split into the real transform's bins, in
    ``work[1]``'s layout (``block.rfft_lanes_spectra``: bin ``c``'s real parts at ``2 c W``,
    its imaginary parts ``W`` further), times ``sc``."""
    M = work.shape[1] // 2
    s = plan.m // 4
    half = plan.consts[0] * sc
    _self_paired(work[0], work[1], M, s, lanes, 2 * lanes, lanes, plan.rw_re, plan.rw_im, half, sc)
    _pairs(work[0], work[1], M, s, lanes, plan.rw_re, plan.rw_im, half)


@inline_jit
def last4_in_place(plan, work, lanes, sc):
    """:func:`last4_post` writing the bins over the last pass's inputs in work row 0: bin ``b``'s
    real part at ``b W``, its imaginary part at ``M + b W`` (``M`` the row's half, at least
    ``(m + 1) W``: ``block.block_row``), bin ``h`` in the row's spare place after the core's
    ``m`` values. The butterflies at ``q`` and ``s - q`` read the values ``q + j s`` and
    ``s - q + j s`` and make the bins of the same indices, so each step writes what it read
    (:func:`_pairs_in_place`). No second row is touched: a block's spectra stay in one row of
    the scratch (25.7 kB for 16 frames of 400 points), which with the stft's streaming stores
    keeps the block's data in L1 (:mod:`~dsp_kernels.cpu.fft.block_bins`)."""
    M = work.shape[1] // 2
    x = work[0]
    s = plan.m // 4
    half = plan.consts[0] * sc
    _self_paired(x, x, M, s, lanes, lanes, M, plan.rw_re, plan.rw_im, half, sc)
    _pairs_in_place(x, M, s, lanes, plan.rw_re, plan.rw_im, half)


@inline_jit
def head_row(plan):
    """The work row the frames are loaded into so that the passes before the last end in row 0."""
    return (plan.factors.shape[0] - 1) % 2


@inline_jit
def stockham_head(plan, work, L):
    """All but the last of the plan's passes, from row :func:`head_row` to row 0."""
    head_passes_call(plan, work, L, head_row(plan))
