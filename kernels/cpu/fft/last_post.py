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
``last4_in_place(plan, work, lanes, sc)``
    the same over row 0 itself: real parts in its first half, imaginary parts in its second
    (``block_bins.rfft_lanes_bins``).
``split_bin(ar, ai, br, bi, cr, ci, half)``
    the split's formula for one bin (also ``block._post_even``'s).
"""
from __future__ import annotations

import numba

from dsp_kernels.config import inline_jit, inner_jit, noalias_jit
from dsp_kernels.cpu.fft.passes import dft4, dft4_values, head_passes_call

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
    """The eight bins of the butterflies at ``q`` (``Z_{q + k s}``: ``a``, as :func:`dft4`
    returns them) and ``s - q`` (``b``); ``ca`` and ``cb`` their :func:`_split_twiddles`. Bin
    ``q + k s`` pairs with ``(s - q) + (3 - k) s``. Returns (re, im) of bins ``q``,
    ``(s - q) + 3 s``, ``q + s``, ``(s - q) + 2 s``, ``q + 2 s``, ``(s - q) + s``, ``q + 3 s``,
    ``s - q``."""
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


@noalias_jit
def _pairs(x, M_, s_, W_, rw_re, rw_im, A0, A1, A2, A3, B0, B1, B2, B3, half):
    """Bins q + k s and their partners (s - q) + (3 - k) s for 1 <= q < s / 2, into
    :func:`last4_post`'s layout.

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
    two = u64(2)
    g = s * W
    for q in range(u64(1), s // two):
        q2 = s - q
        ia = q * W
        ib = q2 * W
        oa = two * q * W
        ob = two * q2 * W
        ca = _split_twiddles(rw_re, rw_im, q, s)
        cb = _split_twiddles(rw_re, rw_im, q2, s)
        for l in range(W):
            v = _pair_bins(dft4(x, M, ia, g, l), dft4(x, M, ib, g, l), ca, cb, half)
            A0[oa + l] = v[0]
            A0[oa + W + l] = v[1]
            B3[ob + l] = v[2]
            B3[ob + W + l] = v[3]
            A1[oa + l] = v[4]
            A1[oa + W + l] = v[5]
            B2[ob + l] = v[6]
            B2[ob + W + l] = v[7]
            A2[oa + l] = v[8]
            A2[oa + W + l] = v[9]
            B1[ob + l] = v[10]
            B1[ob + W + l] = v[11]
            A3[oa + l] = v[12]
            A3[oa + W + l] = v[13]
            B0[ob + l] = v[14]
            B0[ob + W + l] = v[15]


@noalias_jit
def _self_paired_bins(x, M_, s_, W_, rw_re, rw_im, P0, P1, P2, P3, half, sc):
    """The bins of the two butterflies that are their own partners (:func:`_zero_bins`,
    :func:`_half_bins`); ``P_k = P[2 k s W:]``.

    One function for both (each function is a unit of compilation: two cost a cold stft 0.15 s
    more).
    """
    M = u64(M_)
    s = u64(s_)
    W = u64(W_)
    two = u64(2)
    zero = sc * 0
    c0 = _split_twiddles(rw_re, rw_im, u64(0), s)
    for l in range(W):
        v = _zero_bins(dft4(x, M, u64(0), s * W, l), c0, half, sc)
        P0[l] = v[0]
        P0[W + l] = zero
        # bin h = 4s lies one past the last quarter: P3's offset 2sW further
        P3[two * s * W + l] = v[1]
        P3[two * s * W + W + l] = zero
        P1[l] = v[2]
        P1[W + l] = v[3]
        P3[l] = v[4]
        P3[W + l] = v[5]
        P2[l] = v[6]
        P2[W + l] = v[7]
    q = s // two
    o = two * q * W
    c = _split_twiddles(rw_re, rw_im, q, s)
    for l in range(W):
        v = _half_bins(dft4(x, M, q * W, s * W, l), c, half)
        P0[o + l] = v[0]
        P0[o + W + l] = v[1]
        P1[o + l] = v[2]
        P1[o + W + l] = v[3]
        P2[o + l] = v[4]
        P2[o + W + l] = v[5]
        P3[o + l] = v[6]
        P3[o + W + l] = v[7]


@noalias_jit
def _pairs_in_place(Ar0, Ar1, Ar2, Ar3, Ai0, Ai1, Ai2, Ai3, Br0, Br1, Br2, Br3, Bi0, Bi1, Bi2, Bi3,
                    s_, W_, rw_re, rw_im, half):
    """:func:`_pairs` over its own inputs: ``Ar_k`` and ``Br_k`` are the same view of the real
    parts from value ``k s`` on, ``Ai_k`` and ``Bi_k`` of the imaginary parts; the butterfly at
    ``q`` reads the values ``q + k s`` through ``Ar_k``/``Ai_k`` and writes bins ``q + k s``
    there, the one at ``s - q`` reads and writes through ``Br_k``/``Bi_k``. Each place is thus
    reached through one argument only, and the arguments' places are disjoint (q < s / 2): the
    promise of no aliasing holds, and each argument has a single stream, so LLVM needs no
    run-time overlap checks."""
    s = u64(s_)
    W = u64(W_)
    two = u64(2)
    for q in range(u64(1), s // two):
        q2 = s - q
        ia = q * W
        ib = q2 * W
        ca = _split_twiddles(rw_re, rw_im, q, s)
        cb = _split_twiddles(rw_re, rw_im, q2, s)
        for l in range(W):
            i = ia + l
            j = ib + l
            a = dft4_values(Ar0[i], Ai0[i], Ar1[i], Ai1[i], Ar2[i], Ai2[i], Ar3[i], Ai3[i])
            b = dft4_values(Br0[j], Bi0[j], Br1[j], Bi1[j], Br2[j], Bi2[j], Br3[j], Bi3[j])
            v = _pair_bins(a, b, ca, cb, half)
            Ar0[i] = v[0]
            Ai0[i] = v[1]
            Br3[j] = v[2]
            Bi3[j] = v[3]
            Ar1[i] = v[4]
            Ai1[i] = v[5]
            Br2[j] = v[6]
            Bi2[j] = v[7]
            Ar2[i] = v[8]
            Ai2[i] = v[9]
            Br1[j] = v[10]
            Bi1[j] = v[11]
            Ar3[i] = v[12]
            Ai3[i] = v[13]
            Br0[j] = v[14]
            Bi0[j] = v[15]


@noalias_jit
def _self_paired_in_place(Pr0, Pr1, Pr2, Pr3, Pi0, Pi1, Pi2, Pi3, s_, W_, rw_re, rw_im, half, sc):
    """:func:`_self_paired_bins` over its own inputs (views as in :func:`_pairs_in_place`); bin
    ``h`` goes to the row's spare place ``4 s`` (``Pr3[s W:]``), read by no butterfly."""
    s = u64(s_)
    W = u64(W_)
    two = u64(2)
    zero = sc * 0
    h = s * W
    c0 = _split_twiddles(rw_re, rw_im, u64(0), s)
    for l in range(W):
        a = dft4_values(Pr0[l], Pi0[l], Pr1[l], Pi1[l], Pr2[l], Pi2[l], Pr3[l], Pi3[l])
        v = _zero_bins(a, c0, half, sc)
        Pr0[l] = v[0]
        Pi0[l] = zero
        Pr3[h + l] = v[1]
        Pi3[h + l] = zero
        Pr1[l] = v[2]
        Pi1[l] = v[3]
        Pr3[l] = v[4]
        Pi3[l] = v[5]
        Pr2[l] = v[6]
        Pi2[l] = v[7]
    o = (s // two) * W
    c = _split_twiddles(rw_re, rw_im, s // two, s)
    for l in range(W):
        i = o + l
        a = dft4_values(Pr0[i], Pi0[i], Pr1[i], Pi1[i], Pr2[i], Pi2[i], Pr3[i], Pi3[i])
        v = _half_bins(a, c, half)
        Pr0[i] = v[0]
        Pi0[i] = v[1]
        Pr1[i] = v[2]
        Pi1[i] = v[3]
        Pr2[i] = v[4]
        Pi2[i] = v[5]
        Pr3[i] = v[6]
        Pi3[i] = v[7]


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
    _self_paired_bins(x, M, s, lanes, plan.rw_re, plan.rw_im, P, P1, P2, P3, half, sc)
    _pairs(x, M, s, lanes, plan.rw_re, plan.rw_im, P, P1, P2, P3, P, P1, P2, P3, half)


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
    q = s * lanes
    R0, R1, R2, R3 = x[:M], x[q:M], x[2 * q:M], x[3 * q:M]
    I0, I1, I2, I3 = x[M:], x[M + q:], x[M + 2 * q:], x[M + 3 * q:]
    _self_paired_in_place(R0, R1, R2, R3, I0, I1, I2, I3, s, lanes, plan.rw_re, plan.rw_im, half,
                          sc)
    _pairs_in_place(R0, R1, R2, R3, I0, I1, I2, I3, R0, R1, R2, R3, I0, I1, I2, I3, s, lanes,
                    plan.rw_re, plan.rw_im, half)


@inline_jit
def head_row(plan):
    """The work row the frames are loaded into so that the passes before the last end in row 0."""
    return (plan.factors.shape[0] - 1) % 2


@inline_jit
def stockham_head(plan, work, L):
    """All but the last of the plan's passes, from row :func:`head_row` to row 0."""
    head_passes_call(plan, work, L, head_row(plan))
