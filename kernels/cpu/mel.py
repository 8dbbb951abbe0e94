"""Mel projection kernels on the CPU.

The mel filterbank is stored band by band as contiguous runs (a ranged CSR form): band ``m``
covers the FFT bins ``starts[m] .. starts[m] + (offsets[m+1] - offsets[m]) - 1`` with the
weights ``weights[offsets[m]:offsets[m+1]]``. Each triangular band's support is an interval, so
this holds every nonzero weight, and the work is the number of nonzero weights (about two per
FFT bin for 128 Slaney bands over 1025 bins) instead of ``n_mels * n_bins``. It stays correct
for any overlap (HTK, p-norms, tiny ``n_fft``) and for empty bands (a run of length zero).

Entry function
--------------
``mel_project(S, starts, offsets, weights)``
    ``S`` (batch, n_bins, n_frames) C-contiguous real, in the result dtype; returns
    (batch, n_mels, n_frames) in ``S``'s dtype.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from kernels.config import pjit

__all__ = ["mel_project"]


@pjit
def _project(S, starts, offsets, weights, out):
    batch, _, n_frames = S.shape
    n_mels = starts.shape[0]
    # one (channel, band) row per task: the inner loop runs over contiguous frames
    for task in prange(batch * n_mels):
        b = task // n_mels
        m = task - b * n_mels
        row = out[b, m]
        for t in range(n_frames):
            row[t] = 0.0
        k0 = starts[m]
        for i in range(offsets[m], offsets[m + 1]):
            w = weights[i]
            src = S[b, k0 + i - offsets[m]]
            for t in range(n_frames):
                row[t] += w * src[t]


def mel_project(S: np.ndarray, starts: np.ndarray, offsets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Project a (batch, n_bins, n_frames) power spectrogram onto the mel bands."""
    batch, _, n_frames = S.shape
    out = np.empty((batch, starts.shape[0], n_frames), dtype=S.dtype)
    if out.size:
        _project(S, starts, offsets, weights.astype(S.dtype, copy=False), out)
    return out
