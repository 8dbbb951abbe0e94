"""A long symmetric FIR low-pass at the signal's own rate, by fast convolution: the sharp stage
of :func:`dsp.resample`'s 'hq' cascade (half-band stages, this filter, a short polyphase stage).

Entry function
--------------
``fir_full(x, taps, n_fft, spectrum)``
    ``x`` (batch, n) float32/float64 C-contiguous, ``taps`` (T,) odd T; returns
    (batch, n + T - 1), the full linear convolution with its tails:
    ``out[i] = sum_j taps[j] x[i + j - (T - 1)]`` (samples outside the signal zero; for
    symmetric taps this is the convolution, delayed by ``(T - 1) / 2``). ``spectrum``
    (n_fft // 2 + 1,) complex holds ``conj(H_k)``, ``H`` the ``n_fft``-point transform of the
    zero-padded taps (designed in float64 by the caller). Blocks of ``n_fft`` samples,
    ``M = n_fft - T + 1`` apart, are transformed W at a time with the blocked real FFT
    (:mod:`dsp_kernels.cpu.fft.block`), multiplied by the spectrum in lanes and transformed
    back; the first ``M`` samples of each are outputs (overlap-save). About 70 flops per
    output for 269 taps at ``n_fft = 2048`` instead of 538; the result differs from the direct
    sum by float rounding. Below ``SERIAL_SAMPLES`` outputs one thread does the work.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.resample_fft import fir_full
>>> taps = np.array([0.25, 0.5, 0.25])
>>> spectrum = np.conj(np.fft.rfft(taps, 16))  # designed by the caller (dsp uses its own FFT)
>>> fir_full(np.array([[1.0, 0.0, 0.0, 2.0]]), taps, 16, spectrum).round(6)
array([[0.25, 0.5 , 0.25, 0.5 , 1.  , 0.5 ]])
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import inner_jit, jit, noalias_jit, pjit
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.fft.block import alloc_block_work, block_lanes, rfft_lanes_spectra, store_lane_runs
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes_spectra
from dsp_kernels.cpu.fft.passes import u64
from dsp_kernels.cpu.framing import load_zero_padded
from dsp_kernels.cpu.stft_block import block_tasks, blocks_per_task, overlap_save_groups, task_groups

__all__ = ["fir_full"]


@noalias_jit
def _multiply_lanes(P, hr, hi, lanes):
    """``X_k *= H_k`` in place for every bin and lane (bin k of lane l: real part at
    ``2 k W + l``, imaginary at ``(2 k + 1) W + l``)."""
    W = u64(lanes)
    two = u64(2)  # unsigned indices: a signed one makes LLVM gather and scatter
    for k in range(hr.shape[0]):
        s = two * u64(k) * W
        a = hr[k]
        b = hi[k]
        for l in range(W):
            xr = P[s + l]
            xi = P[s + W + l]
            P[s + l] = a * xr - b * xi
            P[s + W + l] = a * xi + b * xr


@inner_jit
def _fir_task(x, reach, M, plan, hr, hi, groups_per_task, out, task, per_row, work, stage, ones):
    n = x.shape[1]
    n_out = out.shape[1]
    W = 64 // plan.consts.itemsize
    lanes = block_lanes(plan, work)
    b, g0, g1, n_blocks = task_groups(task, per_row, groups_per_task, n_out, M, W)
    row = x[b]
    dst = out[b]
    for g in range(g0, g1):
        c0 = g * W
        B = min(W, n_blocks - c0)
        # block c's samples start at c M - reach (the first tap of its first output); a
        # group's W blocks read one contiguous stretch, copied with zeros outside the signal
        # when it reaches past either end (the first and last groups only: no copy of the
        # whole signal). All W lanes are always transformed (those past B are not stored).
        s0 = c0 * M - reach
        if s0 >= 0 and s0 + stage.shape[0] <= n:
            rfft_lanes_spectra(plan, row, s0, M, W, ones, work, plan.scales[0])
        else:
            load_zero_padded(row, s0, stage)
            rfft_lanes_spectra(plan, stage, np.int64(0), M, W, ones, work, plan.scales[0])
        _multiply_lanes(work[1], hr, hi, lanes)
        irfft_lanes_spectra(plan, work, plan.scales[1])
        store_lane_runs(work[1], M, B, dst, c0 * M, n_out)


@pjit
def _fir_parallel(x, reach, M, plan, hr, hi, groups_per_task, out, n_tasks, per_row):
    W = 64 // plan.consts.itemsize
    for task in prange(n_tasks):
        work = alloc_block_work(plan)
        stage = np.empty((W - 1) * M + plan.n, dtype=x.dtype)
        ones = np.ones(plan.n, dtype=x.dtype)
        _fir_task(x, reach, M, plan, hr, hi, groups_per_task, out, task, per_row, work, stage, ones)


@jit
def _fir_serial(x, reach, M, plan, hr, hi, groups_per_task, out, n_tasks, per_row):
    W = 64 // plan.consts.itemsize
    work = alloc_block_work(plan)
    stage = np.empty((W - 1) * M + plan.n, dtype=x.dtype)
    ones = np.ones(plan.n, dtype=x.dtype)
    for task in range(n_tasks):
        _fir_task(x, reach, M, plan, hr, hi, groups_per_task, out, task, per_row, work, stage, ones)


#: below this many output samples (about a third of a millisecond of work) one thread does it:
#: waking the pool costs more, and on a busy machine a parallel call waits for a descheduled
#: worker (the rule of dsp_kernels.cpu.resample.SERIAL_MACS, in this kernel's cost)
SERIAL_SAMPLES = 1 << 17


def fir_full(x, taps, n_fft, spectrum):
    """Full convolution of the rows of ``x`` with the symmetric ``taps``: (batch, n) ->
    (batch, n + T - 1), by overlap-save (module doc)."""
    T = len(taps)
    n_out = x.shape[1] + T - 1
    out = np.empty((x.shape[0], n_out), dtype=x.dtype)
    M = n_fft - T + 1
    plan = get_rfft_plan(n_fft, x.dtype)
    s = np.asarray(spectrum)
    hr = np.ascontiguousarray(s.real, dtype=x.dtype)
    hi = np.ascontiguousarray(s.imag, dtype=x.dtype)
    n_blocks, n_groups = overlap_save_groups(n_out, M, 64 // x.dtype.itemsize)
    per_task = blocks_per_task(x.shape[0], n_blocks, x.dtype)
    n_tasks, per_row = block_tasks(x.shape[0], n_groups, per_task)
    kernel = _fir_serial if x.shape[0] * n_out < SERIAL_SAMPLES else _fir_parallel
    kernel(np.ascontiguousarray(x), np.int64(T - 1), np.int64(M), plan, hr, hi, np.int64(per_task), out,
           np.int64(n_tasks), np.int64(per_row))
    return out
