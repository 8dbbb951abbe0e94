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
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.gpu_check_report import (  # noqa: F401  (re-exported: tests use them from here)
    _read_json,
    _slug,
    pytest_summary,
    summary_lines,
    targets,
)
from benchmarks.gpu_check_steps import (  # noqa: F401  (re-exported: tests use them from here)
    CARRIED,
    DOWNLOAD,
    PLATFORMS,
    ROOT,
    Step,
    _shim_dir,
    child_env,
    download_command,
    install,
    probe,
    run_step,
)

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
