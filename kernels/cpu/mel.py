"""Mel projection kernels on the CPU.

The mel filterbank is stored band by band as contiguous runs (a ranged CSR form): band ``m``
covers the FFT bins ``starts[m] .. starts[m] + (offsets[m+1] - offsets[m]) - 1`` with the
weights ``weights[offsets[m]:offsets[m+1]]``. Each triangular band's support is an interval, so
this holds every nonzero weight, and the work is the number of nonzero weights (about two per
FFT bin for 128 Slaney bands over 1025 bins) instead of ``n_mels * n_bins``. It stays correct
for any overlap (HTK, p-norms, tiny ``n_fft``) and for empty bands (a run of length zero).

Entry functions
---------------
``mel_project(S, starts, offsets, weights)``
    ``S`` (batch, n_bins, n_frames) C-contiguous real, in the result dtype; returns
    (batch, n_mels, n_frames) in ``S``'s dtype.
``melspectrogram(y, *, n_fft, hop_length, window, center, pad_mode, power, starts, offsets,
weights, out_dtype, dtype=None)``
    ``y`` (batch, n) C-contiguous float32/float64, ``window`` (n_fft,) centred in the frame;
    returns (batch, n_mels, n_frames) in ``out_dtype``. One pass per block of W frames (W = 16
    float32 or 8 float64, one 64-byte vector): read the frames from the unpadded signal
    (librosa's centre padding applied on the fly, :mod:`dsp_kernels.cpu.stft_block`), window and
    transform them together with the blocked real FFT in ``dtype`` (default ``y``'s precision;
    float32 rows under float64, ``onset_strength``'s transform, are widened as the frames are
    read, with no float64 copy of the signal: 6.0 -> 5.5 ms for 60 s, one thread), then
    ``|X| ** power`` and the sparse projection straight from the FFT's lanes, each a SIMD
    operation across the W frames. Only one block's spectra exist at a time (per thread), never
    the whole power spectrogram. Band sums are carried in ``out_dtype``. Sizes that need
    Bluestein's algorithm run it in the same lanes (``fft.block._spectra_bluestein``).
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import noalias_jit, pjit
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.fft.block import block_lanes
from dsp_kernels.cpu.fft.passes import u64
from dsp_kernels.cpu.lanes_sum import lanes_power2_sum, lanes_weighted_sum
from dsp_kernels.cpu.rules import abs_pow
from dsp_kernels.cpu.stft_block import (
    alloc_stft_block, balanced, block_tasks, blocks_per_task, stft_block_spectra, task_blocks,
)
from dsp_kernels.cpu.windows import kernel_window
from dsp_kernels.shapes import stft_geometry

__all__ = ["mel_project", "melspectrogram"]


@pjit
def _project(S, starts, offsets, weights, out):
    batch, _, n_frames = S.shape
    n_mels = starts.shape[0]
    # one (channel, band) row per task: the inner loop runs over contiguous frames
    for task in prange(batch * n_mels):
        b = task // n_mels
        m = task - b * n_mels
        row = out[b, m]
        for t in range(n_frames):
            row[t] = 0.0
        k0 = starts[m]
        for i in range(offsets[m], offsets[m + 1]):
            w = weights[i]
            src = S[b, k0 + i - offsets[m]]
            for t in range(n_frames):
                row[t] += w * src[t]


def mel_project(S: np.ndarray, starts: np.ndarray, offsets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Project a (batch, n_bins, n_frames) power spectrogram onto the mel bands."""
    batch, _, n_frames = S.shape
    out = np.empty((batch, starts.shape[0], n_frames), dtype=S.dtype)
    if out.size:
        _project(S, starts, offsets, weights.astype(S.dtype, copy=False), out)
    return out


@noalias_jit
def _lanes_power(P, pw, n_bins, power, lanes):
    """``pw[k W + l] = |X_k| ** power`` for the lanes layout of ``fft_block`` (power 2 never
    comes here: :func:`_lanes_project_power2` reads the squares from the spectra)."""
    W = u64(lanes)
    two = u64(2)  # unsigned indices throughout: a signed one makes LLVM gather and scatter
    if power == 1.0:
        for k in range(n_bins):
            o = two * u64(k) * W
            d = u64(k) * W
            for l in range(W):
                re = P[o + l]
                im = P[o + W + l]
                pw[d + l] = abs_pow(re, im, 1.0)
    else:
        for k in range(n_bins):
            o = two * u64(k) * W
            d = u64(k) * W
            for l in range(W):
                re = P[o + l]
                im = P[o + W + l]
                pw[d + l] = abs_pow(re, im, power)


@noalias_jit
def _lanes_project(pw, starts, offsets, weights, mel, lanes):
    """``mel[m W + l] = sum_k weights * pw[k W + l]`` over band m's run of bins: one SIMD
    multiply and add per nonzero weight, the lanes being W frames, the band's sums in a vector
    register (:func:`dsp_kernels.cpu.lanes_sum.lanes_weighted_sum`)."""
    for m in range(starts.shape[0]):
        lanes_weighted_sum(pw, starts[m], weights, offsets[m], offsets[m + 1], mel, m * lanes)


@noalias_jit
def _lanes_project_power2(P, starts, offsets, weights, mel, lanes):
    """:func:`_lanes_project` of ``|X|**2`` straight from the spectra in lanes (``P``, the
    layout of ``fft_block.rfft_lanes_spectra``): no power array written and read back."""
    for m in range(starts.shape[0]):
        lanes_power2_sum(P, starts[m], weights, offsets[m], offsets[m + 1], mel, m * lanes)


@pjit
def _signal_to_mel_lanes(y, window, geom, plan, blocks_per_task, power, starts, offsets, weights,
                         out):
    """Signal -> mel energies, W frames at a time: their spectra stay in the blocked FFT's
    lanes, so power and projection are SIMD across frames and nothing is transposed."""
    batch = y.shape[0]
    n_mels, n_frames = out.shape[1], out.shape[2]
    n_bins = window.shape[0] // 2 + 1
    W = 64 // plan.consts.itemsize
    n_blocks = (n_frames + W - 1) // W
    n_tasks, per_row = block_tasks(batch, n_blocks, blocks_per_task)
    scale = plan.scales[0]
    for task in prange(n_tasks):
        b, c0, c1 = task_blocks(task, per_row, blocks_per_task, n_blocks)
        scratch = alloc_stft_block(plan, y[b])
        lanes = block_lanes(plan, scratch[0])
        pw = np.empty(0 if power == 2.0 else n_bins * W, dtype=plan.consts.dtype)  # power 2: none
        mel = np.empty(n_mels * W, dtype=out.dtype)
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            stft_block_spectra(plan, y, geom, window, b, t0, B, scratch, scale)
            if power == 2.0:
                _lanes_project_power2(scratch[0][1], starts, offsets, weights, mel, lanes)
            else:
                _lanes_power(scratch[0][1], pw, n_bins, power, lanes)
                _lanes_project(pw, starts, offsets, weights, mel, lanes)
            for m in range(n_mels):
                for l in range(B):
                    out[b, m, t0 + l] = mel[m * W + l]


def melspectrogram(y, *, n_fft, hop_length, window, center, pad_mode, power, starts, offsets, weights,
                   out_dtype, dtype=None):
    """Mel spectrogram of the rows of ``y``: (batch, n) -> (batch, n_mels, n_frames), transformed
    in ``dtype`` (default ``y``'s)."""
    y = np.ascontiguousarray(y)
    dtype = y.dtype if dtype is None else np.dtype(dtype)
    window = kernel_window(window, dtype)
    geom = stft_geometry(y.shape[1], n_fft, hop_length, center, pad_mode, window)
    n_frames = geom.n_frames
    out = np.empty((y.shape[0], starts.shape[0], n_frames), dtype=out_dtype)
    if out.size:
        plan = get_rfft_plan(n_fft, dtype)
        w = np.ascontiguousarray(weights, dtype=out_dtype)
        per_task = blocks_per_task(y.shape[0], n_frames, dtype)
        with balanced(y.shape[0], n_frames, dtype, per_task):
            _signal_to_mel_lanes(y, window, geom, plan, per_task, float(power), starts,
                                 offsets, w, out)
    return out
