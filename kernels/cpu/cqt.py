"""Constant-Q projection kernels on the CPU: the sparse product of a filter bank's spectra with
the spectra of an octave's frames, and its adjoint (for the inverse transform).

The bank is stored as in :mod:`dsp_kernels.cpu.mel` (ranged CSR): filter ``k`` covers FFT bins
``starts[k] .. starts[k] + offsets[k+1] - offsets[k] - 1`` with the weights
``weights[offsets[k]:offsets[k+1]]``. A constant-Q filter's spectrum is one narrow lobe, so the
work is the number of kept weights (a few hundred per filter) rather than ``n_filters * n_bins``.
Weights and spectra may be complex (the transform) or real (the magnitude-only pseudo-CQT):
Numba compiles one version per type.

Entry functions
---------------
``cqt_project(D, starts, offsets, weights)``
    ``D`` (batch, n_bins, n_frames) C-contiguous; returns (batch, n_filters, n_frames),
    ``out[b, k, t] = sum_f weights[k, f] D[b, f, t]``, in ``D``'s dtype.
``cqt_adjoint(C, starts, offsets, weights, gains, n_bins)``
    ``C`` (batch, n_filters, n_frames) complex; returns (batch, n_bins, n_frames),
    ``out[b, f, t] = sum_k conj(weights[k, f]) gains[k] C[b, k, t]``.
``cqt_octave(y, *, n_fft, hop_length, pad_mode, starts, offsets, weights, n_frames)``
    One octave of the transform from the signal: ``y`` (batch, n) C-contiguous float32/float64,
    ``weights`` complex (the precision of ``y``); returns (batch, n_filters, n_frames) complex,
    the projection of the first ``n_frames`` centred rectangular frames of length ``n_fft``
    (``cqt_project`` of ``dsp.stft(y, window='ones')``). Fused as the mel spectrogram is
    (:mod:`dsp_kernels.cpu.mel`): W frames at a time (16 float32, 8 float64) are transformed
    with the blocked real FFT and projected straight from its lanes, so no octave's STFT (nor
    its transposed copy) is ever stored; frames past ``n_frames`` (the lower octaves' common
    length) are not computed.
``cqt_halve(x, taps, n_fft, fold)``
    The octave step's decimation by 2: ``x`` (batch, n) float32/float64 C-contiguous; returns
    (batch, ceil(n / 2)), ``out[m] = sum_j taps[j] x[2m - T/2 + 1 + j]`` (``T = len(taps)``,
    samples outside the signal zero): the resampler's polyphase rule for ``up=1, down=2``
    (:mod:`dsp_kernels.cpu.resample`), computed by fast convolution. Blocks of ``n_fft``
    samples, ``2 M`` apart (``M = n_fft/2 - T/2 + 1`` outputs each), are transformed W at a time
    with the blocked real FFT; ``fold`` (4, n_fft/4 + 1), ``x``'s dtype, holds the real and
    imaginary parts of ``a_k = conj(H_k) / 2`` and ``b_k = H_{n_fft/2 - k} / 2`` (``H`` the
    taps' ``n_fft``-point spectrum), so that ``Z_k = a_k X_k + b_k conj(X_{n_fft/2 - k})`` is the
    spectrum of the correlation's even samples, which one inverse real FFT of ``n_fft / 2``
    points returns (``n_fft`` a multiple of 4). The forward's split into real bins, this fold
    and the inverse's merge run as one product (:mod:`dsp_kernels.cpu.fft.split_fold`, its
    coefficients cached per filter array). About 100 flops per output instead of ``2 T = 780`` ('hq', 390 taps,
    ``n_fft = 2048``); the block length is chosen by ``dsp._resample_halving``'s cost model.
    The result differs from the direct sum by float rounding.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.caches import register, table_cache
from dsp_kernels.config import inner_jit, jit, noalias_jit, pjit, scratch_jit
from dsp_kernels.entry import KeyedEntry
from dsp_kernels.thread_scratch import scratch_for
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.fft.block import alloc_block_work, block_lanes, store_lane_runs
from dsp_kernels.cpu.fft.passes import u64
from dsp_kernels.cpu.fft.split_fold import fold_table, halve_lanes
from dsp_kernels.cpu.finite import all_finite, row_all_finite
from dsp_kernels.cpu.framing import load_zero_padded
from dsp_kernels.cpu.stft_block import (
    alloc_stft_block, block_tasks, blocks_per_task, stft_block_spectra, task_blocks, task_groups,
    overlap_save_groups,
)
from dsp_kernels.shapes import halving_block_outputs, stft_geometry

__all__ = ["cqt_project", "cqt_adjoint", "cqt_octave", "cqt_halve", "halve_bound"]


@pjit
def _project(D, starts, offsets, weights, out):
    batch, _, n_frames = D.shape
    n_filters = starts.shape[0]
    # one (channel, filter) row per task: the inner loop runs over contiguous frames
    for task in prange(batch * n_filters):
        b = task // n_filters
        k = task - b * n_filters
        row = out[b, k]
        for t in range(n_frames):
            row[t] = 0.0
        f0 = starts[k] - offsets[k]
        for i in range(offsets[k], offsets[k + 1]):
            w = weights[i]
            src = D[b, f0 + i]
            for t in range(n_frames):
                row[t] += w * src[t]


def cqt_project(D: np.ndarray, starts: np.ndarray, offsets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Project (batch, n_bins, n_frames) spectra onto the filters: (batch, n_filters, n_frames)."""
    batch, _, n_frames = D.shape
    out = np.empty((batch, starts.shape[0], n_frames), dtype=D.dtype)
    if out.size:
        w = weights.astype(np.result_type(weights.dtype, D.dtype), copy=False)
        if w.dtype != D.dtype:  # real spectra with complex weights cannot happen; keep D's type
            w = w.astype(D.dtype)
        _project(np.ascontiguousarray(D), starts, offsets, w, out)
    return out


@pjit
def _adjoint(C, starts, offsets, weights, gains, out):
    batch, n_filters, n_frames = C.shape
    n_bins = out.shape[1]
    # one (channel, frame block) per task: filters overlap in frequency, so a task owns all
    # the bins of its frames and adds every filter's contribution to them
    block = 64
    per_row = (n_frames + block - 1) // block
    for task in prange(batch * per_row):
        b = task // per_row
        t0 = (task - b * per_row) * block
        t1 = min(n_frames, t0 + block)
        for f in range(n_bins):
            for t in range(t0, t1):
                out[b, f, t] = 0.0
        for k in range(n_filters):
            g = gains[k]
            src = C[b, k]
            f = starts[k]
            for i in range(offsets[k], offsets[k + 1]):
                w = weights[i].conjugate() * g
                dst = out[b, f]
                for t in range(t0, t1):
                    dst[t] += w * src[t]
                f += 1


def cqt_adjoint(C, starts, offsets, weights, gains, n_bins):
    """``out[b, f, t] = sum_k conj(weights[k, f]) gains[k] C[b, k, t]``: (batch, n_bins, n_frames)."""
    batch, _, n_frames = C.shape
    out = np.empty((batch, n_bins, n_frames), dtype=C.dtype)
    if out.size:
        _adjoint(np.ascontiguousarray(C), starts, offsets, weights.astype(C.dtype, copy=False),
                 np.ascontiguousarray(gains, dtype=C.real.dtype), out)
    return out


@noalias_jit
def _lanes_project(P, starts, offsets, wr, wi, acc_r, acc_i, lanes):
    """``acc[k W + l] = sum_f w[k, f] X_l[f]`` (complex, as separate real and imaginary parts)
    over filter k's run of bins, X in the blocked FFT's lanes (bin f of frame l: real part at
    ``P[2 f W + l]``, imaginary at ``P[(2 f + 1) W + l]``): four SIMD multiply-adds per weight."""
    W = u64(lanes)
    two = u64(2)  # unsigned indices: a signed one makes LLVM gather and scatter
    for k in range(starts.shape[0]):
        o = u64(k) * W
        for l in range(W):
            acc_r[o + l] = 0.0
            acc_i[o + l] = 0.0
        f = u64(starts[k])
        for i in range(offsets[k], offsets[k + 1]):
            a = wr[i]
            c = wi[i]
            s = two * f * W
            for l in range(W):
                xr = P[s + l]
                xi = P[s + W + l]
                acc_r[o + l] += a * xr - c * xi
                acc_i[o + l] += a * xi + c * xr
            f += u64(1)


@pjit
def _signal_to_cqt(y, window, geom, plan, blocks_per_task, starts, offsets, wr, wi, out):
    batch = y.shape[0]
    n_filters, n_frames = out.shape[1], out.shape[2]
    W = 64 // plan.consts.itemsize
    n_blocks = (n_frames + W - 1) // W
    n_tasks, per_row = block_tasks(batch, n_blocks, blocks_per_task)
    scale = plan.scales[0]
    for task in prange(n_tasks):
        b, c0, c1 = task_blocks(task, per_row, blocks_per_task, n_blocks)
        scratch = alloc_stft_block(plan, y[b])
        lanes = block_lanes(plan, scratch[0])
        acc_r = np.empty(n_filters * W, dtype=y.dtype)
        acc_i = np.empty(n_filters * W, dtype=y.dtype)
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            stft_block_spectra(plan, y, geom, window, b, t0, B, scratch, scale)
            _lanes_project(scratch[0][1], starts, offsets, wr, wi, acc_r, acc_i, lanes)
            for k in range(n_filters):
                dst = out[b, k]
                for l in range(B):
                    dst[t0 + l] = acc_r[k * W + l] + 1j * acc_i[k * W + l]


def cqt_octave(y, *, n_fft, hop_length, pad_mode, starts, offsets, weights, n_frames):
    """One octave's responses from the rows of ``y``: (batch, n) -> (batch, n_filters, n_frames)."""
    y = np.ascontiguousarray(y)
    cdt = np.complex64 if y.dtype == np.float32 else np.complex128
    window = np.ones(n_fft, dtype=y.dtype)
    geom = stft_geometry(y.shape[1], n_fft, hop_length, True, pad_mode, window)
    n_frames = min(int(n_frames), geom.n_frames)
    out = np.empty((y.shape[0], starts.shape[0], n_frames), dtype=cdt)
    if out.size == 0:
        return out
    plan = get_rfft_plan(n_fft, y.dtype)
    if plan.bluestein != 0:  # not a size the blocked FFT takes (n_fft is a power of two here)
        from dsp_kernels.cpu.spectral import stft

        D = np.ascontiguousarray(stft(y, n_fft=n_fft, hop_length=hop_length, window=window,
                                      center=True, pad_mode=pad_mode)[..., :n_frames])
        return cqt_project(D, starts, offsets, weights.astype(cdt, copy=False))
    w = np.asarray(weights).astype(cdt, copy=False)
    wr = np.ascontiguousarray(w.real)
    wi = np.ascontiguousarray(w.imag)
    per_task = blocks_per_task(y.shape[0], n_frames, y.dtype)
    _signal_to_cqt(y, window, geom, plan, per_task, starts, offsets, wr, wi, out)
    return out


@inner_jit
def _halve_task(x, half, M, plan, plan_h, table, groups_per_task, out, task, per_row,
                work, work_h, stage, ones):
    n = x.shape[1]
    n_out = out.shape[1]
    N = plan.n
    W = 64 // plan.consts.itemsize
    b, g0, g1, n_blocks = task_groups(task, per_row, groups_per_task, n_out, M, W)
    row = x[b]
    dst = out[b]
    for g in range(g0, g1):
        c0 = g * W
        B = min(W, n_blocks - c0)
        # block c's samples start at 2 c M - half + 1 (the first tap of its first output)
        s0 = 2 * c0 * M - half + 1
        if B == W and s0 >= 0 and s0 + (W - 1) * 2 * M + N <= n:
            halve_lanes(plan, plan_h, row, s0, 2 * M, ones, work, work_h, table)
        else:  # a block reaching past either end: staged with zeros outside the signal
            for l in range(B):
                load_zero_padded(row, s0 + l * 2 * M, stage[l * N:(l + 1) * N])
            # the lanes past the last block as zeros, and all W loaded: the loader for fewer
            # lanes is slower than the whole group (see _halve_row_checked)
            for j in range(B * N, W * N):
                stage[j] = 0.0
            halve_lanes(plan, plan_h, stage, np.int64(0), N, ones, work, work_h, table)
        # the inverse's first M samples per lane straight to the output: no transposes between
        store_lane_runs(work_h[1], M, B, dst, c0 * M, n_out)


@scratch_jit
def _halve_scratch(plan, plan_h, x):
    """One thread's ``(work, work_h, stage, ones)``: both transforms' scratch, a group's staging
    area and the unit window, in ``x``'s dtype. Called from Python it runs as Python: the serial
    kernel's scratch is made there once per thread (:mod:`dsp_kernels.thread_scratch`)."""
    W = 64 // plan.consts.itemsize
    return (alloc_block_work(plan), alloc_block_work(plan_h), np.empty(W * plan.n, dtype=x.dtype),
            np.ones(plan.n, dtype=x.dtype))


@pjit
def _halve_parallel(x, half, M, plan, plan_h, table, groups_per_task, out, n_tasks, per_row):
    for task in prange(n_tasks):
        work, work_h, stage, ones = _halve_scratch(plan, plan_h, x)
        _halve_task(x, half, M, plan, plan_h, table, groups_per_task, out, task, per_row,
                    work, work_h, stage, ones)


@jit
def _halve_serial(x, half, M, plan, plan_h, table, groups_per_task, out, n_tasks, per_row,
                  work, work_h, stage, ones):
    for task in range(n_tasks):
        _halve_task(x, half, M, plan, plan_h, table, groups_per_task, out, task, per_row,
                    work, work_h, stage, ones)


@table_cache(maxsize=64)
def _halving_geometry(n_out, n_taps, n_fft, dtype_char):
    """``(M, plan, plan_h, n_blocks, n_groups, plan_kinds)`` of a row's halving, cached: a
    loader's clips come in few lengths (docs/sampling.md, stop 38). ``plan_kinds``: the plans'
    classes, the part of the kernels' typing key that the geometry decides."""
    M = halving_block_outputs(n_fft, n_taps)
    plan = get_rfft_plan(n_fft, np.dtype(dtype_char))
    plan_h = get_rfft_plan(n_fft // 2, np.dtype(dtype_char))
    n_blocks, n_groups = overlap_save_groups(n_out, M, 64 // np.dtype(dtype_char).itemsize)
    return M, plan, plan_h, n_blocks, n_groups, (type(plan), type(plan_h))


#: id(fold) -> (fold, (n_fft, dtype), table): the fold_table of each read-only filter seen (the filter is
#: held, so its id is not reused while the entry lives); a writable one is converted per call
_FOLD_TABLES: dict = {}
register(__name__ + "._FOLD_TABLES", _FOLD_TABLES.clear, lambda: len(_FOLD_TABLES))


def _fold_table_for(fold, plan, plan_h):
    """:func:`~dsp_kernels.cpu.fft.split_fold.fold_table` of ``fold``, cached by identity
    (0.3 us; building it is ~40 us of NumPy, a 1 s clip's whole call)."""
    hit = _FOLD_TABLES.get(id(fold))
    shape = (plan.n, plan.consts.dtype)
    if hit is not None and hit[0] is fold and hit[1] == shape:
        return hit[2]
    table = fold_table(plan, plan_h, fold)
    if not fold.flags.writeable:
        if len(_FOLD_TABLES) >= 64:
            _FOLD_TABLES.pop(next(iter(_FOLD_TABLES)), None)
        _FOLD_TABLES[id(fold)] = (fold, shape, table)
    return table


def cqt_halve(x, taps, n_fft, fold):
    """Decimate the rows of ``x`` by 2 with ``taps``: (batch, n) -> (batch, ceil(n / 2))."""
    x = np.ascontiguousarray(x)
    n_out = (x.shape[1] + 1) // 2
    out = np.empty((x.shape[0], n_out), dtype=x.dtype)
    if out.size == 0:
        return out
    M, plan, plan_h, n_blocks, n_groups, plan_kinds = _halving_geometry(n_out, len(taps), n_fft, x.dtype.char)
    # plain ints (typed int64 as NumPy's are, without the 0.2 us each np.int64() costs: this is
    # the per-call overhead of every 1 s clip). One group of blocks in all runs on this thread:
    # the parallel region would cost 4-6 us for nothing (a 1 s clip at 16 -> 8 kHz, 16 blocks
    # of 1280: 44 against 48 us right after a librosa.resample call, 36 against 42 back to
    # back). From two groups on the pool is ahead even right after another library's call,
    # when its worker is asleep (2 s: 57 against 59 us; 10 s: 128 against 213 us).
    if x.shape[0] * n_groups == 1:
        kernel, per_task, n_tasks, per_row = _HALVE_SERIAL, n_groups, 1, 1
        # this thread's scratch, kept between calls (allocating it was 0.9 us of a clip's call)
        scratch = scratch_for(("cqt_halve", n_fft, x.dtype), lambda: _halve_scratch(plan, plan_h, x))
    else:
        kernel, per_task = _HALVE_PARALLEL, blocks_per_task(x.shape[0], n_blocks, x.dtype)
        n_tasks, per_row = block_tasks(x.shape[0], n_groups, per_task)
        scratch = ()
    # everything that decides the arguments' Numba types (dsp_kernels.entry; the dispatcher's
    # typing of the two plans was a tenth of a clip's call, docs/sampling.md, stop 38): the
    # dtype (byte order included), rank and writeability of x, the plans' classes; out is always
    # a new C-contiguous 2-D array of x's dtype, the filter's table a read-only C-contiguous 2-D
    # one of the plans' dtype (x's), the rest are ints, and the serial kernel's scratch is made
    # by _halve_scratch from the plans and x's dtype
    key = (x.dtype, x.ndim, x.flags.writeable, plan_kinds)
    kernel(key, x, len(taps) // 2, M, plan, plan_h, _fold_table_for(fold, plan, plan_h), per_task, out,
           n_tasks, per_row, *scratch)
    return out


_HALVE_SERIAL = KeyedEntry(_halve_serial)
_HALVE_PARALLEL = KeyedEntry(_halve_parallel)


@jit
def _halve_row_checked(x, half, M, plan, plan_h, table, out, work, work_h, padded, ones):
    """The 2:1 of the one row of ``x`` in one group of ``B <= W`` blocks, from one zero-padded
    copy of the row instead of a staged copy of each block (``padded``: ``half - 1`` zeros, the
    row, zeros to the end of a whole group's W blocks); returns whether the row is finite."""
    row = x[0]
    n_out = out.shape[1]
    B = (n_out + M - 1) // M
    load_zero_padded(row, 1 - half, padded)  # block 0 starts at sample 1 - half
    finite = row_all_finite(row)
    # all W lanes, those past the row's B blocks on the padding's zeros: the loader for fewer
    # lanes than W is slower than the whole group (a 0.875 s clip, 14 blocks: 57 against 36 us
    # for 1 s, 16 blocks); their outputs are not stored
    W = 64 // padded.itemsize
    halve_lanes(plan, plan_h, padded, np.int64(0), 2 * M, ones, work, work_h, table)
    store_lane_runs(work_h[1], M, B, out[0], 0, n_out)
    return finite


_HALVE_ROW = KeyedEntry(_halve_row_checked)


def halve_bound(n, taps, n_fft, fold):
    """:func:`cqt_halve` of rows of ``n`` samples, bound once: ``run(x) -> (out, finite)``.

    ``out = cqt_halve(x, taps, n_fft, fold)``, and ``finite`` whether ``x`` holds no NaN or
    infinity; all that does not depend on the samples is decided when bound.

    For a loader's clips (one row of one length, call after call) ``run`` goes straight to a
    serial kernel when the row fits one group of blocks: the geometry, the filter's rows, the
    typing key and the thread's scratch are looked up once, the row is copied once with its
    zero padding (not staged block by block) and checked for finiteness. A 1 s clip at 16 -> 8
    kHz: ``dsp.resample`` 0.57 -> 0.47-0.49 of librosa's soxr_hq time in ``--only`` runs, 0.51-0.52
    in full bench runs (docs/sampling.md, stop 42); with the one-sweep middle
    (:mod:`~dsp_kernels.cpu.fft.split_fold`) 0.43-0.45 in ``--only`` runs (stop 43). Other input (a batch, longer rows, another dtype or layout) takes
    :func:`cqt_halve` and :func:`~dsp_kernels.cpu.finite.all_finite`.
    """
    n_out = (n + 1) // 2
    dtype = fold.dtype
    M, plan, plan_h, n_blocks, n_groups, plan_kinds = _halving_geometry(n_out, len(taps), n_fft, dtype.char)

    def general(x):
        return cqt_halve(x, taps, n_fft, fold), all_finite(np.ascontiguousarray(x).reshape(-1))

    if n_groups != 1:
        return general
    half = len(taps) // 2
    table = fold_table(plan, plan_h, fold)
    key = (dtype, 2, True, plan_kinds)
    # a whole group's reach: (W - 1) 2 M + n_fft samples from 1 - half (past the row: zeros)
    length = max((64 // dtype.itemsize - 1) * 2 * M + n_fft, half - 1 + n)
    scratch_key = ("cqt_halve_row", n, n_fft, dtype)

    def make():
        work, work_h, _, ones = _halve_scratch(plan, plan_h, np.empty((1, 1), dtype))
        return work, work_h, np.empty(length, dtype), ones

    def run(x):
        if x.shape[0] != 1 or x.shape[1] != n or x.dtype is not dtype or not x.flags.c_contiguous \
                or not x.flags.writeable:
            return general(x)
        out = np.empty((1, n_out), dtype=dtype)
        finite = _HALVE_ROW(key, x, half, M, plan, plan_h, table, out, *scratch_for(scratch_key, make))
        return out, finite

    return run
