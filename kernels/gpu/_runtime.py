"""What every GPU kernel module needs: the array module, launch geometry and the stream.

On a machine with CuPy and a GPU, arrays are CuPy arrays and kernels run on CuPy's current
stream. Under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``), which is how CI tests these
kernels without a GPU, the same code runs with NumPy arrays standing in for device arrays: the
simulator executes ``cuda.jit`` kernels on host memory. Nothing else in the GPU glue needs to know
which of the two it is running on.
"""
from __future__ import annotations

import math
from types import ModuleType

import numba
import numpy as np
from numba import cuda

#: True under NUMBA_ENABLE_CUDASIM=1
SIMULATOR: bool = bool(numba.config.ENABLE_CUDASIM)

#: threads per block for 1-D launches; a multiple of the warp size
THREADS_1D = 256
#: (x, y) threads per block for 2-D launches
THREADS_2D = (32, 8)


def xp() -> ModuleType:
    """The device array module: CuPy on a GPU, NumPy under the simulator."""
    if SIMULATOR:
        return np
    import cupy

    return cupy


def grid_1d(n: int, threads: int = THREADS_1D) -> tuple[int, int]:
    """``(blocks, threads)`` covering ``n`` items with one thread each."""
    if SIMULATOR:  # the simulator runs one Python thread per CUDA thread: keep blocks small
        threads = min(threads, 64)
    return max(1, math.ceil(n / threads)), threads


def grid_2d(nx: int, ny: int, threads: tuple[int, int] = THREADS_2D):
    """``((bx, by), (tx, ty))`` covering an ``nx`` x ``ny`` index space."""
    tx, ty = threads
    if SIMULATOR:
        tx, ty = min(tx, 16), min(ty, 4)
    return (max(1, math.ceil(nx / tx)), max(1, math.ceil(ny / ty))), (tx, ty)


def stream():
    """The stream kernels are launched on: CuPy's current stream, so CuPy and Numba work is ordered.

    Under the simulator there is no stream (0 = default).
    """
    if SIMULATOR:
        return 0
    import cupy

    return cuda.external_stream(cupy.cuda.get_current_stream().ptr)


def launch(kernel, blocks, threads, *args) -> None:
    """Launch a ``cuda.jit`` kernel on :func:`stream` with the given geometry.

    Under the simulator a NumPy argument is copied back to the host after the launch, which
    fails for read-only inputs (cached tables, a user's read-only array): those go in as
    simulated device arrays, which are not copied back.
    """
    if SIMULATOR:
        args = tuple(
            cuda.to_device(a) if isinstance(a, np.ndarray) and not a.flags.writeable else a for a in args
        )
    kernel[blocks, threads, stream()](*args)


def synchronize() -> None:
    """Wait for the device (for timing); a no-op under the simulator."""
    if not SIMULATOR:
        import cupy

        cupy.cuda.get_current_stream().synchronize()


def as_device(a, dtype=None):
    """Put a host array (a table: window, filterbank, filter taps) on the device, contiguous."""
    mod = xp()
    return mod.ascontiguousarray(mod.asarray(a, dtype=dtype))


def device_id() -> int:
    """The current CUDA device's id (CuPy's current device); 0 under the simulator.

    Caches of device arrays key on it (``table_cache(scope=device_id)``): a table built on one
    GPU is never handed to a kernel running on another.
    """
    if SIMULATOR:
        return 0
    import cupy

    return cupy.cuda.runtime.getDevice()
