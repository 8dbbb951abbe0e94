"""GPU twin of :mod:`dsp_kernels.cpu.dwt`: extension + convolution + downsampling in one kernel.

Same entries and signatures (``dwt``, ``wavedec``, ``idwt``, ``waverec``, ``swt``, ``iswt``), same formulas:
the extension rule is the CPU's (:func:`dsp_kernels.rules.extended`, compiled for the device),
the lengths are :mod:`dsp_kernels.shapes`'. One thread per output coefficient
(analysis) or per output pair (synthesis); consecutive threads take consecutive outputs, so the
strided signal reads of a warp fall in a few cache lines. Sums are in float64.
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from dsp_kernels import stationary
from dsp_kernels.shapes import MODES, dwt_len, idwt_len

from . import _runtime as rt
from .rules import extended

_PERIODIZATION = MODES["periodization"]


@cuda.jit(device=True, inline=True)
def _mod(a, p):
    m = a % p
    return m + p if m < 0 else m


@cuda.jit
def _dwt_kernel(x, hr, gr, off, mode, ca, cd):
    o, b = cuda.grid(2)
    nb, n = x.shape
    if o >= ca.shape[1] or b >= nb:
        return
    base = 2 * o + off
    a = 0.0
    d = 0.0
    row = x[b]
    for t in range(hr.shape[0]):
        v = extended(row, n, base + t, mode)
        a += hr[t] * v
        d += gr[t] * v
    ca[b, o] = a
    cd[b, o] = d


@cuda.jit
def _idwt_valid_kernel(ca, cd, le, lo, he, ho, out):
    i, b = cuda.grid(2)
    if i >= out.shape[1] // 2 or b >= out.shape[0]:
        return
    se = 0.0
    so = 0.0
    for t in range(le.shape[0]):
        a = ca[b, i + t]
        d = cd[b, i + t]
        se += le[t] * a + he[t] * d
        so += lo[t] * a + ho[t] * d
    out[b, 2 * i] = se
    out[b, 2 * i + 1] = so


@cuda.jit
def _idwt_periodization_kernel(ca, cd, n, rl, rh, out):
    m, b = cuda.grid(2)
    if m >= out.shape[1] or b >= out.shape[0]:
        return
    F = rl.shape[0]
    q = m + F // 2 - 1
    r = q & 1
    u = q >> 1
    acc = 0.0
    for j in range(r, F, 2):
        k = _mod(u - (j >> 1), n)
        acc += rl[j] * ca[b, k] + rh[j] * cd[b, k]
    out[b, m] = acc


def _dwt_into(x, hr, gr, mode, L):
    xp = rt.xp()
    nb, n = x.shape
    F = hr.shape[0]
    off = 1 - F // 2 if mode == _PERIODIZATION else 2 - F
    ca = xp.empty((nb, L), dtype=x.dtype)
    cd = xp.empty((nb, L), dtype=x.dtype)
    if nb and L:
        blocks, threads = rt.grid_2d(L, nb)
        rt.launch(_dwt_kernel, blocks, threads, xp.ascontiguousarray(x), hr, gr, off, mode, ca, cd)
    return ca, cd


def _analysis_filters(dec_lo, dec_hi):
    return rt.as_device(np.asarray(dec_lo, np.float64)[::-1]), rt.as_device(np.asarray(dec_hi, np.float64)[::-1])


def dwt(x, dec_lo, dec_hi, mode):
    """One analysis level of every row of ``x`` (batch, n): returns ``(cA, cD)``."""
    hr, gr = _analysis_filters(dec_lo, dec_hi)
    return _dwt_into(x, hr, gr, mode, dwt_len(x.shape[1], hr.shape[0], mode))


def wavedec(x, dec_lo, dec_hi, mode, level):
    """``level`` analysis levels; returns ``[cA_level, cD_level, ..., cD_1]``."""
    hr, gr = _analysis_filters(dec_lo, dec_hi)
    details = []
    a = x
    for _ in range(level):
        a, d = _dwt_into(a, hr, gr, mode, dwt_len(a.shape[1], hr.shape[0], mode))
        details.append(d)
    return [a] + details[::-1]


def _synthesis_filters(rec_lo, rec_hi, mode):
    rl = np.asarray(rec_lo, np.float64)
    rh = np.asarray(rec_hi, np.float64)
    if mode == _PERIODIZATION:
        return rt.as_device(rl), rt.as_device(rh)
    return tuple(rt.as_device(f[p::2][::-1]) for f in (rl, rh) for p in (0, 1))


def _idwt_into(ca, cd, n, filters, mode):
    xp = rt.xp()
    nb = ca.shape[0]
    ca = xp.ascontiguousarray(ca)
    cd = xp.ascontiguousarray(cd)
    if mode == _PERIODIZATION:
        out = xp.empty((nb, idwt_len(n, filters[0].shape[0], mode)), dtype=ca.dtype)
        if nb and n:
            blocks, threads = rt.grid_2d(2 * n, nb)
            rt.launch(_idwt_periodization_kernel, blocks, threads, ca, cd, n, filters[0], filters[1], out)
        return out
    le, lo, he, ho = filters
    nout = idwt_len(n, 2 * le.shape[0], mode)
    out = xp.empty((nb, nout), dtype=ca.dtype)
    if nb and nout:
        blocks, threads = rt.grid_2d(nout // 2, nb)
        rt.launch(_idwt_valid_kernel, blocks, threads, ca, cd, le, lo, he, ho, out)
    return out


def idwt(ca, cd, rec_lo, rec_hi, mode):
    """One synthesis level from ``ca``, ``cd`` (batch, n)."""
    return _idwt_into(ca, cd, cd.shape[1], _synthesis_filters(rec_lo, rec_hi, mode), mode)


def waverec(ca, details, rec_lo, rec_hi, mode):
    """Synthesis through ``details = [cD_level, ..., cD_1]`` (approximation trimmed as needed)."""
    filters = _synthesis_filters(rec_lo, rec_hi, mode)
    a = ca
    for d in details:
        a = _idwt_into(a, d, d.shape[1], filters, mode)
    return a


def swt(x, dec_lo, dec_hi, level, start_level):
    """Stationary transform, finest level first (plan: :func:`dsp_kernels.stationary.swt`)."""
    hr, gr = _analysis_filters(dec_lo, dec_hi)
    return stationary.swt(rt.xp(), x, level, start_level, lambda rows, L: _dwt_into(rows, hr, gr, _PERIODIZATION, L))


def iswt(ca, details, rec_lo, rec_hi):
    """Inverse stationary transform (plan: :func:`dsp_kernels.stationary.iswt`)."""
    filters = _synthesis_filters(rec_lo, rec_hi, _PERIODIZATION)
    return stationary.iswt(rt.xp(), ca, details, lambda a, d, n: _idwt_into(a, d, n, filters, _PERIODIZATION))
