"""Fork, spawn, forkserver, DataLoader workers and racing threads, after the kernels were used.

Each scenario runs in a child Python (tests/procs/*.py) with a timeout, so that an abort kills
only the child and a hang fails the test instead of blocking CI. No environment variable is set
for the threading layer: the defaults must be safe (dsp_kernels.threading_layer picks TBB).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
#: generous: in CI the child may compile kernels the parent test process has not cached yet
TIMEOUT = 900


def run_child(args, *, env_extra=None, timeout=TIMEOUT):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_THREADING_LAYER")}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    env.update(env_extra or {})
    proc = subprocess.run(
        [sys.executable, *args], cwd=TESTS, env=env, capture_output=True, text=True, timeout=timeout
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"child exited with {proc.returncode}:\n{out[-4000:]}"
    return out


@pytest.mark.parametrize("method", ["fork", "executor", "spawn", "forkserver"])
def test_workers_after_parent_used_the_kernels(method):
    out = run_child(["-m", "procs.fork_after_use", method])
    assert f"OK {method}" in out


def test_dataloader_workers_after_parent_used_the_kernels():
    pytest.importorskip("torch")
    out = run_child(["-m", "procs.fork_after_use", "dataloader"])
    assert "OK dataloader 8" in out


def test_threads_racing_first_calls_match_serial_calls():
    out = run_child(["-m", "procs.threads_race"])
    assert "OK threads" in out


def test_threads_racing_the_compilation_itself():
    # no disk cache: every thread's first call waits on (or runs) Numba's compilation; the ops
    # with the cheapest kernels keep this under a minute
    out = run_child(["-m", "procs.threads_race", "wavedec,resample"], env_extra={"DSP_NUMBA_CACHE": "0"})
    assert "OK threads" in out


def test_default_threading_layer_is_tbb():
    out = run_child(["-c", "import numpy as np, dsp, numba; dsp.stft(np.zeros(4096, np.float32)); print('LAYER', numba.threading_layer())"])
    assert "LAYER tbb" in out


def test_threading_layer_is_tbb_when_the_user_starts_numbas_pool_first():
    # numba.set_num_threads starts the pool, and its first start fixes the layer: dsp chooses
    # TBB at import, so setting threads before the first kernel must not leave the process on
    # GNU OpenMP (whose forked workers abort, and whose waits stalled calls after BLAS work)
    out = run_child(["-c", "import numpy as np, dsp, numba; numba.set_num_threads(1); "
                           "dsp.stft(np.zeros(4096, np.float32)); print('LAYER', numba.threading_layer())"])
    assert "LAYER tbb" in out


def test_user_choice_of_tbb_loads_the_wheels_library():
    out = run_child(
        ["-c", "import numpy as np, dsp, numba; dsp.stft(np.zeros(4096, np.float32)); print('LAYER', numba.threading_layer())"],
        env_extra={"NUMBA_THREADING_LAYER": "tbb"},
    )
    assert "LAYER tbb" in out


def test_user_choice_of_threading_layer_is_respected():
    out = run_child(
        ["-c", "import numpy as np, dsp, numba; dsp.stft(np.zeros(4096, np.float32)); print('LAYER', numba.threading_layer())"],
        env_extra={"NUMBA_THREADING_LAYER": "workqueue"},
    )
    assert "LAYER workqueue" in out
