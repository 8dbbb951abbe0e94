"""GPU twins of :mod:`dsp_kernels.cpu.features`' per-frame arithmetic (numba.cuda on CuPy arrays;
NumPy arrays under the CUDA simulator).

Same entries, arguments and float64 arithmetic as the CPU kernels, one thread per row (a frame's
spectrum, a frame of samples, or, for ``pcen``, a channel's sequence over time):
``signal_frames``, ``column_stats``, ``pcen``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from . import _runtime as rt

__all__ = ["signal_frames", "column_stats", "pcen"]

_TINY64 = float(np.finfo(np.float64).tiny)


@cuda.jit
def _signal_frames(y, frame_length, hop_length, n_frames, kind, threshold, zero_pos, out):
    job = cuda.grid(1)
    rows = y.shape[0]
    if job >= rows * n_frames:
        return
    r = job // n_frames
    t = job - r * n_frames
    s = t * hop_length
    if kind == 0:
        acc = 0.0
        for i in range(s, s + frame_length):
            v = np.float64(y[r, i])
            acc += v * v
        out[r, t] = acc / frame_length
    else:
        count = 0
        prev = np.float64(y[r, s])
        if abs(prev) <= threshold:
            prev = 0.0
        for i in range(s + 1, s + frame_length):
            v = np.float64(y[r, i])
            if abs(v) <= threshold:
                v = 0.0
            if zero_pos:
                if (v < 0.0) != (prev < 0.0):
                    count += 1
            else:
                a = 1 if v > 0.0 else (-1 if v < 0.0 else 0)
                b = 1 if prev > 0.0 else (-1 if prev < 0.0 else 0)
                if a != b:
                    count += 1
            prev = v
        out[r, t] = count / frame_length


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
    rows, n = M.shape
    if r >= rows:
        return
    if kind == 0:
        tot = 0.0
        acc = 0.0
        for k in range(n):
            m = np.float64(M[r, k])
            tot += abs(m)
            acc += freq[k] * m
        if tot < _TINY64:
            tot = 1.0
        out[r] = acc / tot
    elif kind == 1:
        tot = 0.0
        if amin > 0.0:
            tot = 1.0
        else:
            for k in range(n):
                tot += abs(np.float64(M[r, k]))
            if tot < _TINY64:
                tot = 1.0
        c = centroid[r]
        acc = 0.0
        for k in range(n):
            acc += np.float64(M[r, k]) / tot * abs(freq[k] - c) ** param
        out[r] = acc ** (1.0 / param)
    elif kind == 2:
        tot = 0.0
        for k in range(n):
            tot += np.float64(M[r, k])
        thr = param * tot
        run = 0.0
        res = math.nan
        for k in range(n):  # the same sequential order as the total: the same last prefix
            run += np.float64(M[r, k])
            if not run < thr:
                res = freq[k]
                break
        out[r] = res
    elif kind == 3:
        slog = 0.0
        s = 0.0
        for k in range(n):
            v = max(amin, np.float64(M[r, k]) ** param)
            slog += math.log(v)
            s += v
        out[r] = math.exp(slog / n) / (s / n)
    else:
        acc = 0.0
        for k in range(n):
            v = abs(np.float64(M[r, k]))
            v = v * v
            if k == 0 or (k == n - 1 and amin == 0.0):
                v *= 0.5
            acc += v
        out[r] = 2.0 * acc / (param * param)


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
    rows, n = S.shape
    if r >= rows:
        return
    a1 = b - 1.0
    log_eps = math.log(eps)
    z = zi[r]
    for i in range(n):
        sm = b * np.float64(ref[r, i]) + z
        z = -(a1 * sm)
        smooth = math.exp(-gain * (log_eps + math.log1p(sm / eps)))
        s = np.float64(S[r, i])
        if power == 0.0:
            out[r, i] = math.log1p(s * smooth)
        elif bias == 0.0:
            out[r, i] = math.exp(power * (math.log(s) + math.log(smooth))) if s > 0.0 else 0.0
        else:
            out[r, i] = bias ** power * math.expm1(power * math.log1p(s * smooth / bias))
    zf[r] = z


def pcen(S, ref, zi, b, gain, bias, power, eps):
    xp = rt.xp()
    out = xp.empty(S.shape, np.float64)
    zf = xp.empty(S.shape[0], np.float64)
    rt.launch(_pcen, *rt.grid_1d(S.shape[0]), S, ref, rt.as_device(zi, np.float64), np.float64(b),
              np.float64(gain), np.float64(bias), np.float64(power), np.float64(eps), out, zf)
    return out, zf
