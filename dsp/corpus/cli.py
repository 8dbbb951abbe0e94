"""``dsp-pyramids``: the command line of :mod:`dsp.corpus`.

Subcommands: ``extract INPUT OUTPUT``, ``status OUTPUT``, ``ls OUTPUT`` (failed files),
``show OUTPUT ID`` (one file's record), ``write-default-config [PATH]`` and
``compare PATH_OR_DIR...`` (parity and speed against librosa/PyWavelets on your own files:
:mod:`dsp.compare.cli`, which states its own exit status).

Exit status of ``extract``: 0 when every file is stored; 1 to 100 when that many files are recorded
as failed in the store (by this run or the runs it resumed; 100: 100 or more); 125 for bad arguments or input, found before any work starts (nothing is
written); 126 when the run stopped part-way (complete parts are kept: rerun with ``--resume``).

Examples
--------
.. code-block:: console

    $ dsp-pyramids write-default-config features.yaml
    $ dsp-pyramids extract clips/ features/ --features logmel,mfcc --sr 16000 --config features.yaml
    $ dsp-pyramids status features/
    $ dsp-pyramids ls features/
    $ dsp-pyramids compare clips/ --features stft,mfcc --report report.html
"""
from __future__ import annotations

import argparse
import json
import sys

EXIT_USAGE = 125
EXIT_ABORTED = 126


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors share the 'nothing was done' status
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dsp-pyramids", description="Corpus-scale feature extraction on Dask "
                "(docs/corpus.md), and parity/speed reports against librosa/PyWavelets on your own files "
                "(compare: docs/compare.md). Exit status of extract: 0 all stored, 1-100 that many failed files "
                "(100: or more), 125 bad arguments/input (nothing done), 126 run stopped part-way.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    e = sub.add_parser("extract", help="extract features from a folder or manifest into a store")
    e.add_argument("input", help="a folder (searched recursively), a .txt/.csv/.tsv/.jsonl manifest or one file")
    e.add_argument("output", help="the store folder")
    e.add_argument("--features", default=None,
                   help="comma-separated: logmel, mfcc, stft, wavelet, pyramid:mel (default: the config's, "
                        "else logmel,mfcc)")
    e.add_argument("--sr", type=float, default=None, help="sampling rate every file is loaded at (default 16000)")
    e.add_argument("--config", default=None, help="YAML/JSON: {features: {name: {keyword: value}}}")
    e.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler (tcp://host:8786)")
    e.add_argument("--workers", type=int, default=None, help="local worker processes (default: CPUs)")
    e.add_argument("--batch-files", type=int, default=1000, help="files per task and per part (default 1000)")
    g = e.add_mutually_exclusive_group()
    g.add_argument("--resume", action="store_true", help="continue an existing store (same config)")
    g.add_argument("--overwrite", action="store_true", help="replace an existing store")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    s = sub.add_parser("status", help="done / failed / pending counts and throughput of a store")
    s.add_argument("output")
    s.add_argument("--json", action="store_true", help="print JSON")
    ls = sub.add_parser("ls", help="list the failed files of a store (id, path, error)")
    ls.add_argument("output")
    sh = sub.add_parser("show", help="one file's record in a store")
    sh.add_argument("output")
    sh.add_argument("id")
    w = sub.add_parser("write-default-config", help="write every feature's default keywords as YAML")
    w.add_argument("path", nargs="?", default="-", help="file to write (default: stdout)")
    w.add_argument("--features", default=None, help="comma-separated subset")
    from ..compare.cli import add_parser as add_compare

    add_compare(sub)
    return p


def _extract(args) -> int:
    from tqdm import tqdm

    from .engine import CorpusRunError, extract
    from .features import load_config
    from .inputs import items_from

    config = load_config(args.config) if args.config else None
    sr = args.sr if args.sr is not None else (config or {}).get("sr", 16000)
    items = items_from(args.input)  # listed once: ids are kept as computed here
    bar = tqdm(total=len(items), unit="file", disable=args.quiet, dynamic_ncols=True, desc="extract")
    hours = [0.0]

    def progress(files, seconds, summary):
        hours[0] += seconds / 3600
        rate = hours[0] / bar.format_dict["elapsed"] if bar.format_dict["elapsed"] else 0.0
        bar.set_postfix_str(f"audio {hours[0]:.3f} h, {rate * 3600:.1f} audio-s/s")
        bar.update(files)

    try:
        run = extract(items, args.output, features=args.features, config=config, sr=sr,
                      scheduler=args.scheduler, workers=args.workers, batch_files=args.batch_files,
                      resume=args.resume, overwrite=args.overwrite, progress=progress)
    except CorpusRunError as exc:
        bar.close()
        print(f"dsp-pyramids: {exc}", file=sys.stderr)
        return EXIT_ABORTED
    bar.n = run.skipped + run.ok + run.failed
    bar.close()
    print(f"stored {run.ok} files ({run.seconds / 3600:.3f} h of audio), failed {run.failed}, "
          f"already stored {run.skipped}; {run.files_per_s:.1f} files/s, {run.hours_per_s * 3600:.1f} "
          f"audio-s/s on {run.workers} workers; store: {run.stored_total} stored, "
          f"{run.failed_total} failed (dsp-pyramids ls {args.output})")
    return min(run.failed_total, 100)  # failed files in the store, this run's or a resumed one's


def status(output) -> dict:
    """Counts of a store: stored, failed, pending (of the latest run's inputs), and the last run."""
    from pathlib import Path

    from .store import build_index

    import pyarrow.parquet as pq

    index, dups = build_index(output, write=False)
    st = index.column("status").to_pylist()
    recorded = set(index.column("id").to_pylist())
    inputs = Path(output) / "inputs.parquet"
    n_inputs = pending = None
    if inputs.is_file():
        ids = pq.read_table(inputs, columns=["id"]).column("id").to_pylist()
        n_inputs, pending = len(ids), sum(1 for i in ids if i not in recorded)
    runs = sorted((Path(output) / "runs").glob("run-*.json"))
    last = json.loads(runs[-1].read_text()) if runs else None
    out = {"stored": st.count("ok"), "failed": st.count("failed"), "pending": pending, "inputs": n_inputs,
           "duplicates": dups, "runs": len(runs)}
    if last is not None:
        r = last.get("result") or {}
        out["last_run"] = {"status": last.get("status"), "files_per_s": r.get("files_per_s"),
                           "hours_per_s": r.get("hours_per_s"), "workers": r.get("workers"),
                           "wall_s": r.get("wall_s")}
    return out


def main(argv=None) -> int:
    from .._errors import DSPError

    args = build_parser().parse_args(argv)
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "compare":
            from ..compare.cli import run as run_compare

            return run_compare(args)
        if args.command == "status":
            s = status(args.output)
            if args.json:
                print(json.dumps(s, indent=2))
            else:
                print(f"stored {s['stored']}, failed {s['failed']}, pending "
                      f"{'?' if s['pending'] is None else s['pending']} of {s['inputs']} inputs, "
                      f"{s['runs']} run(s)")
                lr = s.get("last_run")
                if lr and lr.get("files_per_s") is not None:
                    print(f"last run: {lr['status']}, {lr['files_per_s']:.1f} files/s, "
                          f"{lr['hours_per_s'] * 3600:.1f} audio-s/s on {lr['workers']} workers")
            return 0
        if args.command in ("ls", "show"):
            from .store import open_store

            store = open_store(args.output)
            if args.command == "ls":
                for row in store.failures().select(["id", "path", "error"]).to_pylist():
                    print(f"{row['id']}\t{row['path']}\t{row['error']}")
                return 0
            import pyarrow.compute as pc

            rows = store.index.filter(pc.equal(store.index.column("id"), args.id)).to_pylist()
            if not rows:
                print(f"dsp-pyramids: id {args.id!r} is not in the store", file=sys.stderr)
                return 1
            print(json.dumps(rows[0], indent=2, default=str))
            return 0
        if args.command == "write-default-config":
            import yaml

            from .features import default_config

            text = yaml.safe_dump(default_config(args.features), sort_keys=False)
            if args.path == "-":
                sys.stdout.write(text)
            else:
                with open(args.path, "w", encoding="utf-8") as f:
                    f.write(text)
            return 0
    except DSPError as exc:
        print(f"dsp-pyramids: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
