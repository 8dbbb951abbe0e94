"""Image pyramids: Gaussian and Laplacian (Burt-Adelson) pyramids of pixels, and pooled grids of
patch embeddings (ViT-style feature maps).

Extents are boxes ``(y0, x0, y1, x1)`` in the pixel coordinates of the original image, one per
position of the level's grid, in row-major order (see :mod:`pyramids.core`).
"""
from __future__ import annotations

import numbers

import numpy as np

from dsp.base import all_finite, array_module, is_cupy_array

from . import _filters
from ._checks import check_float, check_int
from ._errors import as_pyramid_error
from .core import BoxGrid, Level, Pyramid, PyramidError
from .image_patches import PatchBuilders

__all__ = ["ImagePyramid"]


def _uniform_cuts(n_cells: int, length: float) -> np.ndarray:
    edges = np.arange(n_cells + 1, dtype=np.float64) * (length / n_cells)
    return np.stack([edges[:-1], edges[1:]], axis=1)


def _as_image(image, channel_axis, name="image"):
    xp = array_module(image)
    if not is_cupy_array(image):
        try:
            image = np.asarray(image)
        except Exception as exc:
            raise PyramidError(f"{name} could not be converted to an array: {exc}") from exc
    if image.dtype.kind in "biu":
        # Integer images keep their values (scikit-image's preserve_range=True).
        image = image.astype(np.float64)
    elif image.dtype.kind != "f":
        raise PyramidError(f"{name} has dtype {image.dtype}: need a real (float, integer or boolean) image")
    elif image.dtype not in (np.float32, np.float64):
        image = image.astype(np.float32 if image.dtype == np.float16 else np.float64)
    if channel_axis is None:
        if image.ndim != 2:
            raise PyramidError(
                f"{name} has shape {tuple(image.shape)}: need (H, W), or pass channel_axis for an image "
                "with channels"
            )
    else:
        if image.ndim != 3:
            raise PyramidError(
                f"{name} has shape {tuple(image.shape)}: with channel_axis={channel_axis} need a 3-D image"
            )
        if isinstance(channel_axis, (bool, np.bool_)) or not isinstance(channel_axis, numbers.Integral):
            raise PyramidError(f"channel_axis={channel_axis!r} must be an integer or None")
        if not -3 <= channel_axis < 3:
            raise PyramidError(f"channel_axis={channel_axis} is out of range for a 3-D image")
        image = xp.moveaxis(image, int(channel_axis), -1)
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise PyramidError(f"{name} is empty: shape {tuple(image.shape)}")
    if not all_finite(image):
        raise PyramidError(f"{name} contains NaN or infinity: need finite values")
    return xp.ascontiguousarray(image), xp


def _check_pyramid_args(levels, downscale, sigma):
    levels = check_int("levels", levels, minimum=1)
    downscale = check_float("downscale", downscale, minimum=1.0, strict_minimum=True)
    if sigma is None:
        # scikit-image's default: the kernel (radius 3 sigma) spans twice the downscale factor.
        sigma = 2.0 * downscale / 6.0
    sigma = check_float("sigma", sigma, minimum=0.0)
    return levels, downscale, sigma


def _level_shapes(shape, levels, downscale):
    shapes = [tuple(shape)]
    for _ in range(levels - 1):
        nxt = tuple(_filters.reduced_size(n, downscale) for n in shapes[-1])
        if nxt == shapes[-1]:
            raise PyramidError(
                f"levels={levels} is too many for a {shape[0]}x{shape[1]} image with downscale={downscale}: "
                f"the image reaches {nxt[0]}x{nxt[1]} after {len(shapes) - 1} reductions, so at most "
                f"levels={len(shapes)}"
            )
        shapes.append(nxt)
    return shapes


def _pixel_level(data, name, image_shape, meta=None):
    h, w = data.shape[:2]
    boxes = BoxGrid(_uniform_cuts(h, image_shape[0]), _uniform_cuts(w, image_shape[1]))
    return Level(data, name, boxes, "pixels", meta or {})


class ImagePyramid(PatchBuilders, Pyramid, modality="image"):
    """A :class:`Pyramid` of an image: levels are ``(H_k, W_k)`` or ``(H_k, W_k, C)`` arrays
    (channels last, whatever ``channel_axis`` the input had), or ``(g, g, D)`` patch grids.

    Element ``(i, j)`` of a level is the box of the original image it stands for. Builders:
    :meth:`gaussian`, :meth:`laplacian`, :meth:`wavelet` here, :meth:`patches` (patch grids,
    :mod:`pyramids.image_patches`).
    """

    @classmethod
    def gaussian(cls, image, levels, downscale=2, sigma=None, channel_axis=None) -> "ImagePyramid":
        """Gaussian pyramid: each level is the previous one smoothed, then resized by ``1/downscale``.

        Level 0 is the image itself. Each reduction is scikit-image's ``pyramid_reduce`` (order 1,
        ``mode='reflect'``), computed by :mod:`pyramids._filters`: Gaussian smoothing (``sigma``,
        truncated at 4 sigma, half-sample symmetric border) then linear interpolation at pixel
        centres to ``ceil(n / downscale)`` samples per axis. The levels therefore equal
        ``skimage.transform.pyramid_gaussian(image, levels - 1, downscale, sigma, order=1,
        mode='reflect', preserve_range=True)`` to rounding.

        Parameters
        ----------
        image : np.ndarray or cupy.ndarray [shape=(H, W)] or 3-D with ``channel_axis``
            float32 stays float32; other floats become float64; integer and boolean images are
            converted to float64 keeping their values (divide by 255 yourself for [0, 1]).
        levels : int >= 1
            Number of levels, the image included.
        downscale : float > 1
        sigma : float >= 0, optional
            Default ``2 * downscale / 6`` (scikit-image's).
        channel_axis : int, optional
            The channel axis of a 3-D image; channels are smoothed independently and come last.

        Returns
        -------
        ImagePyramid
            Level ``k`` is named ``'gauss{k}'``; its element ``(i, j)`` covers the box
            ``(i H / H_k, j W / W_k, (i + 1) H / H_k, (j + 1) W / W_k)``.

        Raises
        ------
        PyramidError
            Not a 2-D image (or 3-D with channel_axis), NaN or infinity, ``downscale <= 1``, ``sigma < 0``, or
            more levels than the image can give (the last level would stop shrinking).

        Examples
        --------
        >>> import numpy as np
        >>> p = ImagePyramid.gaussian(np.random.default_rng(0).random((64, 48, 3)), 3, channel_axis=-1)
        >>> p.shapes
        ((64, 48, 3), (32, 24, 3), (16, 12, 3))
        >>> p.level(2).extents[0].tolist()  # the top-left element covers a 4x4 pixel box
        [0.0, 0.0, 4.0, 4.0]
        """
        image, xp = _as_image(image, channel_axis)
        levels, downscale, sigma = _check_pyramid_args(levels, downscale, sigma)
        shapes = _level_shapes(image.shape[:2], levels, downscale)
        data = [image]
        for shape in shapes[1:]:
            data.append(_reduce(data[-1], shape, sigma, xp))
        meta = dict(builder="gaussian", downscale=downscale, sigma=sigma, image_shape=tuple(image.shape[:2]),
                    channel_axis=channel_axis)
        out = [_pixel_level(d, f"gauss{k}", image.shape[:2]) for k, d in enumerate(data)]
        return cls(out, "image", meta)

    @classmethod
    def laplacian(cls, image, levels, downscale=2, sigma=None, channel_axis=None) -> "ImagePyramid":
        """Laplacian pyramid (Burt and Adelson, 1983): band-pass levels plus the low-pass top.

        With ``G_k`` the Gaussian pyramid (:meth:`gaussian`), level ``k < levels - 1`` is
        ``L_k = G_k - expand(G_{k+1})`` and the last level is ``G_{levels-1}``, where ``expand``
        resizes linearly to ``G_k``'s shape and smooths with the same Gaussian (scikit-image's
        ``pyramid_expand``). :meth:`reconstruct` undoes it exactly (to rounding) for any
        ``downscale`` and ``sigma``: ``G_k = L_k + expand(G_{k+1})``.

        Parameters and raises: as :meth:`gaussian`.

        Returns
        -------
        ImagePyramid
            Levels ``'laplace0'`` ... ``'laplace{levels-2}'`` and ``'lowpass'``; shapes and extents
            as in :meth:`gaussian`.

        Examples
        --------
        >>> import numpy as np
        >>> img = np.random.default_rng(0).random((40, 30))
        >>> p = ImagePyramid.laplacian(img, 4)
        >>> p.names
        ('laplace0', 'laplace1', 'laplace2', 'lowpass')
        >>> bool(np.abs(p.reconstruct() - img).max() < 1e-12)
        True
        """
        image, xp = _as_image(image, channel_axis)
        levels, downscale, sigma = _check_pyramid_args(levels, downscale, sigma)
        shapes = _level_shapes(image.shape[:2], levels, downscale)
        gauss = [image]
        for shape in shapes[1:]:
            gauss.append(_reduce(gauss[-1], shape, sigma, xp))
        bands = [g - _expand(nxt, g.shape[:2], sigma, xp) for g, nxt in zip(gauss[:-1], gauss[1:])]
        bands.append(gauss[-1])
        names = [f"laplace{k}" for k in range(levels - 1)] + ["lowpass"]
        meta = dict(builder="laplacian", downscale=downscale, sigma=sigma, image_shape=tuple(image.shape[:2]),
                    channel_axis=channel_axis)
        out = [_pixel_level(d, n, image.shape[:2]) for d, n in zip(bands, names)]
        return cls(out, "image", meta)

    @classmethod
    def wavelet(cls, image, wavelet="db2", levels=None, mode="periodization", channel_axis=None) -> "ImagePyramid":
        """The classic image wavelet pyramid: at each level the approximation and its three
        detail bands (Mallat's 2-D DWT, :func:`dsp.dwt2` over the two image axes).

        Level ``k`` (1 = finest) stacks ``[cA_k, cH_k, cV_k, cD_k]`` on a last axis: ``cA_k`` is
        the approximation after ``k`` levels, ``cH_k``/``cV_k``/``cD_k`` the horizontal, vertical
        and diagonal details split off at that level (PyWavelets' ``wavedec2`` bands, and the
        intermediate approximations it does not keep). :meth:`reconstruct` inverts it exactly (to
        rounding) from the last approximation and every level's details.

        Parameters
        ----------
        image : np.ndarray or cupy.ndarray [shape=(H, W)] or 3-D with ``channel_axis``
            float32 stays float32; integer and boolean images become float64.
        wavelet : str or dsp.Wavelet
            A discrete wavelet (see :func:`dsp.wavelist`).
        levels : int >= 1, optional
            Default :func:`dsp.dwtn_max_level` of the image (at least 1).
        mode : str
            Extension mode; the default 'periodization' halves each side exactly (``ceil(n/2)``),
            so that coefficient ``(i, j)`` stands for a ``2**k`` pixel box.
        channel_axis : int, optional

        Returns
        -------
        ImagePyramid
            Levels ``'wavelet1'`` ... ``'wavelet{levels}'`` of shape ``(H_k, W_k, 4)`` or
            ``(H_k, W_k, C, 4)``; element ``(i, j)`` covers the box
            ``(i H / H_k, j W / W_k, (i + 1) H / H_k, (j + 1) W / W_k)``; each level's meta names
            its bands (``('cA', 'cH', 'cV', 'cD')``).

        Raises
        ------
        PyramidError
            Bad image (as :meth:`gaussian`), an unknown or continuous wavelet, a bad mode, or
            ``levels < 1``.

        Examples
        --------
        >>> import numpy as np
        >>> img = np.random.default_rng(0).random((64, 48))
        >>> p = ImagePyramid.wavelet(img, 'db2', levels=3)
        >>> p.shapes
        ((32, 24, 4), (16, 12, 4), (8, 6, 4))
        >>> bool(np.abs(p.reconstruct() - img).max() < 1e-12)
        True
        """
        import dsp

        image, xp = _as_image(image, channel_axis)
        with as_pyramid_error():
            w = dsp.Wavelet(wavelet) if isinstance(wavelet, str) else wavelet
            top = dsp.dwtn_max_level(image.shape[:2], w)
            mode_name = dsp.wavelets.mode_name(dsp.wavelets.mode_id(mode))
        levels = max(top, 1) if levels is None else check_int("levels", levels, minimum=1)
        data = []
        a = image
        for _ in range(levels):
            with as_pyramid_error(f"levels={levels}: "):
                a, (h, v, d) = dsp.dwt2(a, w, mode_name, axes=(0, 1))
            data.append(xp.stack([a, h, v, d], axis=-1))
        meta = dict(builder="wavelet", wavelet=w.name, mode=mode_name, image_shape=tuple(image.shape[:2]),
                    channel_axis=channel_axis)
        bands = {"bands": ("cA", "cH", "cV", "cD")}
        out = [_pixel_level(x, f"wavelet{k + 1}", image.shape[:2], dict(bands)) for k, x in enumerate(data)]
        return cls(out, "image", meta)

    def _reconstruct_wavelet(self):
        import dsp

        names = [f"wavelet{k + 1}" for k in range(len(self))]
        if list(self.names) != names:
            raise PyramidError(
                f"reconstruct() needs every level of the wavelet pyramid, 'wavelet1' first: this one has {self.names}"
            )
        top = self[-1]
        coeffs = [top[..., 0]] + [tuple(self[k][..., b] for b in (1, 2, 3)) for k in range(len(self) - 1, -1, -1)]
        w = self.meta["wavelet"]
        w = dsp.Wavelet(w) if w in dsp.wavelist(kind="discrete") else w
        y = dsp.waverec2(coeffs, w, self.meta["mode"], axes=(0, 1))
        h, wd = self.meta["image_shape"]
        return y[:h, :wd]

    def reconstruct(self):
        """The image a Laplacian or wavelet pyramid was built from (channels last), exact to rounding.

        Returns
        -------
        np.ndarray or cupy.ndarray [shape=(H, W)] or [shape=(H, W, C)]

        Raises
        ------
        PyramidError
            The pyramid was not built by :meth:`laplacian` (or has been sliced from it, so the
            finest bands are missing or the low-pass top is not the last level).

        Examples
        --------
        >>> import numpy as np
        >>> img = np.arange(64.0).reshape(8, 8)
        >>> bool(np.allclose(ImagePyramid.laplacian(img, 3).reconstruct(), img))
        True
        """
        if self.meta.get("builder") == "wavelet":
            return self._reconstruct_wavelet()
        if self.meta.get("builder") != "laplacian":
            raise PyramidError(
                f"reconstruct() needs a Laplacian pyramid (ImagePyramid.laplacian) or a wavelet pyramid (ImagePyramid.wavelet): this one was built by "
                f"{self.meta.get('builder')!r}"
            )
        if self.names[-1] != "lowpass" or tuple(self[0].shape[:2]) != tuple(self.meta["image_shape"]):
            raise PyramidError(
                "reconstruct() needs every level of the Laplacian pyramid, from 'laplace0' to 'lowpass': "
                f"this one has {self.names}"
            )
        xp = array_module(self[0])
        sigma = self.meta["sigma"]
        image = self[-1]
        for band in reversed([self[k] for k in range(len(self) - 1)]):
            image = band + _expand(image, band.shape[:2], sigma, xp)
        return image


def _reduce(x, shape, sigma, xp):
    if xp is np:  # the fused CPU kernel: one pass per axis, no full-size smoothed copies
        from dsp.transform import smooth_resize

        x3 = np.ascontiguousarray(x if x.ndim == 3 else x[:, :, None])
        out = smooth_resize(x3, shape, sigma)
        return out if x.ndim == 3 else out[:, :, 0]
    return _filters.resize(_filters.smooth(x, sigma, (0, 1), xp), shape, (0, 1), xp)


def _expand(x, shape, sigma, xp):
    return _filters.smooth(_filters.resize(x, shape, (0, 1), xp), sigma, (0, 1), xp)
