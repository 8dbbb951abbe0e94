"""piptrack's spectral peaks as a list, for ``dsp.piptrack`` and ``dsp.estimate_tuning``
(:mod:`dsp._chroma`) on NumPy data: the kernel ``piptrack_peaks`` (kernels/cpu/pitch.py) finds
them frame by frame, and the tuning estimate from audio takes its STFT a chunk of frames at a
time, so neither two spectrogram-sized arrays of peaks nor (for audio) the spectrogram itself
is ever whole in memory.
"""
from __future__ import annotations

import math

import numpy as np

from ._validation import as_float_array, check_float
from .fourier import fft_frequencies

__all__ = ["listed_peaks", "peaks_by_chunks"]


def listed_peaks(S, sr, n_fft, fmin, fmax, threshold):
    """``(flat, pitch, mag)``: piptrack's peaks (reference level: each frame's maximum) as a
    list, flat indices into a C-ordered array of ``S``'s shape; None for device data (no GPU
    kernel), which takes the array arithmetic of :func:`dsp.piptrack` (the same rule as
    kernels/cpu/pitch.py).

    ``S`` (..., n_bins, t) non-negative magnitudes; returns three arrays of one entry per peak.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> from dsp._piptrack_peaks import listed_peaks
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> S = np.abs(dsp.stft(y, n_fft=2048))
    >>> flat, pitch, mag = listed_peaks(S, 22050.0, 2048, 150.0, 4000.0, 0.1)
    >>> bool(np.all(np.abs(pitch - 440) < 1))   # one peak per frame, at 440 Hz
    True
    """
    from . import _backend
    from ._dispatch import has_kernel, kernel_for

    if S.ndim < 2 or not has_kernel("piptrack_peaks", _backend.backend_of(S)):
        return None

    freqs = fft_frequencies(sr=sr, n_fft=n_fft)
    n_bins, n_frames = S.shape[-2:]
    # frames-major: the STFT's own memory layout, so usually no copy
    batch = math.prod(S.shape[:-2])
    Sf = np.ascontiguousarray(np.swapaxes(S, -1, -2)).reshape(batch, n_frames, n_bins)
    in_band = (fmin <= freqs) & (freqs < fmax)
    return kernel_for("piptrack_peaks", Sf)(Sf, in_band, threshold, sr, n_fft)


#: frames per chunk of :func:`peaks_by_chunks` (a 2048-point float32 chunk's spectra: 2 MB)
_CHUNK_FRAMES = 256


def peaks_by_chunks(*, y, sr, S, n_fft, hop_length, fmin, fmax, threshold, win_length, window,
                     center, pad_mode):
    """``(None, pitch, mag)``: :func:`listed_peaks` of audio, its STFT taken ``_CHUNK_FRAMES`` frames at a time (each
    frame's spectrum is the same to the bit: the same samples, zero padding included, through
    the same FFT), so the spectrogram is never whole in memory. None where this does not apply:
    a spectrogram given, device data, or framing other than centred with zero padding. The
    keywords are :func:`dsp.piptrack`'s (``ref`` excepted).

    Examples
    --------
    >>> import numpy as np
    >>> from dsp._piptrack_peaks import peaks_by_chunks
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050 * 10) / 22050).astype(np.float32)
    >>> _, pitch, mag = peaks_by_chunks(y=y, sr=22050, S=None, n_fft=2048, hop_length=512,
    ...     fmin=150.0, fmax=4000.0, threshold=0.1, win_length=None, window="hann", center=True,
    ...     pad_mode="constant")
    >>> pitch.size, bool(np.all(np.abs(pitch - 440) < 1))   # one peak in each of 431 frames
    (431, True)
    """
    from . import _backend
    from ._dispatch import has_kernel
    from ._stft_params import lengths
    from .spectral import stft
    from dsp_kernels.shapes import stft_n_frames

    if S is not None or y is None or not center or pad_mode != "constant":
        return None
    y = as_float_array(y, name="y")
    if not has_kernel("piptrack_peaks", _backend.backend_of(y)) or y.ndim < 1:
        return None
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    threshold = check_float("threshold", threshold)
    fmin = max(check_float("fmin", fmin), 0)
    fmax = min(check_float("fmax", fmax), float(sr) / 2)
    n_fft, hop, win_length = lengths(n_fft, hop_length, win_length)
    n = y.shape[-1]
    if n < n_fft:  # the whole-signal path warns about it, as librosa
        return None
    y2 = y.reshape(-1, n)
    half = n_fft // 2
    cdt = np.complex64 if y.dtype == np.float32 else np.complex128
    n_frames = stft_n_frames(n, n_fft, hop, True)
    parts = []
    for t0 in range(0, n_frames, _CHUNK_FRAMES):
        t1 = min(n_frames, t0 + _CHUNK_FRAMES)
        a, b = t0 * hop - half, (t1 - 1) * hop - half + n_fft  # the chunk's samples, padded
        if a >= 0 and b <= n:
            seg = y2[:, a:b]
        else:
            seg = np.zeros((y2.shape[0], b - a), dtype=y.dtype)
            seg[:, max(a, 0) - a:min(b, n) - a] = y2[:, max(a, 0):min(b, n)]
        D = stft(seg, n_fft=n_fft, hop_length=hop, win_length=win_length, window=window,
                 center=False, dtype=cdt)
        parts.append(listed_peaks(np.abs(D), sr, n_fft, fmin, fmax, threshold))
    # (the flat indices are chunk-local: only the frequencies and magnitudes are returned)
    return None, np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts])
