"""The njit kernels of the 1-D DWT: one row, a batch of rows (``prange``), every level of a row.

The signal is never padded: each output reads the samples it needs through the extension mode's
index rule (:func:`dsp_kernels.rules.extended`, which the GPU twin compiles too). Outputs whose
taps all fall inside the signal are computed in polyphase blocks (the block's even and odd
samples side by side, every pair of taps sweeping the block: loops LLVM vectorises); only the few
outputs near the edges go through the mode's rule. The inverse (upsampling + convolution) is a
blocked polyphase sum too: the even and odd outputs of a pair read the same coefficients with the
even and odd filter taps.

The plain-Python entry functions that choose among these kernels (serial, parallel over rows or
over blocks of outputs) and allocate their outputs are in :mod:`dsp_kernels.cpu.dwt`.
"""
from __future__ import annotations

import numpy as np
from numba import prange, uint64 as u64

from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.rules import extended as _extended  # the mode's index rule, shared with the GPU
from dsp_kernels.shapes import MODES

_PERIODIZATION = MODES["periodization"]


#: outputs per block: the block's scratch (a few KiB) stays in L1 while every tap sweeps it
_BLOCK = 512


@jit
def _dwt_edge(x, hr, gr, off, mode, o0, o1, ca, cd):
    """Outputs whose taps reach past an end of the signal: each sample through the mode's rule."""
    n = x.shape[0]
    F = hr.shape[0]
    for o in range(o0, o1):
        base = 2 * o + off
        a64 = 0.0
        d64 = 0.0
        for t in range(F):
            v64 = _extended(x, n, base + t, mode)
            a64 += hr[t] * v64
            d64 += gr[t] * v64
        ca[o] = a64
        cd[o] = d64


@jit
def _dwt_scratch(x, F):
    """Per-task scratch of the interior blocks: even and odd samples, two block sums."""
    half = F // 2
    return (
        np.empty(_BLOCK + half, x.dtype),
        np.empty(_BLOCK + half, x.dtype),
        np.empty(_BLOCK, x.dtype),
        np.empty(_BLOCK, x.dtype),
    )


@jit
def _dwt_interior(x, hr, gr, off, o0, o1, ca, cd, xe, xo, sa, sd):
    """Outputs whose taps all lie inside the signal, by polyphase blocks.

    Each block de-interleaves the samples it reads into even and odd phases (contiguous), then
    every pair of taps sweeps the block: loops over outputs that LLVM vectorises.
    """
    half = hr.shape[0] // 2
    B = _BLOCK
    for s in range(o0, o1, B):
        m = min(B, o1 - s)
        # unsigned indices: without Numba's check for negative ones this loop vectorises (4x)
        xs = x[2 * s + off :]
        for i in range(u64(m + half - 1)):
            xe[i] = xs[u64(2) * i]
            xo[i] = xs[u64(2) * i + u64(1)]
        # the first pair of taps sets the sums (no zeroing pass), the last writes the outputs
        # (no copying pass)
        h0 = hr[0]
        h1 = hr[1]
        g0 = gr[0]
        g1 = gr[1]
        if half == 1:
            a_ = ca[s : s + m]
            d_ = cd[s : s + m]
            for i in range(u64(m)):
                e = xe[i]
                od = xo[i]
                a_[i] = h0 * e + h1 * od
                d_[i] = g0 * e + g1 * od
            continue
        for i in range(u64(m)):
            e = xe[i]
            od = xo[i]
            sa[i] = h0 * e + h1 * od
            sd[i] = g0 * e + g1 * od
        for t in range(1, half - 1):
            h0 = hr[2 * t]
            h1 = hr[2 * t + 1]
            g0 = gr[2 * t]
            g1 = gr[2 * t + 1]
            ee = xe[t : t + m]
            oo = xo[t : t + m]
            for i in range(u64(m)):
                e = ee[i]
                od = oo[i]
                sa[i] += h0 * e + h1 * od
                sd[i] += g0 * e + g1 * od
        t = half - 1
        h0 = hr[2 * t]
        h1 = hr[2 * t + 1]
        g0 = gr[2 * t]
        g1 = gr[2 * t + 1]
        ee = xe[t : t + m]
        oo = xo[t : t + m]
        a_ = ca[s : s + m]
        d_ = cd[s : s + m]
        for i in range(u64(m)):
            e = ee[i]
            od = oo[i]
            a_[i] = sa[i] + (h0 * e + h1 * od)
            d_[i] = sd[i] + (g0 * e + g1 * od)


@jit
def _dwt_row(x, hr, gr, off, mode, o0, o1, ca, cd):
    """Outputs ``o0 .. o1-1`` of one row: ``ca[o] = sum_t hr[t] * X[2o + off + t]``."""
    xe, xo, sa, sd = _dwt_scratch(x, hr.shape[0])
    _dwt_row_into(x, hr, gr, off, mode, o0, o1, ca, cd, xe, xo, sa, sd)


@jit
def _dwt_row_into(x, hr, gr, off, mode, o0, o1, ca, cd, xe, xo, sa, sd):
    """:func:`_dwt_row` with the caller's scratch (allocated once for all levels of a row)."""
    n = x.shape[0]
    F = hr.shape[0]
    # interior: 2o + off >= 0 and 2o + off + F <= n
    lo = max(o0, -(off // 2))
    hi = min(o1, (n - F - off) // 2 + 1)
    if hi <= lo:
        _dwt_edge(x, hr, gr, off, mode, o0, o1, ca, cd)
        return
    _dwt_edge(x, hr, gr, off, mode, o0, lo, ca, cd)
    _dwt_interior(x, hr, gr, off, lo, hi, ca, cd, xe, xo, sa, sd)
    _dwt_edge(x, hr, gr, off, mode, hi, o1, ca, cd)


@pjit
def _dwt_kernel(x, hr, gr, off, mode, ca, cd, chunk):
    """One analysis level of every row of ``x``; tasks are (row, block of ``chunk`` outputs)."""
    nb = x.shape[0]
    L = ca.shape[1]
    nchunks = (L + chunk - 1) // chunk
    for task in prange(nb * nchunks):
        b = task // nchunks
        o0 = (task % nchunks) * chunk
        _dwt_row(x[b], hr, gr, off, mode, o0, min(o0 + chunk, L), ca[b], cd[b])


@jit
def _idwt_valid_row(ca, cd, le, lo, he, ho, i0, i1, out):
    """Output pairs ``i0 .. i1-1``: pair ``(2i, 2i+1)`` reads coefficients ``i .. i + F/2 - 1``.

    By blocks: each tap sweeps a block of even and odd sums (contiguous, vectorised), which are
    then interleaved into the output.
    """
    half = le.shape[0]
    B = _BLOCK
    se = np.empty(B, ca.dtype)
    so = np.empty(B, ca.dtype)
    for s in range(max(i0, 0), i1, B):
        m = min(B, i1 - s)
        se[:m] = 0
        so[:m] = 0
        for t in range(half):
            l0 = le[t]
            l1 = lo[t]
            h0 = he[t]
            h1 = ho[t]
            aa = ca[s + t : s + t + m]
            dd = cd[s + t : s + t + m]
            for i in range(m):
                a = aa[i]
                d = dd[i]
                se[i] += l0 * a + h0 * d
                so[i] += l1 * a + h1 * d
        pair = out[2 * s : 2 * s + 2 * m]
        for i in range(m):
            pair[2 * i] = se[i]
            pair[2 * i + 1] = so[i]


@pjit
def _idwt_valid_kernel(ca, cd, le, lo, he, ho, out, chunk):
    """Inverse for every mode but periodization: the valid part of the upsampled convolution.

    ``le``/``lo`` are the even and odd taps of the low-pass reconstruction filter, reversed;
    ``he``/``ho`` those of the high-pass one.
    """
    nb = ca.shape[0]
    npairs = out.shape[1] // 2
    nchunks = (npairs + chunk - 1) // chunk
    for task in prange(nb * nchunks):
        b = task // nchunks
        i0 = (task % nchunks) * chunk
        _idwt_valid_row(ca[b], cd[b], le, lo, he, ho, i0, min(i0 + chunk, npairs), out[b])


@jit
def _idwt_periodization_row(ca, cd, n, rl, rh, m0, m1, out):
    """``y[m] = sum_j rl[j] cA[((q - j) / 2) mod n] + rh[j] cD[...]`` over ``j = q mod 2``,
    ``q = m + F/2 - 1``."""
    F = rl.shape[0]
    s = F // 2 - 1
    zero = rl[0] - rl[0]
    for m in range(max(m0, 0), m1):
        q = m + s
        r = q & 1
        u = q >> 1
        acc = zero
        if u - (F - 1 - r) // 2 >= 0 and u < n:
            for j in range(r, F, 2):
                k = u - (j >> 1)
                acc += rl[j] * ca[k] + rh[j] * cd[k]
        else:
            for j in range(r, F, 2):
                k = (u - (j >> 1)) % n
                acc += rl[j] * ca[k] + rh[j] * cd[k]
        out[m] = acc


@pjit
def _idwt_periodization_kernel(ca, cd, n, rl, rh, out, chunk):
    """Inverse periodization (circular), from the first ``n`` coefficients of each row."""
    nb = ca.shape[0]
    nout = out.shape[1]
    nchunks = (nout + chunk - 1) // chunk
    for task in prange(nb * nchunks):
        b = task // nchunks
        m0 = (task % nchunks) * chunk
        _idwt_periodization_row(ca[b], cd[b], n, rl, rh, m0, min(m0 + chunk, nout), out[b])


@jit
def _dwt_serial(x, hr, gr, off, mode, ca, cd):
    for b in range(x.shape[0]):
        _dwt_row(x[b], hr, gr, off, mode, np.int64(0), ca.shape[1], ca[b], cd[b])  # not a literal 0: one specialisation


@jit
def _idwt_valid_serial(ca, cd, le, lo, he, ho, out):
    for b in range(ca.shape[0]):
        _idwt_valid_row(ca[b], cd[b], le, lo, he, ho, 0, out.shape[1] // 2, out[b])


@jit
def _idwt_periodization_serial(ca, cd, n, rl, rh, out):
    for b in range(ca.shape[0]):
        _idwt_periodization_row(ca[b], cd[b], n, rl, rh, 0, out.shape[1], out[b])


@jit
def _wavedec_row(x, hr, gr, off, mode, lens, starts, b, out, scratch):
    """Every level of one row. Level ``j``'s cD (and the last cA) go to ``out``, the others'
    cA to ``scratch``; each array of the batch is a ``(batch, L)`` block of the flat buffer."""
    src = x
    level = lens.shape[0]
    xe, xo, sa, sd = _dwt_scratch(x, hr.shape[0])
    for j in range(level):
        L = lens[j]
        d0 = starts[j] + b * L
        a0 = starts[level + j] + b * L
        dst = out if j == level - 1 else scratch
        ca = dst[a0 : a0 + L]
        _dwt_row_into(src, hr, gr, off, mode, np.int64(0), L, ca, out[d0 : d0 + L], xe, xo, sa, sd)
        src = ca


@pjit
def _wavedec_kernel(x, hr, gr, off, mode, lens, starts, out, scratch):
    """All levels of every row in one parallel region (a batch feeds the threads by itself)."""
    for b in prange(x.shape[0]):
        _wavedec_row(x[b], hr, gr, off, mode, lens, starts, b, out, scratch)


@jit
def _wavedec_serial(x, hr, gr, off, mode, lens, starts, out, scratch):
    for b in range(x.shape[0]):
        _wavedec_row(x[b], hr, gr, off, mode, lens, starts, b, out, scratch)


@jit
def _waverec_row(ca, details, outs, b, mode, rl, rh, le, lo, he, ho, out, scratch):
    """Every synthesis level of row ``b``; ``details`` is a typed list of ``(batch, n_j)`` arrays,
    ``outs`` the output length of each level; intermediate approximations alternate between two
    scratch rows."""
    src = ca
    level = len(details)
    for j in range(level):
        d = details[j][b]
        n = d.shape[0]
        nout = outs[j]
        dst = out if j == level - 1 else scratch[j & 1, :nout]
        if mode == _PERIODIZATION:
            _idwt_periodization_row(src, d, n, rl, rh, 0, nout, dst)
        else:
            _idwt_valid_row(src, d, le, lo, he, ho, 0, nout // 2, dst)
        src = dst


@pjit
def _waverec_kernel(ca, details, outs, mode, rl, rh, le, lo, he, ho, out, scratch):
    for b in prange(ca.shape[0]):
        _waverec_row(ca[b], details, outs, b, mode, rl, rh, le, lo, he, ho, out[b], scratch[b])


@jit
def _waverec_serial(ca, details, outs, mode, rl, rh, le, lo, he, ho, out, scratch):
    for b in range(ca.shape[0]):
        _waverec_row(ca[b], details, outs, b, mode, rl, rh, le, lo, he, ho, out[b], scratch[b])
