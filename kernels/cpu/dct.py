"""DCT kernels (types 1, 2, 3) on the CPU.

Entry function
--------------
``apply_matrix(x, matrix)``
    ``x`` has shape ``(outer, n, inner)`` (C-contiguous, the transform axis in the middle) and
    ``matrix`` shape ``(n_out, n)`` float64; returns ``(outer, n_out, inner)`` in ``x``'s dtype.
    Sums are carried in float64 whatever the input dtype, so a float32 result is the float64
    transform rounded once.

The transform matrices are tables built by :func:`dsp._dct` (cached per type, length, norm);
with the transform axis in the middle, the mel axis of a ``(..., n_mels, n_frames)`` spectrogram
is transformed in place of a transpose, and the inner loop runs over contiguous frames.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from kernels.config import pjit

__all__ = ["apply_matrix"]


@pjit
def _apply_last(x, matrix, out):
    # the transform axis is contiguous: each output is a dot product of two contiguous rows
    outer, n = x.shape
    n_out = matrix.shape[0]
    for b in prange(outer):
        row = np.empty(n, dtype=np.float64)
        for j in range(n):
            row[j] = x[b, j]
        for k in range(n_out):
            acc = 0.0
            for j in range(n):
                acc += matrix[k, j] * row[j]
            out[b, k] = acc


@pjit
def _apply_middle(x, matrix, out):
    # one (outer, k) pair per task; the inner loop runs over contiguous elements of `inner`
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    for task in prange(outer * n_out):
        b = task // n_out
        k = task - b * n_out
        acc = np.zeros(inner, dtype=np.float64)
        for j in range(n):
            c = matrix[k, j]
            for t in range(inner):
                acc[t] += c * x[b, j, t]
        for t in range(inner):
            out[b, k, t] = acc[t]


def apply_matrix(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Transform the middle axis of ``x`` (outer, n, inner) by ``matrix`` (n_out, n)."""
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    out = np.empty((outer, n_out, inner), dtype=x.dtype)
    if out.size == 0:
        return out
    if inner == 1:
        _apply_last(x.reshape(outer, n), matrix, out.reshape(outer, n_out))
    else:
        _apply_middle(x, matrix, out)
    return out
