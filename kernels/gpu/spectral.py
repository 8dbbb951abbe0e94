"""GPU STFT family: framing + padding + window in one kernel, cuFFT (or our FFT), overlap-add.

Entries take validated device arrays: signals as ``(batch, n)`` rows, the window already padded
to ``n_fft`` and centred (as ``dsp`` prepares it for both backends).
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from dsp_kernels.shapes import istft_frames, stft_geometry

from . import _runtime as rt
from . import fft as gfft
from .rules import pad_value
from .db import amplitude_to_db, db_to_amplitude, db_to_power, magphase, power_to_db  # noqa: F401


@cuda.jit
def _frame_window(y, window, frames, hop, half, mode, whole, tail_k, post_lo):
    """frames[b, f, i] = y[b, f*hop + i - half] (extended by pad ``mode``) * window[i].

    The geometry and the pad rule are the CPU's (:class:`dsp_kernels.shapes.StftGeometry`,
    :func:`dsp_kernels.rules.pad_value`): with ``whole == 0``, frames ``f >= tail_k`` extend only
    the slice ``y[post_lo:]``, as librosa 0.11 pads its tail frames from that slice (which
    matters for mirror modes when the slice is short).
    """
    i, row = cuda.grid(2)
    n_fft = frames.shape[2]
    n_frames = frames.shape[1]
    if i >= n_fft or row >= frames.shape[0] * n_frames:
        return
    b = row // n_frames
    f = row - b * n_frames
    n = y.shape[1]
    lo = post_lo if whole == 0 and f >= tail_k else 0
    pos = f * hop + i - half
    if lo <= pos < n:
        frames[b, f, i] = y[b, pos] * window[i]
    else:
        frames[b, f, i] = pad_value(y[b], pos, lo, n, mode, half) * window[i]


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


def frame_window(y, *, n_fft: int, hop_length: int, window, center: bool, pad_mode: str):
    """Windowed frames ``(batch, n_frames, n_fft)`` of the rows of ``y``, padding on the fly."""
    xp = rt.xp()
    y = xp.ascontiguousarray(y)
    g = stft_geometry(y.shape[1], n_fft, hop_length, center, pad_mode)
    frames = xp.empty((y.shape[0], g.n_frames, n_fft), dtype=y.dtype)
    win = rt.as_device(window, dtype=y.dtype)
    blocks, threads = rt.grid_2d(n_fft, y.shape[0] * g.n_frames)
    rt.launch(_frame_window, blocks, threads, y, win, frames, g.hop, g.half, g.mode, g.whole,
              g.tail_k, g.post_lo)
    return frames


def to_freq_major(spectra):
    """(batch, n_frames, n_freq) -> contiguous (batch, n_freq, n_frames)."""
    xp = rt.xp()
    b, nf, nb = spectra.shape
    out = xp.empty((b, nb, nf), dtype=spectra.dtype)
    blocks, threads = rt.grid_2d(nb, b * nf)
    rt.launch(_transpose_last2, blocks, threads, xp.ascontiguousarray(spectra), out)
    return out


def stft(y, *, n_fft: int, hop_length: int, window, center: bool, pad_mode: str,
         check_finite: bool = False):
    """Complex STFT of the rows of ``y``: ``(batch, n) -> (batch, n_fft//2 + 1, n_frames)``;
    with ``check_finite``, ``(S, finite)``, ``finite`` whether ``y`` holds no NaN or infinity
    (the CPU twin finds it on the way; here one reduction, which waits for the device)."""
    frames = frame_window(
        y, n_fft=n_fft, hop_length=hop_length, window=window, center=center, pad_mode=pad_mode
    )
    b, nf, _ = frames.shape
    spectra = gfft.rfft(frames.reshape(b * nf, n_fft), 1.0).reshape(b, nf, n_fft // 2 + 1)
    S = to_freq_major(spectra)
    if not check_finite:
        return S
    return S, bool(rt.xp().isfinite(y).all())


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
    n_frames, n_out = istft_frames(n_frames, n_fft=n_fft, hop_length=hop_length, center=center,
                                   length=length)
    spectra = xp.ascontiguousarray(xp.swapaxes(S[:, :, :n_frames], 1, 2))
    frames = gfft.irfft(spectra.reshape(b * n_frames, nb), n_fft, 1.0 / n_fft).reshape(b, n_frames, n_fft)
    real = frames.dtype
    y = xp.empty((b, n_out), dtype=real)
    win = rt.as_device(window, dtype=real)
    tiny = float(np.finfo(real).tiny)
    blocks, threads = rt.grid_2d(n_out, b)
    rt.launch(_overlap_add, blocks, threads, frames, win, y, hop_length, n_fft // 2 if center else 0, tiny)
    return y
