"""Blocked inverse real FFT: ``W`` Hermitian half-spectra at once, SIMD across them ("lanes").

The mirror image of :mod:`dsp_kernels.cpu.fft.block`: the spectra move into lanes through the
in-register transpose (``W`` floats = ``W/2`` bins of ``W`` frames per tile), are folded into
one half-length complex sequence per frame (``Z_k = E_k + i O_k``, as in
``fft.irfft_scaled_into``), stored conjugated so that the forward Stockham passes compute the
inverse, and the real samples come back out to rows through the transpose again. Odd sizes take
the full-length complex inverse instead of the fold.

njit API
--------
``work = fft_block.alloc_block_work(plan)``
    the same scratch as the forward transform.
``irfft_lanes(plan, srcf, s0, sstride, B, m, outf, o0, ostride, work, scale)``
    For ``l < B`` (``B <= W``): the spectrum of frame ``l`` has bins ``k < m`` at
    ``srcf[s0 + l*sstride + 2k]`` (real part) and ``+ 1`` (imaginary part), the float view of a
    complex array; bins ``m <= k <= n//2`` count as zero (``m <= n//2 + 1``), and the imaginary
    parts of bin 0 and, for even ``n``, bin ``n/2`` are ignored, as ``np.fft.irfft`` does. Its
    ``n`` real samples times ``scale`` (``plan.scales[1]`` for numpy's ``1/n``) go to
    ``outf[o0 + l*ostride + j]``. ``srcf`` and ``outf`` are 1-D, C-contiguous and must not
    overlap ``work``. Only for ``plan.bluestein == 0``.
``irfft_lanes_spectra(plan, work, scale)``
    The same inverses for a fused producer: the half-spectra are already in lanes in
    ``work[1]`` (bin ``k`` of lane ``l``: real part at ``2kW + l``, imaginary at ``(2k + 1)W +
    l``, bins ``0 .. n//2``: the layout ``fft_block.rfft_lanes_spectra`` leaves) and the samples
    are left there, sample ``j`` of lane ``l`` at ``work[1][jW + l]`` (``store_floats`` moves
    them to rows).
``irfft_lanes_merged(plan, work, scale)``
    The same for a producer that also did the fold into half-length sequences (even ``n``):
    ``Z_k`` (conjugated, as ``_pre_even`` leaves it) of lane ``l`` at ``work[0][kW + l]``
    (real part) and ``work[0][R + kW + l]`` (imaginary part), ``R = work.shape[1] // 2``; the
    samples are left in ``work[1]`` as above (:mod:`dsp_kernels.cpu.fft.split_fold`).
"""
from __future__ import annotations

from dsp_kernels.config import inline_jit, noalias_jit
from dsp_kernels.cpu.fft.block import block_lanes, store_floats
from dsp_kernels.cpu.fft.passes import stockham_call, u64
from dsp_kernels.cpu.fft.simd import transpose_tile

__all__ = ["irfft_lanes", "irfft_lanes_spectra", "irfft_lanes_merged"]


@noalias_jit
def _load_spectra(srcf, s0, sstride, B, m, n_half, P):
    """Bins of B frames into lanes: ``P[2kW + l]`` (real), ``P[(2k + 1)W + l]`` (imaginary);
    bins from ``m`` on, and lanes from ``B`` on, are zero."""
    W = 64 // P.itemsize
    uw = u64(W)
    per_tile = W // 2  # bins per W x W tile
    k_full = (m // per_tile) * per_tile if B == W else 0
    for k0 in range(0, k_full, per_tile):
        transpose_tile(srcf, s0 + 2 * k0, sstride, P, 2 * k0 * W, W)
    for k in range(k_full, n_half):
        re = u64(2 * k) * uw
        im = re + uw
        for l in range(W):
            if k < m and l < B:
                P[re + u64(l)] = srcf[s0 + l * sstride + 2 * k]
                P[im + u64(l)] = srcf[s0 + l * sstride + 2 * k + 1]
            else:
                P[re + u64(l)] = 0.0
                P[im + u64(l)] = 0.0


@noalias_jit
def _pre_even(rw_re, rw_im, Pr, Pi, w0, w1, h, lanes):
    """Fold the n/2 + 1 bins of each lane into the half-length sequence Z (conjugated):
    ``E_k = X_k + conj X_{h-k}``, ``O_k = (X_k - conj X_{h-k}) conj(w^k)``, ``Z_k = E_k + i O_k``.
    ``Pr = P``, ``Pi = P[W:]`` (two streams LLVM can tell apart)."""
    W = u64(lanes)
    two = u64(2)  # a signed literal would make the index signed, and LLVM then scatters
    uh = u64(h)
    for l in range(W):
        x0 = Pr[l]
        xh = Pr[two * uh * W + l]
        w0[l] = x0 + xh
        w1[l] = xh - x0
    for k in range(1, h):
        uk = u64(k)
        a = two * uk * W
        b = two * (uh - uk) * W
        o = uk * W
        cr = rw_re[k]
        ci = rw_im[k]
        for l in range(W):
            ar = Pr[a + l]
            ai = Pi[a + l]
            br = Pr[b + l]
            bi = -Pi[b + l]
            er = ar + br
            ei = ai + bi
            dr = ar - br
            di = ai - bi
            o_r = dr * cr + di * ci
            o_i = di * cr - dr * ci
            w0[o + l] = er - o_i
            w1[o + l] = -(ei + o_r)


@noalias_jit
def _pre_odd(Pr, Pi, w0, w1, n, lanes):
    """The full Hermitian spectrum of each lane (conjugated) for the length-n complex inverse."""
    W = u64(lanes)
    two = u64(2)
    un = u64(n)
    for l in range(W):
        w0[l] = Pr[l]
        w1[l] = 0.0
    for k in range(1, n // 2 + 1):
        uk = u64(k)
        a = two * uk * W
        lo = uk * W
        hi = (un - uk) * W
        for l in range(W):
            re = Pr[a + l]
            im = Pi[a + l]
            w0[lo + l] = re
            w1[lo + l] = -im
            w0[hi + l] = re
            w1[hi + l] = im


@noalias_jit
def _post_even(w0, w1, Q, h, sc, lanes):
    """Interleave z_j = x_2j + i x_2j+1 (conjugated) into samples: ``Q[jW + l]`` = x_j * sc."""
    W = u64(lanes)
    two = u64(2)
    for j in range(h):
        uj = u64(j)
        a = uj * W
        o = two * uj * W
        for l in range(W):
            Q[o + l] = w0[a + l] * sc
            Q[o + W + l] = -w1[a + l] * sc


@noalias_jit
def _post_odd(w0, Q, n, sc, lanes):
    """The real parts of the complex inverse: ``Q[jW + l]`` = x_j * sc."""
    W = u64(lanes)
    for i in range(u64(n) * W):
        Q[i] = w0[i] * sc


@inline_jit
def irfft_lanes_spectra(plan, work, scale):
    """Inverse real FFTs of the W half-spectra already in lanes in ``work[1]`` (module doc);
    the samples, times ``scale``, are left there in lanes (sample ``j`` of lane ``l`` at
    ``work[1][j W + l]``)."""
    n = plan.n
    W = 64 // work.itemsize
    M = work.shape[1] // 2
    w0 = work[0, :M]
    w1 = work[0, M:]
    P = work[1]
    lanes = block_lanes(plan, work)
    if plan.odd == 1:
        _pre_odd(P, P[W:], w0, w1, n, lanes)
    else:
        _pre_even(plan.rw_re, plan.rw_im, P, P[W:], w0, w1, n // 2, lanes)
    irfft_lanes_merged(plan, work, scale)


@inline_jit
def irfft_lanes_merged(plan, work, scale):
    """The rest of :func:`irfft_lanes_spectra` from the half-length sequences already in
    ``work[0]`` (module doc)."""
    n = plan.n
    W = 64 // work.itemsize
    M = work.shape[1] // 2
    w0 = work[0, :M]
    w1 = work[0, M:]
    P = work[1]
    sc = plan.consts[7] * scale
    lanes = block_lanes(plan, work)
    stockham_call(plan, work, W)
    if plan.odd == 1:
        _post_odd(w0, P, n, sc, lanes)
    else:
        _post_even(w0, w1, P, n // 2, sc, lanes)


@inline_jit
def irfft_lanes(plan, srcf, s0, sstride, B, m, outf, o0, ostride, work, scale):
    """Inverse real FFTs of B <= W half-spectra into rows of ``outf`` (module doc)."""
    n = plan.n
    n_half = n // 2 + 1
    _load_spectra(srcf, s0, sstride, B, min(m, n_half), n_half, work[1])
    irfft_lanes_spectra(plan, work, scale)
    store_floats(work[1], n, B, outf, o0, ostride)
