"""Constant-Q projection kernels on the CPU: the sparse product of a filter bank's spectra with
the spectra of an octave's frames, and its adjoint (for the inverse transform).

The bank is stored as in :mod:`dsp_kernels.cpu.mel` (ranged CSR): filter ``k`` covers FFT bins
``starts[k] .. starts[k] + offsets[k+1] - offsets[k] - 1`` with the weights
``weights[offsets[k]:offsets[k+1]]``. A constant-Q filter's spectrum is one narrow lobe, so the
work is the number of kept weights (a few hundred per filter) rather than ``n_filters * n_bins``.
Weights and spectra may be complex (the transform) or real (the magnitude-only pseudo-CQT):
Numba compiles one version per type.

Entry functions
---------------
``cqt_project(D, starts, offsets, weights)``
    ``D`` (batch, n_bins, n_frames) C-contiguous; returns (batch, n_filters, n_frames),
    ``out[b, k, t] = sum_f weights[k, f] D[b, f, t]``, in ``D``'s dtype.
``cqt_adjoint(C, starts, offsets, weights, gains, n_bins)``
    ``C`` (batch, n_filters, n_frames) complex; returns (batch, n_bins, n_frames),
    ``out[b, f, t] = sum_k conj(weights[k, f]) gains[k] C[b, k, t]``.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import pjit

__all__ = ["cqt_project", "cqt_adjoint"]


@pjit
def _project(D, starts, offsets, weights, out):
    batch, _, n_frames = D.shape
    n_filters = starts.shape[0]
    # one (channel, filter) row per task: the inner loop runs over contiguous frames
    for task in prange(batch * n_filters):
        b = task // n_filters
        k = task - b * n_filters
        row = out[b, k]
        for t in range(n_frames):
            row[t] = 0.0
        f0 = starts[k] - offsets[k]
        for i in range(offsets[k], offsets[k + 1]):
            w = weights[i]
            src = D[b, f0 + i]
            for t in range(n_frames):
                row[t] += w * src[t]


def cqt_project(D: np.ndarray, starts: np.ndarray, offsets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Project (batch, n_bins, n_frames) spectra onto the filters: (batch, n_filters, n_frames)."""
    batch, _, n_frames = D.shape
    out = np.empty((batch, starts.shape[0], n_frames), dtype=D.dtype)
    if out.size:
        w = weights.astype(np.result_type(weights.dtype, D.dtype), copy=False)
        if w.dtype != D.dtype:  # real spectra with complex weights cannot happen; keep D's type
            w = w.astype(D.dtype)
        _project(np.ascontiguousarray(D), starts, offsets, w, out)
    return out


@pjit
def _adjoint(C, starts, offsets, weights, gains, out):
    batch, n_filters, n_frames = C.shape
    n_bins = out.shape[1]
    # one (channel, frame block) per task: filters overlap in frequency, so a task owns all
    # the bins of its frames and adds every filter's contribution to them
    block = 64
    per_row = (n_frames + block - 1) // block
    for task in prange(batch * per_row):
        b = task // per_row
        t0 = (task - b * per_row) * block
        t1 = min(n_frames, t0 + block)
        for f in range(n_bins):
            for t in range(t0, t1):
                out[b, f, t] = 0.0
        for k in range(n_filters):
            g = gains[k]
            src = C[b, k]
            f = starts[k]
            for i in range(offsets[k], offsets[k + 1]):
                w = weights[i].conjugate() * g
                dst = out[b, f]
                for t in range(t0, t1):
                    dst[t] += w * src[t]
                f += 1


def cqt_adjoint(C, starts, offsets, weights, gains, n_bins):
    """``out[b, f, t] = sum_k conj(weights[k, f]) gains[k] C[b, k, t]``: (batch, n_bins, n_frames)."""
    batch, _, n_frames = C.shape
    out = np.empty((batch, n_bins, n_frames), dtype=C.dtype)
    if out.size:
        _adjoint(np.ascontiguousarray(C), starts, offsets, weights.astype(C.dtype, copy=False),
                 np.ascontiguousarray(gains, dtype=C.real.dtype), out)
    return out
