"""Wavelet packet trees, PyWavelets-compatible: :class:`WaveletPacket` (1-D, nodes 'a'/'d') and
:class:`WaveletPacket2D` (nodes 'a', 'h', 'v', 'd'), with PyWavelets' node semantics: nodes are
addressed by paths (``wp['ad']``), decomposed lazily on access up to ``maxlevel``, listed by
``get_level(level, order='natural'|'freq')`` and ``get_leaf_nodes``, edited by item assignment
and deletion, and synthesised back by ``reconstruct``. Each split is one :func:`dsp.dwt` /
:func:`dsp.dwt2` (our kernels). Re-exported by :mod:`dsp.wavelets`. The node machinery is in
:mod:`dsp._packet_nodes`; this module holds the trees' roots and public classes.
"""
from __future__ import annotations

import numpy as np

from ._errors import DSPError, DSPTypeError
from ._packet_nodes import _gray, _Node, _Node1D, _Node2D, _NodeND
from ._wavelet_common import as_data
from ._wavelet_filters import Wavelet, as_wavelet
from ._wavelet_modes import max_level, mode_id

__all__ = ["WaveletPacket", "WaveletPacket2D", "WaveletPacketND"]


def _root(self, data, wavelet, mode, maxlevel, sizes_of):
    self.wavelet = as_wavelet(wavelet)
    if not isinstance(self.wavelet, Wavelet):
        raise DSPTypeError(f"wavelet={wavelet!r} must be a discrete wavelet")
    mode_id(mode)  # validates
    self.mode = mode
    if data is not None:
        self.data_size = data.shape
        if maxlevel is None:
            maxlevel = max_level(min(sizes_of(data)), self.wavelet.dec_len)
    else:
        self.data_size = None
    self._maxlevel = maxlevel


def _root_reconstruct(self, update):
    if not self.has_any_subnode:
        return self.data
    data = _Node.reconstruct(self, update)
    if self.data_size is not None and data.shape != self.data_size:
        data = data[tuple(slice(s) for s in self.data_size)]
    if update:
        self.data = data
    return data


class WaveletPacket(_Node1D):
    """1-D wavelet packet tree.

    Parameters
    ----------
    data : np.ndarray [shape=(..., n, ...)] or None
    wavelet : str or Wavelet
    mode : str
    maxlevel : int or None
        Default :func:`dsp.dwt_max_level` of the transformed axis.
    axis : int

    Examples
    --------
    >>> import numpy as np, dsp
    >>> wp = dsp.WaveletPacket(np.arange(8.0), 'db1', maxlevel=2)
    >>> [n.path for n in wp.get_level(2, 'freq')]
    ['aa', 'ad', 'dd', 'da']
    >>> np.allclose(wp.reconstruct(), np.arange(8.0))
    True
    """

    def __init__(self, data, wavelet, mode="symmetric", maxlevel=None, axis=-1):
        raw = data  # the root keeps the object it was given, as PyWavelets does
        data = None if data is None else as_data(data, "data")
        super().__init__(None, raw, "")
        self._checked = (raw, data)  # what as_data made of it: _fill checks it once, not again
        if data is not None:
            if not -data.ndim <= axis < data.ndim:
                raise DSPError(f"axis={axis} is out of range for data with {data.ndim} dimension(s)")
            axis = axis % data.ndim
        self.axes = axis
        _root(self, data, wavelet, mode, maxlevel, lambda x: [x.shape[axis]])

    def reconstruct(self, update=True):
        """The signal from the tree's leaves (cut to the original size).

        Returns
        -------
        np.ndarray
        """
        return _root_reconstruct(self, update)

    def get_level(self, level, order="natural", decompose=True):
        """The nodes of one level, in 'natural' (path) or 'freq' (frequency band) order.

        Returns
        -------
        list of nodes
        """
        nodes = self._nodes_at(level, order, decompose)
        if order == "natural":
            return nodes
        by_path = {n.path: n for n in nodes}
        return [by_path[p] for p in _gray(level, "a", "d") if p in by_path]


class WaveletPacket2D(_Node2D):
    """2-D wavelet packet tree (nodes 'a', 'h', 'v', 'd').

    Parameters
    ----------
    data : np.ndarray [ndim >= 2] or None
    wavelet : str or Wavelet
    mode : str
        PyWavelets' default here is 'smooth'.
    maxlevel : int or None
    axes : pair of int

    Examples
    --------
    >>> import numpy as np, dsp
    >>> wp = dsp.WaveletPacket2D(np.ones((8, 8)), 'db1', maxlevel=2)
    >>> len(wp.get_level(2)), [len(r) for r in wp.get_level(1, 'freq')]
    (16, [2, 2])
    """

    def __init__(self, data, wavelet, mode="smooth", maxlevel=None, axes=(-2, -1)):
        raw = data
        data = None if data is None else as_data(data, "data")
        super().__init__(None, raw, "")
        axes = tuple(axes)
        if len(axes) != 2 or len(set(axes)) != 2:
            raise DSPError(f"axes={axes!r}: expected two unique axes")
        self.axes = axes
        if data is not None and data.ndim < 2:
            raise DSPError(f"data has {data.ndim} dimension(s): WaveletPacket2D needs at least 2")
        _root(self, data, wavelet, mode, maxlevel, lambda x: [x.shape[a] for a in axes])

    def reconstruct(self, update=True):
        """The image from the tree's leaves (cut to the original size).

        Returns
        -------
        np.ndarray
        """
        return _root_reconstruct(self, update)

    def get_level(self, level, order="natural", decompose=True):
        """The nodes of one level: a list ('natural'), or rows of columns ('freq').

        Returns
        -------
        list
        """
        nodes = self._nodes_at(level, order, decompose)
        if order == "natural":
            return nodes
        grid = {}
        for n in nodes:
            r, c = self.expand_2d_path(n.path)
            grid.setdefault(r, {})[c] = n
        order_ = _gray(level, "l", "h")
        return [[grid[r][c] for c in order_ if c in grid[r]] for r in order_ if r in grid]


class WaveletPacketND(_NodeND):
    """n-D wavelet packet tree over ``axes`` (nodes keyed by strings of 'a'/'d', one letter per
    axis), like ``pywt.WaveletPacketND``.

    Parameters
    ----------
    data : np.ndarray or None
    wavelet : str or Wavelet
    mode : str
    maxlevel : int or None
    axes : sequence of int or None
        All axes by default; required when ``data`` is None.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> wp = dsp.WaveletPacketND(np.ones((8, 8, 8)), 'db1', maxlevel=1)
    >>> sorted(n.path for n in wp.get_level(1))[:3]
    ['aaa', 'aad', 'ada']
    """

    def __init__(self, data, wavelet, mode="smooth", maxlevel=None, axes=None):
        if data is None and axes is None:
            raise DSPError("axes must be given when data is None")
        raw = data
        data = None if data is None else as_data(data, "data")
        if data is not None and data.ndim == 0:
            raise DSPError("data must be at least 1-D")
        axes = tuple(range(data.ndim)) if axes is None else ((axes,) if np.isscalar(axes) else tuple(axes))
        if len(set(axes)) != len(axes):
            raise DSPError(f"axes={axes!r}: expected unique axes")
        if data is not None and data.ndim < len(axes):
            raise DSPError(f"axes={axes!r}: more axes than data dimensions ({data.ndim})")
        super().__init__(None, raw, "", len(axes))
        self.axes = axes
        self.ndim_transform = len(axes)
        self.ndim = data.ndim if data is not None else len(axes)
        _root(self, data, wavelet, mode, maxlevel, lambda x: [x.shape[a] for a in axes])

    def reconstruct(self, update=True):
        """The data from the tree's leaves (cut to the original size).

        Returns
        -------
        np.ndarray
        """
        return _root_reconstruct(self, update)

    def get_level(self, level, decompose=True):
        """The nodes of one level, in natural (path) order.

        Returns
        -------
        list of nodes
        """
        return self._nodes_at(level, "natural", decompose)
