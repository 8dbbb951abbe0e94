"""GPU STFT family: framing + padding + window in one kernel, cuFFT (or our FFT), overlap-add.

Entries take validated device arrays: signals as ``(batch, n)`` rows, the window already padded
to ``n_fft`` and centred (as ``dsp`` prepares it for both backends).
"""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from dsp_kernels.cpu.framing import GEOM_FIELDS, stft_geometry  # plain Python: librosa's frame geometry

from . import _runtime as rt
from . import fft as gfft
from .db import amplitude_to_db, db_to_amplitude, db_to_power, magphase, power_to_db  # noqa: F401

# Padding modes resolved by index arithmetic inside the framing kernel ('empty' reads zeros, as on
# the CPU); linear_ramp pads the signal's two ends with xp.pad first (it depends only on the edge
# samples, so librosa's tail slicing below does not change it).
INDEX_MODES = {"constant": 0, "empty": 0, "edge": 1, "reflect": 2, "symmetric": 3}


@cuda.jit(device=True, inline=True)
def _source_index(i, n, mode):
    """Index into a length-n signal that position i (possibly outside [0, n)) reads, or -1 for zero."""
    if 0 <= i < n:
        return i
    if mode == 0:
        return -1
    if mode == 1:
        return 0 if i < 0 else n - 1
    if mode == 2:  # mirror without repeating the edge: period 2(n-1)
        if n == 1:
            return 0
        p = 2 * (n - 1)
        m = i % p
        if m < 0:
            m += p
        return p - m if m >= n else m
    p = 2 * n  # mode 3: mirror repeating the edge, period 2n
    m = i % p
    if m < 0:
        m += p
    return p - 1 - m if m >= n else m


@cuda.jit
def _frame_window(y, window, frames, hop, offset, mode, tail_k, post_lo):
    """frames[b, f, i] = y[b, f*hop + i - offset] (extended by ``mode``) * window[i].

    Frames ``f >= tail_k`` extend only the slice ``y[post_lo:]``: librosa 0.11 pads its tail
    frames from that slice, which matters for mirror modes when the slice is short.
    """
    i, row = cuda.grid(2)
    n_fft = frames.shape[2]
    n_frames = frames.shape[1]
    if i >= n_fft or row >= frames.shape[0] * n_frames:
        return
    b = row // n_frames
    f = row - b * n_frames
    lo = post_lo if f >= tail_k else 0
    src = _source_index(f * hop + i - offset - lo, y.shape[1] - lo, mode)
    if src < 0:
        frames[b, f, i] = 0.0
    else:
        frames[b, f, i] = y[b, src + lo] * window[i]


@cuda.jit
def _transpose_last2(src, dst):
    """dst[b, j, i] = src[b, i, j]: frames-major spectra to librosa's (freq, frames) layout."""
    j, row = cuda.grid(2)
    n_i = src.shape[1]
    n_j = src.shape[2]
    if j >= n_j or row >= src.shape[0] * n_i:
        return
    b = row // n_i
    i = row - b * n_i
    dst[b, j, i] = src[b, i, j]


def n_frames_for(n: int, n_fft: int, hop: int, center: bool) -> int:
    """librosa's frame count: ``1 + (n + 2 (n_fft // 2) - n_fft) // hop`` when centred."""
    padded = n + 2 * (n_fft // 2) if center else n
    return 1 + (padded - n_fft) // hop


def frame_window(y, *, n_fft: int, hop_length: int, window, center: bool, pad_mode: str):
    """Windowed frames ``(batch, n_frames, n_fft)`` of the rows of ``y``, padding on the fly."""
    xp = rt.xp()
    y = xp.ascontiguousarray(y)
    n = y.shape[1]
    n_frames = n_frames_for(n, n_fft, hop_length, center)
    offset = n_fft // 2 if center else 0
    tail_k, post_lo = n_frames, 0  # no tail slicing unless librosa's geometry asks for it
    if center and pad_mode not in INDEX_MODES:
        y = xp.ascontiguousarray(xp.pad(y, [(0, 0), (offset, offset)], mode=pad_mode))
        offset, mode = 0, 0
    else:
        mode = INDEX_MODES.get(pad_mode, 0)  # uncentred frames never read outside the signal
        if center:
            geom = dict(zip(GEOM_FIELDS, stft_geometry(n, n_fft, hop_length, True, pad_mode)))
            if not geom["whole"]:
                tail_k, post_lo = geom["tail_k"], geom["post_lo"]
    frames = xp.empty((y.shape[0], n_frames, n_fft), dtype=y.dtype)
    win = rt.as_device(window, dtype=y.dtype)
    blocks, threads = rt.grid_2d(n_fft, y.shape[0] * n_frames)
    rt.launch(_frame_window, blocks, threads, y, win, frames, hop_length, offset, mode, tail_k, post_lo)
    return frames


def to_freq_major(spectra):
    """(batch, n_frames, n_freq) -> contiguous (batch, n_freq, n_frames)."""
    xp = rt.xp()
    b, nf, nb = spectra.shape
    out = xp.empty((b, nb, nf), dtype=spectra.dtype)
    blocks, threads = rt.grid_2d(nb, b * nf)
    rt.launch(_transpose_last2, blocks, threads, xp.ascontiguousarray(spectra), out)
    return out


def stft(y, *, n_fft: int, hop_length: int, window, center: bool, pad_mode: str):
    """Complex STFT of the rows of ``y``: ``(batch, n) -> (batch, n_fft//2 + 1, n_frames)``."""
    frames = frame_window(
        y, n_fft=n_fft, hop_length=hop_length, window=window, center=center, pad_mode=pad_mode
    )
    b, nf, _ = frames.shape
    spectra = gfft.rfft(frames.reshape(b * nf, n_fft), 1.0).reshape(b, nf, n_fft // 2 + 1)
    return to_freq_major(spectra)


@cuda.jit
def _overlap_add(frames, window, out, hop, start, tiny):
    """Gather form of windowed overlap-add with window-sum-square normalisation (no atomics).

    out[b, t] = sum_f w[k] x_f[k] / sum_f w[k]^2 with k = t + start - f*hop in [0, n_fft),
    left unnormalised where the sum of squares is below ``tiny`` (librosa's rule).
    """
    t, b = cuda.grid(2)
    if t >= out.shape[1] or b >= out.shape[0]:
        return
    n_frames = frames.shape[1]
    n_fft = frames.shape[2]
    tf = t + start
    f_hi = min(n_frames - 1, tf // hop)
    f_lo = max(0, (tf - n_fft) // hop + 1)
    acc = 0.0
    wss = 0.0
    for f in range(f_lo, f_hi + 1):
        k = tf - f * hop
        w = window[k]
        acc += w * frames[b, f, k]
        wss += w * w
    out[b, t] = acc / wss if wss > tiny else acc


def istft(S, *, n_fft: int, hop_length: int, window, center: bool, length):
    """Inverse STFT of ``S`` (batch, n_freq, n_frames) with librosa's length and trimming rules."""
    xp = rt.xp()
    b, nb, n_frames = S.shape
    if length:
        padded = length + 2 * (n_fft // 2) if center else length
        n_frames = min(n_frames, math.ceil(padded / hop_length))
        n_out = length
    else:
        n_out = n_fft + hop_length * (n_frames - 1) - (2 * (n_fft // 2) if center else 0)
    spectra = xp.ascontiguousarray(xp.swapaxes(S[:, :, :n_frames], 1, 2))
    frames = gfft.irfft(spectra.reshape(b * n_frames, nb), n_fft, 1.0 / n_fft).reshape(b, n_frames, n_fft)
    real = frames.dtype
    y = xp.empty((b, n_out), dtype=real)
    win = rt.as_device(window, dtype=real)
    tiny = float(np.finfo(real).tiny)
    blocks, threads = rt.grid_2d(n_out, b)
    rt.launch(_overlap_add, blocks, threads, frames, win, y, hop_length, n_fft // 2 if center else 0, tiny)
    return y
