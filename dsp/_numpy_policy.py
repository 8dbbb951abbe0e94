"""numpy.fft's input and output conventions for :func:`dsp.fft`, :func:`dsp.ifft`,
:func:`dsp.rfft` and :func:`dsp.irfft` (the numpy.fft-compatible functions).

* dtype policy: integer and boolean input is computed in float64, as numpy.fft does (the
  librosa-compatible functions keep refusing integer audio);
* ``out=``: the result is written into a given array of the result's shape (any strides, even
  the input itself), as numpy.fft does since NumPy 2.0;
* an empty axis is refused with numpy's words ("Invalid number of FFT data points").
"""
from __future__ import annotations

import numbers

import numpy as np

from ._backend import array_module, is_cupy_array
from ._errors import DSPError, DSPTypeError


def fft_input(a, n, axis):
    """``a`` as an array numpy.fft would transform: integers and booleans become float64."""
    if not is_cupy_array(a):  # (masked samples, tensors requiring grad, ragged lists: DSPError)
        from ._validation import to_numpy

        a = to_numpy(a, "a")
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    if (n is None and isinstance(axis, numbers.Integral) and not isinstance(axis, bool)
            and -a.ndim <= axis < a.ndim and a.shape[axis] == 0):
        raise DSPError(
            f"Invalid number of FFT data points (0) specified: a has 0 values along axis={axis}; "
            "the transform needs at least 1 (or pass n >= 1)"
        )
    return a


def write_out(out, result):
    """Return ``result``, or copy it into ``out`` (checked as numpy.fft checks it) and return that."""
    if out is None:
        return result
    xp = array_module(result)
    if not isinstance(out, type(result)):
        raise DSPTypeError(
            f"out={out!r} must be of ArrayType: a {xp.__name__} array of shape {result.shape} "
            f"and dtype {result.dtype} (or one it can be cast to)"
        )
    if out.shape != result.shape:
        raise DSPError(f"out has wrong shape {out.shape}: the result has shape {result.shape}")
    if not np.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise DSPTypeError(f"Cannot cast the {result.dtype} result into out of dtype {out.dtype}")
    out[...] = result
    return out
