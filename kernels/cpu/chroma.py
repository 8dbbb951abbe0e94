"""chroma_stft's heavy step on the CPU: the power spectrogram as frame rows, straight from the
signal.

Entry functions
---------------
``power_rows(y, *, n_fft, hop_length, window, center, pad_mode, round32)``
    ``y`` (batch, n) C-contiguous float64, ``window`` (n_fft,) float64 centred in the frame.
    ``|X| ** 2`` of the STFT, (batch, n_frames, n_bins), frame rows. The transform runs in
    float64 (as librosa's for float32 audio), its spectra stored as complex64 (``round32``, as
    librosa's STFT of float32 audio) or complex128 rows, whose magnitudes NumPy then takes and
    squares (float32 or float64): librosa's values. STFT blocks of W frames
    (:mod:`dsp_kernels.cpu.stft_block`); Bluestein sizes go through
    :func:`dsp_kernels.cpu.spectral.stft`.

piptrack's peaks (for the tuning estimate) are :func:`dsp_kernels.cpu.pitch.piptrack_peaks`.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import exact_pjit
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.stft_block import (
    alloc_stft_block, block_tasks, blocks_per_task, stft_block_spectra, task_blocks,
)
from dsp_kernels.shapes import stft_geometry

__all__ = ["power_rows"]


@exact_pjit
def _spectrum_rows(y, window, geom, plan, per_task, out):
    # out: complex64 or complex128 rows (the store rounds)
    n_frames = out.shape[1]
    n_bins = out.shape[2]
    W = 64 // plan.consts.itemsize
    n_blocks = (n_frames + W - 1) // W
    n_tasks, per_row = block_tasks(y.shape[0], n_blocks, per_task)
    for task in prange(n_tasks):
        b, c0, c1 = task_blocks(task, per_row, per_task, n_blocks)
        scratch = alloc_stft_block(plan, y[b])
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            stft_block_spectra(plan, y, geom, window, b, t0, B, scratch, plan.scales[0])
            P = scratch[0][1]  # lanes: re of bin k at 2 k W + l, im at (2 k + 1) W + l
            for l in range(B):
                row = out[b, t0 + l]
                for k in range(n_bins):
                    o = 2 * k * W + l
                    row[k] = complex(P[o], P[o + W])


def power_rows(y, *, n_fft, hop_length, window, center, pad_mode, round32):
    """``|stft(y)| ** 2`` as frame rows: (batch, n) -> (batch, n_frames, n_bins)."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    window = np.ascontiguousarray(window, dtype=np.float64)
    geom = stft_geometry(y.shape[1], n_fft, hop_length, center, pad_mode, window)
    # the spectra as frame rows (rounded to complex64 for float32 audio), then NumPy's |.| and
    # square, as librosa takes them from its STFT (NumPy's complex magnitude has its own rounding)
    rows = np.empty((y.shape[0], geom.n_frames, n_fft // 2 + 1),
                    np.complex64 if round32 else np.complex128)
    if rows.size:
        plan = get_rfft_plan(n_fft, np.float64)
        if plan.bluestein != 0:
            from dsp_kernels.cpu.spectral import stft

            rows[...] = stft(y, n_fft=n_fft, hop_length=hop_length, window=window, center=center,
                             pad_mode=pad_mode).swapaxes(1, 2)
        else:
            _spectrum_rows(y, window, geom, plan,
                           blocks_per_task(y.shape[0], geom.n_frames, np.float64), rows)
    M = np.abs(rows)
    return M * M
