"""Separable Gaussian smoothing and linear resampling along one axis (NumPy or CuPy).

The definitions are scikit-image's (``pyramid_reduce`` / ``pyramid_expand``); the kernel taps and
the resampling plan are :mod:`dsp.transform`'s, which also has the fused CPU reduce step. This
module is the array-module path (CuPy images, and the expand step of Laplacian pyramids); the
definitions (taps, borders, plan) are written down in :mod:`dsp.transform`.
"""
from __future__ import annotations

import math

import numpy as np

from dsp.transform import gaussian_kernel, linear_plan
from dsp_kernels.caches import table_cache
from dsp_kernels.rules import symmetric_index


@table_cache(maxsize=128)
def _padded_indices(radius: int, n: int) -> np.ndarray:
    """Indices ``-radius .. n + radius - 1`` folded into ``[0, n)`` by the half-sample symmetric
    border (the rule of the CPU kernel, applied once per size and kept: read-only)."""
    idx = np.array([symmetric_index(k, n) for k in range(-radius, n + radius)], dtype=np.int64)
    idx.setflags(write=False)
    return idx


def smooth_axis(x, sigma: float, axis: int, xp=np):
    """Gaussian-smooth ``x`` along ``axis`` with the half-sample symmetric border.

    Accumulates in ``x.dtype`` (float32 stays float32), tap by tap over shifted views.
    """
    if sigma == 0:
        return x.copy()
    w = gaussian_kernel(float(sigma))
    radius = (len(w) - 1) // 2
    n = x.shape[axis]
    # Indices of the padded signal, folded back into range: works for radius > n as well.
    src = xp.asarray(_padded_indices(radius, n))
    # The taps run over the first axis of a contiguous copy: whole rows at a time, unit stride.
    moved = xp.ascontiguousarray(xp.moveaxis(xp.take(x, src, axis=axis), axis, 0))
    out = x.dtype.type(w[0]) * moved[:n]
    for t in range(1, len(w)):
        out += x.dtype.type(w[t]) * moved[t : t + n]
    return xp.ascontiguousarray(xp.moveaxis(out, 0, axis))


def smooth(x, sigma: float, axes, xp=np):
    """Separable Gaussian smoothing over ``axes`` (one 1-D pass per axis)."""
    for ax in axes:
        x = smooth_axis(x, sigma, ax, xp)
    return x


def resize_axis(x, n_out: int, axis: int, xp=np):
    """Linear resampling of ``x`` along ``axis`` to ``n_out`` samples (pixel-centre aligned)."""
    n_in = x.shape[axis]
    if n_out == n_in:
        return x.copy()
    lo, hi, frac = linear_plan(n_in, int(n_out))
    shape = [1] * x.ndim
    shape[axis] = n_out
    f = xp.asarray(frac.astype(x.dtype)).reshape(shape)
    a = xp.take(x, xp.asarray(lo), axis=axis)
    b = xp.take(x, xp.asarray(hi), axis=axis)
    return (1 - f) * a + f * b


def resize(x, shape, axes, xp=np):
    """Linear resampling of ``x`` to ``shape`` over ``axes`` (one 1-D pass per axis)."""
    for ax, n in zip(axes, shape):
        x = resize_axis(x, n, ax, xp)
    return x


def reduced_size(n: int, downscale: float) -> int:
    """``ceil(n / downscale)``, the size of the next level (scikit-image's rule)."""
    return int(math.ceil(n / float(downscale)))
