"""Calling a compiled kernel without Numba's per-call typing, where that typing is the cost.

On every call Numba's dispatcher types each argument to pick the compiled overload. For an array
that is quick; an FFT plan (:class:`dsp_kernels.cpu.fft.plans.FFTPlan`) is a NamedTuple of 22
fields, each typed in turn. The 2:1 halving kernel takes two plans and eleven other arguments,
and their typing was about a tenth of a 1 s clip's ``dsp.resample`` (docs/sampling.md, stop 38).

:class:`KeyedEntry` wraps a dispatcher. The caller passes a key built from what decides the
arguments' Numba types (each array's dtype and writeability, each plan's class); the first call
with a key goes through the dispatcher (compiling if need be) and remembers the overload it
used; later calls with that key go straight to the overload's entry point
(``Dispatcher.get_overload``), which unboxes the arguments by its signature. **The key must
determine the types**: arguments of other types reaching an entry point would be read as the
types it was compiled for. When the argument types of a first call match no overload exactly
(Numba converted one), nothing is remembered and every call with that key is dispatched.

``VERIFY = True`` (the test suite sets it) checks on every call that the arguments' types are
the remembered signature, and raises ``TypeError`` if not.

Examples
--------
>>> import numpy as np
>>> from numba import njit
>>> from dsp_kernels.entry import KeyedEntry
>>> total = KeyedEntry(njit(lambda x, k: x.sum() * k))
>>> x = np.arange(4.0)
>>> key = (x.dtype, x.ndim, x.flags.c_contiguous, x.flags.writeable)  # all that types x
>>> total(key, x, 2), total(key, x, 3)
(12.0, 18.0)
"""
from __future__ import annotations

__all__ = ["KeyedEntry", "VERIFY"]

#: check every call's argument types against the remembered signature (tests)
VERIFY = False


class KeyedEntry:
    """A dispatcher called through its overloads' entry points, looked up by a caller's key.

    Parameters
    ----------
    dispatcher : numba Dispatcher (or, under ``NUMBA_DISABLE_JIT``, a plain function)

    Calling ``entry(key, *args)`` returns what ``dispatcher(*args)`` returns. ``key`` is any
    hashable value that determines the Numba type of every argument (see the module notes).

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> from dsp_kernels.entry import KeyedEntry
    >>> scale = KeyedEntry(njit(lambda x, k: x * k))
    >>> x = np.ones(3, np.float32)
    >>> scale((x.dtype, x.ndim, x.flags.c_contiguous, x.flags.writeable), x, 2).tolist()
    [2.0, 2.0, 2.0]
    """

    __slots__ = ("dispatcher", "_entries")

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self._entries = {}  # key -> (entry point, signature) or None (always dispatch)

    def __call__(self, key, *args):
        found = self._entries.get(key, False)
        if found is False:
            result = self.dispatcher(*args)
            self._entries[key] = self._lookup(args)
            return result
        if found is None:
            return self.dispatcher(*args)
        if VERIFY:
            self._verify(key, found[1], args)
        return found[0](*args)

    def _signature(self, args):
        return tuple(self.dispatcher.typeof_pyval(a) for a in args)

    def _lookup(self, args):
        overloads = getattr(self.dispatcher, "overloads", None)
        if overloads is None:  # NUMBA_DISABLE_JIT: a plain function, nothing to look up
            return None
        sig = self._signature(args)
        if sig not in overloads:
            return None
        return self.dispatcher.get_overload(sig), sig

    def _verify(self, key, sig, args):
        got = self._signature(args)
        if got != sig:
            raise TypeError(f"{self.dispatcher.__name__}: key {key!r} was remembered for "
                            f"{sig}, called with {got}: the key does not determine the types")
