"""Image resampling for pyramids, with scikit-image's definitions: ``dsp.transform.pyramid_reduce``.

The reduce step of a Gaussian pyramid (scikit-image's ``pyramid_reduce`` with ``order=1``,
``mode='reflect'``):

- Gaussian kernel: ``w[k] ∝ exp(-k**2 / (2 sigma**2))`` for ``|k| <= radius``,
  ``radius = int(truncate * sigma + 0.5)``, ``truncate = 4``, normalised to sum 1
  (scipy.ndimage.gaussian_filter's kernel): :func:`gaussian_kernel`.
- Smoothing border: half-sample symmetric, ``d c b a | a b c d | d c b a``
  (:func:`dsp_kernels.rules.symmetric_index`).
- Resampling ``n_in -> n_out`` samples: output ``o`` linearly interpolates the smoothed input at
  ``c = (o + 0.5) * n_in / n_out - 0.5`` (pixel centres aligned, ndimage.zoom's
  ``grid_mode=True``), the input extended whole-sample symmetric outside ``[0, n_in - 1]``
  (ndimage's 'mirror'): :func:`linear_plan`.

The CPU kernel (:mod:`dsp_kernels.cpu.image`) smooths and resamples one axis in one pass.
"""
from __future__ import annotations

import math

import numpy as np

from dsp_kernels.caches import table_cache

from ._backend import is_cupy_array
from ._dispatch import kernel
from ._errors import DSPError
from ._validation import check_choice, check_float, check_int, kernel_ready

__all__ = ["pyramid_reduce", "gaussian_kernel", "linear_plan"]


@table_cache(maxsize=64)
def gaussian_kernel(sigma: float, truncate: float = 4.0) -> np.ndarray:
    """Normalised float64 taps of the sampled Gaussian, length ``2 * radius + 1`` (read-only).

    Examples
    --------
    >>> from dsp.transform import gaussian_kernel
    >>> gaussian_kernel(2 / 3).round(4).tolist()
    [0.0, 0.0066, 0.1942, 0.5982, 0.1942, 0.0066, 0.0]
    """
    radius = int(truncate * sigma + 0.5)
    k = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 * (k / sigma) ** 2) if sigma > 0 else (k == 0).astype(np.float64)
    w /= w.sum()
    w.setflags(write=False)
    return w


def _mirror_index(idx: np.ndarray, n: int) -> np.ndarray:
    """Whole-sample symmetric extension of indices into ``[0, n)`` (period ``2n - 2``)."""
    if n == 1:
        return np.zeros_like(idx)
    idx = np.mod(idx, 2 * n - 2)
    return np.where(idx >= n, 2 * n - 2 - idx, idx)


@table_cache(maxsize=128)
def linear_plan(n_in: int, n_out: int):
    """``(lo, hi, frac)``: output ``o`` is ``(1 - frac[o]) * x[lo[o]] + frac[o] * x[hi[o]]``.

    Examples
    --------
    >>> from dsp.transform import linear_plan
    >>> [a.tolist() for a in linear_plan(4, 2)]
    [[0, 2], [1, 3], [0.5, 0.5]]
    """
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


def pyramid_reduce(image, downscale=2, sigma=None, order=1, mode="reflect", cval=0.0,
                   preserve_range=False, *, channel_axis=None):
    """Smooth, then down-sample an image by ``downscale``, as ``skimage.transform.pyramid_reduce``.

    Parameters
    ----------
    image : np.ndarray [shape=(H, W)] or [shape=(H, W, C)] with ``channel_axis``
        float32 stays float32; float64 otherwise.
    downscale : float > 1
    sigma : float >= 0 or None
        Default ``2 * downscale / 6`` (scikit-image's).
    order : {1}
        Linear interpolation (the only order built).
    mode : {'reflect'}
        The smoothing border (the only one built).
    cval : float
        Unused with ``mode='reflect'`` (kept for scikit-image's signature).
    preserve_range : bool
        Integer images need ``True`` (their values are kept); dsp does not guess a scale.
    channel_axis : int or None
        The channel axis of a 3-D image; channels are filtered independently and keep their axis.

    Returns
    -------
    np.ndarray [shape=(ceil(H / downscale), ceil(W / downscale))] (+ the channel axis)

    Raises
    ------
    DSPError
        Not 2-D (or 3-D with ``channel_axis``), not finite, ``downscale <= 1``, ``sigma < 0``,
        an order or mode that is not built, an integer image without ``preserve_range``, CuPy
        input (CPU only: ``pyramids.ImagePyramid.gaussian`` has the device path).

    Examples
    --------
    >>> import numpy as np, dsp
    >>> img = np.random.default_rng(0).random((64, 48))
    >>> dsp.transform.pyramid_reduce(img).shape
    (32, 24)
    """
    if is_cupy_array(image):
        raise DSPError("pyramid_reduce runs on the CPU: pass a NumPy image (pyramids.ImagePyramid.gaussian "
                       "reduces CuPy images on the device)")
    downscale = check_float("downscale", downscale)
    if not downscale > 1:
        raise DSPError(f"downscale={downscale} must be > 1")
    sigma = 2 * downscale / 6.0 if sigma is None else check_float("sigma", sigma, minimum=0.0)
    if check_int("order", order, minimum=0) != 1:
        raise DSPError(f"order={order} is not built: use order=1 (linear)")
    check_choice("mode", mode, ("reflect",))
    x = np.asarray(image)
    if x.dtype.kind in "biu":
        if not preserve_range:
            raise DSPError(f"image has dtype {x.dtype}: pass preserve_range=True to keep its values, or "
                           "convert it to float in the range you want")
        x = x.astype(np.float64)
    elif x.dtype.kind != "f":
        raise DSPError(f"image has dtype {x.dtype}: need a real image")
    elif x.dtype != np.float32:
        x = x.astype(np.float64)
    if channel_axis is None:
        if x.ndim != 2:
            raise DSPError(f"image has shape {x.shape}: need (H, W), or pass channel_axis")
        x3 = x[:, :, None]
    else:
        if x.ndim != 3:
            raise DSPError(f"image has shape {x.shape}: with channel_axis={channel_axis} need a 3-D image")
        channel_axis = check_int("channel_axis", channel_axis, minimum=-3)
        if channel_axis > 2:
            raise DSPError(f"channel_axis={channel_axis} is out of range for a 3-D image: need -3..2")
        x3 = np.moveaxis(x, channel_axis, -1)
    if 0 in x3.shape:
        raise DSPError(f"image has shape {x.shape}: need at least one pixel and one channel")
    if not np.isfinite(x3).all():
        raise DSPError("image contains NaN or infinity: need finite values")
    shape = tuple(int(math.ceil(n / downscale)) for n in x3.shape[:2])
    out = smooth_resize(np.ascontiguousarray(x3), shape, sigma)
    if channel_axis is None:
        return out[:, :, 0]
    return np.moveaxis(out, -1, channel_axis)


def smooth_resize(x3, shape, sigma):
    """Both axes of a C-contiguous (H, W, C) float image: smooth by ``sigma`` and resample to
    ``shape`` (validated input; the kernel step :func:`pyramid_reduce` and the pyramids share)."""
    taps = gaussian_kernel(float(sigma))
    x3 = kernel_ready(x3)  # a read-only image would compile the kernel a second time
    for axis in (0, 1):
        lo, hi, frac = linear_plan(x3.shape[axis], int(shape[axis]))
        x3 = kernel("smooth_resize_axis")(x3, taps, lo, hi, frac, axis)
    return x3
