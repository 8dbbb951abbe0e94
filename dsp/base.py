"""The public base that packages built on dsp (``pyramids``, your own code) may import.

dsp's private modules (``dsp._backend``, ``dsp._validation``, ``dsp._errors``) may be renamed,
merged or split at any time; the names re-exported here are kept. They are the same objects as
dsp uses itself, so a check made here words its errors exactly as dsp does.

Errors
    :class:`DSPError` (a ``ValueError``) and :class:`DSPTypeError` (also a ``TypeError``).
Array modules
    :func:`array_module` (``numpy`` or ``cupy`` for an array, without importing CuPy for a NumPy
    array), :func:`is_cupy_array`, :func:`backend_of` (``'cpu'`` or ``'gpu'`` for a set of arrays,
    refusing a mix).
Checks
    :func:`check_int`, :func:`check_float`, :func:`check_choice` (a scalar parameter, returned in
    its canonical type or refused with a :class:`DSPError` naming it), :func:`as_float_array` (an
    audio-like array kept on its device in its precision), :func:`all_finite` (whether an array
    holds no NaN or infinity, by the same fast check).
Limits
    :data:`MAX_ALLOC_BYTES`: the largest single allocation dsp agrees to make (64 GiB or the
    physical memory, whichever is smaller; ``DSP_MAX_ALLOC_BYTES`` overrides it at import).

Examples
--------
>>> import numpy as np
>>> from dsp import base
>>> base.array_module(np.zeros(3)).__name__, base.backend_of(np.zeros(3))
('numpy', 'cpu')
>>> base.check_int("n_fft", 2048, minimum=2)
2048
>>> try:
...     base.check_int("n_fft", 1, minimum=2)
... except base.DSPError as exc:
...     print(exc)
n_fft=1 is too small: need n_fft >= 2
"""
from __future__ import annotations

from ._backend import array_module, backend_of, is_cupy_array
from ._errors import DSPError, DSPTypeError
from ._validation import MAX_ALLOC_BYTES, all_finite, as_float_array, check_choice, check_float, check_int

__all__ = [
    "DSPError",
    "DSPTypeError",
    "array_module",
    "is_cupy_array",
    "backend_of",
    "check_int",
    "check_float",
    "check_choice",
    "as_float_array",
    "all_finite",
    "MAX_ALLOC_BYTES",
]
