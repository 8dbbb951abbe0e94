"""``dsp-pyramids compare``: the command line of :func:`dsp.compare.compare`.

Exit status: 0 when every result agrees within the stated tolerance or by a documented
difference; 1 when a result differs without a documented reason, a computation failed or a file
could not be decoded (the report lists each); 125 for bad arguments, config or paths, found before
any file is read.

Examples
--------
.. code-block:: console

    $ dsp-pyramids compare recordings/ --features stft,mfcc,wavedec --sr 16000 --report report.html --plots plots/
"""
from __future__ import annotations

import sys

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    """Register the ``compare`` subcommand on an argparse subparsers object."""
    from .features import DEFAULT_FEATURES

    c = sub.add_parser("compare", help="parity, speed and memory of our features against librosa/PyWavelets "
                                       "on your own audio files (docs/compare.md)")
    c.add_argument("paths", nargs="+", metavar="PATH_OR_DIR", help="audio files and folders (searched recursively)")
    c.add_argument("--config", default=None,
                   help="YAML/JSON: {sr, dtype, mono, features: {name: {keyword: value}}, common: {keyword: value}} "
                        "with the libraries' own keyword names")
    c.add_argument("--features", default=None,
                   help=f"comma-separated (default: the config's, else {','.join(DEFAULT_FEATURES)}; "
                        f"cqt where dsp.cqt exists)")
    c.add_argument("--sr", type=float, default=None, help="rate every file is loaded at (default: each file's own)")
    c.add_argument("--dtype", choices=("float32", "float64"), default=None, help="decoded samples' dtype (default float32)")
    c.add_argument("--stereo", action="store_true", help="keep channels (default: mix down to mono)")
    c.add_argument("--report", default=None, help="report file: .md (Markdown) or .html")
    c.add_argument("--plots", default=None, metavar="DIR", help="folder for PNG plots (needs matplotlib)")
    c.add_argument("--repeats", type=int, default=5, help="timed calls of each side, medians (default 5; 0: no timing)")
    c.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurement")
    c.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args) -> int:
    """Run ``compare`` for parsed ``args``; prints the summary; returns the exit status."""
    from .report import summarize
    from .run import compare

    records = compare(args.paths, features=args.features, config=args.config, sr=args.sr, dtype=args.dtype,
                      mono=False if args.stereo else None, repeats=args.repeats, memory=not args.no_memory,
                      report=args.report, plots=args.plots, progress=not args.quiet)
    summary = summarize(records)
    for s in summary:
        speed = f", speed-up {s['median_speedup']:.2f}x" if s["median_speedup"] else ""
        print(f"{s['feature']}: {s['verdict']}{speed}" + (f" — {s['why']}" if s["why"] else "")
              + (f" (see {s['docs']})" if s["docs"] else ""))
    bad = [r for r in records if r["status"] == "undecodable"]
    for r in bad:
        print(f"undecodable: {r['file']}: {r['reason']}", file=sys.stderr)
    if args.report:
        print(f"report: {args.report}")
    problems = bad or [r for r in records if r["status"] == "failed"] or [
        r for r in records if r["status"] == "ok" and not r["within"] and not r.get("known")]
    return 1 if problems else 0
