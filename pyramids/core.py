"""The level-indexed container every builder returns: :class:`Pyramid` of :class:`Level`.

Level 0 is the finest, the last the coarsest. A level holds one array whose elements (frames,
tokens, sentences, pixels, grid cells, wavelet coefficients) each carry an *extent*: where the
element lies in the modality's own coordinates. Extents are what let pyramids of different
modalities meet (an audio window and a video frame overlap in seconds, a sentence covers a span
of characters, an image cell covers a box of pixels).

Element and extent conventions, stated once
-------------------------------------------
- 1-D units (``'seconds'``, ``'samples'``, ``'chars'``, ``'tokens'``): ``data.shape[0]`` elements;
  ``extents`` has shape ``(n_elements, 2)``, one half-open span ``[start, end)`` per element.
- ``'pixels'``: the elements are the positions of the level's 2-D grid, ``data.shape[:2] == (H, W)``,
  in row-major order; ``extents`` has shape ``(H * W, 4)``, one box ``(y0, x0, y1, x1)`` per
  position (half-open, in the pixel coordinates of the original image). A :class:`BoxGrid`
  (row spans x column spans) describes such boxes compactly; the array is built on first read.
- ``scale``: the mean extent length (span length in 1-D, ``sqrt`` of the box area for pixels).
  Levels must be ordered fine to coarse: ``scale`` never decreases with the level index.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from dsp.base import is_cupy_array

from ._errors import PyramidError

__all__ = ["Pyramid", "Level", "BoxGrid", "PyramidError", "MODALITIES", "UNITS"]

MODALITIES = ("audio", "image", "text", "video")
#: Units whose extents are 1-D spans ``[start, end)``; ``'pixels'`` extents are boxes.
SPAN_UNITS = ("seconds", "samples", "chars", "tokens")
UNITS = SPAN_UNITS + ("pixels",)

# A level's scale may equal the previous one (levels of a mel pyramid share their frames); this
# slack only absorbs the rounding of the two means.
_SCALE_SLACK = 1e-9

_FORMAT = "dsp-pyramids.pyramid/1"
_BY_MODALITY: dict = {}


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
            xp = _array_module(data)
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
        ext = np.asarray(_host(extents), dtype=np.float64)
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


class Pyramid:
    """A multi-scale representation: levels ordered from the finest (0) to the coarsest (-1).

    Parameters
    ----------
    levels : sequence of Level
        At least one; all with the same units and all NumPy or all CuPy; ``scale`` non-decreasing.
    modality : {'audio', 'image', 'text'}
    meta : dict, optional
        Facts about the whole pyramid (``sr``, the builder's name and parameters...).

    Examples
    --------
    >>> import numpy as np
    >>> fine = Level(np.zeros((4, 2)), "frame", [[0, 1], [1, 2], [2, 3], [3, 4]], "seconds")
    >>> coarse = Level(np.zeros((1, 2)), "clip", [[0, 4]], "seconds")
    >>> p = Pyramid([fine, coarse], "audio")
    >>> len(p), p[-1].shape, p.names, p.scales
    (2, (1, 2), ('frame', 'clip'), (1.0, 4.0))
    """

    __slots__ = ("_levels", "_modality", "_meta")
    #: Set by the modality classes (``AudioPyramid``...): their builders return them, and
    #: :meth:`load` and slicing give back the class that matches the modality.
    _fixed_modality: str | None = None

    def __init_subclass__(cls, modality: str | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if modality is not None:
            cls._fixed_modality = modality
            _BY_MODALITY[modality] = cls

    def __new__(cls, levels=None, modality=None, meta=None):
        # Pyramid(levels, 'text') gives a TextPyramid once pyramids.text is imported, so the
        # modality's own methods (e.g. ImagePyramid.reconstruct) are there after load or slicing.
        if cls is Pyramid and modality in _BY_MODALITY:
            cls = _BY_MODALITY[modality]
        return super().__new__(cls)

    def __init__(self, levels: Sequence[Level], modality: str | None = None, meta: dict | None = None):
        if modality is None:
            modality = self._fixed_modality
        elif self._fixed_modality is not None and modality != self._fixed_modality:
            raise PyramidError(
                f"modality={modality!r} does not match {type(self).__name__} (modality {self._fixed_modality!r})"
            )
        if isinstance(levels, Level):
            levels = [levels]
        try:
            levels = tuple(levels)
        except TypeError as exc:
            raise PyramidError(f"levels must be a sequence of Level, got {type(levels).__name__}") from exc
        if not levels:
            raise PyramidError("a pyramid needs at least one level: got none")
        for i, lv in enumerate(levels):
            if not isinstance(lv, Level):
                raise PyramidError(f"levels[{i}] is a {type(lv).__name__}: need a pyramids.Level")
        if modality not in MODALITIES:
            accepted = ", ".join(repr(m) for m in MODALITIES)
            raise PyramidError(f"modality={modality!r} is not supported: use one of {accepted}")
        units = {lv.units for lv in levels}
        if len(units) > 1:
            raise PyramidError(f"levels mix units {sorted(units)}: all levels of a pyramid share one unit")
        on_gpu = {is_cupy_array(lv.data) for lv in levels}
        if len(on_gpu) > 1:
            raise PyramidError("levels mix NumPy and CuPy arrays: use p.to_numpy() or p.to_cupy() on all of them")
        scales = [lv.scale for lv in levels]
        for i in range(1, len(levels)):
            if scales[i] < scales[i - 1] * (1 - _SCALE_SLACK):
                raise PyramidError(
                    f"levels are not ordered fine to coarse: level {i} ({levels[i].name!r}, scale "
                    f"{scales[i]:.6g}) is finer than level {i - 1} ({levels[i - 1].name!r}, scale "
                    f"{scales[i - 1]:.6g}); level 0 must be the finest"
                )
        if meta is not None and not isinstance(meta, dict):
            raise PyramidError(f"meta must be a dict, got {type(meta).__name__}")
        self._levels = levels
        self._modality = modality
        self._meta = dict(meta or {})

    # -- access -----------------------------------------------------------------------------
    @property
    def modality(self) -> str:
        return self._modality

    @property
    def meta(self) -> dict:
        return self._meta

    @property
    def levels(self) -> tuple:
        """The :class:`Level` objects, finest first."""
        return self._levels

    @property
    def units(self) -> str:
        return self._levels[0].units

    @property
    def shapes(self) -> tuple:
        """Shape of every level's array, finest first."""
        return tuple(lv.shape for lv in self._levels)

    @property
    def names(self) -> tuple:
        return tuple(lv.name for lv in self._levels)

    @property
    def scales(self) -> tuple:
        """Mean extent length of every level (non-decreasing)."""
        return tuple(lv.scale for lv in self._levels)

    def __len__(self) -> int:
        return len(self._levels)

    def _index(self, i) -> int:
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"pyramid indices must be integers or slices, not {type(i).__name__}")
        n = len(self._levels)
        if not -n <= i < n:
            raise IndexError(f"level {int(i)} is out of range for a pyramid of {n} level(s)")
        return int(i) % n

    def __getitem__(self, i):
        """``p[i]``: level ``i``'s array (``p.data(i)``); ``p[a:b]``: the sub-pyramid of those levels.

        The rule, stated once: an integer gives an *array* (``p[i] is p.data(i) is
        p.level(i).data``), a slice gives a *Pyramid*, :meth:`level` gives the :class:`Level`
        (array, name, extents, units, meta), and iterating a pyramid yields its Levels (as
        ``p.levels`` does).
        """
        if isinstance(i, slice):
            return Pyramid(self._levels[i], self._modality, self._meta)
        return self._levels[self._index(i)].data

    def data(self, i: int):
        """Level ``i``'s array, the same object as ``p[i]`` and ``p.level(i).data``."""
        return self._levels[self._index(i)].data

    def level(self, i: int) -> Level:
        """The :class:`Level` at index ``i`` (negative counts from the coarsest)."""
        return self._levels[self._index(i)]

    def __iter__(self) -> Iterator[Level]:
        return iter(self._levels)

    # -- transforms ---------------------------------------------------------------------------
    def map(self, fn: Callable) -> "Pyramid":
        """Apply ``fn(data) -> new data`` to every level; names, extents, units and meta are kept.

        The new array must keep each level's elements (its first axis, or first two for pixels).
        """
        out = []
        for lv in self._levels:
            try:
                out.append(lv.replace(data=fn(lv.data)))
            except PyramidError as exc:
                raise PyramidError(f"map: {exc}") from exc
        return Pyramid(out, self._modality, self._meta)

    def to_numpy(self) -> "Pyramid":
        """Every level's array on the host (NumPy); a no-op copy of the structure if already there."""
        return Pyramid([lv.replace(data=_host(lv.data)) for lv in self._levels], self._modality, self._meta)

    def to_cupy(self) -> "Pyramid":
        """Every level's array on the GPU (CuPy). Needs the ``gpu`` extra."""
        try:
            import cupy
        except ImportError as exc:
            raise PyramidError(
                "to_cupy() needs CuPy: install the 'gpu' extra (pip install 'dsp-pyramids[gpu]')"
            ) from exc
        return Pyramid([lv.replace(data=cupy.asarray(lv.data)) for lv in self._levels], self._modality, self._meta)

    # -- persistence --------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the pyramid to a ``.npz`` file: arrays as arrays, everything else as JSON.

        CuPy levels are copied to the host first. Metadata must be JSON-representable: str keys;
        values of str, bool, int, float, None, lists, tuples, dicts, NumPy scalars and arrays
        (tuples and arrays come back as tuples and arrays).
        """
        header = {
            "format": _FORMAT,
            "modality": self._modality,
            "meta": _encode(self._meta, "meta"),
            "levels": [
                {"name": lv.name, "units": lv.units, "meta": _encode(lv.meta, f"level {lv.name!r} meta"),
                 "grid": lv.grid is not None}
                for lv in self._levels
            ],
        }
        arrays = {"header": np.array(json.dumps(header))}
        for i, lv in enumerate(self._levels):
            arrays[f"data_{i}"] = _host(lv.data)
            if lv.grid is not None:  # H + W spans instead of H * W boxes
                arrays[f"grid_rows_{i}"] = lv.grid.rows
                arrays[f"grid_cols_{i}"] = lv.grid.cols
            else:
                arrays[f"extents_{i}"] = lv.extents
        path = Path(path)
        if path.is_dir():
            raise PyramidError(f"cannot save a pyramid to {path}: it is a directory; give a file path")
        try:
            with open(path, "wb") as fh:  # an open file keeps np.savez from appending '.npz'
                np.savez(fh, **arrays)
        except OSError as exc:
            raise PyramidError(f"cannot save a pyramid to {path}: {exc}") from exc

    @classmethod
    def load(cls, path) -> "Pyramid":
        """Read a pyramid written by :meth:`save` (arrays come back as NumPy).

        The file may be untrusted: its structure, declared array sizes and compression are
        checked before anything is read (:mod:`pyramids._storage`), no pickle is ever loaded, and
        every failure is a PyramidError naming the file and what is wrong.
        """
        from ._storage import read_pyramid_file

        header, npz = read_pyramid_file(path, _FORMAT)
        try:
            with npz:
                levels = []
                for i, spec in enumerate(header["levels"]):
                    if spec["grid"]:
                        ext = BoxGrid(npz[f"grid_rows_{i}"], npz[f"grid_cols_{i}"])
                    else:
                        ext = npz[f"extents_{i}"]
                    levels.append(Level(npz[f"data_{i}"], spec["name"], ext, spec["units"],
                                        _decode(spec.get("meta"))))
                return cls(levels, header["modality"], _decode(header.get("meta")))
        except PyramidError as exc:
            raise PyramidError(f"could not load a pyramid from {path}: {exc}") from exc
        except (KeyError, ValueError, TypeError, AttributeError, IndexError, OSError,
                RecursionError, MemoryError) as exc:
            raise PyramidError(f"could not load a pyramid from {path}: "
                               f"{type(exc).__name__}: {exc}") from exc

    # -- display ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}(modality={self._modality!r}, {len(self)} level(s), units={self.units!r})"]
        width = max(len(lv.name) for lv in self._levels)
        for i, lv in enumerate(self._levels):
            where = "cupy" if is_cupy_array(lv.data) else "numpy"
            lines.append(
                f"  [{i}] {lv.name:<{width}}  shape={lv.shape}  {lv.data.dtype} ({where})  "
                f"elements={lv.n_elements}  scale={lv.scale:.4g}"
            )
        return "\n".join(lines)


# -- helpers ------------------------------------------------------------------------------------
def _array_module(x):
    if is_cupy_array(x):
        import cupy

        return cupy
    return np


def _host(x):
    if is_cupy_array(x):
        return x.get()
    return np.asarray(x)


def _encode(obj, where: str):
    """JSON-ready form of metadata, with tuples and arrays tagged so that they come back as such."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (int, float)):
        if isinstance(obj, float) and not math.isfinite(obj):
            return {"__float__": repr(obj)}
        return obj
    if isinstance(obj, np.generic):
        return _encode(obj.item(), where)
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, where) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, where) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise PyramidError(f"{where}: arrays of dtype {obj.dtype} cannot be saved in metadata")
        return {"__ndarray__": [_encode(v, where) for v in obj.ravel().tolist()], "dtype": obj.dtype.str,
                "shape": list(obj.shape)}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise PyramidError(f"{where}: key {k!r} is not a string; metadata keys must be strings to be saved")
            out[k] = _encode(v, where)
        return out
    raise PyramidError(f"{where}: value {obj!r} of type {type(obj).__name__} cannot be saved")


def _decode(obj):
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if isinstance(obj, dict):
        if set(obj) == {"__tuple__"}:
            return tuple(_decode(v) for v in obj["__tuple__"])
        if set(obj) == {"__float__"}:
            return float(obj["__float__"])
        if set(obj) == {"__ndarray__", "dtype", "shape"}:
            vals = [_decode(v) for v in obj["__ndarray__"]]
            dtype = np.dtype(obj["dtype"])  # TypeError for an unknown dtype
            if dtype.kind not in "biuf":
                raise PyramidError(f"metadata array of dtype {dtype}: only numbers are stored")
            shape = obj["shape"]
            if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
                raise PyramidError(f"metadata array with shape {shape!r}")
            return np.array(vals, dtype=dtype).reshape(shape)
        return {k: _decode(v) for k, v in obj.items()}
    return obj
