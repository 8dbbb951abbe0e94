"""2-D and n-D discrete wavelet transforms, PyWavelets-compatible: one level.

``dwt2``/``idwt2`` (``(cA, (cH, cV, cD))`` structures) and ``dwtn``/``idwtn`` (dicts keyed
``'aa'``, ``'ad'``, ...), with ``axes=``,
a wavelet and a mode per axis allowed, as in PyWavelets. Each axis is one pass of our 1-D
kernels: the last axis through the row kernels of ``kernels/cpu/dwt.py``, any other axis through
``kernels/cpu/dwt_nd.py``, which transforms the axis in place of the array's layout (no
transpose copies); CuPy arrays take the GPU twins of both (``kernels/gpu/``). The multilevel transforms are in :mod:`dsp._wavelet_ndlevels`. Re-exported by
:mod:`dsp.wavelets`.
"""
from __future__ import annotations

import math
from itertools import product

import numpy as np

from ._backend import array_module
from ._errors import DSPError, DSPTypeError
from ._dispatch import kernel_for
from ._wavelet_common import as_data, check_length, rows, unrows
from ._wavelet_filters import as_wavelet
from ._wavelet_modes import idwt_len, mode_id, mode_name

__all__ = ["dwt2", "idwt2", "dwtn", "idwtn"]

# ---------------------------------------------------------------------------------------------
# argument handling


def _axes_arg(axes, ndim, fn, *, count=None, unique=True):
    """Normalised, in-range axes (a tuple of non-negative ints), unique unless ``unique=False``
    (PyWavelets' single-level dwtn/idwtn transform a repeated axis again)."""
    if axes is None:
        axes = tuple(range(ndim))
    elif np.isscalar(axes):
        if count is not None:  # PyWavelets: TypeError for an integer where a pair is expected
            raise DSPTypeError(f"axes={axes!r} must be a sequence of {count} integers")
        axes = (axes,)
    try:
        axes = tuple(axes)
    except TypeError as exc:
        raise DSPTypeError(f"axes={axes!r} must be a sequence of integers") from exc
    for a in axes:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise DSPTypeError(f"axes={axes!r} must contain integers, got {a!r}")
    if count is not None and len(axes) != count:
        raise DSPError(f"axes={axes!r}: {fn} expects {count} axes")
    for a in axes:
        if not -ndim <= a < ndim:
            raise DSPError(
                f"axes={axes!r}: axis {a} is out of range for an array with {ndim} dimension(s)"
            )
    norm = tuple(int(a) % ndim for a in axes)
    if unique and len(set(norm)) != len(norm):
        raise DSPError(f"axes={axes!r}: the axes passed to {fn} must be unique")
    return norm


def _per_axis(value, axes, name, convert):
    """One wavelet or mode for every axis, or a sequence with one per axis (PyWavelets' rule)."""
    if isinstance(value, (str, int)) or hasattr(value, "filter_bank") or hasattr(value, "dec_lo"):
        return [convert(value)] * len(axes)
    try:
        seq = list(value)
    except TypeError:
        raise DSPError(f"{name}={value!r} must be a {name}, or a sequence with one per axis") from None
    if len(seq) == 1:
        return [convert(seq[0])] * len(axes)
    if len(seq) != len(axes):
        raise DSPError(
            f"{name}={value!r} has {len(seq)} entries but {len(axes)} axes are transformed: "
            f"give one {name} or one per axis"
        )
    return [convert(v) for v in seq]


def _wavelets(wavelet, axes):
    return _per_axis(wavelet, axes, "wavelet", as_wavelet)


def _modes(mode, axes):
    return _per_axis(mode, axes, "mode", mode_id)


# ---------------------------------------------------------------------------------------------
# one level along one axis (real float32/float64 arrays)


def _dwt_axis(x, w, mode, axis):
    """``(cA, cD)`` of one level along ``axis`` of a real array."""
    check_length(x.shape[axis], mode, "data", axis)
    if axis == x.ndim - 1 or x.size == 0:  # the row kernels
        x2, lead = rows(x, axis)
        ca, cd = kernel_for("dwt", x)(x2, w._bank[0], w._bank[1], mode)
        return unrows(ca, lead, axis, False), unrows(cd, lead, axis, False)
    x = array_module(x).ascontiguousarray(x)
    outer = math.prod(x.shape[:axis])
    inner = math.prod(x.shape[axis + 1:])
    ca, cd = kernel_for("dwt_nd_dwt", x)(x.reshape(outer, x.shape[axis], inner), w._bank[0], w._bank[1], mode)
    shape = x.shape[:axis] + (ca.shape[1],) + x.shape[axis + 1:]
    return ca.reshape(shape), cd.reshape(shape)


def _idwt_axis(a, d, w, mode, axis):
    """One synthesis level along ``axis``; ``a`` or ``d`` may be None (zeros)."""
    xp = array_module(a if a is not None else d)
    if a is None:
        a = xp.zeros_like(d)
    elif d is None:
        d = xp.zeros_like(a)
    if a.dtype != d.dtype:
        dt = np.complex128 if a.dtype.kind == "c" or d.dtype.kind == "c" else np.float64
        a, d = a.astype(dt), d.astype(dt)
    if a.shape != d.shape:
        raise DSPError(
            f"coefficient shapes {a.shape} and {d.shape} differ: the approximation and detail "
            "bands of one level must have the same shape"
        )
    n = a.shape[axis]
    if n < 1 or idwt_len(n, w.dec_len, mode) <= 0:
        raise DSPError(
            f"coefficients have {n} entries along axis={axis}, too few for wavelet {w.name!r} "
            f"(filter length {w.rec_len}) in mode={mode_name(mode)!r}: need at least "
            f"{max(1, w.rec_len // 2)}; the wavelet and mode must be those of the decomposition"
        )
    if a.dtype.kind == "c":
        re = _idwt_axis(a.real.copy(), d.real.copy(), w, mode, axis)
        im = _idwt_axis(a.imag.copy(), d.imag.copy(), w, mode, axis)
        return re + 1j * im
    if axis == a.ndim - 1 or a.size == 0:  # the row kernels
        a2, lead = rows(a, axis)
        d2, _ = rows(d, axis)
        y = kernel_for("idwt", a, d)(a2, d2, w._bank[2], w._bank[3], mode)
        return unrows(y, lead, axis, False)
    outer = math.prod(a.shape[:axis])
    inner = math.prod(a.shape[axis + 1:])
    a3 = xp.ascontiguousarray(a).reshape(outer, n, inner)
    d3 = xp.ascontiguousarray(d).reshape(outer, n, inner)
    y = kernel_for("dwt_nd_idwt", a3, d3)(a3, d3, w._bank[2], w._bank[3], mode)
    return y.reshape(a.shape[:axis] + (y.shape[1],) + a.shape[axis + 1:])


def _dwtn_real(x, wavelets, modes, axes):
    coeffs = [("", x)]
    for axis, w, m in zip(axes, wavelets, modes):
        new = []
        for key, c in coeffs:
            ca, cd = _dwt_axis(c, w, m, axis)
            new += [(key + "a", ca), (key + "d", cd)]
        coeffs = new
    return dict(coeffs)


# ---------------------------------------------------------------------------------------------
# public n-D


def dwtn(data, wavelet, mode="symmetric", axes=None):
    """Single-level n-dimensional discrete wavelet transform.

    Parameters
    ----------
    data : np.ndarray [shape=(n_0, ..., n_k)]
        Real or complex; float32 stays float32, integers are computed in float64.
    wavelet : str, Wavelet, or a sequence of them (one per axis)
    mode : str, or a sequence of str (one per axis)
        Extension mode (see :func:`dsp.dwt`).
    axes : sequence of int or None
        Axes to transform (all by default); unique.

    Returns
    -------
    dict
        ``2**len(axes)`` arrays keyed by strings of 'a' (approximation) and 'd' (detail), one
        letter per transformed axis in the order of ``axes``; each has ``dwt_coeff_len`` entries
        along every transformed axis.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c = dsp.dwtn(np.ones((4, 4)), 'db1')
    >>> sorted(c), c['aa']
    (['aa', 'ad', 'da', 'dd'], array([[2., 2.],
           [2., 2.]]))
    """
    if isinstance(data, dict) or (isinstance(data, np.ndarray) and data.dtype == object):
        raise DSPTypeError(f"data must be a numeric array-like, got {type(data).__name__}")
    x = as_data(data, "data")
    if x.ndim < 1:
        raise DSPError("data must be at least 1-D, got a 0-d array")
    axes = _axes_arg(axes, x.ndim, "dwtn", unique=False)
    wavelets, modes = _wavelets(wavelet, axes), _modes(mode, axes)
    if x.dtype.kind == "c":
        re = _dwtn_real(x.real.copy(), wavelets, modes, axes)
        im = _dwtn_real(x.imag.copy(), wavelets, modes, axes)
        return {k: re[k] + 1j * im[k] for k in re}
    return _dwtn_real(x, wavelets, modes, axes)


def _fix_coeffs(coeffs, name="coeffs"):
    """PyWavelets' checks on a dict of bands (None values dropped first by the callers that
    allow them)."""
    if not isinstance(coeffs, dict):
        raise DSPError(f"{name} must be a dict of arrays keyed by 'a'/'d' strings, got {type(coeffs).__name__}")
    missing = [k for k, v in coeffs.items() if v is None]
    if missing:
        raise DSPError(
            f"{name} has bands set to None: {missing}; for multilevel transforms use "
            "np.zeros_like(band) instead"
        )
    bad = [k for k in coeffs if not isinstance(k, str) or not set(k) <= set("ad")]
    if bad:
        raise DSPError(f"{name} has invalid keys {bad}: keys are strings of 'a' and 'd'")
    if len({len(k) for k in coeffs}) > 1:
        raise DSPError(f"{name} keys {sorted(coeffs)} must all have the same length")
    return {k: as_data(v, f"{name}[{k!r}]") for k, v in coeffs.items()}


def idwtn(coeffs, wavelet, mode="symmetric", axes=None):
    """Single-level n-dimensional inverse discrete wavelet transform.

    Parameters
    ----------
    coeffs : dict
        Bands as returned by :func:`dwtn`, all of one shape; a missing or None band counts as
        zeros.
    wavelet : str, Wavelet, or a sequence of them (one per axis)
    mode : str or sequence of str
    axes : sequence of int or None
        The axes of the forward transform (by default the first ``len(key)`` axes).

    Returns
    -------
    np.ndarray
        ``2n - rec_len + 2`` entries along each transformed axis (``2n`` for periodization).

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> np.allclose(dsp.idwtn(dsp.dwtn(x, 'db2'), 'db2'), x)
    True
    """
    if not isinstance(coeffs, dict):
        raise DSPError(f"coeffs must be a dict of arrays as returned by dwtn, got {type(coeffs).__name__}")
    coeffs = _fix_coeffs({k: v for k, v in coeffs.items() if v is not None})
    if not coeffs:
        raise DSPError("coeffs must contain at least one band that is not None")
    nt = max(len(k) for k in coeffs)
    shapes = {v.shape for v in coeffs.values()}
    if len(shapes) != 1:
        raise DSPError(
            f"coeffs bands have shapes {sorted(shapes)}: all must have the same shape (or be None)"
        )
    shape = shapes.pop()
    if axes is None:
        ndim = nt
        if len(shape) < nt:
            raise DSPError(f"coeffs keys have {nt} letters but the bands have {len(shape)} dimensions")
        axes = tuple(range(nt))
    else:
        ndim = len(shape)
        axes = _axes_arg(axes, ndim, "idwtn", unique=False)
    if len(axes) != nt:
        raise DSPError(f"axes={axes!r} has {len(axes)} axes but the keys of coeffs have {nt} letters")
    wavelets, modes = _wavelets(wavelet, axes), _modes(mode, axes)
    for k, (axis, w, m) in reversed(list(enumerate(zip(axes, wavelets, modes)))):
        new = {}
        for key in ("".join(p) for p in product("ad", repeat=k)):
            lo, hi = coeffs.get(key + "a"), coeffs.get(key + "d")
            if lo is None and hi is None:
                continue
            new[key] = _idwt_axis(lo, hi, w, m, axis)
        coeffs = new
    return coeffs[""]


def dwt2(data, wavelet, mode="symmetric", axes=(-2, -1)):
    """Single-level 2-D discrete wavelet transform.

    Parameters
    ----------
    data : np.ndarray [shape=(..., m, ..., n, ...)]
    wavelet : str, Wavelet, or a pair of them (one per axis)
    mode : str or pair of str
    axes : pair of int
        The two axes to transform.

    Returns
    -------
    (cA, (cH, cV, cD))
        Approximation, horizontal, vertical and diagonal detail bands (PyWavelets' keys 'aa',
        'da', 'ad', 'dd').

    Examples
    --------
    >>> import numpy as np, dsp
    >>> cA, (cH, cV, cD) = dsp.dwt2(np.ones((8, 6)), 'db1')
    >>> cA.shape, float(cH.max())
    ((4, 3), 0.0)
    """
    x = as_data(data, "data")
    if x.ndim < 2:
        raise DSPError(f"data has {x.ndim} dimension(s): dwt2 needs at least 2")
    axes = _axes_arg(axes, x.ndim, "dwt2", count=2, unique=False)
    c = dwtn(x, wavelet, mode, axes)
    return c["aa"], (c["da"], c["ad"], c["dd"])


def _unpack2(coeffs, fn):
    try:
        a, (h, v, d) = coeffs
    except (TypeError, ValueError):
        raise DSPError(f"coeffs must be (cA, (cH, cV, cD)) as returned by {fn}") from None
    return {"aa": a, "da": h, "ad": v, "dd": d}


def idwt2(coeffs, wavelet, mode="symmetric", axes=(-2, -1)):
    """Single-level 2-D inverse discrete wavelet transform.

    Parameters
    ----------
    coeffs : (cA, (cH, cV, cD))
        Bands of one shape; any may be None (zeros).
    wavelet : str, Wavelet, or a pair
    mode : str or pair of str
    axes : pair of int

    Returns
    -------
    np.ndarray

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.arange(30.0).reshape(5, 6)
    >>> dsp.idwt2(dsp.dwt2(x, 'db1'), 'db1').shape
    (6, 6)
    """
    if np.isscalar(axes):
        raise DSPTypeError(f"axes={axes!r} must be a sequence of 2 integers")
    axes = tuple(axes)
    if len(axes) != 2:
        raise DSPError(f"axes={axes!r}: idwt2 expects 2 axes")
    return idwtn(_unpack2(coeffs, "dwt2"), wavelet, mode, axes)
