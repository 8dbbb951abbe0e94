"""GPU twin of :mod:`dsp_kernels.cpu.mel`: the sparse (ranged CSR) mel projection.

Band ``m`` covers bins ``starts[m] .. starts[m] + offsets[m+1] - offsets[m] - 1`` with weights
``weights[offsets[m]:offsets[m+1]]`` (see kernels/cpu/mel.py). One thread per (band, frame):
consecutive threads take consecutive frames, so reads of a bin's row are coalesced, and each
thread does only its band's few multiply-adds.

``melspectrogram`` (the signal-to-mel entry) frames and windows
on the fly (:func:`dsp_kernels.gpu.spectral.frame_window`), transforms with cuFFT (or our FFT), and
projects straight from the frames-major spectra, so neither the power spectrogram nor a
transposed copy is stored.
"""
from __future__ import annotations

from numba import cuda

from . import _runtime as rt
from . import fft as gfft
from . import spectral
from .rules import abs_pow


@cuda.jit(device=True, inline=True)
def _power_of(z, power):
    """``|z| ** power`` by the CPU's rule (:func:`dsp_kernels.rules.abs_pow`)."""
    return abs_pow(z.real, z.imag, power)


@cuda.jit
def _project(S, starts, offsets, weights, out):
    t, row = cuda.grid(2)
    batch, _, n_frames = S.shape
    n_mels = starts.shape[0]
    if t >= n_frames or row >= batch * n_mels:
        return
    b = row // n_mels
    m = row - b * n_mels
    k0 = starts[m] - offsets[m]
    acc = 0.0
    for i in range(offsets[m], offsets[m + 1]):
        acc += weights[i] * S[b, k0 + i, t]
    out[b, m, t] = acc


@cuda.jit
def _power_project_frames(spec, power, starts, offsets, weights, out):
    # spec is (batch, n_frames, n_bins): the rfft's own layout, read without transposing
    t, row = cuda.grid(2)
    batch, n_frames, _ = spec.shape
    n_mels = starts.shape[0]
    if t >= n_frames or row >= batch * n_mels:
        return
    b = row // n_mels
    m = row - b * n_mels
    k0 = starts[m] - offsets[m]
    acc = 0.0
    for i in range(offsets[m], offsets[m + 1]):
        acc += weights[i] * _power_of(spec[b, t, k0 + i], power)
    out[b, m, t] = acc


def _launch(kernel, S, args, out_dtype, n_mels):
    xp = rt.xp()
    batch, _, n_frames = S.shape
    out = xp.empty((batch, n_mels, n_frames), dtype=out_dtype)
    if out.size:
        blocks, threads = rt.grid_2d(n_frames, batch * n_mels)
        rt.launch(kernel, blocks, threads, xp.ascontiguousarray(S), *args, out)
    return out


def mel_project(S, starts, offsets, weights):
    """Project a real (batch, n_bins, n_frames) power spectrogram onto the mel bands."""
    d = rt.as_device
    return _launch(_project, S, (d(starts), d(offsets), d(weights, S.dtype)), S.dtype, len(starts))


def melspectrogram(y, *, n_fft, hop_length, window, center, pad_mode, power, starts, offsets, weights,
                   out_dtype, dtype=None):
    """Mel spectrogram of the rows of ``y``: (batch, n) -> (batch, n_mels, n_frames), transformed
    in ``dtype`` (default ``y``'s; float32 rows under float64 are converted first)."""
    xp = rt.xp()
    if dtype is not None and y.dtype != dtype:
        y = xp.ascontiguousarray(y, dtype=dtype)
    frames = spectral.frame_window(
        y, n_fft=n_fft, hop_length=hop_length, window=window, center=center, pad_mode=pad_mode
    )
    batch, n_frames, _ = frames.shape
    spec = gfft.rfft(frames.reshape(batch * n_frames, n_fft), 1.0).reshape(batch, n_frames, -1)
    del frames
    n_mels = len(starts)
    out = xp.empty((batch, n_mels, n_frames), dtype=out_dtype)
    if out.size:
        d = rt.as_device
        blocks, threads = rt.grid_2d(n_frames, batch * n_mels)
        rt.launch(_power_project_frames, blocks, threads, spec, float(power), d(starts), d(offsets),
                  d(weights, out_dtype), out)
    return out
