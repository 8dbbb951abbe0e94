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
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import noalias_jit, pjit
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.fft.passes import u64
from dsp_kernels.cpu.stft_block import (
    alloc_stft_block, block_tasks, blocks_per_task, stft_block_spectra, task_blocks,
)
from dsp_kernels.shapes import stft_geometry

__all__ = ["cqt_project", "cqt_adjoint", "cqt_octave"]


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
        scratch = alloc_stft_block(plan)
        # W as a run-time value (a constant trip count gets the lane loops unrolled, scalar)
        lanes = scratch[0].shape[1] // (2 * (plan.work_len + 1))
        acc_r = np.empty(n_filters * W, dtype=y.dtype)
        acc_i = np.empty(n_filters * W, dtype=y.dtype)
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            stft_block_spectra(plan, y[b], geom, window, t0, B, scratch, scale)
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
