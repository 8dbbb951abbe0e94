"""The batched CPU FFT entry functions: every row of a 2-D array, rows in parallel.

What ``dsp.fourier`` calls through the dispatch table ``dsp/_dispatch.py`` (a GPU twin,
:mod:`dsp_kernels.gpu.fft`, has the same names and signatures). They take validated,
C-contiguous 2-D arrays ``(batch, n)`` and transform every row:

- ``fft(x, inverse, scale)``: complex ``(batch, n)`` -> complex ``(batch, n)``.
- ``rfft(x, scale)``: real ``(batch, n)`` -> complex ``(batch, n//2 + 1)``.
- ``irfft(X, n, scale)``: complex ``(batch, n//2 + 1)`` -> real ``(batch, n)``.

``scale`` multiplies the *unnormalised* sum (``fft``/``rfft``: exp(-2 pi i jk/n);
``fft(inverse=True)``/``irfft``: exp(+2 pi i jk/n)), so numpy's norm modes are chosen by the caller.

Real transforms of plans without Bluestein go ``W`` rows at a time through the blocked transforms
(:mod:`dsp_kernels.cpu.fft.block`, :mod:`dsp_kernels.cpu.fft.inverse_block`); everything else row
by row through the njit API of :mod:`dsp_kernels.cpu.fft.transforms`. Small batches run serially.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.fft.batched import irfft, rfft
>>> X = rfft(np.arange(8.0).reshape(2, 4), 1.0)
>>> X.shape, float(X[1, 0].real)
((2, 3), 22.0)
>>> np.allclose(irfft(X, 4, 0.25), np.arange(8.0).reshape(2, 4))
True
"""
from __future__ import annotations

import numba
import numpy as np

from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.fft import streaming
from dsp_kernels.cpu.fft.block import alloc_block_work, rfft_lanes, rfft_lanes_spectra
from dsp_kernels.cpu.fft.streaming import PREV_LINES, stream_fits, stream_lanes
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes
from dsp_kernels.cpu.fft.plans import get_fft_plan, get_rfft_plan
from dsp_kernels.cpu.fft.simd import lanes_for
from dsp_kernels.cpu.fft.transforms import (
    alloc_work,
    fft_scaled_into,
    irfft_scaled_into,
    rfft_scaled_into,
)

__all__ = ["fft", "rfft", "irfft"]

@pjit
def _fft_rows(plan, x, out, inverse, scale, n_blocks):
    rows = x.shape[0]
    nb = min(rows, n_blocks)
    for b in numba.prange(nb):
        work = alloc_work(plan)
        for t in range(b * rows // nb, (b + 1) * rows // nb):
            fft_scaled_into(plan, x[t], out[t], work, inverse, scale)


@pjit
def _rfft_rows(lanes_plan, row_plan, x, out, outf, scale, n_blocks, stream):
    rows = x.shape[0]
    if lanes_plan is not None:
        # W rows at a time through the blocked (SIMD across rows) transform; full blocks by
        # streaming stores when ``stream`` (dsp_kernels.cpu.fft.streaming)
        n = lanes_plan.n
        W = 64 // lanes_plan.consts.itemsize
        n_lane_blocks = (rows + W - 1) // W
        nb = min(n_lane_blocks, n_blocks)
        src = x.reshape(x.size)
        nbins = n // 2 + 1
        streams = stream and stream_fits(outf)
        for b in numba.prange(nb):
            work = alloc_block_work(lanes_plan)
            ones = np.ones(n, dtype=x.dtype)
            prev = np.empty(PREV_LINES * W, dtype=lanes_plan.consts.dtype)
            shifts_starts = np.empty(2 * W, dtype=np.int64)
            for c in range(b * n_lane_blocks // nb, (b + 1) * n_lane_blocks // nb):
                B = min(W, rows - c * W)
                if streams and B == W:
                    rfft_lanes_spectra(lanes_plan, src, c * W * n, n, B, ones, work, scale)
                    stream_lanes(work[1], 2 * W, W, 2 * nbins, outf, c * W * 2 * nbins, 2 * nbins,
                                 prev, shifts_starts[:W], shifts_starts[W:])
                else:
                    rfft_lanes(lanes_plan, src, c * W * n, n, B, ones, outf, c * W * 2 * nbins,
                               2 * nbins, work, scale)
    if row_plan is not None:
        nb = min(rows, n_blocks)
        for b in numba.prange(nb):
            work = alloc_work(row_plan)
            for t in range(b * rows // nb, (b + 1) * rows // nb):
                rfft_scaled_into(row_plan, x[t], out[t], work, scale)


@pjit
def _irfft_rows(lanes_plan, row_plan, X, Xf, out, scale, n_blocks):
    rows = X.shape[0]
    if lanes_plan is not None:
        # W rows at a time through the blocked inverse (SIMD across rows)
        n = lanes_plan.n
        W = 64 // lanes_plan.consts.itemsize
        m = X.shape[1]
        n_lane_blocks = (rows + W - 1) // W
        nb = min(n_lane_blocks, n_blocks)
        dst = out.reshape(out.size)
        for b in numba.prange(nb):
            work = alloc_block_work(lanes_plan)
            for c in range(b * n_lane_blocks // nb, (b + 1) * n_lane_blocks // nb):
                B = min(W, rows - c * W)
                irfft_lanes(lanes_plan, Xf, c * W * 2 * m, 2 * m, B, m, dst, c * W * n, n, work,
                            scale)
    if row_plan is not None:
        nb = min(rows, n_blocks)
        for b in numba.prange(nb):
            work = alloc_work(row_plan)
            for t in range(b * rows // nb, (b + 1) * rows // nb):
                irfft_scaled_into(row_plan, X[t], out[t], work, scale)


# Small batches run serially: starting the thread pool costs more than they do (and far more on
# a loaded machine).


@jit
def _fft_rows_serial(plan, x, out, inverse, scale):
    work = alloc_work(plan)
    for t in range(x.shape[0]):
        fft_scaled_into(plan, x[t], out[t], work, inverse, scale)


@jit
def _rfft_rows_serial(lanes_plan, row_plan, x, out, outf, scale):
    # exactly one plan is given (_plans): the other path is pruned before compiling
    rows = x.shape[0]
    if lanes_plan is not None:
        n = lanes_plan.n
        W = 64 // lanes_plan.consts.itemsize
        bwork = alloc_block_work(lanes_plan)
        ones = np.ones(n, dtype=x.dtype)
        src = x.reshape(x.size)
        nbins = n // 2 + 1
        for c in range(0, rows, W):
            B = min(W, rows - c)
            rfft_lanes(lanes_plan, src, c * n, n, B, ones, outf, c * 2 * nbins, 2 * nbins,
                       bwork, scale)
    if row_plan is not None:
        work = alloc_work(row_plan)
        for t in range(x.shape[0]):
            rfft_scaled_into(row_plan, x[t], out[t], work, scale)


@jit
def _irfft_rows_serial(lanes_plan, row_plan, X, Xf, out, scale):
    # exactly one plan is given (_plans): the other path is pruned before compiling
    rows = X.shape[0]
    if lanes_plan is not None:
        n = lanes_plan.n
        W = 64 // lanes_plan.consts.itemsize
        bwork = alloc_block_work(lanes_plan)
        m = X.shape[1]
        dst = out.reshape(out.size)
        for c in range(0, rows, W):
            B = min(W, rows - c)
            irfft_lanes(lanes_plan, Xf, c * 2 * m, 2 * m, B, m, dst, c * n, n, bwork, scale)
    if row_plan is not None:
        work = alloc_work(row_plan)
        for t in range(rows):
            irfft_scaled_into(row_plan, X[t], out[t], work, scale)


def _plans(plan, parallel: bool, rows: int = 0, inverse: bool = False):
    """``(lanes_plan, row_plan)``: which path a real batched transform takes, as arguments that
    are None for the path it cannot take, so that Numba prunes that path before compiling it
    (a power-of-two batch then never compiles the row-by-row transform, nor a Bluestein inverse
    the blocked, which it lacks). The parallel kernels take the blocked path only (their batches
    are large); the serial ones the blocked path for a batch of at least W rows and the row path
    below that (one signal: a cold ``dsp.rfft(y)`` or a filter's spectrum no longer compiles
    both). The forward blocked transform runs Bluestein's convolution in lanes too."""
    if plan.bluestein != 0 and inverse:
        return None, plan
    if parallel:
        return plan, None
    return (plan, None) if rows >= lanes_for(plan.consts.dtype) else (None, plan)


#: below this many samples in a batch (rows * n) the rows are done serially
PARALLEL_MIN_SAMPLES = 1 << 15


def _parallel(rows: int, n: int) -> bool:
    return rows >= 2 and rows * n >= PARALLEL_MIN_SAMPLES


def _n_blocks() -> int:
    # a few blocks per thread balance the load; each block allocates its scratch once
    return 4 * numba.get_num_threads()


def _kernel_ready(x: np.ndarray) -> np.ndarray:
    # a read-only array is another Numba type (another compilation): copy it instead
    x = np.ascontiguousarray(x)
    return x if x.flags.writeable else x.copy()


def fft(x: np.ndarray, inverse: bool, scale: float) -> np.ndarray:
    """Complex transform of every row of ``x`` (batch, n), times ``scale``."""
    x = _kernel_ready(x)
    n = x.shape[-1]
    out = np.empty(x.shape, dtype=x.dtype)
    if x.shape[0] and n:
        plan = get_fft_plan(n, x.dtype)
        sc = plan.consts.dtype.type(scale)
        if _parallel(x.shape[0], n):
            _fft_rows(plan, x, out, bool(inverse), sc, _n_blocks())
        else:
            _fft_rows_serial(plan, x, out, bool(inverse), sc)
    return out


def rfft(x: np.ndarray, scale: float) -> np.ndarray:
    """Real transform of every row of ``x`` (batch, n) -> (batch, n//2 + 1), times ``scale``."""
    x = _kernel_ready(x)
    n = x.shape[-1]
    cdt = np.complex64 if x.dtype == np.float32 else np.complex128
    out = np.empty((x.shape[0], n // 2 + 1), dtype=cdt)
    if x.shape[0] and n:
        plan = get_rfft_plan(n, x.dtype)
        sc = plan.consts.dtype.type(scale)
        outf = out.view(x.dtype).reshape(-1)  # the blocked path writes re, im as floats
        if _parallel(x.shape[0], n):
            stream = out.nbytes >= streaming.STREAM_FROM
            _rfft_rows(*_plans(plan, True), x, out, outf, sc, _n_blocks(), stream)
        else:
            _rfft_rows_serial(*_plans(plan, False, x.shape[0]), x, out, outf, sc)
    return out


def irfft(X: np.ndarray, n: int, scale: float) -> np.ndarray:
    """Inverse real transform of every row of ``X`` (batch, n//2 + 1) -> (batch, n), times scale."""
    X = _kernel_ready(X)
    rdt = np.float32 if X.dtype == np.complex64 else np.float64
    out = np.empty((X.shape[0], n), dtype=rdt)
    if X.shape[0] and n:
        plan = get_rfft_plan(n, rdt)
        sc = plan.consts.dtype.type(scale)
        Xf = X.view(rdt).reshape(-1)  # the blocked path reads re, im as floats
        if _parallel(X.shape[0], n):
            _irfft_rows(*_plans(plan, True, inverse=True), X, Xf, out, sc, _n_blocks())
        else:
            _irfft_rows_serial(*_plans(plan, False, X.shape[0], inverse=True), X, Xf, out, sc)
    return out

