"""Array plumbing shared by :mod:`pyramids.align` and :mod:`pyramids.fusion` (and the modules they gather).

Everything here works on NumPy and CuPy arrays alike through the array-module pattern
(``xp = array_module(x)``); CuPy is only imported when a CuPy array has already arrived.
Errors are :class:`pyramids.PyramidError`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from dsp.base import all_finite, array_module, backend_of, is_cupy_array

from ._errors import PyramidError, as_pyramid_error


def xp_of(*arrays):
    """The array module shared by ``arrays`` (NumPy or CuPy); mixing the two is refused."""
    with as_pyramid_error():
        backend_of(*arrays)
    for a in arrays:
        if a is not None:
            return array_module(a)
    return np


def as_features(x, name: str, *, min_ndim: int = 1, max_ndim: int | None = None):
    """``x`` as a finite floating array on its own device.

    float32 and float64 are kept (float16 becomes float32); integer and boolean embeddings are
    promoted to float64 (they carry no scale to lose); complex, ragged and non-finite input is
    refused.
    """
    if x is None:
        raise PyramidError(f"{name} is None: need an array")
    if not is_cupy_array(x):
        try:
            x = np.asarray(x)
        except Exception as exc:  # ragged nested lists and the like
            raise PyramidError(f"{name} could not be converted to an array: {exc}") from None
    xp = array_module(x)
    kind = x.dtype.kind
    if kind == "c":
        raise PyramidError(f"{name} is complex ({x.dtype}): need real features")
    if kind in "iub":
        x = x.astype(np.float64)
    elif kind == "f":
        if x.dtype == np.float16:
            x = x.astype(np.float32)
        elif x.dtype not in (np.float32, np.float64):
            x = x.astype(np.float64)
    else:
        raise PyramidError(f"{name} has dtype {x.dtype}: need a real floating-point array")
    if x.ndim < min_ndim or (max_ndim is not None and x.ndim > max_ndim):
        want = f"{min_ndim}" if max_ndim == min_ndim else (
            f"at least {min_ndim}" if max_ndim is None else f"{min_ndim} to {max_ndim}"
        )
        raise PyramidError(f"{name} has shape {tuple(x.shape)}: need {want} dimension(s)")
    if not all_finite(x):
        raise PyramidError(f"{name} contains NaN or infinity: need finite values")
    return x


def result_dtype(*arrays):
    return np.result_type(*[a.dtype for a in arrays])


def as_matrix(x, name: str):
    """Elements by features: ``(D,)`` becomes ``(1, D)``, ``(..., D)`` becomes ``(n, D)``.

    Returns the 2-D array and the leading shape of the elements (``()`` for a single vector), so
    a per-element result can be given back the input's layout (a patch grid stays a grid).
    """
    x = as_features(x, name)
    lead = tuple(x.shape[:-1])
    if x.shape[-1] == 0:
        raise PyramidError(f"{name} has shape {tuple(x.shape)}: feature dimension must be >= 1")
    n = int(np.prod(lead)) if lead else 1
    if n == 0:
        raise PyramidError(f"{name} has shape {tuple(x.shape)}: need at least one element")
    return x.reshape(n, x.shape[-1]), lead


def l2_normalize(x, xp, *, name: str, eps: float = 0.0):
    """Rows of ``x`` divided by their norms, and the norms (zero rows are refused)."""
    norms = xp.sqrt((x * x).sum(axis=-1, keepdims=True))
    if bool((norms <= eps).any()):
        bad = int(xp.argmax((norms[..., 0] <= eps).astype(np.int8)))
        raise PyramidError(f"{name} row {bad} has zero norm: cosine similarity is undefined")
    return x / norms, norms


def is_pyramid(p) -> bool:
    """Duck-typed: anything with ``level(i)`` and ``__len__`` (a :class:`pyramids.Pyramid`)."""
    return hasattr(p, "level") and hasattr(p, "__len__") and not hasattr(p, "shape")


def level_arrays(p, name: str) -> list:
    """The per-level arrays of a Pyramid, or of a sequence of arrays."""
    if is_pyramid(p):
        return [level_features(p.level(i)) for i in range(len(p))]
    if isinstance(p, (list, tuple)):
        if not p:
            raise PyramidError(f"{name} is empty: need at least one level")
        return list(p)
    raise PyramidError(
        f"{name} has type {type(p).__name__}: need a Pyramid or a list of per-level arrays"
    )


def level_features(level):
    """A Level's array with its element axes first and one feature axis last.

    Span levels become ``(n, F)``, pixel levels ``(H, W, F)``; a level whose elements are scalars
    (a grey-level image, a 1-D signal) gets ``F = 1``, and extra axes are folded into ``F``.
    """
    data = level.data
    if getattr(level, "units", None) == "pixels":
        return data.reshape(data.shape[0], data.shape[1], -1)
    return data.reshape(data.shape[0], -1)


def frames_first(x, xp):
    """``(..., n_features, n_frames)`` -> ``(n_frames, ..., n_features)``, contiguous."""
    return xp.ascontiguousarray(xp.moveaxis(x, -1, 0))


def to_host(x) -> np.ndarray:
    if is_cupy_array(x):
        return x.get()
    return np.asarray(x)


def softmax(z, xp, axis: int):
    m = z.max(axis=axis, keepdims=True)
    e = xp.exp(z - m)
    return e / e.sum(axis=axis, keepdims=True)


def logsumexp(z, xp, axis: int):
    m = z.max(axis=axis, keepdims=True)
    return (m + xp.log(xp.exp(z - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def check_pairs(pairs, n_a: int, n_b: int, name: str = "pairs") -> list[tuple[int, int]]:
    """Level pairs ``[(i, j), ...]`` with ``0 <= i < n_a`` and ``0 <= j < n_b``."""
    out = []
    try:
        items = list(pairs)
    except TypeError:
        raise PyramidError(f"{name}={pairs!r} must be a sequence of (i, j) level pairs") from None
    if not items:
        raise PyramidError(f"{name} is empty: need at least one (i, j) level pair")
    for p in items:
        try:
            i, j = p
        except (TypeError, ValueError):
            raise PyramidError(f"{name} entry {p!r} must be an (i, j) level pair") from None
        for v, n, side in ((i, n_a, "first"), (j, n_b, "second")):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise PyramidError(f"{name} entry {p!r}: level {v!r} must be an integer")
            if not 0 <= int(v) < n:
                raise PyramidError(
                    f"{name} entry {p!r}: level {int(v)} is out of range for the {side} "
                    f"pyramid, which has {n} level(s)"
                )
        out.append((int(i), int(j)))
    return out


def default_pairs(pa, pb, la, lb, pairs) -> list[tuple[int, int]]:
    """The level pairs to fuse: ``pairs`` checked, else :func:`pyramids.align.match_levels` of two
    Pyramids, else ``(i, i)`` for two level lists of equal length (``la``, ``lb``: their arrays)."""
    if pairs is not None:
        return check_pairs(pairs, len(la), len(lb))
    if is_pyramid(pa) and is_pyramid(pb):
        from .matching import match_levels  # imported here: matching builds on this module

        return list(match_levels(pa, pb).pairs)
    if len(la) != len(lb):
        raise PyramidError(
            f"the level lists have {len(la)} and {len(lb)} levels: give pairs=[(i, j), ...] "
            "(or pass Pyramids, whose levels align.match_levels can match)"
        )
    return [(i, i) for i in range(len(la))]


def as_level_index(level, n: int, name: str = "level") -> int:
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, np.integer)):
        raise PyramidError(f"{name}={level!r} must be an integer level index")
    level = int(level)
    if not -n <= level < n:
        raise PyramidError(f"{name}={level} is out of range for a pyramid with {n} level(s)")
    return level % n


def seq_of_floats(values, n: int, name: str) -> Sequence[float]:
    """A scalar broadcast to ``n`` floats, or a sequence of exactly ``n`` finite floats."""
    if np.ndim(values) == 0:
        values = [values] * n
    vals = list(values)
    if len(vals) != n:
        raise PyramidError(f"{name} has {len(vals)} value(s): need {n} (one per level pair)")
    out = []
    for v in vals:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise PyramidError(f"{name} value {v!r} must be a real number") from None
        if not np.isfinite(f):
            raise PyramidError(f"{name} value {v!r} must be finite")
        out.append(f)
    return out
