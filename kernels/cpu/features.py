"""Per-frame feature arithmetic: frame statistics of signals and of spectrogram columns.

Entry functions (arrays already validated and C-contiguous; the arithmetic runs in float64 and the
results are float64, rounded by the caller to the dtype the public function promises):

``signal_frames(y, frame_length, hop_length, n_frames, kind, threshold, zero_pos)``
    ``y`` (rows, n) already padded; kind 0: the mean square of each frame (``rms`` squared),
    kind 1: the zero-crossing rate of each frame (samples with ``|x| <= threshold`` count as 0,
    a crossing is a change of ``x < 0`` (``zero_pos``) or of ``sign(x)``). Returns (rows, n_frames).
    A mean square over frames of whole hops is the mean of the hops' mean squares (each sample
    squared once, not ``frame_length / hop_length`` times).
``column_stats(M, freq, kind, param, amin, centroid)``
    ``M`` (rows, n_bins) one spectrum per row, ``freq`` (n_bins,). kind 0: centroid
    ``sum(f M) / sum(M)`` (``sum(M)`` below the smallest normal number counts as 1); kind 1: the
    ``param``-th root of ``sum(M / sum(M) |f - centroid|^param)`` (``amin`` > 0: un-normalised);
    kind 2: roll-off, the first ``f`` whose cumulative sum reaches ``param`` of the total;
    kind 3: flatness ``exp(mean log m) / mean m`` of ``m = max(amin, M^param)``; kind 4: the
    energy of an rms from a spectrum, ``2 sum(w |M|^2) / param^2`` with the first (and, for even
    frame lengths, the last) bin weighted 1/2 (``amin`` carries ``param % 2``).
    Returns (rows,).
``correlate_rows(xp, c, n, dtype)``
    ``out[r, i] = sum_j c[j] xp[r, i + j]`` for ``i < n``: the Savitzky-Golay filter of ``delta``
    on rows padded by the caller (the rule's sums, in its order, vectorised across ``i``).
``peak_pick(x, pre_max, post_max, pre_avg, post_avg, delta, wait)``
    librosa.util.peak_pick's greedy scan, one row at a time (rows in parallel).
``onset_flux(S, lag, max_size)``, ``detrend(x)``
    onset_strength's mean positive spectral flux against a bin-wise maximum-filtered reference,
    and its DC-removing filter ``(1 - z^-1) / (1 - 0.99 z^-1)`` (sequential in time).
``pcen(S, ref, zi, b, gain, bias, power, eps)``
    per-channel energy normalisation: the one-pole smoother ``M = b ref + (1 - b) M[-1]``
    (sequential along the rows, 16 rows side by side, groups in parallel), then the
    gain/compression of each sample along each row (vectorised).
``pcen_frames(S, ref, zi, b, gain, bias, power, eps)``
    the same for a spectrogram stored frame by frame ((n_frames, n_bins) rows: the transpose of
    librosa's STFT layout), across the bins of each frame in turn.
``deemphasis(y, coef, zi)``
    the first-order IIR ``out[n] = y[n] + coef out[n-1]`` in y's own precision (exact flags).

The per-frame and per-row rules of ``signal_frames``, ``column_stats``, ``pcen``,
``onset_flux``, ``detrend`` and ``correlate_rows`` are :func:`dsp_kernels.rules.frame_stat`,
:func:`~dsp_kernels.rules.column_stat`, :func:`~dsp_kernels.rules.pcen_row` (here in its
two steps, ``pcen_smooth`` across channels and ``pcen_compress`` along them),
:func:`~dsp_kernels.rules.onset_flux_frame`, :func:`~dsp_kernels.rules.detrend_row` and
:func:`~dsp_kernels.rules.correlate_at`, which the GPU twin compiles too (``correlate_rows`` on the
CPU takes correlate_at's terms in its order for a whole row at once, so that the row vectorises).
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import exact_jit, exact_pjit, jit, pjit
from dsp_kernels.cpu.rules import (column_stat, detrend_row, frame_stat, onset_flux_frame,
                                   pcen_compress, pcen_smooth)

__all__ = ["signal_frames", "column_stats", "correlate_rows", "peak_pick", "onset_flux", "detrend", "pcen",
           "pcen_frames", "deemphasis"]

@pjit
def _signal_frames(y, frame_length, hop_length, n_frames, kind, threshold, zero_pos, out):
    rows = y.shape[0]
    for job in prange(rows * n_frames):
        r = job // n_frames
        t = job - r * n_frames
        out[r, t] = frame_stat(y[r], t * hop_length, frame_length, kind, threshold, zero_pos)


@pjit
def _mean_square_blocks(y, hop_length, n_frames, q, blocks, out):
    # frames of q whole hops: each hop's mean square once (the rule over hop samples), a frame
    # the mean of its q hops', instead of every sample squared q times
    rows, n_blocks = blocks.shape
    for job in prange(rows * n_blocks):
        r = job // n_blocks
        k = job - r * n_blocks
        blocks[r, k] = frame_stat(y[r], k * hop_length, hop_length, 0, 0.0, True)
    for job in prange(rows * n_frames):
        r = job // n_frames
        t = job - r * n_frames
        acc = 0.0
        for k in range(t, t + q):
            acc += blocks[r, k]
        out[r, t] = acc / q


def signal_frames(y, frame_length, hop_length, n_frames, kind, threshold=0.0, zero_pos=True):
    """Per-frame statistic of the padded rows ``y`` (rows, n) -> (rows, n_frames) float64: kind 0
    the mean square, kind 1 the zero-crossing rate (see the module docstring)."""
    out = np.empty((y.shape[0], n_frames), np.float64)
    q = frame_length // hop_length
    if kind == 0 and q > 1 and q * hop_length == frame_length and n_frames > 0:
        blocks = np.empty((y.shape[0], n_frames - 1 + q), np.float64)
        _mean_square_blocks(y, np.int64(hop_length), np.int64(n_frames), np.int64(q), blocks, out)
        return out
    _signal_frames(y, np.int64(frame_length), np.int64(hop_length), np.int64(n_frames),
                   np.int64(kind), np.float64(threshold), bool(zero_pos), out)
    return out


@exact_jit
def rolloff_exact(m, freq, param, amin):
    """The roll-off of one spectrum, compiled without fastmath so that its cumulative sum is not
    reassociated (the rule's note) even where a fastmath kernel calls it: fastmath is a flag of
    each instruction, and an inlined call keeps its own."""
    return column_stat(m, freq, 2, param, amin, 0.0)


@pjit
def _column_stats(M, freq, kind, param, amin, centroid, out):
    for r in prange(M.shape[0]):
        if kind == 2:
            out[r] = rolloff_exact(M[r], freq, param, amin)
        else:
            out[r] = column_stat(M[r], freq, kind, param, amin, centroid[r] if kind == 1 else 0.0)


def column_stats(M, freq, kind, param=0.0, amin=0.0, centroid=None):
    """One statistic per spectrum row of ``M`` (rows, n_bins) over ``freq`` -> (rows,) float64:
    centroid, bandwidth, roll-off, flatness or rms energy by ``kind`` (see the module docstring)."""
    if centroid is None:
        centroid = np.zeros(1, np.float64)
    out = np.empty(M.shape[0], np.float64)
    _column_stats(M, np.ascontiguousarray(freq, dtype=np.float64), np.int64(kind), np.float64(param),
           np.float64(amin), np.ascontiguousarray(centroid, dtype=np.float64), out)
    return out


@jit
def _correlate_row(x, c, out):
    # correlate_at's sums, term by term in the same order, taken for all outputs at once: the
    # loop over outputs is the inner one and vectorises
    n = out.shape[0]
    acc = np.zeros(n, np.float64)
    for j in range(c.shape[0]):
        cj = c[j]
        for i in range(n):
            acc[i] += cj * np.float64(x[i + j])
    for i in range(n):
        out[i] = acc[i]


@pjit
def _correlate_rows(xp, c, out):
    for r in prange(out.shape[0]):
        _correlate_row(xp[r], c, out[r])


@jit
def _correlate_rows_serial(xp, c, out):
    for r in range(out.shape[0]):
        _correlate_row(xp[r], c, out[r])


def correlate_rows(xp, c, n, dtype):
    """``out[r, i] = sum_j c[j] xp[r, i + j]`` for ``i < n`` (float64 sums), as ``dtype``."""
    out = np.empty((xp.shape[0], n), dtype)
    # a few MFCC rows are microseconds of work: threads would cost more than they save
    kernel = _correlate_rows if xp.shape[0] * n * len(c) > 4_000_000 else _correlate_rows_serial
    kernel(xp, np.ascontiguousarray(c, dtype=np.float64), out)
    return out


@pjit
def _peak_pick(x, pre_max, post_max, pre_avg, post_avg, delta, wait, peaks):
    rows, n = x.shape
    for r in prange(rows):
        # librosa's greedy scan; means accumulate sequentially in x's dtype and are rounded to it,
        # as its kernel's np.mean does
        tmp = np.empty(1, x.dtype)
        m = x[r, 0]
        for i in range(min(post_max, n)):
            m = max(m, x[r, i])
        c = x[r, 0] - x[r, 0]
        for i in range(min(post_avg, n)):
            c += x[r, i]
        tmp[0] = c / min(post_avg, n)
        p = x[r, 0] >= m and x[r, 0] >= tmp[0] + delta
        peaks[r, 0] = p
        i = wait + 1 if p else 1
        while i < n:
            lo = max(0, i - pre_max)
            hi = min(i + post_max, n)
            m = x[r, lo]
            for k in range(lo, hi):
                m = max(m, x[r, k])
            if x[r, i] != m:
                i += 1
                continue
            lo = max(0, i - pre_avg)
            hi = min(i + post_avg, n)
            c = x[r, 0] - x[r, 0]
            for k in range(lo, hi):
                c += x[r, k]
            tmp[0] = c / (hi - lo)
            if not x[r, i] >= tmp[0] + delta:
                i += 1
                continue
            peaks[r, i] = True
            i += wait + 1


def peak_pick(x, pre_max, post_max, pre_avg, post_avg, delta, wait):
    """librosa.util.peak_pick's scan over rows of ``x`` (float32/float64); ``delta`` is rounded
    to float32 as librosa's kernel signature does. Returns a boolean (rows, n) array."""
    peaks = np.zeros(x.shape, np.bool_)
    d = x.dtype.type(np.float32(delta))
    _peak_pick(x, np.int64(pre_max), np.int64(post_max), np.int64(pre_avg), np.int64(post_avg), d,
               np.int64(wait), peaks)
    return peaks


@pjit
def _onset_flux(S, lag, max_size, out):
    # S (batch, T, n_bins): frame t's flux is frame t + lag against frame t (the rule)
    batch, T, n = S.shape
    n_out = T - lag
    for job in prange(batch * n_out):
        b = job // n_out
        t = job - b * n_out
        out[b, t] = onset_flux_frame(S[b, t], S[b, t + lag], max_size)


def onset_flux(S, lag, max_size):
    """``S`` (batch, T, n_bins) C-contiguous: librosa's mean spectral flux, (batch, T - lag) float64."""
    out = np.empty((S.shape[0], S.shape[1] - lag), np.float64)
    _onset_flux(S, np.int64(lag), np.int64(max_size), out)
    return out


@pjit
def _detrend(x):
    for r in prange(x.shape[0]):
        detrend_row(x[r])


def detrend(x):
    """In place on float64 rows: ``y[n] = x[n] - x[n-1] + 0.99 y[n-1]`` (onset_strength's filter)."""
    _detrend(x)
    return x


#: channels whose smoothers run side by side: 16 rows (C order; one row's recurrence alone
#: waits on every step, 16 independent chains keep the core busy) or 64 bins of a frame (librosa's
#: STFT layout: SIMD lanes, four float32 cache lines per frame read)
PCEN_ROWS = 16
PCEN_BINS = 64


@pjit
def _pcen(S, ref, zi, b, gain, bias, power, eps, out, zf):
    rows, n = S.shape
    for g in prange((rows + PCEN_ROWS - 1) // PCEN_ROWS):
        r0 = g * PCEN_ROWS
        r1 = min(rows, r0 + PCEN_ROWS)
        z = zi[r0:r1].copy()
        for t in range(n):
            pcen_smooth(ref[r0:r1, t], z, b, out[r0:r1, t])
        for r in range(r0, r1):  # the compression along the rows, contiguous
            pcen_compress(S[r], out[r], gain, bias, power, eps)
        zf[r0:r1] = z


@pjit
def _pcen_frames(S, ref, zi, b, gain, bias, power, eps, out, zf):
    # the loop of _pcen over the other memory order: rows are frames, channels contiguous
    n_t, n_k = S.shape
    for g in prange((n_k + PCEN_BINS - 1) // PCEN_BINS):
        k0 = g * PCEN_BINS
        k1 = min(n_k, k0 + PCEN_BINS)
        z = zi[k0:k1].copy()
        for t in range(n_t):
            pcen_smooth(ref[t, k0:k1], z, b, out[t, k0:k1])
            pcen_compress(S[t, k0:k1], out[t, k0:k1], gain, bias, power, eps)
        zf[k0:k1] = z


def _run_pcen(kernel, S, ref, zi, n_channels, b, gain, bias, power, eps):
    out = np.empty(S.shape, np.float64)
    zf = np.empty(n_channels, np.float64)
    kernel(S, ref, np.ascontiguousarray(zi, dtype=np.float64), np.float64(b), np.float64(gain),
           np.float64(bias), np.float64(power), np.float64(eps), out, zf)
    return out, zf


def pcen(S, ref, zi, b, gain, bias, power, eps):
    """PCEN along the rows of ``S`` (rows, n) with the smoother run on ``ref``; float64 out, zf."""
    return _run_pcen(_pcen, S, ref, zi, S.shape[0], b, gain, bias, power, eps)


def pcen_frames(S, ref, zi, b, gain, bias, power, eps):
    """PCEN of ``S`` (n_frames, n_bins) stored frame by frame (librosa's STFT layout, read as
    its transpose): the smoother runs along the rows, across the bins in SIMD lanes, bins in
    parallel; :func:`pcen`'s values on the transposed copy (bit for bit on the default path),
    without that copy. Returns (n_frames, n_bins) float64 and the final states (n_bins,)."""
    return _run_pcen(_pcen_frames, S, ref, zi, S.shape[1], b, gain, bias, power, eps)


@exact_pjit
def _deemphasis(y, coef, zi, out, zf):
    rows, n = y.shape
    for r in prange(rows):
        z = zi[r]
        for i in range(n):
            v = y[r, i] + z  # scipy.signal.lfilter([1], [1, -coef]) in y's precision
            out[r, i] = v
            z = coef * v
        zf[r] = z


def deemphasis(y, coef, zi):
    """``out[n] = y[n] + coef out[n-1]`` along rows (state ``zi``), in y's precision, no fastmath."""
    out = np.empty_like(y)
    zf = np.empty(y.shape[0], y.dtype)
    _deemphasis(y, y.dtype.type(coef), np.ascontiguousarray(zi, dtype=y.dtype), out, zf)
    return out, zf
