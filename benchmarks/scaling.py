"""``python -m benchmarks.scaling``: how cost grows, ours and the peer's in the same run.

For stft, melspectrogram, wavedec and resample (22.05 -> 16 kHz; the 16 kHz batches -> 8 kHz), against librosa (pywt for
wavedec, librosa's soxr_hq for resample):

* **length**: 1 s to 1 h at 22.05 kHz, float32, log-spaced: time (alternating runs) and peak
  memory (a fresh process per point, :func:`benchmarks.memory.measure`), beside the size of the
  input plus the output;
* **n_fft** (stft and melspectrogram, 60 s, hop n_fft/4, so the samples transformed stay the
  same and only the log n of the FFT grows): 256 ... 16384, plus a prime (4099), a smooth odd
  size (3375 = 15**3) and 882 (20 ms at 44.1 kHz: 2 * 3**2 * 7**2), plotted as marks beside
  the powers of two;
* **batch**: 1 ... 256 rows of 1 s at 16 kHz;
* **threads**: ours with 1 and with 2 Numba threads (60 s).

The slope of a least-squares line through log(time) against log(size) says how cost grows
(about 1 in length; n log n in n_fft shows as a slope a little above 1 per frame-sample). For
stft the memory-bandwidth floor is printed: the time of one copy of an array the size of the
output, in 41 rounds paired with the stft in each of five fresh processes (the copy's speed is
a draw per process here), and the quartiles of the per-round ratio; and its
FFTs at the fastest single-thread rate of any library here (ours, MKL through torch.fft,
pocketfft) on batches of 256 frames, divided over the threads. That rate includes
each call's writing of its 2 MB output, so it is not a floor: the stft kernel without its
stores beats it (docs/spectral.md, stop 39). Writes
``benchmarks/results/scaling-<machine>-<date>.json`` and one PNG per operation next to it.

Examples
--------
.. code-block:: console

    $ python -m benchmarks.scaling --quick     # up to 64 s, a few n_fft: about a minute
    $ python -m benchmarks.scaling             # up to 1 h (several minutes; make bench runs it)
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from . import child, data
from .report import RESULTS, environment, write_json

SR = 22050
OPS = ("stft", "melspectrogram", "wavedec", "resample")
PEER = {"stft": "librosa", "melspectrogram": "librosa", "wavedec": "pywt", "resample": "librosa soxr_hq"}
FULL = {"seconds": [1, 4, 16, 64, 256, 1024, 3600], "memory_seconds": [16, 256, 3600],
        "n_fft": [256, 512, 1024, 2048, 4096, 8192, 16384, 882, 3375, 4099], "batch": [1, 4, 16, 64, 256]}
QUICK = {"seconds": [1, 4, 16, 64], "memory_seconds": [16, 64], "n_fft": [256, 2048, 4099],
         "batch": [1, 16]}


def _target(sr: int) -> int:
    """Resampling goes to 16 kHz (from 16 kHz itself, to 8 kHz)."""
    return 8000 if sr == 16000 else 16000


def make_call(op: str, impl: str, y: np.ndarray, sr: int, n_fft: int = 2048):
    """The timed call of ``impl`` ('ours' or 'peer') of ``op`` on ``y``."""
    hop = n_fft // 4
    if impl == "ours":
        import dsp

        return {"stft": lambda: dsp.stft(y, n_fft=n_fft, hop_length=hop),
                "melspectrogram": lambda: dsp.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop),
                "wavedec": lambda: dsp.wavedec(y, "db4", level=5),
                "resample": lambda: dsp.resample(y, orig_sr=sr, target_sr=_target(sr))}[op]
    if op == "wavedec":
        import pywt

        return lambda: pywt.wavedec(y, "db4", level=5)
    import librosa

    return {"stft": lambda: librosa.stft(y, n_fft=n_fft, hop_length=hop),
            "melspectrogram": lambda: librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop),
            "resample": lambda: librosa.resample(y, orig_sr=sr, target_sr=_target(sr), res_type="soxr_hq")}[op]


def _alternate(f_ours, f_peer, rounds: int, swap: bool = False) -> tuple[list, list]:
    """Seconds of ``rounds`` calls of each, in alternating runs (``swap``: which goes first
    alternates from round to round too)."""
    a, b = [], []
    for r in range(rounds):
        pair = ((f_peer, b), (f_ours, a)) if swap and r % 2 else ((f_ours, a), (f_peer, b))
        for f, times in pair:
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
    return a, b


def _time_pair(f_ours, f_peer, budget_s: float = 4.0) -> tuple[float, float]:
    """Median seconds of each, in alternating runs: one untimed warm-up call each, one timed
    pair that sizes the rounds, then as many rounds as the budget allows (at least 2, at most 9)."""
    f_ours()  # the warm-up: a first call may compile, and must not set the number of rounds
    f_peer()
    once = sum(t[0] for t in _alternate(f_ours, f_peer, 1))
    a, b = _alternate(f_ours, f_peer, int(min(9, max(2, budget_s / max(once, 1e-6)))))
    return float(np.median(a)), float(np.median(b))


def _paired_ratio(f_ours, f_peer, rounds: int = 41) -> dict:
    """``f_ours`` against ``f_peer`` in ``rounds`` pairs, which of the two goes first alternating
    from round to round: the medians of each and the quartiles of the per-round ratio. For the
    stft's bandwidth floor (:func:`copy_floor`), whose copy's time moves from process to process
    on this machine (1.2-1.7 ms between the runs of stop 52), so that the spread of the ratio is
    reported beside it; nine rounds (:func:`_time_pair`'s at most) left that spread unknown.
    The rounds' seconds are returned too (``ours_rounds``, ``copy_rounds``)."""
    f_ours()  # warm-up, as in _time_pair
    f_peer()
    a, b = _alternate(f_ours, f_peer, rounds, swap=True)
    ratio = np.array(a) / np.array(b)
    return {"ours_s": float(np.median(a)), "copy_s": float(np.median(b)), "rounds": rounds,
            "ratio_q25": float(np.percentile(ratio, 25)), "ratio_median": float(np.median(ratio)),
            "ratio_q75": float(np.percentile(ratio, 75)), "ours_rounds": a, "copy_rounds": b}


def slope(xs, ts) -> float | None:
    """Least-squares slope of log(t) against log(x) (None with fewer than 2 points)."""
    pts = [(math.log(x), math.log(t)) for x, t in zip(xs, ts) if t and t > 0]
    if len(pts) < 2:
        return None
    x, y = np.array(pts).T
    return float(np.polyfit(x, y, 1)[0])


def _signal(seconds, sr=SR):
    return data.music(seconds, sr, np.float32)


def child_measure(op: str, impl: str, seconds: str) -> dict:
    """Child side (``python -m benchmarks.child scaling OP IMPL SECONDS``): peak memory of one
    call, or for OP ``stft_floor`` the stft's paired rounds against one copy of its output."""
    y = _signal(float(seconds))
    if op == "stft_floor":
        out = make_call("stft", impl, y, SR)()
        buf = np.empty_like(out)
        return {"output_mb": out.nbytes / 2**20,
                **_paired_ratio(make_call("stft", impl, y, SR), lambda: np.copyto(buf, out))}
    from . import memory

    return memory.measure(make_call(op, impl, y, SR))


def copy_floor(processes: int, progress=print) -> dict:
    """The stft of 60 s against one copy of its output, 41 paired rounds in each of
    ``processes`` fresh processes: the copy's time is a draw per process on this machine (1.1
    to 1.6 ms within minutes, stop 54, while the stft moved less), so one process's ratio says
    as much about that draw as about the stft. Reported: the medians over all rounds, the
    quartiles of all per-round ratios, and each process's median ratio."""
    runs = []
    for i in range(processes):
        r = child.spawn("scaling", "stft_floor", "ours", "60", timeout=600)
        if "error" in r:
            progress(f"stft floor, process {i + 1}: {r['error']}")
            continue
        runs.append(r)
        progress(f"stft floor, process {i + 1}: ours {r['ours_s'] * 1e3:.2f} ms, copy {r['copy_s'] * 1e3:.2f} ms, "
                 f"per-round ratio median {r['ratio_median']:.2f}")
    if not runs:
        return {"seconds": 60, "error": "no floor process succeeded"}
    a = np.concatenate([r["ours_rounds"] for r in runs])
    b = np.concatenate([r["copy_rounds"] for r in runs])
    ratio = a / b
    return {"seconds": 60, "output_mb": runs[0]["output_mb"], "processes": len(runs), "rounds": runs[0]["rounds"],
            "ours_s": float(np.median(a)), "copy_s": float(np.median(b)),
            "ratio_q25": float(np.percentile(ratio, 25)), "ratio_median": float(np.median(ratio)),
            "ratio_q75": float(np.percentile(ratio, 75)),
            "process_ratios": [r["ratio_median"] for r in runs]}


def _memory(op, impl, seconds):
    r = child.spawn("scaling", op, impl, str(seconds), env={"MALLOC_MMAP_THRESHOLD_": "131072"},
                    timeout=900)
    return r.get("peak_rss_delta_mb"), r.get("error")


def _io_mb(op, y, out) -> float:
    outs = out if isinstance(out, (list, tuple)) else [out]
    return (y.nbytes + sum(np.asarray(o).nbytes for o in outs)) / 2**20


def run(grid: dict, progress=print) -> dict:
    import numba

    res = {op: {} for op in OPS}
    for op in OPS:
        rows = []
        for s in grid["seconds"]:
            y = _signal(s)
            t_o, t_p = _time_pair(make_call(op, "ours", y, SR), make_call(op, "peer", y, SR))
            rows.append({"seconds": s, "ours_s": t_o, "peer_s": t_p,
                         "io_mb": _io_mb(op, y, make_call(op, "ours", y, SR)())})
            progress(f"{op:15s} {s:6g} s   ours {t_o * 1e3:9.2f} ms   {PEER[op]} {t_p * 1e3:9.2f} ms")
        for r in rows:
            if r["seconds"] in grid["memory_seconds"]:
                r["ours_mb"], err_o = _memory(op, "ours", r["seconds"])
                r["peer_mb"], err_p = _memory(op, "peer", r["seconds"])
                if err_o or err_p:
                    r["memory_error"] = err_o or err_p
                progress(f"{op:15s} {r['seconds']:6g} s   peak MB ours {r['ours_mb']}  peer {r['peer_mb']}  "
                         f"(input + output {r['io_mb']:.1f} MB)")
        res[op]["length"] = rows
        res[op]["slope_length"] = {"ours": slope([r["seconds"] for r in rows], [r["ours_s"] for r in rows]),
                                   "peer": slope([r["seconds"] for r in rows], [r["peer_s"] for r in rows])}
        if op in ("stft", "melspectrogram"):
            y = _signal(60)
            pts = []
            for n in grid["n_fft"]:
                t_o, t_p = _time_pair(make_call(op, "ours", y, SR, n), make_call(op, "peer", y, SR, n))
                pts.append({"n_fft": n, "ours_s": t_o, "peer_s": t_p})
                progress(f"{op:15s} n_fft {n:6d}   ours {t_o * 1e3:9.2f} ms   {PEER[op]} {t_p * 1e3:9.2f} ms")
            res[op]["n_fft"] = pts
        pts = []
        for b in grid["batch"]:
            y = np.ascontiguousarray(np.stack([_signal(1.0, 16000)] * b))
            t_o, t_p = _time_pair(make_call(op, "ours", y, 16000, 400), make_call(op, "peer", y, 16000, 400))
            pts.append({"batch": b, "ours_s": t_o, "peer_s": t_p})
            progress(f"{op:15s} batch {b:4d}    ours {t_o * 1e3:9.2f} ms   {PEER[op]} {t_p * 1e3:9.2f} ms")
        res[op]["batch"] = pts
        res[op]["slope_batch"] = {k: slope([p["batch"] for p in pts], [p[f"{k}_s"] for p in pts])
                                  for k in ("ours", "peer")}
        y = _signal(60)
        f = make_call(op, "ours", y, SR)
        threads = {}
        prev = numba.get_num_threads()
        for n in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(n)
            threads[n], _ = _time_pair(f, lambda: None)
        numba.set_num_threads(prev)
        res[op]["threads"] = {str(k): v for k, v in threads.items()}
        progress(f"{op:15s} threads   " + "   ".join(f"{k}: {v * 1e3:.2f} ms" for k, v in threads.items()))
    fl = res["stft"]["bandwidth_floor"] = copy_floor(grid.get("floor_processes", 5), progress)
    if "error" not in fl:
        progress(f"stft 60 s: one copy of its {fl['output_mb']:.1f} MB output takes {fl['copy_s'] * 1e3:.2f} ms "
                 f"(the memory-bandwidth floor); ours {fl['ours_s'] * 1e3:.2f} ms; per-round ratios "
                 f"{fl['ratio_q25']:.2f} / {fl['ratio_median']:.2f} / {fl['ratio_q75']:.2f} (quartiles, "
                 f"{fl['processes']} processes)")
    from dsp._stft_params import n_frames

    res["stft"]["fft_floor"] = fft_floor(n_frames(60 * SR, 2048, 512, True), 2048,
                                         min(2, numba.config.NUMBA_NUM_THREADS))
    fft = res["stft"]["fft_floor"]
    progress(f"stft 60 s: its {fft['n_frames']} FFTs at the fastest library's rate on 256 frames a call "
             f"({fft['fastest']}, {fft['per_transform_s'][fft['fastest']] * 1e6:.2f} us a transform on one "
             f"thread, stores included), on {fft['threads']} threads: {fft['floor_s'] * 1e3:.2f} ms")
    return res


def fft_floor(n_frames: int, n_fft: int, threads: int) -> dict:
    """``n_frames`` real FFTs of ``n_fft`` points at the fastest single-thread rate of any
    library here (ours, MKL through torch.fft, pocketfft through scipy.fft), called on 256
    frames at a time, divided over ``threads`` threads. Each call writes its output (2 MB for
    n_fft 2048), so this is a library-call rate, not an arithmetic floor (module notes)."""
    import numba
    import scipy.fft

    import dsp

    x = np.random.default_rng(0).standard_normal((256, n_fft)).astype(np.float32)
    calls = {"dsp": lambda: dsp.rfft(x, axis=-1), "scipy.fft": lambda: scipy.fft.rfft(x, axis=-1, workers=1)}
    try:
        import torch

        tx = torch.from_numpy(x)
        calls["torch.fft (MKL)"] = lambda: torch.fft.rfft(tx, dim=-1)
        prev_torch = torch.get_num_threads()
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    prev = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        per = {}
        for name, f in calls.items():
            f()
            per[name] = min(_timed(f) for _ in range(50)) / x.shape[0]
    finally:
        numba.set_num_threads(prev)
        if torch is not None:
            torch.set_num_threads(prev_torch)
    fastest = min(per, key=per.get)
    return {"n_frames": n_frames, "n_fft": n_fft, "threads": threads, "per_transform_s": per,
            "fastest": fastest, "floor_s": per[fastest] * n_frames / threads}


def _timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def plot(res: dict, stem: Path) -> list[Path]:
    """One PNG per operation: time and memory against length, time against n_fft and batch."""
    from .plots import _plt

    plt = _plt()
    paths = []
    for op in OPS:
        r = res[op]
        panels = [k for k in ("length", "memory", "n_fft", "batch") if k != "n_fft" or "n_fft" in r]
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6))
        for ax, k in zip(axes, panels):
            if k == "memory":
                pts = [p for p in r["length"] if p.get("ours_mb") is not None]
                xs = [p["seconds"] for p in pts]
                ax.loglog(xs, [max(p["ours_mb"], 1e-2) for p in pts], "o-", label="dsp")
                ax.loglog(xs, [max(p["peer_mb"] or 1e-2, 1e-2) for p in pts], "s--", label=PEER[op])
                ax.loglog(xs, [p["io_mb"] for p in pts], ":", color="gray", label="input + output")
                ax.set_xlabel("signal length (s)")
                ax.set_ylabel("peak memory (MB)")
            else:
                key = {"length": "seconds"}.get(k, k)
                pts = sorted(r[k], key=lambda p: p[key])
                # n_fft: the line and its slope over powers of two; the prime and odd sizes as marks
                odd = [p for p in pts if k == "n_fft" and p[key] & (p[key] - 1)]
                pts = [p for p in pts if p not in odd]
                xs = [p[key] for p in pts]
                for impl, style, name in (("ours", "o-", "dsp"), ("peer", "s--", PEER[op])):
                    s = slope(xs, [p[f"{impl}_s"] for p in pts])
                    line = ax.loglog(xs, [p[f"{impl}_s"] * 1e3 for p in pts], style,
                                     label=f"{name} (slope {s:.2f})" if s is not None else name)
                    if odd:
                        ax.loglog([p[key] for p in odd], [p[f"{impl}_s"] * 1e3 for p in odd], "x",
                                  ms=9, color=line[0].get_color(), label=f"{name}, odd/prime n_fft")
                ax.set_xlabel({"length": "signal length (s)", "n_fft": "n_fft", "batch": "batch (1 s clips)"}[k])
                ax.set_ylabel("time (ms)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
        fig.suptitle(f"{op}: how cost grows")
        fig.tight_layout()
        path = Path(f"{stem}-{op}.png")
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)
    return paths


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="up to 64 s and a few n_fft (about a minute)")
    p.add_argument("--json", default=None, help="default benchmarks/results/scaling-<machine>-<date>.json")
    p.add_argument("--no-plots", action="store_true")
    args = p.parse_args(argv)
    meta = environment(["python", "-m", "benchmarks.scaling"] + (argv or []), vars(args), None)
    res = run(QUICK if args.quick else FULL)
    path = Path(args.json) if args.json else RESULTS / f"scaling-{meta['machine']}-{meta['date']}{'-quick' if args.quick else ''}.json"
    write_json({"meta": meta, "grid": QUICK if args.quick else FULL, "results": res}, path)
    print(f"results: {path}")
    if not args.no_plots:
        for png in plot(res, path.with_suffix("")):
            print(f"plot: {png}")
    print(summary(res))
    return 0


def summary(res: dict) -> str:
    """The README's lines: slopes in length and batch, the 1 h point, the stft floor."""
    lines = ["| operation | slope in length (ours / peer) | slope in batch (ours / peer) | longest: ours / peer time, peak MB ours / peer / input+output |",
             "|---|---|---|---|"]
    for op in OPS:
        r = res[op]
        last = r["length"][-1]
        mem = next((p for p in reversed(r["length"]) if p.get("ours_mb") is not None), None)
        mem_txt = (f"{mem['ours_mb']:.0f} / {mem['peer_mb']:.0f} / {mem['io_mb']:.0f} MB at {mem['seconds']:g} s"
                   if mem and mem.get("peer_mb") is not None else "-")
        fmt = lambda d: " / ".join("-" if d[k] is None else f"{d[k]:.2f}" for k in ("ours", "peer"))  # noqa: E731
        lines.append(f"| {op} | {fmt(r['slope_length'])} | {fmt(r['slope_batch'])} | "
                     f"{last['ours_s'] / last['peer_s']:.2f}x at {last['seconds']:g} s; {mem_txt} |")
    fl = res["stft"]["bandwidth_floor"]
    if "error" in fl:
        return "\n".join(lines + [f"\nstft of 60 s against one copy of its output: {fl['error']}"])
    per = (f" in each of {fl['processes']} processes (their medians "
           + " / ".join(f"{r:.2f}" for r in fl["process_ratios"]) + ")" if "processes" in fl else "")
    spread = (f"; per-round ratios {fl['ratio_q25']:.2f} / {fl['ratio_median']:.2f} / {fl['ratio_q75']:.2f}, "
              f"quartiles of {fl['rounds']} rounds{per}" if "ratio_median" in fl else "")
    lines.append(f"\nstft of 60 s: {fl['ours_s'] * 1e3:.2f} ms; one copy of its {fl['output_mb']:.0f} MB output "
                 f"{fl['copy_s'] * 1e3:.2f} ms (ours = {fl['ours_s'] / fl['copy_s']:.1f}x the floor{spread})")
    fft = res["stft"].get("fft_floor")
    if fft:
        lines.append(f"its {fft['n_frames']} FFTs at the fastest library's rate on 256 frames a call "
                     f"({fft['fastest']}, {fft['per_transform_s'][fft['fastest']] * 1e6:.2f} us each on one "
                     f"thread, each call's stores included) on {fft['threads']} threads: "
                     f"{fft['floor_s'] * 1e3:.2f} ms = {fft['floor_s'] / fl['copy_s']:.1f}x the copy")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
