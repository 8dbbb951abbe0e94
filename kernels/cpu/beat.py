"""Dynamic-programming beat tracking (Ellis 2007, as librosa 0.11 runs it), one fused kernel.

``track(env, fpb, tightness, trim)``: ``env`` (rows, n) float64, the onset envelope already
divided by its standard deviation; ``fpb`` (rows, 1) or (rows, n) float64 frames per beat
(rounded). Per row, sequentially: the local score (a Gaussian window of +-fpb frames, librosa's
same-mode convolution), the cumulative score with back-links (predecessors searched from
``round(fpb/2)`` to ``2 fpb`` frames back, penalised by ``tightness * log(gap / fpb)^2``), the last
beat (the latest local maximum of the cumulative score at or above half their median), the
back-tracked beats, and the trimming of weak leading/trailing beats. Rows run in parallel.
Returns a boolean (rows, n) beat mask.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from dsp_kernels.config import exact_jit, exact_pjit

__all__ = ["track"]


@exact_jit
def _local_score(env, fpb, tv, local):
    """librosa's local score: env convolved (same mode) with a Gaussian of +-fpb frames."""
    n = env.shape[0]
    if not tv:
        # one tempo: the window is computed once (the same exp of the same argument as per frame)
        f = fpb[0]
        K = 2 * int(f) + 1
        win = np.empty(K)
        for k in range(K):
            u = (k - f) * 32.0 / f
            win[k] = math.exp(-0.5 * u * u)
    for i in range(n):
        f = fpb[i] if tv else fpb[0]
        K = 2 * int(f) + 1
        half = K // 2
        acc = 0.0
        if tv:
            for k in range(max(0, i + half - n + 1), min(i + half, K)):
                u = (k - f) * 32.0 / f
                acc += math.exp(-0.5 * u * u) * env[i + half - k]
        else:
            for k in range(max(0, i + half - n + 1), min(i + half, K)):
                acc += win[k] * env[i + half - k]
        local[i] = acc


@exact_jit
def _cumulative(local, fpb, tv, tightness, cum, back):
    """Cumulative score and back-links (predecessors ``round(fpb/2) .. 2 fpb`` frames back)."""
    n = local.shape[0]
    thresh = 0.01 * local.max()
    pen = np.empty(0)
    if not tv:
        # one tempo: the penalty depends on the gap alone, computed once per gap (same formula)
        f = fpb[0]
        logf = math.log(f)
        pen = np.empty(int(2 * f) + 2)
        for g in range(pen.shape[0]):  # gap 0 (fpb 1) too, as the formula gives it
            d = math.log(g) - logf
            pen[g] = tightness * d * d
    first = True
    for i in range(n):
        f = fpb[i] if tv else fpb[0]
        best = -np.inf
        where = -1
        start = i - int(np.round(f / 2))
        stop = i - int(2 * f) - 1
        if tv:
            logf = math.log(f)
            for loc in range(start, stop, -1):
                if loc < 0:
                    break
                d = math.log(i - loc) - logf
                s = cum[loc] - tightness * d * d
                if s > best:
                    best = s
                    where = loc
        else:
            for loc in range(start, max(stop, -1), -1):
                s = cum[loc] - pen[i - loc]
                if s > best:
                    best = s
                    where = loc
        cum[i] = local[i] + best if where >= 0 else local[i]
        if first and local[i] < thresh:
            back[i] = -1
        else:
            back[i] = where
            first = False


@exact_jit
def _track_row(env, fpb, tightness, trim, beats):
    n = env.shape[0]
    tv = fpb.shape[0] > 1
    local = np.empty(n)
    _local_score(env, fpb, tv, local)
    cum = np.empty(n)
    back = np.empty(n, np.int64)
    _cumulative(local, fpb, tv, tightness, cum, back)
    # last beat: the latest local maximum of cum at or above half the median of local maxima
    is_max = np.zeros(n, np.bool_)
    count = 0
    for i in range(1, n):
        if (i < n - 1 and cum[i] > cum[i - 1] and cum[i] >= cum[i + 1]) or (i == n - 1 and cum[i] > cum[i - 1]):
            is_max[i] = True
            count += 1
    tail = n - 1
    if count > 0:
        vals = np.empty(count)
        j = 0
        for i in range(n):
            if is_max[i]:
                vals[j] = cum[i]
                j += 1
        threshold = 0.5 * np.median(vals)
        for m in range(n - 1, -1, -1):
            if is_max[m] and cum[m] >= threshold:
                tail = m
                break
    m = tail
    while m >= 0:
        beats[m] = True
        m = back[m]
    # trimming: 0.5 * RMS of the beats' local scores smoothed by hann(5)
    thr = 0.0
    if trim:
        nb = 0
        for i in range(n):
            if beats[i]:
                nb += 1
        vals = np.empty(nb)
        j = 0
        for i in range(n):
            if beats[i]:
                vals[j] = local[i]
                j += 1
        w = np.array([0.0, 0.5, 1.0, 0.5, 0.0])
        full = np.zeros(nb + 4)
        for a in range(nb):
            for b in range(5):
                full[a + b] += vals[a] * w[b]
        hi = min(n + 2, nb + 4)
        ss = 0.0
        for j in range(2, hi):
            ss += full[j] * full[j]
        thr = 0.5 * math.sqrt(ss / (hi - 2))
    m = 0
    while m < n and local[m] <= thr:
        beats[m] = False
        m += 1
    m = n - 1
    while m >= 0 and local[m] <= thr:
        beats[m] = False
        m -= 1


@exact_pjit
def _track(env, fpb, tightness, trim, beats):
    for r in prange(env.shape[0]):
        _track_row(env[r], fpb[r], tightness, trim, beats[r])


def track(env, fpb, tightness, trim):
    """librosa's dynamic-programming beat tracker on each row of ``env`` (rows, n) float64 with
    ``fpb`` (rows, 1 or n) frames per beat -> boolean (rows, n) beat mask."""
    beats = np.zeros(env.shape, np.bool_)
    _track(env, fpb, np.float64(tightness), bool(trim), beats)
    return beats
