"""Dispatch between the CPU kernels (NumPy in, NumPy out) and the GPU kernels (CuPy in, CuPy out).

CuPy is never imported here unless a CuPy array has arrived: recognising one only needs its
type's module name, so ``import dsp`` stays free of CuPy and numba.cuda.
"""
from __future__ import annotations

import importlib
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


_SIMULATED_GPU = False


class simulated_gpu:
    """Route NumPy arrays to the GPU kernels, for testing under Numba's CUDA simulator.

    With ``NUMBA_ENABLE_CUDASIM=1`` the simulator runs ``cuda.jit`` kernels on host arrays, so the
    whole GPU path (validation, dispatch, glue, kernels) can be exercised without a GPU or CuPy.
    Outside the simulator this refuses to start: on real hardware NumPy arrays are not device
    memory.

    >>> with simulated_gpu():  # doctest: +SKIP
    ...     S = dsp.stft(y)    # runs kernels/gpu under the simulator
    """

    def __enter__(self):
        import numba

        if not numba.config.ENABLE_CUDASIM:
            raise RuntimeError("simulated_gpu() needs NUMBA_ENABLE_CUDASIM=1 set before numba is imported")
        global _SIMULATED_GPU
        self._previous, _SIMULATED_GPU = _SIMULATED_GPU, True
        return self

    def __exit__(self, *exc):
        global _SIMULATED_GPU
        _SIMULATED_GPU = self._previous
        return False


def backend_of(*arrays) -> str:
    """``'gpu'`` when every non-None array is a CuPy array, ``'cpu'`` when none is.

    Mixing the two raises: moving data between host and device is the caller's decision.
    Inside :class:`simulated_gpu`, NumPy arrays count as device arrays.
    """
    if _SIMULATED_GPU:
        return "gpu"
    kinds = {is_cupy_array(a) for a in arrays if a is not None}
    if len(kinds) > 1:
        raise DSPError(
            "inputs mix NumPy and CuPy arrays: pass all of them on the host (NumPy) "
            "or all on the device (CuPy)"
        )
    return "gpu" if kinds == {True} else "cpu"


def kernel_module(backend: str, name: str) -> ModuleType:
    """Import ``dsp_kernels.cpu.<name>`` or ``dsp_kernels.gpu.<name>`` on first use.

    Parameters
    ----------
    backend : {'cpu', 'gpu'}
    name : str
        The kernel module, e.g. ``'spectral'``.
    """
    package = "dsp_kernels.gpu" if backend == "gpu" else "dsp_kernels.cpu"
    try:
        return importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as exc:
        if backend == "gpu" and exc.name in ("cupy", "numba.cuda"):
            raise DSPError(
                f"a CuPy array needs the GPU kernels, which need {exc.name}: "
                "install the 'gpu' extra (pip install 'dsp-pyramids[gpu]')"
            ) from exc
        raise
