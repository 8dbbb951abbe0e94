"""Discrete wavelet transform kernels: extension + convolution + downsampling in one pass.

The signal is never padded: each output reads the samples it needs through the extension mode's
index rule (:func:`dsp_kernels.rules.extended`, which the GPU twin compiles too; the table of
modes is in :mod:`dsp._wavelet_modes`, the lengths come from :mod:`dsp_kernels.shapes`). Outputs
whose taps all fall inside the signal are computed in polyphase blocks (the block's even and odd
samples side by side, every pair of taps sweeping the block: loops LLVM vectorises); only the few
outputs near the edges go through the mode's rule.
The inverse (upsampling + convolution) is a blocked polyphase sum too: the even and odd outputs
of a pair read the same coefficients with the even and odd filter taps.

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
from numba import prange
from numba.typed import List

from dsp_kernels import stationary
from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.rules import extended as _extended  # the mode's index rule, shared with the GPU
from dsp_kernels.shapes import MODES, dwt_len, idwt_len

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
        base = 2 * s + off
        for i in range(m + half - 1):
            xe[i] = x[base + 2 * i]
            xo[i] = x[base + 2 * i + 1]
        sa[:m] = 0
        sd[:m] = 0
        for t in range(half):
            h0 = hr[2 * t]
            h1 = hr[2 * t + 1]
            g0 = gr[2 * t]
            g1 = gr[2 * t + 1]
            ee = xe[t : t + m]
            oo = xo[t : t + m]
            for i in range(m):
                e = ee[i]
                od = oo[i]
                sa[i] += h0 * e + h1 * od
                sd[i] += g0 * e + g1 * od
        ca[s : s + m] = sa[:m]
        cd[s : s + m] = sd[:m]


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
    # flat buffers: the cD of every level, then the last cA, each a (batch, L) block
    sizes = np.array(lens + lens, dtype=np.int64) * nb
    starts = np.zeros(2 * level, dtype=np.int64)
    starts[1:] = np.cumsum(sizes[:-1])
    starts[level:] -= starts[level]  # the approximations: intermediate ones live in scratch
    starts[2 * level - 1] = int(np.sum(sizes[:level]))  # the last one lives in out
    out = np.empty(int(np.sum(sizes[:level])) + nb * lens[-1], dtype=x.dtype)
    scratch = np.empty(max(1, int(np.sum(sizes[level : 2 * level - 1]))), dtype=x.dtype)
    off = 1 - F // 2 if mode == _PERIODIZATION else 2 - F
    lens_a = np.array(lens, dtype=np.int64)
    if nb and n:
        kernel = _wavedec_serial if how == "serial" else _wavedec_kernel
        kernel(x, hr, gr, off, mode, lens_a, starts, out, scratch)
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
