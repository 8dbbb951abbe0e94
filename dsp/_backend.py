"""Where arrays live: the CPU (NumPy) or the GPU (CuPy). :mod:`dsp._dispatch` picks the kernels.

CuPy is never imported here unless a CuPy array has arrived: recognising one only needs its
type's module name, so ``import dsp`` stays free of CuPy and numba.cuda.
"""
from __future__ import annotations

from types import ModuleType

import numpy as np

from ._errors import DSPError


def is_cupy_array(x) -> bool:
    """True when ``x`` is a CuPy ndarray (checked without importing CuPy)."""
    return type(x).__module__.partition(".")[0] == "cupy"


def array_module(x) -> ModuleType:
    """``cupy`` for a CuPy array, ``numpy`` for anything else.

    CuPy is imported here, lazily, only because a CuPy array is already in hand.
    """
    if is_cupy_array(x):
        import cupy

        return cupy
    return np


def backend_of(*arrays) -> str:
    """``'gpu'`` when every non-None array is a CuPy array, ``'cpu'`` when none is.

    Mixing the two raises: moving data between host and device is the caller's decision.
    (The GPU tests under Numba's simulator route NumPy arrays to the GPU kernels by swapping this
    function out, see :mod:`dsp._simulator`; nothing here knows about the simulator.)
    """
    for a in arrays:  # the common case, NumPy arrays only, without building the set below
        if type(a) is not np.ndarray and a is not None:
            break
    else:
        return "cpu"
    kinds = {is_cupy_array(a) for a in arrays if a is not None}
    if len(kinds) > 1:
        raise DSPError(
            "inputs mix NumPy and CuPy arrays: pass all of them on the host (NumPy) "
            "or all on the device (CuPy)"
        )
    return "gpu" if kinds == {True} else "cpu"
