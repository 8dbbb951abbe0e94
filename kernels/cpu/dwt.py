"""Discrete wavelet transform kernels: extension + convolution + downsampling in one pass.

The signal is never padded: each output reads the samples it needs through the extension mode's
index rule (the table of modes is in :mod:`dsp._wavelet_modes`, the lengths come from
:mod:`dsp_kernels.shapes`). The njit kernels (polyphase blocks inside, the mode's rule at the
edges) are in :mod:`dsp_kernels.cpu.dwt_rows`; this module holds the entry functions that the
dispatch table names, which pick a kernel and allocate the outputs.

Parallelism (``prange``): a multilevel transform of a batch runs every level of a row in one task
(one parallel region per call); a few long signals are split into blocks of outputs, level by
level; work under about half a millisecond runs on one thread.

Entry functions take validated, C-contiguous ``(batch, n)`` arrays of float32 or float64, the
filters as float64 arrays of even length, and a mode id; they return new arrays in the signal's
dtype. Accumulation is in the signal's dtype (as in PyWavelets), except at the edges.
"""
from __future__ import annotations

import numba
import numpy as np
from numba.typed import List

from dsp_kernels import stationary
from dsp_kernels.cpu.dwt_rows import (
    _dwt_kernel,
    _dwt_serial,
    _idwt_periodization_kernel,
    _idwt_periodization_serial,
    _idwt_valid_kernel,
    _idwt_valid_serial,
    _wavedec_kernel,
    _wavedec_serial,
    _waverec_kernel,
    _waverec_serial,
)
from dsp_kernels.shapes import MODES, dwt_len, idwt_len

_PERIODIZATION = MODES["periodization"]


#: below this many multiply-adds (about half a millisecond on one core) a call runs on one
#: thread: waking the thread pool costs more than it saves, and far more on a loaded machine
_SERIAL_WORK = 1 << 21


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
    ca = np.empty((x.shape[0], L), dtype=x.dtype)
    cd = np.empty((x.shape[0], L), dtype=x.dtype)
    _dwt_run(x, hr, gr, mode, ca, cd)
    return ca, cd


def _dwt_run(x, hr, gr, mode, ca, cd, serial_work=_SERIAL_WORK):
    """One analysis level of the rows of ``x`` into ``ca`` and ``cd``, C-contiguous (batch, L);
    on the threads from ``serial_work`` multiply-adds (counting one filter)."""
    nb = x.shape[0]
    L = ca.shape[1]
    F = hr.shape[0]
    off = 1 - F // 2 if mode == _PERIODIZATION else 2 - F
    if nb * L * F < serial_work:
        if nb and L:
            _dwt_serial(x, hr, gr, off, mode, ca, cd)
    else:
        _dwt_kernel(x, hr, gr, off, mode, ca, cd, _chunk(nb, L))


def dwt(x, dec_lo, dec_hi, mode):
    """One analysis level.

    Parameters
    ----------
    x : np.ndarray [shape=(batch, n)], C-contiguous float32 or float64, n >= 1
    dec_lo, dec_hi : np.ndarray [shape=(F,)], float64, F even
    mode : int
        Mode id from :data:`dsp_kernels.shapes.MODES`.

    Returns
    -------
    (cA, cD) : np.ndarray [shape=(batch, L)] each, in x's dtype
    """
    hr, gr = _analysis_filters(dec_lo, dec_hi, x.dtype)
    return _dwt_into(x, hr, gr, mode, dwt_len(x.shape[1], hr.shape[0], mode))


def packet_levels(x, dec_lo, dec_hi, mode, level):
    """``level`` levels of a full wavelet packet tree: every row of every level split in two.

    Each level is one batched analysis of the previous level's rows (``x``'s for the first):
    a ``(2, rows, L)`` block whose reshape to ``(2 * rows, L)`` is the next level's batch
    (nothing is copied): row ``r`` of a level with ``rows`` rows has its cA in row ``r`` of the
    next level and its cD in row ``rows + r``.

    Parameters
    ----------
    x : np.ndarray [shape=(batch, n)], C-contiguous float32 or float64
    dec_lo, dec_hi : np.ndarray [shape=(F,)], float64, F even
    mode : int
    level : int >= 0; every level's input must be long enough for ``mode`` (the caller checks)

    Returns
    -------
    list of np.ndarray [shape=(batch * 2**j, L_j)] for j = 1 .. level, in x's dtype
    """
    hr, gr = _analysis_filters(dec_lo, dec_hi, x.dtype)
    lens = []
    n = x.shape[1]
    for _ in range(level):
        n = dwt_len(n, hr.shape[0], mode)
        lens.append(n)
    sizes = [x.shape[0] * (2 << j) * lens[j] for j in range(level)]
    # one buffer for all levels: above 4 MiB NumPy asks the kernel for huge pages, and a caller
    # that keeps its trees gets fresh memory every time (a 60 s tree is 23 MB: a dozen page
    # faults instead of 5600, which cost more than the transform)
    buf = np.empty(sum(sizes), dtype=x.dtype)
    out = []
    src, start = x, 0
    for j in range(level):
        blk = buf[start : start + sizes[j]].reshape(2, src.shape[0], lens[j])
        start += sizes[j]
        # on the threads from half the usual work: a level of a 60 s tree (0.3 ms on one core,
        # writing 4 MB of fresh memory) measured 2.4 ms for the tree on two threads against
        # 3.8 ms on one at quiet moments, alike under load
        _dwt_run(src, hr, gr, mode, blk[0], blk[1], _SERIAL_WORK // 2)
        src = blk.reshape(-1, lens[j])
        out.append(src)
    return out


def _fused(rows: int, work: int) -> str:
    """How to run a multilevel transform: 'serial' (small), 'rows' (a batch that feeds every
    thread: all levels of a row in one task, one parallel region) or 'levels' (few long rows:
    each level parallel over blocks of outputs)."""
    if work < _SERIAL_WORK:
        return "serial"
    return "rows" if rows >= 2 * numba.get_num_threads() else "levels"


def wavedec(x, dec_lo, dec_hi, mode, level):
    """``level`` analysis levels; returns ``[cA_level, cD_level, ..., cD_1]``."""
    hr, gr = _analysis_filters(dec_lo, dec_hi, x.dtype)
    nb, n = x.shape
    F = hr.shape[0]
    how = _fused(nb, nb * n * F)
    if how == "levels":
        details = []
        a = x
        for _ in range(level):
            a, d = _dwt_into(a, hr, gr, mode, dwt_len(a.shape[1], F, mode))
            details.append(d)
        return [a] + details[::-1]
    lens = []
    for _ in range(level):
        n = dwt_len(n, F, mode)
        lens.append(n)
    # flat buffers: the cD of every level, then the last cA, each a (batch, L) block; the
    # intermediate cA live in scratch. Python integers: NumPy's reductions on a few values
    # cost more than the transform of a short clip.
    starts = [0] * (2 * level)
    total = 0
    for j in range(level):
        starts[j] = total
        total += nb * lens[j]
    inter = 0
    for j in range(level - 1):
        starts[level + j] = inter
        inter += nb * lens[j]
    starts[2 * level - 1] = total  # the last cA lives in out, after the details
    out = np.empty(total + nb * lens[-1], dtype=x.dtype)
    scratch = np.empty(max(1, inter), dtype=x.dtype)
    off = 1 - F // 2 if mode == _PERIODIZATION else 2 - F
    if nb and n:
        kernel = _wavedec_serial if how == "serial" else _wavedec_kernel
        kernel(x, hr, gr, off, mode, np.array(lens, dtype=np.int64),
               np.array(starts, dtype=np.int64), out, scratch)
    blocks = [out[starts[j] : starts[j] + nb * lens[j]].reshape(nb, lens[j]) for j in range(level)]
    last = starts[2 * level - 1]
    ca = out[last : last + nb * lens[-1]].reshape(nb, lens[-1])
    return [ca] + blocks[::-1]


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
        out = np.empty((nb, idwt_len(n, filters[0].shape[0], mode)), dtype=ca.dtype)
        if nb * n * filters[0].shape[0] < _SERIAL_WORK:
            if nb and n:
                _idwt_periodization_serial(ca, cd, n, filters[0], filters[1], out)
        else:
            _idwt_periodization_kernel(ca, cd, n, filters[0], filters[1], out, _chunk(nb, out.shape[1]))
        return out
    le, lo, he, ho = filters
    nout = idwt_len(n, 2 * le.shape[0], mode)
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
    nb = ca.shape[0]
    F = rec_lo.shape[0]
    lens = [d.shape[1] for d in details]
    total = sum(lens)
    how = _fused(nb, nb * 2 * total * F)
    if how == "levels" or not total:
        a = ca
        for d in details:
            a = _idwt_into(a, d, d.shape[1], filters, mode)
        return a
    outs = [idwt_len(m, F, mode) for m in lens]
    out = np.empty((nb, outs[-1]), dtype=ca.dtype)
    scratch = np.empty((nb, 2, max(outs[:-1], default=1)), dtype=ca.dtype)
    if mode == _PERIODIZATION:
        rl, rh = filters
        le = lo = he = ho = rl[:1]
    else:
        le, lo, he, ho = filters
        rl = rh = le
    kernel = _waverec_serial if how == "serial" else _waverec_kernel
    # a typed list hands the levels over without copying them into one buffer
    outs_a = np.array(outs, dtype=np.int64)
    kernel(ca, List(details), outs_a, mode, rl, rh, le, lo, he, ho, out, scratch)
    return out


def swt(x, dec_lo, dec_hi, level, start_level):
    """Stationary (undecimated, "a trous") transform, finest level first.

    Each level is one call of the fused analysis kernel (periodization) on the signal's residue
    classes and their one-sample rotations; the plan is :func:`dsp_kernels.stationary.swt`. ``n``
    must be a multiple of ``2**(start_level + level)``.

    Returns
    -------
    list of (cA_j, cD_j) for j = start_level + 1 .. start_level + level, each (batch, n)
    """
    hr, gr = _analysis_filters(dec_lo, dec_hi, x.dtype)
    return stationary.swt(np, x, level, start_level, lambda rows, L: _dwt_into(rows, hr, gr, _PERIODIZATION, L))


def iswt(ca, details, rec_lo, rec_hi):
    """Inverse stationary transform from the coarsest ``ca`` and ``details = [cD_n, ..., cD_1]``
    (plan: :func:`dsp_kernels.stationary.iswt`)."""
    filters = _synthesis_filters(rec_lo, rec_hi, ca.dtype, _PERIODIZATION)
    return stationary.iswt(np, ca, details, lambda a, d, n: _idwt_into(a, d, n, filters, _PERIODIZATION))
