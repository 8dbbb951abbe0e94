"""Coefficient thresholding for wavelet denoising, PyWavelets-compatible: ``threshold`` (soft,
hard, garrote, greater, less) and ``threshold_firm``. Element-wise on NumPy or CuPy arrays, real or
complex (soft, hard and garrote shrink the magnitude and keep the phase). Re-exported by
:mod:`dsp.wavelets`.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._backend import array_module, is_cupy_array
from ._errors import DSPError

__all__ = ["threshold", "threshold_firm"]

_MODES = ("garrote", "garotte", "greater", "hard", "less", "soft")


def _array(data):
    if is_cupy_array(data):
        return data
    try:
        return np.asarray(data)
    except Exception as exc:
        raise DSPError(f"data could not be converted to an array: {exc}") from exc


def _shrink(x, value, power, substitute):
    """``x * max(0, 1 - value**p / |x|**p)``, ``substitute`` where ``|x| < value``."""
    xp = array_module(x)
    mag = xp.absolute(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = 1 - (value / mag) ** power if power != 1 else 1 - value / mag
        out = x * xp.clip(gain, 0, None)
    if substitute == 0:
        return out
    return xp.where(mag < value, substitute, out)


def threshold(data, value, mode="soft", substitute=0):
    """Threshold ``data`` by ``value``.

    * soft: ``sign(x) * max(|x| - value, 0)`` (complex: the magnitude shrinks)
    * hard: ``x`` where ``|x| >= value``, else ``substitute``
    * garrote: ``x * max(1 - value**2 / |x|**2, 0)`` (non-negative garrote)
    * greater: ``x`` where ``x >= value``, else ``substitute`` (real data only)
    * less: ``x`` where ``x <= value``, else ``substitute`` (real data only)

    Parameters
    ----------
    data : np.ndarray
    value : float or np.ndarray (broadcast against data)
    mode : {'soft', 'hard', 'garrote', 'greater', 'less'}
        ('garotte' is accepted as in PyWavelets.)
    substitute : float
        The value that replaces thresholded entries (soft and garrote: those with
        ``|x| < value``).

    Returns
    -------
    np.ndarray [shape=data.shape]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.array([-3.0, -1.0, 0.5, 2.0, 4.0])
    >>> dsp.threshold(x, 1.5, 'soft'), dsp.threshold(x, 1.5, 'hard')
    (array([-1.5, -0. ,  0. ,  0.5,  2.5]), array([-3.,  0.,  0.,  2.,  4.]))
    """
    if not isinstance(mode, str) or mode not in _MODES:
        raise DSPError(f"mode={mode!r} is not a thresholding mode: use one of {', '.join(map(repr, _MODES))}")
    x = _array(data)
    xp = array_module(x)
    if mode == "soft":
        return _shrink(x, value, 1, substitute)
    if mode in ("garrote", "garotte"):
        return _shrink(x, value, 2, substitute)
    if mode == "hard":
        return xp.where(xp.absolute(x) < value, substitute, x)
    if x.dtype.kind == "c":
        raise DSPError(f"mode={mode!r} thresholding only supports real data, got {x.dtype}")
    if mode == "greater":
        return xp.where(x < value, substitute, x)
    return xp.where(x > value, substitute, x)


def threshold_firm(data, value_low, value_high):
    """Firm thresholding: zero below ``value_low``, identity above ``value_high``, linear
    between (Gao and Bruce 1997), a compromise between soft and hard.

    Parameters
    ----------
    data : np.ndarray
    value_low : float >= 0
    value_high : float >= value_low

    Returns
    -------
    np.ndarray [shape=data.shape]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.threshold_firm(np.array([-3.0, 0.5, 1.5, 4.0]), 1.0, 2.0)
    array([-3.,  0.,  1.,  4.])
    """
    for name, v in (("value_low", value_low), ("value_high", value_high)):
        if not isinstance(v, (numbers.Real, np.ndarray)) or isinstance(v, bool):
            raise DSPError(f"{name}={v!r} must be a real number")
    if np.any(np.asarray(value_low) < 0):
        raise DSPError(f"value_low={value_low!r} must be non-negative")
    if np.any(np.asarray(value_high) < np.asarray(value_low)):
        raise DSPError(f"value_high={value_high!r} must be >= value_low={value_low!r}")
    x = _array(data)
    xp = array_module(x)
    mag = xp.absolute(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = value_high * (1 - value_low / mag) / (value_high - value_low)
        out = x * xp.clip(gain, 0, None)
    return xp.where(mag > value_high, x, out)
