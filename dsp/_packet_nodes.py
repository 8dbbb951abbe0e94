"""The nodes of the wavelet packet trees: paths, lazy decomposition, item access and deletion,
walks, leaves and levels, and the split/merge of one node in 1-D, 2-D and n-D.

The public trees built on them (:class:`dsp.wavelets.WaveletPacket`, ``WaveletPacket2D``,
``WaveletPacketND``) are in :mod:`dsp._packets`.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from dsp_kernels.shapes import dwt_len

from ._errors import DSPError, DSPTypeError
from ._wavelet_common import as_data
from ._wavelet_modes import max_level


def _gray(level, lo, hi):
    """Paths of ``level`` letters in frequency (Gray code) order."""
    order = [lo, hi]
    for _ in range(level - 1):
        order = [lo + p for p in order] + [hi + p for p in order[::-1]]
    return order


class _Node:
    """A node of a packet tree: ``data`` (None until computed or set), ``path``, ``level``,
    ``parent``, its subnodes by part name; the tree's wavelet, mode, axes and maxlevel."""

    PARTS: tuple = ()
    PART_LEN = 1

    def __init__(self, parent, data, name):
        self.parent = parent
        self._sub = dict.fromkeys(self.PARTS)
        if parent is not None:
            self.wavelet, self.mode, self.axes = parent.wavelet, parent.mode, parent.axes
            self.level = parent.level + 1
            self.path = parent.path + name
            self._maxlevel = parent.maxlevel
        else:
            self.wavelet = self.mode = self.axes = None
            self.level, self.path, self._maxlevel = 0, "", None
        self.data = data
        shape = data.shape if isinstance(data, np.ndarray) else np.shape(data)
        self._data_shape = None if data is None else shape

    # --- PyWavelets' attribute access to subnodes (wp.a, wp.d, ...)
    def __getattr__(self, name):
        sub = self.__dict__.get("_sub")
        if sub is not None and name in sub:
            return sub[name]
        raise AttributeError(name)

    @property
    def maxlevel(self):
        if self._maxlevel is None:
            self._maxlevel = self._find_maxlevel()
        return self._maxlevel

    def _find_maxlevel(self):
        """From this node's data, else its ancestors', else its subnodes' (None if no data)."""
        if self._maxlevel is not None:
            return self._maxlevel
        if self.data is not None:
            return self.level + max_level(min(np.shape(self.data)), self.wavelet.dec_len)
        node = self.parent
        while node is not None:
            if node._maxlevel is not None or node.data is not None:
                return node._find_maxlevel()
            node = node.parent
        for sub in self._sub.values():
            if sub is not None:
                found = sub._find_maxlevel()
                if found is not None:
                    return found
        return None

    @property
    def node_name(self):
        return self.path[-self.PART_LEN:] if self.path else ""

    @property
    def path_tuple(self):
        return tuple(self.path[i : i + self.PART_LEN] for i in range(0, len(self.path), self.PART_LEN))

    @property
    def is_empty(self):
        return self.data is None

    @property
    def has_any_subnode(self):
        return any(n is not None for n in self._sub.values())

    def _check_part(self, part):
        if part not in self.PARTS:
            raise DSPError(f"node name {part!r} is not one of {list(self.PARTS)}")

    def _new(self, part, data):
        node = type(self)._child(self, data, part)
        self._sub[part] = node
        return node

    def decompose(self):
        """Split this node one level (its subnodes get the coefficients)."""
        if self.maxlevel is not None and self.level >= self.maxlevel:
            raise DSPError(f"node {self.path!r} is at maxlevel={self.maxlevel}: it cannot be decomposed")
        if self.is_empty:
            for part in self.PARTS:
                if self._sub[part] is None:
                    self._new(part, None)
        else:
            for part, data in zip(self.PARTS, self._split(self.data)):
                self._new(part, data)
        return tuple(self._sub[p] for p in self.PARTS)

    def get_subnode(self, part, decompose=True):
        self._check_part(part)
        node = self._sub[part]
        if node is None and decompose and not self.is_empty:
            self.decompose()
            node = self._sub[part]
        return node

    def _path(self, path):
        if isinstance(path, tuple):
            if not all(isinstance(p, str) for p in path):
                raise DSPTypeError(f"path={path!r} must be a string or a tuple of strings")
            path = "".join(path)
        if not isinstance(path, str):
            raise DSPTypeError(f"path={path!r} must be a string or a tuple of strings")
        return path

    def __getitem__(self, path):
        path = self._path(path)
        if self.maxlevel is not None and len(path) > self.maxlevel * self.PART_LEN:
            raise IndexError(f"path {path!r} is longer than maxlevel={self.maxlevel} allows")
        node = self
        for i in range(0, len(path), self.PART_LEN):
            node = node.get_subnode(path[i : i + self.PART_LEN], True)
            if node is None:  # PyWavelets: TypeError (a deleted node, or one without data above it)
                raise DSPTypeError(f"path {path!r}: node {path[: i + self.PART_LEN]!r} does not exist "
                                   "(deleted, or its parent has no data to decompose)")
        return node

    def __setitem__(self, path, data):
        path = self._path(path)
        if self.maxlevel is not None and len(self.path) + len(path) > self.maxlevel * self.PART_LEN:
            raise IndexError(f"path {path!r} is longer than maxlevel={self.maxlevel} allows")
        node = self
        for i in range(0, len(path), self.PART_LEN):
            part = path[i : i + self.PART_LEN]
            nxt = node.get_subnode(part, False)
            node = nxt if nxt is not None else node._new(part, None)
        value = data.data if isinstance(data, _Node) else data
        node.data = as_data(value, "data")

    def __delitem__(self, path):
        node = self[path]
        parent = node.parent
        node.parent = None
        if parent is not None and node.node_name:
            parent._sub[node.node_name] = None

    def reconstruct(self, update=False):
        """The signal this node stands for, synthesised from its subnodes (its own data when it
        has none)."""
        if not self.has_any_subnode:
            return self.data
        parts = {p: (None if n is None else n.reconstruct()) for p, n in self._sub.items()}
        if all(v is None for v in parts.values()):
            raise DSPError(f"node {self.path!r}: every subnode is empty, nothing to reconstruct")
        rec = self._merge([parts[p] for p in self.PARTS])
        if self._data_shape is not None and rec.shape != self._data_shape:
            rec = rec[tuple(slice(s) for s in self._data_shape)]
        if update:
            self.data = rec
        return rec

    def walk(self, func, args=(), kwargs=None, decompose=True):
        """Call ``func(node, *args, **kwargs)`` top-down; a False return prunes the subtree."""
        kwargs = kwargs or {}
        if func(self, *args, **kwargs) and self.level < self.maxlevel:
            for part in self.PARTS:
                node = self.get_subnode(part, decompose)
                if node is not None:
                    node.walk(func, args, kwargs, decompose)

    def walk_depth(self, func, args=(), kwargs=None, decompose=True):
        """Call ``func`` bottom-up (subnodes before their parent)."""
        kwargs = kwargs or {}
        if self.level < self.maxlevel:
            for part in self.PARTS:
                node = self.get_subnode(part, decompose)
                if node is not None:
                    node.walk_depth(func, args, kwargs, decompose)
        func(self, *args, **kwargs)

    def get_leaf_nodes(self, decompose=False):
        """The leaves: nodes at maxlevel, or (without ``decompose``) nodes without subnodes."""
        if decompose and self.maxlevel is not None:
            self._fill(self.maxlevel)  # the walk below splits every node down to maxlevel
        out = []

        def collect(node):
            if (node.level == node.maxlevel and not node.is_empty) or (not decompose and not node.has_any_subnode):
                out.append(node)
                return False
            return True

        self.walk(collect, decompose=decompose)
        return out

    def _nodes_at(self, level, order, decompose):
        if order not in ("natural", "freq"):
            raise DSPError(f"order={order!r} must be 'natural' or 'freq'")
        if level > self.maxlevel:
            raise DSPError(f"level={level} is greater than maxlevel={self.maxlevel}")
        if decompose:
            self._fill(level)
        out = []

        def collect(node):
            if node.level == level:
                out.append(node)
                return False
            return True

        self.walk(collect, decompose=decompose)
        return out

    def _fill(self, level):
        """Decompose the subtree down to ``level`` ahead of a walk that would (a hook: 1-D trees
        split a batch of nodes per level; the others leave it to the walk, node by node)."""

    def __str__(self):
        return f"{self.path}: {self.data}"


def _leaves_with_data(node, level):
    """Nodes above ``level`` that a decomposing walk would split whole: data, no subnodes."""
    if node.level >= level:
        return []
    subs = [n for n in node._sub.values() if n is not None]
    if not subs:
        return [] if node.data is None else [node]
    return [f for n in subs for f in _leaves_with_data(n, level)]


class _Node1D(_Node):
    PARTS = ("a", "d")

    @classmethod
    def _child(cls, parent, data, part):
        return _Node1D(parent, data, part)

    def _split(self, data):
        from .wavelets import dwt

        return dwt(data, self.wavelet, self.mode, axis=self.axes)

    def _fill(self, level):
        """Split every node a walk down to ``level`` would split, the subtree under each such
        node in one kernel call (every level one batch of all its nodes), instead of one
        :func:`dsp.dwt` per node. The coefficients are those of ``dwt`` (the same kernel); the
        nodes and their paths those the walk would make. The nodes' data are row views of one
        buffer per subtree."""
        from ._backend import is_cupy_array
        from ._dispatch import kernel_for
        from ._wavelet_common import check_length, rows, unrows
        from ._wavelet_modes import mode_id

        for top in _leaves_with_data(self, level):
            checked = top.__dict__.get("_checked")
            x = checked[1] if checked is not None and checked[0] is top.data else as_data(top.data, "data")
            if is_cupy_array(x) or x.ndim == 0:  # the walk's dsp.dwt serves (or refuses) these
                continue
            axis = self.axes % x.ndim
            mode = mode_id(self.mode)
            bank = top.wavelet._bank
            depth, n = 0, x.shape[axis]
            while top.level + depth < level:
                try:
                    check_length(n, mode, "data", axis)
                except DSPError:  # the walk's dsp.dwt raises it, at the node PyWavelets would
                    break
                n = dwt_len(n, len(bank[0]), mode)
                depth += 1
            c = x.dtype.kind == "c"
            cur, lead = rows(x, axis)
            R = cur.shape[0]  # rows per node: a level's array is the nodes' blocks of R rows
            nodes = [top]
            for lev in kernel_for("packet_levels", cur)(cur, bank[0], bank[1], mode, depth):
                # node k of a level has its cA as node k of the next, its cD as node len(nodes) + k
                if lead == () and not c:  # one real signal: the rows are the nodes' data
                    data = list(lev)
                else:
                    data = [unrows(lev[k * R : (k + 1) * R], lead, axis, c) for k in range(2 * len(nodes))]
                nodes = [node._new(part, data[p * len(nodes) + i])
                         for p, part in enumerate(self.PARTS) for i, node in enumerate(nodes)]

    def _merge(self, parts):
        from .wavelets import idwt

        return idwt(parts[0], parts[1], self.wavelet, self.mode, axis=self.axes)


class _Node2D(_Node):
    PARTS = ("a", "h", "v", "d")
    _EXPAND = {"a": "ll", "h": "hl", "v": "lh", "d": "hh"}

    @classmethod
    def _child(cls, parent, data, part):
        return _Node2D(parent, data, part)

    def _split(self, data):
        from ._wavelet_nd import dwt2

        a, (h, v, d) = dwt2(data, self.wavelet, self.mode, axes=self.axes)
        return a, h, v, d

    def _merge(self, parts):
        from ._wavelet_nd import idwt2

        return idwt2((parts[0], tuple(parts[1:])), self.wavelet, self.mode, axes=self.axes)

    def expand_2d_path(self, path):
        """(row path, column path) of a 2-D path in 'l'/'h' letters."""
        return "".join(self._EXPAND[p][0] for p in path), "".join(self._EXPAND[p][1] for p in path)


class _NodeND(_Node):
    """A node of an n-D tree: parts are the ``2**k`` strings of 'a'/'d' of length k."""

    def __init__(self, parent, data, name, ndim_transform):
        self.PART_LEN = ndim_transform
        self.PARTS = tuple("".join(p) for p in product("ad", repeat=ndim_transform))
        super().__init__(parent, data, name)

    @classmethod
    def _child(cls, parent, data, part):
        return _NodeND(parent, data, part, parent.PART_LEN)

    def _split(self, data):
        from ._wavelet_nd import dwtn

        c = dwtn(data, self.wavelet, self.mode, axes=self.axes)
        return [c[k] for k in self.PARTS]

    def _merge(self, parts):
        from ._wavelet_nd import idwtn

        return idwtn(dict(zip(self.PARTS, parts)), self.wavelet, self.mode, axes=self.axes)
