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
``split_bin(ar, ai, br, bi, cr, ci, half)``
    the split's formula for one bin (also ``block._post_even``'s).
"""
from __future__ import annotations

import numba

from dsp_kernels.config import inline_jit, inner_jit, noalias_jit
from dsp_kernels.cpu.fft.passes import dft4, head_passes_call

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


@noalias_jit
def _pairs(x, M_, s_, W_, rw_re, rw_im, A0, A1, A2, A3, B0, B1, B2, B3, half, bs_, io_):
    """Bins q + k s and their partners (s - q) + (3 - k) s for 1 <= q < s / 2; bin ``b``'s real
    part at ``b bs`` (in ``A_k``, ``b - k s``), its imaginary part ``io`` further.

    ``A_k`` and ``B_k`` are the same view, ``P[2 k s W:]``, passed twice: each array argument
    then takes two store streams (real and imaginary parts, ``W`` apart, which LLVM sees
    cannot overlap in a loop of ``W``). With the sixteen streams in one or two arrays LLVM
    needed more run-time overlap checks than it emits and left the loop scalar (19 us against
    2.2 us for 2048 points, float32). The promise of no aliasing holds: for q < s / 2 no bin
    of the butterfly at q is one of the butterfly at s - q.
    """
    M = u64(M_)
    s = u64(s_)
    W = u64(W_)
    bs = u64(bs_)
    io = u64(io_)
    two = u64(2)
    g = s * W
    for q in range(u64(1), s // two):
        q2 = s - q
        ia = q * W
        ib = q2 * W
        oa = q * bs
        ob = q2 * bs
        ca0r = rw_re[q]
        ca0i = rw_im[q]
        ca1r = rw_re[q + s]
        ca1i = rw_im[q + s]
        ca2r = rw_re[q + two * s]
        ca2i = rw_im[q + two * s]
        ca3r = rw_re[q + u64(3) * s]
        ca3i = rw_im[q + u64(3) * s]
        cb0r = rw_re[q2]
        cb0i = rw_im[q2]
        cb1r = rw_re[q2 + s]
        cb1i = rw_im[q2 + s]
        cb2r = rw_re[q2 + two * s]
        cb2i = rw_im[q2 + two * s]
        cb3r = rw_re[q2 + u64(3) * s]
        cb3i = rw_im[q2 + u64(3) * s]
        for l in range(W):
            a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i = dft4(x, M, ia, g, l)
            b0r, b0i, b1r, b1i, b2r, b2i, b3r, b3i = dft4(x, M, ib, g, l)
            # bin q + k s pairs with bin (s - q) + (3 - k) s
            vr, vi = split_bin(a0r, a0i, b3r, b3i, ca0r, ca0i, half)
            A0[oa + l] = vr
            A0[oa + io + l] = vi
            vr, vi = split_bin(b3r, b3i, a0r, a0i, cb3r, cb3i, half)
            B3[ob + l] = vr
            B3[ob + io + l] = vi
            vr, vi = split_bin(a1r, a1i, b2r, b2i, ca1r, ca1i, half)
            A1[oa + l] = vr
            A1[oa + io + l] = vi
            vr, vi = split_bin(b2r, b2i, a1r, a1i, cb2r, cb2i, half)
            B2[ob + l] = vr
            B2[ob + io + l] = vi
            vr, vi = split_bin(a2r, a2i, b1r, b1i, ca2r, ca2i, half)
            A2[oa + l] = vr
            A2[oa + io + l] = vi
            vr, vi = split_bin(b1r, b1i, a2r, a2i, cb1r, cb1i, half)
            B1[ob + l] = vr
            B1[ob + io + l] = vi
            vr, vi = split_bin(a3r, a3i, b0r, b0i, ca3r, ca3i, half)
            A3[oa + l] = vr
            A3[oa + io + l] = vi
            vr, vi = split_bin(b0r, b0i, a3r, a3i, cb0r, cb0i, half)
            B0[ob + l] = vr
            B0[ob + io + l] = vi


@noalias_jit
def _self_paired_bins(x, M_, s_, W_, rw_re, rw_im, P0, P1, P2, P3, half, sc, bs_, io_):
    """The bins of the two butterflies that are their own partners; ``P_k = P[k s bs:]`` (bin
    layout as in :func:`_pairs`).

    - q = 0: bins 0 and h = 4s (from Z_0 alone), s with 3s, and 2s = h / 2 with itself;
    - q = s / 2: bin s/2 + k s with s/2 + (3 - k) s.

    One function for both (each function is a unit of compilation: two cost a cold stft 0.15 s
    more).
    """
    M = u64(M_)
    s = u64(s_)
    W = u64(W_)
    bs = u64(bs_)
    io = u64(io_)
    two = u64(2)
    for l in range(W):
        a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i = dft4(x, M, u64(0), s * W, l)
        # bins 0 and h are real: their imaginary parts are set by the caller, after this
        # (in place they overwrite an input, and a zero depends on no load: see last4_in_place)
        P0[l] = (a0r + a0i) * sc
        # bin h = 4s lies one past the last quarter: P3's offset s bs further
        P3[s * bs + l] = (a0r - a0i) * sc
        vr, vi = split_bin(a1r, a1i, a3r, a3i, rw_re[s], rw_im[s], half)
        P1[l] = vr
        P1[io + l] = vi
        vr, vi = split_bin(a3r, a3i, a1r, a1i, rw_re[u64(3) * s], rw_im[u64(3) * s], half)
        P3[l] = vr
        P3[io + l] = vi
        vr, vi = split_bin(a2r, a2i, a2r, a2i, rw_re[two * s], rw_im[two * s], half)
        P2[l] = vr
        P2[io + l] = vi
    q = s // two
    o = q * bs
    c0r = rw_re[q]
    c0i = rw_im[q]
    c1r = rw_re[q + s]
    c1i = rw_im[q + s]
    c2r = rw_re[q + two * s]
    c2i = rw_im[q + two * s]
    c3r = rw_re[q + u64(3) * s]
    c3i = rw_im[q + u64(3) * s]
    for l in range(W):
        a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i = dft4(x, M, q * W, s * W, l)
        vr, vi = split_bin(a0r, a0i, a3r, a3i, c0r, c0i, half)
        P0[o + l] = vr
        P0[o + io + l] = vi
        vr, vi = split_bin(a1r, a1i, a2r, a2i, c1r, c1i, half)
        P1[o + l] = vr
        P1[o + io + l] = vi
        vr, vi = split_bin(a2r, a2i, a1r, a1i, c2r, c2i, half)
        P2[o + l] = vr
        P2[o + io + l] = vi
        vr, vi = split_bin(a3r, a3i, a0r, a0i, c3r, c3i, half)
        P3[o + l] = vr
        P3[o + io + l] = vi


@inner_jit
def _real_ends(P, i0, ih, lanes, sc):
    """Zero imaginary parts for bins 0 and h (at ``i0`` and ``ih``, ``lanes`` values each)."""
    zero = sc * 0
    for l in range(lanes):
        P[i0 + l] = zero
        P[ih + l] = zero


@inline_jit
def last4_post(plan, work, lanes, sc):
    """The last radix-4 pass on work row 0 and the split into the real transform's bins, in
    ``work[1]``'s layout (``block.rfft_lanes_spectra``), times ``sc``."""
    M = work.shape[1] // 2
    x = work[0]
    P = work[1]
    s = plan.m // 4
    half = plan.consts[0] * sc
    quarter = 2 * s * lanes  # P's values per quarter of the bins
    P1 = P[quarter:]
    P2 = P[2 * quarter:]
    P3 = P[3 * quarter:]
    _self_paired_bins(x, M, s, lanes, plan.rw_re, plan.rw_im, P, P1, P2, P3, half, sc, 2 * lanes, lanes)
    _pairs(x, M, s, lanes, plan.rw_re, plan.rw_im, P, P1, P2, P3, P, P1, P2, P3, half, 2 * lanes,
           lanes)
    _real_ends(P, lanes, 8 * s * lanes + lanes, lanes, sc)


@inline_jit
def last4_in_place(plan, work, lanes, sc):
    """:func:`last4_post` writing the bins over the last pass's inputs in work row 0: bin ``b``'s
    real part at ``b W``, its imaginary part at ``M + b W`` (``M`` the row's half), bin ``h`` in
    the row's spare place after the core's ``m`` values. No second row is touched, so a block's
    spectra stay in one row of the scratch (25.7 kB for 16 frames of 400 points), which with
    the stft's streaming stores holds the rest of the block's data in L1.

    The butterflies at ``q`` and ``s - q`` read the values at ``q + j s`` and ``s - q + j s`` and
    make the bins of the same indices, so each step writes exactly what it read. The helpers
    are told that input and output do not alias (``noalias_jit``), which is what lets LLVM
    vectorise them; here they do, harmlessly: every value a step stores depends on every value
    it loads (each bin is a sum over the step's eight inputs), so no store can be moved before
    a load of the same step, and different steps touch different places. The two values that
    depend on nothing, the zero imaginary parts of bins 0 and h, are stored after the helpers
    return (``_real_ends``)."""
    M = work.shape[1] // 2
    x = work[0]
    s = plan.m // 4
    half = plan.consts[0] * sc
    quarter = s * lanes
    X1 = x[quarter:]
    X2 = x[2 * quarter:]
    X3 = x[3 * quarter:]
    _self_paired_bins(x, M, s, lanes, plan.rw_re, plan.rw_im, x, X1, X2, X3, half, sc, lanes, M)
    _pairs(x, M, s, lanes, plan.rw_re, plan.rw_im, x, X1, X2, X3, x, X1, X2, X3, half, lanes, M)
    _real_ends(x, M, M + 4 * s * lanes, lanes, sc)


@inline_jit
def head_row(plan):
    """The work row the frames are loaded into so that the passes before the last end in row 0."""
    return (plan.factors.shape[0] - 1) % 2


@inline_jit
def stockham_head(plan, work, L):
    """All but the last of the plan's passes, from row :func:`head_row` to row 0."""
    head_passes_call(plan, work, L, head_row(plan))
