"""Run a peer library's own test files against our functions and summarise the result.

Each suite runs in its own pytest process (the routing replaces attributes of the peer's modules
for the whole process, which must never happen inside the project's test process). The peer's
test files are located from the installed package's ``__file__`` -- nothing is downloaded.

    .venv/bin/python tests/peers/peer_runner.py pywt            # the files that reach our code
    .venv/bin/python tests/peers/peer_runner.py pywt --full     # every file of the peer's suite

The process runs with the peer's warnings policy (``filterwarnings = error``, as PyWavelets',
NumPy's and SciPy's own configurations do), its own conftest.py files, and the plugin
:mod:`peer_shim`, which routes the functions, counts per test whether our code was reached and
writes the per-test results as JSON. :func:`summarise` classifies them against the reviewed list
in :mod:`deliberate`.
"""
from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{name} is not installed: the peer suite needs its installed test files")
    return Path(spec.origin).parent


# suite -> (package whose folder is the pytest rootdir, files of the default run relative to it,
#           files of the full run, extra warning filters)
SUITES = {
    "pywt": dict(
        package="pywt",
        default=[f"tests/{f}" for f in (
            "test__pywt.py", "test_dwt_idwt.py", "test_multilevel.py", "test_swt.py",
            "test_modes.py", "test_perfect_reconstruction.py", "test_matlab_compatibility.py",
            "test_concurrent.py", "test_deprecations.py", "test_wavelet.py", "test_functions.py",
            "test_multidim.py", "test_thresholding.py", "test_cwt_wavelets.py",
        )],
        full=["tests"],
        # the ignores of PyWavelets' own pytest.ini (import noise only)
        filters=["ignore:Not importing directory", "ignore:numpy.dtype size changed",
                 "ignore:numpy.ufunc size changed", "ignore::UserWarning:cpuinfo",
                 # PyWavelets 1.8's tests use numpy.testing.suppress_warnings, deprecated in
                 # NumPy 2.4: with 'error' they fail before reaching any transform, ours or not
                 "ignore:NumPy warning suppression and assertion utilities are deprecated:DeprecationWarning"],
        # 2-D/n-D stationary round trips that never reach our code and take a minute on the
        # peer alone; they run with --full
        deselect=["tests/test_swt.py::test_swt2_iswt2_integration",
                  "tests/test_swt.py::test_swtn_iswtn_integration"],
    ),
    "pywt.packets": dict(
        package="pywt",
        default=["tests/test_wp.py", "tests/test_wp2d.py", "tests/test_wpnd.py"],
        full=["tests/test_wp.py", "tests/test_wp2d.py", "tests/test_wpnd.py"],
        filters=["ignore:NumPy warning suppression and assertion utilities are deprecated:DeprecationWarning"],
    ),
    "pywt.Wavelet": dict(
        package="pywt",
        default=["tests/test_wavelet.py"],
        full=["tests/test_wavelet.py"],
        filters=["ignore:NumPy warning suppression and assertion utilities are deprecated:DeprecationWarning"],
    ),
    "numpy.fft": dict(
        package="numpy",
        default=["fft/tests/test_pocketfft.py"],
        full=["fft/tests"],
        filters=[],
    ),
    "scipy.fft": dict(
        package="scipy",
        default=["fft/tests/test_real_transforms.py"],
        full=["fft/tests/test_real_transforms.py"],
        filters=[],
    ),
    "scipy.signal.windows": dict(
        package="scipy",
        default=["signal/tests/test_windows.py"],
        full=["signal/tests/test_windows.py"],
        filters=[],
    ),
}


def run_suite(suite: str, full: bool = False, extra_args=(), timeout: float = 1500) -> dict:
    """Run one peer suite in a subprocess; return the plugin's JSON plus the exit code and output."""
    cfg = SUITES[suite]
    root = _package_dir(cfg["package"])
    files = [str(root / f) for f in (cfg["full"] if full else cfg["default"])]
    if not full:
        extra_args = [*extra_args, *(f"--deselect={d}" for d in cfg.get("deselect", ()))]
    with tempfile.TemporaryDirectory(prefix="dsp-peers-") as tmp:
        ini = Path(tmp) / "pytest.ini"
        # the peers' test code against a newer pytest: its deprecations are not about our functions
        filters = "\n    ".join(["error", "ignore::pytest.PytestRemovedIn10Warning"] + cfg["filters"])
        ini.write_text(f"[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings =\n    {filters}\n")
        results = Path(tmp) / "results.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(HERE)] + [p for p in [env.get("PYTHONPATH")] if p])
        env["DSP_PEER_SUITE"] = suite
        env["DSP_PEER_RESULTS"] = str(results)
        cmd = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(root),
               "--confcutdir", str(root), "-p", "peer_shim", "-q", "-o", "console_output_style=classic",
               "--tb=short", *extra_args, *files]
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout)
        if not results.exists():
            raise RuntimeError(f"the {suite} suite did not report (exit {proc.returncode}):\n"
                               f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        data = json.loads(results.read_text())
    data["returncode"] = proc.returncode
    data["output"] = proc.stdout[-6000:] + proc.stderr[-2000:]
    return data


def summarise(data: dict) -> dict:
    """Counts, and the failures split into deliberate (listed, with reasons) and unexpected."""
    from deliberate import DELIBERATE

    listed = DELIBERATE.get(data["suite"], {})
    tests = data["tests"]
    reached = {k: v for k, v in tests.items() if v["calls"] > 0}
    summary = dict(
        suite=data["suite"], collected=len(tests), reached=len(reached),
        passed=sum(v["outcome"] in ("passed", "xpassed") for v in reached.values()),
        skipped=sum(v["outcome"] in ("skipped", "xfailed") for v in reached.values()),
        failed=sum(v["outcome"] == "failed" for v in tests.values()),
        not_run=sorted(k for k, v in tests.items() if v["outcome"] == "not run"),
        deliberate={}, unexpected={},
    )
    for nodeid, v in tests.items():
        if v["outcome"] != "failed":
            continue
        reason = next((r for pattern, r in listed.items() if fnmatch.fnmatchcase(nodeid, pattern)), None)
        if reason is None:
            summary["unexpected"][nodeid] = v.get("error", "")
        else:
            summary["deliberate"][nodeid] = reason
    return summary


def format_summary(s: dict) -> str:
    lines = [f"{s['suite']}: {s['collected']} collected, {s['reached']} reached our code, "
             f"{s['passed']} of those passed, {s['skipped']} skipped, {s['failed']} failed "
             f"({len(s['deliberate'])} deliberate differences, {len(s['unexpected'])} unexpected)"]
    if s["not_run"]:
        lines.append(f"  {len(s['not_run'])} collected tests did not run (a collection error?)")
    for nodeid, reason in sorted(s["deliberate"].items()):
        lines.append(f"  deliberate  {nodeid}: {reason}")
    for nodeid, err in sorted(s["unexpected"].items()):
        lines.append(f"  UNEXPECTED  {nodeid}: {err}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("suites", nargs="*", default=list(SUITES), choices=list(SUITES))
    ap.add_argument("--full", action="store_true", help="every file of the peer's test folder")
    ap.add_argument("--json", help="write the per-test results here")
    args, pytest_args = ap.parse_known_args(argv)  # the rest goes to pytest (e.g. -k, -x)
    sys.path.insert(0, str(HERE))
    status = 0
    everything = {}
    for suite in args.suites:
        data = run_suite(suite, full=args.full, extra_args=pytest_args)
        s = summarise(data)
        everything[suite] = data
        print(format_summary(s))
        status |= bool(s["unexpected"])
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
