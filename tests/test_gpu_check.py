"""``make gpu-check`` (benchmarks/gpu_check.py, issue 23) cannot rot: its dry run under Numba's CUDA
simulator runs every step end to end on tiny inputs, and its parsing and verdicts are checked on
their own. The dry run is marked ``cudasim``, so it runs in ``make test-cudasim``'s process."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import gpu_check

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.cudasim
def test_dry_run_under_the_simulator_records_every_step(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = tmp_path / "sim.json"
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", OUT=str(out))
    proc = subprocess.run([sys.executable, "-m", "benchmarks.gpu_check", "--simulate", "--json", str(path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "==== gpu-check summary ====" in proc.stdout
    rec = json.loads(path.read_text())
    assert (out / path.name).exists(), "the JSON is copied under $OUT"
    assert rec["simulated"] is True and rec["kind"] == "gpu-check"
    assert (out / "gpu-check-steps.log").exists(), "the step logs come back under $OUT"
    assert [r["case"] for r in rec["warm"]["tasks"]] == ["stft", "wavedec"]
    assert not any(r["error"] for r in rec["warm"]["tasks"])
    for step in ("environment", "warm", "tests", "bench", "fft"):
        assert rec["steps"][step]["status"] == "ok", (step, rec["steps"][step])
        assert rec["steps"][step]["elapsed_s"] > 0
        assert f"step {step}" in proc.stdout
    for key in ("python", "driver", "cuda_runtime", "numba", "numba_cuda", "cupy", "torch"):
        assert key in rec["versions"]
    t = rec["tests"]
    assert t["passed"] >= 4 and t["failed"] == 0 and t["errors"] == 0, t
    ops = {o["name"]: o for o in rec["bench"]["ops"]}
    for name in ("gpu_stft", "gpu_istft", "gpu_melspectrogram", "gpu_mfcc", "gpu_wavedec",
                 "gpu_waverec", "gpu_resample"):
        o = ops[name]
        assert o["status"] == "ok", (name, o["reason"])
        ours = next(e for e in o["impls"] if e["ours"])
        assert ours["timing"]["median_s"] > 0
        assert ours["parity"]["error"] is not None and ours["parity"]["error"] < 1e-5, (name, ours["parity"])
        assert o["cpu_vs_gpu"]["within_tolerance"], (name, o["cpu_vs_gpu"])
        tr = o["transfers"]
        assert tr["host_to_device_bytes"] > 0 and tr["device_to_host_bytes"] > 0
        assert tr["host_to_device_s"] >= 0 and tr["device_to_host_s"] >= 0
        for e in o["impls"]:  # GPU peers cannot run under the simulator: a reason, not a crash
            if not e["available"]:
                assert e["reason"].startswith("unavailable: "), e
    assert any("simulator" in e["reason"] for e in ops["gpu_stft"]["impls"] if not e["available"])
    assert ops["gpu_wavedec"]["impls"][1]["timing"]["median_s"] > 0  # PyWavelets on the host ran
    for name in ("gpu_cqt", "gpu_dwt2"):  # not in dsp yet: recorded as such
        assert ops[name]["status"] in ("ok", "not available yet")
    fft = rec["fft"]["transforms"]
    assert [f["n"] for f in fft] == [32, 12]
    for f in fft:
        assert f["impls"]["own"]["within_tolerance"], f
        assert f["impls"]["cufft"]["reason"].startswith("unavailable: ")
    assert "not assessed" in rec["targets"]["all"]


def test_pytest_summary_reads_outcomes_and_failing_ids():
    out = "\n".join([
        "tests/gpu/test_a.py::test_x[f32] PASSED                [ 10%]",
        "tests/gpu/test_a.py::test_x[f64] FAILED                [ 20%]",
        "tests/gpu/test_b.py::test_y[own-f32] SKIPPED (cuFFT is not available) [ 30%]",
        "tests/gpu/test_b.py::test_z ERROR                       [ 40%]",
        "SKIPPED [1] tests/gpu/test_b.py:26: cuFFT is not available",
        "FAILED tests/gpu/test_a.py::test_x[f64] - AssertionError: too far",
        "====== 1 failed, 1 passed, 1 skipped, 1 error in 3.21s ======",
    ])
    s = gpu_check.pytest_summary(out)
    assert (s["passed"], s["failed"], s["skipped"], s["errors"]) == (1, 1, 1, 1)
    assert s["failing"] == ["tests/gpu/test_a.py::test_x[f64]", "tests/gpu/test_b.py::test_z"]
    assert s["skip_reasons"] == {"cuFFT is not available": 1}
    assert s["summary_line"].startswith("1 failed, 1 passed")


def test_targets_read_the_ratios():
    def op(name, peers):
        return {"name": name, "status": "ok", "cpu_vs_gpu": {"within_tolerance": True},
                "impls": [{"name": "dsp (GPU)", "ours": True, "available": True}] +
                         [{"name": p, "ours": False, "available": r is not None, "reason": None if r else
                           "unavailable: torch has no CUDA device", "ratio": {"ratio": r}} for p, r in peers]}
    bench = {"ops": [op("gpu_stft", [("torch.stft (cuda)", 0.8), ("cupyx.scipy.signal.stft", 0.2)]),
                     op("gpu_wavedec", [("pywt (host)", 0.01)])]}
    t = gpu_check.targets(bench)
    assert t["stft <= torch.stft"].startswith("met")
    assert t["stft >= 10x cupyx.scipy.signal.stft"].startswith("MISSED")
    assert t["wavedec >= 50x PyWavelets (host)"].startswith("met")
    assert t["melspectrogram <= torchaudio MelSpectrogram"].startswith("not measured")
    assert t["GPU result = CPU result within float32 tolerance"] == "met (2 operations)"


def test_download_command_is_no_deps_binary_for_the_gpu_python():
    cmd = gpu_check.download_command(Path(".whl/gpu-check"))
    assert cmd[1:4] == ["-m", "pip", "download"]
    assert "--no-deps" in cmd and "--only-binary=:all:" in cmd
    assert cmd[cmd.index("--python-version") + 1] == "3.12"
    assert "librosa==0.11.0" in cmd and "pywavelets==1.9.0" in cmd


def test_a_step_past_its_limit_is_killed_with_its_children_and_keeps_its_output(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    code = ("import subprocess, sys, time; print('started', flush=True); "
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
            f"open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(60)")
    step = gpu_check.run_step(gpu_check.Step("sleeper"), [sys.executable, "-c", code], dict(os.environ),
                              4.0, tmp_path)
    assert step.status == "timed out" and "limit of 4 s" in step.reason
    assert step.elapsed_s < 20
    assert "started" in step.output
    assert "sleeper: timed out" in (tmp_path / "gpu-check-steps.log").read_text()
    rec = step.record()
    assert rec["status"] == "timed out" and rec["limit_s"] == 4.0
    pid = int(pidfile.read_text())
    for _ in range(50):  # the whole process group went, the grandchild too
        if not _alive(pid):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"grandchild {pid} is still running")


def _alive(pid: int) -> bool:
    """Running (a zombie awaiting its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return not f.read().rsplit(") ", 1)[-1].startswith("Z")
    except (FileNotFoundError, ProcessLookupError):
        return False
