"""The kernel tests and a fuzz pass again, compiled with Numba's bounds checking.

A subprocess runs with ``NUMBA_BOUNDSCHECK=1`` (every array index checked, an out-of-bounds
access raises IndexError instead of corrupting memory) and a fresh ``NUMBA_CACHE_DIR`` (cached
machine code compiled without the checks must not be reused). In that mode the SIMD intrinsics of
``kernels/cpu/fft/simd.py`` are replaced by checked indexed twins, so their callers' ranges are
checked too. Kept small (the compiles dominate): 182-298 s of wall time in stop 48's `make test`
runs, the longest single test; one pytest-xdist worker runs it while the other runs the rest.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: test files (and their hypothesis properties) that the checked pass runs
CHECKED_TESTS = [
    "tests/test_simd.py",
    # the explicit lane vectors' checked loads and stores (the fused last pass uses them)
    "tests/test_lane_vector.py",
    "tests/test_memory_safety.py",
    # an overlap-save group's stores: whole tiles through the intrinsic up to a short last block
    "tests/test_fft_block.py::test_store_lane_runs_writes_each_lanes_run_and_nothing_past_n_out",
    # streaming stores: the shifted tile store's checked twin, every alignment and row length
    "tests/test_streaming_store.py::test_stream_lanes_equals_the_plain_store_at_every_alignment",
    # the last pass fused with the real split (last_post.py): its bins' index arithmetic
    "tests/test_fft_block.py::test_rfft_lanes_matches_numpy[f32-32]",
    "tests/test_fft_block.py::test_rfft_lanes_matches_numpy[f64-512]",
    # the stft's in-place last pass and its two-layout store (transpose_pairs' checked twin)
    "tests/test_fft_block.py::test_rfft_lanes_bins_in_either_layout_equal_rfft_lanes[f32-400]",
    "tests/test_fft_block.py::test_rfft_lanes_bins_in_either_layout_equal_rfft_lanes[f64-2048]",
    # the 2:1 halving's loads of whole groups: one padded row (the clip route) and staged
    # blocks past either end of longer rows, lanes past the last block included
    "tests/test_cqt_kernels.py::test_bound_halving_of_one_row_matches_direct_sum_and_checks_finiteness[f32-1280]",
    "tests/test_cqt_kernels.py::test_halving_kernel_at_every_block_size[f64-3-100001-1024]",
]


@pytest.mark.boundscheck
def test_kernels_under_numba_boundscheck(tmp_path):
    env = dict(os.environ)
    # a fresh cache in both places (Numba's and dsp_kernels' own): machine code compiled without
    # the checks must not be reused
    env.update(NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path / "numba"),
               DSP_NUMBA_CACHE_DIR=str(tmp_path / "dsp"),
               # serial builds of the prange kernels: the same index arithmetic, compiled faster
               DSP_NUMBA_PARALLEL="0",
               HYPOTHESIS_PROFILE="ci", PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
           "-k", "not fuzz", *CHECKED_TESTS]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"checked pass failed (rc={proc.returncode}):\n{tail}"


def test_simd_selects_the_checked_twins_under_boundscheck(tmp_path):
    """In a NUMBA_BOUNDSCHECK=1 process the public SIMD names are the checked twins, and they
    raise IndexError for a tile outside the array (the intrinsic would read or write there)."""
    code = (
        "import numba, numpy as np\n"
        "from dsp_kernels.cpu.fft import simd\n"
        "assert simd.CHECKED\n"
        "assert simd.transpose_tile is simd._transpose_tile_indexed\n"
        "@numba.njit\n"
        "def f(a, b, s0):\n"
        "    simd.transpose_tile(a, s0, 16, b, 0, 16)\n"
        "a = np.zeros(256, np.float32); b = np.zeros(256, np.float32)\n"
        "f(a, b, 0)\n"
        "for s0 in (-1, 1):  # a row before the array, a row past its end\n"
        "    try:\n"
        "        f(a, b, s0)\n"
        "    except IndexError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit('no IndexError for s0=%d' % s0)\n"
        "print('ok')\n"
    )
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path),
               DSP_NUMBA_CACHE_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr
