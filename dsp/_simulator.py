"""Test support: run the GPU path on NumPy arrays under Numba's CUDA simulator.

With ``NUMBA_ENABLE_CUDASIM=1`` the simulator runs ``cuda.jit`` kernels on host arrays, so the
whole GPU path (validation, dispatch, glue, kernels) can be exercised without a GPU or CuPy.
No production code imports this module: the GPU tests (``tests/gpu/conftest.py``) and the
benchmarks' dry run (``benchmarks/gpu_ops.py --simulate``) do. Instead of a flag that every
dispatch would read, :class:`simulated_gpu` swaps :func:`dsp._backend.backend_of` for one that
answers ``'gpu'`` in every module holding it, and puts the original back on exit.
"""
from __future__ import annotations

import sys

from . import _backend

#: the production backend_of, captured before any swap
_HOST_BACKEND_OF = _backend.backend_of


def _device_backend_of(*arrays) -> str:
    """Under the simulator every array is a device array."""
    return "gpu"


class simulated_gpu:
    """Route NumPy arrays to the GPU kernels while the context is open (simulator only).

    Outside the simulator this refuses to start: on real hardware NumPy arrays are not device
    memory. Nested use is harmless (the inner one finds nothing left to swap).

    >>> with simulated_gpu():  # doctest: +SKIP
    ...     S = dsp.stft(y)    # runs kernels/gpu under the simulator
    """

    def __enter__(self):
        import numba

        if not numba.config.ENABLE_CUDASIM:
            raise RuntimeError("simulated_gpu() needs NUMBA_ENABLE_CUDASIM=1 set before numba is imported")
        # every module that imported backend_of by name, dsp._backend itself included, so that a
        # module imported inside the context gets the swapped function as well
        self._swapped = [m for m in list(sys.modules.values())
                         if getattr(m, "backend_of", None) is _HOST_BACKEND_OF]
        for module in self._swapped:
            module.backend_of = _device_backend_of
        return self

    def __exit__(self, *exc):
        for module in self._swapped:
            module.backend_of = _HOST_BACKEND_OF
        return False
