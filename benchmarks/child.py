"""Child processes for the measurements that need a fresh interpreter (peak memory, first-call latency).

``python -m benchmarks.child MODE OP IMPL PROFILE`` rebuilds the op's input with NumPy only, then
measures and prints one JSON line. Nothing but NumPy and the benchmark package is imported before
the measurement starts, so the library under test is imported (and timed) by the measurement.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "BENCH-RESULT "


def spawn(mode: str, op: str, impl: str, profile: str, *, env: dict | None = None,
          timeout: float = 300.0) -> dict:
    """Run a child and return its result, or ``{'error': ...}`` (never raises)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH")]))
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "benchmarks.child", mode, op, impl, profile]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            result = json.loads(line[len(MARK):])
            result["process_s"] = wall
            return result
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": f"child exited with {proc.returncode}: " + " | ".join(tail)}


def main(argv: list[str]) -> int:
    mode, op_name, impl_name, profile_name = argv
    if mode == "scaling":  # benchmarks.scaling's points: PROFILE is the signal's length in seconds
        from .scaling import child_measure

        try:
            result = child_measure(op_name, impl_name, profile_name)
        except Exception as exc:
            result = {"error": f"{type(exc).__name__}: {exc}"}
        print(MARK + json.dumps(result), flush=True)
        return 0
    from . import ops
    from .gpu import sync_for

    op = ops.get_op(op_name)
    impl = next(i for i in op.impls if i.name == impl_name)
    inp = op.setup(ops.PROFILES[profile_name])
    try:
        if mode == "latency":
            from . import latency

            # resolved after the call, so importing cupy/torch for the sync is not taken out of import_s
            sync = (lambda: sync_for(impl.gpu)()) if impl.gpu else None
            result = latency.measure(impl.make, inp, sync)
        elif mode == "memory":
            from . import memory

            fn = impl.make(inp)
            result = memory.measure(fn, sync_for(impl.gpu))
        else:
            raise ValueError(f"unknown mode {mode!r}")
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(MARK + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
