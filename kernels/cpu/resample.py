"""Resampling kernels: polyphase FIR for rational ratios, interpolated-table FIR for any ratio.

Entry functions take validated, C-contiguous ``(channels, n)`` arrays and precomputed filter
tables (designed and cached by :mod:`dsp.resampling`). Work is split into independent
(channel, block of outputs) items, run with ``prange``; samples outside the signal count as zero.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from dsp_kernels.config import pjit

#: outputs per parallel work item: large enough to amortise scheduling, small enough to balance
BLOCK = 2048
@pjit
def _polyphase(x, table, up, down, half, zero, out):
    # out[c, m] = sum_j table[phase, j] * x[c, start + j] with phase = (m*down) % up and
    # start = (m*down) // up - half + 1: the filter row for that phase, centred on the output.
    nch, n = x.shape
    n_out = out.shape[1]
    taps = table.shape[1]
    # From one output to the next the phase moves by down % up and the start by down // up
    # (plus one on wrap-around): tracked incrementally, no integer division per output.
    dq = down // up
    dr = down - dq * up
    nblocks = (n_out + BLOCK - 1) // BLOCK
    for item in prange(nch * nblocks):
        c = item // nblocks
        b = item - c * nblocks
        xc = x[c]
        m0 = b * BLOCK
        pos = m0 * down
        base = pos // up
        phase = pos - base * up
        for m in range(m0, min(n_out, m0 + BLOCK)):
            start = base - half + 1
            row = table[phase]
            acc = zero  # the table's dtype: float32 tables accumulate in float32
            if start >= 0 and start + taps <= n:
                # Two 1-D slices indexed by the loop counter: no negative-index wraparound
                # checks, so LLVM vectorises the dot product (4-7x faster than x[c, start + j]).
                seg = xc[start:start + taps]
                for j in range(taps):
                    acc += row[j] * seg[j]
            else:
                for j in range(max(0, -start), min(taps, n - start)):
                    acc += row[j] * xc[start + j]
            out[c, m] = acc
            base += dq
            phase += dr
            if phase >= up:
                phase -= up
                base += 1


def polyphase(x, table, up, down, n_out):
    """Rational resampling by ``up / down`` with the polyphase ``table`` of shape (up, taps).

    Row ``phase`` holds the filter taps for outputs whose input position has fractional part
    ``phase / up``; tap ``j`` multiplies input sample ``floor(pos) - taps/2 + 1 + j``. The table's
    dtype is the accumulator's.
    """
    out = np.empty((x.shape[0], n_out), dtype=table.dtype)
    _polyphase(x, table, np.int64(up), np.int64(down), np.int64(table.shape[1] // 2), table.dtype.type(0), out)
    return out


@pjit
def _interpolated(x, table, density, rc, step, half, out):
    # Arbitrary ratio: output m sits at input position p = m * step. Each tap's filter value
    # rc * h(rc * (p - k)) is read from the one-sided table of h (density points per zero
    # crossing) by linear interpolation; the table is zero-padded past the filter's end, so
    # every tap in the window can be read without a test.
    nch, n = x.shape
    n_out = out.shape[1]
    nblocks = (n_out + BLOCK - 1) // BLOCK
    scale = rc * density
    for item in prange(nch * nblocks):
        c = item // nblocks
        b = item - c * nblocks
        xc = x[c]
        w = np.empty(2 * half)
        for m in range(b * BLOCK, min(n_out, (b + 1) * BLOCK)):
            p = m * step
            ib = int(math.floor(p))
            frac = p - ib
            lo = max(0, ib - half + 1)
            hi = min(n, ib + half + 1)
            cnt = hi - lo
            if cnt <= 0:
                out[c, m] = 0.0
                continue
            # tap j reads x[lo + j] at distance d = p - (lo + j) = (frac + ib - lo) - j
            d0 = frac + (ib - lo)
            for j in range(cnt):
                u = abs(d0 - j) * scale
                i = int(u)
                f = u - i
                w[j] = table[i] + f * (table[i + 1] - table[i])
            seg = xc[lo:hi]
            acc = 0.0
            for j in range(cnt):
                acc += w[j] * seg[j]
            out[c, m] = rc * acc


def interpolated(x, table, density, num_zeros, rc, step, n_out, dtype):
    """Resampling at any ratio: output ``m`` is at input position ``m * step``.

    ``table[i] = h(i / density)`` for the one-sided windowed sinc ``h``, zero from ``num_zeros``
    on and at least ``(num_zeros + 2) * density`` long; ``rc`` is the cutoff relative to the
    input's Nyquist. Computed in float64.
    """
    out = np.empty((x.shape[0], n_out), dtype=np.float64)
    half = int(math.floor(num_zeros / rc)) + 1
    _interpolated(x, table, float(density), float(rc), float(step), half, out)
    return out.astype(dtype, copy=False)
