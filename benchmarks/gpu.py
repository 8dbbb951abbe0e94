"""GPU detection and stream synchronisation for timing CuPy and torch calls.

Nothing here imports CuPy or torch unless asked: a CPU run never pays for them.
"""
from __future__ import annotations

import importlib.util
from typing import Callable


def gpu_status() -> tuple[bool, str]:
    """``(True, device name)`` when CuPy is installed and sees a CUDA device, else ``(False, why)``."""
    if importlib.util.find_spec("cupy") is None:
        return False, "CuPy is not installed (pip install 'dsp-pyramids[gpu]')"
    try:
        import cupy

        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no driver, no device, broken install
        return False, f"CuPy sees no CUDA device ({type(exc).__name__}: {exc})"
    if n < 1:
        return False, "CuPy sees no CUDA device"
    return True, gpu_info().get("name", "CUDA device")


def gpu_info() -> dict:
    """Name, memory, driver and library versions of the current device (empty without a GPU)."""
    info: dict = {}
    try:
        import cupy

        dev = cupy.cuda.Device()
        props = cupy.cuda.runtime.getDeviceProperties(dev.id)
        name = props.get("name", b"")
        info["name"] = name.decode() if isinstance(name, bytes) else str(name)
        info["memory_gib"] = round(props.get("totalGlobalMem", 0) / 2**30, 1)
        info["compute_capability"] = dev.compute_capability
        info["driver_version"] = cupy.cuda.runtime.driverGetVersion()
        info["cuda_runtime_version"] = cupy.cuda.runtime.runtimeGetVersion()
        info["cupy"] = cupy.__version__
    except Exception as exc:
        info["error"] = f"{type(exc).__name__}: {exc}"
    try:
        import torch

        if torch.cuda.is_available():
            info["torch_cuda"] = torch.version.cuda
    except Exception:
        pass
    return info


def sync_for(kind: str | None) -> Callable[[], None] | None:
    """The synchronisation a GPU implementation needs before reading the clock, or None on the CPU."""
    if kind == "cupy":
        import cupy

        # the whole device, not one stream: our numba.cuda kernels and CuPy may use different streams
        return lambda: cupy.cuda.Device().synchronize()
    if kind == "torch":
        import torch

        return torch.cuda.synchronize
    return None
