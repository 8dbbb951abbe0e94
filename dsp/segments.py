"""Pooling the rows of a matrix over groups: ``dsp.segments.segment_sums`` and ``segment_max``.

Token embeddings pooled into sentences, frames into segments, patches into regions: a row
belongs to one group (or none), and each group's rows are summed (optionally weighted) or
maxed. The work is one parallel pass over the rows (:mod:`dsp_kernels.cpu.segments`); the
grouping (which rows, in which order) is prepared here.
"""
from __future__ import annotations

import numpy as np

from ._backend import is_cupy_array
from ._dispatch import kernel
from ._errors import DSPError
from ._validation import as_float_array, check_int

__all__ = ["segment_sums", "segment_max"]


def _rows(x):
    if is_cupy_array(x):
        raise DSPError("segment_sums/segment_max run on the CPU: pass a NumPy array (x.get())")
    x = as_float_array(x, name="x", min_ndim=2)
    if x.ndim != 2:
        raise DSPError(f"x has shape {x.shape}: need (n_rows, n_columns)")
    return np.ascontiguousarray(x)


def _layout(group, n_rows, n_groups):
    """``(order, bounds)``: group ``g`` is the rows ``order[bounds[g]:bounds[g + 1]]``, in row order."""
    n_groups = check_int("n_groups", n_groups, minimum=0)
    g = np.asarray(group)
    if g.shape != (n_rows,):
        raise DSPError(f"group has shape {g.shape}: need ({n_rows},), one group index per row")
    if g.dtype.kind not in "iu":
        raise DSPError(f"group has dtype {g.dtype}: need integer group indices (-1: no group)")
    g = g.astype(np.int64, copy=False)
    if n_rows and (g.min() < -1 or g.max() >= n_groups):
        raise DSPError(f"group holds values in [{g.min()}, {g.max()}]: need -1 (no group) or "
                       f"0 <= group < n_groups={n_groups}")
    kept = np.flatnonzero(g >= 0)
    gk = g[kept]
    # rows usually arrive grouped already (tokens in sentence order): then no sort is needed
    order = kept if np.all(gk[1:] >= gk[:-1]) else kept[np.argsort(gk, kind="stable")]
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(gk, minlength=n_groups), out=bounds[1:])
    return order.astype(np.int64, copy=False), bounds


def segment_sums(x, group, n_groups, *, weights=None):
    """Sum the (weighted) rows of ``x`` in each group.

    Parameters
    ----------
    x : np.ndarray [shape=(n, D)], float32 or float64
    group : np.ndarray [shape=(n,)], int
        The group of each row, in ``[0, n_groups)``; ``-1`` leaves a row out.
    n_groups : int >= 0
    weights : np.ndarray [shape=(n,)] or None
        Non-negative weight of each row (None: 1).

    Returns
    -------
    sums : np.ndarray [shape=(n_groups, D)], float64
        ``sum(weights[i] * x[i])`` over each group's rows (0 for an empty group).
    totals : np.ndarray [shape=(n_groups,)], float64
        ``sum(weights[i])`` over each group's rows: ``sums / totals[:, None]`` is the mean.

    Raises
    ------
    DSPError
        ``x`` not 2-D or not finite, ``group`` of the wrong shape or outside ``[-1, n_groups)``,
        ``weights`` of the wrong shape, negative or not finite.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.arange(8.0).reshape(4, 2)
    >>> sums, totals = dsp.segments.segment_sums(x, np.array([0, 0, -1, 1]), 2)
    >>> (sums / totals[:, None]).tolist()
    [[1.0, 2.0], [6.0, 7.0]]
    """
    x = _rows(x)
    order, bounds = _layout(group, x.shape[0], n_groups)
    if weights is None:
        w = np.empty(0, dtype=np.float64)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (x.shape[0],):
            raise DSPError(f"weights has shape {w.shape}: need ({x.shape[0]},), one per row")
        if not np.isfinite(w).all() or (w < 0).any():
            raise DSPError("weights must be finite and non-negative")
    return kernel("segment_sums")(x, order, bounds, w)


def segment_max(x, group, n_groups):
    """Element-wise maximum of the rows of ``x`` in each group.

    Parameters
    ----------
    x : np.ndarray [shape=(n, D)], float32 or float64
    group : np.ndarray [shape=(n,)], int
        As :func:`segment_sums`; every group must hold a row.
    n_groups : int >= 0

    Returns
    -------
    np.ndarray [shape=(n_groups, D)], ``x``'s dtype

    Raises
    ------
    DSPError
        As :func:`segment_sums`, and a group with no row.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.array([[1.0, 5.0], [3.0, 2.0], [0.0, 9.0]])
    >>> dsp.segments.segment_max(x, np.array([0, 0, 1]), 2).tolist()
    [[3.0, 5.0], [0.0, 9.0]]
    """
    x = _rows(x)
    order, bounds = _layout(group, x.shape[0], n_groups)
    empty = np.flatnonzero(np.diff(bounds) == 0)
    if empty.size:
        raise DSPError(f"group {int(empty[0])} has no row: segment_max needs every group to hold one")
    return kernel("segment_max")(x, order, bounds)
