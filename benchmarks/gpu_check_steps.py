"""``make gpu-check``'s machinery: the carried wheels, running one step in its own process group
with a time limit, the environment probe, the children's environment and the wheel install.

Used by :mod:`benchmarks.gpu_check` (which re-exports these names). Only the standard library is
imported here: the parent must be able to report a machine on which NumPy or Numba are missing.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: import name -> (distribution whose wheel is carried, why it is needed)
CARRIED = {
    "pywt": ("pywavelets", "the wavelet tests' reference and the host wavedec/waverec peer"),
    "librosa": ("librosa", "the STFT/mel references of the tests and the benchmark parity"),
    "soundfile": ("soundfile", "librosa imports it"),
    "soxr": ("soxr", "librosa imports it"),
    "audioread": ("audioread", "librosa imports it"),
    "pooch": ("pooch", "librosa imports it"),
    "platformdirs": ("platformdirs", "pooch imports it"),
    "decorator": ("decorator", "librosa imports it"),
    "cffi": ("cffi", "soundfile imports it"),
    "pycparser": ("pycparser", "cffi imports it"),
    "numba_cuda": ("numba-cuda", "the numba.cuda kernels (usually already in the GPU image)"),
}
#: pinned as in the project's venv; Python 3.12 as the lent machine's python3
DOWNLOAD = ["librosa==0.11.0", "pywavelets==1.9.0", "soundfile==0.14.0", "soxr==1.1.0",
            "audioread==3.1.0", "pooch==1.9.0", "platformdirs==4.14.9", "decorator==5.3.1",
            "cffi==2.1.1", "pycparser==3.12"]
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_24_x86_64",
             "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"]


def download_command(dest: Path, python_version: str = "3.12") -> list[str]:
    """The exact ``pip download`` of the carried wheels (run here, where pip reaches PyPI)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--python-version", python_version, "--implementation", "cp"]
    for p in PLATFORMS:
        cmd += ["--platform", p]
    return cmd + ["-d", str(dest)] + DOWNLOAD


# ------------------------------------------------------------------------------------------
# running a step


class Step:
    """One step's outcome: status ('ok', 'failed', 'timed out', 'skipped'), elapsed, output tail."""

    def __init__(self, name: str):
        self.name = name
        self.status = "skipped"
        self.reason = None
        self.elapsed_s = 0.0
        self.limit_s = None
        self.returncode = None
        self.output = ""

    def record(self) -> dict:
        tail = self.output[-4000:] if self.status != "ok" else self.output[-1500:]
        return {"status": self.status, "reason": self.reason, "elapsed_s": round(self.elapsed_s, 2),
                "limit_s": self.limit_s, "returncode": self.returncode, "output_tail": tail}


def run_step(step: Step, cmd: list[str], env: dict, limit_s: float, log_dir: Path | None) -> Step:
    """Run ``cmd`` in its own process group; kill the whole group at ``limit_s``."""
    step.limit_s = limit_s
    shown = "python -c <probe>" if cmd[1:2] == ["-c"] else \
        " ".join(["python"] + cmd[1:] if cmd[0] == sys.executable else cmd)
    print(f"\n== {step.name}: {shown}  (limit {limit_s:.0f} s)", flush=True)
    t0 = time.perf_counter()
    out_path = Path(tempfile.mkstemp(prefix=f"gpu-check-{step.name}-", suffix=".log")[1])
    with open(out_path, "w+b") as out:
        try:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        except OSError as exc:
            step.status, step.reason = "failed", f"could not start: {exc}"
            return step
        try:
            step.returncode = proc.wait(timeout=limit_s)
            step.status = "ok" if step.returncode == 0 else "failed"
            if step.returncode != 0:
                step.reason = f"exit code {step.returncode}"
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            step.status, step.reason = "timed out", f"killed at its limit of {limit_s:.0f} s"
        out.seek(0)
        step.output = out.read().decode("utf-8", "replace")
    step.elapsed_s = time.perf_counter() - t0
    if log_dir is not None:  # one file for all steps: the device tool returns at most 8 files
        try:
            with open(log_dir / "gpu-check-steps.log", "a", encoding="utf-8") as log:
                log.write(f"\n===== {step.name}: {step.status} in {step.elapsed_s:.1f} s =====\n")
                log.write(step.output)
        except OSError:
            pass
    out_path.unlink(missing_ok=True)
    tail = "\n".join([ln for ln in step.output.rstrip().splitlines()
                      if not ln.startswith("PROBE-JSON ")][-15:])
    if tail:
        print(tail, flush=True)
    print(f"-- {step.name}: {step.status}" + (f" ({step.reason})" if step.reason else "")
          + f" in {step.elapsed_s:.1f} s", flush=True)
    return step


def _kill_group(proc: subprocess.Popen) -> None:
    """End the step's process group (it was started in its own session, by us)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


# ------------------------------------------------------------------------------------------
# environment probe (runs in a child: an import can hang or crash)

PROBE = r"""
import importlib, importlib.metadata as md, json, os, subprocess, sys
info = {"python": sys.version.split()[0], "executable": sys.executable, "modules": {}}
def dist(name):
    try:
        return md.version(name)
    except Exception:
        return None
for mod, d in [("numpy", "numpy"), ("scipy", "scipy"), ("numba", "numba"),
               ("numba_cuda", "numba-cuda"), ("cuda.bindings", "cuda-bindings"),
               ("cupy", None), ("cupyx.scipy.signal", None), ("torch", "torch"),
               ("torchaudio", "torchaudio"), ("pywt", "pywavelets"), ("librosa", "librosa"),
               ("soundfile", "soundfile"), ("soxr", "soxr"), ("audioread", "audioread"),
               ("pooch", "pooch"), ("platformdirs", "platformdirs"), ("decorator", "decorator"),
               ("cffi", "cffi"), ("pycparser", "pycparser"), ("pytest", "pytest"),
               ("dsp", None), ("dsp_kernels", None)]:
    try:
        m = importlib.import_module(mod)
        v = getattr(m, "__version__", None) or (dist(d) if d else None)
        info["modules"][mod] = {"ok": True, "version": v}
    except Exception as exc:
        info["modules"][mod] = {"ok": False, "reason": f"{type(exc).__name__}: {exc}"[:300]}
try:
    out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                          "--format=csv,noheader"], capture_output=True, text=True, timeout=20)
    info["nvidia_smi"] = out.stdout.strip() or out.stderr.strip()
except Exception as exc:
    info["nvidia_smi"] = f"unavailable: {type(exc).__name__}: {exc}"
if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    info["simulator"] = True
else:
    info["simulator"] = False
    try:
        from benchmarks.gpu import gpu_info
        info["gpu"] = gpu_info()
    except Exception as exc:
        info["gpu"] = {"error": f"{type(exc).__name__}: {exc}"}
    try:
        import torch
        info["torch_cuda"] = {"available": torch.cuda.is_available(), "cuda": torch.version.cuda,
                              "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    except Exception as exc:
        info["torch_cuda"] = {"available": False, "reason": f"{type(exc).__name__}: {exc}"}
    try:
        from numba import cuda
        info["numba_cuda_device"] = {"available": cuda.is_available()}
        if cuda.is_available():
            info["numba_cuda_device"]["name"] = str(cuda.get_current_device().name)
            ver = cuda.runtime.get_version() if hasattr(cuda, "runtime") else None
            info["numba_cuda_device"]["runtime"] = list(ver) if ver else None
    except Exception as exc:
        info["numba_cuda_device"] = {"available": False, "reason": f"{type(exc).__name__}: {exc}"[:300]}
print("PROBE-JSON " + json.dumps(info, default=str))
"""


def probe(env: dict, limit_s: float, log_dir, name: str = "environment") -> tuple[Step, dict]:
    step = run_step(Step(name), [sys.executable, "-c", PROBE], env, limit_s, log_dir)
    info: dict = {}
    for line in step.output.splitlines():
        if line.startswith("PROBE-JSON "):
            info = json.loads(line[len("PROBE-JSON "):])
    return step, info


def _shim_dir() -> Path:
    """A folder with ``dsp_kernels`` -> ``kernels/`` and the repo root, for PYTHONPATH: the
    project need not be installed on a lent machine (nothing can be fetched there)."""
    d = Path(tempfile.mkdtemp(prefix="gpu-check-path-"))
    (d / "dsp_kernels").symlink_to(ROOT / "kernels", target_is_directory=True)
    return d


def child_env(simulate: bool, paths: list[Path]) -> dict:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    if simulate:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    else:  # `make test` sets it; a real run must not inherit it
        env.pop("NUMBA_ENABLE_CUDASIM", None)
    extra = [str(p) for p in paths] + [str(ROOT)]
    env["PYTHONPATH"] = os.pathsep.join(extra + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def install(missing: list[str], wheels: Path, target: Path, env: dict, limit_s: float,
            log_dir) -> Step:
    """``pip install --no-index --no-deps --target`` the carried wheels of the missing modules."""
    step = Step("install")
    files = []
    unknown = []
    for mod in missing:
        dist = CARRIED[mod][0]
        norm = dist.replace("-", "_").lower()
        found = sorted(p for p in wheels.glob("*.whl") if p.name.lower().startswith(norm + "-"))
        if found:
            files.append(found[-1])
        else:
            unknown.append(dist)
    if not files:
        step.status = "skipped"
        step.reason = (f"no wheel in {wheels} for {', '.join(unknown)}" if unknown
                       else "nothing to install")
        print(f"-- install: {step.reason}", flush=True)
        return step
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile",
           "--no-cache-dir", "--upgrade", "--target", str(target)] + [str(f) for f in files]
    run_step(step, cmd, env, limit_s, log_dir)
    if unknown:
        step.reason = ((step.reason + "; ") if step.reason else "") + \
            f"no wheel carried for {', '.join(unknown)}"
    return step
