"""The stationary (undecimated) wavelet transform, PyWavelets-compatible: ``swt``, ``iswt``,
``swt_max_level``. Each level is one call of the DWT kernel on the signal's residue classes (see
``kernels/cpu/dwt.py``); re-exported by :mod:`dsp.wavelets`.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._errors import DSPError
from ._dispatch import kernel_for
from ._wavelet_common import as_data, axis_arg, int_arg, rows, unrows
from ._wavelet_filters import as_wavelet

__all__ = ["swt", "iswt", "swt_max_level"]


def swt_max_level(input_len) -> int:
    """The most stationary-transform levels a length allows: how often 2 divides it.

    Warns (``UserWarning``) and returns 0 for an odd length, as PyWavelets does.

    Parameters
    ----------
    input_len : int >= 1

    Returns
    -------
    int

    Examples
    --------
    >>> import dsp
    >>> dsp.swt_max_level(96)
    5
    """
    n = int_arg("input_len", input_len, minimum=1)
    level = (n & -n).bit_length() - 1
    if level == 0:
        warnings.warn(
            "No levels of stationary wavelet decomposition are possible. The signal to be "
            "transformed must have a size that is a multiple of 2**n for an n-level decomposition.",
            UserWarning,
            stacklevel=2,
        )
    return level


def _swt_filters(w, norm, which):
    bank = w._bank[0:2] if which == "dec" else w._bank[2:4]
    if not norm:
        return bank
    scale = 1 / np.sqrt(2) if which == "dec" else np.sqrt(2)
    return tuple(f * scale for f in bank)


def swt(data, wavelet, level=None, start_level=0, axis=-1, trim_approx=False, norm=False):
    """Multilevel stationary (undecimated) wavelet transform, like ``pywt.swt``.

    Parameters
    ----------
    data : np.ndarray [shape=(..., n, ...)]
        ``n`` must be a multiple of ``2**(start_level + level)``.
    wavelet : str or Wavelet
    level : int >= 1 or None
        None means :func:`swt_max_level`.
    start_level : int >= 0
        Levels skipped at the fine end.
    axis : int
    trim_approx : bool
        Return ``[cA_n, cD_n, ..., cD_1]`` instead of ``[(cA_n, cD_n), ..., (cA_1, cD_1)]``.
    norm : bool
        Scale the filters by ``1/sqrt(2)`` so that the transform preserves energy (for
        orthogonal wavelets; others warn).

    Returns
    -------
    list
        Every array has the shape of ``data``; coarsest level first.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.sin(np.arange(16.0))
    >>> [(a.shape, d.shape) for a, d in dsp.swt(x, 'db2', level=2)]
    [((16,), (16,)), ((16,), (16,))]
    """
    x = as_data(data, "data")
    w = as_wavelet(wavelet)
    axis = axis_arg(axis, x.ndim)
    n = x.shape[axis]
    if n == 0:
        raise DSPError(f"data has length 0 along axis={axis}: need at least one sample")
    if n % 2:
        raise DSPError(
            f"data has odd length {n} along axis={axis}: the stationary transform needs a length "
            "that is a multiple of 2**level"
        )
    top = (n & -n).bit_length() - 1
    start_level = int_arg("start_level", start_level, minimum=0)
    if start_level >= top:
        raise DSPError(
            f"start_level={start_level} is too large for length {n}: need start_level < {top}"
        )
    level = top if level is None else int_arg("level", level)
    if level < 1:
        raise DSPError(f"level={level} is too small: need level >= 1")
    if level > top - start_level:
        raise DSPError(
            f"level={level} is too high: length {n} is a multiple of 2**{top}, which allows at "
            f"most {top - start_level} level(s) from start_level={start_level}"
        )
    if norm and not w.orthogonal:
        warnings.warn(
            "norm=True, but the wavelet is not orthogonal: the conditions for energy "
            "preservation are not satisfied.",
            UserWarning,
            stacklevel=2,
        )
    dec_lo, dec_hi = _swt_filters(w, norm, "dec")
    x2, lead = rows(x, axis)
    pairs = kernel_for("swt", x)(x2, dec_lo, dec_hi, level, start_level)
    c = x.dtype.kind == "c"
    pairs = [(unrows(a, lead, axis, c), unrows(d, lead, axis, c)) for a, d in pairs[::-1]]
    if trim_approx:
        return [pairs[0][0]] + [d for _, d in pairs]
    return pairs


def iswt(coeffs, wavelet, norm=False, axis=-1):
    """Inverse stationary wavelet transform, like ``pywt.iswt``.

    Parameters
    ----------
    coeffs : list
        ``[(cA_n, cD_n), ..., (cA_1, cD_1)]`` or ``[cA_n, cD_n, ..., cD_1]`` as from :func:`swt`
        (only the coarsest approximation is used).
    wavelet : str or Wavelet
    norm : bool
        As given to :func:`swt`.
    axis : int

    Returns
    -------
    np.ndarray [shape=(..., n, ...)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.sin(np.arange(16.0))
    >>> np.allclose(dsp.iswt(dsp.swt(x, 'sym3', level=3), 'sym3'), x)
    True
    """
    if not isinstance(coeffs, (list, tuple)) or len(coeffs) == 0:
        raise DSPError("coeffs must be a non-empty list of coefficients, as returned by swt")
    if isinstance(coeffs[0], (tuple, list)):
        for i, pair in enumerate(coeffs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise DSPError(f"coeffs[{i}] must be a pair (cA, cD), as returned by swt")
        ca, details = coeffs[0][0], [d for _, d in coeffs]
    else:
        ca, details = coeffs[0], list(coeffs[1:])
    w = as_wavelet(wavelet)
    arrays = [as_data(ca, "cA")] + [as_data(d, f"cD[{i}]") for i, d in enumerate(details)]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise DSPError(
            f"the coefficient arrays have shapes {sorted(shapes)}: all must have the same shape"
        )
    kinds = {a.dtype for a in arrays}
    dtype = kinds.pop() if len(kinds) == 1 else (
        np.complex128 if any(k.kind == "c" for k in kinds) else np.float64
    )
    axis = axis_arg(axis, arrays[0].ndim)
    n = arrays[0].shape[axis]
    levels = len(details)
    if n == 0 or n % (1 << levels):
        raise DSPError(
            f"the coefficients have length {n} along axis={axis}: {levels} level(s) need a "
            f"positive multiple of {1 << levels}"
        )
    if levels == 0:
        return arrays[0]
    flat = [rows(a.astype(dtype, copy=False), axis) for a in arrays]
    lead = flat[0][1]
    rec_lo, rec_hi = _swt_filters(w, norm, "rec")
    y = kernel_for("iswt", *arrays)(flat[0][0], [r for r, _ in flat[1:]], rec_lo, rec_hi)
    return unrows(y, lead, axis, np.dtype(dtype).kind == "c")
