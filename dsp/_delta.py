"""``delta`` (Savitzky-Golay derivatives, librosa 0.11 / scipy.signal.savgol_filter semantics)
and ``stack_memory``.

The filter's weights are the least-squares (minimum-norm) solution of the polynomial moment
equations, computed here; the rows are filtered by the ``correlate_rows`` kernel (float64 sums; a GPU twin for CuPy
data, which stays on the device: CuPy in, CuPy out). With ``mode='interp'`` the first and last ``width // 2`` outputs are the
derivatives of the polynomial fitted to the first and last ``width`` samples, evaluated there.
"""
from __future__ import annotations

import math

import numpy as np

from dsp_kernels.caches import table_cache

from ._backend import array_module, is_cupy_array
from ._dispatch import kernel_for
from ._errors import DSPError
from ._validation import as_float_array, check_axis, check_choice, check_float, check_int, flatten_leading

__all__ = ["delta", "stack_memory"]

_MODES = ("interp", "mirror", "constant", "nearest", "wrap")
_PAD = {"mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}


@table_cache(maxsize=64)
def _filters(width, polyorder, deriv, spacing):
    """``(c, left, right)``: the centre weights and those of the ``width // 2`` first and last
    outputs of 'interp' (rows), read-only; cached, as a feature pipeline asks for the same few."""
    m = width // 2
    c = _weights(width, polyorder, deriv, spacing, m)
    left = np.stack([_weights(width, polyorder, deriv, spacing, p) for p in range(m)])
    right = np.stack([_weights(width, polyorder, deriv, spacing, p) for p in range(width - m, width)])
    for a in (c, left, right):
        a.flags.writeable = False
    return c, left, right


def _weights(width, polyorder, deriv, spacing, pos):
    """Weights ``c`` with ``sum_k c[k] x[k]`` = the ``deriv``-th derivative at ``pos`` of the
    degree-``polyorder`` least-squares polynomial through ``x[0..width-1]``."""
    if deriv > polyorder:
        return np.zeros(width)
    x = np.arange(width, dtype=np.float64) - pos
    A = x[None, :] ** np.arange(polyorder + 1)[:, None]
    e = np.zeros(polyorder + 1)
    e[deriv] = math.factorial(deriv) / spacing ** deriv
    c, *_ = np.linalg.lstsq(A, e, rcond=None)
    return c


def delta(data, *, width=9, order=1, axis=-1, mode="interp", **kwargs):
    """Local derivative estimates (delta features), as ``librosa.feature.delta``.

    A Savitzky-Golay filter of ``width`` samples: per position, the ``order``-th derivative of the
    least-squares polynomial of degree ``polyorder`` (default ``order``) through the window.

    Parameters
    ----------
    data : np.ndarray [shape=(..., t)]
        Features (e.g. MFCCs), any number of leading axes.
    width : int, odd, >= 3
        Window length; with ``mode='interp'`` at most ``data.shape[axis]``.
    order : int > 0
        The derivative's order.
    axis : int
        The axis along which to differentiate (time by default).
    mode : {'interp', 'mirror', 'constant', 'nearest', 'wrap'}
        The edges: 'interp' fits a polynomial to the first/last ``width`` samples; the others
        extend the data as scipy.ndimage does ('constant' with ``cval``).
    **kwargs :
        savgol_filter's ``polyorder`` (default ``order``), ``delta`` (sample spacing, 1.0) and
        ``cval`` (0.0).

    Returns
    -------
    np.ndarray [shape=data.shape]
        float32 for float32 data, float64 otherwise.

    Raises
    ------
    DSPError
        ``width`` < 3 or even, or larger than the axis with 'interp'; ``order`` < 1; an unknown
        ``mode``; ``polyorder >= width``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.arange(10.0) ** 2
    >>> np.round(dsp.feature.delta(x, width=3), 6)
    array([ 2.,  2.,  4.,  6.,  8., 10., 12., 14., 16., 16.])
    """
    xp = array_module(data)
    x = xp.atleast_1d(data if is_cupy_array(data) else np.asarray(data))
    if x.dtype.kind in "iub":  # features, not PCM audio: computed in float64 as scipy does
        x = x.astype(np.float64)
    x = as_float_array(x, name="data")
    if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, np.integer)) or width < 3 or width % 2 != 1:
        raise DSPError(f"width={width!r} is not supported: need an odd integer >= 3")
    width = int(width)
    if isinstance(order, (bool, np.bool_)) or not isinstance(order, (int, np.integer)) or order <= 0:
        raise DSPError(f"order={order!r} is not supported: need a positive integer")
    order = int(order)
    check_choice("mode", mode, _MODES)
    ax = check_axis(axis, x.ndim)
    n = x.shape[ax]
    if mode == "interp" and width > n:
        raise DSPError(f"width={width} exceeds data.shape[{axis}]={n}: with mode='interp' need width <= {n}")
    unknown = sorted(set(kwargs) - {"polyorder", "delta", "cval", "deriv"})
    if unknown:
        raise DSPError(f"unexpected keyword argument(s) {', '.join(unknown)}: accepted are polyorder, delta, cval")
    polyorder = check_int("polyorder", kwargs.get("polyorder", order), minimum=0)
    if polyorder >= width:
        raise DSPError(f"polyorder={polyorder} is too large for width={width}: need polyorder < width")
    spacing = check_float("delta", kwargs.get("delta", 1.0), minimum=0.0, strict_minimum=True)
    cval = check_float("cval", kwargs.get("cval", 0.0))
    m = width // 2

    rows, lead = flatten_leading(x, ax)
    c, left, right = _filters(width, polyorder, order, spacing)
    pad_mode = "constant" if mode == "interp" else _PAD[mode]
    pad_kw = {"constant_values": cval if mode == "constant" else 0.0} if pad_mode == "constant" else {}
    padded = xp.ascontiguousarray(xp.pad(rows, [(0, 0), (m, m)], mode=pad_mode, **pad_kw))
    out = kernel_for("correlate_rows", padded)(padded, c, n, rows.dtype)
    if mode == "interp":
        # the 2 m edge outputs: a small (width x m) product, on the device for CuPy data
        left, right = xp.asarray(left), xp.asarray(right)
        out[:, :m] = rows[:, :width].astype(np.float64) @ left.T
        out[:, n - m:] = rows[:, n - width:].astype(np.float64) @ right.T
    out = out.reshape(lead + (n,))
    return xp.moveaxis(out, -1, ax)


def stack_memory(data, *, n_steps=2, delay=1, **kwargs):
    """Stack delayed copies of the data along the feature axis, as ``librosa.feature.stack_memory``.

    Block ``i`` (of ``n_steps``) holds ``data`` delayed by ``i * delay`` frames (``delay < 0``:
    advanced), padded by ``numpy.pad(**kwargs)`` (zeros by default).

    Parameters
    ----------
    data : np.ndarray [shape=(..., d, t)]
        1-D data is treated as ``(1, t)``.
    n_steps : int > 0
    delay : int != 0
    **kwargs :
        ``numpy.pad``'s ``mode`` (default 'constant') and its options.

    Returns
    -------
    np.ndarray [shape=(..., d * n_steps, t)], data's dtype

    Raises
    ------
    DSPError
        ``n_steps < 1``, ``delay == 0``, data without frames.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.feature.stack_memory(np.arange(4), n_steps=2)
    array([[0, 1, 2, 3],
           [0, 0, 1, 2]])
    """
    n_steps = check_int("n_steps", n_steps, minimum=1)
    delay = check_int("delay", delay)
    if delay == 0:
        raise DSPError("delay=0 is not supported: need a non-zero integer")
    data = np.atleast_2d(np.asarray(data))
    t = data.shape[-1]
    if t < 1:
        raise DSPError(f"data has no frames (shape {data.shape}): need at least one column")
    kwargs.setdefault("mode", "constant")
    if kwargs["mode"] == "constant":
        kwargs.setdefault("constant_values", [0])
    pad = [(0, 0)] * data.ndim
    pad[-1] = ((n_steps - 1) * delay, 0) if delay > 0 else (0, (n_steps - 1) * -delay)
    try:
        padded = np.pad(data, pad, **kwargs)
    except (TypeError, ValueError) as exc:
        raise DSPError(f"padding arguments {kwargs!r} are not accepted by numpy.pad: {exc}") from exc
    d = data.shape[-2]
    out = np.empty(data.shape[:-2] + (d * n_steps, t), dtype=padded.dtype)
    for step in range(n_steps):
        q = n_steps - 1 - step
        if delay > 0:
            out[..., step * d:(step + 1) * d, :] = padded[..., q * delay:q * delay + t]
        elif step == n_steps - 1:
            out[..., step * d:, :] = padded[..., -t:]
        else:
            out[..., step * d:(step + 1) * d, :] = padded[..., -t + q * delay:q * delay]
    return out
