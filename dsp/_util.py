"""librosa.util's array helpers used by the features: ``normalize``, ``localmax``, ``localmin``,
``peak_pick`` (librosa 0.11 semantics)."""
from __future__ import annotations

import numbers

import numpy as np

from ._backend import array_module, is_cupy_array
from ._dispatch import kernel
from ._errors import DSPError
from ._validation import check_axis, check_float, kernel_ready, to_numpy

__all__ = ["normalize", "localmax", "localmin", "peak_pick"]


def _tiny(x):
    dt = x.dtype if x.dtype.kind in "fc" else np.dtype(np.float32)
    return np.finfo(dt).tiny


def normalize(S, *, norm=np.inf, axis=0, threshold=None, fill=None):
    """Scale an array so that its slices along ``axis`` have unit norm, as ``librosa.util.normalize``.

    Parameters
    ----------
    S : np.ndarray
        Finite values (real or complex).
    norm : {np.inf, -np.inf, 0, float > 0, None}
        inf: maximum absolute value; -inf: minimum; 0: the number of non-zeros; p > 0: the
        p-norm; None: no normalisation (S is returned).
    axis : int or None
        The axis along which to normalise (None: the whole array).
    threshold : float > 0 or None
        Slices whose norm is below it are treated by ``fill``; default the smallest normal
        number of S's dtype.
    fill : None, False or True
        None: such slices are left as they are; False: set to 0; True: filled with the value
        that gives a unit norm (``norm=0`` refuses it).

    Returns
    -------
    np.ndarray [shape=S.shape], S's dtype

    Raises
    ------
    DSPError
        Non-finite S, ``threshold <= 0``, a bad ``fill`` or ``norm``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.util.normalize(np.array([[1.0, 2.0], [3.0, 4.0]]), norm=1, axis=0)
    array([[0.25      , 0.33333333],
           [0.75      , 0.66666667]])
    """
    S = S if is_cupy_array(S) else to_numpy(S, "S")
    xp = array_module(S)  # CuPy in, CuPy out: plain array arithmetic
    if threshold is None:
        threshold = _tiny(S)
    else:
        threshold = check_float("threshold", threshold)
        if threshold <= 0:
            raise DSPError(f"threshold={threshold} must be > 0")
    if fill not in (None, False, True):
        raise DSPError(f"fill={fill!r} is not supported: use None, False or True")
    if S.dtype.kind not in "biufc":
        raise DSPError(f"S has dtype {S.dtype}: need a numeric array")
    if not xp.all(xp.isfinite(S)):
        raise DSPError("S contains NaN or infinity: need finite values")
    if axis is not None:
        axis = check_axis(axis, S.ndim)
    mag = xp.abs(S).astype(float)
    fill_norm = 1
    if norm is None:
        return S
    if isinstance(norm, (bool, np.bool_)) or not isinstance(norm, numbers.Real):
        raise DSPError(f"norm={norm!r} is not supported: use np.inf, -np.inf, 0, a positive number or None")
    if norm == np.inf:
        length = xp.max(mag, axis=axis, keepdims=True)
    elif norm == -np.inf:
        length = xp.min(mag, axis=axis, keepdims=True)
    elif norm == 0:
        if fill is True:
            raise DSPError("norm=0 with fill=True is not supported: no value fills a slice to a count of 1")
        length = xp.sum(mag > 0, axis=axis, keepdims=True, dtype=mag.dtype)
    elif norm > 0:
        length = xp.sum(mag ** norm, axis=axis, keepdims=True) ** (1.0 / norm)
        size = mag.size if axis is None else mag.shape[axis]
        fill_norm = size ** (-1.0 / norm)
    else:
        raise DSPError(f"norm={norm!r} is not supported: use np.inf, -np.inf, 0, a positive number or None")
    small = length < threshold
    out = xp.empty_like(S)
    if fill is None:
        length[small] = 1.0
        out[:] = S / length
    elif fill:
        length[small] = np.nan
        out[:] = S / length
        out[xp.isnan(out)] = fill_norm
    else:
        length[small] = np.inf
        out[:] = S / length
    return out


def _extrema(x, axis, sign):
    x = x if is_cupy_array(x) else to_numpy(x, "x")
    xp = array_module(x)  # CuPy in, CuPy out: the same comparisons on the device
    if x.ndim == 0:
        raise DSPError("x is a scalar: need an array")
    ax = check_axis(axis, x.ndim)
    xi = xp.moveaxis(x, ax, -1)
    if sign < 0:
        xi = -xi if xi.dtype.kind != "u" else xi.max() - xi
    out = xp.zeros(xi.shape, bool)
    if xi.shape[-1] >= 2:
        out[..., 1:-1] = (xi[..., 1:-1] > xi[..., :-2]) & (xi[..., 1:-1] >= xi[..., 2:])
        out[..., -1] = xi[..., -1] > xi[..., -2]
    return xp.moveaxis(out, -1, ax)


def localmax(x, *, axis=0):
    """Local maxima along an axis, as ``librosa.util.localmax``.

    ``x[i]`` is a local maximum when ``x[i] > x[i-1]`` and ``x[i] >= x[i+1]``; the first element
    never is, the last is when it exceeds its neighbour.

    Parameters
    ----------
    x : np.ndarray
    axis : int

    Returns
    -------
    np.ndarray [shape=x.shape], bool

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.util.localmax(np.array([1, 0, 1, 2, -1, 0, -2, 1]))
    array([False, False, False,  True, False,  True, False,  True])
    """
    return _extrema(x, axis, 1)


def localmin(x, *, axis=0):
    """Local minima along an axis, as ``librosa.util.localmin`` (``localmax`` of ``-x``).

    Parameters
    ----------
    x : np.ndarray
    axis : int

    Returns
    -------
    np.ndarray [shape=x.shape], bool

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.util.localmin(np.array([1, 0, 1, 2, -1, 0, -2, 1]))
    array([False,  True, False, False,  True, False,  True, False])
    """
    return _extrema(x, axis, -1)


def _ceil_int(name, value, minimum):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise DSPError(f"{name}={value!r} must be a finite number")
    v = int(np.ceil(value))
    if v < minimum:
        raise DSPError(f"{name}={value!r} is too small: need {name} >= {minimum}")
    return v


def peak_pick(x, *, pre_max, post_max, pre_avg, post_avg, delta, wait, sparse=True, axis=-1):
    """Pick peaks by librosa's greedy heuristic, as ``librosa.util.peak_pick``.

    ``n`` is a peak when ``x[n] == max(x[n - pre_max : n + post_max])``,
    ``x[n] >= mean(x[n - pre_avg : n + post_avg]) + delta``, and more than ``wait`` samples
    follow the previous peak (scanning forward).

    Parameters
    ----------
    x : np.ndarray
        1-D with ``sparse=True``; any shape with ``sparse=False``.
    pre_max : int >= 0
    post_max : int >= 1
    pre_avg : int >= 0
    post_avg : int >= 1
    delta : float >= 0
        (Rounded to float32, as librosa's kernel does.)
    wait : int >= 0
        Non-integer sizes are rounded up.
    sparse : bool
        True: the peak indices; False: a boolean array of x's shape.
    axis : int

    Returns
    -------
    np.ndarray [shape=(n_peaks,)] int, or [shape=x.shape] bool

    Raises
    ------
    DSPError
        A size out of range, ``delta < 0``, ``sparse=True`` with x not 1-D.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.array([0, 1, 0, 0, 3, 0, 0, 1, 0, 0], dtype=float)
    >>> dsp.util.peak_pick(x, pre_max=1, post_max=1, pre_avg=1, post_avg=1, delta=0.1, wait=0)
    array([1, 4, 7])
    """
    pre_max = _ceil_int("pre_max", pre_max, 0)
    post_max = _ceil_int("post_max", post_max, 1)
    pre_avg = _ceil_int("pre_avg", pre_avg, 0)
    post_avg = _ceil_int("post_avg", post_avg, 1)
    wait = _ceil_int("wait", wait, 0)
    delta = check_float("delta", delta, minimum=0.0)
    x = to_numpy(x, "x")
    if x.dtype.kind in "iub":
        x = x.astype(np.float64)
    elif x.dtype not in (np.float32, np.float64):
        raise DSPError(f"x has dtype {x.dtype}: need a real array")
    if sparse and x.ndim != 1:
        raise DSPError(f"sparse=True needs a 1-D x, got {x.ndim} dimensions: pass sparse=False "
                       "or one row at a time")
    ax = check_axis(axis, x.ndim)
    xi = np.moveaxis(x, ax, -1)
    lead, n = xi.shape[:-1], xi.shape[-1]
    if n == 0:
        peaks = np.zeros(x.shape, bool)
    else:
        rows = kernel_ready(np.ascontiguousarray(xi.reshape(-1, n)))  # read-only input: one copy
        peaks = kernel("peak_pick")(rows, pre_max, post_max, pre_avg, post_avg, delta, wait)
        peaks = np.moveaxis(peaks.reshape(lead + (n,)), -1, ax)
    return np.flatnonzero(peaks) if sparse else peaks
