"""GPU twin of :mod:`dsp_kernels.cpu.dwt`: extension + convolution + downsampling in one kernel.

Same entries and signatures (``dwt``, ``wavedec``, ``idwt``, ``waverec``, ``swt``, ``iswt``), same formulas
(the mode table and lengths are in :mod:`dsp._wavelet_modes`). One thread per output coefficient
(analysis) or per output pair (synthesis); consecutive threads take consecutive outputs, so the
strided signal reads of a warp fall in a few cache lines. Sums are in float64.
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from dsp._wavelet_modes import MODES
from dsp_kernels import stationary

from . import _runtime as rt

_ZERO = MODES["zero"]
_SYMMETRIC = MODES["symmetric"]
_CONSTANT = MODES["constant"]
_SMOOTH = MODES["smooth"]
_PERIODIC = MODES["periodic"]
_PERIODIZATION = MODES["periodization"]
_REFLECT = MODES["reflect"]
_ANTISYMMETRIC = MODES["antisymmetric"]


@cuda.jit(device=True, inline=True)
def _mod(a, p):
    m = a % p
    return m + p if m < 0 else m


@cuda.jit(device=True)
def _extended(x, b, n, k, mode):
    """``x[b, k]`` for any integer ``k``, the signal extended by ``mode`` (float64)."""
    if 0 <= k < n:
        return np.float64(x[b, k])
    if mode == _ZERO:
        return 0.0
    if mode == _CONSTANT:
        return np.float64(x[b, 0]) if k < 0 else np.float64(x[b, n - 1])
    if mode == _SYMMETRIC:
        m = _mod(k, 2 * n)
        return np.float64(x[b, m]) if m < n else np.float64(x[b, 2 * n - 1 - m])
    if mode == _PERIODIC:
        return np.float64(x[b, _mod(k, n)])
    if mode == _PERIODIZATION:
        m = _mod(k, n + (n & 1))
        return np.float64(x[b, min(m, n - 1)])
    if mode == _ANTISYMMETRIC:
        m = _mod(k, 2 * n)
        return np.float64(x[b, m]) if m < n else -np.float64(x[b, 2 * n - 1 - m])
    if n == 1:
        return np.float64(x[b, 0])
    x0 = np.float64(x[b, 0])
    xl = np.float64(x[b, n - 1])
    if mode == _SMOOTH:
        if k < 0:
            return x0 + k * (np.float64(x[b, 1]) - x0)
        return xl + (k - n + 1) * (xl - np.float64(x[b, n - 2]))
    period = 2 * n - 2
    m = _mod(k, period)
    q = (k - m) // period  # exact: k - m is a multiple of period
    if mode == _REFLECT:
        return np.float64(x[b, m]) if m < n else np.float64(x[b, period - m])
    v = np.float64(x[b, m]) if m < n else 2.0 * xl - np.float64(x[b, period - m])
    return v + q * 2.0 * (xl - x0)


@cuda.jit
def _dwt_kernel(x, hr, gr, off, mode, ca, cd):
    o, b = cuda.grid(2)
    nb, n = x.shape
    if o >= ca.shape[1] or b >= nb:
        return
    base = 2 * o + off
    a = 0.0
    d = 0.0
    for t in range(hr.shape[0]):
        v = _extended(x, b, n, base + t, mode)
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


def _coeff_len(n, F, mode):
    return (n + 1) // 2 if mode == _PERIODIZATION else (n + F - 1) // 2


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
    return _dwt_into(x, hr, gr, mode, _coeff_len(x.shape[1], hr.shape[0], mode))


def wavedec(x, dec_lo, dec_hi, mode, level):
    """``level`` analysis levels; returns ``[cA_level, cD_level, ..., cD_1]``."""
    hr, gr = _analysis_filters(dec_lo, dec_hi)
    details = []
    a = x
    for _ in range(level):
        a, d = _dwt_into(a, hr, gr, mode, _coeff_len(a.shape[1], hr.shape[0], mode))
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
        out = xp.empty((nb, 2 * n), dtype=ca.dtype)
        if nb and n:
            blocks, threads = rt.grid_2d(2 * n, nb)
            rt.launch(_idwt_periodization_kernel, blocks, threads, ca, cd, n, filters[0], filters[1], out)
        return out
    le, lo, he, ho = filters
    nout = 2 * n - 2 * le.shape[0] + 2
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
