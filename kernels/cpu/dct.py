"""DCT kernels (types 1, 2, 3) on the CPU.

Entry functions
---------------
``apply_matrix(x, matrix)``
    ``x`` has shape ``(outer, n, inner)`` (C-contiguous, the transform axis in the middle) and
    ``matrix`` shape ``(n_out, n)`` float64; returns ``(outer, n_out, inner)`` in ``x``'s dtype.
    Sums are carried in float64 whatever the input dtype, so a float32 result is the float64
    transform rounded once. For short axes (mel bands) and for a few leading outputs (MFCCs).
``fft_dct(x, type, pre, post)``
    ``x`` (batch, n) C-contiguous; returns ``post * DCT_type(pre * x)`` along the rows, where
    DCT_type is SciPy's unnormalised transform and ``pre``/``post`` (float64, length n) carry the
    norm. O(n log n) through our real FFT (:mod:`kernels.cpu.fft`) in ``x``'s precision:
    type 2 by Makhoul's reordering (even samples forward, odd samples backward) and one
    n-point real FFT; type 3 as its inverse (one n-point inverse real FFT); type 1 as the real
    FFT of the even extension of length 2(n - 1).

The transform matrices are tables built by :func:`dsp._dct` (cached per type, length, norm);
with the transform axis in the middle, the mel axis of a ``(..., n_mels, n_frames)`` spectrogram
is transformed in place of a transpose, and the inner loop runs over contiguous frames.
"""
from __future__ import annotations

import functools

import numba
import numpy as np
from numba import prange

from kernels.config import pjit
from kernels.cpu.fft import alloc_work, get_rfft_plan, irfft_scaled_into, rfft_into

__all__ = ["apply_matrix", "fft_dct"]


@pjit
def _apply_last(x, matrix, out):
    # the transform axis is contiguous: each output is a dot product of two contiguous rows
    outer, n = x.shape
    n_out = matrix.shape[0]
    for b in prange(outer):
        row = np.empty(n, dtype=np.float64)
        for j in range(n):
            row[j] = x[b, j]
        for k in range(n_out):
            acc = 0.0
            for j in range(n):
                acc += matrix[k, j] * row[j]
            out[b, k] = acc


@pjit
def _apply_middle(x, matrix, out):
    # one (outer, k) pair per task; the inner loop runs over contiguous elements of `inner`
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    for task in prange(outer * n_out):
        b = task // n_out
        k = task - b * n_out
        acc = np.zeros(inner, dtype=np.float64)
        for j in range(n):
            c = matrix[k, j]
            for t in range(inner):
                acc[t] += c * x[b, j, t]
        for t in range(inner):
            out[b, k, t] = acc[t]


def apply_matrix(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Transform the middle axis of ``x`` (outer, n, inner) by ``matrix`` (n_out, n)."""
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    out = np.empty((outer, n_out, inner), dtype=x.dtype)
    if out.size == 0:
        return out
    if inner == 1:
        _apply_last(x.reshape(outer, n), matrix, out.reshape(outer, n_out))
    else:
        _apply_middle(x, matrix, out)
    return out


@pjit
def _dct2_rows(x, plan, cs, sn, pre, post, cproto, block, out):
    batch, n = x.shape
    n_tasks = (batch + block - 1) // block
    for task in prange(n_tasks):
        v = np.empty(n, dtype=x.dtype)
        spec = np.empty_like(cproto)
        work = alloc_work(plan)
        for b in range(task * block, min(batch, (task + 1) * block)):
            row = x[b]
            h = (n + 1) // 2
            for j in range(h):
                v[j] = row[2 * j] * pre[2 * j]
            for j in range(n // 2):
                v[n - 1 - j] = row[2 * j + 1] * pre[2 * j + 1]
            rfft_into(plan, v, spec, work)
            # y[k] = 2 Re(exp(-i pi k / 2n) V[k]), V[n - k] = conj(V[k])
            for k in range(n // 2 + 1):
                re = spec[k].real
                im = spec[k].imag
                out[b, k] = 2.0 * (cs[k] * re + sn[k] * im) * post[k]
            for k in range(n // 2 + 1, n):
                re = spec[n - k].real
                im = -spec[n - k].imag
                out[b, k] = 2.0 * (cs[k] * re + sn[k] * im) * post[k]


@pjit
def _dct3_rows(x, plan, cs, sn, pre, post, cproto, block, out):
    batch, n = x.shape
    n_tasks = (batch + block - 1) // block
    for task in prange(n_tasks):
        v = np.empty(n, dtype=x.dtype)
        spec = np.empty_like(cproto)
        work = alloc_work(plan)
        for b in range(task * block, min(batch, (task + 1) * block)):
            row = x[b]
            # the inverse of the type-2 reordering: V[k] = exp(i pi k / 2n) (X[k] - i X[n - k])
            for k in range(n // 2 + 1):
                a = row[k] * pre[k]
                c = row[n - k] * pre[n - k] if k > 0 else 0.0
                spec[k] = complex(cs[k] * a + sn[k] * c, sn[k] * a - cs[k] * c)
            irfft_scaled_into(plan, spec, v, work, 1.0)
            for j in range((n + 1) // 2):
                out[b, 2 * j] = v[j] * post[2 * j]
            for j in range(n // 2):
                out[b, 2 * j + 1] = v[n - 1 - j] * post[2 * j + 1]


@pjit
def _dct1_rows(x, plan, pre, post, cproto, block, out):
    batch, n = x.shape
    m = 2 * (n - 1)
    n_tasks = (batch + block - 1) // block
    for task in prange(n_tasks):
        e = np.empty(m, dtype=x.dtype)
        spec = np.empty_like(cproto)
        work = alloc_work(plan)
        for b in range(task * block, min(batch, (task + 1) * block)):
            row = x[b]
            for j in range(n):
                e[j] = row[j] * pre[j]
            for j in range(1, n - 1):
                e[m - j] = e[j]
            rfft_into(plan, e, spec, work)
            for k in range(n):
                out[b, k] = spec[k].real * post[k]


@functools.lru_cache(maxsize=32)
def _quarter_twiddles(n: int):
    """cos and sin of pi k / (2n), k < n, in float64 (read-only)."""
    k = np.arange(n)
    # reduce exactly: pi k / 2n = 2 pi k / 4n
    cs, sn = np.cos(2.0 * np.pi * k / (4 * n)), np.sin(2.0 * np.pi * k / (4 * n))
    cs.setflags(write=False)
    sn.setflags(write=False)
    return cs, sn


def fft_dct(x: np.ndarray, type: int, pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """``post * DCT_type(pre * x)`` along the rows of ``x`` (batch, n), O(n log n)."""
    batch, n = x.shape
    out = np.empty_like(x)
    if out.size == 0:
        return out
    cdt = np.complex64 if x.dtype == np.float32 else np.complex128
    block = max(1, min(64, -(-batch // (4 * numba.get_num_threads()))))
    if type == 1:
        m = 2 * (n - 1)
        _dct1_rows(x, get_rfft_plan(m, x.dtype), pre, post, np.empty(m // 2 + 1, dtype=cdt), block, out)
        return out
    cs, sn = _quarter_twiddles(n)
    kernel = _dct2_rows if type == 2 else _dct3_rows
    kernel(x, get_rfft_plan(n, x.dtype), cs, sn, pre, post, np.empty(n // 2 + 1, dtype=cdt), block, out)
    return out
