"""Reductions of the rows of a matrix over segments (groups of rows), in one parallel pass.

Entry functions (arrays already validated by :mod:`dsp.segments`):

``segment_sums(x, order, bounds, weights)``
    ``x`` (n, D) float32/float64 C-contiguous; segment ``g`` is the rows
    ``order[bounds[g]:bounds[g + 1]]``; ``weights`` (n,) float64, or empty for unit weights.
    Returns ``(sums, totals)``: (G, D) float64 sums of the weighted rows and (G,) float64 sums
    of their weights.
``segment_max(x, order, bounds)``
    (G, D) element-wise maxima, in ``x``'s dtype (every segment must be non-empty).

Why a kernel: pooling token embeddings into sentences with NumPy sorts, gathers and scales a
copy of every row before ``add.reduceat`` (three passes over the whole matrix, per level); here
each row is read once, straight from its place, and accumulated in float64.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import pjit

__all__ = ["segment_sums", "segment_max"]


@pjit
def _sums(x, order, bounds, weights, sums, totals):
    n_seg = bounds.shape[0] - 1
    d = x.shape[1]
    unit = weights.shape[0] == 0
    for g in prange(n_seg):
        acc = sums[g]
        total = 0.0
        for k in range(bounds[g], bounds[g + 1]):
            t = order[k]
            w = 1.0 if unit else weights[t]
            total += w
            row = x[t]
            for j in range(d):
                acc[j] += w * np.float64(row[j])
        totals[g] = total


@pjit
def _max(x, order, bounds, out):
    n_seg = bounds.shape[0] - 1
    d = x.shape[1]
    for g in prange(n_seg):
        acc = out[g]
        first = x[order[bounds[g]]]
        for j in range(d):
            acc[j] = first[j]
        for k in range(bounds[g] + 1, bounds[g + 1]):
            row = x[order[k]]
            for j in range(d):
                if row[j] > acc[j]:
                    acc[j] = row[j]


def segment_sums(x, order, bounds, weights):
    n_seg = bounds.shape[0] - 1
    sums = np.zeros((n_seg, x.shape[1]), dtype=np.float64)
    totals = np.zeros(n_seg, dtype=np.float64)
    _sums(x, order, bounds, weights, sums, totals)
    return sums, totals


def segment_max(x, order, bounds):
    out = np.empty((bounds.shape[0] - 1, x.shape[1]), dtype=x.dtype)
    _max(x, order, bounds, out)
    return out
