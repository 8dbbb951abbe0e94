"""GPU twins of :mod:`dsp_kernels.cpu.resample`: polyphase FIR (rational ratios),
interpolated-table FIR (any ratio) and the half-band decimator by 2. Same entries, tables and
arithmetic; one thread per output sample, consecutive threads on consecutive outputs so that
their input windows overlap in cache.
"""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from . import _runtime as rt


@cuda.jit
def _polyphase(x, table, up, down, half, shift, zero, out):
    m, c = cuda.grid(2)
    nch, n = x.shape
    if m >= out.shape[1] or c >= nch:
        return
    taps = table.shape[1]
    pos = m * down
    base = pos // up
    phase = pos - base * up
    start = base - half + 1 + shift
    acc = zero  # the table's dtype is the accumulator's, as on the CPU
    for j in range(max(0, -start), min(taps, n - start)):
        acc += table[phase, j] * x[c, start + j]
    out[c, m] = acc


def polyphase(x, table, up, down, n_out, shift=0):
    """Rational resampling by ``up / down`` with the polyphase ``table`` (up, taps); output ``m``
    at input position ``m * down / up + shift``."""
    xp = rt.xp()
    out = xp.empty((x.shape[0], n_out), dtype=table.dtype)
    if out.size:
        blocks, threads = rt.grid_2d(n_out, x.shape[0])
        rt.launch(_polyphase, blocks, threads, xp.ascontiguousarray(x), rt.as_device(table),
                  np.int64(up), np.int64(down), np.int64(table.shape[1] // 2), np.int64(shift),
                  table.dtype.type(0), out)
    return out


@cuda.jit
def _halfband(x, taps, center, zero, shift, out):
    i, ch = cuda.grid(2)
    nch, n = x.shape
    if i >= out.shape[1] or ch >= nch:
        return
    c2 = 2 * (i - shift)
    acc = zero  # the taps' dtype is the accumulator's, as on the CPU
    if 0 <= c2 < n:
        acc += center * x[ch, c2]
    for k in range(taps.shape[0]):
        lo = c2 - 2 * k - 1
        hi = c2 + 2 * k + 1
        s = zero
        if 0 <= lo < n:
            s += x[ch, lo]
        if 0 <= hi < n:
            s += x[ch, hi]
        acc += taps[k] * s
    out[ch, i] = acc


def halfband(x, taps, shift, n_out):
    """Decimate by 2 with the half-band filter of odd taps ``taps`` (``h[+-(2k + 1)] = taps[k]``);
    output ``i`` is centred on input ``2 (i - shift)``."""
    xp = rt.xp()
    out = xp.empty((x.shape[0], n_out), dtype=taps.dtype)
    if out.size:
        blocks, threads = rt.grid_2d(n_out, x.shape[0])
        rt.launch(_halfband, blocks, threads, xp.ascontiguousarray(x), rt.as_device(taps),
                  taps.dtype.type(0.5), taps.dtype.type(0), np.int64(shift), out)
    return out


def fir_full(x, taps, n_fft, spectrum):
    """Full convolution of the rows of ``x`` with the symmetric ``taps`` (odd count T):
    (batch, n) -> (batch, n + T - 1), ``out[i] = sum_j taps[j] x[i + j - (T - 1)]``, as the
    polyphase kernel's one-row, 1:1 case. ``n_fft`` and ``spectrum`` serve the CPU's fast
    convolution; the direct sum needs only ``taps``."""
    T = len(taps)
    table = np.ascontiguousarray(np.asarray(taps)[None, :])
    # polyphase reads x[m - T // 2 + 1 + shift + j]: shift = T // 2 - T puts tap 0 at m - (T - 1)
    return polyphase(x, table, 1, 1, x.shape[1] + T - 1, T // 2 - T)


@cuda.jit
def _interpolated(x, table, density, rc, step, half, out):
    m, c = cuda.grid(2)
    nch, n = x.shape
    if m >= out.shape[1] or c >= nch:
        return
    last = table.shape[0] - 1
    p = m * step
    base = math.floor(p)
    frac = p - base
    ib = int(base)
    acc = 0.0
    for j in range(max(0, ib - half + 1), min(n, ib + half + 1)):
        u = abs(rc * (frac + (ib - j))) * density
        i = int(u)
        if i < last:
            f = u - i
            acc += (table[i] + f * (table[i + 1] - table[i])) * x[c, j]
    out[c, m] = rc * acc


def interpolated(x, table, density, num_zeros, rc, step, n_out, dtype):
    """Resampling at any ratio: output ``m`` at input position ``m * step`` (float64 sums)."""
    xp = rt.xp()
    out = xp.empty((x.shape[0], n_out), dtype=np.float64)
    if out.size:
        half = int(math.floor(num_zeros / rc)) + 1
        blocks, threads = rt.grid_2d(n_out, x.shape[0])
        rt.launch(_interpolated, blocks, threads, xp.ascontiguousarray(x), rt.as_device(table, np.float64),
                  float(density), float(rc), float(step), half, out)
    return out.astype(dtype, copy=False)
