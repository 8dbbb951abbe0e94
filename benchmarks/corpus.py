"""``python -m benchmarks.corpus``: corpus extraction end to end, dsp.corpus on Dask vs librosa + joblib.

The bench generates its own corpus (cached): ``--clips`` clips of 5-15 s, WAV/FLAC/OGG in turn,
at 16 / 22.05 / 44.1 kHz, about 0.5 % of them broken (garbage, empty, truncated). Both sides do the
same work per file: decode, resample to 16 kHz, log-mel (64 bands, n_fft 400, hop 160, top_db 80)
and MFCC (20) computed from the signal, and write the result:

* ours: ``dsp.corpus.extract`` on a ``LocalCluster`` of ``--workers`` single-threaded processes,
  into the Zarr + Parquet store;
* peer: ``joblib.Parallel(n_jobs=--workers)`` over ``librosa.load`` + ``librosa.feature``, one
  ``.npy`` per feature and file.

Reported: files/s and audio hours/s (wall clock, cluster start included and excluded), the ratio,
the tasks' share of workers x wall (1 - it bounds the scheduling overhead), 1 vs N workers
(scaling efficiency), peak resident memory per worker, and the projected cost of 10^7 clips.
Writes ``benchmarks/results/corpus-<machine>-<date>.json``.

Run ``python -m dsp warmup`` first so that workers load compiled kernels instead of compiling.

Examples
--------
.. code-block:: console

    $ python -m benchmarks.corpus --clips 2000 --workers 2 --scaling
    $ python -m benchmarks.corpus --clips 40 --no-peer          # a sanity run
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # one thread per process on both sides (set before any import)

CONFIG = {"logmel": {"n_fft": 400, "hop_length": 160, "n_mels": 64, "top_db": 80.0},
          "mfcc": {"n_fft": 400, "hop_length": 160, "n_mels": 64, "n_mfcc": 20}}
SR = 16000


def make_corpus(folder: Path, n: int, seed: int = 0) -> Path:
    """``n`` clips (cached: a folder with a ``done`` marker is reused)."""
    import soundfile as sf

    if (folder / "done").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    n_bad = max(3, n // 200)
    for i in range(n):
        sub = folder / f"{i // 500:03d}"
        sub.mkdir(exist_ok=True)
        if i % (n // n_bad) == n // n_bad - 1 and i < n_bad * (n // n_bad):
            kind = (i // (n // n_bad)) % 3
            path = sub / f"clip-{i:06d}-broken.{('wav', 'flac', 'ogg')[kind]}"
            path.write_bytes((b"RIFF\x24\x00\x00\x00WAVEjunk" * 4, b"", b"OggS" + bytes(100))[kind])
            continue
        sr = (16000, 22050, 44100)[i % 3]
        fmt = ("wav", "flac", "ogg")[(i // 3) % 3]
        seconds = rng.uniform(5, 15)
        t = np.arange(int(sr * seconds)) / sr
        f0 = rng.uniform(100, 2000)
        y = 0.3 * np.sin(2 * np.pi * f0 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.5 * t)) + 0.05 * rng.standard_normal(t.size)
        sf.write(sub / f"clip-{i:06d}.{fmt}", y.astype(np.float32), sr)
    (folder / "done").write_text(str(n))
    return folder


def _librosa_one(path, out_dir):
    import librosa

    try:
        y, sr = librosa.load(path, sr=SR)
        if y.size == 0:
            raise ValueError("empty")
        lm = CONFIG["logmel"]
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=lm["n_fft"], hop_length=lm["hop_length"],
                                           n_mels=lm["n_mels"])
        logmel = librosa.power_to_db(S, top_db=lm["top_db"])
        mfcc = librosa.feature.mfcc(y=y, sr=sr, **CONFIG["mfcc"])
    except Exception as exc:
        return 0.0, f"{type(exc).__name__}: {exc}"
    stem = Path(out_dir) / Path(path).stem
    np.save(f"{stem}.logmel.npy", logmel)
    np.save(f"{stem}.mfcc.npy", mfcc)
    return y.size / sr, None


def run_peer(clips: Path, out: Path, workers: int) -> dict:
    from joblib import Parallel, delayed

    from dsp.corpus.inputs import items_from

    paths = [it.path for it in items_from(clips)]
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    res = Parallel(n_jobs=workers)(delayed(_librosa_one)(p, str(out)) for p in paths)
    wall = time.perf_counter() - t0
    seconds = sum(s for s, _ in res)
    return {"files": len(paths), "failed": sum(e is not None for _, e in res), "wall_s": wall,
            "files_per_s": len(paths) / wall, "hours_per_s": seconds / 3600 / wall, "audio_h": seconds / 3600}


def run_ours(clips: Path, out: Path, workers: int, batch_files: int | None) -> dict:
    from dsp.corpus import extract
    from dsp.corpus.inputs import items_from

    n = len(items_from(clips))
    batch = batch_files or int(min(1000, max(20, math.ceil(n / (workers * 8)))))
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    run = extract(clips, out, config=CONFIG, sr=SR, workers=workers, batch_files=batch)
    wall = time.perf_counter() - t0
    n_done = run.ok + run.failed
    return {"files": n_done, "failed": run.failed, "batch_files": batch, "workers": run.workers,
            "wall_s": wall, "files_per_s": n_done / wall, "hours_per_s": run.seconds / 3600 / wall,
            "audio_h": run.seconds / 3600, "startup_s": run.startup_s, "compute_wall_s": run.wall_s,
            "files_per_s_after_startup": run.files_per_s, "utilization": run.utilization,
            "overhead_bound": 1 - run.utilization, "peak_rss_per_worker_mb": run.peak_rss / 1e6,
            "store_mb": sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6}


def project(files_per_s_per_worker: float, efficiency: float) -> dict:
    """Hours for 10^7 clips at this per-worker rate, for a few worker counts (efficiency held)."""
    out = {}
    for w in (2, 16, 64, 256):
        rate = files_per_s_per_worker * w * (efficiency if w > 1 else 1.0)
        out[str(w)] = 1e7 / rate / 3600 if rate > 0 else None
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.split("\n\n")[0])
    p.add_argument("--clips", type=int, default=2000, help="clips in the generated corpus (default 2000)")
    p.add_argument("--workers", type=int, default=2, help="worker processes on both sides (default 2)")
    p.add_argument("--batch-files", type=int, default=None, help="files per task (default: ~8 tasks a worker)")
    p.add_argument("--data", type=Path, default=None,
                   help="where the corpus is generated and cached (default: $TMPDIR/dsp-corpus-bench-<clips>)")
    p.add_argument("--no-peer", action="store_true", help="skip librosa + joblib")
    p.add_argument("--scaling", action="store_true", help="also run ours on 1 worker (scaling efficiency)")
    p.add_argument("--json", type=Path, default=None, help="result file (default benchmarks/results/corpus-...)")
    args = p.parse_args(argv)
    data = args.data or Path(tempfile.gettempdir()) / f"dsp-corpus-bench-{args.clips}"
    t0 = time.perf_counter()
    clips = make_corpus(data / "clips", args.clips)
    print(f"corpus: {args.clips} clips in {clips} ({time.perf_counter() - t0:.0f} s)", flush=True)
    result = {"clips": args.clips, "workers": args.workers, "config": CONFIG, "sr": SR}
    result["ours"] = run_ours(clips, data / "store", args.workers, args.batch_files)
    print("ours:", json.dumps(result["ours"]), flush=True)
    if args.scaling and args.workers > 1:
        one = run_ours(clips, data / "store-1", 1, args.batch_files)
        result["ours_1_worker"] = one
        result["scaling_efficiency"] = (result["ours"]["files_per_s_after_startup"]
                                        / (args.workers * one["files_per_s_after_startup"]))
        print("ours, 1 worker:", json.dumps(one), flush=True)
    if not args.no_peer:
        result["librosa_joblib"] = run_peer(clips, data / "npy", args.workers)
        print("librosa + joblib:", json.dumps(result["librosa_joblib"]), flush=True)
        result["ratio_files_per_s"] = result["ours"]["files_per_s"] / result["librosa_joblib"]["files_per_s"]
        print(f"ours / librosa+joblib, end to end: {result['ratio_files_per_s']:.2f}x", flush=True)
    per_worker = result["ours"]["files_per_s_after_startup"] / max(result["ours"]["workers"], 1)
    result["projection_10M_clips_hours"] = project(per_worker, result.get("scaling_efficiency", 1.0))
    print("projected hours for 10^7 clips by workers:", json.dumps(result["projection_10M_clips_hours"]))
    from .report import machine_name

    path = args.json or (Path(__file__).parent / "results"
                         / f"corpus-{machine_name()}-{time.strftime('%Y-%m-%d')}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
