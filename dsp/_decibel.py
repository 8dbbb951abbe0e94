"""Magnitude/phase and decibel conversions (public through :mod:`dsp.spectral`), as librosa 0.11.

Validation and reference handling live here; the arithmetic is one parallel pass in
``kernels/<backend>/spectral.py``. Scalars in give NumPy scalars out, as librosa.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ._backend import array_module
from ._dispatch import kernel_for
from ._errors import DSPError
from ._validation import as_float_array, check_float

__all__ = ["magphase", "power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude"]

_MAX_FUNCS = (np.max, np.amax)
#: power_to_db's defaults (librosa's), which dsp.mfcc's fused dB + DCT pass also applies
POWER_DB_DEFAULTS = {"ref": 1.0, "amin": 1e-10, "top_db": 80.0}


def _values(S, name, *, allow_complex=True):
    """Float (or complex) array of ``S``; integer values are taken as they are (as librosa)."""
    if not hasattr(S, "__cuda_array_interface__"):
        S = np.asarray(S)
        if S.dtype.kind in "iub":
            S = S.astype(np.float64)
    return as_float_array(S, name=name, allow_complex=allow_complex, min_ndim=0)


def _unwrap(result, was_scalar):
    return result[()] if was_scalar else result


def _check_top_db(top_db):
    if top_db is None:
        return None
    return check_float("top_db", top_db, minimum=0.0)


def _ref_value(ref, magnitude_of, name="ref"):
    """None for ``np.max`` (the kernel finds it), else a float (a callable is evaluated)."""
    if callable(ref):
        if ref in _MAX_FUNCS:
            return None
        value = ref(magnitude_of())
        value = np.asarray(value)
        if value.size != 1 or value.dtype.kind not in "iuf":
            raise DSPError(
                f"{name}={ref!r} returned {value.dtype} with shape {value.shape}: "
                "need one real number"
            )
        return check_float(f"{name}(S)", float(value.reshape(())))
    if isinstance(ref, np.ndarray) and ref.size == 1:
        ref = ref.reshape(()).item()
    if isinstance(ref, (bool, np.bool_)) or not isinstance(ref, numbers.Real):
        raise DSPError(f"{name}={ref!r} must be a real number or a callable such as np.max")
    return abs(check_float(name, ref))


def _warn_complex(fn, hint):
    warnings.warn(
        f"{fn} was called on complex input so phase information will be discarded. "
        f"To suppress this warning, call {hint} instead.",
        stacklevel=3,
    )


def _check_top_db_axes(axes, ndim):
    """``None`` (all axes, librosa) or a tuple of distinct axes of an ``ndim``-array."""
    if axes is None:
        return None
    items = (axes,) if isinstance(axes, numbers.Integral) and not isinstance(axes, bool) else axes
    try:
        items = tuple(items)
    except TypeError:
        raise DSPError(f"top_db_axes={axes!r} must be None, an int or a tuple of ints") from None
    out = []
    for a in items:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral) or not -ndim <= a < ndim:
            raise DSPError(f"top_db_axes={axes!r} is not supported for S with {ndim} dimension(s): "
                           f"need axes in [-{ndim}, {ndim - 1}]")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise DSPError(f"top_db_axes={axes!r} repeats an axis")
    return tuple(out)


def _floor_per_group(db, top_db, axes):
    """``max(db, max over axes - top_db)``: the top_db floor per group (NumPy or CuPy)."""
    peak = db.max(axis=axes, keepdims=True)
    return array_module(db).maximum(db, (peak - top_db).astype(db.dtype))


def power_to_db(S, *, ref=POWER_DB_DEFAULTS["ref"], amin: float = POWER_DB_DEFAULTS["amin"],
                top_db=POWER_DB_DEFAULTS["top_db"], top_db_axes=None):
    """Convert a power spectrogram to decibels, as ``librosa.power_to_db``.

    ``10 * log10(max(amin, S)) - 10 * log10(max(amin, ref))``, then floored at the result's
    maximum less ``top_db``.

    Parameters
    ----------
    S : np.ndarray [shape=(...)] or scalar
        Power. Complex input is replaced by its magnitude, with a warning (as librosa).
    ref : float or callable
        Reference power (its absolute value is used), or a function of ``S`` such as ``np.max``
        that returns one number.
    amin : float > 0
        Floor on ``S`` and ``ref``.
    top_db : float >= 0 or None
        Dynamic range kept below the maximum; None keeps everything.
    top_db_axes : None, int or tuple of ints
        The axes the ``top_db`` maximum is taken over. ``None`` (librosa): the whole array, so in
        a batch a loud clip sets the floor of a quiet one. ``(-2, -1)``: each spectrogram on its
        own; ``(-3, -2, -1)`` on ``(batch, channel, freq, time)`` is torchaudio's
        ``AmplitudeToDB(top_db=...)`` (per clip, channels together).

    Returns
    -------
    np.ndarray [shape=S.shape] or scalar
        float32 for float32/complex64 input, else float64.

    Raises
    ------
    DSPError
        ``amin <= 0``, ``top_db < 0``, non-finite ``S``, a ``ref`` that is not one real number,
        ``top_db_axes`` out of range.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.power_to_db(np.array([1.0, 10.0, 100.0]))
    array([ 0., 10., 20.])
    >>> dsp.power_to_db(np.array([1e-3, 1.0, 100.0]), ref=np.max, top_db=30.0).round(10) + 0.0
    array([-30., -20.,   0.])
    >>> batch = np.array([[1.0, 1e-6], [1e-4, 1e-9]])        # a loud and a quiet clip
    >>> dsp.power_to_db(batch, top_db=40.0, top_db_axes=-1)  # floor per clip (torchaudio)
    array([[  0., -40.],
           [-40., -80.]])
    """
    amin = check_float("amin", amin, minimum=0.0, strict_minimum=True)
    top_db = _check_top_db(top_db)
    S = _values(S, "S")
    axes = _check_top_db_axes(top_db_axes, S.ndim)
    if S.dtype.kind == "c":
        _warn_complex("power_to_db", "power_to_db(np.abs(D)**2)")
    ref_value = _ref_value(ref, lambda: abs(S) if S.dtype.kind == "c" else S)
    to_db = kernel_for("power_to_db", S)
    if axes is not None and top_db is not None and S.ndim:
        return _floor_per_group(to_db(S, ref=ref_value, amin=amin, top_db=None), top_db, axes)
    return _unwrap(to_db(S, ref=ref_value, amin=amin, top_db=top_db), S.ndim == 0)


def amplitude_to_db(S, *, ref=1.0, amin: float = 1e-5, top_db=80.0, top_db_axes=None):
    """Convert an amplitude spectrogram to decibels, as ``librosa.amplitude_to_db``.

    Equal to ``power_to_db(abs(S)**2, ref=ref**2, amin=amin**2, top_db=top_db)``.

    Parameters
    ----------
    S : np.ndarray [shape=(...)] or scalar
        Amplitude; complex input is replaced by its magnitude, with a warning (as librosa).
    ref : float or callable
        Reference amplitude (absolute value used), or a function of ``abs(S)`` such as ``np.max``.
    amin : float > 0
        Floor on ``abs(S)`` and ``ref``.
    top_db : float >= 0 or None
    top_db_axes : None, int or tuple of ints
        As :func:`power_to_db`: ``None`` floors over the whole array (librosa), ``(-2, -1)``
        per spectrogram, ``(-3, -2, -1)`` per clip as torchaudio's ``AmplitudeToDB``.

    Returns
    -------
    np.ndarray [shape=S.shape] or scalar
        float32 for float32/complex64 input, else float64.

    Raises
    ------
    DSPError
        ``amin <= 0``, ``top_db < 0``, non-finite ``S``, a bad ``ref``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.amplitude_to_db(np.array([0.1, 1.0, 10.0]))
    array([-20.,   0.,  20.])
    """
    amin = check_float("amin", amin, minimum=0.0, strict_minimum=True)
    top_db = _check_top_db(top_db)
    S = _values(S, "S")
    if S.dtype.kind == "c":
        _warn_complex("amplitude_to_db", "amplitude_to_db(np.abs(S))")
    axes = _check_top_db_axes(top_db_axes, S.ndim)
    ref_value = _ref_value(ref, lambda: abs(S))
    to_db = kernel_for("amplitude_to_db", S)
    if axes is not None and top_db is not None and S.ndim:
        return _floor_per_group(to_db(S, ref=ref_value, amin=amin, top_db=None), top_db, axes)
    return _unwrap(to_db(S, ref=ref_value, amin=amin, top_db=top_db), S.ndim == 0)


def db_to_power(S_db, *, ref: float = 1.0):
    """Convert decibels to power, as ``librosa.db_to_power``: ``ref * 10**(S_db / 10)``.

    Parameters
    ----------
    S_db : np.ndarray [shape=(...)] or scalar
    ref : float
        The reference power (the result's value at 0 dB).

    Returns
    -------
    np.ndarray [shape=S_db.shape] or scalar
        float32 for float32 input, else float64.

    Raises
    ------
    DSPError
        Non-finite or complex ``S_db``, a non-real ``ref``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.db_to_power(np.array([-10.0, 0.0, 20.0])).round(12)
    array([  0.1,   1. , 100. ])
    """
    S_db = _values(S_db, "S_db", allow_complex=False)
    ref = check_float("ref", ref)
    return _unwrap(kernel_for("db_to_power", S_db)(S_db, ref=ref), S_db.ndim == 0)


def db_to_amplitude(S_db, *, ref: float = 1.0):
    """Convert decibels to amplitude, as ``librosa.db_to_amplitude``: ``|ref| * 10**(S_db / 20)``.

    Parameters
    ----------
    S_db : np.ndarray [shape=(...)] or scalar
    ref : float
        The reference amplitude.

    Returns
    -------
    np.ndarray [shape=S_db.shape] or scalar
        float32 for float32 input, else float64.

    Raises
    ------
    DSPError
        Non-finite or complex ``S_db``, a non-real ``ref``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.db_to_amplitude(np.array([-20.0, 0.0, 20.0]))
    array([ 0.1,  1. , 10. ])
    """
    S_db = _values(S_db, "S_db", allow_complex=False)
    ref = check_float("ref", ref)
    return _unwrap(kernel_for("db_to_amplitude", S_db)(S_db, ref=ref), S_db.ndim == 0)


def magphase(D, *, power: float = 1):
    """Split a spectrogram into magnitude and phase, as ``librosa.magphase``.

    ``D == magnitude**(1/power) * phase``; where ``|D| == 0`` the phase is ``1 + 0j``.

    Parameters
    ----------
    D : np.ndarray [shape=(..., d, t)], complex (real input is accepted)
    power : float
        Exponent of the magnitude (2 for power).

    Returns
    -------
    magnitude : np.ndarray [shape=D.shape], real
    phase : np.ndarray [shape=D.shape], complex (``exp(1j * angle(D))``)

    Raises
    ------
    DSPError
        Non-finite ``D``, a non-real ``power``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> mag, phase = dsp.magphase(np.array([3 + 4j, 0j]))
    >>> mag, phase
    (array([5., 0.]), array([0.6+0.8j, 1. +0.j ]))
    """
    D = _values(D, "D")
    power = check_float("power", power)
    if D.dtype.kind != "c":
        D = D.astype(np.complex64 if D.dtype == np.float32 else np.complex128)
    mag, phase = kernel_for("magphase", D)(D, power)
    if D.ndim == 0:
        return mag[()], phase[()]
    return mag, phase
