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
    norm. O(n log n) through our real FFT (:mod:`dsp_kernels.cpu.fft`) in ``x``'s precision:
    type 2 by Makhoul's reordering (even samples forward, odd samples backward) and one
    n-point real FFT; type 3 as its inverse (one n-point inverse real FFT); type 1 as the real
    FFT of the even extension of length 2(n - 1).

The transform matrices are tables built by :func:`dsp._dct` (cached per type, length, norm);
with the transform axis in the middle, the mel axis of a ``(..., n_mels, n_frames)`` spectrogram
is transformed in place of a transpose, and the inner loop runs over contiguous frames.
"""
from __future__ import annotations


import numba
import numpy as np
from numba import prange

from dsp_kernels.caches import table_cache
from dsp_kernels.config import jit, noalias_jit, pjit
from dsp_kernels.cpu.fft import alloc_work, get_rfft_plan, irfft_scaled_into, rfft_into
from dsp_kernels.cpu.stft_block import block_tasks, task_blocks

__all__ = ["apply_matrix", "fft_dct"]


def _apply_last_body(x, matrix, out):
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


@noalias_jit
def add_band(acc, matrix, j, src):
    """``acc[k, :len(src)] += matrix[k, j] * src`` for every coefficient ``k``: band ``j``'s
    share of each output row (float64 accumulators). Called for j = 0, 1, ... in turn, this is
    the summation order of :func:`apply_matrix`, which the fused MFCC pass
    (:mod:`dsp_kernels.cpu.mfcc`) shares so that both give the same bits."""
    nt = src.shape[0]
    for k in range(matrix.shape[0]):
        c = matrix[k, j]
        a = acc[k]
        for t in range(nt):
            a[t] += c * src[t]


@noalias_jit
def store_rows(acc, out, b, t0, nt):
    """``out[b, k, t0:t0 + nt] = acc[k, :nt]`` for every row ``k`` (rounded to out's dtype)."""
    for k in range(acc.shape[0]):
        dst = out[b, k, t0:t0 + nt]
        a = acc[k]
        for t in range(nt):
            dst[t] = a[t]


def _apply_middle_body(x, matrix, tile, out):
    # tiles of `tile` contiguous inner elements: each input row of a tile is read once and feeds
    # every output row, whose accumulators (n_out x tile, float64) stay in cache
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    n_tasks, per = block_tasks(outer, inner, tile)
    for task in prange(n_tasks):
        b, t0, t1 = task_blocks(task, per, tile, inner)
        nt = t1 - t0
        acc = np.zeros((n_out, tile), dtype=np.float64)
        for j in range(n):
            add_band(acc, matrix, j, x[b, j, t0 : t0 + nt])
        store_rows(acc, out, b, t0, nt)


# Each loop is compiled twice: parallel for big transforms, serial for small ones, where waking
# the thread pool costs more than the work (a 128-band, 20-coefficient MFCC DCT of a minute of
# audio is about 0.6 ms on one core).
_apply_last_p, _apply_last_s = pjit(_apply_last_body), jit(_apply_last_body)
_apply_middle_p, _apply_middle_s = pjit(_apply_middle_body), jit(_apply_middle_body)
#: multiply-adds below which the serial loop is used
PARALLEL_MIN_WORK = 1 << 24
#: inner elements per task of the middle-axis product (its n_out x TILE float64 accumulators,
#: 40 kB at 20 outputs, stay in cache); the fused MFCC pass tiles the same way
TILE = 256


def apply_matrix(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Transform the middle axis of ``x`` (outer, n, inner) by ``matrix`` (n_out, n)."""
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    out = np.empty((outer, n_out, inner), dtype=x.dtype)
    if out.size == 0:
        return out
    parallel = outer * n * n_out * inner >= PARALLEL_MIN_WORK
    if inner == 1:
        (_apply_last_p if parallel else _apply_last_s)(x.reshape(outer, n), matrix, out.reshape(outer, n_out))
    else:
        (_apply_middle_p if parallel else _apply_middle_s)(x, matrix, TILE, out)
    return out


@pjit
def _dct_rows(x, type, plan, cs, sn, pre, post, cproto, block, out):
    # one kernel for the three types (one compilation per dtype); `plan` is the n-point real
    # plan (types 2, 3) or the 2(n - 1)-point one (type 1)
    batch, n = x.shape
    m = plan.n
    n_tasks = (batch + block - 1) // block
    for task in prange(n_tasks):
        v = np.empty(m, dtype=x.dtype)
        spec = np.empty_like(cproto)
        work = alloc_work(plan)
        for b in range(task * block, min(batch, (task + 1) * block)):
            row = x[b]
            if type == 2:
                # Makhoul: even samples forward, odd samples backward, one n-point real FFT,
                # then y[k] = 2 Re(exp(-i pi k / 2n) V[k]) with V[n - k] = conj(V[k])
                for j in range((n + 1) // 2):
                    v[j] = row[2 * j] * pre[2 * j]
                for j in range(n // 2):
                    v[n - 1 - j] = row[2 * j + 1] * pre[2 * j + 1]
                rfft_into(plan, v, spec, work)
                for k in range(n // 2 + 1):
                    out[b, k] = 2.0 * (cs[k] * spec[k].real + sn[k] * spec[k].imag) * post[k]
                for k in range(n // 2 + 1, n):
                    out[b, k] = 2.0 * (cs[k] * spec[n - k].real - sn[k] * spec[n - k].imag) * post[k]
            elif type == 3:
                # the inverse of type 2's steps: V[k] = exp(i pi k / 2n) (X[k] - i X[n - k])
                for k in range(n // 2 + 1):
                    a = row[k] * pre[k]
                    c = row[n - k] * pre[n - k] if k > 0 else 0.0
                    spec[k] = complex(cs[k] * a + sn[k] * c, sn[k] * a - cs[k] * c)
                irfft_scaled_into(plan, spec, v, work, 1.0)
                for j in range((n + 1) // 2):
                    out[b, 2 * j] = v[j] * post[2 * j]
                for j in range(n // 2):
                    out[b, 2 * j + 1] = v[n - 1 - j] * post[2 * j + 1]
            else:
                # the real FFT of the even extension [x0 .. x_{n-1}, x_{n-2} .. x1]
                for j in range(n):
                    v[j] = row[j] * pre[j]
                for j in range(1, n - 1):
                    v[m - j] = v[j]
                rfft_into(plan, v, spec, work)
                for k in range(n):
                    out[b, k] = spec[k].real * post[k]


@table_cache(maxsize=32)
def _quarter_twiddles(n: int):
    """cos and sin of pi k / (2n), k < n, in float64 (read-only)."""
    angle = (np.pi / 2) * (np.arange(n) / n)  # below pi/2: no argument reduction needed
    cs, sn = np.cos(angle), np.sin(angle)
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
    m = 2 * (n - 1) if type == 1 else n
    cs, sn = _quarter_twiddles(n)
    _dct_rows(x, type, get_rfft_plan(m, x.dtype), cs, sn, pre, post, np.empty(m // 2 + 1, dtype=cdt), block, out)
    return out
