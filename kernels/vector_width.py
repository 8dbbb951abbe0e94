"""Our kernels' loops vectorised with the CPU's widest vectors (512 bits where it has AVX-512).

Why: LLVM vectorises a loop as wide as the CPU it compiles for *prefers*, and for Intel's
AVX-512 CPUs (Skylake-SP to Sapphire Rapids, and the Rocket Lake that a KVM guest on a Xeon
reports) that preference is 256 bits: 512-bit arithmetic once lowered the clock of the whole
core. AMD's Zen 4 and Zen 5 prefer 512 bits. So on the Intel machines the FFT passes, the
overlap-adds and the filter loops ran half as wide as on AMD, while the explicit 64-byte
vectors of the transposes (:mod:`dsp_kernels.cpu.fft.simd`) ran full width beside them. Measured
on the 2-core Intel Xeon machine (stop 41; the tree before against this one, three alternating
process pairs, medians of 30 calls, 2 threads, 60 s of float32 audio): the 16 kHz speech front
end (400/160) 1.39-1.53 -> 1.27-1.34 ms, melspectrogram 2.40-2.53 -> 2.21-2.28, resample 22.05
-> 16 kHz 3.80-4.00 -> 3.49-3.56, wavedec 1.23-1.30 -> 0.91-1.08, a 1 s clip's 16 -> 8 kHz
resampling 45-50 -> 40-42 us; stft 2048/512 and istft within the spread (docs/spectral.md).

What: every function of an LLVM module that defines or calls a function of this package (a
kernel, its ``prange`` loop body, the helpers it links) gets the function attribute
``"prefer-vector-width"="512"`` before Numba optimises it. It is a preference: on a CPU without
512-bit vectors LLVM uses the widest it has, and targets other than x86 ignore it. Numba code of
other packages in the same process keeps LLVM's choice (its modules name none of ours).

This is one of Numba's private interfaces (``CPUCodeLibrary.add_ir_module``), guarded like the
hooks of :mod:`dsp_kernels.lean_codegen`: :func:`install` leaves Numba untouched when it is not
there (the kernels are then only slower on those CPUs), and a test checks on the pinned Numba
that a kernel carries the attribute and other code does not. ``DSP_NUMBA_WIDE_VECTORS=0``
(:func:`wanted`, read by :mod:`dsp_kernels.config` and by the kernel cache, which keeps that code
in a directory of its own) leaves Numba's choice everywhere.

Example
-------
>>> from dsp_kernels import vector_width
>>> vector_width.install()  # done by dsp_kernels.config at import; idempotent
True
"""
from __future__ import annotations

import os
import threading

#: the LLVM function attribute, as it is written in the IR
ATTRIBUTE = '"prefer-vector-width"="512"'
#: what the mangled name of every function of this package contains (Numba mangles the module path)
PACKAGE = "dsp_kernels"

_LOCK = threading.Lock()
_INSTALLED = False


def wanted() -> bool:
    """Whether this process asks for wide vectors (``DSP_NUMBA_WIDE_VECTORS`` is not ``0``): the
    one rule for installing the hook and for the kernel cache's directory."""
    return os.environ.get("DSP_NUMBA_WIDE_VECTORS", "1") != "0"


def installed() -> bool:
    """Whether the hook is in place."""
    return _INSTALLED


def is_ours(ir_module) -> bool:
    """Whether an llvmlite IR module defines or calls a function of this package (a ``prange``
    loop body is named by Numba, not by us, and is recognised by what it calls)."""
    return any(PACKAGE in fn.name for fn in ir_module.functions)


def mark(ir_module) -> int:
    """Give every function defined in ``ir_module`` the attribute; returns how many."""
    n = 0
    for fn in ir_module.functions:
        if not fn.is_declaration:
            # llvmlite's attribute set accepts only LLVM's keyword attributes by name; a string
            # attribute is written into the IR as it stands, so it goes past that check
            set.add(fn.attributes, ATTRIBUTE)
            n += 1
    return n


def _patch() -> bool:
    global _INSTALLED
    try:
        from numba.core import codegen

        original = codegen.CPUCodeLibrary.add_ir_module
    except Exception:  # a Numba whose internals moved: leave it as it is
        return False

    def add_ir_module(self, ir_module):
        if is_ours(ir_module):
            mark(ir_module)
        return original(self, ir_module)

    codegen.CPUCodeLibrary.add_ir_module = add_ir_module
    _INSTALLED = True
    return True


def install() -> bool:
    """Put the hook in place (idempotent, thread-safe). Returns whether it is installed."""
    with _LOCK:
        return _INSTALLED or _patch()
