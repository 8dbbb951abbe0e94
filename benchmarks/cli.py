"""``python -m benchmarks``: time our operations against their peers and record everything.

For each selected operation: build the input, make every available implementation, time them in
alternating rounds after warm-up, compute each one's parity error against the reference, then measure
peak memory and first-call latency in fresh processes. Prints a table, writes JSON and PNG plots to
benchmarks/results/.
"""
from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from . import harness, latency, memory, ops, report
from .gpu import gpu_info, gpu_status, sync_for


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time dsp/pyramids against librosa, scipy, torch, PyWavelets, scikit-image and "
                    "sentence-transformers; report ratios, parity errors, peak memory and "
                    "first-call latency.",
    )
    p.add_argument("--quick", action="store_true",
                   help="a subset on short inputs (about a minute)")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="operation or family to run (repeatable, or a comma list); see --list")
    p.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                   help="gpu adds the CuPy paths and GPU peers (needs CuPy and a CUDA GPU)")
    p.add_argument("--json", metavar="PATH", type=Path,
                   help="where to write the JSON (default benchmarks/results/<machine>-<date>.json)")
    p.add_argument("--repeat", type=int, metavar="N", help="alternating rounds per operation")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    p.add_argument("--no-latency", action="store_true", help="skip the first-call subprocesses")
    p.add_argument("--no-plots", action="store_true", help="do not write PNG plots")
    p.add_argument("--list", action="store_true", help="list operations, implementations and "
                                                        "what is available here, then exit")
    p.add_argument("--markdown", nargs="?", const="", metavar="JSON",
                   help="print the README table from a results JSON (default: the newest full "
                        "run in benchmarks/results) and exit")
    p.add_argument("--contention", action="store_true",
                   help="run with a busy neighbour: one CPU-bound process loops for the whole run "
                        "(how our threaded kernels degrade when a core is taken)")
    # tiny inputs for the test suite: every code path, seconds of work
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    return p


def _only(values) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _impl_entry(impl: ops.Impl, reason: str | None) -> dict:
    return {
        "name": impl.name, "ours": impl.is_ours, "available": reason is None, "reason": reason,
        "note": impl.note or None, "error": None, "timing": None, "ratio": None,
        "parity": None, "memory": None, "latency": None,
    }


def _op_entry(op: ops.Op, profile: ops.Profile) -> dict:
    return {
        "name": op.name, "family": op.family, "title": op.title, "device": op.device,
        "params": op.params(profile), "status": "ok", "reason": None, "reference": op.ref_label,
        "notes": list(op.notes), "ratios": {}, "impls": [],
    }


def run_op(op: ops.Op, profile: ops.Profile, args, gpu_ok: bool, progress: report.Progress, *,
           measure_memory: bool = True, measure_latency: bool = True) -> dict:
    entry = _op_entry(op, profile)
    reasons = {i.name: ops.missing(i, gpu_ok) for i in op.impls}
    for i in op.impls:
        if i.heavy and not profile.heavy and reasons[i.name] is None:
            reasons[i.name] = f"left out of the {profile.name} profile (slow import)"
    entry["impls"] = [_impl_entry(i, reasons[i.name]) for i in op.impls]
    by_name = {e["name"]: e for e in entry["impls"]}
    ours = op.ours
    if op.device == "gpu" and not gpu_ok:
        entry["status"], entry["reason"] = "skipped", "no GPU"
        return entry
    if ours is None or reasons[ours.name] is not None:
        entry["status"] = "not available yet"
        entry["reason"] = f"{ours.ours} is missing" if ours else "no implementation of ours"
        return entry

    try:
        inp = op.setup(profile)
    except Exception as exc:
        entry["status"], entry["reason"] = "error", f"input set-up failed: {type(exc).__name__}: {exc}"
        return entry

    timed: list[harness.Timed] = []
    for impl in op.impls:
        if reasons[impl.name] is not None:
            continue
        progress.step(f"preparing {impl.name}")
        try:
            fn = impl.make(inp)
            before = impl.before(inp) if impl.before is not None else None
            timed.append(harness.Timed(impl.name, fn, sync_for(impl.gpu), before=before))
        except Exception as exc:
            by_name[impl.name]["error"] = f"{type(exc).__name__}: {exc}"

    repeat = args.repeat or profile.repeat
    harness.time_alternating(timed, repeat=repeat, warmup=3, budget_s=profile.budget_s,
                             on_progress=progress.step)
    fns = {}
    for t in timed:
        e = by_name[t.name]
        e["timing"] = {**harness.summarize(t.samples), "number": t.number,
                       "warm_s": None if t.error else t.warm_s}
        if t.error:
            e["error"] = t.error
            e["timing"] = None
        else:
            fns[t.name] = t
    if ours.name not in fns:
        entry["status"] = "error"
        entry["reason"] = f"ours failed: {by_name[ours.name]['error']}"
    else:
        for name, t in fns.items():
            if name == ours.name:
                continue
            ratio = harness.paired_ratio(fns[ours.name].samples, t.samples)
            by_name[name]["ratio"] = ratio
            entry["ratios"][name] = ratio["ratio"]

    _parity(op, inp, fns, by_name, progress)
    del inp, fns, timed
    gc.collect()

    if op.device == "cpu" and not args.no_memory and profile.memory != "none" and measure_memory:
        for impl in op.impls:
            e = by_name[impl.name]
            if e["available"] and not e["error"] and (profile.memory == "all" or impl.is_ours):
                progress.step(f"peak memory of {impl.name} (fresh process)")
                e["memory"] = memory.run(op, impl, profile)
    if op.latency and not args.no_latency and profile.latency != "none" and measure_latency:
        targets = [ours]
        if profile.latency == "all" and op.latency_peer is not None:
            targets.append(op.latency_peer)
        for impl in targets:
            e = by_name[impl.name]
            if e["available"] and not e["error"]:
                if impl.is_ours and profile.latency != "ours-warm":
                    progress.step(f"first-call latency of {impl.name} (cold, then warm cache)")
                else:
                    progress.step(f"first-call latency of {impl.name} (warm cache)")
                e["latency"] = latency.run(op, impl, profile,
                                           cold=impl.is_ours and profile.latency != "ours-warm")
    for e in entry["impls"]:
        if e["error"] and e["ours"] is False:
            progress.message(f"  {op.name}: {e['name']} failed: {e['error']}")
    return entry


def _parity(op, inp, fns, by_name, progress) -> None:
    if op.reference is None:
        return
    progress.step("parity")
    try:
        ref = op.reference(inp)
    except Exception as exc:
        for e in by_name.values():
            e["parity"] = {"error": None, "comparable": True,
                           "reason": f"reference failed: {type(exc).__name__}: {exc}"}
        return
    ref = ref if isinstance(ref, list) and op.compare is not None else ops.to_numpy(ref)
    compare = op.compare or ops.peak_relative_error
    for impl in op.impls:
        e = by_name[impl.name]
        if impl.name not in fns:
            continue
        if not impl.comparable:
            e["parity"] = {"error": None, "comparable": False, "reason": impl.note or "not comparable"}
            continue
        try:
            out = fns[impl.name].fn()
            if op.parity_rows is not None:  # slice on the device: the whole batch need not come back
                out = _head(out, op.parity_rows)
            out = impl.view(out)
            err = compare(out, ref)
            e["parity"] = {"error": float(err), "comparable": True, "reason": None}
        except Exception as exc:
            e["parity"] = {"error": None, "comparable": True,
                           "reason": f"{type(exc).__name__}: {exc}"}
        finally:
            out = None


def _head(out, rows: int):
    if isinstance(out, (list, tuple)):
        return type(out)(_head(o, rows) for o in out)
    return out[:rows]


def _print_list(gpu_ok: bool, gpu_msg: str) -> None:
    for op in ops.all_ops():
        flags = [op.family]
        if op.quick:
            flags.append("quick")
        if op.device == "gpu":
            flags.append("gpu")
        print(f"{op.name:<20} {op.title}  [{', '.join(flags)}]")
        for impl in op.impls:
            why = ops.missing(impl, gpu_ok)
            print(f"    {impl.name:<34} {'ok' if why is None else why}")
    print(f"GPU: {gpu_msg}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat={args.repeat} must be >= 1")

    if args.markdown is not None:
        path = Path(args.markdown) if args.markdown else _newest_full()
        if path is None or not path.exists():
            print(f"no results JSON found ({path or report.RESULTS})", file=sys.stderr)
            return 1
        import json

        print(report.markdown(json.loads(path.read_text())))
        return 0

    gpu_ok, gpu_msg = (gpu_status() if args.device == "gpu" else (False, "not requested"))
    if args.list:
        _print_list(gpu_ok, gpu_msg if args.device == "gpu" else gpu_status()[1])
        return 0

    only = _only(args.only)
    profile = ops.PROFILES["tiny" if args.tiny else "quick" if args.quick else "full"]
    every = ops.all_ops(profile)  # the GPU section is sized by the profile too
    if only:
        known = {o.name for o in every} | {o.family for o in every}
        unknown = [n for n in only if n not in known]
        if unknown:
            parser.error(f"--only {', '.join(unknown)}: unknown; choose from {', '.join(sorted(known))}")
    selected = ops.select(every, only=only, quick=args.quick or args.tiny, device=args.device)
    if args.device == "gpu" and not gpu_ok:
        print(f"--device gpu: no usable GPU ({gpu_msg}); the GPU section is skipped and recorded "
              "as such, the CPU section runs.", file=sys.stderr)
    if not selected:
        print("no operation selected", file=sys.stderr)
        return 2

    memory_ops = _restrict(selected, profile.memory_ops)
    latency_ops = _restrict([o for o in selected if o.latency], profile.latency_ops)
    options = {"quick": args.quick, "tiny": args.tiny, "only": only, "device": args.device,
               "repeat": args.repeat or profile.repeat, "profile": profile.name,
               "memory": "none" if args.no_memory else profile.memory,
               "latency": "none" if args.no_latency else profile.latency,
               "memory_ops": sorted(memory_ops), "latency_ops": sorted(latency_ops),
               "plots": not args.no_plots, "contention": args.contention}
    command = ["python", "-m", "benchmarks"] + (sys.argv[1:] if argv is None else list(argv))
    meta = report.environment(command, options, gpu_info() if gpu_ok else None)
    if args.device == "gpu" and not gpu_ok:
        meta["gpu_skipped"] = gpu_msg
    json_path = args.json or report.default_json_path(meta, profile.name, args.device)
    if args.contention and args.json is None:
        json_path = json_path.with_name(json_path.stem + "-contention.json")
    neighbour = _busy_neighbour() if args.contention else None
    try:
        return _run_all(args, selected, profile, memory_ops, latency_ops, meta, json_path, gpu_ok)
    finally:
        if neighbour is not None:
            neighbour.kill()
            neighbour.wait()


def _busy_neighbour():
    """A CPU-bound process that spins until killed: the other tenant of a shared machine."""
    import subprocess

    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _run_all(args, selected, profile, memory_ops, latency_ops, meta, json_path, gpu_ok) -> int:

    progress = report.Progress(len(selected))
    record = {"schema": report.SCHEMA, "meta": meta, "ops": [], "plots": []}
    for k, op in enumerate(selected, 1):
        progress.op_start(k, op.name)
        try:
            entry = run_op(op, profile, args, gpu_ok, progress,
                           measure_memory=op.name in memory_ops,
                           measure_latency=op.name in latency_ops)
        except Exception as exc:  # the suite reports a broken operation and goes on
            entry = _op_entry(op, profile)
            entry["impls"] = [_impl_entry(i, None) for i in op.impls]
            entry["status"], entry["reason"] = "error", f"{type(exc).__name__}: {exc}"
        if entry["status"] != "ok":
            progress.message(f"{op.name}: {entry['status']}"
                             + (f" ({entry['reason']})" if entry["reason"] else ""))
        record["ops"].append(entry)
        report.write_json(record, json_path)  # partial results survive an interruption
    progress.done()
    meta["torch_threads"] = report.torch_threads()
    meta["numba_threading_layer"] = report.numba_threading_layer()

    if not args.no_plots:
        try:
            from . import plots

            record["plots"] = [str(p) for p in plots.make_all(record, json_path, profile)]
        except Exception as exc:
            record["plots_error"] = f"{type(exc).__name__}: {exc}"
            print(f"plots failed: {record['plots_error']}", file=sys.stderr)
    report.write_json(record, json_path)
    print(report.table(record))
    print(f"\nresults: {json_path}")
    for p in record["plots"]:
        print(f"plot:    {p}")
    return 0


def _restrict(selected: list[ops.Op], names) -> set[str]:
    """The selected operations whose fresh-process measurements run under this profile."""
    chosen = [o.name for o in selected if names is None or o.name in names]
    return set(chosen or [o.name for o in selected[:1]])


def _newest_full() -> Path | None:
    files = [p for p in report.RESULTS.glob("*.json")
             if not p.stem.endswith(("-quick", "-tiny", "-quick-gpu", "-tiny-gpu"))]
    files.sort(key=lambda p: p.stat().st_mtime)
    return files[-1] if files else report.latest_json()
