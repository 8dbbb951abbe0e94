"""Scratch arrays kept per Python thread between calls of a serial kernel.

A kernel that allocates its scratch on every call pays for it on every call: for the 2:1 halving
of a 1 s clip (one group of 16 blocks of 1280 samples), the two transforms' work rows, the
staging area and the unit window are 330 kB, and allocating them was 0.9 us of a 29 us call (the
kernel's call without work 3.47 -> 2.57 us; docs/sampling.md, stop 39). A serial kernel can take
them as arguments instead, made once per thread and per shape here and handed back on later
calls.

Per thread, because a kernel releases the GIL (``nogil``): two Python threads (a DataLoader's
workers in threads, a thread pool) may run the same kernel at once, and shared scratch would
mix their values. A forked child inherits its parent's arrays as copies, which is also safe.
Each thread keeps at most :data:`KEEP` shapes; the oldest is dropped when a new one comes, so a
loader whose clips come in a few lengths allocates once per length and never grows without
bound. ``dsp.clear_caches()`` (the registry of :mod:`dsp_kernels.caches`) drops the calling
thread's scratch; another thread's goes with that thread.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.thread_scratch import scratch_for
>>> a = scratch_for(("demo", 4), lambda: (np.empty(4),))
>>> a is scratch_for(("demo", 4), lambda: (np.empty(4),))
True
"""
from __future__ import annotations

import threading

from dsp_kernels.caches import register

__all__ = ["scratch_for", "KEEP"]

#: shapes kept per thread (a loader's few clip lengths, with room to spare)
KEEP = 8

_local = threading.local()


def _kept() -> dict:
    """This thread's ``{key: scratch}``, made on first use."""
    kept = getattr(_local, "kept", None)
    if kept is None:
        kept = _local.kept = {}
    return kept


def scratch_for(key, make):
    """The scratch this thread made for ``key`` (any hashable value that determines the shapes
    and dtypes of what ``make()`` returns), made now by ``make()`` if it has none."""
    kept = _kept()
    found = kept.get(key)
    if found is None:
        if len(kept) >= KEEP:
            del kept[next(iter(kept))]  # the oldest: dicts keep insertion order
        found = kept[key] = make()
    return found


def _clear_this_thread() -> None:
    _kept().clear()


register(f"{__name__}.scratch_for", _clear_this_thread, lambda: len(_kept()))
