"""Numba flags for every CPU kernel, in one place.

Fastmath is limited to the flags that keep NaN and infinity meaningful: ``contract`` (fused
multiply-add), ``reassoc`` (vectorisable reductions), ``nsz`` and ``arcp``. ``fastmath=True`` would
add ``nnan``/``ninf``, which lets LLVM assume inputs are finite.

Kernels whose result must be bit-exact against a formula (quantisation, rounding) use
:data:`exact_jit`, which has no fastmath at all.

Compiled kernels are cached on disk by :mod:`dsp_kernels.kernel_cache` (keyed by the sources
of the whole kernel package, safe with read-only and corrupt caches), and parallel kernels run on
the TBB threading layer chosen by :mod:`dsp_kernels.threading_layer` (safe with fork and threads).

Environment overrides, for profiling and debugging:
``DSP_NUMBA_CACHE=0`` turns the on-disk cache off; ``DSP_NUMBA_CACHE_DIR`` moves it;
``DSP_NUMBA_PARALLEL=0`` compiles the parallel kernels serially; ``DSP_NUMBA_LEAN_CODEGEN=0`` leaves
out the compile-time hook of :mod:`dsp_kernels.lean_codegen`; ``DSP_NUMBA_WIDE_VECTORS=0`` keeps
LLVM's own vector width (256 bits on Intel's AVX-512 CPUs) instead of the 512 bits asked for by
:mod:`dsp_kernels.vector_width`. Numba's ``NUMBA_DISABLE_JIT=1`` runs every kernel as plain
Python (slow, for debugging): the decorators then return the Python functions unchanged and set
none of the hooks below.

Two of Numba's private interfaces are used, each guarded so that a Numba without them still
runs (only slower or uncached), and each checked by a test on the pinned Numba versions: the
dispatcher's ``_cache`` attribute (our cache instead of Numba's), and the code library's
linking and finalisation methods (:mod:`dsp_kernels.lean_codegen`: libraries only ever linked
are not compiled alone). Helpers beneath the kernels (:func:`inner_jit`, :func:`noalias_jit`) go
through Numba's public low-level extension API (:mod:`dsp_kernels.subroutine`).
"""
from __future__ import annotations

import functools
import os
import warnings

import numba
from numba.core.dispatcher import Dispatcher

from dsp_kernels import lean_codegen, threading_layer, vector_width

FASTMATH = frozenset({"contract", "reassoc", "nsz", "arcp"})
CACHE = os.environ.get("DSP_NUMBA_CACHE", "1") != "0"
PARALLEL = os.environ.get("DSP_NUMBA_PARALLEL", "1") != "0"

threading_layer.configure()
if os.environ.get("DSP_NUMBA_LEAN_CODEGEN", "1") != "0":
    lean_codegen.install()
if vector_width.wanted():
    vector_width.install()


def _cached(decorate):
    """Wrap a ``numba.njit`` partial so that the dispatcher it makes uses our disk cache."""

    @functools.wraps(decorate)
    def wrapper(func):
        dispatcher = decorate(func)
        if CACHE and isinstance(dispatcher, Dispatcher):
            from dsp_kernels import kernel_cache

            try:
                kernel_cache.attach(dispatcher)
            except Exception as exc:  # a Numba whose cache internals moved: run uncached
                warnings.warn(f"dsp: kernel caching is off ({type(exc).__name__}: {exc})", RuntimeWarning, stacklevel=2)
        return dispatcher

    return wrapper


#: Numba's options for every kernel: no C-callable wrapper. Numba emits one beside each compiled
#: function for the case where it is passed as a first-class function value, which no kernel is;
#: leaving it out saved 0.1-0.2 s of a cold stft (27 wrappers lowered, optimised and emitted).
_njit = functools.partial(numba.njit, nogil=True, no_cfunc_wrapper=True)

#: serial kernel (the default)
jit = _cached(functools.partial(_njit, fastmath=set(FASTMATH)))
#: kernel with ``prange`` over independent work (frames, channels, signals)
pjit = _cached(functools.partial(_njit, fastmath=set(FASTMATH), parallel=PARALLEL))
#: kernel whose arithmetic must follow its formula exactly (no fastmath)
exact_jit = _cached(_njit)
#: exact and parallel
exact_pjit = _cached(functools.partial(_njit, parallel=PARALLEL))
#: a thin driver (a few loops around calls of compiled kernels), inlined into its callers' Numba
#: IR instead of compiled on its own. Numba optimises and emits every compiled function's module
#: with all its callees linked in again, so each layer of a call chain re-optimised the FFT passes
#: beneath it (a cold stft spent most of its time there). Never for a ``noalias_jit`` kernel:
#: inlining drops the ``noalias`` promise it needs to vectorise.
inline_jit = _cached(functools.partial(_njit, fastmath=set(FASTMATH), inline="always"))


def inner_jit(func):
    """A helper that jitted callers compile into themselves: no entry point, no library, no cache
    entry of its own (:func:`dsp_kernels.subroutine.subroutine`). For the helpers beneath the
    kernels (FFT drivers, frame loaders); called from Python it runs as Python. It takes no
    references to the arrays it is handed or views (no Numba reference counting), so it may not
    allocate or return arrays: such a helper is a :func:`scratch_jit`."""
    from dsp_kernels.subroutine import subroutine

    return subroutine(func)


def scratch_jit(func):
    """:func:`inner_jit` for a helper that allocates (per-thread scratch) or returns arrays:
    compiled with Numba's reference counting, which the other helpers go without
    (:func:`dsp_kernels.subroutine.subroutine`, ``refcounted``)."""
    from dsp_kernels.subroutine import subroutine

    return subroutine(func, refcounted=True)


def noalias_jit(func):
    """:func:`inner_jit`, and the helper's array arguments are marked ``noalias`` for LLVM.

    The caller promises that no two array arguments share memory that either writes. Without
    that promise LLVM must check at run time that, say, an FFT pass's output does not overlap
    its input; a radix-8 pass has 16 input and 16 output streams, more checks than LLVM will
    emit, so it gave up and left the pass scalar (measured: 1.5x slower blocked FFT). Numba
    has the flag (its parfors set it) but no decorator option; the helper is compiled with it
    set, and the attribute survives inlining as alias-scope metadata.
    """
    from dsp_kernels.subroutine import subroutine

    return subroutine(func, noalias=True)
