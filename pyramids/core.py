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
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from dsp.base import is_cupy_array

from ._arrays import to_host
from ._errors import PyramidError
from ._storage import decode_meta, encode_meta
from .level import SPAN_UNITS, UNITS, BoxGrid, Level  # noqa: F401  (SPAN_UNITS: importable from here)

__all__ = ["Pyramid", "Level", "BoxGrid", "PyramidError", "MODALITIES", "UNITS"]

MODALITIES = ("audio", "image", "text", "video")

# A level's scale may equal the previous one (levels of a mel pyramid share their frames); this
# slack only absorbs the rounding of the two means.
_SCALE_SLACK = 1e-9

_FORMAT = "dsp-pyramids.pyramid/1"
_BY_MODALITY: dict = {}


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
        return Pyramid([lv.replace(data=to_host(lv.data)) for lv in self._levels], self._modality, self._meta)

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
            "meta": encode_meta(self._meta, "meta"),
            "levels": [
                {"name": lv.name, "units": lv.units, "meta": encode_meta(lv.meta, f"level {lv.name!r} meta"),
                 "grid": lv.grid is not None}
                for lv in self._levels
            ],
        }
        arrays = {"header": np.array(json.dumps(header))}
        for i, lv in enumerate(self._levels):
            arrays[f"data_{i}"] = to_host(lv.data)
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
                                        decode_meta(spec.get("meta"))))
                return cls(levels, header["modality"], decode_meta(header.get("meta")))
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
