"""GPU twin of :mod:`dsp_kernels.cpu.dwt_nd`: one DWT level along an inner axis, without moving it.

Same entries and signatures (``dwt``, ``idwt``) and the same view of the array: ``(outer, n,
inner)``, the transformed axis in the middle, every later axis collapsed into the contiguous
``inner``. One thread per output element ``(b, o, j)``, flattened with ``j`` fastest: consecutive
threads of a warp read consecutive columns ``x[b, k, j]`` of one input row, so each tap is one
coalesced load, and no transpose copy is made (the glue used to move the axis last, copy, run the
row kernels and move it back). Signal extension at the edges is the CPU's rule
(:func:`dsp_kernels.rules.extended`, compiled for the device) applied to the column ``x[b, :, j]``;
lengths are :mod:`dsp_kernels.shapes`'. Sums are in float64, as in :mod:`dsp_kernels.gpu.dwt`.

The last axis is not handled here: the row kernels of :mod:`dsp_kernels.gpu.dwt` serve it.

Examples
--------
>>> import cupy                                            # doctest: +SKIP
>>> from dsp_kernels.gpu import dwt_nd                       # doctest: +SKIP
>>> from dsp_kernels.shapes import MODES                     # doctest: +SKIP
>>> x = cupy.ones((2, 8, 3))                                 # doctest: +SKIP
>>> ca, cd = dwt_nd.dwt(x, [0.5 ** 0.5] * 2, [-(0.5 ** 0.5), 0.5 ** 0.5], MODES["symmetric"])  # doctest: +SKIP
>>> ca.shape                                                 # doctest: +SKIP
(2, 4, 3)
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from dsp_kernels.shapes import MODES, dwt_len, idwt_len

from . import _runtime as rt
from .rules import extended

_PERIODIZATION = MODES["periodization"]


@cuda.jit
def _dwt_kernel(x, hr, gr, off, mode, ca, cd):
    i = cuda.grid(1)
    nb, n, inner = x.shape
    L = ca.shape[1]
    if i >= nb * L * inner:
        return
    j = i % inner
    r = i // inner
    o = r % L
    b = r // L
    col = x[b, :, j]
    base = 2 * o + off
    a = 0.0
    d = 0.0
    for t in range(hr.shape[0]):
        v = extended(col, n, base + t, mode)
        a += hr[t] * v
        d += gr[t] * v
    ca[b, o, j] = a
    cd[b, o, j] = d


@cuda.jit
def _idwt_kernel(ca, cd, rl, rh, n, periodization, out):
    """``out[m] = sum_j rl[j] cA[u - j/2] + rh[j] cD[u - j/2]`` over the taps ``j`` of the parity
    of ``q = m + s`` (``u = q // 2``): ``s = F/2 - 1`` and indices mod ``n`` for periodization,
    ``s = F - 2`` and only in-range indices otherwise (the valid part), as the CPU twin."""
    i = cuda.grid(1)
    nb, nout, inner = out.shape
    if i >= nb * nout * inner:
        return
    j = i % inner
    r = i // inner
    m = r % nout
    b = r // nout
    F = rl.shape[0]
    s = F // 2 - 1 if periodization else F - 2
    q = m + s
    u = q >> 1
    acc = 0.0
    for t in range(q & 1, F, 2):
        k = u - (t >> 1)
        if periodization:
            k = k % n
        elif k < 0 or k >= n:
            continue
        acc += rl[t] * ca[b, k, j] + rh[t] * cd[b, k, j]
    out[b, m, j] = acc


def dwt(x, dec_lo, dec_hi, mode):
    """One analysis level along the middle axis of ``x`` (``(outer, n, inner)`` on the device,
    float32 or float64); returns ``(cA, cD)`` of shape ``(outer, L, inner)`` in x's dtype."""
    xp = rt.xp()
    x = xp.ascontiguousarray(x)
    hr = rt.as_device(np.asarray(dec_lo, np.float64)[::-1])
    gr = rt.as_device(np.asarray(dec_hi, np.float64)[::-1])
    nb, n, inner = x.shape
    F = hr.shape[0]
    L = dwt_len(n, F, mode)
    off = 1 - F // 2 if mode == _PERIODIZATION else 2 - F
    ca = xp.empty((nb, L, inner), dtype=x.dtype)
    cd = xp.empty((nb, L, inner), dtype=x.dtype)
    total = nb * L * inner
    if total:
        blocks, threads = rt.grid_1d(total)
        rt.launch(_dwt_kernel, blocks, threads, x, hr, gr, off, mode, ca, cd)
    return ca, cd


def idwt(ca, cd, rec_lo, rec_hi, mode):
    """One synthesis level along the middle axis; ``ca``/``cd`` ``(outer, n, inner)`` of one
    dtype and shape on the device; returns ``(outer, idwt_len(n), inner)``."""
    xp = rt.xp()
    ca = xp.ascontiguousarray(ca)
    cd = xp.ascontiguousarray(cd)
    rl = rt.as_device(np.asarray(rec_lo, np.float64))
    rh = rt.as_device(np.asarray(rec_hi, np.float64))
    nb, n, inner = ca.shape
    nout = idwt_len(n, rl.shape[0], mode)
    out = xp.empty((nb, nout, inner), dtype=ca.dtype)
    total = nb * nout * inner
    if total:
        blocks, threads = rt.grid_1d(total)
        rt.launch(_idwt_kernel, blocks, threads, ca, cd, rl, rh, n, mode == _PERIODIZATION, out)
    return out
