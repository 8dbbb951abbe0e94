"""First-call latency in fresh processes, with a cold and then a warm Numba cache.

What a user waits for the first time: a new Python process imports the library (timed: ``import_s``,
which includes our package's import and any table set-up done while making the call) and makes one
call on an input that already exists (timed: ``first_call_s``, where Numba compiles or loads its
cache). ``total_s`` is their sum; ``process_s`` is the child's whole wall time seen by the parent,
interpreter start-up and input synthesis included.

Cold: ``NUMBA_CACHE_DIR`` points at a new empty directory, so every ``cache=True`` function
(ours and any the peer uses, e.g. librosa's) compiles. Warm: a second fresh process with the same
directory, now filled by the first, so compiled code is loaded from disk. The operating system's file
cache is warm in both (the libraries' files were just read), so cold measures compilation, not disk.

A peer is measured warm only (``run(..., cold=False)``), with its installed cache, which the timing
runs in the parent have just filled: its cold start (librosa compiles its Numba helpers on a cold
cache) is a one-time cost of installing it, and measuring it doubles the suite's run time.
"""
from __future__ import annotations

import shutil
import tempfile

from . import child


def run(op, impl, profile, *, cold: bool = True, timeout: float = 600.0) -> dict:
    """Cold then warm first-call latency of ``impl`` on ``op`` (parent side).

    ``cold=False``: one fresh process with the default (installed, warm) cache; ``cold`` is None.
    """
    if not cold:
        warm = child.spawn("latency", op.name, impl.name, profile.name, timeout=timeout)
        warm["cache"] = "installed"
        return {"cold": None, "warm": warm}
    cache = tempfile.mkdtemp(prefix="bench-numba-cache-")
    try:
        env = {"NUMBA_CACHE_DIR": cache, "DSP_NUMBA_CACHE_DIR": cache}  # ours: dsp_kernels.kernel_cache
        cold = child.spawn("latency", op.name, impl.name, profile.name, env=env, timeout=timeout)
        warm = child.spawn("latency", op.name, impl.name, profile.name, env=env, timeout=timeout)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"cold": cold, "warm": warm}


def measure(make, inp, sync=None) -> dict:
    """Child side: time making the call (imports) and the first call itself."""
    import time

    t0 = time.perf_counter()
    fn = make(inp)
    t1 = time.perf_counter()
    fn()
    if sync is not None:
        sync()
    t2 = time.perf_counter()
    return {"import_s": t1 - t0, "first_call_s": t2 - t1, "total_s": t2 - t0}
