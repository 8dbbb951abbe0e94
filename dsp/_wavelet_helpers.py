"""Helpers paired with the multilevel transforms, PyWavelets-compatible: packing coefficients into
one array (``coeffs_to_array``/``array_to_coeffs``) or one vector (``ravel_coeffs``/
``unravel_coeffs``), ``wavedecn_shapes``/``wavedecn_size``, ``dwtn_max_level``, and the
single-band ``downcoef``/``upcoef``. Re-exported by :mod:`dsp.wavelets`.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from ._errors import DSPError
from ._wavelet_common import as_data, int_arg
from ._wavelet_filters import as_wavelet
from ._wavelet_modes import dwt_len, max_level, mode_id
from ._wavelet_nd import _axes_arg, _dwt_axis, _modes, _wavelets
from ._wavelet_ndlevels import _level

__all__ = [
    "coeffs_to_array", "array_to_coeffs", "ravel_coeffs", "unravel_coeffs", "wavedecn_shapes",
    "wavedecn_size", "dwtn_max_level", "downcoef", "upcoef",
]


def _as_nd_list(coeffs, axes, fn):
    """``coeffs`` (wavedec, wavedec2 or wavedecn format) as a wavedecn list, with the axes."""
    if not isinstance(coeffs, list) or not coeffs:
        raise DSPError(f"coeffs must be a non-empty list of coefficients as returned by wavedecn ({fn})")
    if coeffs[0] is None:
        raise DSPError(f"coeffs[0] is None: {fn} does not support missing coefficients")
    if not isinstance(coeffs[0], np.ndarray):
        raise DSPError(f"coeffs[0] must be a numpy array, got {type(coeffs[0]).__name__}")
    ndim = coeffs[0].ndim
    out = [coeffs[0]]
    for i, d in enumerate(coeffs[1:], start=1):
        if isinstance(d, dict):
            out.append(d)
        elif isinstance(d, np.ndarray):
            if d.ndim != 1:
                raise DSPError(f"coeffs[{i}] has {d.ndim} dimensions: wavedec-format details are 1-D")
            out.append({"d": d})
        elif isinstance(d, (tuple, list)):
            if len(d) != 3 or any(c is None for c in d):
                raise DSPError(f"coeffs[{i}] must be a 3-tuple of arrays (wavedec2 format), without None")
            out.append({"da": d[0], "ad": d[1], "dd": d[2]})
        else:
            raise DSPError(f"coeffs[{i}] is a {type(d).__name__}: not a wavedec, wavedec2 or wavedecn detail")
    if len(out) == 1:
        return out, axes, ndim, None
    nt = len(next(iter(out[1])))
    if axes is None:
        if nt < ndim:
            raise DSPError(
                "coeffs come from a transform over a subset of the axes: axes must be given"
            )
        axes = tuple(range(ndim))
    else:
        axes = _axes_arg(axes, ndim, fn)
    if len(axes) != nt:
        raise DSPError(f"axes={axes!r} has {len(axes)} axes but the details have {nt}-letter keys")
    for i, d in enumerate(out[1:], start=1):
        if any(v is None for v in d.values()):
            raise DSPError(f"coeffs[{i}] has None bands: {fn} does not support missing coefficients")
        bad = [k for k in d if not isinstance(k, str) or len(k) != nt or not set(k) <= set("ad")]
        if bad:
            raise DSPError(f"coeffs[{i}] has invalid keys {bad}: keys are {nt}-letter strings of 'a' and 'd'")
    return out, axes, ndim, nt


def coeffs_to_array(coeffs, padding=0, axes=None):
    """Pack multilevel coefficients into one array (PyWavelets' layout).

    Parameters
    ----------
    coeffs : list
        From :func:`dsp.wavedec`, :func:`dsp.wavedec2` or :func:`dsp.wavedecn`.
    padding : float or None
        Fill of the unused entries; None requires tight packing.
    axes : sequence of int or None

    Returns
    -------
    coeff_arr : np.ndarray
    coeff_slices : list
        The approximation's slices, then per level a dict of slices by band key.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> arr, sl = dsp.coeffs_to_array(dsp.wavedec2(np.ones((8, 8)), 'db1', level=2))
    >>> arr.shape, sl[1]['dd']
    ((8, 8), (slice(2, 4, None), slice(2, 4, None)))
    """
    coeffs, axes, ndim, nt = _as_nd_list(coeffs, axes, "coeffs_to_array")
    a = coeffs[0]
    if nt is None:
        return a, [tuple([slice(None)] * ndim)]
    shape = list(a.shape)
    total = a.size
    for d in coeffs[1:]:
        ref = d["d" * nt].shape
        for ax in axes:
            shape[ax] += ref[ax]
        total += sum(v.size for v in d.values())
    if padding is None:
        if int(np.prod(shape)) != total:
            raise DSPError("padding=None: the coefficients cannot be tightly packed into one array")
        arr = np.empty(shape, dtype=a.dtype)
    else:
        arr = np.full(shape, padding, dtype=a.dtype)
    a_slices = tuple(slice(s) for s in a.shape)
    arr[a_slices] = a
    slices = [a_slices]
    cur = list(a.shape)
    for d in coeffs[1:]:
        level = {}
        for key, v in d.items():
            sl = [slice(None)] * ndim
            for letter, ax in zip(key, axes):
                sl[ax] = slice(v.shape[ax]) if letter == "a" else slice(cur[ax], cur[ax] + v.shape[ax])
            arr[tuple(sl)] = v
            level[key] = tuple(sl)
        slices.append(level)
        ref = d["d" * nt].shape
        cur = [c + r for c, r in zip(cur, ref)]
    return arr, slices


_FORMATS = {"wavedec": ("d",), "wavedec2": ("da", "ad", "dd")}


def _detail(getter, keys, output_format, fmts):
    if output_format in fmts[0]:
        return getter("d")
    if output_format in fmts[1]:
        return tuple(getter(k) for k in ("da", "ad", "dd"))
    if output_format in fmts[2]:
        return {k: getter(k) for k in keys}
    raise DSPError(
        f"output_format={output_format!r} is not one of {sorted(fmts[0] + fmts[1] + fmts[2])}"
    )


def array_to_coeffs(arr, coeff_slices, output_format="wavedecn"):
    """Unpack an array from :func:`coeffs_to_array` into the list of coefficients.

    Parameters
    ----------
    arr : np.ndarray
    coeff_slices : list
    output_format : {'wavedec', 'wavedec2', 'wavedecn'}

    Returns
    -------
    list

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c = dsp.wavedec2(np.arange(64.0).reshape(8, 8), 'db1', level=2)
    >>> back = dsp.array_to_coeffs(*dsp.coeffs_to_array(c), output_format='wavedec2')
    >>> np.array_equal(back[1][2], c[1][2])
    True
    """
    arr = np.asarray(arr)
    if len(coeff_slices) == 0:
        raise DSPError("coeff_slices is empty")
    out = [arr[coeff_slices[0]]]
    fmts = (("wavedec",), ("wavedec2",), ("wavedecn",))
    for sl in coeff_slices[1:]:
        out.append(_detail(lambda k, sl=sl: arr[sl[k]], list(sl), output_format, fmts))
    return out


def ravel_coeffs(coeffs, axes=None):
    """Pack multilevel coefficients into one 1-D array.

    Parameters
    ----------
    coeffs : list
        From wavedec, wavedec2 or wavedecn.
    axes : sequence of int or None

    Returns
    -------
    coeff_arr : np.ndarray [shape=(total,)]
    coeff_slices : list of slice / dict of slices
    coeff_shapes : list of tuple / dict of tuples

    Examples
    --------
    >>> import numpy as np, dsp
    >>> arr, sl, sh = dsp.ravel_coeffs(dsp.wavedec(np.ones(16), 'db1', level=2))
    >>> arr.shape, sh
    ((16,), [(4,), {'d': (4,)}, {'d': (8,)}])
    """
    coeffs, axes, ndim, nt = _as_nd_list(coeffs, axes, "ravel_coeffs")
    a = coeffs[0]
    if nt is None:
        return a.ravel(), [slice(a.size)], [a.shape]
    total = a.size + sum(v.size for d in coeffs[1:] for v in d.values())
    arr = np.empty(total, dtype=a.dtype)
    arr[: a.size] = a.ravel()
    slices, shapes = [slice(a.size)], [a.shape]
    pos = a.size
    for d in coeffs[1:]:
        sl, sh = {}, {}
        for key in sorted(d):
            v = np.asarray(d[key])
            sl[key] = slice(pos, pos + v.size)
            sh[key] = v.shape
            arr[pos : pos + v.size] = v.ravel()
            pos += v.size
        slices.append(sl)
        shapes.append(sh)
    return arr, slices, shapes


def unravel_coeffs(arr, coeff_slices, coeff_shapes, output_format="wavedecn"):
    """Unpack a vector from :func:`ravel_coeffs`.

    Parameters
    ----------
    arr : np.ndarray [shape=(total,)]
    coeff_slices, coeff_shapes : list
    output_format : {'wavedec', 'wavedec2', 'wavedecn', 'swt', 'swt2', 'swtn'}

    Returns
    -------
    list

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c = dsp.wavedec(np.arange(16.0), 'db1', level=2)
    >>> back = dsp.unravel_coeffs(*dsp.ravel_coeffs(c), output_format='wavedec')
    >>> all(np.array_equal(x, y) for x, y in zip(back, c))
    True
    """
    arr = np.asarray(arr)
    if len(coeff_slices) == 0:
        raise DSPError("coeff_slices is empty")
    if len(coeff_shapes) == 0:
        raise DSPError("coeff_shapes is empty")
    if len(coeff_shapes) != len(coeff_slices):
        raise DSPError(
            f"coeff_shapes ({len(coeff_shapes)} entries) and coeff_slices ({len(coeff_slices)}) "
            "must have the same length"
        )
    out = [arr[coeff_slices[0]].reshape(coeff_shapes[0])]
    fmts = (("wavedec", "swt"), ("wavedec2", "swt2"), ("wavedecn", "swtn"))
    for sl, sh in zip(coeff_slices[1:], coeff_shapes[1:]):
        out.append(_detail(lambda k, sl=sl, sh=sh: arr[sl[k]].reshape(sh[k]), list(sl), output_format, fmts))
    return out


def wavedecn_shapes(shape, wavelet, mode="symmetric", level=None, axes=None):
    """The shapes of :func:`dsp.wavedecn`'s coefficients, without computing them.

    Parameters
    ----------
    shape : tuple of int
    wavelet : str, Wavelet or sequence
    mode : str or sequence
    level : int or None
    axes : sequence of int or None

    Returns
    -------
    list
        ``[shape_cAn, {key: shape}, ...]``.

    Examples
    --------
    >>> import dsp
    >>> dsp.wavedecn_shapes((8, 9), 'db1', level=1)
    [(4, 5), {'ad': (4, 5), 'da': (4, 5), 'dd': (4, 5)}]
    """
    shape = tuple(int(s) for s in shape)
    if not shape:
        raise DSPError("shape must have at least one dimension")
    axes = _axes_arg(axes, len(shape), "wavedecn_shapes")
    wavelets, modes = _wavelets(wavelet, axes), _modes(mode, axes)
    sizes = [shape[a] for a in axes]
    level = _level(level, [min(sizes)], [max(wavelets, key=lambda w: w.dec_len)], 3)
    out = []
    for _ in range(level):
        new = list(shape)
        for ax, w, m in zip(axes, wavelets, modes):
            new[ax] = dwt_len(shape[ax], w.dec_len, m)
        new = tuple(new)
        keys = ("".join(p) for p in product("ad", repeat=len(axes)))
        out.append({k: new for k in keys if k != "a" * len(axes)})
        shape = new
    out.append(shape)
    return out[::-1]


def wavedecn_size(shapes):
    """Total number of coefficients of a wavedecn structure (arrays or shapes).

    Parameters
    ----------
    shapes : list
        From :func:`wavedecn_shapes` or :func:`dsp.wavedecn`.

    Returns
    -------
    int

    Examples
    --------
    >>> import dsp
    >>> dsp.wavedecn_size(dsp.wavedecn_shapes((8, 9), 'db1', level=1))
    80
    """
    def size(x):
        return x.size if isinstance(x, np.ndarray) else int(np.prod(x))

    total = size(shapes[0])
    for d in shapes[1:]:
        for v in d.values():
            if v is None:
                raise DSPError("coefficient arrays set to None are not supported")
            total += size(v)
    return int(total)


def dwtn_max_level(shape, wavelet, axes=None) -> int:
    """The deepest useful level of an n-D decomposition: the minimum of
    :func:`dsp.dwt_max_level` over the transformed axes.

    Parameters
    ----------
    shape : tuple of int
    wavelet : str, Wavelet or sequence (one per axis)
    axes : sequence of int or None

    Returns
    -------
    int

    Examples
    --------
    >>> import dsp
    >>> dsp.dwtn_max_level((64, 32), 'db2')
    3
    """
    shape = tuple(shape)
    if not shape:
        raise DSPError("shape must have at least one dimension")
    axes = _axes_arg(axes, len(shape), "dwtn_max_level")
    wavelets = _wavelets(wavelet, axes)
    return min(max_level(int(shape[a]), w.dec_len) for a, w in zip(axes, wavelets))


def _part(part):
    if part not in ("a", "d"):
        raise DSPError(f"part={part!r} must be 'a' (approximation) or 'd' (detail)")
    return part


def downcoef(part, data, wavelet, mode="symmetric", level=1):
    """One band of a multilevel 1-D decomposition: level ``level``'s approximation or detail.

    Parameters
    ----------
    part : {'a', 'd'}
    data : np.ndarray [shape=(n,)]
    wavelet : str or Wavelet
    mode : str
    level : int >= 1

    Returns
    -------
    np.ndarray [shape=(L,)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.downcoef('a', np.arange(8.0), 'db1', level=2)
    array([ 3., 11.])
    """
    part = _part(part)
    x = as_data(data, "data")
    if x.ndim > 1:
        raise DSPError(f"data has {x.ndim} dimensions: downcoef takes 1-D data")
    w = as_wavelet(wavelet)
    m = mode_id(mode)
    level = int_arg("level", level, minimum=1)
    if x.dtype.kind == "c":
        return downcoef(part, x.real, w, mode, level) + 1j * downcoef(part, x.imag, w, mode, level)
    for i in range(level):
        ca, cd = _dwt_axis(x, w, m, 0)
        x = cd if (i == level - 1 and part == "d") else ca
    return x


def upcoef(part, coeffs, wavelet, level=1, take=0):
    """Direct reconstruction from one band: ``level`` full upsampling convolutions.

    Parameters
    ----------
    part : {'a', 'd'}
    coeffs : np.ndarray [shape=(n,)]
    wavelet : str or Wavelet
    level : int >= 1
    take : int >= 0
        Keep the central ``take`` samples (0: all).

    Returns
    -------
    np.ndarray

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.upcoef('a', np.array([1.0, 2.0]), 'db1')
    array([0.70710678, 0.70710678, 1.41421356, 1.41421356])
    """
    part = _part(part)
    c = as_data(coeffs, "coeffs")
    if c.ndim > 1:
        raise DSPError(f"coeffs has {c.ndim} dimensions: upcoef takes 1-D coefficients")
    w = as_wavelet(wavelet)
    level = int_arg("level", level)
    if level < 1:
        raise DSPError(f"level={level} must be >= 1")
    take = int_arg("take", take)
    if c.dtype.kind == "c":
        return upcoef(part, c.real, w, level, take) + 1j * upcoef(part, c.imag, w, level, take)
    dt = c.dtype
    rec_lo = np.asarray(w._bank[2], dtype=dt)
    rec_hi = np.asarray(w._bank[3], dtype=dt)
    y = c
    for i in range(level):
        f = rec_hi if (i == 0 and part == "d") else rec_lo
        up = np.zeros(max(2 * y.size - 1, 0), dtype=dt)
        up[::2] = y
        y = np.convolve(up, f).astype(dt, copy=False) if y.size else np.zeros(0, dt)
    n = y.size
    if 0 < take < n:
        left = right = (n - take) // 2
        if (n - take) % 2:
            right += 1
        y = y[left : n - right]
    return y
