"""chroma_stft's heavy steps on the CPU: the power spectrogram as frame rows, straight from the
signal, and piptrack's peaks without its full-size temporaries.

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
``pip_peaks(S, mask, threshold, sr, n_fft)``
    ``S`` (rows, n_bins) C-contiguous float32/float64 power spectra, ``mask`` (n_bins,) bool (the
    bins in ``[fmin, fmax)``). librosa.piptrack's peaks: bin ``k`` of a row is one where it is in
    ``mask`` and a local maximum (``x[k] > x[k-1]``, ``x[k] >= x[k+1]``, edges repeated) of
    ``x = S * (S > threshold * max(S[row]))``. Returns ``(pitch, mag, count)``: ``pitch[r, i]``,
    ``mag[r, i]`` for ``i < count[r]`` in bin order (``pitch = (k + shift) * sr / n_fft``,
    ``mag = S[k] + 0.5 * gradient * shift``, the parabolic
    interpolation), S's dtype. The arithmetic is NumPy's, operation for operation in S's
    precision (no fast math), so the peaks and their values are piptrack's.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.chroma import pip_peaks
>>> S = np.array([[0.0, 1.0, 4.0, 1.0, 0.0, 0.0]])
>>> p, m, c = pip_peaks(S, np.ones(6, bool), 0.1, 100.0, 10)
>>> int(c[0]), float(p[0, 0]), float(m[0, 0])
(1, 20.0, 4.0)
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

__all__ = ["power_rows", "pip_peaks"]


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
        scratch = alloc_stft_block(plan)
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            stft_block_spectra(plan, y[b], geom, window, t0, B, scratch, plan.scales[0])
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


@exact_pjit
def _pip_peaks(S, mask, threshold, sr, n_fft, zero, half, two, pitch, mag, count):
    # zero, half, two: constants in S's dtype, so that every operation stays in it
    rows, n = S.shape
    for r in prange(rows):
        s = S[r]
        mx = s[0]
        for k in range(1, n):
            mx = max(mx, s[k])
        ref = threshold * mx  # threshold already in S's dtype
        c = 0
        for k in range(1, n):
            if not mask[k]:
                continue
            # x = S * (S > ref): localmax of x, the last bin compared with itself
            x = s[k] if s[k] > ref else zero
            xl = s[k - 1] if s[k - 1] > ref else zero
            if not x > xl:
                continue
            if k < n - 1:
                xr = s[k + 1] if s[k + 1] > ref else zero
                if not x >= xr:
                    continue
                a = (s[k + 1] + s[k - 1]) - two * s[k]
                b = (s[k + 1] - s[k - 1]) / two
                sh = zero if abs(b) >= abs(a) else -b / a
                avg = (s[k + 1] - s[k - 1]) / two
            else:
                sh = zero
                avg = s[k] - s[k - 1]
            pitch[r, c] = (np.float64(k) + np.float64(sh)) * sr / n_fft  # NumPy's order
            mag[r, c] = s[k] + (half * avg) * sh
            c += 1
        count[r] = c


def pip_peaks(S, mask, threshold, sr, n_fft):
    """piptrack's peaks per row of ``S`` (rows, n_bins): ``(pitch, mag, count)`` (module doc)."""
    S = np.ascontiguousarray(S)
    rows, n = S.shape
    width = max(1, (n + 1) // 2)  # local maxima are never adjacent
    pitch = np.empty((rows, width), S.dtype)
    mag = np.empty((rows, width), S.dtype)
    count = np.zeros(rows, np.int64)
    if S.size:
        t = S.dtype.type
        _pip_peaks(S, np.ascontiguousarray(mask, dtype=np.bool_), t(threshold), float(sr),
                   float(n_fft), t(0), t(0.5), t(2), pitch, mag, count)
    return pitch, mag, count
