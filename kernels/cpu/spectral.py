"""STFT family on the CPU: fused framing + window + real FFT, fused inverse + overlap-add, dB.

Entry functions (plain Python; ``dsp.spectral`` calls them with validated arrays, and the GPU twin
``kernels/gpu/spectral.py`` has the same names and keywords):

``stft(y, *, n_fft, hop_length, window, center, pad_mode, out=None)``
    ``y`` (batch, n) C-contiguous float32/float64; ``window`` (n_fft,) in ``y``'s dtype, already
    centred in the frame. Returns (batch, n_fft//2 + 1, n_frames) complex. The result is a
    transposed view of a (batch, n_frames, n_freq) C-contiguous array: each frame's spectrum is
    contiguous, which for one channel is librosa's own (Fortran) layout. ``out`` (CPU only), if
    given, is that (batch, n_frames, n_freq) C-contiguous array, written in place.
``istft(S, *, n_fft, hop_length, window, center, length, out=None)``
    ``S`` (batch, n_freq, n_frames) complex (any strides; n_freq may differ from n_fft//2 + 1,
    then it is cropped or zero-extended as ``np.fft.irfft`` does); returns (batch, n_out) real of
    ``S``'s precision. ``out`` (CPU only): a (batch, n_out) C-contiguous array to write.
``magphase(D, power)``, ``power_to_db``, ``amplitude_to_db``, ``db_to_power``,
``db_to_amplitude``: see :mod:`kernels.cpu.db`.

One STFT kernel does everything per frame: gather the frame from the unpadded signal (padding
applied on the fly, :mod:`kernels.cpu.framing`), multiply by the window, transform with our real
FFT into the output row. Threads take blocks of frames and keep one scratch per block.
"""
from __future__ import annotations


import numba
import numpy as np
from numba import prange

from kernels.config import jit, pjit
from kernels.cpu.db import (  # noqa: F401  (entry functions of this domain)
    amplitude_to_db, db_to_amplitude, db_to_power, magphase, power_to_db,
)
from kernels.cpu.fft import alloc_work, get_rfft_plan, irfft_into, rfft_into
from kernels.cpu.fft_block import alloc_block_work, store_lanes
from kernels.cpu.ifft_block import irfft_lanes
from kernels.cpu.framing import load_stft_frame, stft_geometry, window_support
from kernels.cpu.stft_block import alloc_stft_block, stft_block_spectra

__all__ = [
    "stft", "istft", "magphase", "power_to_db", "amplitude_to_db", "db_to_power",
    "db_to_amplitude",
]


def _block_size(n_items: int, at_least: int = 1) -> int:
    """Frames per task: enough tasks to balance the threads, few enough to amortise scratch."""
    threads = numba.get_num_threads()
    size = -(-n_items // (8 * threads))
    return max(at_least, min(64, max(1, size)))


@pjit
def _stft_kernel(y, window, geom, plan, block, out):
    batch = y.shape[0]
    n_frames = out.shape[1]
    n_fft = window.shape[0]
    per_row = (n_frames + block - 1) // block
    for task in prange(batch * per_row):
        b = task // per_row
        t0 = (task - b * per_row) * block
        t1 = min(n_frames, t0 + block)
        buf = np.empty(n_fft, dtype=window.dtype)
        work = alloc_work(plan)
        row = y[b]
        for t in range(t0, t1):
            load_stft_frame(row, t, geom, window, buf)
            rfft_into(plan, buf, out[b, t], work)


@pjit
def _stft_lanes_kernel(y, window, geom, plan, blocks_per_task, out, outf):
    """The STFT W frames at a time through the blocked FFT (:mod:`kernels.cpu.stft_block`)."""
    batch = y.shape[0]
    n_frames = out.shape[1]
    nbins = window.shape[0] // 2 + 1
    W = 64 // plan.consts.itemsize
    n_blocks = (n_frames + W - 1) // W
    per_row = (n_blocks + blocks_per_task - 1) // blocks_per_task
    scale = plan.scales[0]
    for task in prange(batch * per_row):
        b = task // per_row
        c0 = (task - b * per_row) * blocks_per_task
        c1 = min(n_blocks, c0 + blocks_per_task)
        scratch = alloc_stft_block(plan)
        for c in range(c0, c1):
            t0 = c * W
            B = min(W, n_frames - t0)
            stft_block_spectra(plan, y[b], geom, window, t0, B, scratch, scale)
            store_lanes(plan, scratch[0], B, outf[b], t0 * 2 * nbins, 2 * nbins)


def stft(y, *, n_fft, hop_length, window, center, pad_mode, out=None):
    """Complex STFT of the rows of ``y``: (batch, n) -> (batch, n_fft//2 + 1, n_frames)."""
    y = np.ascontiguousarray(y)
    window = np.ascontiguousarray(window, dtype=y.dtype)
    geom = stft_geometry(y.shape[1], n_fft, hop_length, center, pad_mode, window)
    n_frames = geom[-1]
    cdt = np.complex64 if y.dtype == np.float32 else np.complex128
    if out is None:
        out = np.empty((y.shape[0], n_frames, n_fft // 2 + 1), dtype=cdt)
    if out.size:
        plan = get_rfft_plan(n_fft, y.dtype)
        if plan.bluestein == 0:
            lanes = 64 // y.dtype.itemsize
            n_blocks = -(-n_frames // lanes) * y.shape[0]
            per_task = min(8, _block_size(n_blocks))  # blocks of W frames per task
            outf = out.view(y.dtype).reshape(y.shape[0], -1)
            _stft_lanes_kernel(y, window, geom, plan, per_task, out, outf)
        else:
            _stft_kernel(y, window, geom, plan, _block_size(n_frames * y.shape[0]), out)
    return out.swapaxes(1, 2)


@jit
def _add_frame(acc, window, frame, p, wlo, whi):
    j0 = max(wlo, -p)
    j1 = min(whi, acc.shape[0] - p)
    for j in range(j0, j1):
        acc[p + j] += window[j] * frame[j]


@pjit
def _istft_kernel(S, Sf, window, wsq, plan, plan64, hop, off, wlo, whi, block, tiny, well, out):
    """Gather-form inverse STFT: each task owns ``block`` output samples of every channel.

    The task inverts the frames that reach its samples (those straddling a block edge are
    inverted by both neighbours: no write races, no second pass), adds them in ascending frame
    order in float64, divides by the window sum-square envelope and stores once. The order of the
    sums does not depend on the blocks, so the result does not depend on the thread count. The
    frames are inverted W at a time through the blocked inverse (``ifft_block.irfft_lanes``,
    Bluestein sizes one by one); a frame's samples do not depend on its lane.

    Precision: the division by the envelope magnifies the inverse transform's rounding by about
    ``1 / envelope``. A block whose envelope stays above ``well`` uses ``plan`` (the input's
    precision); a block where it dips lower (the ends of the signal, hops longer than half the
    window) inverts its frames in float64 with ``plan64``, so float32 output stays accurate there.
    """
    n_frames = S.shape[1]
    n_bins = S.shape[2]
    n_fft = window.shape[0]
    n_half = n_fft // 2 + 1
    n_out = out.shape[1]
    m = min(n_bins, n_half)
    scale = plan.scales[1]
    n_blocks = (n_out + block - 1) // block
    for task in prange(n_blocks):
        s0 = task * block
        size = min(n_out, s0 + block) - s0
        v0 = s0 + off
        # frames whose window support [c*hop + wlo, c*hop + whi) meets [v0, v0 + size)
        c_lo = max(0, (v0 - whi) // hop + 1)
        c_hi = min(n_frames - 1, (v0 + size - 1 - wlo) // hop)
        acc = np.zeros(size, dtype=np.float64)
        env = np.zeros(size, dtype=np.float64)
        for c in range(c_lo, c_hi + 1):
            p = c * hop - v0
            for j in range(max(wlo, -p), min(whi, size - p)):
                env[p + j] += wsq[j]
        exact = False
        for i in range(size):
            if env[i] > tiny:
                if env[i] < well:
                    exact = True
                env[i] = 1.0 / env[i]
            else:
                env[i] = 1.0
        if exact:
            spec = np.zeros(n_half, dtype=np.complex128)
            frame64 = np.empty(n_fft, dtype=np.float64)
            work64 = alloc_work(plan64)
            for b in range(S.shape[0]):
                acc[:] = 0.0
                for c in range(c_lo, c_hi + 1):
                    row = S[b, c]
                    for k in range(m):
                        spec[k] = row[k]
                    irfft_into(plan64, spec, frame64, work64)
                    _add_frame(acc, window, frame64, c * hop - v0, wlo, whi)
                for i in range(size):
                    out[b, s0 + i] = acc[i] * env[i]
        elif plan.bluestein == 0:
            # W frames at a time through the blocked inverse, out to rows of ``frames``
            W = 64 // plan.consts.itemsize
            frames = np.empty(W * n_fft, dtype=plan.consts.dtype)
            bwork = alloc_block_work(plan)
            for b in range(S.shape[0]):
                acc[:] = 0.0
                for c0 in range(c_lo, c_hi + 1, W):
                    B = min(W, c_hi + 1 - c0)
                    irfft_lanes(plan, Sf[b], c0 * 2 * n_bins, 2 * n_bins, B, m, frames, 0, n_fft,
                                bwork, scale)
                    for l in range(B):
                        _add_frame(acc, window, frames[l * n_fft:(l + 1) * n_fft],
                                   (c0 + l) * hop - v0, wlo, whi)
                for i in range(size):
                    out[b, s0 + i] = acc[i] * env[i]
        else:
            spec_in = np.zeros(n_half, dtype=S.dtype)
            frame = np.empty(n_fft, dtype=plan.consts.dtype)
            work = alloc_work(plan)
            for b in range(S.shape[0]):
                acc[:] = 0.0
                for c in range(c_lo, c_hi + 1):
                    if n_bins == n_half:
                        irfft_into(plan, S[b, c], frame, work)
                    else:
                        row = S[b, c]
                        for k in range(m):
                            spec_in[k] = row[k]
                        irfft_into(plan, spec_in, frame, work)
                    _add_frame(acc, window, frame, c * hop - v0, wlo, whi)
                for i in range(size):
                    out[b, s0 + i] = acc[i] * env[i]


def istft_frames(n_stft_frames, *, n_fft, hop_length, center, length):
    """librosa's ``(n_frames used, n_out)`` for an inverse STFT."""
    if length:
        padded = length + 2 * (n_fft // 2) if center else length
        return min(n_stft_frames, -(-padded // hop_length)), length
    n_out = n_fft + hop_length * (n_stft_frames - 1) - (2 * (n_fft // 2) if center else 0)
    return n_stft_frames, n_out


def istft(S, *, n_fft, hop_length, window, center, length, out=None):
    """Inverse STFT of ``S`` (batch, n_freq, n_frames) with librosa's length and trimming rules.

    Frames are summed in float64. Where the window sum-square is small (the ends of the signal,
    hops longer than half the window) the division magnifies the inverse transform's rounding, so
    those output blocks invert their frames in float64 (see ``_istft_kernel``).
    """
    n_frames, n_out = istft_frames(S.shape[2], n_fft=n_fft, hop_length=hop_length,
                                   center=center, length=length)
    real = np.float32 if S.dtype == np.complex64 else np.float64
    frames = np.ascontiguousarray(S[:, :, :n_frames].swapaxes(1, 2))
    window = np.ascontiguousarray(window, dtype=np.float64)
    if out is None:
        out = np.empty((S.shape[0], n_out), dtype=real)
    if out.size == 0:
        return out
    wlo, whi = window_support(window)
    off = n_fft // 2 if center else 0
    plan = get_rfft_plan(n_fft, real)
    plan64 = get_rfft_plan(n_fft, np.float64)
    wsq = window * window
    # below a quarter of the squared window's peak, float32 rounding is magnified too much
    well = 0.25 * float(wsq.max()) if real == np.float32 else 0.0
    # output blocks of whole hops: enough tasks for the threads, few frames inverted twice
    per_frame = -(-n_fft // hop_length)
    # (independent of the thread count, so the result is too)
    k = min(64, max(4 * per_frame, n_frames // 8))
    framesf = frames.view(real).reshape(frames.shape[0], -1)  # the blocked inverse reads floats
    _istft_kernel(frames, framesf, window, wsq, plan, plan64, hop_length, off, wlo, whi, k * hop_length,
                  float(np.finfo(real).tiny), well, out)
    return out
