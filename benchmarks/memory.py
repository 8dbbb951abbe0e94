"""Peak memory of one call, measured in a fresh process so that nothing else shares its high-water mark.

The child rebuilds the input, makes the implementation and calls it once to warm up (Numba compiles
or loads its cache, libraries build their tables). Then it resets the kernel's peak-RSS counter
(``/proc/self/clear_refs`` = 5, Linux >= 4.0), calls once more and reads ``VmHWM``: the peak resident
memory of that call, minus the resident memory before it, is what the call needed (its output
included). Where the counter cannot be reset the child falls back to ``ru_maxrss`` around the first
call, which then also counts compilation; the method used is reported.

Freed memory must leave the process for the peak to mean anything: glibc raises its mmap threshold
after the warm-up frees a big block, and later blocks of that size then come from the heap, where
reuse hides them (a 10 MB result would measure 0). The child therefore runs with a fixed
``MALLOC_MMAP_THRESHOLD_`` (large blocks always mapped, returned on free) and trims the heap
before the baseline.

``tracemalloc`` is reported beside it for what it can see: NumPy's allocations. Numba's (NRT) and
torch's allocations are invisible to it, so for those it understates; the RSS figure is the one to
compare.
"""
from __future__ import annotations

import gc
import resource
import sys
import tracemalloc

from . import child

MB = 2.0**20


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _trim_heap() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _maxrss_bytes() -> int:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024


def measure(fn, sync=None) -> dict:
    """Child side: peak memory of ``fn()`` (see the module docstring)."""
    def call():
        out = fn()
        if sync is not None:
            sync()
        return out

    can_reset = _status_kb("VmHWM") is not None and _reset_peak()
    if can_reset:
        call()
        gc.collect()
        _trim_heap()
        base = _status_kb("VmRSS")
        _reset_peak()
        out = call()
        peak = _status_kb("VmHWM")
        delta = (peak - base) * 1024
        method = "VmHWM reset (warm call)"
        rss_peak = peak * 1024
    else:
        gc.collect()
        base = _maxrss_bytes()
        out = call()
        rss_peak = _maxrss_bytes()
        delta = rss_peak - base
        method = "ru_maxrss delta (first call, includes compilation)"
    del out
    gc.collect()
    tracemalloc.start()
    out = call()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del out
    return {
        "peak_rss_delta_mb": max(delta, 0) / MB,
        "process_peak_rss_mb": rss_peak / MB,
        "tracemalloc_peak_mb": traced / MB,
        "method": method,
    }


def run(op, impl, profile, *, timeout: float = 300.0) -> dict:
    """Parent side: spawn the child for ``impl`` of ``op`` and return its measurement (or an error)."""
    return child.spawn("memory", op.name, impl.name, profile.name, timeout=timeout,
                       env={"MALLOC_MMAP_THRESHOLD_": "131072"})
