"""The GPU benchmark and FFT sections of ``make gpu-check`` (issue 23), run in a child process.

``python -m benchmarks.gpu_ops bench --json PATH [--simulate]`` times our functions on a device
batch (256 ten-second clips at 22.05 kHz) against torch/torchaudio on the same GPU,
``cupyx.scipy.signal`` and PyWavelets on the host; ``... fft --json PATH`` times our numba.cuda
FFT against cuFFT at the STFT sizes. The JSON is rewritten after every operation, so a step
killed at its time limit still leaves what it measured.

The operations are the GPU twins that :mod:`benchmarks.ops` declares beside each operation's CPU
implementations (:class:`benchmarks.registry.GpuTwin`), made runnable by
:func:`benchmarks.devices.gpu_op` at :data:`benchmarks.devices.FULL` sizes (``SIM`` under the
simulator): ``python -m benchmarks --device gpu`` runs the same ones at its profile's sizes.

Every operation records, beside the timings and ratios of :func:`benchmarks.cli.run_op` (which
does the alternating rounds and the parity against the float64 reference):

- ``transfers``: host->device of the input batch and device->host of our result, timed apart
  (the kernel timings start from device-resident input and never copy back);
- ``cpu_vs_gpu``: our GPU result against our CPU path on the same first rows, with the float32
  tolerance of ``tests/tolerances.py`` (peak-relative 1e-5) and whether it holds.

With ``--simulate`` (``NUMBA_ENABLE_CUDASIM=1``, set by the parent) the same code runs on tiny
inputs with NumPy arrays routed to the GPU kernels: peers that need a CUDA device are recorded as
unavailable with the reason, so the script is exercised end to end on any machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import harness, ops, report
from .devices import FULL, SIM, Device, Sizes, batch_of, gpu_op, profile_of
from .registry import GpuTwin, flatten, peak_relative_error_of_lists

#: the float32 tolerance of tests/tolerances.py (peak-relative), for the CPU-vs-GPU check
RTOL_F32 = 1e-5


def _nbytes(x) -> int:
    if isinstance(x, (list, tuple)):
        return sum(_nbytes(v) for v in x)
    return int(x.nbytes)


def _median_time(fn, sync, n=3) -> float:
    samples = []
    for _ in range(n):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        samples.append(time.perf_counter() - t0)
    return float(np.median(samples))


# ------------------------------------------------------------------------------------------
# the operations: the GPU twins declared in benchmarks.ops, made runnable by devices.gpu_op


def _missing_reason(impl_entry: dict) -> None:
    """Missing peers read 'unavailable: <reason>' in the JSON."""
    if not impl_entry["available"] and impl_entry["reason"]:
        r = impl_entry["reason"]
        if "<a CUDA device" in r:  # the requirement that devices.gpu_op adds under the simulator
            r = "the CUDA simulator has no CUDA device"
        impl_entry["reason"] = r if r.startswith("unavailable:") else f"unavailable: {r}"


def _extras(twin: GpuTwin, s: Sizes, dev: Device, shared: dict, entry: dict) -> None:
    """Transfers timed apart, and our GPU result against our CPU path on the first rows."""
    import dsp

    f = getattr(dsp, twin.fn)
    host = batch_of(twin, s, shared)
    x = dev.put(host)
    dev.sync()
    h2d = _median_time(lambda: dev.put(host), dev.sync)
    xin = twin.prepare(x, dev, s) if twin.prepare is not None else x
    with dev.context():
        out = twin.call(f, xin, s)
    dev.sync()
    d2h = _median_time(lambda: dev.get(out), dev.sync)
    entry["transfers"] = {
        "host_to_device_s": h2d, "host_to_device_bytes": int(host.nbytes),
        "device_to_host_s": d2h, "device_to_host_bytes": _nbytes(out),
        "note": "excluded from the kernel timings (input already on the device, result left there)",
    }
    head_gpu = [np.asarray(v)[: s.rows] for v in flatten(dev.get(out))]
    del out, xin, x
    cpu_in = host[: s.rows]
    if twin.prepare_cpu is not None:
        cpu_in = twin.prepare_cpu(cpu_in, s)
    head_cpu = flatten(twin.call(f, cpu_in, s))
    err = peak_relative_error_of_lists(head_gpu, head_cpu)
    entry["cpu_vs_gpu"] = {"rows": s.rows, "error": err, "tolerance": RTOL_F32,
                           "within_tolerance": bool(err <= RTOL_F32)}
    if twin.reference is None:  # our CPU path is then the reference
        for e in entry["impls"]:
            if e["ours"]:
                e["parity"] = {"error": err, "comparable": True, "reason": "against our CPU path"}


#: the operations that the issue's targets name go first: a step killed at its limit keeps them
ORDER = ("gpu_stft", "gpu_melspectrogram", "gpu_wavedec", "gpu_mfcc", "gpu_istft", "gpu_waverec",
         "gpu_resample", "gpu_cqt", "gpu_dwt2")


def run_bench(s: Sizes, dev: Device, json_path: Path, only=None) -> dict:
    from . import cli

    args = argparse.Namespace(repeat=None, no_memory=True, no_latency=True)
    profile = profile_of(s)
    shared: dict = {}
    gpu = [(decl.gpu, gpu_op(decl, s, dev, shared)) for decl in ops.gpu_twins()]
    gpu = sorted(((twin, op) for twin, op in gpu if not only or op.name in only or twin.fn in only),
                 key=lambda p: ORDER.index(p[1].name) if p[1].name in ORDER else len(ORDER))
    progress = report.Progress(len(gpu))
    record = {"section": "bench", "sizes": s.__dict__, "ops": []}
    for k, (twin, op) in enumerate(gpu, 1):
        progress.op_start(k, op.name)
        t0 = time.perf_counter()
        try:
            entry = cli.run_op(op, profile, args, True, progress, measure_memory=False,
                               measure_latency=False)
        except Exception as exc:  # reported, never fatal
            entry = cli._op_entry(op, profile)
            entry["status"], entry["reason"] = "error", f"{type(exc).__name__}: {exc}"
        for e in entry["impls"]:
            _missing_reason(e)
        if entry["status"] == "ok":
            try:
                _extras(twin, s, dev, shared, entry)
            except Exception as exc:
                entry["extras_error"] = f"{type(exc).__name__}: {exc}"
        entry["elapsed_s"] = time.perf_counter() - t0
        record["ops"].append(entry)
        report.write_json(record, json_path)  # partial results survive a kill at the time limit
        progress.message(f"{op.name}: {entry['status']}"
                         + (f" ({entry['reason']})" if entry["reason"] else "")
                         + f"  {entry['elapsed_s']:.1f} s")
    progress.done()
    return record


# ------------------------------------------------------------------------------------------
# our numba.cuda FFT against cuFFT at the STFT sizes


def run_fft(s: Sizes, dev: Device, json_path: Path) -> dict:
    from dsp_kernels.gpu import fft as gfft

    from .gpu import sync_for

    record = {"section": "fft", "sizes": s.__dict__, "transforms": []}
    rng = np.random.default_rng(3)
    for n in s.fft_sizes:
        t0 = time.perf_counter()
        if s.fft_rows:
            rows = s.fft_rows
        else:  # as many frames as the STFT of the batch has (hop 512): 256 x 431
            rows = s.batch * (1 + int(round(s.seconds * s.sr)) // s.hop)
        entry = {"n": n, "rows": rows, "dtype": "float32", "kind": "rfft",
                 "pow2": n & (n - 1) == 0, "impls": {}, "ratio_own_over_cufft": None}
        x_host = rng.standard_normal((min(rows, 4), n)).astype(np.float32)
        xp = np if dev.simulate else dev.cp
        x = xp.ascontiguousarray(xp.tile(dev.put(x_host), (-(-rows // x_host.shape[0]), 1))[:rows])
        timed, results = [], {}
        for backend in ("own", "cufft"):
            if backend == "cufft" and dev.simulate:
                entry["impls"][backend] = {"available": False,
                                           "reason": "unavailable: the CUDA simulator has no cuFFT"}
                continue

            def make(b=backend):
                def run():
                    prev = gfft.set_backend(b)
                    try:
                        return gfft.rfft(x, 1.0)
                    finally:
                        gfft.set_backend(prev)
                return run

            timed.append(harness.Timed(backend, make(), sync_for(dev.sync_kind)))
        harness.time_alternating(timed, repeat=s.repeat, warmup=1, budget_s=s.budget_s)
        ref = np.fft.rfft(x_host.astype(np.float64), axis=-1)
        for t in timed:
            e = {"available": True, "error": t.error, "warm_s": None if t.error else t.warm_s,
                 "timing": None if t.error else {**harness.summarize(t.samples), "number": t.number}}
            if not t.error:
                try:
                    out = dev.get(t.fn()[: x_host.shape[0]])
                    e["parity"] = peak_relative_error_of_lists(out, ref)
                    e["within_tolerance"] = bool(e["parity"] <= RTOL_F32)
                    results[t.name] = t
                except Exception as exc:
                    e["parity_error"] = f"{type(exc).__name__}: {exc}"
            entry["impls"][t.name] = e
        if "own" in results and "cufft" in results:
            entry["ratio_own_over_cufft"] = harness.paired_ratio(results["own"].samples,
                                                                 results["cufft"].samples)["ratio"]
        del x
        entry["elapsed_s"] = time.perf_counter() - t0
        record["transforms"].append(entry)
        report.write_json(record, json_path)
        own = entry["impls"].get("own", {}).get("timing") or {}
        print(f"fft n={n} rows={rows}: own {own.get('median_s')}, "
              f"own/cuFFT {entry['ratio_own_over_cufft']}  ({entry['elapsed_s']:.1f} s)",
              file=sys.stderr, flush=True)
    return record


# ------------------------------------------------------------------------------------------
# warm the CPU JIT cache in parallel, before the tests and the bench need the CPU path


class _Sizes:
    """Stands in for tests/gpu's ``device`` fixture where only its sizes are used."""

    def __init__(self, full: bool):
        self.full = full

    def size(self, small, full):
        return full if self.full else small


def _warm_one(task):
    name, dtype, full = task
    t0 = time.perf_counter()
    try:
        from tests.gpu.test_gpu_dispatch import CASES, _signal

        d = _Sizes(full)
        CASES[name](d, _signal(d, np.dtype(dtype)))
        err = None
    except Exception as exc:  # reported; the test step will say more
        err = f"{type(exc).__name__}: {exc}"[:300]
    return {"case": name, "dtype": dtype, "elapsed_s": time.perf_counter() - t0, "error": err}


def run_warm(simulate: bool, json_path: Path) -> dict:
    """Compile (or load from Numba's on-disk cache) the CPU kernels that the GPU tests compare
    with: every case of tests/gpu/test_gpu_dispatch.py on the CPU, in parallel processes. A cold
    cache costs minutes in one process (istft alone about 40 s on 2 cores) and would eat the test
    step's time; in parallel it costs about the longest single compilation."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from tests.gpu.test_gpu_dispatch import CASES

    names = ["stft", "wavedec"] if simulate else sorted(CASES)
    dtypes = ["float32"] if simulate else ["float32", "float64"]
    # the slow compilations first, so that they do not start last
    slow = ("istft", "mfcc", "melspectrogram", "stft", "rfft", "irfft", "fft")
    tasks = [(n, dt, not simulate) for n in sorted(names, key=lambda n: (n not in slow, n)) for dt in dtypes]
    workers = max(1, min(len(tasks), (os.cpu_count() or 2) - 1, 15))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as ex:
        results = list(ex.map(_warm_one, tasks))
    record = {"section": "warm", "workers": workers, "tasks": results,
              "wall_s": time.perf_counter() - t0}
    report.write_json(record, json_path)
    worst = max(results, key=lambda r: r["elapsed_s"])
    errors = [r for r in results if r["error"]]
    print(f"warm: {len(results)} CPU cases in {record['wall_s']:.1f} s on {workers} processes "
          f"(slowest {worst['case']} {worst['dtype']} {worst['elapsed_s']:.1f} s); "
          f"{len(errors)} errors", file=sys.stderr, flush=True)
    for r in errors:
        print(f"  {r['case']} {r['dtype']}: {r['error']}", file=sys.stderr)
    return record


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.gpu_ops")
    p.add_argument("section", choices=("warm", "bench", "fft"))
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--simulate", action="store_true",
                   help="tiny sizes under Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1 must be set)")
    p.add_argument("--only", action="append", help="operation names (bench)")
    args = p.parse_args(argv)
    if args.simulate and os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
        p.error("--simulate needs NUMBA_ENABLE_CUDASIM=1 in the environment")
    if args.section == "warm":  # CPU only: no device needed
        run_warm(args.simulate, args.json)
        return 0
    s = SIM if args.simulate else FULL
    dev = Device(args.simulate)
    if args.section == "bench":
        run_bench(s, dev, args.json, only=args.only)
    else:
        run_fft(s, dev, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
