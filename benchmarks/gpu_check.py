"""``make gpu-check``: the GPU evidence of issue 23 in one run, sized for a short loan of a GPU.

Steps, in this order, each in its own subprocess with its own time limit (a hang or a crash in
one cannot eat the others), each step's elapsed time printed:

0. ``environment``: what the machine has (GPU, driver, CUDA, CuPy, numba-cuda, torch, ...);
   missing Python packages are installed from carried wheels (``--wheels``, default ``.whl/gpu-check``)
   with ``pip install --no-index --no-deps --target`` into a scratch folder put on PYTHONPATH,
   and ``dsp_kernels`` (the ``kernels/`` folder) is made importable without installing the project;
1. ``tests``: ``pytest tests/gpu -m cudasim`` on CuPy at full size (the simulator's test bodies,
   sizes raised by ``tests/gpu/conftest.py``): pass/fail/skip counts and the failing test ids;
2. ``bench``: :mod:`benchmarks.gpu_ops` ``bench``: our stft, istft, melspectrogram, mfcc,
   wavedec/waverec, resample (cqt, dwt2 when they exist) on 256 ten-second clips at 22.05 kHz,
   against torch/torchaudio on the same GPU, ``cupyx.scipy.signal`` and PyWavelets on the host,
   transfers timed apart;
3. ``fft``: our numba.cuda FFT against cuFFT at the STFT sizes;
4. the record: ``benchmarks/results/<gpu-name>-<date>.json`` (and a copy under ``$OUT`` when
   that variable names a folder) and a short summary on stdout.

``--simulate`` runs the same steps on this machine under Numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1`` in every child) with tiny sizes and a few tests: ``make test`` does,
so the script cannot rot. See docs/gpu.md.

Only the standard library is imported here: the parent must be able to report a machine on which
NumPy or Numba themselves are missing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_WHEELS = ROOT / ".whl" / "gpu-check"

#: per-step time limits in seconds (real GPU); the total stays under 8 minutes with margin
BUDGET = {"environment": 30, "install": 40, "warm": 60, "tests": 180, "bench": 130, "fft": 35}
#: under the simulator (tiny sizes, a few tests): about a minute with the CPU kernels in Numba's
#: cache (make test-cpu leaves them there); the limits leave room for a cold cache on 2 busy cores
BUDGET_SIM = {"environment": 60, "install": 10, "warm": 150, "tests": 150, "bench": 300, "fft": 60}

#: the tests of the dry run: one of each kind (dispatch, kernel twin, FFT), float32
SIM_TESTS = [
    "tests/gpu/test_gpu_fft.py::test_real_fft_and_inverse",
    "tests/gpu/test_gpu_dispatch.py::test_device_in_device_out_equals_cpu",
    "tests/gpu/test_gpu_small_kernels.py::test_quantize_twins_are_bit_exact",
    "tests/gpu/test_gpu_pcm.py::test_to_int_clip_count_at_full_scale_edges",
]
SIM_K = "f32 and (own or stft or quantize_twins or melspectrogram or clip_count)"

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


# ------------------------------------------------------------------------------------------
# pytest summary

_RESULT = re.compile(r"^(\S+::\S+?)\s+(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)\b")
_SUMMARY = re.compile(r"=+ (.*?) in ([\d.]+)s")


def pytest_summary(output: str) -> dict:
    """Counts and failing ids from ``pytest -v -rA``-style output (partial output works too)."""
    outcomes: dict[str, str] = {}
    for line in output.splitlines():
        m = _RESULT.match(line.strip())
        if m:
            outcomes[m.group(1)] = m.group(2)
        elif line.startswith(("FAILED ", "ERROR ")):  # short test summary lines
            word, _, rest = line.partition(" ")
            tid = rest.split(" - ")[0].strip()
            if "::" in tid or tid.endswith(".py"):
                outcomes[tid] = word
    counts: dict[str, int] = {}
    for v in outcomes.values():
        counts[v.lower()] = counts.get(v.lower(), 0) + 1
    skipped_reasons: dict[str, int] = {}
    for line in output.splitlines():
        if line.startswith("SKIPPED ["):
            reason = line.split(": ", 1)[-1].strip()
            n = int(re.match(r"SKIPPED \[(\d+)\]", line).group(1))
            skipped_reasons[reason] = skipped_reasons.get(reason, 0) + n
    last = None
    for line in output.splitlines():
        m = _SUMMARY.search(line)
        if m and ("passed" in m.group(1) or "failed" in m.group(1) or "skipped" in m.group(1)
                  or "error" in m.group(1) or "no tests ran" in m.group(1)):
            last = line.strip("= ").strip()
    return {
        "passed": counts.get("passed", 0), "failed": counts.get("failed", 0),
        "skipped": counts.get("skipped", 0), "errors": counts.get("error", 0),
        "xfailed": counts.get("xfail", 0), "xpassed": counts.get("xpass", 0),
        "failing": sorted(k for k, v in outcomes.items() if v in ("FAILED", "ERROR")),
        "skip_reasons": skipped_reasons, "summary_line": last,
    }


# ------------------------------------------------------------------------------------------
# the record


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "gpu"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except Exception:
        return None


def _ms(s) -> str:
    return "-" if s is None else f"{s * 1e3:.3g}"


def summary_lines(record: dict) -> list[str]:
    lines = []
    env = record.get("environment", {})
    gpu = env.get("gpu") or {}
    lines.append(f"device: {record.get('device')}; driver {gpu.get('driver_version')}, "
                 f"CUDA runtime {gpu.get('cuda_runtime_version')}, CuPy {gpu.get('cupy')}, "
                 f"numba-cuda {record['versions'].get('numba_cuda')}, torch {record['versions'].get('torch')}")
    for name, st in record["steps"].items():
        lines.append(f"  step {name:<12} {st['status']:<10} {st['elapsed_s']:7.1f} s"
                     + (f"  ({st['reason']})" if st.get("reason") else ""))
    t = record.get("tests")
    if t:
        lines.append(f"tests: {t['passed']} passed, {t['failed']} failed, {t['errors']} errors, "
                     f"{t['skipped']} skipped")
        for tid in t["failing"][:20]:
            lines.append(f"  FAILED {tid}")
        if len(t["failing"]) > 20:
            lines.append(f"  ... and {len(t['failing']) - 20} more (see the JSON)")
    b = record.get("bench")
    if b:
        for op in b.get("ops", []):
            ours = next((e for e in op["impls"] if e["ours"]), None)
            med = ((ours or {}).get("timing") or {}).get("median_s")
            head = f"{op['name']:<20} {op['status']:<18}"
            if op["status"] != "ok":
                lines.append(f"{head} {op.get('reason') or ''}")
                continue
            par = (ours.get("parity") or {}).get("error")
            cg = op.get("cpu_vs_gpu") or {}
            tr = op.get("transfers") or {}
            lines.append(f"{head} ours {_ms(med)} ms; parity {par if par is None else f'{par:.1e}'}; "
                         f"cpu-vs-gpu {cg.get('error', float('nan')):.1e} "
                         f"({'ok' if cg.get('within_tolerance') else 'OVER TOLERANCE'}); "
                         f"H2D {_ms(tr.get('host_to_device_s'))} ms, D2H {_ms(tr.get('device_to_host_s'))} ms")
            for e in op["impls"]:
                if e["ours"]:
                    continue
                if not e["available"]:
                    lines.append(f"    {e['name']:<34} {e['reason']}")
                elif e.get("error"):
                    lines.append(f"    {e['name']:<34} error: {e['error'][:120]}")
                else:
                    r = (e.get("ratio") or {}).get("ratio")
                    lines.append(f"    {e['name']:<34} {_ms((e.get('timing') or {}).get('median_s'))} ms"
                                 f"  ours/peer {r if r is None else f'{r:.3f}'}")
    f = record.get("fft")
    if f:
        for tr in f.get("transforms", []):
            own = (tr["impls"].get("own") or {}).get("timing") or {}
            cu = (tr["impls"].get("cufft") or {})
            cu_t = (cu.get("timing") or {}).get("median_s")
            r = tr.get("ratio_own_over_cufft")
            lines.append(f"fft n={tr['n']:<5} rows={tr['rows']:<7} own {_ms(own.get('median_s'))} ms, "
                         f"cuFFT {_ms(cu_t) if cu.get('available', True) else cu.get('reason')}"
                         + (f", own/cuFFT {r:.2f}" if r is not None else ""))
    for k, v in record.get("targets", {}).items():
        lines.append(f"target {k}: {v}")
    return lines


def targets(bench: dict | None) -> dict:
    """The issue's GPU targets (benchmarks, not tests): met, missed, or why not measured."""
    out = {}
    if not bench:
        return {"all": "not measured (the bench step produced no results)"}
    ops_ = {o["name"]: o for o in bench.get("ops", [])}

    def ratio(op, peer):
        o = ops_.get(op)
        if not o or o["status"] != "ok":
            return None, f"not measured ({op}: {o['status'] if o else 'absent'})"
        e = next((i for i in o["impls"] if i["name"] == peer), None)
        if e is None or not e["available"]:
            return None, f"not measured ({peer} {e['reason'] if e else 'absent'})"
        r = (e.get("ratio") or {}).get("ratio")
        if r is None:
            return None, f"not measured ({peer}: {e.get('error') or 'no ratio'})"
        return r, None

    for key, op, peer, need in [
        ("stft <= torch.stft", "gpu_stft", "torch.stft (cuda)", 1.0),
        ("stft >= 10x cupyx.scipy.signal.stft", "gpu_stft", "cupyx.scipy.signal.stft", 0.1),
        ("melspectrogram <= torchaudio MelSpectrogram", "gpu_melspectrogram",
         "torchaudio MelSpectrogram (cuda)", 1.0),
        ("melspectrogram <= torch.stft + mel matmul", "gpu_melspectrogram",
         "torch.stft+mel matmul (cuda)", 1.0),
        ("wavedec >= 50x PyWavelets (host)", "gpu_wavedec", "pywt (host)", 1 / 50),
    ]:
        r, why = ratio(op, peer)
        out[key] = why if r is None else f"{'met' if r <= need else 'MISSED'} (ours/peer {r:.4f}, need <= {need:g})"
    bad = [o["name"] for o in bench.get("ops", [])
           if o.get("cpu_vs_gpu") and not o["cpu_vs_gpu"]["within_tolerance"]]
    checked = [o["name"] for o in bench.get("ops", []) if o.get("cpu_vs_gpu")]
    out["GPU result = CPU result within float32 tolerance"] = (
        f"MISSED for {', '.join(bad)}" if bad else
        (f"met ({len(checked)} operations)" if checked else "not measured"))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.gpu_check", description=__doc__.split("\n\n")[0])
    p.add_argument("--simulate", action="store_true",
                   help="dry run: Numba's CUDA simulator, tiny sizes, a few tests (what make test runs)")
    p.add_argument("--json", type=Path, help="results path (default benchmarks/results/<gpu>-<date>.json; "
                                             "a temporary file with --simulate)")
    p.add_argument("--wheels", type=Path, default=DEFAULT_WHEELS,
                   help="folder of carried wheels for missing packages (default .whl/gpu-check)")
    p.add_argument("--no-install", action="store_true", help="never pip install")
    p.add_argument("--steps", default="warm,tests,bench,fft",
                   help="comma list of warm (CPU JIT cache), tests, bench, fft")
    p.add_argument("--test-sizes", choices=("full", "small"), default="full",
                   help="small: the simulator's sizes on the GPU (a quicker test step)")
    p.add_argument("--pytest-args", default=None,
                   help="replace the test selection (a string split on spaces)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every step's time limit")
    p.add_argument("--print-download", action="store_true",
                   help="print the pip download command of the carried wheels and exit")
    args = p.parse_args(argv)

    if args.print_download:
        print(" ".join(download_command(Path(".whl/gpu-check"))))
        return 0

    t_start = time.perf_counter()
    budget = {k: v * args.scale for k, v in (BUDGET_SIM if args.simulate else BUDGET).items()}
    steps_wanted = [s.strip() for s in args.steps.split(",") if s.strip()]
    out_dir = Path(os.environ["OUT"]) if os.environ.get("OUT") and Path(os.environ["OUT"]).is_dir() else None
    log_dir = out_dir
    scratch = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    site = scratch / "site"
    paths = [_shim_dir()]
    print(f"gpu-check: {'DRY RUN under the CUDA simulator, tiny sizes' if args.simulate else 'full size'}; "
          f"python {sys.version.split()[0]} at {sys.executable}", flush=True)

    steps: dict[str, Step] = {}
    env = child_env(args.simulate, paths)
    st, info = probe(env, budget["environment"], log_dir)
    steps["environment"] = st
    mods = info.get("modules", {})
    missing = [m for m in CARRIED if not mods.get(m, {}).get("ok", False)]
    if missing and not args.no_install:
        steps["install"] = install(missing, args.wheels, site, env, budget["install"], log_dir)
        if steps["install"].status == "ok":
            paths.insert(0, site)
            env = child_env(args.simulate, paths)
            st2, info = probe(env, budget["environment"], log_dir, "environment-after-install")
            steps["environment-after-install"] = st2
            mods = info.get("modules", {})
    elif missing:
        s = Step("install")
        s.reason = (f"not attempted (--no-install); "
                    f"missing: {', '.join(missing)}")
        steps["install"] = s
    unavailable = {m: v.get("reason") for m, v in mods.items() if not v.get("ok")}
    for m, why in unavailable.items():
        print(f"unavailable: {m}: {why}", flush=True)

    gpu_ok = args.simulate or bool((info.get("gpu") or {}).get("name"))
    if not args.simulate and not gpu_ok:
        cupy_why = unavailable.get("cupy")
        print("NO USABLE GPU THROUGH CUPY: " + (f"CuPy is missing ({cupy_why}); " if cupy_why else "")
              + "dsp's GPU dispatch only takes CuPy arrays, so the tests and benchmarks on the "
                "device cannot run (the image must provide CuPy: its wheel, ~130 MiB, cannot be "
                "carried within 64 MiB).", flush=True)

    tmp = scratch
    if "warm" in steps_wanted and gpu_ok:  # CPU JIT cache, in parallel: tests and bench need it
        steps["warm"] = run_step(Step("warm"), [sys.executable, "-m", "benchmarks.gpu_ops", "warm",
                                                "--json", str(tmp / "warm.json")]
                                 + (["--simulate"] if args.simulate else []),
                                 env, budget["warm"], log_dir)
        warm = _read_json(tmp / "warm.json")
    else:
        warm = None
    tests_summary = None
    if "tests" in steps_wanted:
        if gpu_ok:
            cmd = [sys.executable, "-m", "pytest", "-m", "cudasim", "-v", "-rfEs", "-p", "no:cacheprovider",
                   "--color=no"]
            if args.pytest_args:
                cmd += args.pytest_args.split()
            elif args.simulate:
                cmd += SIM_TESTS + ["-k", SIM_K]
            else:
                cmd += ["tests/gpu"]
            tenv = dict(env)
            if args.test_sizes == "small":
                tenv["DSP_GPU_TEST_SIZES"] = "small"
            steps["tests"] = run_step(Step("tests"), cmd, tenv, budget["tests"], log_dir)
            tests_summary = pytest_summary(steps["tests"].output)
            if steps["tests"].status == "timed out":
                tests_summary["note"] = ("partial: the step was killed at its limit; "
                                         "counts cover the tests that finished")
        else:
            steps["tests"] = Step("tests")
            steps["tests"].reason = "no usable GPU (see environment)"

    bench = fft = None
    for name in ("bench", "fft"):
        if name not in steps_wanted:
            continue
        if not gpu_ok:
            steps[name] = Step(name)
            steps[name].reason = "no usable GPU (see environment)"
            continue
        part = tmp / f"{name}.json"
        cmd = [sys.executable, "-m", "benchmarks.gpu_ops", name, "--json", str(part)]
        if args.simulate:
            cmd.append("--simulate")
        steps[name] = run_step(Step(name), cmd, env, budget[name], log_dir)
        res = _read_json(part)
        if res is not None and steps[name].status != "ok":
            res["note"] = f"partial: the step {steps[name].status} ({steps[name].reason})"
        if name == "bench":
            bench = res
        else:
            fft = res

    # the record
    gpu = info.get("gpu") or {}
    device = ("CUDA simulator (numba)" if args.simulate else gpu.get("name")) or "no-gpu"
    today = dt.date.today().isoformat()
    versions = {m: (v.get("version") if v.get("ok") else f"unavailable: {v.get('reason')}")
                for m, v in mods.items()}
    record = {
        "schema": 1, "kind": "gpu-check", "simulated": args.simulate, "date": today,
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": ["python", "-m", "benchmarks.gpu_check"] + (sys.argv[1:] if argv is None else list(argv)),
        "device": device, "nvidia_smi": info.get("nvidia_smi"),
        "versions": {"python": info.get("python"), "driver": gpu.get("driver_version"),
                     "cuda_runtime": gpu.get("cuda_runtime_version"), **versions},
        "environment": info,
        "steps": {k: v.record() for k, v in steps.items()},
        "warm": warm, "tests": tests_summary, "bench": bench, "fft": fft,
    }
    record["targets"] = targets(bench) if gpu_ok and not args.simulate else {
        "all": "not assessed (dry run under the simulator: timings mean nothing)" if args.simulate
        else "not assessed (no usable GPU)"}
    record["total_elapsed_s"] = round(time.perf_counter() - t_start, 1)
    if args.json:
        path = args.json
    elif args.simulate:
        path = Path(tempfile.gettempdir()) / f"gpu-check-simulated-{today}.json"
    else:
        path = RESULTS / f"{_slug(device)}-{today}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, default=str) + "\n")
    if out_dir is not None:
        try:
            shutil.copyfile(path, out_dir / path.name)
        except OSError as exc:
            print(f"could not copy the JSON to $OUT: {exc}", file=sys.stderr)

    print("\n==== gpu-check summary ====")
    for line in summary_lines(record):
        print(line)
    print(f"total {record['total_elapsed_s']:.1f} s; results: {path}"
          + (f" (copied to $OUT)" if out_dir is not None else ""), flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    for p_ in paths:
        if p_.name.startswith("gpu-check-path-"):
            shutil.rmtree(p_, ignore_errors=True)
    # exit status 0 only when every step ran to completion and no test failed; the JSON is
    # written either way
    broken = [k for k, v in steps.items() if v.status in ("failed", "timed out")]
    return 1 if broken or not gpu_ok else 0


if __name__ == "__main__":
    sys.exit(main())
