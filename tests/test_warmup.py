"""``python -m dsp warmup`` fills the kernel cache; a later process loads instead of compiling."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dsp
from dsp._warmup import OPERATIONS, warmup


def run(args, cache, timeout=900):
    env = dict(os.environ, DSP_NUMBA_CACHE_DIR=str(cache))
    return subprocess.run([sys.executable, "-m", "dsp", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_warmup_fills_the_cache_and_reports_each_operation(tmp_path):
    proc = run(["warmup", "--only", "db,quantization", "--dtype", "float32", "--jobs", "2"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert str(tmp_path) in out and "done in" in out
    for op in ("db", "quantization"):
        assert any(line.split()[:2] == [op, "float32"] for line in out.splitlines()), out
    compiled = list(tmp_path.rglob("*.nbc"))
    assert compiled, "nothing was written to the cache"
    # a later process finds everything: nothing new is compiled, so nothing new is written
    before = {p: p.stat().st_mtime_ns for p in compiled}
    proc = run(["warmup", "--only", "db", "--dtype", "float32", "--jobs", "1"], tmp_path)
    assert proc.returncode == 0
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.nbc")} == before
    proc = run(["cache"], tmp_path)
    assert proc.returncode == 0 and f"{len(compiled)} compiled kernels" in proc.stdout


def test_warmup_refuses_unknown_names(tmp_path):
    proc = run(["warmup", "--only", "stft,nonsense"], tmp_path)
    assert proc.returncode != 0 and "nonsense" in proc.stderr and "stft" in proc.stderr
    with pytest.raises(dsp.DSPError, match="float16"):
        warmup(only=["db"], dtypes=["float16"], jobs=1)
    with pytest.raises(dsp.DSPError, match="accepted"):
        warmup(only=["bogus"], jobs=1)


def test_every_operation_is_documented():
    assert set(OPERATIONS) >= {"stft", "istft", "melspectrogram", "mfcc", "fft", "wavelets", "resample"}
    assert all(OPERATIONS.values())
