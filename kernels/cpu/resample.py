"""Resampling kernels: polyphase FIR for rational ratios, interpolated-table FIR for any ratio,
and a half-band decimator by 2 (the first stage of a two-stage conversion).

Entry functions take validated, C-contiguous ``(channels, n)`` arrays and precomputed filter
tables (designed and cached by :mod:`dsp.resampling`). Work is split into independent
(channel, block of outputs) items, run with ``prange``; samples outside the signal count as zero.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from dsp_kernels.caches import register as register_cache
from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.resample_lanes import short_polyphase

#: outputs per parallel work item: large enough to amortise scheduling, small enough to balance
BLOCK = 2048
#: bytes of input one work item of the rational kernel spans, at most (rounded down to whole
#: groups of LANES periods, at least one): each of its ``up`` residue passes then re-reads a span
#: that stays in L1. 8 periods at 44.1 -> 16 kHz run 1.3x faster than the 24 of a fixed 4096
#: outputs per item (whose 42 KB span spilled to L2); the output does not change.
ITEM_BYTES = 16384
#: outputs of one phase computed together (they share the filter row's loads)
LANES = 8
#: taps are zero-padded to a multiple of this (one 512-bit vector of float32): no scalar tail
TAP_MULTIPLE = 16
#: tables of at most this many (padded) taps and rows take the period-lanes kernel
#: (:mod:`dsp_kernels.cpu.resample_lanes`): a dot product this short is dominated by its
#: horizontal sum, and its table of outputs (rows x W) stays in L1 / L2
SHORT_TAPS = 64
SHORT_ROWS = 4096


@jit
def _polyphase_item(x, table, phase_of, offset_of, up, down, periods_per_item, n_periods, zero, out, item):
    # Output m = k * up + r (period k, residue r) reads filter row phase_of[r] at input
    # k * down + offset_of[r]: within a work item the outputs are taken residue by residue, so
    # one row serves LANES outputs at once (one row load per LANES multiply-adds) and stays in
    # L1 while the item's input span does too. Each dot product vectorises over the taps.
    # Every output, edges included, takes this vector path (a scalar dot product per edge
    # output cost 10x as much per output, about 0.5 ms a call at 22.05 -> 16 kHz): an item
    # whose reads reach past either end of x (the first and last only) reads a copy of its
    # span with zeros outside the signal, so the kernel never tests a window and the signal is
    # never copied whole (that doubled the peak memory of a long call).
    n_out = out.shape[1]
    taps = table.shape[1]
    nitems = max(1, n_periods // periods_per_item)
    c = item // nitems
    q = item - c * nitems
    oc = out[c]
    k0 = q * periods_per_item
    # the last item takes the remainder: every item but a lone short one spans >= LANES periods
    k1 = n_periods if q == nitems - 1 else k0 + periods_per_item
    # the span read: periods k0 .. max(k1, k0 + LANES) - 1 (a lone short item computes LANES)
    lo = k0 * down + offset_of[0]
    hi = (max(k1, k0 + LANES) - 1) * down + offset_of[up - 1] + taps
    n = x.shape[1]
    if lo >= 0 and hi <= n:
        xc = x[c]
        base = 0
    else:
        xc = np.zeros(hi - lo, dtype=x.dtype)
        for i in range(max(lo, 0), min(hi, n)):
            xc[i - lo] = x[c, i]
        base = lo
    for r in range(up):
        row = table[phase_of[r]]
        off = offset_of[r] - base
        k = k0
        while k < k1:
            # a last group shorter than LANES moves back to end at k1: it recomputes (the same
            # values) a few outputs of this item instead of leaving the rest to a scalar loop
            kk = k if k + LANES <= k1 else max(k0, k1 - LANES)
            s = kk * down + off
            m = kk * up + r
            # 1-D slices indexed by the loop counter: no wraparound checks, so LLVM
            # vectorises the eight dot products together
            s0 = xc[s:s + taps]
            s1 = xc[s + down:s + down + taps]
            s2 = xc[s + 2 * down:s + 2 * down + taps]
            s3 = xc[s + 3 * down:s + 3 * down + taps]
            s4 = xc[s + 4 * down:s + 4 * down + taps]
            s5 = xc[s + 5 * down:s + 5 * down + taps]
            s6 = xc[s + 6 * down:s + 6 * down + taps]
            s7 = xc[s + 7 * down:s + 7 * down + taps]
            a0 = zero
            a1 = zero
            a2 = zero
            a3 = zero
            a4 = zero
            a5 = zero
            a6 = zero
            a7 = zero
            for j in range(taps):
                w = row[j]
                a0 += w * s0[j]
                a1 += w * s1[j]
                a2 += w * s2[j]
                a3 += w * s3[j]
                a4 += w * s4[j]
                a5 += w * s5[j]
                a6 += w * s6[j]
                a7 += w * s7[j]
            if kk + LANES <= k1 and m + (LANES - 1) * up < n_out:
                oc[m] = a0
                oc[m + up] = a1
                oc[m + 2 * up] = a2
                oc[m + 3 * up] = a3
                oc[m + 4 * up] = a4
                oc[m + 5 * up] = a5
                oc[m + 6 * up] = a6
                oc[m + 7 * up] = a7
            else:  # a group reaching past the item or the output (only with fewer than LANES periods)
                acc = (a0, a1, a2, a3, a4, a5, a6, a7)
                for lane in range(LANES):
                    if kk + lane < k1 and m + lane * up < n_out:
                        oc[m + lane * up] = acc[lane]
            k = kk + LANES


def _n_items(x, periods_per_item, n_periods):
    return x.shape[0] * max(1, n_periods // periods_per_item)


@pjit
def _polyphase_parallel(x, table, phase_of, offset_of, up, down, periods_per_item, n_periods, zero, out, n_items):
    for item in prange(n_items):
        _polyphase_item(x, table, phase_of, offset_of, up, down, periods_per_item, n_periods, zero, out, item)


@jit
def _polyphase_serial(x, table, phase_of, offset_of, up, down, periods_per_item, n_periods, zero, out, n_items):
    for item in range(n_items):
        _polyphase_item(x, table, phase_of, offset_of, up, down, periods_per_item, n_periods, zero, out, item)


#: below this many multiply-adds (about a third of a millisecond) one thread does the work:
#: waking the pool costs more, and on a busy machine a parallel call waits for a descheduled worker
SERIAL_MACS = 1 << 21

_PADDED: dict = {}
register_cache(f"{__name__}._PADDED", _PADDED.clear, _PADDED.__len__)


def _padded(table):
    """``table`` with zero taps appended to a multiple of TAP_MULTIPLE (same sums, whole vectors
    only), kept for the next call while the caller's cached table lives (it is held here)."""
    hit = _PADDED.get(id(table))
    if hit is not None and hit[0] is table:
        return hit[1]
    taps = table.shape[1]
    width = -(-taps // TAP_MULTIPLE) * TAP_MULTIPLE
    padded = np.zeros((table.shape[0], width), dtype=table.dtype)
    padded[:, :taps] = table
    if len(_PADDED) >= 32:
        _PADDED.clear()
    _PADDED[id(table)] = (table, padded)
    return padded


def polyphase(x, table, up, down, n_out, shift=0):
    """Rational resampling by ``up / down`` with the polyphase ``table`` of shape (up, taps).

    Row ``phase`` holds the filter taps for outputs whose input position has fractional part
    ``phase / up``; tap ``j`` multiplies input sample ``floor(pos) - taps/2 + 1 + j``, where output
    ``m`` is at position ``pos = m * down / up + shift`` (``shift``: samples of ``x`` that lie
    before the output's time origin, as the leading tail of a first stage). The table's dtype
    is the accumulator's.
    """
    taps = table.shape[1]
    half = taps // 2
    table = _padded(table)
    n_periods = (n_out + up - 1) // up
    r = np.arange(up, dtype=np.int64)
    phase_of = (r * down) % up
    out = np.empty((x.shape[0], n_out), dtype=table.dtype)
    if table.shape[1] <= SHORT_TAPS and up <= SHORT_ROWS:  # stages its end groups itself
        offset_of = (r * down) // up - half + 1 + shift
        # its multiply-adds cost about a third of the general kernel's: the same serial rule in time
        return short_polyphase(np.ascontiguousarray(x, dtype=table.dtype), table, phase_of, offset_of, up,
                               down, n_periods, out, x.shape[0] * n_out * taps >= 3 * SERIAL_MACS)
    offset_of = (r * down) // up - half + 1 + shift
    x = np.ascontiguousarray(x, dtype=table.dtype)
    span = ITEM_BYTES // table.dtype.itemsize - table.shape[1]
    periods = max(LANES, span // down // LANES * LANES)
    n_items = _n_items(x, periods, n_periods)
    kernel = _polyphase_serial if x.shape[0] * n_out * taps < SERIAL_MACS else _polyphase_parallel
    kernel(x, table, phase_of, offset_of, np.int64(up), np.int64(down), np.int64(periods), np.int64(n_periods),
           table.dtype.type(0), out, np.int64(n_items))
    return out


@jit
def _halfband_item(x, taps, center, shift, out, item, nblocks, ev, od):
    # Output i = center * x[2 c] + sum_k taps[k] (x[2 c - 2k - 1] + x[2 c + 2k + 1]), c = i - shift:
    # the even taps of a half-band filter are zero but the centre's, so with the block's even
    # (ev) and odd (od) samples split apart the sum runs over the odd taps only, each once for
    # a symmetric pair. The split is made here, block by block into L1 scratch (a whole-signal
    # copy of each half cost as much as the filtering); samples outside x are zero. Taken tap
    # by tap over the block, every pass is a contiguous vector operation (od[j + nt - k - 1] +
    # od[j + nt + k]) and the block of outputs stays in L1.
    nt = taps.shape[0]
    ch = item // nblocks
    b = item - ch * nblocks
    n = x.shape[1]
    n_out = out.shape[1]
    i0 = b * BLOCK
    cnt = min(n_out, i0 + BLOCK) - i0
    xc = x[ch]
    oc = out[ch, i0:i0 + cnt]
    c0 = i0 - shift
    # ev[j] = x[2 (c0 + j)], od[j] = x[2 (c0 - nt + j) + 1]
    e_lo = 2 * c0
    o_lo = 2 * (c0 - nt) + 1
    if e_lo >= 0 and o_lo >= 0 and 2 * (c0 + cnt - 1) < n and 2 * (c0 - nt + cnt + 2 * nt - 1) + 1 < n:
        for j in range(cnt):
            ev[j] = xc[e_lo + 2 * j]
        for j in range(cnt + 2 * nt):
            od[j] = xc[o_lo + 2 * j]
    else:  # a block at either end of the signal
        for j in range(cnt):
            q = e_lo + 2 * j
            ev[j] = xc[q] if q >= 0 and q < n else 0.0
        for j in range(cnt + 2 * nt):
            q = o_lo + 2 * j
            od[j] = xc[q] if q >= 0 and q < n else 0.0
    for j in range(cnt):
        oc[j] = center * ev[j]
    for k in range(nt):
        t = taps[k]
        a = od[nt - k - 1:nt - k - 1 + cnt]
        c = od[nt + k:nt + k + cnt]
        for j in range(cnt):
            oc[j] += t * (a[j] + c[j])


@pjit
def _halfband_parallel(x, taps, center, shift, out, nblocks):
    for item in prange(out.shape[0] * nblocks):
        ev = np.empty(BLOCK, dtype=out.dtype)
        od = np.empty(BLOCK + 2 * taps.shape[0], dtype=out.dtype)
        _halfband_item(x, taps, center, shift, out, item, nblocks, ev, od)


@jit
def _halfband_serial(x, taps, center, shift, out, nblocks):
    ev = np.empty(BLOCK, dtype=out.dtype)
    od = np.empty(BLOCK + 2 * taps.shape[0], dtype=out.dtype)
    for item in range(out.shape[0] * nblocks):
        _halfband_item(x, taps, center, shift, out, item, nblocks, ev, od)


def halfband(x, taps, shift, n_out):
    """Decimate by 2 with a half-band filter whose odd taps ``h[+-(2k + 1)]`` are ``taps[k]``.

    ``out[:, i] = 0.5 x[2 c] + sum_k taps[k] (x[2 c - 2k - 1] + x[2 c + 2k + 1])`` with
    ``c = i - shift`` and samples outside ``x`` zero: ``shift`` outputs before ``x``'s first
    sample carry the filter's leading tail. ``taps`` (1-D) has the accumulator's dtype.
    """
    x = np.ascontiguousarray(x, dtype=taps.dtype)
    nch = x.shape[0]
    out = np.empty((nch, n_out), dtype=taps.dtype)
    nblocks = (n_out + BLOCK - 1) // BLOCK
    kernel = _halfband_serial if nch * n_out * taps.shape[0] < SERIAL_MACS else _halfband_parallel
    kernel(x, taps, taps.dtype.type(0.5), np.int64(shift), out, np.int64(nblocks))
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
    # taps reach at most the whole record (every output lies within n samples of each input):
    # bounded by n so that a tiny ratio (rc ~ 1e-20) neither overflows int64 nor allocates 2 half
    half = int(min(math.floor(num_zeros / rc), x.shape[1] + 1)) + 1
    _interpolated(x, table, float(density), float(rc), float(step), half, out)
    return out.astype(dtype, copy=False)
