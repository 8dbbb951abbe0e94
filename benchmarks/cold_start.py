"""``python -m benchmarks.cold_start``: the cold first call of each operation, and what it compiles.

Each operation runs in its own fresh process with an empty, temporary kernel cache
(``DSP_NUMBA_CACHE_DIR`` and ``NUMBA_CACHE_DIR``), on the bench's inputs (60 s at 22.05 kHz,
float32, librosa's defaults; ``rfft``: a 2048 x 2048 float32 batch; ``istft``: a C-ordered
complex64 spectrogram as ``benchmarks.data.numpy_stft`` makes it). It reports the first call's
wall time and the process CPU time it used (compilation is single-threaded, so CPU time is
the figure that a busy machine disturbs least), and, from Numba's event API
(``numba.core.event``, event ``numba:compile``), every compilation the call made: the function,
its argument types, its inclusive time and its own time (without the nested compilations of
its callees).

Examples
--------
``python -m benchmarks.cold_start --only stft --list`` prints the totals and the compilations.
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

OPS = ("stft", "istft", "melspectrogram", "mfcc", "rfft")

CHILD = r"""
import json, sys, time
import numpy as np
op = sys.argv[1]
t = time.perf_counter()
import dsp
from numba.core import event
t_import = time.perf_counter() - t
rng = np.random.default_rng(0)
y = rng.standard_normal(60 * 22050).astype(np.float32)
if op == "stft":
    call = lambda: dsp.stft(y, n_fft=2048, hop_length=512)
elif op == "istft":
    from benchmarks.data import numpy_stft
    S = numpy_stft(y, 2048, 512)
    call = lambda: dsp.istft(S, hop_length=512, length=y.size)
elif op == "melspectrogram":
    call = lambda: dsp.melspectrogram(y=y, sr=22050)
elif op == "mfcc":
    call = lambda: dsp.mfcc(y=y, sr=22050)
elif op == "rfft":
    x = rng.standard_normal((2048, 2048)).astype(np.float32)
    call = lambda: dsp.rfft(x, axis=-1)
else:
    raise SystemExit("unknown op " + op)


class Rec(event.Listener):
    # inclusive and own time of each compilation (a callee compiles inside its caller's event)
    def __init__(self):
        self.stack, self.rows = [], []

    def on_start(self, ev):
        d = ev.data
        self.stack.append([d["dispatcher"].py_func.__module__ + "." + d["dispatcher"].py_func.__qualname__,
                           str(tuple(d["args"])), time.process_time(), 0.0])

    def on_end(self, ev):
        name, sig, t0, child = self.stack.pop()
        dt = time.process_time() - t0
        if self.stack:
            self.stack[-1][3] += dt
        self.rows.append({"name": name, "sig": sig, "s": dt, "self_s": dt - child})


rec = Rec()
event.register("numba:compile", rec)
c0, w0 = time.process_time(), time.perf_counter()
call()
cpu, wall = time.process_time() - c0, time.perf_counter() - w0
print("RESULT" + json.dumps({"op": op, "import_s": t_import, "cpu_s": cpu, "wall_s": wall,
                             "compiles": rec.rows}))
"""


def measure(op: str, timeout: float = 1800.0) -> dict:
    """One cold first call of ``op`` in a fresh process with an empty cache (parent side)."""
    cache = tempfile.mkdtemp(prefix="dsp-cold-start-")
    try:
        env = dict(os.environ, DSP_NUMBA_CACHE_DIR=cache, NUMBA_CACHE_DIR=cache)
        proc = subprocess.run([sys.executable, "-c", CHILD, op], env=env, capture_output=True,
                              text=True, timeout=timeout)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT")]
    if proc.returncode != 0 or not line:
        raise RuntimeError((proc.stderr or proc.stdout)[-2000:])
    return json.loads(line[0][len("RESULT"):])


def _short(sig: str, width: int = 110) -> str:
    return sig if len(sig) <= width else sig[:width - 3] + "..."


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.cold_start", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default=",".join(OPS), help="comma-separated: " + ", ".join(OPS))
    p.add_argument("--list", action="store_true", help="print every compilation")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    results = []
    for op in args.only.split(","):
        r = measure(op)
        results.append(r)
        print(f"{op:<16} cpu {r['cpu_s']:6.1f} s  wall {r['wall_s']:6.1f} s  "
              f"{len(r['compiles'])} compilations", flush=True)
        if args.list:
            for c in sorted(r["compiles"], key=lambda c: -c["self_s"]):
                print(f"    {c['self_s']:6.2f} s own {c['s']:6.2f} s  {c['name']} "
                      f"{_short(c['sig'])}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                       "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
