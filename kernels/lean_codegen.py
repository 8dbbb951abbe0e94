"""Numba's LLVM libraries optimised and emitted only where the code runs: a cold first call's time.

Why: Numba compiles a ``prange`` kernel into four LLVM libraries, each linked into the next: the
loop body (a gufunc), its gufunc wrapper, the parallel launcher and the kernel itself. Before a
library is linked into another, Numba *finalises* it: links its own dependencies into its module,
optimises that module at O3 and emits machine code for it. Every module carries a copy of
everything beneath it, so the FFT stack under an STFT kernel was optimised and emitted once per
level, although only the kernel's code ever runs. Measured on a cold ``dsp.stft`` (2 cores), each
wrapper cost 0.33 s of optimisation and 0.38 s of code generation, and the loop body 0.37 s of
code generation, of 7.7 s in all.

What, two rules:

* **Link-only libraries.** A library that has not been finalised when it is linked (the two
  wrappers; Numba's helpers compiled with ``context.compile_internal``) is handed over as it
  stands: its own functions with its dependencies linked in, made ``linkonce_odr`` as Numba does
  for any library it links. The library it is linked into optimises the whole when it is
  finalised, as it always did.
* **Loop bodies are not emitted alone.** A parfor's loop body is compiled without an entry point
  of its own (Numba's ``no_compile`` flag: nothing calls it but the wrappers) and is still
  optimised before it is linked, as before, so the kernels' hot code is the same optimised IR;
  only its own machine code, which nothing ran, is not emitted.

A library that is later asked for machine code after all (a function pointer, its object code for
the cache) gets it then, as Numba would have made it earlier.

The hooks are process-wide: once :mod:`dsp_kernels.config` has loaded (at the first kernel
call), other libraries' Numba functions compiled in the same process are compiled this way too.
Checked with a parallel ``guvectorize``, a parallel ``vectorize``, ``prange`` kernels with array
reductions, recursion, a ``cfunc`` called from jitted code, and librosa's beat tracker.

These are Numba's private interfaces (``CPUCodeLibrary``'s linking and finalisation methods, the
JIT codegen's ``_add_module``, ``compiler.compile_ir``'s parfor pipeline). :func:`install`
checks that they are there and leaves Numba untouched when they are not (compilation is then only
slower); tests check on the pinned Numba versions that both rules take effect.
``DSP_NUMBA_LEAN_CODEGEN=0`` (read by :mod:`dsp_kernels.config`) leaves Numba as it is.

Example
-------
>>> from dsp_kernels import lean_codegen
>>> lean_codegen.install()  # done by dsp_kernels.config at import; idempotent
True
"""
from __future__ import annotations

import threading

_LOCK = threading.Lock()
_INSTALLED = False
_INTERNALS = ("_linking_libraries", "_reload_init", "_final_module")
_PARFOR_PIPELINE = "ParforGufuncCompiler"  # numba.parfors.parfor_lowering's loop-body compiler


def installed() -> bool:
    """Whether the hooks are in place (False on a Numba whose internals differ)."""
    return _INSTALLED


def _has_internals(*libraries) -> bool:
    return all(hasattr(lib, a) for lib in libraries for a in _INTERNALS)


def _propagate_reload_init(library, seen):
    # Numba's finalize merges each linked library's reload hooks into its parent's; a library
    # that is not finalised has not merged its own dependencies' yet, so merge them here
    for dep in library._linking_libraries:
        if dep in seen:
            continue
        seen.add(dep)
        if not dep._finalized:
            _propagate_reload_init(dep, seen)
        library._reload_init.update(dep._reload_init)


def _link_only_module(library, linkage_external):
    """The module to link for an unfinalised ``library``: its IR plus its dependencies'."""
    mod = getattr(library, "_dsp_link_only", None)
    if mod is not None:
        return mod
    mod = library._final_module.clone()
    seen = set()
    for dep in library._linking_libraries:
        if dep not in seen:
            seen.add(dep)
            mod.link_in(dep._get_module_for_linking(), preserve=True)
    nfuncs = 0
    for fn in mod.functions:
        nfuncs += 1
        if not fn.is_declaration and fn.linkage == linkage_external:
            fn.linkage = "linkonce_odr"  # several parents may link it: one definition survives
    if nfuncs == 0:
        raise RuntimeError(f"library unfit for linking: no functions in {library}")
    library._dsp_link_only = mod
    return mod


def _install_link_only(codegen, external):
    lib_cls = codegen.CPUCodeLibrary
    original_add = lib_cls.add_linking_library
    original_get = lib_cls._get_module_for_linking

    def add_linking_library(self, library):
        # finalised, a deferred loop body (optimised before linking, as before), or anything
        # unexpected (another library class, attributes renamed): Numba's own way
        if (getattr(library, "_finalized", True) or getattr(library, "_dsp_defer", False)
                or not _has_internals(self, library)):
            return original_add(self, library)
        _propagate_reload_init(library, set())
        self._linking_libraries.append(library)

    def _get_module_for_linking(self):
        if getattr(self, "_finalized", True) or not _has_internals(self):
            return original_get(self)
        return _link_only_module(self, external)

    lib_cls.add_linking_library = add_linking_library
    lib_cls._get_module_for_linking = _get_module_for_linking


def _install_deferred_bodies(codegen, compiler):
    jit_lib = codegen.JITCodeLibrary
    jit_codegen = codegen.JITCPUCodegen
    original_compile_ir = compiler.compile_ir
    original_add_module = jit_codegen._add_module
    original_specific = jit_lib._finalize_specific
    original_pointer = jit_lib.get_pointer_to_function
    original_object = codegen.CodeLibrary._get_compiled_object

    def compile_ir(*args, **kwargs):
        pipeline = kwargs.get("pipeline_class")
        if getattr(pipeline, "__name__", "") != _PARFOR_PIPELINE or len(args) < 6:
            return original_compile_ir(*args, **kwargs)
        args = list(args)
        flags = args[5].copy()
        flags.no_compile = True  # no entry point: only the wrappers call the body
        args[5] = flags
        cres = original_compile_ir(*args, **kwargs)
        cres.library._dsp_defer = True
        return cres

    def materialize(library):
        module = getattr(library, "_dsp_pending", None)
        if module is not None:
            library._dsp_pending = None
            original_add_module(library._codegen, module)
            original_specific(library)

    def _add_module(self, module):
        library = getattr(module, "_CPUCodeLibrary__library", None)  # set by _finalize_final_module
        if library is not None and getattr(library, "_dsp_defer", False):
            library._dsp_pending = module
            return None
        return original_add_module(self, module)

    def _finalize_specific(self):
        if getattr(self, "_dsp_pending", None) is None:
            return original_specific(self)

    def get_pointer_to_function(self, name):
        materialize(self)
        return original_pointer(self, name)

    def _get_compiled_object(self):
        materialize(self)
        return original_object(self)

    compiler.compile_ir = compile_ir
    jit_codegen._add_module = _add_module
    jit_lib._finalize_specific = _finalize_specific
    jit_lib.get_pointer_to_function = get_pointer_to_function
    codegen.CodeLibrary._get_compiled_object = _get_compiled_object


def install() -> bool:
    """Put both hooks in place (idempotent, thread-safe). Returns whether they are installed."""
    global _INSTALLED
    with _LOCK:
        if _INSTALLED:
            return True
        try:
            from llvmlite import binding as ll
            from numba.core import codegen, compiler

            external = ll.Linkage.external
            for owner, names in ((codegen.CPUCodeLibrary, ("add_linking_library",
                                                           "_get_module_for_linking")),
                                 (codegen.JITCodeLibrary, ("_finalize_specific",
                                                           "get_pointer_to_function")),
                                 (codegen.JITCPUCodegen, ("_add_module",)),
                                 (codegen.CodeLibrary, ("_get_compiled_object",)),
                                 (compiler, ("compile_ir",))):
                for name in names:
                    getattr(owner, name)
            from numba.core.compiler import Flags

            if not hasattr(Flags(), "no_compile"):
                return False
        except Exception:  # a Numba whose internals moved: leave it as it is
            return False
        _install_link_only(codegen, external)
        _install_deferred_bodies(codegen, compiler)
        _INSTALLED = True
        return True
