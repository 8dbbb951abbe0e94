"""Spectral peaks of ``piptrack`` on the CPU, listed instead of spread over two dense arrays.

``librosa.piptrack`` returns two arrays of the spectrogram's size that are zero except at the
peaks (a few per frame), and ``estimate_tuning`` only reads those few values back. Here one pass
per frame finds the peaks and computes their interpolated frequency and magnitude; only the
peaks are stored.

The rule, per frame, on the magnitudes ``S[k]`` (the spectrogram's dtype throughout, as NumPy's
array arithmetic does it, so every value is the same to the bit):

- ``ref = threshold * max_k S[k]``; ``x[k] = S[k]`` where ``S[k] > ref``, else 0;
- bin ``k`` is a peak when it lies in the band (``in_band[k]``) and ``x`` has a local maximum
  there (``x[k] > x[k-1]`` and ``x[k] >= x[k+1]``; never bin 0; the last bin when it exceeds
  its neighbour: ``dsp.util.localmax``);
- ``a = S[k+1] + S[k-1] - 2 S[k]``, ``b = (S[k+1] - S[k-1]) / 2``, ``shift = 0`` if ``|b| >= |a|``
  else ``-b / a`` (0 at the first and last bin);
- ``avg`` is ``np.gradient`` of ``S`` along the bins at ``k``; magnitude ``S[k] + (0.5 avg) shift``;
- frequency ``(k + shift) sr / n_fft`` in float64, rounded to the dtype.

The kernel is compiled without fastmath (:data:`dsp_kernels.config.exact_pjit`): the tuning
histogram compares these values with librosa's for exact equality.

Entry function
--------------
``piptrack_peaks(S, in_band, threshold, sr, n_fft)``
    ``S`` (batch, n_frames, n_bins) C-contiguous float32/float64 (each frame's magnitudes
    contiguous), ``in_band`` (n_bins,) bool, true on one run of bins. Returns
    ``(flat, pitch, mag)``: for each peak the flat index ``(b * n_bins + k) * n_frames + t``
    into a C-ordered (batch, n_bins, n_frames) array, its frequency and its magnitude (``S``'s
    dtype), frame by frame.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import exact_jit, exact_pjit

__all__ = ["piptrack_peaks"]


@exact_jit
def _is_peak(s, k, n, ref, zero):
    """Bin k is a local maximum of ``s * (s > ref)`` (``zero`` of s's type)."""
    if k == 0 or n < 2:
        return False
    xk = s[k] if s[k] > ref else zero
    xl = s[k - 1] if s[k - 1] > ref else zero
    if k == n - 1:
        return xk > xl
    xr = s[k + 1] if s[k + 1] > ref else zero
    return xk > xl and xk >= xr


@exact_pjit
def _count(S, k0, k1, refs, zero, counts):
    batch, n_frames, n = S.shape
    for task in prange(batch * n_frames):
        b = task // n_frames
        s = S[b, task - b * n_frames]
        ref = refs[task]
        c = 0
        for k in range(k0, k1):  # the band's bins only (the reference level uses all)
            if _is_peak(s, k, n, ref, zero):
                c += 1
        counts[task] = c


@exact_pjit
def _fill(S, k0, k1, refs, zero, two, half, sr, n_fft, starts, flat, pitch, mag):
    # the constants come typed as S (a literal 0 or 2 would make Numba widen float32 sums to
    # float64: one rounding where NumPy makes two)
    batch, n_frames, n = S.shape
    for task in prange(batch * n_frames):
        b = task // n_frames
        t = task - b * n_frames
        s = S[b, t]
        ref = refs[task]
        j = starts[task]
        for k in range(k0, k1):
            if not _is_peak(s, k, n, ref, zero):
                continue
            shift = zero
            if k == n - 1:
                avg = s[k] - s[k - 1]  # np.gradient's one-sided edge (k >= 1 at a peak)
            else:
                avg = (s[k + 1] - s[k - 1]) / two
                a = s[k + 1] + s[k - 1] - two * s[k]
                bb = (s[k + 1] - s[k - 1]) / two
                if abs(bb) < abs(a):
                    shift = -bb / a
            flat[j] = (b * n + k) * n_frames + t
            pitch[j] = (np.float64(k) + np.float64(shift)) * sr / n_fft
            mag[j] = s[k] + half * avg * shift
            j += 1


def piptrack_peaks(S, in_band, threshold, sr, n_fft):
    """The peaks of the (batch, n_frames, n_bins) magnitudes ``S``: ``(flat, pitch, mag)``."""
    S = np.ascontiguousarray(S)
    batch, n_frames, n = S.shape
    counts = np.zeros(batch * n_frames, dtype=np.int64)
    # each frame's threshold * max, as NumPy computes it (its max is SIMD and NaN-aware)
    refs = (S.dtype.type(threshold) * S.max(axis=-1, initial=-np.inf)).reshape(-1)
    # the band is one run of bins (ascending frequencies)
    inside = np.flatnonzero(np.asarray(in_band, dtype=bool))
    k0, k1 = (int(inside[0]), int(inside[-1]) + 1) if inside.size else (0, 0)
    if counts.size:
        _count(S, k0, k1, refs, S.dtype.type(0), counts)
    starts = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    total = int(starts[-1])
    flat = np.empty(total, dtype=np.int64)
    pitch = np.empty(total, dtype=S.dtype)
    mag = np.empty(total, dtype=S.dtype)
    if total:
        _fill(S, k0, k1, refs, S.dtype.type(0), S.dtype.type(2), S.dtype.type(0.5), float(sr),
              float(n_fft), starts, flat, pitch, mag)
    return flat, pitch, mag
