"""Numba flags for every CPU kernel, in one place.

Fastmath is limited to the flags that keep NaN and infinity meaningful: ``contract`` (fused
multiply-add), ``reassoc`` (vectorisable reductions), ``nsz`` and ``arcp``. ``fastmath=True`` would
add ``nnan``/``ninf``, which lets LLVM assume inputs are finite.

Kernels whose result must be bit-exact against a formula (quantisation, rounding) use
:data:`exact_jit`, which has no fastmath at all.

Environment overrides, for profiling and debugging:
``DSP_NUMBA_CACHE=0`` turns the on-disk cache off; ``DSP_NUMBA_PARALLEL=0`` compiles the
parallel kernels serially.
"""
from __future__ import annotations

import functools
import os

import numba

FASTMATH = frozenset({"contract", "reassoc", "nsz", "arcp"})
CACHE = os.environ.get("DSP_NUMBA_CACHE", "1") != "0"
PARALLEL = os.environ.get("DSP_NUMBA_PARALLEL", "1") != "0"

#: serial kernel (the default)
jit = functools.partial(numba.njit, cache=CACHE, fastmath=set(FASTMATH), nogil=True)
#: kernel with ``prange`` over independent work (frames, channels, signals)
pjit = functools.partial(
    numba.njit, cache=CACHE, fastmath=set(FASTMATH), nogil=True, parallel=PARALLEL
)
#: kernel whose arithmetic must follow its formula exactly (no fastmath)
exact_jit = functools.partial(numba.njit, cache=CACHE, nogil=True)
#: exact and parallel
exact_pjit = functools.partial(numba.njit, cache=CACHE, nogil=True, parallel=PARALLEL)


def _noalias_flags(flags):
    flags.noalias = True
    return flags


def noalias_jit(func):
    """:data:`jit`, and the pointer arguments are marked ``noalias`` for LLVM.

    The caller promises that no two array arguments share memory that either writes. Without
    that promise LLVM must check at run time that, say, an FFT pass's output does not overlap
    its input; a radix-8 pass has 16 input and 16 output streams, more checks than LLVM will
    emit, so it gave up and left the pass scalar (measured: 1.5x slower blocked FFT). Numba
    has the flag (its parfors set it) but no public option, so it is set through the
    dispatcher's flag hook; the attribute survives inlining as alias-scope metadata.
    """
    dispatcher = jit(func)
    dispatcher._compiler._customize_flags = _noalias_flags
    return dispatcher
