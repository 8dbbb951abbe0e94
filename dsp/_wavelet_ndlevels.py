"""Multilevel 2-D and n-D discrete wavelet transforms, PyWavelets-compatible: ``wavedec2``/
``waverec2`` (``[cAn, (cHn, cVn, cDn), ..., (cH1, cV1, cD1)]``) and ``wavedecn``/``waverecn``
(``[cAn, {details_n}, ..., {details_1}]``), level by level through :mod:`dsp._wavelet_nd`.
Re-exported by :mod:`dsp.wavelets`.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._errors import DSPError, DSPTypeError
from ._wavelet_common import as_data, int_arg
from ._wavelet_modes import max_level
from ._wavelet_nd import _axes_arg, _fix_coeffs, _modes, _wavelets, dwtn, idwt2, idwtn

__all__ = ["wavedec2", "waverec2", "wavedecn", "waverecn"]

#: same ceiling as :data:`dsp.wavelets.MAX_LEVEL`
MAX_LEVEL = 64



def _level(level, sizes, wavelets, stacklevel):
    top = min(max_level(s, w.dec_len) for s, w in zip(sizes, wavelets))
    if level is None:
        return top
    level = int_arg("level", level)
    if level < 0:
        raise DSPError(f"level={level} is too low: need level >= 0")
    if level > MAX_LEVEL:
        raise DSPError(f"level={level} is too high: need level <= {MAX_LEVEL} (dwtn_max_level={top})")
    if level > top:
        warnings.warn(
            f"Level value of {level} is too high: all coefficients will experience boundary "
            f"effects (the maximum for shape {tuple(sizes)} is {top})",
            UserWarning,
            stacklevel=stacklevel,
        )
    return level


def wavedecn(data, wavelet, mode="symmetric", level=None, axes=None):
    """Multilevel n-dimensional discrete wavelet transform.

    Parameters
    ----------
    data : np.ndarray
    wavelet : str, Wavelet, or a sequence (one per axis)
    mode : str or sequence of str
    level : int >= 0 or None
        None means :func:`dwtn_max_level`; above it warns, as PyWavelets does.
    axes : sequence of int or None

    Returns
    -------
    [cAn, {details_level_n}, ..., {details_level_1}] : list
        Coarsest first; each details dict has the ``2**len(axes) - 1`` keys other than
        ``'a' * len(axes)``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c = dsp.wavedecn(np.ones((16, 16)), 'db1', level=2)
    >>> c[0].shape, sorted(c[1])
    ((4, 4), ['ad', 'da', 'dd'])
    """
    return _wavedecn(data, wavelet, mode, level, axes, 4)


def _wavedecn(data, wavelet, mode, level, axes, stacklevel):
    x = as_data(data, "data")
    if x.ndim < 1:
        raise DSPError("data must be at least 1-D, got a 0-d array")
    axes = _axes_arg(axes, x.ndim, "wavedecn")
    wavelets, modes = _wavelets(wavelet, axes), _modes(mode, axes)
    level = _level(level, [x.shape[a] for a in axes], wavelets, stacklevel)
    out = []
    a = x
    top = "a" * len(axes)
    for _ in range(level):
        c = dwtn(a, wavelets, modes, axes)
        a = c.pop(top)
        out.append(c)
    out.append(a)
    return out[::-1]


def wavedec2(data, wavelet, mode="symmetric", level=None, axes=(-2, -1)):
    """Multilevel 2-D discrete wavelet transform.

    Parameters
    ----------
    data : np.ndarray [ndim >= 2]
    wavelet : str, Wavelet, or a pair
    mode : str or pair of str
    level : int >= 0 or None
    axes : pair of int

    Returns
    -------
    [cAn, (cHn, cVn, cDn), ..., (cH1, cV1, cD1)] : list

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c = dsp.wavedec2(np.ones((32, 32)), 'db1', level=3)
    >>> c[0].shape, c[1][0].shape, c[-1][0].shape
    ((4, 4), (4, 4), (16, 16))
    """
    x = as_data(data, "data")
    if x.ndim < 2:
        raise DSPError(f"data has {x.ndim} dimension(s): wavedec2 needs at least 2")
    axes = _axes_arg(axes, x.ndim, "wavedec2", count=2)
    c = _wavedecn(x, wavelet, mode, level, axes, 4)
    return [c[0]] + [(d["da"], d["ad"], d["dd"]) for d in c[1:]]


def waverecn(coeffs, wavelet, mode="symmetric", axes=None):
    """Multilevel n-dimensional inverse discrete wavelet transform.

    Parameters
    ----------
    coeffs : list
        ``[cAn, {details_n}, ..., {details_1}]`` as returned by :func:`wavedecn`. Where an
        approximation is one longer than the next details along an axis, its last entry is
        dropped, as in PyWavelets.
    wavelet : str, Wavelet, or a sequence
    mode : str or sequence of str
    axes : sequence of int or None

    Returns
    -------
    np.ndarray

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.random.default_rng(0).standard_normal((9, 10))
    >>> y = dsp.waverecn(dsp.wavedecn(x, 'db1', level=2), 'db1')
    >>> y.shape, np.allclose(y[:9, :10], x)
    ((10, 10), True)
    """
    if not isinstance(coeffs, (list, tuple)):
        raise DSPError(f"coeffs must be a list [cAn, {{details}}, ...], got {type(coeffs).__name__}")
    if len(coeffs) < 1:
        raise DSPError("coeffs is empty: need at least the approximation coefficients")
    a, ds = coeffs[0], list(coeffs[1:])
    if ds and not all(isinstance(d, dict) for d in ds):
        bad = next(d for d in ds if not isinstance(d, dict))
        raise DSPError(
            f"Unexpected detail coefficient type: {type(bad).__name__}; detail coefficients must "
            "be dicts of arrays as returned by wavedecn (array_to_coeffs/unravel_coeffs need "
            "output_format='wavedecn')"
        )
    ds = [_fix_coeffs(d, f"coeffs[{i + 1}]") for i, d in enumerate(ds)]
    if not ds:
        return a
    if a is None and not any(ds):
        raise DSPError("coeffs has no arrays: at least one coefficient array must be given")
    if a is not None:
        a = as_data(a, "coeffs[0]")
    ndims = ({a.ndim} if a is not None else set()) | {v.ndim for d in ds for v in d.values()}
    if len(ndims) != 1:
        raise DSPError(f"coeffs arrays have {sorted(ndims)} dimensions: all must have the same")
    ndim = ndims.pop()
    axes = _axes_arg(axes, ndim, "waverecn")
    top = "a" * len(axes)
    for i, d in enumerate(ds):
        if a is None and not d:
            continue
        if i > 0 and a is not None and d:
            ref = next(iter(d.values()))
            diff = np.subtract(a.shape, ref.shape)
            if np.any((diff < 0) | (diff > 1)):
                raise DSPError(
                    f"coefficient shape mismatch at level {len(ds) - i}: the approximation has "
                    f"shape {a.shape} but coeffs[{i + 1}] has bands of shape {ref.shape}; need "
                    "equal shapes (or the approximation one longer along an axis)"
                )
            a = a[tuple(slice(s) for s in ref.shape)]
        d = dict(d)
        d[top] = a
        a = idwtn(d, wavelet, mode, axes)
    return a


def waverec2(coeffs, wavelet, mode="symmetric", axes=(-2, -1)):
    """Multilevel 2-D inverse discrete wavelet transform.

    Parameters
    ----------
    coeffs : list
        ``[cAn, (cHn, cVn, cDn), ..., (cH1, cV1, cD1)]`` as returned by :func:`wavedec2`; a
        detail band may be None (zeros).
    wavelet : str, Wavelet, or a pair
    mode : str or pair of str
    axes : pair of int

    Returns
    -------
    np.ndarray

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.random.default_rng(0).standard_normal((32, 32))
    >>> np.allclose(dsp.waverec2(dsp.wavedec2(x, 'db3', level=2), 'db3'), x)
    True
    """
    if not isinstance(coeffs, (list, tuple)):
        raise DSPError(f"coeffs must be a list [cAn, (cHn, cVn, cDn), ...], got {type(coeffs).__name__}")
    if np.isscalar(axes):
        raise DSPTypeError(f"axes={axes!r} must be a sequence of 2 integers")
    axes = tuple(axes)
    if len(axes) != 2:
        raise DSPError(f"axes={axes!r}: waverec2 expects 2 axes")
    if len(set(axes)) != 2:
        raise DSPError(f"axes={axes!r}: the axes passed to waverec2 must be unique")
    if len(coeffs) < 1:
        raise DSPError("coeffs is empty: need at least the approximation coefficients")
    if len(coeffs) == 1:
        return coeffs[0]
    a = as_data(coeffs[0], "coeffs[0]")
    for i, d in enumerate(coeffs[1:], start=1):
        if not isinstance(d, (list, tuple)) or len(d) != 3:
            raise DSPError(
                f"Unexpected detail coefficient type: coeffs[{i}] is a {type(d).__name__}; detail "
                "coefficients must be 3-tuples of arrays as returned by wavedec2 "
                "(array_to_coeffs/unravel_coeffs need output_format='wavedec2')"
            )
        d = tuple(None if c is None else as_data(c, f"coeffs[{i}]") for c in d)
        shapes = {c.shape for c in d if c is not None}
        if len(shapes) > 1:
            raise DSPError(f"coeffs[{i}] has detail bands of shapes {sorted(shapes)}: they must be equal")
        if shapes:
            ds = shapes.pop()
            if len(ds) != a.ndim or any(x - y not in (0, 1) for x, y in zip(a.shape, ds)):
                raise DSPError(
                    f"coefficient shape mismatch: the approximation entering level {len(coeffs) - i} "
                    f"has shape {a.shape} but coeffs[{i}] has bands of shape {ds}; need equal shapes "
                    "(or the approximation one longer along an axis)"
                )
            a = a[tuple(slice(s) for s in ds)]
        a = idwt2((a, d), wavelet, mode, axes)
    return a
