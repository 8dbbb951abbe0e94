"""``python -m dsp``: maintenance commands (for now, ``warmup`` and ``cache``)."""
from __future__ import annotations

import argparse
import shutil
import sys


def _parser() -> argparse.ArgumentParser:
    from ._warmup import DTYPES, OPERATIONS

    parser = argparse.ArgumentParser(prog="python -m dsp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("warmup", help="compile every kernel into the on-disk cache",
                       description="Compile the kernels into the on-disk cache, so that later "
                                   "processes load them instead of compiling. Operations: "
                                   + "; ".join(f"{k}: {v}" for k, v in OPERATIONS.items()))
    w.add_argument("--dtype", action="append", choices=DTYPES,
                   help="dtype to compile for (repeatable; default: both)")
    w.add_argument("--only", type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
                   help="comma-separated operations (default: all)")
    w.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs, at most 4)")
    w.add_argument("--prune", action="store_true",
                   help="also delete the cache directories of other Numba or Python versions")
    c = sub.add_parser("cache", help="show where the kernel cache is and what it holds")
    c.add_argument("--clear", action="store_true", help="delete this build's cached kernels")
    return parser


def _cache_dir():
    from dsp_kernels import kernel_cache

    return kernel_cache.default_root(), kernel_cache.cache_key()


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    root, key = _cache_dir()
    if args.command == "cache":
        here = root / key
        files = list(here.rglob("*.nbc")) if here.exists() else []
        print(f"kernel cache: {here} ({len(files)} compiled kernels, "
              f"{sum(f.stat().st_size for f in files) / 1e6:.1f} MB)")
        if args.clear and here.exists():
            shutil.rmtree(here)
            print("cleared")
        return 0
    from ._warmup import warmup

    print(f"dsp warmup: compiling into {root / key}", flush=True)
    times = warmup(only=args.only, dtypes=args.dtype or ("float32", "float64"), jobs=args.jobs,
                   progress=lambda line: print(line, flush=True))
    print(f"done in {times['total']:.1f} s", flush=True)
    if args.prune and root.exists():
        for other in root.iterdir():
            if other.is_dir() and other.name != key:
                shutil.rmtree(other, ignore_errors=True)
                print(f"pruned {other}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
