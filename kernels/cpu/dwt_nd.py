"""One DWT level along an inner axis of a C-contiguous array, without moving the axis.

The array is seen as ``(outer, n, inner)``: the transformed axis in the middle, every later axis
collapsed into ``inner`` (contiguous). Each output row ``o`` of the axis is a sum of whole input
rows ``x[b, k, :]`` (``k = 2o + off + t``) scaled by one tap: loops over the contiguous ``inner``
elements that LLVM vectorises, with no transpose copy. Rows outside the signal (the ``F - 2``
edges) read each column through the mode's rule (:func:`dsp_kernels.rules.extended`).

Tasks (``prange``) are (outer index, block of columns). The last axis is not handled here: the
row kernels of :mod:`dsp_kernels.cpu.dwt` serve it directly.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import prange

from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.rules import extended as _extended
from dsp_kernels.shapes import MODES, dwt_len, idwt_len

_PERIODIZATION = MODES["periodization"]

#: columns per task: the accumulators of one block stay in L1
_COLS = 1024
#: below this many multiply-adds a call runs on one thread
_SERIAL_WORK = 1 << 21


@jit
def _dwt_block(x, hr, gr, off, mode, j0, j1, ca, cd):
    """Outputs of columns ``j0 .. j1-1`` of one ``(n, inner)`` slab."""
    n = x.shape[0]
    F = hr.shape[0]
    L = ca.shape[0]
    m = j1 - j0
    for o in range(L):
        a = ca[o, j0:j1]
        d = cd[o, j0:j1]
        a[:] = 0
        d[:] = 0
        for t in range(F):
            k = 2 * o + off + t
            h = hr[t]
            g = gr[t]
            if 0 <= k < n:
                row = x[k, j0:j1]
                for i in range(m):
                    v = row[i]
                    a[i] += h * v
                    d[i] += g * v
            else:
                for i in range(m):
                    v = _extended(x[:, j0 + i], n, k, mode)
                    a[i] += h * v
                    d[i] += g * v


@pjit
def _dwt_kernel(x, hr, gr, off, mode, ca, cd, cols):
    nb = x.shape[0]
    inner = x.shape[2]
    nc = (inner + cols - 1) // cols
    for task in prange(nb * nc):
        b = task // nc
        j0 = (task % nc) * cols
        _dwt_block(x[b], hr, gr, off, mode, j0, min(j0 + cols, inner), ca[b], cd[b])


@jit
def _dwt_serial(x, hr, gr, off, mode, ca, cd):
    for b in range(x.shape[0]):
        _dwt_block(x[b], hr, gr, off, mode, 0, x.shape[2], ca[b], cd[b])


@jit
def _idwt_block(ca, cd, rl, rh, n, periodization, j0, j1, out):
    """Synthesis of columns ``j0 .. j1-1``: ``out[m] = sum_j rl[j] cA[u - j/2] + rh[j] cD[.]`` over
    taps ``j`` of the parity of ``q = m + s`` (``u = q // 2``); ``s = F/2 - 1`` and indices mod
    ``n`` for periodization, ``s = F - 2`` and only in-range indices otherwise (the valid part)."""
    F = rl.shape[0]
    nout = out.shape[0]
    m_ = j1 - j0
    s = F // 2 - 1 if periodization else F - 2
    for mm in range(nout):
        y = out[mm, j0:j1]
        y[:] = 0
        q = mm + s
        r = q & 1
        u = q >> 1
        for j in range(r, F, 2):
            k = u - (j >> 1)
            if periodization:
                k = k % n
            elif k < 0 or k >= n:
                continue
            lv = rl[j]
            hv = rh[j]
            a = ca[k, j0:j1]
            d = cd[k, j0:j1]
            for i in range(m_):
                y[i] += lv * a[i] + hv * d[i]


@pjit
def _idwt_kernel(ca, cd, rl, rh, n, periodization, out, cols):
    nb = ca.shape[0]
    inner = ca.shape[2]
    nc = (inner + cols - 1) // cols
    for task in prange(nb * nc):
        b = task // nc
        j0 = (task % nc) * cols
        _idwt_block(ca[b], cd[b], rl, rh, n, periodization, j0, min(j0 + cols, inner), out[b])


@jit
def _idwt_serial(ca, cd, rl, rh, n, periodization, out):
    for b in range(ca.shape[0]):
        _idwt_block(ca[b], cd[b], rl, rh, n, periodization, 0, ca.shape[2], out[b])


def _cols(outer: int, inner: int) -> int:
    tasks = 4 * numba.get_num_threads()
    if outer >= tasks:
        return max(inner, 1)
    per = -(-tasks // max(outer, 1))
    return max(64, min(_COLS, -(-inner // per)))


def dwt(x, dec_lo, dec_hi, mode):
    """One analysis level along the middle axis of ``x`` (``(outer, n, inner)``, C-contiguous,
    float32 or float64); returns ``(cA, cD)`` of shape ``(outer, L, inner)`` in x's dtype."""
    hr = np.ascontiguousarray(dec_lo[::-1], dtype=x.dtype)
    gr = np.ascontiguousarray(dec_hi[::-1], dtype=x.dtype)
    nb, n, inner = x.shape
    F = hr.shape[0]
    L = dwt_len(n, F, mode)
    off = np.int64(1 - F // 2 if mode == _PERIODIZATION else 2 - F)
    ca = np.empty((nb, L, inner), dtype=x.dtype)
    cd = np.empty((nb, L, inner), dtype=x.dtype)
    if nb * L * inner == 0:
        return ca, cd
    if nb * L * inner * F < _SERIAL_WORK:
        _dwt_serial(x, hr, gr, off, np.int64(mode), ca, cd)
    else:
        _dwt_kernel(x, hr, gr, off, np.int64(mode), ca, cd, np.int64(_cols(nb, inner)))
    return ca, cd


def idwt(ca, cd, rec_lo, rec_hi, mode):
    """One synthesis level along the middle axis; ``ca``/``cd`` ``(outer, n, inner)`` of one
    dtype and shape; returns ``(outer, idwt_len(n), inner)``."""
    rl = np.ascontiguousarray(rec_lo, dtype=ca.dtype)
    rh = np.ascontiguousarray(rec_hi, dtype=ca.dtype)
    nb, n, inner = ca.shape
    F = rl.shape[0]
    nout = idwt_len(n, F, mode)
    out = np.empty((nb, nout, inner), dtype=ca.dtype)
    if nb * nout * inner == 0:
        return out
    per = np.bool_(mode == _PERIODIZATION)
    if nb * nout * inner * F < _SERIAL_WORK:
        _idwt_serial(ca, cd, rl, rh, np.int64(n), per, out)
    else:
        _idwt_kernel(ca, cd, rl, rh, np.int64(n), per, out, np.int64(_cols(nb, inner)))
    return out
