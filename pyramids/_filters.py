"""Separable Gaussian smoothing and linear resampling along one axis (NumPy or CuPy).

The definitions are scikit-image's (``pyramid_reduce`` / ``pyramid_expand``), written down here:

- Gaussian kernel: ``w[k] ∝ exp(-k**2 / (2 sigma**2))`` for ``|k| <= radius``,
  ``radius = int(truncate * sigma + 0.5)`` with ``truncate = 4``, normalised to sum 1
  (scipy.ndimage.gaussian_filter's kernel).
- Smoothing border: half-sample symmetric, ``d c b a | a b c d | d c b a`` (ndimage's
  ``'reflect'``, numpy.pad's ``'symmetric'``), repeated as often as the kernel needs.
- Resampling ``n_in -> n_out`` samples: output sample ``o`` is the linear interpolation of the input
  at ``c = (o + 0.5) * n_in / n_out - 0.5`` (pixel centres aligned, ndimage.zoom's
  ``grid_mode=True``); outside ``[0, n_in - 1]`` the input is extended whole-sample symmetric,
  ``c b | a b c d | c b`` (ndimage's ``'mirror'``).
"""
from __future__ import annotations

import math

import numpy as np

from dsp_kernels.caches import table_cache


@table_cache(maxsize=64)
def gaussian_kernel(sigma: float, truncate: float = 4.0) -> np.ndarray:
    """Normalised float64 taps of the sampled Gaussian, length ``2 * radius + 1`` (read-only)."""
    radius = int(truncate * sigma + 0.5)
    k = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 * (k / sigma) ** 2) if sigma > 0 else (k == 0).astype(np.float64)
    w /= w.sum()
    w.setflags(write=False)
    return w


def _reflect_index(idx: np.ndarray, n: int) -> np.ndarray:
    """Half-sample symmetric extension of indices into ``[0, n)`` (period ``2n``)."""
    idx = np.mod(idx, 2 * n)
    return np.where(idx >= n, 2 * n - 1 - idx, idx)


def _mirror_index(idx: np.ndarray, n: int) -> np.ndarray:
    """Whole-sample symmetric extension of indices into ``[0, n)`` (period ``2n - 2``)."""
    if n == 1:
        return np.zeros_like(idx)
    idx = np.mod(idx, 2 * n - 2)
    return np.where(idx >= n, 2 * n - 2 - idx, idx)


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
    src = xp.asarray(_reflect_index(np.arange(-radius, n + radius), n))
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


@table_cache(maxsize=128)
def _linear_plan(n_in: int, n_out: int):
    o = np.arange(n_out, dtype=np.float64)
    c = (o + 0.5) * (n_in / n_out) - 0.5
    i0 = np.floor(c)
    frac = c - i0
    i0 = i0.astype(np.int64)
    lo = _mirror_index(i0, n_in)
    hi = _mirror_index(i0 + 1, n_in)
    for a in (lo, hi, frac):
        a.setflags(write=False)
    return lo, hi, frac


def resize_axis(x, n_out: int, axis: int, xp=np):
    """Linear resampling of ``x`` along ``axis`` to ``n_out`` samples (pixel-centre aligned)."""
    n_in = x.shape[axis]
    if n_out == n_in:
        return x.copy()
    lo, hi, frac = _linear_plan(n_in, int(n_out))
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
