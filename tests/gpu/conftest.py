"""GPU tests: the same bodies run on CuPy arrays on a real GPU, or under Numba's CUDA simulator.

Every test in this folder is marked ``cudasim`` and runs in its own pytest process
(``make test-cudasim`` sets ``NUMBA_ENABLE_CUDASIM=1`` before numba is imported). Under the
simulator, NumPy arrays stand in for device arrays (``dsp._simulator.simulated_gpu``) and inputs are
small, because the simulator runs each CUDA thread as Python. On a machine with a GPU and CuPy,
run ``pytest tests/gpu -m cudasim`` without the variable: the same tests run on CuPy at full size
(``make gpu-check`` does, see docs/gpu.md). ``DSP_GPU_TEST_SIZES=small`` keeps the simulator's
sizes on a GPU (a quick smoke run); the full sizes never run under the simulator.
"""
import contextlib
import os

import numpy as np
import pytest

SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "1"
#: full sizes on a real GPU unless DSP_GPU_TEST_SIZES=small; always small under the simulator
FULL_SIZES = not SIMULATOR and os.environ.get("DSP_GPU_TEST_SIZES", "full") != "small"


def pytest_report_header(config):
    if SIMULATOR:
        return "tests/gpu: Numba's CUDA simulator, small sizes"
    return f"tests/gpu: CuPy on a CUDA device, {'full' if FULL_SIZES else 'small'} sizes"


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.cudasim)


def _skip_reason():
    try:
        from numba import cuda  # noqa: F401
    except Exception as exc:  # numba-cuda missing
        return f"numba.cuda is not importable ({exc}); install the 'test' or 'gpu' extra"
    if SIMULATOR:
        return None
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return "no CUDA device; set NUMBA_ENABLE_CUDASIM=1 to run under the simulator"
    except Exception as exc:
        return f"CuPy or a CUDA device is unavailable ({type(exc).__name__}); set NUMBA_ENABLE_CUDASIM=1 to run under the simulator"
    return None


class Device:
    """Moves test data to and from the device that this run uses, and sizes inputs for it."""

    simulator = SIMULATOR

    def __init__(self):
        if not SIMULATOR:
            import cupy

            self._cp = cupy

    def put(self, a):
        a = np.asarray(a)
        return a.copy() if SIMULATOR else self._cp.asarray(a)

    def get(self, a):
        return np.asarray(a) if SIMULATOR else self._cp.asnumpy(a)

    def is_device_array(self, a):
        return isinstance(a, np.ndarray) if SIMULATOR else isinstance(a, self._cp.ndarray)

    def context(self):
        if SIMULATOR:
            from dsp._simulator import simulated_gpu

            return simulated_gpu()
        return contextlib.nullcontext()

    full_sizes = FULL_SIZES

    def size(self, small, full):
        """``small`` under the simulator, ``full`` on a real GPU (unless DSP_GPU_TEST_SIZES=small)."""
        return full if FULL_SIZES else small


@pytest.fixture(scope="session")
def device():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    return Device()


@pytest.fixture
def on_gpu(device):
    """Run the test body with the GPU path selected (simulated under the simulator)."""
    with device.context():
        yield device
