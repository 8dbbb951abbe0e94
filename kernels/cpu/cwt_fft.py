"""A bank of FIR filters applied to the same signals by FFT overlap-save: the kernel of
``dsp.cwt(..., method='fft')``.

For filter ``s`` with taps ``g_s`` (length ``M_s``) and offset ``o_s``, every row ``x`` of the
batch gives ``y[s, k] = sum_j g_s[j] * x[k + o_s - j]`` for ``k < n`` (``x`` is zero outside
``0 .. n-1``): a linear convolution, cut to the signal's length at offset ``o_s``.

Why overlap-save in blocks rather than one FFT of the padded signal per filter: the filters of a
CWT are short next to the signal (17 to 4097 taps for 60 s at 8 kHz), so blocks of about five
filter lengths waste little on the overlap and their transforms stay in cache, where one
transform of 2**19 points per filter runs from memory. Filters are grouped by block size
(a power of two); within a group all filters share the data's block spectra (computed once),
so each filter costs one spectrum product and one inverse transform per block, fused in one
parallel pass that writes the output rows directly (no full-size temporaries).

Real signals run on real transforms (the blocked ``W``-lane inverse of
:mod:`dsp_kernels.cpu.fft.inverse_block`), complex taps as two real filters (their real and
imaginary parts); complex signals on complex transforms.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.cwt_fft import overlap_save
>>> x = np.arange(6.0).reshape(1, 6)
>>> y = overlap_save(x, np.array([1.0, -1.0]), np.array([0, 2]), np.array([0]))
>>> (y[0, 0].round(12) + 0.0).tolist()  # x[k] - x[k-1]
[0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
"""
from __future__ import annotations

import math

import numba
import numpy as np

from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.fft.batched import fft as _fft_rows
from dsp_kernels.cpu.fft.batched import rfft as _rfft_rows
from dsp_kernels.cpu.fft.block import alloc_block_work
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes
from dsp_kernels.cpu.fft.plans import get_fft_plan, get_rfft_plan
from dsp_kernels.cpu.fft.transforms import alloc_work, fft_scaled_into

__all__ = ["overlap_save", "block_size"]

#: the smallest block: below it the per-block cost of a transform dominates
MIN_BLOCK = 1024
#: blocks of about this many filter lengths (rounded up to a power of two): the overlap wastes
#: at most a quarter of each block, and the transform stays in cache
BLOCK_PER_TAPS = 5
#: below this many output samples a call runs on one thread (the pool's wake-up costs more)
_SERIAL_SAMPLES = 1 << 16


def _pow2(v: int) -> int:
    return 1 << max(0, math.ceil(math.log2(max(v, 1))))


def block_size(n: int, taps: int) -> int:
    """The FFT block for a filter of ``taps`` taps on signals of ``n`` samples: about
    ``BLOCK_PER_TAPS`` filter lengths, at least ``MIN_BLOCK``, never more than one block that
    holds the whole padded signal."""
    return min(max(MIN_BLOCK, _pow2(BLOCK_PER_TAPS * taps)), _pow2(n + taps))


@jit
def _blocks(x, P, H, B, nb):
    """Rows of ``x`` cut into ``nb`` blocks of ``B`` samples each, block ``b`` starting at sample
    ``b*H - P`` (zeros outside the signal); block ``b`` of row ``r`` is row ``r*nb + b``."""
    R, n = x.shape
    out = np.zeros((R * nb, B), dtype=x.dtype)
    for r in range(R):
        for b in range(nb):
            s = b * H - P
            lo = max(0, -s)
            hi = min(B, n - s)
            for i in range(lo, hi):
                out[r * nb + b, i] = x[r, s + i]
    return out


@jit
def _real_tasks(plan, D, G, out, sidx, comp, step, first, H, nb, t0, t1, work, Xf, Y, scale):
    """Tasks ``t0 .. t1-1``: task ``t`` is (filter, row, chunk of W blocks); the chunk's spectra
    times the filter's go through the blocked inverse (``Xf``: W spectra as floats, ``Y``: W
    blocks), and the valid samples to ``out`` (sample ``k`` of filter ``f`` at
    ``out[sidx[f], r, k * step + comp[f]]``: step 2 writes real and imaginary parts)."""
    B = plan.n
    nbins = B // 2 + 1
    W = Y.shape[0]
    R = out.shape[1]
    n = out.shape[2] // step
    nch = (nb + W - 1) // W
    Yf = Y.reshape(Y.size)
    for t in range(t0, t1):
        f = t // (R * nch)
        r = (t // nch) % R
        c = t % nch
        lanes = min(W, nb - c * W)
        g = G[f]
        for l in range(lanes):
            d = D[r * nb + c * W + l]
            o = l * 2 * nbins
            for k in range(nbins):
                v = d[k] * g[k]
                Xf[o + 2 * k] = v.real
                Xf[o + 2 * k + 1] = v.imag
        irfft_lanes(plan, Xf, 0, 2 * nbins, lanes, nbins, Yf, 0, B, work, scale)
        dst = out[sidx[f], r]
        a = first[f]
        cf = comp[f]
        for l in range(lanes):
            q = (c * W + l) * H
            m = min(H, n - q)
            y = Y[l]
            if step == 1:
                for i in range(m):
                    dst[q + i] = y[a + i]
            else:
                for i in range(m):
                    dst[(q + i) * step + cf] = y[a + i]


@jit
def _complex_tasks(plan, D, G, out, sidx, first, H, nb, t0, t1, work, xs, y, scale):
    """As :func:`_real_tasks` on complex transforms, one block per task."""
    B = plan.n
    R = out.shape[1]
    n = out.shape[2]
    for t in range(t0, t1):
        f = t // (R * nb)
        r = (t // nb) % R
        b = t % nb
        d = D[r * nb + b]
        g = G[f]
        for k in range(B):
            xs[k] = d[k] * g[k]
        fft_scaled_into(plan, xs, y, work, True, scale)
        dst = out[sidx[f], r]
        a = first[f]
        q = b * H
        m = min(H, n - q)
        for i in range(m):
            dst[q + i] = y[a + i]


@jit
def _real_scratch(plan):
    W = 64 // plan.consts.itemsize
    B = plan.n
    return (alloc_block_work(plan), np.empty(W * 2 * (B // 2 + 1), plan.consts.dtype),
            np.empty((W, B), plan.consts.dtype))


# Each part of the parallel loops allocates its scratch once (a few parts per thread).


@pjit
def _real_parallel(plan, D, G, out, sidx, comp, step, first, H, nb, n_tasks, n_parts, scale):
    for p in numba.prange(n_parts):
        work, Xf, Y = _real_scratch(plan)
        _real_tasks(plan, D, G, out, sidx, comp, step, first, H, nb, p * n_tasks // n_parts,
                    (p + 1) * n_tasks // n_parts, work, Xf, Y, scale)


@jit
def _real_serial(plan, D, G, out, sidx, comp, step, first, H, nb, n_tasks, scale):
    work, Xf, Y = _real_scratch(plan)
    _real_tasks(plan, D, G, out, sidx, comp, step, first, H, nb, 0, n_tasks, work, Xf, Y, scale)


@pjit
def _complex_parallel(plan, D, G, out, sidx, first, H, nb, n_tasks, n_parts, scale):
    for p in numba.prange(n_parts):
        work = alloc_work(plan)
        xs = np.empty(plan.n, D.dtype)
        y = np.empty(plan.n, D.dtype)
        _complex_tasks(plan, D, G, out, sidx, first, H, nb, p * n_tasks // n_parts,
                       (p + 1) * n_tasks // n_parts, work, xs, y, scale)


@jit
def _complex_serial(plan, D, G, out, sidx, first, H, nb, n_tasks, scale):
    work = alloc_work(plan)
    xs = np.empty(plan.n, D.dtype)
    y = np.empty(plan.n, D.dtype)
    _complex_tasks(plan, D, G, out, sidx, first, H, nb, 0, n_tasks, work, xs, y, scale)


def overlap_save(x, taps, starts, offsets):
    """``y[s, r, k] = sum_j g_s[j] * x[r, k + offsets[s] - j]`` for every filter ``s`` and row ``r``.

    Parameters
    ----------
    x : np.ndarray [shape=(batch, n)], C-contiguous; float32, float64, complex64 or complex128
    taps : np.ndarray [shape=(sum of M_s,)]
        The filters' taps end to end, in x's precision; real or complex.
    starts : np.ndarray [shape=(S + 1,)], int64
        Filter ``s`` is ``taps[starts[s]:starts[s+1]]`` (``M_s >= 1`` taps).
    offsets : np.ndarray [shape=(S,)], int64, ``0 <= offsets[s] < M_s``

    Returns
    -------
    y : np.ndarray [shape=(S, batch, n)]
        Real (x's dtype) when x and the taps are real, else complex of x's precision.
    """
    R, n = x.shape
    S = offsets.shape[0]
    rdt = np.float32 if x.dtype in (np.float32, np.complex64) else np.float64
    cdt = np.complex64 if rdt == np.float32 else np.complex128
    real_x = x.dtype.kind == "f"
    out = np.empty((S, R, n), dtype=rdt if real_x and taps.dtype.kind == "f" else cdt)
    if not (S and R and n):
        return out
    sidx = np.arange(S, dtype=np.int64)
    comp = np.zeros(S, dtype=np.int64)
    if real_x and taps.dtype.kind == "c":
        # real signals, complex taps: the real and the imaginary parts as two real filters, each
        # writing its part of the complex output (real transforms: half the work, blocked lanes)
        taps = np.concatenate([taps.real, taps.imag])
        starts = np.concatenate([starts[:-1], starts + starts[-1]])
        offsets, sidx, comp = np.tile(offsets, 2), np.tile(sidx, 2), np.repeat(np.arange(2), S)
    real = real_x
    x = np.ascontiguousarray(x, dtype=rdt if real else cdt)
    taps = np.asarray(taps, dtype=rdt if real else cdt)
    dst = out.view(rdt).reshape(S, R, -1) if real else out  # real filters write floats
    step = dst.shape[2] // n if real else 1
    lens = np.diff(starts)
    sizes = np.array([block_size(n, int(m)) for m in lens])
    for B in np.unique(sizes):
        group = np.flatnonzero(sizes == B)
        M, o = lens[group], offsets[group]
        P = int(np.max(M - 1 - o))  # samples before a block's first output: the filter's reach back
        need = int(np.max(o + P))  # ... and its first output's place in the block
        B = max(int(B), _pow2(need + 1))
        H = B - need  # outputs per block
        nb = -(-n // H)
        G = np.zeros((group.size, B), dtype=taps.dtype)
        for i, s in enumerate(group):
            G[i, : lens[s]] = taps[starts[s] : starts[s + 1]]
        blocks = _blocks(x, P, H, B, nb)
        first = (o + P).astype(np.int64)  # where filter s's valid outputs start in a block
        if real:
            D, G = _rfft_rows(blocks, 1.0), _rfft_rows(G, 1.0)
            plan = get_rfft_plan(B, rdt)
            n_tasks = group.size * R * -(-nb // (64 // np.dtype(rdt).itemsize))
            args = (plan, D, G, dst, sidx[group], comp[group], step, first, H, nb, n_tasks)
            serial, parallel = _real_serial, _real_parallel
        else:
            D, G = _fft_rows(blocks, False, 1.0), _fft_rows(G, False, 1.0)
            plan = get_fft_plan(B, rdt)
            n_tasks = group.size * R * nb
            args = (plan, D, G, dst, sidx[group], first, H, nb, n_tasks)
            serial, parallel = _complex_serial, _complex_parallel
        scale = plan.consts.dtype.type(1.0 / B)
        if group.size * R * n < _SERIAL_SAMPLES or n_tasks < 2:
            serial(*args, scale)
        else:
            parallel(*args, min(n_tasks, 4 * numba.get_num_threads()), scale)
    return out
