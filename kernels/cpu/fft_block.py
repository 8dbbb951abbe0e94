"""Blocked FFT: ``LANES`` transforms at once, lane-innermost, for batches of rows (frames).

A single transform vectorises poorly: in its early passes the contiguous runs are short. Here
the data of ``LANES`` transforms are interleaved, element ``i`` of lane ``l`` at
``i * LANES + l``, so every run of every pass (fft_passes.py) is at least LANES long and LLVM
turns the butterflies into SIMD instructions whatever the radix or the pass. The twiddles are
scalars broadcast over the lanes.

Plans come from ``fft.get_rfft_plan`` / ``fft.get_fft_plan``; scratch from :func:`alloc_block_work`.
Plans that need Bluestein are not blocked (use the single-transform path for them).
"""
from __future__ import annotations

import numpy as np

from kernels.config import jit
from kernels.cpu.fft_passes import stockham, u64

#: transforms per block: 16 float32 = one AVX-512 register (two AVX2 registers)
LANES = 16
#: samples per chunk of the transposes between rows and lanes
TILE = 64


@jit
def alloc_block_work(plan):
    """Scratch for one block of LANES transforms (allocate once per thread)."""
    return np.zeros((2, 2 * (plan.work_len + 1) * LANES), dtype=plan.consts.dtype)


@jit
def _load_real_even(x, w0, w1, h):
    """Deinterleave the B rows of x (pairs of samples as complex values) into lanes."""
    B = x.shape[0]
    L = u64(LANES)
    # in chunks of TILE samples, so the lines being filled stay in L1
    for j0 in range(0, h, TILE):
        j1 = min(h, j0 + TILE)
        for l in range(B):
            row = x[l]
            ul = u64(l)
            for j in range(j0, j1):
                w0[u64(j) * L + ul] = row[2 * j]
                w1[u64(j) * L + ul] = row[2 * j + 1]


@jit
def _post_real_even(plan, w0, w1, w2, w3, h, sc):
    """Split the half-length spectrum Z into the real transform's bins 0..h (rows 2, 3)."""
    zero = plan.consts[8]
    half = plan.consts[0] * sc
    # the lane count read at run time: a constant trip count gets the loop fully unrolled,
    # and the unrolled code is not vectorised (its loads and stores may alias)
    L = u64(w0.shape[0] // (plan.work_len + 1))
    uh = u64(h)
    for l in range(L):
        z0r = w0[l]
        z0i = w1[l]
        w2[l] = (z0r + z0i) * sc
        w3[l] = zero
        w2[uh * L + l] = (z0r - z0i) * sc
        w3[uh * L + l] = zero
    wr = plan.rw_re
    wi = plan.rw_im
    for k in range(1, h):
        a = u64(k) * L
        b = u64(h - k) * L
        cr = wr[k]
        ci = wi[k]
        for l in range(L):
            ar = w0[a + l]
            ai = w1[a + l]
            br = w0[b + l]
            bi = -w1[b + l]
            er = ar + br
            ei = ai + bi
            o_r = ai - bi  # (Z_k - conj Z_{h-k}) / i
            o_i = br - ar
            w2[a + l] = (er + o_r * cr - o_i * ci) * half
            w3[a + l] = (ei + o_r * ci + o_i * cr) * half


@jit
def rfft_block_scaled_into(plan, x, out, work, scale):
    """``scale`` times the real transforms of the rows of ``x`` (B <= LANES rows of length n),
    into the rows of ``out`` (B, n//2 + 1). ``plan.bluestein`` must be 0."""
    n = plan.n
    B = x.shape[0]
    zero = plan.consts[8]
    sc = plan.consts[7] * scale
    M = work.shape[1] // 2
    w0 = work[0, :M]  # Z, real and imaginary parts
    w1 = work[0, M:]
    w2 = work[1, :M]  # X
    w3 = work[1, M:]
    L = u64(LANES)
    if plan.odd == 1:
        for l in range(B):
            for j in range(n):
                w0[u64(j) * L + u64(l)] = x[l, j]
        for i in range(u64(n) * L):
            w1[i] = zero
        for l in range(B, LANES):
            for j in range(n):
                w0[u64(j) * L + u64(l)] = zero
        stockham(plan, work, LANES)
        for l in range(B):
            for k in range(n // 2 + 1):
                out[l, k] = complex(w0[u64(k) * L + u64(l)] * sc, w1[u64(k) * L + u64(l)] * sc)
        return
    h = n // 2
    _load_real_even(x, w0, w1, h)
    for l in range(B, LANES):
        for j in range(h):
            w0[u64(j) * L + u64(l)] = zero
            w1[u64(j) * L + u64(l)] = zero
    stockham(plan, work, LANES)
    _post_real_even(plan, w0, w1, w2, w3, h, sc)
    for k0 in range(0, h + 1, TILE):
        k1 = min(h + 1, k0 + TILE)
        for l in range(B):
            orow = out[l]
            ul = u64(l)
            for k in range(k0, k1):
                orow[k] = complex(w2[u64(k) * L + ul], w3[u64(k) * L + ul])


@jit
def rfft_block_into(plan, x, out, work):
    """np.fft.rfft of each row of x (B <= LANES rows) into the rows of out; scratch from
    ``alloc_block_work(plan)``."""
    rfft_block_scaled_into(plan, x, out, work, plan.scales[0])
