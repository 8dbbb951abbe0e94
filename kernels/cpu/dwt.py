"""Discrete wavelet transform kernels: extension + convolution + downsampling in one pass.

The signal is never padded: each output reads the samples it needs through the extension mode's
index rule (the table and every length formula are in :mod:`dsp._wavelet_modes`). Outputs whose
taps all fall inside the signal take a branch-free loop; only the few near the edges go through
the mode's rule. The inverse (upsampling + convolution) is fused the same way, by polyphase: the
even and odd outputs of a pair read the same coefficients with the even and odd filter taps.

Work is split into (signal, block of outputs) tasks run with ``prange``: a batch of signals
parallelises over signals, one long signal over blocks of its output.

Entry functions take validated, C-contiguous ``(batch, n)`` arrays of float32 or float64, the
filters as float64 arrays of even length, and a mode id; they return new arrays in the signal's
dtype. Accumulation is in the signal's dtype (as in PyWavelets), except at the edges.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import prange

from dsp._wavelet_modes import MODES
from kernels.config import jit, pjit

_ZERO = MODES["zero"]
_SYMMETRIC = MODES["symmetric"]
_CONSTANT = MODES["constant"]
_SMOOTH = MODES["smooth"]
_PERIODIC = MODES["periodic"]
_PERIODIZATION = MODES["periodization"]
_REFLECT = MODES["reflect"]
_ANTISYMMETRIC = MODES["antisymmetric"]
_ANTIREFLECT = MODES["antireflect"]


@jit
def _extended(x, n, k, mode):
    """``x[k]`` for any integer ``k``, the row ``x`` extended by ``mode`` (as float64)."""
    if 0 <= k < n:
        return float(x[k])
    if mode == _ZERO:
        return 0.0
    if mode == _CONSTANT:
        return float(x[0]) if k < 0 else float(x[n - 1])
    if mode == _SYMMETRIC:
        m = k % (2 * n)
        return float(x[m]) if m < n else float(x[2 * n - 1 - m])
    if mode == _PERIODIC:
        return float(x[k % n])
    if mode == _PERIODIZATION:
        m = k % (n + (n & 1))  # odd n: the padded sample repeats x[n-1]
        return float(x[min(m, n - 1)])
    if mode == _ANTISYMMETRIC:  # period 2n: the signal, then its negated mirror image
        m = k % (2 * n)
        return float(x[m]) if m < n else -float(x[2 * n - 1 - m])
    if n == 1:  # smooth, reflect, antireflect of one sample: constant
        return float(x[0])
    if mode == _SMOOTH:
        if k < 0:
            return float(x[0]) + k * (float(x[1]) - float(x[0]))
        return float(x[n - 1]) + (k - n + 1) * (float(x[n - 1]) - float(x[n - 2]))
    period = 2 * n - 2
    q = k // period
    m = k - q * period
    if mode == _REFLECT:
        return float(x[m]) if m < n else float(x[period - m])
    # antireflect: each whole period adds 2 (x[n-1] - x[0])
    v = float(x[m]) if m < n else 2.0 * float(x[n - 1]) - float(x[period - m])
    return v + q * 2.0 * (float(x[n - 1]) - float(x[0]))


@jit
def _dwt_row(x, hr, gr, off, mode, o0, o1, ca, cd):
    """Outputs ``o0 .. o1-1`` of one row: ``ca[o] = sum_t hr[t] * X[2o + off + t]``."""
    n = x.shape[0]
    F = hr.shape[0]
    zero = hr[0] - hr[0]  # accumulate in the signal's dtype
    for o in range(o0, o1):
        base = 2 * o + off
        # the explicit base >= 0 also lets LLVM drop negative-index wraparound and vectorise
        if base >= 0 and base + F <= n:
            a = zero
            d = zero
            for t in range(F):
                v = x[base + t]
                a += hr[t] * v
                d += gr[t] * v
            ca[o] = a
            cd[o] = d
        else:
            a64 = 0.0
            d64 = 0.0
            for t in range(F):
                v64 = _extended(x, n, base + t, mode)
                a64 += hr[t] * v64
                d64 += gr[t] * v64
            ca[o] = a64
            cd[o] = d64


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
    """Output pairs ``i0 .. i1-1``: pair ``(2i, 2i+1)`` reads coefficients ``i .. i + F/2 - 1``."""
    half = le.shape[0]
    zero = le[0] - le[0]
    for i in range(max(i0, 0), i1):
        se = zero
        so = zero
        for t in range(half):
            a = ca[i + t]
            d = cd[i + t]
            se += le[t] * a + he[t] * d
            so += lo[t] * a + ho[t] * d
        out[2 * i] = se
        out[2 * i + 1] = so


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
        _dwt_row(x[b], hr, gr, off, mode, 0, ca.shape[1], ca[b], cd[b])


@jit
def _idwt_valid_serial(ca, cd, le, lo, he, ho, out):
    for b in range(ca.shape[0]):
        _idwt_valid_row(ca[b], cd[b], le, lo, he, ho, 0, out.shape[1] // 2, out[b])


@jit
def _idwt_periodization_serial(ca, cd, n, rl, rh, out):
    for b in range(ca.shape[0]):
        _idwt_periodization_row(ca[b], cd[b], n, rl, rh, 0, out.shape[1], out[b])


#: below this many multiply-adds a call runs on one thread: entering a parallel region costs
#: more than the work (and much more on a loaded machine)
_SERIAL_WORK = 1 << 17


def _chunk(rows: int, length: int) -> int:
    """Outputs per task: whole rows when the batch alone feeds every thread, else blocks."""
    tasks = 4 * numba.get_num_threads()
    if rows >= tasks or length <= 1024:
        return max(length, 1)
    per_row = -(-tasks // rows)
    return max(512, -(-length // per_row))


def _analysis_filters(dec_lo, dec_hi, dtype):
    return (
        np.ascontiguousarray(dec_lo[::-1], dtype=dtype),
        np.ascontiguousarray(dec_hi[::-1], dtype=dtype),
    )


def _dwt_into(x, hr, gr, mode, L):
    nb, n = x.shape
    F = hr.shape[0]
    off = 1 - F // 2 if mode == _PERIODIZATION else 2 - F
    ca = np.empty((nb, L), dtype=x.dtype)
    cd = np.empty((nb, L), dtype=x.dtype)
    if nb * L * F < _SERIAL_WORK:
        if nb and L:
            _dwt_serial(x, hr, gr, off, mode, ca, cd)
    else:
        _dwt_kernel(x, hr, gr, off, mode, ca, cd, _chunk(nb, L))
    return ca, cd


def _coeff_len(n, F, mode):
    return (n + 1) // 2 if mode == _PERIODIZATION else (n + F - 1) // 2


def dwt(x, dec_lo, dec_hi, mode):
    """One analysis level.

    Parameters
    ----------
    x : np.ndarray [shape=(batch, n)], C-contiguous float32 or float64, n >= 1
    dec_lo, dec_hi : np.ndarray [shape=(F,)], float64, F even
    mode : int
        Mode id from :data:`dsp._wavelet_modes.MODES`.

    Returns
    -------
    (cA, cD) : np.ndarray [shape=(batch, L)] each, in x's dtype
    """
    hr, gr = _analysis_filters(dec_lo, dec_hi, x.dtype)
    return _dwt_into(x, hr, gr, mode, _coeff_len(x.shape[1], hr.shape[0], mode))


def wavedec(x, dec_lo, dec_hi, mode, level):
    """``level`` analysis levels; returns ``[cA_level, cD_level, ..., cD_1]``."""
    hr, gr = _analysis_filters(dec_lo, dec_hi, x.dtype)
    F = hr.shape[0]
    details = []
    a = x
    for _ in range(level):
        a, d = _dwt_into(a, hr, gr, mode, _coeff_len(a.shape[1], F, mode))
        details.append(d)
    return [a] + details[::-1]


def _synthesis_filters(rec_lo, rec_hi, dtype, mode):
    if mode == _PERIODIZATION:
        return (np.ascontiguousarray(rec_lo, dtype=dtype), np.ascontiguousarray(rec_hi, dtype=dtype))
    # polyphase taps, reversed so that they pair with increasing coefficient indices
    rl = np.asarray(rec_lo, dtype=dtype)
    rh = np.asarray(rec_hi, dtype=dtype)
    return tuple(np.ascontiguousarray(f[p::2][::-1]) for f in (rl, rh) for p in (0, 1))


def _idwt_into(ca, cd, n, filters, mode):
    """Inverse of one level from the first ``n`` coefficients of each row of ca and cd."""
    nb = ca.shape[0]
    if mode == _PERIODIZATION:
        out = np.empty((nb, 2 * n), dtype=ca.dtype)
        if nb * n * filters[0].shape[0] < _SERIAL_WORK:
            if nb and n:
                _idwt_periodization_serial(ca, cd, n, filters[0], filters[1], out)
        else:
            _idwt_periodization_kernel(ca, cd, n, filters[0], filters[1], out, _chunk(nb, 2 * n))
        return out
    le, lo, he, ho = filters
    nout = 2 * n - 2 * le.shape[0] + 2
    out = np.empty((nb, nout), dtype=ca.dtype)
    if nb * nout * le.shape[0] < _SERIAL_WORK:
        if nb and nout:
            _idwt_valid_serial(ca, cd, le, lo, he, ho, out)
    else:
        _idwt_valid_kernel(ca, cd, le, lo, he, ho, out, _chunk(nb, nout // 2))
    return out


def idwt(ca, cd, rec_lo, rec_hi, mode):
    """One synthesis level.

    Parameters
    ----------
    ca, cd : np.ndarray [shape=(batch, n)], C-contiguous, same dtype (float32 or float64)
    rec_lo, rec_hi : np.ndarray [shape=(F,)], float64, F even, with 2n - F + 2 > 0 unless
        periodization
    mode : int

    Returns
    -------
    np.ndarray [shape=(batch, 2n - F + 2)] or [shape=(batch, 2n)] for periodization
    """
    filters = _synthesis_filters(rec_lo, rec_hi, ca.dtype, mode)
    return _idwt_into(ca, cd, cd.shape[1], filters, mode)


def waverec(ca, details, rec_lo, rec_hi, mode):
    """Synthesis through every level of ``details = [cD_level, ..., cD_1]``.

    At each level the approximation may be one longer than the detail (odd lengths in the
    forward transform); its last coefficient is then ignored.
    """
    filters = _synthesis_filters(rec_lo, rec_hi, ca.dtype, mode)
    a = ca
    for d in details:
        a = _idwt_into(a, d, d.shape[1], filters, mode)
    return a
