"""Time and peak memory of one call, measured the same way for ours and the reference.

Time: after one untimed call of each (Numba compiles or loads its cache, libraries build their
tables), ``repeats`` timed calls of each, alternating which goes first, so that a busy neighbour or
a clock change weighs on both alike; the medians are reported.

Memory, two figures per call (each from one more warm call):

* ``rss``: the rise of the process's peak resident memory during the call (Linux: the kernel's
  peak counter is reset through ``/proc/self/clear_refs`` before the call and ``VmHWM`` read after
  it, less ``VmRSS`` before). It sees every allocation, Numba's and C libraries' included. For
  freed blocks to leave the process, glibc's mmap threshold is fixed at 128 KiB in this process
  (``mallopt``) and the heap is trimmed before the call. Elsewhere it is None.
* ``traced``: ``tracemalloc``'s peak, which sees NumPy's allocations only: arrays Numba allocates
  inside compiled code are invisible to it, so it understates ours. The RSS figure is the one to
  compare; both are reported.

Examples
--------
>>> from dsp.compare.measure import alternate
>>> t_a, t_b = alternate(lambda: sum(range(100)), lambda: sum(range(10)), repeats=3)
>>> t_a > 0 and t_b > 0
True
"""
from __future__ import annotations

import gc
import statistics
import time
import tracemalloc

__all__ = ["alternate", "peak_memory", "MEMORY_METHOD"]

MB = 2.0 ** 20
MEMORY_METHOD = ("peak resident memory of one warm call (VmHWM after a reset, less VmRSS before; glibc mmap "
                 "threshold fixed at 128 KiB); tracemalloc's peak beside it sees NumPy allocations only")


def alternate(fn_a, fn_b, *, repeats: int) -> tuple:
    """Median seconds of ``repeats`` calls of each, alternating the order; (None, None) for 0."""
    if repeats <= 0:
        return None, None
    ta, tb = [], []
    for i in range(repeats):
        for fn, out in (((fn_a, ta), (fn_b, tb)) if i % 2 == 0 else ((fn_b, tb), (fn_a, ta))):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def _status_kb(field: str):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


_LIBC = []


def _libc():
    if not _LIBC:
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            libc.mallopt(-3, 131072)  # M_MMAP_THRESHOLD: large blocks mapped, returned on free
            _LIBC.append(libc)
        except (OSError, AttributeError):
            _LIBC.append(None)
    return _LIBC[0]


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_memory(fn) -> dict:
    """``{'rss_mb', 'traced_mb'}`` of one call of ``fn`` (see the module docstring; rss may be None)."""
    rss = None
    if _status_kb("VmHWM") is not None:
        libc = _libc()
        gc.collect()
        if libc is not None:
            libc.malloc_trim(0)
        base = _status_kb("VmRSS")
        if _reset_peak():
            out = fn()
            peak = _status_kb("VmHWM")
            rss = max(peak - base, 0) * 1024 / MB
            del out
    gc.collect()
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    out = fn()
    traced = max(tracemalloc.get_traced_memory()[1] - base, 0) / MB
    del out
    if started:
        tracemalloc.stop()
    return {"rss_mb": rss, "traced_mb": traced}
