"""The 2:1 fast convolution's middle in one sweep: split, fold and merge between its two FFTs.

The halving kernels (:mod:`dsp_kernels.cpu.cqt`) transform ``W`` blocks of ``N`` samples with
the blocked real FFT, fold each spectrum onto ``q + 1`` bins times the filter's
(``Y_k = a_k X_k + b_k conj(X_{h-k})``, ``h = N/2``, ``q = h/2``) and invert at ``h`` points.
Done by the generic pieces that is three sweeps over the bins, each writing what the next
reads back: the forward's split (its half-length complex transform ``C`` -> the real bins
``X``), the fold (``X`` -> ``Y``) and the inverse's merge (``Y`` -> its half-length sequence
``Z``). All three are linear in ``C`` and its conjugate, and their index maps close over four
bins, so they collapse into one product a bin with four complex coefficients::

    Z_j = g1_j C_j + g2_j conj(C_{h-j}) + g3_j conj(C_{q-j}) + g4_j C_{q+j},   1 <= j < q

With ``c_k = exp(-2 pi i k / N)`` (the split's twiddle), ``w_j = exp(-2 pi i j / h)`` (the
merge's) and ``s`` the forward's scale, ``Y_k = P_k C_k + Q_k conj(C_{h-k})`` where
``P_k = s/2 (a_k (1 - i c_k) + b_k (1 + i c_k))`` and ``Q_k = s/2 (a_k (1 + i c_k) + b_k (1 - i
c_k))``, and the merge is ``Z_j = (1 + i conj w_j) Y_j + (1 - i conj w_j) conj(Y_{q-j})``: so
``g1 = u P_j``, ``g2 = u Q_j``, ``g3 = v conj(P_{q-j})``, ``g4 = v conj(Q_{q-j})`` (``u, v = 1
+- i conj w_j``). ``Z_0`` takes the real parts of ``Y_0`` and ``Y_q`` only (the inverse real
FFT ignores the imaginary parts of its first and last bins): ``Z_0 = (Y_0 + Y_q) + i (Y_0 -
Y_q)``. :func:`fold_table` computes the coefficients once per filter in float64; the kernel
sweeps ``j`` and ``q - j`` together, so each ``C`` is read once. Measured on the Intel machine
(one group of 16 float32 blocks of 1280, one thread): the split 3.2 us and the fold 1.5 us, plus
the merge inside the inverse, became 2.85 us for all three; a 1 s clip's ``dsp.resample`` at 16 ->
8 kHz 34.3 -> 30.5 us (docs/sampling.md, stop 43).

njit API
--------
``halve_lanes(plan, plan_h, src, s0, sstride, ones, work, work_h, g)``
    ``W`` whole blocks ``src[s0 + l sstride : ... + N]`` (``N = plan.n``, a multiple of 4;
    ``plan_h`` the plan of ``N/2``) to the samples of the folded spectra's inverse, sample ``j``
    of lane ``l`` at ``work_h[1][j W + l]``; ``g`` the :func:`fold_table` of the filter, ``ones``
    a unit window of ``N``.

Python API
----------
``fold_table(plan, plan_h, fold)``
    ``g``, (8, q) in the plans' dtype, from the filter's fold rows ``Re a, Im a, Re b, Im b``
    (``dsp._resample_halving.halving_filter``).
"""
from __future__ import annotations

import numpy as np

from dsp_kernels.config import inline_jit, noalias_jit
from dsp_kernels.cpu.fft.block import block_lanes, pair_spectra_lanes
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes_merged
from dsp_kernels.cpu.fft.passes import u64

__all__ = ["halve_lanes", "fold_table"]


def fold_table(plan, plan_h, fold):
    """The coefficients ``g1..g4`` of every bin ``1 <= j < q`` (rows: real and imaginary parts
    of each), and in column 0 those of ``Z_0``'s real parts (module doc), in float64 rounded
    once to the plans' dtype; read-only."""
    N = int(plan.n)
    h, q = N // 2, N // 4
    f = np.asarray(fold, dtype=np.float64)
    a = f[0] + 1j * f[1]
    b = f[2] + 1j * f[3]
    k = np.arange(q + 1)
    c = np.exp(-2j * np.pi * k / N)
    half = 0.5 * float(plan.consts[7]) * float(plan.scales[0])
    P = half * (a * (1 - 1j * c) + b * (1 + 1j * c))
    Q = half * (a * (1 + 1j * c) + b * (1 - 1j * c))
    j = np.arange(q)
    cw = np.conj(np.exp(-2j * np.pi * j / h))
    u, v = 1 + 1j * cw, 1 - 1j * cw
    g = np.stack([u * P[j], u * Q[j], v * np.conj(P[q - j]), v * np.conj(Q[q - j])])
    table = np.empty((8, q), dtype=np.float64)
    table[0::2] = g.real
    table[1::2] = g.imag
    # Z_0 from the real parts: Re Y_0 = (P0r + Q0r) C0r + (Q0i - P0i) C0i, Re Y_q likewise
    table[:4, 0] = [(P[0] + Q[0]).real, (Q[0] - P[0]).imag, (P[q] + Q[q]).real, (Q[q] - P[q]).imag]
    table[4:, 0] = 0.0
    table = table.astype(plan.consts.dtype)
    table.flags.writeable = False
    return table


@inline_jit
def _z(e, ar, ai, br, bi, cr, ci, dr, di):
    """``Z = e1 a + e2 conj(b) + e3 conj(c) + e4 d`` (``e`` the eight real and imaginary parts),
    returned conjugated: ``(Re Z, -Im Z)``, as the inverse's passes take it."""
    return (e[0] * ar - e[1] * ai + e[2] * br + e[3] * bi + e[4] * cr + e[5] * ci + e[6] * dr - e[7] * di,
            -(e[0] * ai + e[1] * ar - e[2] * bi + e[3] * br - e[4] * ci + e[5] * cr + e[6] * di + e[7] * dr))


@inline_jit
def _coefficients(g, j):
    """Bin ``j``'s eight coefficients of :func:`fold_table`."""
    return g[0, j], g[1, j], g[2, j], g[3, j], g[4, j], g[5, j], g[6, j], g[7, j]


@noalias_jit
def _split_fold_merge(c0, c1, g, v0k, v1k, v0m, v1m, h, lanes):
    """``C`` (``c0`` real, ``c1`` imaginary parts, lanes) -> ``Z_j`` for ``j = k`` and ``q - k``,
    ``1 <= k < q/2``, conjugated (``v0`` real, ``v1`` minus imaginary parts), as the inverse's
    passes take it. ``v0k``/``v0m`` (and ``v1k``/``v1m``) are one array passed twice: the stores
    at ``k`` and at ``q - k`` are then two streams LLVM knows apart, as in ``last_post._pairs``
    (they are: ``k = q/2`` is left to :func:`_split_fold_merge_ends`)."""
    W = u64(lanes)
    uh = u64(h)
    uq = uh // u64(2)
    for k in range(1, (h // 2 + 1) // 2):
        uk = u64(k)
        m = h // 2 - k
        i_k = uk * W
        i_h = (uh - uk) * W
        i_m = (uq - uk) * W
        i_p = (uq + uk) * W
        e = _coefficients(g, k)
        f = _coefficients(g, m)
        for l in range(W):
            kr, ki = c0[i_k + l], c1[i_k + l]  # C_k
            hr, hi = c0[i_h + l], c1[i_h + l]  # C_{h-k}
            mr, mi = c0[i_m + l], c1[i_m + l]  # C_{q-k}
            pr, pi = c0[i_p + l], c1[i_p + l]  # C_{q+k}
            # Z_k = e1 C_k + e2 conj C_{h-k} + e3 conj C_{q-k} + e4 C_{q+k}
            v0k[i_k + l], v1k[i_k + l] = _z(e, kr, ki, hr, hi, mr, mi, pr, pi)
            # Z_{q-k} = f1 C_{q-k} + f2 conj C_{q+k} + f3 conj C_k + f4 C_{h-k}
            v0m[i_m + l], v1m[i_m + l] = _z(f, mr, mi, pr, pi, kr, ki, hr, hi)


@noalias_jit
def _split_fold_merge_ends(c0, c1, g, v0, v1, h, lanes):
    """``Z_0`` from the real parts of ``Y_0`` (from ``C_0``) and ``Y_q`` (from ``C_q``), and for
    even ``q`` the bin ``k = q/2``, its own partner."""
    W = u64(lanes)
    q = h // 2
    iq = u64(q) * W
    g0, g1, g2, g3 = g[0, 0], g[1, 0], g[2, 0], g[3, 0]
    for l in range(W):
        y0 = g0 * c0[l] + g1 * c1[l]
        yq = g2 * c0[iq + l] + g3 * c1[iq + l]
        v0[l] = y0 + yq
        v1[l] = yq - y0
    if q % 2 == 0:
        k = q // 2
        i_k = u64(k) * W
        i_p = u64(q + k) * W  # C_{h-k} = C_{q+k}, and C_{q-k} = C_k
        e = _coefficients(g, k)
        for l in range(W):
            kr, ki = c0[i_k + l], c1[i_k + l]
            pr, pi = c0[i_p + l], c1[i_p + l]
            v0[i_k + l], v1[i_k + l] = _z(e, kr, ki, pr, pi, kr, ki, pr, pi)


@inline_jit
def halve_lanes(plan, plan_h, src, s0, sstride, ones, work, work_h, g):
    """W blocks of ``src`` to the 2:1 correlation's samples in ``work_h[1]``'s lanes (module doc)."""
    pair_spectra_lanes(plan, src, s0, sstride, ones, work)
    R = work.shape[1] // 2
    Rh = work_h.shape[1] // 2
    c0 = work[0, :R]
    c1 = work[0, R:]
    v0 = work_h[0, :Rh]
    v1 = work_h[0, Rh:]
    lanes = block_lanes(plan, work)
    h = plan.n // 2
    _split_fold_merge_ends(c0, c1, g, v0, v1, h, lanes)
    _split_fold_merge(c0, c1, g, v0, v1, v0, v1, h, lanes)
    irfft_lanes_merged(plan_h, work_h, plan_h.scales[1])
