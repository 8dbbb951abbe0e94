"""``python -m benchmarks.threading_layers``: warm speed of each Numba threading layer, nested use.

For each layer (``tbb``, ``omp``, ``workqueue``), a fresh process sets it, warms the kernels, then
times stft, melspectrogram and istft of 60 s at 22.05 kHz (float32, librosa's defaults): median of
``--repeat`` calls. It also calls stft from a pool of 4 Python threads (nested parallelism) and
records the process's OS thread count while they run, to show whether the layer oversubscribes.
Prints a table and writes the JSON given by ``--json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

LAYERS = ("tbb", "omp", "workqueue")

CHILD = r"""
import json, os, statistics, sys, time, threading
from concurrent.futures import ThreadPoolExecutor
import numba
numba.config.THREADING_LAYER = sys.argv[1]
import numpy as np, dsp
from dsp_kernels import threading_layer  # noqa: F401  (imported by dsp; the layer set above wins)
repeat = int(sys.argv[2])
y = np.random.default_rng(0).standard_normal(22050 * 60).astype(np.float32)
S = dsp.stft(y)
ops = {"stft": lambda: dsp.stft(y), "melspectrogram": lambda: dsp.melspectrogram(y=y, sr=22050),
       "istft": lambda: dsp.istft(S, length=y.size)}
out = {"layer": None, "ms": {}}
for name, f in ops.items():
    f()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    out["ms"][name] = 1e3 * statistics.median(ts)
out["layer"] = numba.threading_layer()
def count_threads():
    return len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
peak = [0]
stop = threading.Event()
def watch():
    while not stop.is_set():
        peak[0] = max(peak[0], count_threads() or 0); time.sleep(0.002)
w = threading.Thread(target=watch); w.start()
t = time.perf_counter()
with ThreadPoolExecutor(4) as ex:
    list(ex.map(lambda _: dsp.stft(y), range(8)))
nested = time.perf_counter() - t
stop.set(); w.join()
t = time.perf_counter()
for _ in range(8):
    dsp.stft(y)
serial = time.perf_counter() - t
out["nested"] = {"pool_threads": 4, "calls": 8, "pool_s": nested, "serial_s": serial,
                 "peak_os_threads": peak[0], "numba_threads": numba.get_num_threads()}
print("RESULT" + json.dumps(out))
"""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.threading_layers", description=__doc__)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    results = []
    for layer in LAYERS:
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
        proc = subprocess.run([sys.executable, "-c", CHILD, layer, str(args.repeat)], env=env,
                              capture_output=True, text=True, timeout=1800)
        line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT")]
        if proc.returncode != 0 or not line:
            results.append({"layer": layer, "error": (proc.stderr or proc.stdout)[-500:]})
            continue
        results.append(json.loads(line[0][len("RESULT"):]))
    print(f"{'layer':<10} {'stft ms':>8} {'mel ms':>8} {'istft ms':>9} {'nested/serial':>14} {'peak threads':>13}")
    for r in results:
        if "error" in r:
            print(f"{r['layer']:<10} error: {r['error'][-200:]}")
            continue
        n = r["nested"]
        print(f"{r['layer']:<10} {r['ms']['stft']:8.2f} {r['ms']['melspectrogram']:8.2f} {r['ms']['istft']:9.2f} "
              f"{n['pool_s'] / n['serial_s']:14.2f} {n['peak_os_threads']:13d}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "layers": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
