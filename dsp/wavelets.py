"""The discrete wavelet transform, PyWavelets-compatible.

``dwt``/``idwt`` (one level), ``wavedec``/``waverec`` (several levels, ``[cA_n, cD_n, ..., cD1]``),
``dwt_max_level``, ``dwt_coeff_len``, :class:`Wavelet` and :func:`wavelist`, with PyWavelets'
signatures, output lengths and the nine extension modes. The mode table and every length formula
are in :mod:`dsp._wavelet_modes`; the filters in :mod:`dsp._wavelet_filters`.

Any axis and any number of leading (batch) dimensions; float32 stays float32, complex input is
transformed as its real and imaginary parts, integer input is computed in float64 (PyWavelets'
dtype policy, :mod:`dsp._wavelet_common`). The stationary transform is in :mod:`dsp._wavelet_swt`.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._backend import array_module
from ._errors import DSPError
from ._dispatch import kernel_for
from ._wavelet_common import as_data, axis_arg, check_length, int_arg, is_array, rows, unrows
from ._wavelet_filters import Wavelet, as_wavelet, families, filter_length, wavelist
from ._wavelet_modes import dwt_len, idwt_len, max_level, mode_id, mode_name
from ._wavelet_swt import iswt, swt, swt_max_level
from ._wavelet_nd import __all__ as _ND_ALL
from ._wavelet_nd import *  # noqa: F401,F403
from ._wavelet_ndlevels import __all__ as _NDLEVELS_ALL
from ._wavelet_ndlevels import *  # noqa: F401,F403
from ._wavelet_helpers import __all__ as _HELPERS_ALL
from ._wavelet_helpers import *  # noqa: F401,F403
from ._threshold import threshold, threshold_firm
from ._swtn import iswt2, iswtn, swt2, swtn
from ._packets import WaveletPacket, WaveletPacket2D, WaveletPacketND
from ._cwt import ContinuousWavelet, central_frequency, cwt, integrate_wavelet, scale2frequency
from ._fswavedecn import FswavedecnResult, fswavedecn, fswaverecn

__all__ = [
    "Wavelet",
    "wavelist",
    "families",
    "dwt",
    "idwt",
    "wavedec",
    "waverec",
    "dwt_max_level",
    "dwt_coeff_len",
    "swt",
    "iswt",
    "swt_max_level",
    *_ND_ALL,
    *_NDLEVELS_ALL,
    *_HELPERS_ALL,
    "threshold",
    "threshold_firm",
    "swt2",
    "iswt2",
    "swtn",
    "iswtn",
    "WaveletPacket",
    "WaveletPacket2D",
    "WaveletPacketND",
    "ContinuousWavelet",
    "cwt",
    "integrate_wavelet",
    "central_frequency",
    "scale2frequency",
    "fswavedecn",
    "fswaverecn",
    "FswavedecnResult",
]


def dwt_max_level(data_len, filter_len) -> int:
    """The deepest useful decomposition level: ``floor(log2(data_len / (filter_len - 1)))``.

    The last level at which at least one coefficient is free of boundary effects (0 when the
    signal is shorter than ``filter_len - 1``).

    Parameters
    ----------
    data_len : int >= 0
    filter_len : int >= 2, str or Wavelet
        The filter length, or a wavelet (its ``dec_len``).

    Returns
    -------
    int

    Examples
    --------
    >>> import dsp
    >>> dsp.dwt_max_level(1000, 'db4'), dsp.dwt_max_level(1000, 8)
    (7, 7)
    """
    data_len = int_arg("data_len", data_len, minimum=0)
    flen = filter_length(filter_len)
    if flen < 2:
        raise DSPError(f"filter_len={flen} is an invalid wavelet filter length: need filter_len >= 2")
    return max_level(data_len, flen)


def dwt_coeff_len(data_len, filter_len, mode="symmetric") -> int:
    """Number of approximation (and of detail) coefficients of one DWT level.

    ``floor((data_len + filter_len - 1) / 2)``, or ``ceil(data_len / 2)`` for periodization.

    Parameters
    ----------
    data_len : int >= 1
    filter_len : int >= 1 or Wavelet
    mode : str

    Returns
    -------
    int

    Examples
    --------
    >>> import dsp
    >>> dsp.dwt_coeff_len(100, 8, 'symmetric'), dsp.dwt_coeff_len(100, 8, 'periodization')
    (53, 50)
    """
    data_len = int_arg("data_len", data_len, minimum=1)
    flen = filter_length(filter_len)
    if flen < 1:
        raise DSPError(f"filter_len={flen} is too small: need filter_len >= 1")
    return dwt_len(data_len, flen, mode_id(mode))


# ---------------------------------------------------------------------------------------------
# one level


def dwt(data, wavelet, mode="symmetric", axis=-1):
    """Single-level discrete wavelet transform.

    Parameters
    ----------
    data : np.ndarray [shape=(..., n, ...)]
        Real or complex, float32 or float64; transformed along ``axis``.
    wavelet : str or Wavelet
    mode : str
        Signal extension mode: 'zero', 'constant', 'symmetric', 'periodic', 'smooth',
        'periodization', 'reflect', 'antisymmetric' or 'antireflect'.
    axis : int

    Returns
    -------
    (cA, cD) : np.ndarray [shape=(..., L, ...)] each
        ``L = floor((n + dec_len - 1) / 2)``, or ``ceil(n / 2)`` for periodization.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> cA, cD = dsp.dwt(np.array([1.0, 2, 3, 4, 5, 6]), 'db1')
    >>> np.round(cA, 4), np.round(cD, 4)
    (array([2.1213, 4.9497, 7.7782]), array([-0.7071, -0.7071, -0.7071]))
    """
    x = as_data(data, "data")
    w = as_wavelet(wavelet)
    mode = mode_id(mode)
    axis = axis_arg(axis, x.ndim)
    check_length(x.shape[axis], mode, "data", axis)
    x2, lead = rows(x, axis)
    dec_lo, dec_hi = w._bank[0], w._bank[1]
    ca, cd = kernel_for("dwt", x)(x2, dec_lo, dec_hi, mode)
    c = x.dtype.kind == "c"
    return unrows(ca, lead, axis, c), unrows(cd, lead, axis, c)


def _coefficient_pair(cA, cD):
    """Validate ``cA``/``cD`` (one may be None) and bring them to one dtype and shape."""
    if cA is None and cD is None:
        raise DSPError("cA and cD are both None: at least one coefficient array must be given")
    cA = None if cA is None else as_data(cA, "cA")
    cD = None if cD is None else as_data(cD, "cD")
    if cA is None:
        cA = array_module(cD).zeros_like(cD)
    elif cD is None:
        cD = array_module(cA).zeros_like(cA)
    if cA.dtype != cD.dtype:  # PyWavelets' rule: mixed precisions meet in double
        complex_ = cA.dtype.kind == "c" or cD.dtype.kind == "c"
        common = np.complex128 if complex_ else np.float64
        cA, cD = cA.astype(common), cD.astype(common)
    if cA.shape != cD.shape:
        raise DSPError(
            f"cA.shape={cA.shape} and cD.shape={cD.shape} differ: the coefficient arrays must "
            "have the same shape"
        )
    return cA, cD


def _check_idwt_len(n, w, mode, axis):
    if n < 1:
        raise DSPError(f"cA and cD have length 0 along axis={axis}: need at least one coefficient")
    if idwt_len(n, w.dec_len, mode) <= 0:
        raise DSPError(
            f"cA and cD have {n} coefficients along axis={axis}, too few for wavelet "
            f"{w.name!r} (filter length {w.rec_len}) in mode={mode_name(mode)!r}: need at least "
            f"{w.rec_len // 2}; the wavelet and mode must be those of the decomposition"
        )


def idwt(cA, cD, wavelet, mode="symmetric", axis=-1):
    """Single-level inverse discrete wavelet transform.

    Parameters
    ----------
    cA, cD : np.ndarray [shape=(..., n, ...)] or None
        Approximation and detail coefficients of one shape; either may be None (zeros).
    wavelet : str or Wavelet
    mode : str
        The decomposition's mode (only periodization changes the inverse).
    axis : int

    Returns
    -------
    np.ndarray [shape=(..., 2n - rec_len + 2, ...)]
        ``2n`` samples for periodization. float32 when both inputs are float32, else float64.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.array([1.0, 2, 3, 4, 5, 6])
    >>> np.allclose(dsp.idwt(*dsp.dwt(x, 'db2'), 'db2'), x)
    True
    """
    cA, cD = _coefficient_pair(cA, cD)
    w = as_wavelet(wavelet)
    mode = mode_id(mode)
    axis = axis_arg(axis, cA.ndim)
    _check_idwt_len(cA.shape[axis], w, mode, axis)
    a2, lead = rows(cA, axis)
    d2, _ = rows(cD, axis)
    y = kernel_for("idwt", cA, cD)(a2, d2, w._bank[2], w._bank[3], mode)
    return unrows(y, lead, axis, cA.dtype.kind == "c")


# ---------------------------------------------------------------------------------------------
# several levels


#: the highest ``level`` :func:`wavedec` accepts: no signal that fits in memory has more than 63
#: levels (:func:`dwt_max_level`); above that maximum PyWavelets warns and keeps computing
#: boundary-only levels, which we do too, up to this ceiling (``level=10**7`` is a DSPError, not a
#: hang)
MAX_LEVEL = 64


def wavedec(data, wavelet, mode="symmetric", level=None, axis=-1):
    """Multilevel discrete wavelet transform.

    Parameters
    ----------
    data : np.ndarray [shape=(..., n, ...)]
    wavelet : str or Wavelet
    mode : str
        Signal extension mode (see :func:`dwt`).
    level : int >= 0 or None
        Number of levels; None means :func:`dwt_max_level`. A level above that is allowed, with a
        warning (every coefficient then feels the boundary), as in PyWavelets.
    axis : int

    Returns
    -------
    [cA_n, cD_n, cD_n-1, ..., cD1] : list of np.ndarray
        Each of shape ``(..., L_j, ...)`` with ``L_j`` from :func:`dwt_coeff_len` applied ``j``
        times.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> cA2, cD2, cD1 = dsp.wavedec(np.arange(1.0, 9.0), 'db1', level=2)
    >>> cA2, cD2
    (array([ 5., 13.]), array([-2., -2.]))
    """
    x = as_data(data, "data")
    w = as_wavelet(wavelet)
    mode = mode_id(mode)
    axis = axis_arg(axis, x.ndim)
    n = x.shape[axis]
    if n == 0:
        raise DSPError(f"data has length 0 along axis={axis}: need at least one sample")
    top = max_level(n, w.dec_len)
    if level is None:
        level = top
    else:
        level = int_arg("level", level)
        if level < 0:
            raise DSPError(f"level={level} is too low: need level >= 0")
        if level > MAX_LEVEL:
            raise DSPError(
                f"level={level} is too high: need level <= {MAX_LEVEL} (dwt_max_level={top} for "
                f"{n} samples and wavelet {w.name!r}; beyond it every level only repeats the "
                "boundary extension)"
            )
        if level > top:
            warnings.warn(
                f"Level value of {level} is too high: all coefficients will experience boundary "
                f"effects (dwt_max_level={top} for {n} samples and wavelet {w.name!r})",
                UserWarning,
                stacklevel=2,
            )
    if level == 0:
        return [x]
    length = n
    for _ in range(level):  # every level's input must be long enough for the mode
        check_length(length, mode, "data" if length == n else "the approximation", axis)
        length = dwt_len(length, w.dec_len, mode)
    x2, lead = rows(x, axis)
    coeffs = kernel_for("wavedec", x)(x2, w._bank[0], w._bank[1], mode, level)
    c = x.dtype.kind == "c"
    return [unrows(cf, lead, axis, c) for cf in coeffs]


def waverec(coeffs, wavelet, mode="symmetric", axis=-1):
    """Multilevel inverse discrete wavelet transform.

    Parameters
    ----------
    coeffs : list of np.ndarray
        ``[cA_n, cD_n, ..., cD1]`` as returned by :func:`wavedec`. A detail may be None (zeros).
        When an approximation is one longer than the next detail (odd lengths in the forward
        transform), its last coefficient is dropped, as in PyWavelets.
    wavelet : str or Wavelet
    mode : str
    axis : int

    Returns
    -------
    np.ndarray [shape=(..., n, ...)]
        ``n`` is the original length, or one more when it was odd.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.sin(np.arange(64.0))
    >>> np.allclose(dsp.waverec(dsp.wavedec(x, 'sym3', level=2), 'sym3'), x)
    True
    """
    if not isinstance(coeffs, (list, tuple)):
        raise DSPError(
            f"coeffs must be a list of coefficient arrays [cA_n, cD_n, ..., cD1], got {type(coeffs).__name__}"
        )
    if len(coeffs) < 1:
        raise DSPError("coeffs is empty: need at least the approximation coefficients")
    if len(coeffs) == 1:
        return coeffs[0]  # a level-0 decomposition is the signal itself
    for i, d in enumerate(coeffs[1:], start=1):
        if d is not None and not is_array(d):
            raise DSPError(
                f"Unexpected detail coefficient type: coeffs[{i}] is a {type(d).__name__}, but "
                "detail coefficients must be arrays (or None), as returned by wavedec (a dict "
                "from pywt.array_to_coeffs needs output_format='wavedec')"
            )
    w = as_wavelet(wavelet)
    mode = mode_id(mode)
    present = [c for c in coeffs if c is not None]
    if not present:
        raise DSPError("every entry of coeffs is None: at least one coefficient array must be given")
    arrays = [None if c is None else as_data(c, f"coeffs[{i}]") for i, c in enumerate(coeffs)]
    ref = next(a for a in arrays if a is not None)
    ndim = ref.ndim
    for i, a in enumerate(arrays):
        if a is not None and a.ndim != ndim:
            raise DSPError(
                f"coeffs[{i}] has {a.ndim} dimension(s) but coeffs has arrays with {ndim}: "
                "all must have the same number of dimensions"
            )
    axis = axis_arg(axis, ndim)
    others = {a.shape[:axis] + a.shape[axis + 1:] for a in arrays if a is not None}
    if len(others) != 1:
        raise DSPError(
            f"coeffs have shapes {[None if a is None else a.shape for a in arrays]}: they may "
            f"differ only along axis={axis}"
        )
    kinds = {a.dtype for a in arrays if a is not None}
    if len(kinds) == 1:
        dtype = kinds.pop()
    else:
        dtype = np.complex128 if any(k.kind == "c" for k in kinds) else np.float64
    xp = array_module(ref)
    # follow the lengths level by level; a missing array gets zeros of the length it must have
    shape_rest = others.pop()

    def zeros(length):
        shape = shape_rest[:axis] + (length,) + shape_rest[axis:]
        return xp.zeros(shape, dtype=dtype)

    a = arrays[0]
    length = None if a is None else a.shape[axis]
    for i, d in enumerate(arrays[1:], start=1):
        nd = d.shape[axis] if d is not None else length
        if d is not None and length is not None:
            if length == nd + 1:
                pass  # the kernel uses only the first nd approximation coefficients
            elif length != nd:
                raise DSPError(
                    f"coefficient shape mismatch: the approximation entering level {len(arrays) - i} "
                    f"has {length} coefficients along axis={axis} but coeffs[{i}] has {nd}: "
                    "need equal lengths (or the approximation one longer)"
                )
        _check_idwt_len(nd, w, mode, axis)
        if i == 1 and a is None:
            arrays[0] = zeros(nd)
        if d is None:
            arrays[i] = zeros(nd)
        length = idwt_len(nd, w.dec_len, mode)
    complex_ = np.dtype(dtype).kind == "c"
    flat = []
    for arr in arrays:
        r, lead = rows(arr.astype(dtype, copy=False), axis)
        flat.append(r)
    y = kernel_for("waverec", *arrays)(flat[0], flat[1:], w._bank[2], w._bank[3], mode)
    return unrows(y, lead, axis, complex_)
