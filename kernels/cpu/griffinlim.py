"""Griffin-Lim's phase update on the CPU, one fused pass in place of NumPy's five.

Entry function
--------------
``phase_update(A, R, T, scale, S, eps)``
    ``A`` (n,) complex, written: ``a = R - scale * T`` (``T`` None: ``a = R``), then
    ``A = a / (|a| + eps) * S``, elementwise over flat C-contiguous arrays of one layout (``R``,
    ``T`` complex like ``A``, ``S`` real of its precision). As librosa's NumPy steps: the
    division is a multiplication by ``1 / (|a| + eps)``; ``a`` and ``|a|`` are in the arrays'
    precision, the factor ``S / (|a| + eps)`` in float64 before the result is rounded to ``A``'s
    dtype. No fast math, so no contraction changes the roundings.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.griffinlim import phase_update
>>> A = np.empty(2, np.complex128)
>>> phase_update(A, np.array([3 + 4j, 1j]), None, 0.5, np.array([10.0, 2.0]), 1e-300)
>>> A
array([6.+8.j, 0.+2.j])
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from dsp_kernels.config import exact_jit, exact_pjit
from dsp_kernels.cpu.fft.passes import u64
from dsp_kernels.cpu.vmath import vdiv

__all__ = ["phase_update"]

_CHUNK = 4096


@exact_jit
def _update_run(A, R, T, has_prev, scale, S, eps, lo, hi):
    # unsigned indices: a signed one makes LLVM guard each access for wraparound and leaves the
    # loop scalar
    two = u64(2)
    one = u64(1)
    if has_prev:
        for i in range(u64(lo), u64(hi)):
            re = R[two * i] - scale * T[two * i]
            im = R[two * i + one] - scale * T[two * i + one]
            scl = vdiv(1.0, math.sqrt(re * re + im * im) + eps) * S[i]
            A[two * i] = re * scl
            A[two * i + one] = im * scl
    else:
        for i in range(u64(lo), u64(hi)):
            re = R[two * i]
            im = R[two * i + one]
            scl = vdiv(1.0, math.sqrt(re * re + im * im) + eps) * S[i]
            A[two * i] = re * scl
            A[two * i + one] = im * scl


@exact_pjit
def _phase_update(A, R, T, has_prev, scale, S, eps):
    # A, R, T: the complex arrays' float views, (re, im) pairs
    n = S.shape[0]
    for c in prange((n + _CHUNK - 1) // _CHUNK):
        _update_run(A, R, T, has_prev, scale, S, eps, c * _CHUNK, min(n, (c + 1) * _CHUNK))


def phase_update(A, R, T, scale, S, eps):
    """In place: ``A = a / (|a| + eps) * S`` with ``a = R - scale * T`` (module doc)."""
    real = A.real.dtype.type
    has_prev = T is not None
    fl = lambda z: z.view(A.real.dtype)  # noqa: E731
    _phase_update(fl(A), fl(R), fl(T if has_prev else R), has_prev, real(scale), S, real(eps))
