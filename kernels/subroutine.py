"""Kernel helpers compiled into their callers: no entry point, no library emitted on their own.

Why: a helper decorated like a kernel (``numba.njit``) is a dispatcher: on first use Numba compiles
it into a library of its own, gives it a Python entry point, optimises and emits its machine code
and (with our cache) writes it to disk, and then links its IR into every caller, which optimises
it again. For the FFT passes, the Stockham driver and the frame loaders under an STFT kernel
that stand-alone work, which nothing runs (only the kernel is called from Python), was about a
second of a cold ``dsp.stft``.

What: :func:`subroutine` registers a plain Python function with Numba's typing and lowering
registries (the low-level extension API: a typing template and ``lower_builtin``). Jitted code that
calls it compiles it, once per argument types, as Numba compiles its own helpers
(``context.compile_internal``): the ``no_compile`` flag, no Python or C wrapper, and its library
linked into the caller, unoptimised when :mod:`dsp_kernels.lean_codegen` is in place (the caller
optimises the whole). The caller's compiled code, which the kernel cache stores, contains it.
Called from Python, the function runs as Python (slowly: only tests and ``NUMBA_DISABLE_JIT=1``
do that).

The compiler flags are the ones a kernel decorator would give it (fastmath set, ``noalias`` for
the FFT passes, see :func:`dsp_kernels.config.noalias_jit`), read from a dispatcher that is made
for that and never compiled, less Numba's reference counting unless asked for (``refcounted``):
its caller holds every array it is handed alive for the call, so the references Numba would take
and drop (an atomic add each, on counts the threads share) are left out. Such a helper may not
allocate (Numba refuses), return an array, or receive new arrays from a refcounted helper or
from a jitted function compiled earlier (these three refused here, at compile time).

Example
-------
>>> import numpy as np
>>> from dsp_kernels.config import jit
>>> from dsp_kernels.subroutine import subroutine
>>> @subroutine
... def twice(x):
...     return 2.0 * x
>>> @jit
... def apply(a):
...     return twice(a[0])
>>> apply(np.array([1.5])), twice(1.5)
(3.0, 3.0)
"""
from __future__ import annotations

import numba

from dsp_kernels.config import FASTMATH

__all__ = ["subroutine", "typed_call"]


class _Key:
    """The identity under which Numba types and lowers one subroutine."""

    def __init__(self, func):
        self.name = f"{func.__module__}.{func.__qualname__}"

    def __repr__(self):
        return f"subroutine {self.name}"


def _flags(func, fastmath, noalias, refcounted):
    """Compiler flags for ``func`` as its kernel decorator would set them, compiled inline."""
    from numba.core import compiler

    model = numba.njit(fastmath=set(fastmath), nogil=True, no_cfunc_wrapper=True)(func)
    flags = compiler.Flags()
    model.targetdescr.options.parse_as_flags(flags, model.targetoptions)
    flags.no_compile = True  # no entry point: callers link the IR
    flags.no_cpython_wrapper = True
    flags.no_cfunc_wrapper = True
    if noalias:
        flags.noalias = True
    # without Numba's runtime the helper takes no references to the arrays it is handed, nor to
    # the views it makes of them (its caller holds them alive for the call). Under
    # NUMBA_BOUNDSCHECK the kernels' checked twins (dsp_kernels.cpu.fft.simd.CHECKED) allocate
    # small tiles, and an overload compiled for a helper takes the helper's flags (Numba then
    # refuses the allocation), so there every helper counts references.
    flags.nrt = refcounted or bool(numba.config.BOUNDSCHECK)
    return flags


def _holds_references(ty) -> bool:
    """Whether a value of Numba type ``ty`` carries reference-counted memory (an array, or a
    tuple or record holding one)."""
    from numba.core.registry import cpu_target

    return cpu_target.target_context.data_model_manager[ty].contains_nrt_meminfo()


def _refuse_uncounted_arrays(key, cres):
    """Refuse a helper without reference counting that returns arrays (its caller would own a
    reference nobody took: freed while still in use), or that calls a jitted function (a
    dispatcher) returning arrays: Numba refuses such a call while it compiles the callee for the
    helper, but a callee compiled earlier, with counting, is reused as it is, and its new arrays
    would never be dropped (a leak on every call)."""
    from numba.core import ir, types

    if _holds_references(cres.signature.return_type):
        raise TypeError(f"{key.name} returns {cres.signature.return_type}: a helper that "
                        "returns arrays must be a refcounted subroutine (scratch_jit)")
    for expr, sig in cres.fndesc.calltypes.items():
        if not (isinstance(expr, ir.Expr) and expr.op == "call" and sig is not None):
            continue
        callee = cres.fndesc.typemap.get(expr.func.name)
        if isinstance(callee, types.Dispatcher) and _holds_references(sig.return_type):
            raise TypeError(f"{key.name} calls {callee.dispatcher.py_func.__qualname__}, which "
                            f"returns {sig.return_type}, without reference counting: make the "
                            "helper a refcounted subroutine (scratch_jit)")


def subroutine(func=None, *, fastmath=FASTMATH, noalias=False, refcounted=False):
    """Make ``func`` a helper that jitted code compiles into itself (module doc).

    Parameters
    ----------
    func : function
        The helper, written as for ``numba.njit``. Returned unchanged (callable from Python).
    fastmath : set of str
        Numba's fastmath flags (default: the kernels' :data:`~dsp_kernels.config.FASTMATH`);
        an empty set for exact arithmetic.
    noalias : bool
        Mark its array arguments ``noalias``, as :func:`~dsp_kernels.config.noalias_jit` does:
        the caller promises that no two of them overlap where either is written.
    refcounted : bool
        Compile it with Numba's reference counting (its runtime, NRT): needed by a helper
        that allocates, or returns arrays. The others (the default) take no references: each
        reference a function takes or drops is an atomic add on the array's count, and the
        counts of the arrays every thread shares (an FFT plan's tables, the window, the signal)
        bounced between the cores: a block of 16 stft frames took and dropped about 130 of them
        in its driver calls.
    """
    if func is None:
        return lambda f: subroutine(f, fastmath=fastmath, noalias=noalias, refcounted=refcounted)
    if numba.config.DISABLE_JIT:
        return func

    from numba.core import compiler, types
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.registry import cpu_target
    from numba.core.typing import signature
    from numba.core.typing.templates import AbstractTemplate, infer_global
    from numba.extending import lower_builtin

    compiled = {}  # argument types -> compile result (also read by tests: ``func.compiled``)
    state = {}
    func.compiled = compiled

    def compile_for(args):
        with global_compiler_lock:  # held by the compiling caller already; re-entrant
            cres = compiled.get(args)
            if cres is None:
                if "flags" not in state:
                    state["flags"] = _flags(func, fastmath, noalias, refcounted)
                cres = compiler.compile_extra(cpu_target.typing_context, cpu_target.target_context,
                                              func, args, None, state["flags"], {})
                if not refcounted:
                    _refuse_uncounted_arrays(key, cres)
                # optimised on its own before it is linked, as a dispatcher's library was, so that
                # the kernels' hot IR stays what it was; but never emitted as machine code
                # (dsp_kernels.lean_codegen). Costs under 0.1 s of a cold stft.
                cres.library._dsp_defer = True
                compiled[args] = cres
            return cres

    # the key of the typing template and of the lowering; not the function itself, which Numba
    # would require to be reachable as a module attribute already (it is not, while decorating)
    key = _Key(func)

    @infer_global(func, typing_key=key)
    class _Template(AbstractTemplate):

        def generic(self, args, kws):
            if kws:
                return None
            args = tuple(types.unliteral(a) for a in args)
            return signature(compile_for(args).signature.return_type, *args)

    @lower_builtin(key, types.VarArg(types.Any))
    def _lower(context, builder, sig, args):
        cres = compile_for(tuple(sig.args))
        if not context.enable_nrt and _holds_references(cres.signature.return_type):
            # a caller without reference counting would never drop the new arrays: a leak
            raise TypeError(f"{key.name} returns arrays into a helper compiled without reference "
                            "counting: make that caller a refcounted subroutine (scratch_jit)")
        context.active_code_library.add_linking_library(cres.library)
        return context.call_internal(builder, cres.fndesc, cres.signature, args)

    return func


def typed_call(typingctx, fn, argtypes):
    """``(signature, codegen)`` for an intrinsic that calls the subroutine ``fn`` with its own
    arguments: how the FFT picks a driver or a path by the plan's type while typing, and emits
    the call into the caller's IR (``passes._call_driver``, ``block._call_spectra``).
    """
    fnty = typingctx.resolve_value_type(fn)
    call_sig = typingctx.resolve_function_type(fnty, tuple(argtypes), {})

    def codegen(context, builder, signature, args):
        impl = context.get_function(fnty, call_sig)
        context.add_linking_libs(getattr(impl, "libs", ()))
        return impl(builder, args)

    return call_sig, codegen
