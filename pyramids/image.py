"""Image pyramids: Gaussian and Laplacian (Burt-Adelson) pyramids of pixels, and pooled grids of
patch embeddings (ViT-style feature maps).

Extents are boxes ``(y0, x0, y1, x1)`` in the pixel coordinates of the original image, one per
position of the level's grid, in row-major order (see :mod:`pyramids.core`).
"""
from __future__ import annotations

import numbers

import numpy as np

from dsp.base import array_module, is_cupy_array

from . import _filters
from ._checks import check_choice, check_float, check_int
from ._errors import as_pyramid_error
from .core import BoxGrid, Level, Pyramid, PyramidError

__all__ = ["ImagePyramid"]


def _uniform_cuts(n_cells: int, length: float) -> np.ndarray:
    edges = np.arange(n_cells + 1, dtype=np.float64) * (length / n_cells)
    return np.stack([edges[:-1], edges[1:]], axis=1)


def _adaptive_cuts(n_in: int, n_out: int) -> np.ndarray:
    """Cell ``i`` of ``n_out`` covers inputs ``[floor(i n_in / n_out), ceil((i + 1) n_in / n_out))``.

    PyTorch's adaptive pooling rule: cells tile the input exactly when ``n_out`` divides ``n_in``
    and overlap by at most one input otherwise.
    """
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    return np.stack([start, end], axis=1)


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
    if not bool(xp.isfinite(image).all()):
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


class ImagePyramid(Pyramid, modality="image"):
    """A :class:`Pyramid` of an image: levels are ``(H_k, W_k)`` or ``(H_k, W_k, C)`` arrays
    (channels last, whatever ``channel_axis`` the input had), or ``(g, g, D)`` patch grids.

    Element ``(i, j)`` of a level is the box of the original image it stands for.
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

    @classmethod
    def patches(cls, features, grids=(28, 14, 7), pooling="mean", patch_size=None) -> "ImagePyramid":
        """Patch embeddings ``[H, W, D]`` (a ViT's output tokens laid on their grid) pooled to
        coarser grids.

        Grid cells follow PyTorch's adaptive pooling: cell ``i`` of ``g`` covers feature rows
        ``[floor(i H / g), ceil((i + 1) H / g))`` (and columns alike), so a grid that divides
        ``H`` tiles it exactly (``28 -> 14``: 2x2 patches per cell) and others overlap by at most
        one patch. The result equals ``torch.nn.functional.adaptive_avg_pool2d`` (``'mean'``) or
        ``adaptive_max_pool2d`` (``'max'``).

        Parameters
        ----------
        features : np.ndarray or cupy.ndarray [shape=(H, W, D)]
        grids : int or sequence of (int or (int, int))
            Grid sizes, finest first, each at most ``(H, W)`` and no finer than the one before.
            ``(14, 7)`` means two square grids; one rectangular grid is ``[(14, 7)]``.
            A grid equal to ``(H, W)`` keeps the features as they are.
        pooling : {'mean', 'max'}
        patch_size : int or (int, int), optional
            Pixels per patch. With it, extents are pixel boxes of the input image; without it,
            boxes are in patch units (as if ``patch_size=1``).

        Returns
        -------
        ImagePyramid
            Level ``k`` has shape ``(gh_k, gw_k, D)`` and name ``'cell{g}'`` (``'cell{gh}x{gw}'``
            for a rectangular grid); extents are the boxes of the patches each cell pools.

        Raises
        ------
        PyramidError
            features not 3-D, NaN or infinity, an empty or unordered grid list, a grid larger than the
            feature map, an unknown pooling.

        Examples
        --------
        >>> import numpy as np
        >>> feats = np.random.default_rng(0).standard_normal((28, 28, 8)).astype(np.float32)
        >>> p = ImagePyramid.patches(feats, grids=(28, 14, 7), patch_size=16)
        >>> p.names, p.shapes[-1]
        (('cell28', 'cell14', 'cell7'), (7, 7, 8))
        >>> p.level(2).extents[0].tolist()  # a 7x7 cell pools 4x4 patches of 16x16 pixels
        [0.0, 0.0, 64.0, 64.0]
        """
        xp = array_module(features)
        if not is_cupy_array(features):
            features = np.asarray(features)
        if features.ndim != 3:
            raise PyramidError(f"features has shape {tuple(features.shape)}: need (H, W, D) patch embeddings")
        if features.dtype.kind != "f":
            raise PyramidError(f"features has dtype {features.dtype}: need floating-point embeddings")
        if features.size == 0:
            raise PyramidError(f"features is empty: shape {tuple(features.shape)}")
        if not bool(xp.isfinite(features).all()):
            # an infinite embedding would turn the pooled means into NaN
            raise PyramidError("features contains NaN or infinity: need finite embeddings")
        check_choice("pooling", pooling, ("mean", "max"))
        H, W = features.shape[:2]
        if patch_size is None:
            ph = pw = 1
        else:
            ph, pw = _pair("patch_size", patch_size)
        if isinstance(grids, numbers.Integral):
            grids = [grids]
        try:
            grids = [_pair("grids", g) for g in grids]
        except TypeError as exc:
            raise PyramidError(f"grids={grids!r} must be a sequence of ints or (rows, cols) pairs") from exc
        if not grids:
            raise PyramidError("grids is empty: need at least one grid size")
        for k, (gh, gw) in enumerate(grids):
            if gh > H or gw > W:
                raise PyramidError(f"grids[{k}]=({gh}, {gw}) is larger than the feature map ({H}, {W})")
            if k and (gh > grids[k - 1][0] or gw > grids[k - 1][1]):
                raise PyramidError(
                    f"grids must go from fine to coarse: grids[{k}]=({gh}, {gw}) is finer than "
                    f"grids[{k - 1}]={grids[k - 1]}"
                )
        out = []
        for gh, gw in grids:
            cy, cx = _adaptive_cuts(H, gh), _adaptive_cuts(W, gw)
            data = _pool_axis(_pool_axis(features, cy, 0, pooling, xp), cx, 1, pooling, xp)
            boxes = BoxGrid(cy * ph, cx * pw)
            name = f"cell{gh}" if gh == gw else f"cell{gh}x{gw}"
            out.append(Level(data, name, boxes, "pixels", {"grid": (gh, gw)}))
        meta = dict(builder="patches", pooling=pooling, patch_size=None if patch_size is None else (ph, pw),
                    feature_shape=(H, W))
        return cls(out, "image", meta)


def _pair(name, v):
    if isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)):
        v = (v, v)
    if not isinstance(v, (tuple, list)) or len(v) != 2:
        raise PyramidError(f"{name} entry {v!r} must be an int or a (rows, cols) pair")
    return tuple(check_int(name, int(x) if isinstance(x, np.integer) else x, minimum=1) for x in v)


def _pool_axis(x, cuts: np.ndarray, axis: int, pooling: str, xp):
    n = x.shape[axis]
    if len(cuts) == n:
        return x
    moved = xp.moveaxis(x, axis, 0)
    if n % len(cuts) == 0:
        # Tiling cells: one reshape instead of a loop over cells.
        blocks = moved.reshape((len(cuts), n // len(cuts)) + moved.shape[1:])
        pooled = blocks.mean(axis=1) if pooling == "mean" else blocks.max(axis=1)
    else:
        red = (lambda a: a.mean(axis=0)) if pooling == "mean" else (lambda a: a.max(axis=0))
        pooled = xp.stack([red(moved[s:e]) for s, e in cuts.tolist()])
    return xp.moveaxis(pooled.astype(x.dtype, copy=False), 0, axis)


def _reduce(x, shape, sigma, xp):
    return _filters.resize(_filters.smooth(x, sigma, (0, 1), xp), shape, (0, 1), xp)


def _expand(x, shape, sigma, xp):
    return _filters.smooth(_filters.resize(x, shape, (0, 1), xp), sigma, (0, 1), xp)
