"""Plumbing shared by the PyWavelets-compatible transforms: input policy, rows, kernels.

The dtype policy is PyWavelets' (not the librosa-compatible functions'): float32, float64,
complex64 and complex128 are kept; float16 becomes float32; integer and boolean input becomes
float64 (``pywt.dwt([3, 7, 1, 1], 'haar')`` works on integer lists); other complex types become
complex128 and longdouble float64.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._backend import array_module, is_cupy_array
from ._errors import DSPError, DSPTypeError
from ._validation import as_float_array, check_axis, check_int, flatten_leading
from ._wavelet_modes import NEEDS_TWO_SAMPLES, mode_name



def as_data(data, name):
    """``data`` as an array of a dtype the kernels take, following PyWavelets' dtype policy."""
    if not is_cupy_array(data):
        try:
            data = np.asarray(data)
        except Exception as exc:  # ragged lists and the like
            raise DSPError(f"{name} could not be converted to an array: {exc}") from exc
    if data.dtype.kind in "biu":  # PyWavelets computes integer and boolean input in float64
        data = data.astype(np.float64)
    return as_float_array(data, name=name, allow_complex=True)


def check_length(n, mode, name, axis):
    if n < 1:
        raise DSPError(f"{name} has length 0 along axis={axis}: need at least one sample")
    if n < 2 and mode in NEEDS_TWO_SAMPLES:
        raise DSPError(
            f"{name} has length {n} along axis={axis}: mode={mode_name(mode)!r} needs at least 2 samples"
        )


def rows(x, axis):
    """(batch, n) contiguous real rows; complex input becomes its real rows then its imaginary rows."""
    if axis == x.ndim - 1 and x.flags.c_contiguous:  # the common case, without moveaxis' cost
        x2, lead = x.reshape((-1, x.shape[-1])), x.shape[:-1]
    else:
        x2, lead = flatten_leading(x, axis)
    if x2.dtype.kind == "c":
        xp = array_module(x2)
        x2 = xp.ascontiguousarray(xp.concatenate([x2.real, x2.imag]))
    return x2, lead


def unrows(y, lead, axis, complex_):
    if complex_:
        half = y.shape[0] // 2
        y = y[:half] + 1j * y[half:]
    y = y.reshape(lead + y.shape[1:])
    return y if axis == y.ndim - 1 else array_module(y).moveaxis(y, -1, axis)


def is_array(a):
    return isinstance(a, np.ndarray) or is_cupy_array(a)


def _integral(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        # PyWavelets raises TypeError for a level, a length or an axis that is not an integer
        raise DSPTypeError(f"{name}={value!r} must be an integer")


def int_arg(name, value, *, minimum=None):
    """``check_int`` with PyWavelets' exception type for a non-integer (a TypeError as well)."""
    _integral(name, value)
    return check_int(name, value, minimum=minimum)


def axis_arg(axis, ndim):
    """``check_axis`` with PyWavelets' exception type for a non-integer axis."""
    _integral("axis", axis)
    return check_axis(axis, ndim)
