"""A pyramid's level (:class:`Level`) and the compact pixel boxes of a grid (:class:`BoxGrid`).

The conventions for elements and extents (spans in 1-D units, boxes for pixels, ``scale``) are
stated once, in :mod:`pyramids.core`; :class:`Level` enforces them. Both names are importable from
:mod:`pyramids` and :mod:`pyramids.core`.
"""
from __future__ import annotations

import math

import numpy as np

from dsp.base import array_module, is_cupy_array

from ._arrays import to_host
from ._errors import PyramidError

__all__ = ["Level", "BoxGrid", "UNITS", "SPAN_UNITS"]

#: Units whose extents are 1-D spans ``[start, end)``; ``'pixels'`` extents are boxes.
SPAN_UNITS = ("seconds", "samples", "chars", "tokens")
UNITS = SPAN_UNITS + ("pixels",)


def _n_elements(data, units: str) -> int:
    if units == "pixels":
        return int(data.shape[0]) * int(data.shape[1])
    return int(data.shape[0])


class BoxGrid:
    """The pixel boxes of a rectangular grid, kept as its row spans and column spans.

    Element ``(i, j)`` (row-major index ``i * W + j``) is the box ``(rows[i, 0], cols[j, 0],
    rows[i, 1], cols[j, 1])``. A :class:`Level` given a BoxGrid stores ``H + W`` spans instead of
    ``H * W`` boxes and builds the ``(H * W, 4)`` array only when ``extents`` is first read, so
    a Gaussian pyramid of a 4K image does not carry hundreds of megabytes of boxes.

    Parameters
    ----------
    rows : array_like [shape=(H, 2)]
        ``[y0, y1)`` of each grid row.
    cols : array_like [shape=(W, 2)]
        ``[x0, x1)`` of each grid column.

    Examples
    --------
    >>> g = BoxGrid([[0, 2], [2, 4]], [[0, 3]])
    >>> g.shape, g.boxes().tolist()
    ((2, 1), [[0.0, 0.0, 2.0, 3.0], [2.0, 0.0, 4.0, 3.0]])
    """

    __slots__ = ("rows", "cols")

    def __init__(self, rows, cols):
        for what, v in (("rows", rows), ("cols", cols)):
            try:
                a = np.array(v, dtype=np.float64)
            except Exception as exc:
                raise PyramidError(f"BoxGrid {what} could not be converted to floats: {exc}") from exc
            if a.ndim != 2 or a.shape[1] != 2 or a.shape[0] == 0:
                raise PyramidError(f"BoxGrid {what} has shape {a.shape}: need (n, 2) spans, n >= 1")
            if not np.isfinite(a).all():
                raise PyramidError(f"BoxGrid {what} contain NaN or infinity")
            if (a[:, 1] < a[:, 0]).any():
                k = int(np.flatnonzero(a[:, 1] < a[:, 0])[0])
                raise PyramidError(f"BoxGrid {what}[{k}]={a[k].tolist()} ends before it starts")
            a.setflags(write=False)
            object.__setattr__(self, what, a)

    def __setattr__(self, key, value):
        raise AttributeError("BoxGrid is read-only")

    def __reduce__(self):
        return (BoxGrid, (self.rows, self.cols))

    @property
    def shape(self) -> tuple:
        return (len(self.rows), len(self.cols))

    @property
    def scale(self) -> float:
        """Mean of ``sqrt(height * width)`` over the boxes (it factorises over rows and columns)."""
        return float(np.mean(np.sqrt(self.rows[:, 1] - self.rows[:, 0]))
                     * np.mean(np.sqrt(self.cols[:, 1] - self.cols[:, 0])))

    def boxes(self) -> np.ndarray:
        """The ``(H * W, 4)`` float64 boxes, row-major (read-only)."""
        h, w = self.shape
        out = np.empty((4, h * w))  # filled row by row, handed over transposed
        for c in (0, 1):
            out[2 * c] = np.repeat(self.rows[:, c], w)
            out[2 * c + 1] = np.tile(self.cols[:, c], h)
        out = out.T
        out.setflags(write=False)
        return out

    def __repr__(self) -> str:
        return f"BoxGrid(shape={self.shape}, scale={self.scale:.4g})"


class Level:
    """One level of a :class:`Pyramid` (immutable).

    Parameters
    ----------
    data : np.ndarray or cupy.ndarray [shape=(n_elements, ...)] or [shape=(H, W, ...)] for pixels
        The level's array. Its first axis indexes the elements (its first two axes for
        ``units='pixels'``).
    name : str
        What an element is: ``'token'``, ``'sentence'``, ``'frame'``, ``'mel128'``, ``'cell28'``...
    extents : np.ndarray [shape=(n_elements, 2)] or [shape=(H * W, 4)], or BoxGrid
        Read back as float64 NumPy, whatever device ``data`` is on (see the module docstring).
        For pixels, a :class:`BoxGrid` describes the same boxes compactly.
    units : str
        One of ``'seconds'``, ``'samples'``, ``'chars'``, ``'tokens'``, ``'pixels'``.
    meta : dict, optional
        Free-form facts about the level (``{'hz': (lo, hi)}`` for a wavelet band,
        ``{'time_resolution': ..., 'freq_resolution': ...}`` for an STFT level). Kept by
        :meth:`Pyramid.save` when JSON-representable (tuples and small arrays included).

    Raises
    ------
    PyramidError
        Empty data, NaN in data, extents whose shape does not match the elements, non-finite
        extents, or spans/boxes that end before they start.

    Examples
    --------
    >>> import numpy as np
    >>> lv = Level(np.ones((3, 8)), "frame", np.array([[0, 1], [1, 2], [2, 3]]), "seconds")
    >>> lv.n_elements, lv.scale
    (3, 1.0)
    """

    __slots__ = ("data", "name", "units", "meta", "_extents", "_grid", "_scale", "_n")

    def __init__(self, data, name: str, extents, units: str, meta: dict | None = None):
        if not is_cupy_array(data) and not isinstance(data, np.ndarray):
            try:
                data = np.asarray(data)
            except Exception as exc:
                raise PyramidError(f"level data could not be converted to an array: {exc}") from exc
        if not isinstance(name, str) or not name:
            raise PyramidError(f"level name={name!r} must be a non-empty string")
        if units not in UNITS:
            accepted = ", ".join(repr(u) for u in UNITS)
            raise PyramidError(f"level {name!r}: units={units!r} is not supported: use one of {accepted}")
        if data.dtype.kind not in "biufc":
            raise PyramidError(f"level {name!r}: data has dtype {data.dtype}: need a numeric array")
        need_ndim = 2 if units == "pixels" else 1
        if data.ndim < need_ndim:
            raise PyramidError(
                f"level {name!r}: data has {data.ndim} dimension(s): need at least {need_ndim} for units={units!r}"
            )
        n = _n_elements(data, units)
        if n == 0 or data.size == 0:
            raise PyramidError(f"level {name!r} is empty: data has shape {tuple(data.shape)}")
        if data.dtype.kind in "fc":
            xp = array_module(data)
            # A sum is NaN when any element is (or when infinities cancel): one fast reduction
            # first, the element-wise test only to confirm.
            with np.errstate(invalid="ignore", over="ignore"):
                suspect = bool(xp.isnan(data.sum()))
            if suspect and bool(xp.isnan(data).any()):
                raise PyramidError(f"level {name!r}: data contains NaN")
        meta = {} if meta is None else meta
        if not isinstance(meta, dict):
            raise PyramidError(f"level {name!r}: meta must be a dict, got {type(meta).__name__}")

        if isinstance(extents, BoxGrid):
            if units != "pixels":
                raise PyramidError(f"level {name!r}: a BoxGrid describes pixel boxes, not units={units!r}")
            if extents.shape != tuple(data.shape[:2]):
                raise PyramidError(
                    f"level {name!r}: BoxGrid has shape {extents.shape} but the data's grid is {tuple(data.shape[:2])}"
                )
            grid, ext, scale = extents, None, extents.scale
        else:
            grid = None
            ext, scale = _checked_extents(extents, name, units, n, data.shape)
        for key, value in (("data", data), ("name", name), ("units", units), ("meta", dict(meta)),
                           ("_extents", ext), ("_grid", grid), ("_scale", float(scale)), ("_n", n)):
            object.__setattr__(self, key, value)

    def __setattr__(self, key, value):
        raise AttributeError(f"Level is immutable: use level.replace({key}=...)")

    def __reduce__(self):
        return (Level, (self.data, self.name, self._grid if self._grid is not None else self._extents,
                        self.units, self.meta))

    @property
    def extents(self) -> np.ndarray:
        """float64 ``(n_elements, 2)`` spans or ``(n_elements, 4)`` boxes (read-only)."""
        if self._extents is None:
            object.__setattr__(self, "_extents", self._grid.boxes())
        return self._extents

    @property
    def grid(self):
        """The :class:`BoxGrid` the level was given, or None."""
        return self._grid

    @property
    def n_elements(self) -> int:
        """Number of elements (rows of ``extents``)."""
        return self._n

    @property
    def shape(self) -> tuple:
        return tuple(int(s) for s in self.data.shape)

    @property
    def scale(self) -> float:
        """Mean extent length: span length for 1-D units, ``sqrt(box area)`` for pixels."""
        return self._scale

    def replace(self, **changes) -> "Level":
        """A copy with some fields changed (validated again)."""
        fields = dict(data=self.data, name=self.name, units=self.units, meta=self.meta,
                      extents=self._grid if self._grid is not None else self._extents)
        fields.update(changes)
        return Level(**fields)

    def __repr__(self) -> str:
        return (
            f"Level(name={self.name!r}, shape={self.shape}, dtype={self.data.dtype}, "
            f"n_elements={self.n_elements}, scale={self.scale:.4g} {self.units})"
        )


def _checked_extents(extents, name, units, n, data_shape):
    """float64 read-only extents and their scale, or a PyramidError saying what is wrong."""
    try:
        ext = np.asarray(to_host(extents), dtype=np.float64)
        if ext.flags.writeable:  # copy what the caller could still change; share read-only arrays
            ext = ext.copy()
    except Exception as exc:
        raise PyramidError(f"level {name!r}: extents could not be converted to floats: {exc}") from exc
    width = 4 if units == "pixels" else 2
    if ext.ndim != 2 or ext.shape[1] != width:
        what = "(y0, x0, y1, x1) boxes" if width == 4 else "[start, end) spans"
        raise PyramidError(
            f"level {name!r}: extents has shape {ext.shape}: need ({n}, {width}), "
            f"one row of {what} per element (units={units!r})"
        )
    if ext.shape[0] != n:
        raise PyramidError(
            f"level {name!r}: extents has {ext.shape[0]} rows but the level has {n} elements "
            f"(data shape {tuple(data_shape)}, units={units!r})"
        )
    with np.errstate(invalid="ignore", over="ignore"):
        suspect = not math.isfinite(float(ext.sum()))
    if suspect and not np.isfinite(ext).all():
        raise PyramidError(f"level {name!r}: extents contain NaN or infinity")
    # Column by column: numpy is slow on (n, 2) slices of an (n, 4) array.
    half = width // 2
    lengths = [ext[:, half + c] - ext[:, c] for c in range(half)]  # span, or box height and width
    if any((d < 0).any() for d in lengths):
        bad = int(np.flatnonzero(np.logical_or.reduce([d < 0 for d in lengths]))[0])
        raise PyramidError(f"level {name!r}: extent of element {bad} ends before it starts: {ext[bad].tolist()}")
    ext.setflags(write=False)
    scale = np.mean(np.sqrt(lengths[0] * lengths[1])) if width == 4 else np.mean(lengths[0])
    return ext, scale
