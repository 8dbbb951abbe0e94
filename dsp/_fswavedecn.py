"""The fully separable n-D wavelet transform, PyWavelets-compatible: ``fswavedecn`` runs a full
multilevel :func:`dsp.wavedec` along each axis in turn (levels per axis), ``fswaverecn`` undoes
it; the result is one array with the coefficients of every level combination, addressed by a
tuple of per-axis levels. Re-exported by :mod:`dsp.wavelets`.
"""
from __future__ import annotations

import warnings
from itertools import product

import numpy as np

from ._errors import DSPError
from ._wavelet_common import as_data
from ._wavelet_nd import _axes_arg, _modes, _wavelets
from ._wavelet_modes import mode_name

__all__ = ["fswavedecn", "fswaverecn", "FswavedecnResult"]


class FswavedecnResult:
    """Coefficients of :func:`fswavedecn` (``coeffs``, one array) and how to address them.

    ``result[(l0, l1, ...)]`` is the block of per-axis levels ``l_i`` (0: the approximation of
    that axis, ``j >= 1``: its detail ``j`` counting from the coarsest); ``approx`` is
    ``result[(0, ..., 0)]``; ``detail_keys()`` lists the others.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> r = dsp.fswavedecn(np.ones((8, 8)), 'db1', levels=2)
    >>> r.levels, r.approx.shape, r[(1, 2)].shape
    ([2, 2], (2, 2), (2, 4))
    """

    def __init__(self, coeffs, coeff_slices, wavelets, modes, axes):
        self._coeffs = coeffs
        self._coeff_slices = coeff_slices
        self._wavelets = list(wavelets)
        self._modes = list(modes)
        self._axes = tuple(axes)

    @property
    def coeffs(self):
        return self._coeffs

    @coeffs.setter
    def coeffs(self, c):
        if c.shape != self._coeffs.shape:
            raise DSPError(f"coeffs of shape {c.shape} must keep the shape {self._coeffs.shape}")
        self._coeffs = c

    coeff_slices = property(lambda self: self._coeff_slices)
    axes = property(lambda self: self._axes)
    wavelets = property(lambda self: self._wavelets)
    wavelet_names = property(lambda self: [w.name for w in self._wavelets])
    modes = property(lambda self: [mode_name(m) for m in self._modes])
    ndim = property(lambda self: self._coeffs.ndim)
    ndim_transform = property(lambda self: len(self._axes))
    levels = property(lambda self: [len(s) - 1 for s in self._coeff_slices])

    def _slices(self, levels):
        levels = tuple(levels)
        if len(levels) != len(self._axes):
            raise DSPError(f"levels={levels!r} must have one entry per transformed axis ({len(self._axes)})")
        if not all(isinstance(v, (int, np.integer, float)) and float(v) % 1 == 0 and v >= 0 for v in levels):
            raise DSPError(f"levels={levels!r} must be non-negative integers")
        levels = tuple(int(v) for v in levels)
        if any(v > m for v, m in zip(levels, self.levels)):
            raise DSPError(f"levels={levels!r} exceed the transform's levels {self.levels}")
        sl = [slice(None)] * self.ndim
        for n, (ax, lev) in enumerate(zip(self._axes, levels)):
            sl[ax] = self._coeff_slices[n][lev]
        return tuple(sl)

    @property
    def approx(self):
        return self._coeffs[self._slices((0,) * len(self._axes))]

    @approx.setter
    def approx(self, a):
        self[(0,) * len(self._axes)] = a

    def __getitem__(self, levels):
        return self._coeffs[self._slices(levels)]

    def __setitem__(self, levels, x):
        sl = self._slices(levels)
        if self._coeffs[sl].shape != np.shape(x):
            raise DSPError(f"x of shape {np.shape(x)} must match the block's shape {self._coeffs[sl].shape}")
        if np.asarray(x).dtype != self._coeffs.dtype:
            warnings.warn(f"dtype mismatch: converting the provided array to dtype {self._coeffs.dtype}",
                          UserWarning, stacklevel=2)
        self._coeffs[sl] = x

    def detail_keys(self):
        keys = sorted(product(*(range(v + 1) for v in self.levels)))
        keys.remove((0,) * len(self._axes))
        return keys


def fswavedecn(data, wavelet, mode="symmetric", levels=None, axes=None):
    """Fully separable wavelet decomposition: :func:`dsp.wavedec` along each axis in turn.

    Parameters
    ----------
    data : np.ndarray
    wavelet : str, Wavelet, or a sequence (one per axis)
    mode : str or sequence of str
    levels : int, sequence of int (one per axis) or None (each axis' maximum)
    axes : sequence of int or None

    Returns
    -------
    FswavedecnResult

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.random.default_rng(0).standard_normal((16, 12))
    >>> np.allclose(dsp.fswaverecn(dsp.fswavedecn(x, 'db2', levels=1)), x)
    True
    """
    from .wavelets import wavedec

    x = as_data(data, "data")
    axes = _axes_arg(axes, x.ndim, "fswavedecn")
    if levels is None or np.isscalar(levels):
        levels = [levels] * len(axes)
    if len(levels) != len(axes):
        raise DSPError(f"levels={levels!r} must have one entry per axis ({len(axes)})")
    wavelets, modes = _wavelets(wavelet, axes), _modes(mode, axes)
    slices = []
    arr = x
    for ax, lev, w, m in zip(axes, levels, wavelets, modes):
        c = wavedec(arr, w, mode_name(m), level=lev, axis=ax)
        edges = np.cumsum([0] + [ci.shape[ax] for ci in c])
        slices.append([slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])])
        arr = np.concatenate(c, axis=ax)
    return FswavedecnResult(arr, slices, wavelets, modes, axes)


def fswaverecn(fswavedecn_result):
    """Inverse of :func:`fswavedecn`.

    Parameters
    ----------
    fswavedecn_result : FswavedecnResult

    Returns
    -------
    np.ndarray

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.fswaverecn(dsp.fswavedecn(np.ones((8, 8)), 'db1')).shape
    (8, 8)
    """
    from .wavelets import waverec

    r = fswavedecn_result
    if not isinstance(r, FswavedecnResult):
        raise DSPError(f"fswavedecn_result must be a FswavedecnResult, got {type(r).__name__}")
    arr = r.coeffs
    for n, (ax, w, m) in enumerate(zip(r.axes, r.wavelets, r.modes)):
        parts = []
        for sl in r.coeff_slices[n]:
            idx = [slice(None)] * arr.ndim
            idx[ax] = sl
            parts.append(arr[tuple(idx)])
        arr = waverec(parts, w, m, axis=ax)
    return arr
