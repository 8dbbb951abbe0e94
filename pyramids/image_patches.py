"""The patch-grid builder of :class:`pyramids.ImagePyramid`: patch embeddings (a ViT's output
tokens on their grid) pooled to coarser grids by PyTorch's adaptive pooling rule
(:meth:`~PatchBuilders.patches`).

:class:`ImagePyramid` inherits it: call ``ImagePyramid.patches(...)``. Extents are boxes as in
:mod:`pyramids.image`.
"""
from __future__ import annotations

import numbers

import numpy as np

from dsp.base import all_finite, array_module, is_cupy_array

from ._checks import check_choice, check_int
from .core import BoxGrid, Level, PyramidError

__all__ = ["PatchBuilders"]


def _adaptive_cuts(n_in: int, n_out: int) -> np.ndarray:
    """Cell ``i`` of ``n_out`` covers inputs ``[floor(i n_in / n_out), ceil((i + 1) n_in / n_out))``.

    PyTorch's adaptive pooling rule: cells tile the input exactly when ``n_out`` divides ``n_in``
    and overlap by at most one input otherwise.
    """
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    return np.stack([start, end], axis=1)


class PatchBuilders:
    """Mixin of :class:`pyramids.ImagePyramid` holding its patch-grid builder."""

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
        >>> from pyramids import ImagePyramid
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
        if not all_finite(features):
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
