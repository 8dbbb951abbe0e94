"""GPU twins of :mod:`dsp_kernels.cpu.features`' per-frame arithmetic (numba.cuda on CuPy arrays;
NumPy arrays under the CUDA simulator).

Same entries, arguments and float64 arithmetic as the CPU kernels (the rules themselves are the
CPU's: :mod:`dsp_kernels.rules`), one thread per row (a frame's
spectrum, a frame of samples, or, for ``pcen`` and ``detrend``, a channel's sequence over time;
for ``onset_flux`` one thread per output frame, for ``correlate_rows`` one per output sample):
``signal_frames``, ``column_stats``, ``pcen``, ``onset_flux``, ``detrend``, ``correlate_rows``.
``peak_pick`` and ``deemphasis`` have no twin: they are sequential scans (dsp moves their small
arrays to the host).
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from . import _runtime as rt
from .rules import column_stat, correlate_at, detrend_row, frame_stat, onset_flux_frame, pcen_row

__all__ = ["signal_frames", "column_stats", "pcen", "onset_flux", "detrend", "correlate_rows"]


@cuda.jit
def _signal_frames(y, frame_length, hop_length, n_frames, kind, threshold, zero_pos, out):
    job = cuda.grid(1)
    rows = y.shape[0]
    if job >= rows * n_frames:
        return
    r = job // n_frames
    t = job - r * n_frames
    out[r, t] = frame_stat(y[r], t * hop_length, frame_length, kind, threshold, zero_pos)


def signal_frames(y, frame_length, hop_length, n_frames, kind, threshold=0.0, zero_pos=True):
    xp = rt.xp()
    out = xp.empty((y.shape[0], n_frames), np.float64)
    rt.launch(_signal_frames, *rt.grid_1d(y.shape[0] * n_frames), y, np.int64(frame_length),
              np.int64(hop_length), np.int64(n_frames), np.int64(kind), np.float64(threshold),
              bool(zero_pos), out)
    return out


@cuda.jit
def _column_stats(M, freq, kind, param, amin, centroid, out):
    r = cuda.grid(1)
    if r < M.shape[0]:
        out[r] = column_stat(M[r], freq, kind, param, amin, centroid[r] if kind == 1 else 0.0)


def column_stats(M, freq, kind, param=0.0, amin=0.0, centroid=None):
    xp = rt.xp()
    if centroid is None:
        centroid = xp.zeros(1, np.float64)
    out = xp.empty(M.shape[0], np.float64)
    rt.launch(_column_stats, *rt.grid_1d(M.shape[0]), M, rt.as_device(freq, np.float64), np.int64(kind),
              np.float64(param), np.float64(amin), rt.as_device(centroid, np.float64), out)
    return out


@cuda.jit
def _pcen(S, ref, zi, b, gain, bias, power, eps, out, zf):
    r = cuda.grid(1)
    if r >= S.shape[0]:
        return
    zf[r] = pcen_row(S[r], ref[r], zi[r], b, gain, bias, power, eps, out[r])


def pcen(S, ref, zi, b, gain, bias, power, eps):
    xp = rt.xp()
    out = xp.empty(S.shape, np.float64)
    zf = xp.empty(S.shape[0], np.float64)
    rt.launch(_pcen, *rt.grid_1d(S.shape[0]), S, ref, rt.as_device(zi, np.float64), np.float64(b),
              np.float64(gain), np.float64(bias), np.float64(power), np.float64(eps), out, zf)
    return out, zf


@cuda.jit
def _onset_flux(S, lag, max_size, out):
    job = cuda.grid(1)
    batch, T, n = S.shape
    n_out = T - lag
    if job >= batch * n_out:
        return
    b = job // n_out
    t = job - b * n_out
    out[b, t] = onset_flux_frame(S[b, t], S[b, t + lag], max_size)


def onset_flux(S, lag, max_size):
    xp = rt.xp()
    out = xp.empty((S.shape[0], S.shape[1] - lag), np.float64)
    rt.launch(_onset_flux, *rt.grid_1d(S.shape[0] * (S.shape[1] - lag)), S, np.int64(lag),
              np.int64(max_size), out)
    return out


@cuda.jit
def _detrend(x):
    # a recurrence along time: one thread per row (the rows are the parallelism)
    r = cuda.grid(1)
    if r < x.shape[0]:
        detrend_row(x[r])


def detrend(x):
    rt.launch(_detrend, *rt.grid_1d(x.shape[0]), x)
    return x


@cuda.jit
def _correlate_rows(xp, c, out):
    job = cuda.grid(1)
    rows, n = out.shape
    if job >= rows * n:
        return
    r = job // n
    i = job - r * n
    out[r, i] = correlate_at(xp[r], c, i)


def correlate_rows(xp, c, n, dtype):
    out = rt.xp().empty((xp.shape[0], n), dtype)
    rt.launch(_correlate_rows, *rt.grid_1d(xp.shape[0] * n), xp, rt.as_device(c, np.float64), out)
    return out
