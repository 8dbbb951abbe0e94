"""STFT on the CPU: fused framing + window + real FFT (dB re-exported; the inverse in istft.py).

Entry functions (plain Python; ``dsp.spectral`` calls them with validated arrays, and the GPU twin
``kernels/gpu/spectral.py`` has the same names and keywords):

``stft(y, *, n_fft, hop_length, window, center, pad_mode, check_finite=False, out=None)``
    ``y`` (batch, n) C-contiguous float32/float64; ``window`` (n_fft,) in ``y``'s dtype, already
    centred in the frame. Returns (batch, n_fft//2 + 1, n_frames) complex; with
    ``check_finite``, ``(S, finite)``: whether ``y`` is free of NaN and infinity. The result is a
    transposed view of a (batch, n_frames, n_freq) C-contiguous array: each frame's spectrum is
    contiguous, which for one channel is librosa's own (Fortran) layout. ``out`` (CPU only), if
    given, is that (batch, n_frames, n_freq) C-contiguous array, written in place.
``istft``: :mod:`dsp_kernels.cpu.istft` (its own module, so that the stft's compiled kernels do
not depend on its source: ``kernel_cache`` keys a kernel by the files its module imports).
``magphase(D, power)``, ``power_to_db``, ``amplitude_to_db``,
``db_to_power``, ``db_to_amplitude``: see :mod:`dsp_kernels.cpu.db`.

One STFT kernel takes every n_fft, W frames at a time (the blocked real FFT of
:mod:`dsp_kernels.cpu.fft.block`, fed by :mod:`dsp_kernels.cpu.stft_block`): the frames are
gathered from the unpadded signal (padding applied on the fly), windowed as they move into
lanes, transformed (Bluestein's sizes by their convolution in the same lanes) and stored into
the output rows, by streaming stores for large outputs. Threads take tasks of blocks and keep
one scratch per task.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from dsp_kernels.config import pjit
from dsp_kernels.cpu.db import (  # noqa: F401  (entry functions of this domain)
    amplitude_to_db, db_to_amplitude, db_to_power, magphase, power_to_db,
)
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.fft.block import store_pairs
from dsp_kernels.cpu.fft import streaming
from dsp_kernels.cpu.fft.streaming import PREV_LINES, stream_fits, stream_lanes
from dsp_kernels.cpu.stft_block import (
    alloc_stft_block, balanced, block_tasks, blocks_per_task, stft_block_bins, task_blocks,
)
from dsp_kernels.cpu.windows import kernel_window
from dsp_kernels.shapes import stft_geometry

__all__ = ["stft", "magphase", "power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude"]


@pjit
def _stft_lanes_kernel(y, window, geom, plan, blocks_per_task, outf, stream, dc_finite):
    """The STFT W frames at a time through the blocked FFT (:mod:`dsp_kernels.cpu.stft_block`);
    full blocks by streaming stores when ``stream`` (:mod:`dsp_kernels.cpu.fft.streaming`).

    ``outf`` is the float view of the whole (batch, n_frames, n_bins) output, flat: frame ``t``
    of row ``b`` is output frame ``f = b * n_frames + t``, and the blocks of W frames are cut
    from that flat count, across row ends. A batch of short clips then runs as one long signal:
    no part-empty block per row, every block stored whole (64 clips of 1 s at 16 kHz, 101
    frames each, took 7 blocks per clip, two of them staged and one partial and stored by
    element; now 404 blocks in all, 6.3 per clip).

    ``dc_finite[task]`` is set to whether the DC bins of the task's frames are all finite
    (:func:`stft`'s ``check_finite``).
    """
    n_frames = geom.n_frames
    total = y.shape[0] * n_frames
    nbins = window.shape[0] // 2 + 1
    W = 64 // plan.consts.itemsize
    n_blocks = (total + W - 1) // W
    n_tasks, per_row = block_tasks(1, n_blocks, blocks_per_task)
    scale = plan.scales[0]
    rowlen = 2 * nbins
    for task in prange(n_tasks):
        _, c0, c1 = task_blocks(task, per_row, blocks_per_task, n_blocks)
        scratch = alloc_stft_block(plan, y[0])
        prev = np.empty(PREV_LINES * W, dtype=plan.consts.dtype)
        rows = np.empty(2 * W, dtype=np.int64)  # each row's shift and first line (streaming)
        streams = stream and stream_fits(outf)
        finite = True
        for c in range(c0, c1):
            f0 = c * W
            B = min(W, total - f0)
            b = f0 // n_frames
            # the bins stay where the blocked FFT leaves them (fft.block_bins.rfft_lanes_bins): for
            # the fused plans over the passes' own row, so that a block's data fit in L1
            row, pstride, odd = stft_block_bins(plan, y, geom, window, b, f0 - b * n_frames, B,
                                                scratch, scale)
            P = scratch[0][row]
            for l in range(W):  # the lanes' DC bins (other lanes: zeros), at P[l] in both layouts
                # no fastmath flag here lets LLVM assume finite values (kernels.config)
                finite = finite and math.isfinite(P[l])
            if streams and B == W:
                stream_lanes(P, pstride, odd, rowlen, outf, f0 * rowlen, rowlen, prev, rows[:W],
                             rows[W:])
            else:
                store_pairs(P, pstride, odd, rowlen, B, outf, f0 * rowlen, rowlen)
        dc_finite[task] = finite


def _inner_span(geom):
    """``(a, b)``: the samples ``y[a:b]`` that frames read whole (no padding) cover, when those
    frames leave no gap (hop <= n_fft), else ``(0, 0)``. Such a frame's samples all go into its
    DC bin (times the window; NaN and infinity stay non-finite even times a zero), which is
    what lets the kernel's DC test stand for a check of those samples."""
    t_lo = geom.start_k  # the first frame that starts at or after sample 0
    t_hi = min(geom.n_frames - 1, (geom.n + geom.half - geom.n_fft) // geom.hop)
    if t_hi < t_lo or geom.hop > geom.n_fft:
        return 0, 0
    return t_lo * geom.hop - geom.half, t_hi * geom.hop - geom.half + geom.n_fft


def stft(y, *, n_fft, hop_length, window, center, pad_mode, check_finite=False, out=None):
    """Complex STFT of the rows of ``y``: (batch, n) -> (batch, n_fft//2 + 1, n_frames).

    ``check_finite``: return ``(S, finite)``, ``finite`` whether ``y`` holds no NaN or
    infinity, found on the way rather than by a pass of its own over ``y`` (a 60 s signal
    at 16 kHz: 0.1 ms of a 1.5 ms stft). The kernel tests each frame's DC bin; the samples no
    whole frame reads (the ends, or all of them when the hop skips samples) are checked here,
    and a non-finite DC bin (a NaN, or an overflow of finite samples) is settled by a check
    of all of ``y``.
    """
    y = np.ascontiguousarray(y)
    window = kernel_window(window, y.dtype)
    geom = stft_geometry(y.shape[1], n_fft, hop_length, center, pad_mode, window)
    n_frames = geom.n_frames
    cdt = np.complex64 if y.dtype == np.float32 else np.complex128
    shape = (y.shape[0], n_frames, n_fft // 2 + 1)
    if out is None:
        out = np.empty(shape, dtype=cdt)
    elif out.shape != shape or out.dtype != cdt or not out.flags.c_contiguous:
        # the kernel writes batch * n_frames frames through a flat view of ``out``
        raise ValueError(f"out must be a C-contiguous {np.dtype(cdt)} array of shape {shape}, "
                         f"not {out.dtype} {out.shape}")
    if out.size:
        plan = get_rfft_plan(n_fft, y.dtype)
        total = y.shape[0] * n_frames  # frames counted across rows (the kernel's blocks)
        per_task = blocks_per_task(1, total, y.dtype)
        outf = out.view(y.dtype).reshape(-1)
        stream = out.nbytes >= streaming.STREAM_FROM
        dc_finite = np.ones(-(-total // (64 // y.itemsize)), dtype=np.bool_)  # >= tasks
        with balanced(1, total, y.dtype, per_task):
            _stft_lanes_kernel(y, window, geom, plan, per_task, outf, stream, dc_finite)
    if not check_finite:
        return out.swapaxes(1, 2)
    a, b = _inner_span(geom) if out.size else (0, 0)
    if not out.size or not dc_finite.all():
        finite = _finite(y)
    else:
        finite = _finite(y[:, :a]) and _finite(y[:, b:])
    return out.swapaxes(1, 2), finite


def _finite(a) -> bool:
    """Whether the float array ``a`` holds no NaN or infinity, by NumPy: mostly the ends of the
    rows (a few thousand values), where the compiled check (``finite.all_finite``) would cost a
    cold first call 0.2 s of compilation; all of ``y`` only when the hop skips samples or a
    DC bin was not finite (then usually to refuse it)."""
    return bool(np.isfinite(a).all())
