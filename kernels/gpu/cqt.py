"""GPU twin of :mod:`dsp_kernels.cpu.cqt`: the sparse constant-Q projection and its adjoint.

The bank is the ranged CSR form of kernels/cpu/cqt.py (filter ``k`` covers bins ``starts[k] ..
starts[k] + offsets[k+1] - offsets[k] - 1``). ``cqt_project``: one thread per (filter, frame),
consecutive threads on consecutive frames so a bin's row is read coalesced. ``cqt_adjoint``: one
thread per (bin, frame), looping over the octave's few filters (at most ``bins_per_octave``) and
adding those whose run covers the bin, so no two threads write the same output.
``cqt_octave`` (one octave from the signal, as the CPU's fused kernel): rectangular frames
(:func:`dsp_kernels.gpu.spectral.frame_window`), cuFFT (or our FFT), and the projection read
straight from the frames-major spectra, one thread per (filter, frame), for the first
``n_frames`` frames only; no transposed STFT is stored. ``cqt_halve`` (the decimation by 2):
the GPU resampler's polyphase kernel with the same taps (the direct sum; the CPU's fast
convolution, kernels/cpu/cqt.py, differs from it by float rounding).
"""
from __future__ import annotations

from numba import cuda

import numpy as np

from . import _runtime as rt
from . import fft as gfft
from . import spectral

__all__ = ["cqt_project", "cqt_adjoint", "cqt_octave", "cqt_halve"]


@cuda.jit
def _project(D, starts, offsets, weights, out):
    t, row = cuda.grid(2)
    batch, _, n_frames = D.shape
    n_filters = starts.shape[0]
    if t >= n_frames or row >= batch * n_filters:
        return
    b = row // n_filters
    k = row - b * n_filters
    f0 = starts[k] - offsets[k]
    acc = D[b, 0, t] * 0  # zero of the spectra's type (real or complex)
    for i in range(offsets[k], offsets[k + 1]):
        acc += weights[i] * D[b, f0 + i, t]
    out[b, k, t] = acc


@cuda.jit
def _project_frames(spec, starts, offsets, weights, out):
    # spec is (batch, frames, n_bins): the rfft's own layout, read without transposing
    t, row = cuda.grid(2)
    batch, n_filters, n_frames = out.shape
    if t >= n_frames or row >= batch * n_filters:
        return
    b = row // n_filters
    k = row - b * n_filters
    f0 = starts[k] - offsets[k]
    acc = spec[b, t, 0] * 0
    for i in range(offsets[k], offsets[k + 1]):
        acc += weights[i] * spec[b, t, f0 + i]
    out[b, k, t] = acc


@cuda.jit
def _adjoint(C, starts, offsets, weights, gains, out):
    t, row = cuda.grid(2)
    batch, n_filters, n_frames = C.shape
    n_bins = out.shape[1]
    if t >= n_frames or row >= batch * n_bins:
        return
    b = row // n_bins
    f = row - b * n_bins
    acc = C[b, 0, t] * 0
    for k in range(n_filters):
        i = offsets[k] + f - starts[k]
        if f >= starts[k] and i < offsets[k + 1]:
            w = weights[i]
            acc += (w.real - 1j * w.imag) * gains[k] * C[b, k, t]
    out[b, f, t] = acc


def cqt_project(D, starts, offsets, weights):
    """Project (batch, n_bins, n_frames) spectra onto the filters: (batch, n_filters, n_frames)."""
    xp = rt.xp()
    batch, _, n_frames = D.shape
    n_filters = len(starts)
    out = xp.empty((batch, n_filters, n_frames), dtype=D.dtype)
    if out.size:
        d = rt.as_device
        blocks, threads = rt.grid_2d(n_frames, batch * n_filters)
        rt.launch(_project, blocks, threads, xp.ascontiguousarray(D), d(starts), d(offsets),
                  d(weights, D.dtype), out)
    return out


def cqt_adjoint(C, starts, offsets, weights, gains, n_bins):
    """``out[b, f, t] = sum_k conj(weights[k, f]) gains[k] C[b, k, t]``: (batch, n_bins, n_frames)."""
    xp = rt.xp()
    batch, _, n_frames = C.shape
    out = xp.empty((batch, n_bins, n_frames), dtype=C.dtype)
    if out.size:
        d = rt.as_device
        blocks, threads = rt.grid_2d(n_frames, batch * n_bins)
        rt.launch(_adjoint, blocks, threads, xp.ascontiguousarray(C), d(starts), d(offsets),
                  d(weights, C.dtype), d(gains, C.real.dtype), out)
    return out


def cqt_octave(y, *, n_fft, hop_length, pad_mode, starts, offsets, weights, n_frames):
    """One octave's responses from the rows of ``y``: (batch, n) -> (batch, n_filters, n_frames)."""
    xp = rt.xp()
    frames = spectral.frame_window(y, n_fft=n_fft, hop_length=hop_length,
                                   window=np.ones(n_fft), center=True, pad_mode=pad_mode)
    batch, n_all, _ = frames.shape
    n_frames = min(int(n_frames), n_all)
    frames = frames[:, :n_frames]
    spec = gfft.rfft(xp.ascontiguousarray(frames).reshape(batch * n_frames, n_fft), 1.0)
    spec = spec.reshape(batch, n_frames, n_fft // 2 + 1)
    del frames
    out = xp.empty((batch, len(starts), n_frames), dtype=spec.dtype)
    if out.size:
        d = rt.as_device
        blocks, threads = rt.grid_2d(n_frames, batch * len(starts))
        rt.launch(_project_frames, blocks, threads, spec, d(starts), d(offsets),
                  d(weights, spec.dtype), out)
    return out


def cqt_halve(x, taps, n_fft, fold):
    """Decimate the rows of ``x`` by 2 with ``taps``: (batch, n) -> (batch, ceil(n / 2)).
    ``n_fft`` and ``fold`` serve the CPU's fast convolution; the direct sum needs only ``taps``."""
    from .resample import polyphase

    table = np.ascontiguousarray(np.asarray(taps, dtype=x.dtype)[None, :])
    return polyphase(x, table, 1, 2, (x.shape[1] + 1) // 2)
