"""Every table cache of the toolkit, in one registry (bottom layer: imports nothing of the project).

Plans, twiddles, windows, filterbanks and filter taps are computed once per parameter set and
kept. Each such cache is declared with :func:`table_cache` (or, for a cache that is not a memoised
function, :func:`register`), which records it here under its qualified name, so that

- ``dsp.clear_caches()`` (:func:`clear_all`) frees all of them at once, and
- :func:`registered` lists them, with their sizes, for anyone asking what the process holds.

A cache of device arrays passes ``scope=``, a function returning the current device's id: the id
joins the key, so a table built on device 0 is never handed to a kernel running on device 1.

Examples
--------
>>> from dsp_kernels import caches
>>> @caches.table_cache(maxsize=4)
... def squares(n):
...     return tuple(k * k for k in range(n))
>>> squares(4), squares.cache_info().currsize
((0, 1, 4, 9), 1)
>>> name = squares.__module__ + ".squares"
>>> caches.registered()[name]
1
>>> _ = caches.clear_all(); squares.cache_info().currsize
0
>>> caches.unregister(name)
"""
from __future__ import annotations

import functools
import threading
from typing import Callable, NamedTuple

__all__ = ["table_cache", "register", "unregister", "registered", "clear_all"]


class _Entry(NamedTuple):
    clear: Callable[[], None]
    size: Callable[[], int]


_REGISTRY: dict[str, _Entry] = {}
_LOCK = threading.Lock()


def register(name: str, clear: Callable[[], None], size: Callable[[], int]) -> None:
    """Record a cache under ``name`` (``'package.module.function'``).

    ``clear()`` empties it, ``size()`` says how many entries it holds. Registering a name again
    replaces the entry (a reloaded module's cache replaces the old one).
    """
    with _LOCK:
        _REGISTRY[name] = _Entry(clear, size)


def unregister(name: str) -> None:
    """Forget the cache ``name`` (nothing happens if it is not registered)."""
    with _LOCK:
        _REGISTRY.pop(name, None)


def registered() -> dict[str, int]:
    """``{name: number of entries}`` of every registered cache, sorted by name."""
    with _LOCK:
        entries = sorted(_REGISTRY.items())
    return {name: entry.size() for name, entry in entries}


def clear_all() -> int:
    """Empty every registered cache; returns how many entries were dropped in all."""
    with _LOCK:
        entries = list(_REGISTRY.values())
    dropped = 0
    for entry in entries:
        dropped += entry.size()
        entry.clear()
    return dropped


def table_cache(maxsize: int | None = 128, *, scope: Callable[[], object] | None = None):
    """Memoise a table-building function (as :func:`functools.lru_cache`) and register it.

    Parameters
    ----------
    maxsize : int or None
        The most entries kept (least recently used dropped first); None: unbounded.
    scope : callable, optional
        Called on every lookup; its result is part of the key. GPU caches pass the current
        device's id so that each device has its own tables.

    Returns
    -------
    callable
        The cached function, with ``cache_info()`` and ``cache_clear()`` as an ``lru_cache``'s.
        Arguments must be hashable; returned arrays are shared between callers and should be
        read-only.
    """

    def decorate(fn):
        name = f"{fn.__module__}.{fn.__qualname__}"
        if scope is None:
            cached = functools.lru_cache(maxsize=maxsize)(fn)
        else:
            inner = functools.lru_cache(maxsize=maxsize)(lambda _scope, *args, **kwargs: fn(*args, **kwargs))

            @functools.wraps(fn)
            def cached(*args, **kwargs):
                return inner(scope(), *args, **kwargs)

            cached.cache_info = inner.cache_info
            cached.cache_clear = inner.cache_clear
        register(name, cached.cache_clear, lambda: cached.cache_info().currsize)
        return cached

    return decorate
