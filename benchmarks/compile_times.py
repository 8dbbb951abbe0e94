"""``python -m benchmarks.compile_times``: cold compile time of every kernel, per operation and dtype.

Runs ``dsp._warmup`` in one fresh process (``--jobs 1``: the times do not overlap) with an empty,
temporary kernel cache, so each figure is what the first call of that operation pays in a fresh
container: the kernels that a public function of that dtype reaches, compiled. Operations share
kernels (the FFT is compiled by the first operation that needs it), so they run in the fixed
order of :data:`dsp._warmup.OPERATIONS`. A second fresh process then times the same calls with
the cache warm (loading instead of compiling). Writes ``--json`` and prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
t = time.perf_counter()
import dsp
t_import = time.perf_counter() - t
from dsp._warmup import warmup
times = warmup(dtypes=sys.argv[1].split(","), jobs=1, progress=lambda line: None)
times["import dsp"] = t_import
print("RESULT" + json.dumps(times))
"""


def _child(dtypes: str, cache: str) -> dict:
    env = dict(os.environ, DSP_NUMBA_CACHE_DIR=cache, NUMBA_CACHE_DIR=cache)
    proc = subprocess.run([sys.executable, "-c", CHILD, dtypes], env=env, capture_output=True,
                          text=True, timeout=3600)
    line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT")]
    if proc.returncode != 0 or not line:
        raise RuntimeError((proc.stderr or proc.stdout)[-2000:])
    return json.loads(line[0][len("RESULT"):])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.compile_times", description=__doc__)
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    cache = tempfile.mkdtemp(prefix="dsp-compile-times-")
    try:
        cold = _child(args.dtypes, cache)
        warm = _child(args.dtypes, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"{'operation/dtype':<26} {'cold s':>8} {'warm s':>8}")
    for k in cold:
        print(f"{k:<26} {cold[k]:8.2f} {warm.get(k, float('nan')):8.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
                       "cold_s": cold, "warm_s": warm}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
