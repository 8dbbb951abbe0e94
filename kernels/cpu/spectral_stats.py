"""Frame statistics of a signal's spectrogram without the spectrogram: STFT blocks of W frames
(:mod:`dsp_kernels.cpu.stft_block`) -> ``|X| ** power`` in the FFT's lanes -> the W spectra as
contiguous rows (an in-register transpose) -> one statistic per frame
(:func:`dsp_kernels.rules.column_stat`, the rule of ``column_stats``). Per thread only one
block's spectra exist; nothing of size ``(n_bins, n_frames)`` is written, read back or
transposed, which is most of the cost of ``|stft(y)|`` followed by ``column_stats``.

Entry function
--------------
``signal_stats(y, *, n_fft, hop_length, window, center, pad_mode, power, freq, kind, param,
amin)``
    ``y`` (batch, n) C-contiguous float64, ``window`` (n_fft,) float64 centred in the frame,
    ``freq`` (n_bins,) float64. The statistic ``kind`` of ``column_stats`` (0 centroid,
    1 bandwidth about each frame's centroid, 2 roll-off, 3 flatness) of the spectra
    ``|X| ** power``; returns (batch, n_frames) float64. FFT sizes that need Bluestein's
    algorithm go through :func:`dsp_kernels.cpu.spectral.stft` and ``column_stats`` instead.

``signal_contrast(y, *, n_fft, hop_length, window, center, pad_mode, lo, hi, q)``
    Spectral contrast's band statistics of ``|X|``: band ``j`` is the bins ``lo[j] .. hi[j] - 1``
    (int64 arrays); per frame, the means of its ``q[j]`` smallest and ``q[j]`` largest
    magnitudes (each summed in ascending order, as the mean of a sorted slice). Returns
    ``(valley, peak)``, each (batch, n_bands, n_frames) float64. Bluestein sizes as above.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.spectral_stats import signal_stats
>>> y = np.sin(2 * np.pi * 1000 * np.arange(8192) / 8000.0)[None]
>>> f = np.arange(257) * 8000.0 / 512
>>> c = signal_stats(y, n_fft=512, hop_length=128, window=np.hanning(513)[:-1], center=True,
...                  pad_mode="constant", power=1.0, freq=f, kind=0)
>>> c.shape, bool(abs(c[0, 30] - 1000) < 20)
((1, 65), True)
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import exact_jit, jit, pjit
from dsp_kernels.cpu.features import column_stats
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.fft.block import store_floats
from dsp_kernels.cpu.mel import _lanes_power
from dsp_kernels.cpu.rules import column_stat
from dsp_kernels.cpu.stft_block import (
    alloc_stft_block, block_tasks, blocks_per_task, stft_block_spectra, task_blocks,
)
from dsp_kernels.shapes import stft_geometry

__all__ = ["signal_stats", "signal_contrast"]


@jit
def _block_rows(plan, row, geom, window, t0, B, scratch, power, pw, rows):
    """``rows[l * n_bins + k] = |X_k| ** power`` of frame ``t0 + l``, ``l < B``."""
    n_bins = window.shape[0] // 2 + 1
    stft_block_spectra(plan, row, geom, window, t0, B, scratch, plan.scales[0])
    lanes = scratch[0].shape[1] // (2 * (plan.work_len + 1))
    _lanes_power(scratch[0][1], pw, n_bins, power, lanes)
    store_floats(pw, n_bins, B, rows, 0, n_bins)


@exact_jit
def _rolloff(m, freq, param, amin):
    """The roll-off of one spectrum, compiled without fastmath so that its cumulative sum is not
    reassociated (see ``column_stats``) even where the fast kernel below calls it: fastmath is a
    flag of each instruction, and an inlined call keeps its own."""
    return column_stat(m, freq, 2, param, amin, 0.0)


@pjit
def _stats(y, window, geom, plan, per_task, power, freq, kind, param, amin, out):
    n_frames = out.shape[1]
    n_bins = window.shape[0] // 2 + 1
    W = 64 // plan.consts.itemsize
    n_blocks = (n_frames + W - 1) // W
    n_tasks, per_row = block_tasks(y.shape[0], n_blocks, per_task)
    for task in prange(n_tasks):
        b, c0, c1 = task_blocks(task, per_row, per_task, n_blocks)
        scratch = alloc_stft_block(plan)
        pw = np.empty(n_bins * W, dtype=y.dtype)
        rows = np.empty(W * n_bins, dtype=y.dtype)
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            _block_rows(plan, y[b], geom, window, t0, B, scratch, power, pw, rows)
            for l in range(B):
                m = rows[l * n_bins:(l + 1) * n_bins]
                if kind == 2:
                    out[b, t0 + l] = _rolloff(m, freq, param, amin)
                    continue
                cen = 0.0
                if kind == 1:  # the bandwidth is taken about the frame's (normalised) centroid
                    cen = column_stat(m, freq, 0, 0.0, 0.0, 0.0)
                out[b, t0 + l] = column_stat(m, freq, kind, param, amin, cen)


def signal_stats(y, *, n_fft, hop_length, window, center, pad_mode, power, freq, kind, param=0.0,
                 amin=0.0):
    """Statistic ``kind`` per frame of ``|stft(y)| ** power``: (batch, n) -> (batch, n_frames)."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    window = np.ascontiguousarray(window, dtype=np.float64)
    freq = np.ascontiguousarray(freq, dtype=np.float64)
    geom = stft_geometry(y.shape[1], n_fft, hop_length, center, pad_mode, window)
    out = np.empty((y.shape[0], geom.n_frames), np.float64)
    if not out.size:
        return out
    plan = get_rfft_plan(n_fft, np.float64)
    if plan.bluestein != 0:
        from dsp_kernels.cpu.spectral import stft

        D = stft(y, n_fft=n_fft, hop_length=hop_length, window=window, center=center,
                 pad_mode=pad_mode)
        M = np.abs(D.swapaxes(1, 2)).reshape(-1, n_fft // 2 + 1)
        if power != 1.0:
            M = M ** power
        if kind == 1:
            cen = column_stats(M, freq, 0)
            return column_stats(M, freq, 1, param, amin, cen).reshape(out.shape)
        return column_stats(M, freq, kind, param, amin).reshape(out.shape)
    _stats(y, window, geom, plan, blocks_per_task(y.shape[0], geom.n_frames, np.float64),
           np.float64(power), freq, np.int64(kind), np.float64(param), np.float64(amin), out)
    return out


@jit
def _keep_small(small, q, v):
    """Insert ``v`` into the ascending ``small[:q]``, dropping its largest; the new largest.
    Without branches: the j-th smallest of ``small`` and ``v`` is
    ``min(small[j], max(small[j - 1], v))`` (an insertion loop's exit is mispredicted)."""
    for j in range(q - 1, 0, -1):
        small[j] = min(small[j], max(small[j - 1], v))
    small[0] = min(small[0], v)
    return small[q - 1]


@jit
def _keep_large(large, q, v):
    """Insert ``v`` into the ascending ``large[:q]``, dropping its smallest; the new smallest
    (the mirror of :func:`_keep_small`)."""
    for j in range(q - 1):
        large[j] = max(large[j], min(large[j + 1], v))
    large[q - 1] = max(large[q - 1], v)
    return large[0]


@jit
def _band_means(m, lo, hi, q, small, large):
    """``(mean of the q smallest, mean of the q largest)`` of ``m[lo:hi]``, ``1 <= q <= hi - lo``.

    Two sorted buffers of q values (q is a few percent of the band) instead of sorting the band:
    a value enters with an insertion; runs of 8 values whose minimum (maximum) cannot enter are
    passed over with one comparison. Magnitude spectra mostly fall with frequency, so the
    smallest are sought from the top of the band down and the largest from the bottom up: few
    values then enter. Each buffer ends sorted, so the sums run in ascending order (the mean of
    a sorted slice)."""
    top = hi - 1
    for i in range(q):  # the first q values of each scan, sorted in
        v = m[top - i]
        j = i
        while j > 0 and small[j - 1] > v:
            small[j] = small[j - 1]
            j -= 1
        small[j] = v
        v = m[lo + i]
        j = i
        while j > 0 and large[j - 1] > v:
            large[j] = large[j - 1]
            j -= 1
        large[j] = v
    thr_s = small[q - 1]
    thr_l = large[0]
    i = top - q
    while i >= lo + 7:
        c = m[i]
        for u in range(1, 8):
            c = min(c, m[i - u])
        if c < thr_s:
            for u in range(8):
                if m[i - u] < thr_s:
                    thr_s = _keep_small(small, q, m[i - u])
        i -= 8
    while i >= lo:
        if m[i] < thr_s:
            thr_s = _keep_small(small, q, m[i])
        i -= 1
    i = lo + q
    while i + 7 < hi:
        c = m[i]
        for u in range(1, 8):
            c = max(c, m[i + u])
        if c > thr_l:
            for u in range(8):
                if m[i + u] > thr_l:
                    thr_l = _keep_large(large, q, m[i + u])
        i += 8
    while i < hi:
        if m[i] > thr_l:
            thr_l = _keep_large(large, q, m[i])
        i += 1
    a = 0.0
    b = 0.0
    for j in range(q):
        a += small[j]
        b += large[j]
    return a / q, b / q


@pjit
def _contrast(y, window, geom, plan, per_task, lo, hi, q, valley, peak):
    n_frames = valley.shape[2]
    n_bins = window.shape[0] // 2 + 1
    W = 64 // plan.consts.itemsize
    n_blocks = (n_frames + W - 1) // W
    n_tasks, per_row = block_tasks(y.shape[0], n_blocks, per_task)
    q_max = 1
    for j in range(q.shape[0]):
        q_max = max(q_max, q[j])
    for task in prange(n_tasks):
        b, c0, c1 = task_blocks(task, per_row, per_task, n_blocks)
        scratch = alloc_stft_block(plan)
        pw = np.empty(n_bins * W, dtype=y.dtype)
        rows = np.empty(W * n_bins, dtype=y.dtype)
        small = np.empty(q_max, dtype=y.dtype)
        large = np.empty(q_max, dtype=y.dtype)
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            _block_rows(plan, y[b], geom, window, t0, B, scratch, 1.0, pw, rows)
            for l in range(B):
                m = rows[l * n_bins:(l + 1) * n_bins]
                for j in range(lo.shape[0]):
                    v, p = _band_means(m, lo[j], hi[j], q[j], small, large)
                    valley[b, j, t0 + l] = v
                    peak[b, j, t0 + l] = p


def signal_contrast(y, *, n_fft, hop_length, window, center, pad_mode, lo, hi, q):
    """Per band and frame, the means of the ``q`` smallest and largest of ``|stft(y)|`` over
    bins ``lo .. hi - 1``: (batch, n) -> (valley, peak), each (batch, n_bands, n_frames)."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    window = np.ascontiguousarray(window, dtype=np.float64)
    lo, hi, q = (np.ascontiguousarray(a, dtype=np.int64) for a in (lo, hi, q))
    geom = stft_geometry(y.shape[1], n_fft, hop_length, center, pad_mode, window)
    shape = (y.shape[0], lo.shape[0], geom.n_frames)
    valley = np.empty(shape, np.float64)
    peak = np.empty(shape, np.float64)
    if not valley.size:
        return valley, peak
    plan = get_rfft_plan(n_fft, np.float64)
    if plan.bluestein != 0:
        from dsp_kernels.cpu.spectral import stft

        M = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, window=window, center=center,
                        pad_mode=pad_mode))
        for j in range(lo.shape[0]):
            srt = np.sort(M[:, lo[j]:hi[j], :], axis=1)
            valley[:, j] = srt[:, :q[j]].mean(axis=1)
            peak[:, j] = srt[:, -q[j]:].mean(axis=1)
        return valley, peak
    _contrast(y, window, geom, plan, blocks_per_task(y.shape[0], geom.n_frames, np.float64),
              lo, hi, q, valley, peak)
    return valley, peak
