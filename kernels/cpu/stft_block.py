"""STFT frames W at a time: the blocked FFT (:mod:`dsp_kernels.cpu.fft.block`) fed from a signal.

A block of ``W`` consecutive frames that lies inside one row of the signal is read straight
from it (frame stride = hop, the window applied while the frames are moved into lanes). A block
that touches librosa's centre padding, runs past a row's last frame into the next row (the
stft's blocks, cut across rows), or has fewer than ``W`` frames, is first gathered, padded but
not windowed, into a small staging array
in the signal's dtype (:func:`dsp_kernels.cpu.framing.load_stft_frame` with a window of ones) and
transformed from there with the window, the same products as straight from the signal.

The signal may be float32 under a float64 plan (``onset_strength``'s transform, see
:mod:`dsp_kernels.cpu.mel`): the samples are widened as they are moved into lanes
(``fft.simd.frames_to_lanes``), so no float64 copy of the signal is made.

Plain Python
------------
``blocks_per_task(batch, n_frames, dtype)``
    how many blocks of W frames each prange task of a blocked kernel takes.
``with balanced(batch, n_frames, dtype, per_task): kernel(...)``
    how such a kernel is called: its tasks scheduled one at a time when there are enough
    (``balanced_tasks(n_tasks)`` for any prange kernel of independent tasks).

njit API
--------
``scratch = alloc_stft_block(plan, row)``
    ``(work, stage, ones)`` for one thread: ``work`` in the plan's dtype, the staging area and
    the unit window in the dtype of the signal rows ``row``.
``n_tasks, per_row = block_tasks(batch, n_blocks, blocks_per_task)`` and
``b, c0, c1 = task_blocks(task, per_row, blocks_per_task, n_blocks)``
    how a prange kernel splits ``batch`` channels of ``n_blocks`` blocks of W frames into tasks
    of ``blocks_per_task`` blocks: task ``task`` does blocks ``c0 .. c1 - 1`` of channel ``b``.
``b, g0, g1, n_blocks = task_groups(task, per_row, groups_per_task, n_out, M, W)``
    (``overlap_save_groups(n_out, M, W)``, plain Python, gives ``(n_blocks, n_groups)``)
    the same for an overlap-save kernel (blocks of ``M`` outputs, ``W`` to a group, tasks of
    ``groups_per_task`` groups): task ``task`` does groups ``g0 .. g1 - 1`` of row ``b``.
``row, pstride, odd = stft_block_bins(plan, y, geom, window, b, t0, B, scratch, scale)``
    The same spectra left where ``fft.block_bins.rfft_lanes_bins`` puts them (the stft).
``stft_block_spectra(plan, y, geom, window, b, t0, B, scratch, scale)``
    The spectra of ``B <= W`` consecutive frames of the rows ``y`` (batch, n), from frame
    ``t0`` of row ``b`` on, times ``scale``, left in lanes in ``scratch[0][1]`` (layout:
    ``fft_block.rfft_lanes_spectra``). Frames past a row's last (``geom.n_frames``) are the
    next row's first: a kernel whose outputs follow one another across rows (the stft's, a
    batch of short clips) takes whole blocks across row ends; the others keep to one row. Any
    real plan (Bluestein's convolution runs in the lanes too).
"""
from __future__ import annotations

import contextlib

import numba
import numpy as np

from dsp_kernels.config import inline_jit, inner_jit, scratch_jit
from dsp_kernels.cpu.fft.block import alloc_block_work, rfft_lanes_spectra
from dsp_kernels.cpu.fft.block_bins import rfft_lanes_bins
from dsp_kernels.cpu.framing import load_stft_frame

__all__ = [
    "balanced", "balanced_tasks", "blocks_per_task", "alloc_stft_block", "block_tasks", "task_blocks",
    "task_groups", "overlap_save_groups", "stft_block_spectra", "stft_block_bins",
]


def balanced(batch: int, n_frames: int, dtype, per_task: int):
    """The context in which to call a blocked kernel of ``batch`` rows of ``n_frames`` frames in
    tasks of ``per_task`` blocks (:func:`block_tasks`): :func:`balanced_tasks` of its task count.
    """
    lanes = 64 // np.dtype(dtype).itemsize
    return balanced_tasks(_block_tasks(batch, -(-n_frames // lanes), per_task)[0])


def balanced_tasks(n_tasks: int):
    """The context in which to call a prange kernel over ``n_tasks`` independent tasks.

    Numba cuts a prange into one equal chunk per thread by default, so the several tasks per
    thread planned by a kernel could not even out the threads: a thread done early waited for
    the other's whole half. For a call of at least 8 tasks per thread (a long signal), each task
    is a chunk of its own (measured, 2 cores, 60 s at 22.05 kHz, same process alternating:
    stft 2.27 -> 2.05 ms, melspectrogram 2.0 -> 1.8, spectral_centroid 3.6 -> 3.3; istft right
    after torch.istft, whose OpenMP thread still spins on one core, 10.6 -> 9.6 ms). A smaller
    call keeps Numba's split and skips the setting, which costs about 3 us a call (a 1 s clip's
    stft is 60 us). Set from Python around the call: a kernel containing
    ``with numba.parallel_chunksize(...)`` cannot be cached by Numba.
    """
    if n_tasks < 8 * numba.get_num_threads():
        return contextlib.nullcontext()
    return numba.parallel_chunksize(1)


def blocks_per_task(batch: int, n_frames: int, dtype) -> int:
    """Blocks of W frames per task: about 8 tasks per thread to balance the load, at most 8
    blocks each (one block of 16 2048-point float32 frames is about 20 us of work)."""
    lanes = 64 // np.dtype(dtype).itemsize
    n_blocks = -(-n_frames // lanes) * batch
    return max(1, min(8, -(-n_blocks // (8 * numba.get_num_threads()))))


def _block_tasks(batch, n_blocks, blocks_per_task):
    """``(n_tasks, per_row)``: tasks of ``blocks_per_task`` blocks, ``per_row`` per channel."""
    per_row = (n_blocks + blocks_per_task - 1) // blocks_per_task
    return batch * per_row, per_row


#: the kernels' (inlined) copy of the same rule: one definition for Python and Numba
block_tasks = inline_jit(_block_tasks)


@inline_jit
def task_blocks(task, per_row, blocks_per_task, n_blocks):
    """``(b, c0, c1)``: task ``task`` does blocks ``c0 .. c1 - 1`` of channel ``b``."""
    b = task // per_row
    c0 = (task - b * per_row) * blocks_per_task
    return b, c0, min(n_blocks, c0 + blocks_per_task)


def overlap_save_groups(n_out: int, M: int, W: int):
    """``(n_blocks, n_groups)``: ``n_out`` outputs per row in blocks of ``M``, ``W`` blocks to a
    group (plain Python for the entry functions; the kernels' inlined copy is below)."""
    n_blocks = (n_out + M - 1) // M
    return n_blocks, (n_blocks + W - 1) // W


_overlap_save_groups = inline_jit(overlap_save_groups)


@inline_jit
def task_groups(task, per_row, groups_per_task, n_out, M, W):
    """``(b, g0, g1, n_blocks)`` of an overlap-save task: ``n_out`` outputs per row in blocks of
    ``M``, ``W`` blocks to a group; task ``task`` does groups ``g0 .. g1 - 1`` of row ``b``."""
    n_blocks, n_groups = _overlap_save_groups(n_out, M, W)
    b, g0, g1 = task_blocks(task, per_row, groups_per_task, n_groups)
    return b, g0, g1, n_blocks


@scratch_jit
def alloc_stft_block(plan, row):
    """Scratch for one thread: the blocked FFT's work (the plan's dtype), a W-frame staging area
    and a unit window (``row``'s dtype: staged samples are the signal's, unwindowed)."""
    W = 64 // plan.consts.itemsize
    n_fft = plan.n
    work = alloc_block_work(plan)
    stage = np.empty(W * n_fft, dtype=row.dtype)
    # np.empty and a loop, not np.ones: the same allocation as the line above, so Numba compiles
    # one allocation implementation instead of two (0.07 s of a cold stft)
    ones = np.empty(n_fft, dtype=row.dtype)
    for i in range(n_fft):
        ones[i] = 1.0
    return work, stage, ones


@inline_jit
def _straight(geom, t0, B, W, n_fft):
    """Whether a block of ``B`` frames from frame ``t0`` is read straight from its row: ``W`` of
    them, inside the row, none touching the centre padding."""
    start = t0 * geom.hop - geom.half  # the centre padding n_fft // 2 (0 when not centred)
    return not (B < W or t0 + B > geom.n_frames or start < 0
                or start + (B - 1) * geom.hop + n_fft > geom.n)


@inner_jit
def _stage(y, geom, b, t0, B, W, stage, ones):
    """The block's frames gathered, padded but not windowed, into ``stage`` (``W`` frames of
    ``n_fft``; lanes from ``B`` on zeros). Frames past a row's last are the next row's first."""
    n_fft = ones.shape[0]
    n_frames = geom.n_frames
    f0 = b * n_frames + t0  # the frames counted across rows
    for l in range(B):
        bl = (f0 + l) // n_frames
        load_stft_frame(y[bl], f0 + l - bl * n_frames, geom, ones,
                        stage[l * n_fft:(l + 1) * n_fft])
    # a block with fewer frames than lanes (a row's last, or for the stft the batch's last):
    # the other lanes as zeros and all W loaded, since the blocked FFT's loader for fewer
    # lanes (one value at a time) is slower than the whole block (the 2:1 halving's clip:
    # 57 against 36 us, docs/sampling.md)
    for j in range(B * n_fft, W * n_fft):
        stage[j] = 0.0


@inner_jit
def stft_block_spectra(plan, y, geom, window, b, t0, B, scratch, scale):
    """Spectra of B <= W consecutive frames of the rows ``y``, from frame ``t0`` of row ``b``,
    into lanes (module doc)."""
    work, stage, ones = scratch
    n_fft = window.shape[0]
    W = 64 // plan.consts.itemsize
    if _straight(geom, t0, B, W, n_fft):
        # straight from the row. A subroutine, not inlined into the kernels: compiled without
        # reference counting, the row's view and the scratch's unpacking take no references
        # (inlined, each block took and dropped one on the signal, whose count both threads share)
        rfft_lanes_spectra(plan, y[b], t0 * geom.hop - geom.half, geom.hop, B, window, work, scale)
        return
    # padded samples times one (exact), windowed below as the inner frames are: the same
    # product, in the plan's precision, whichever path a frame takes. A block that runs
    # into the next row (a batch of clips, frames taken across rows) is staged too.
    _stage(y, geom, b, t0, B, W, stage, ones)
    rfft_lanes_spectra(plan, stage, np.int64(0), n_fft, W, window, work, scale)


@inner_jit
def stft_block_bins(plan, y, geom, window, b, t0, B, scratch, scale):
    """:func:`stft_block_spectra` through ``fft.block_bins.rfft_lanes_bins``: the same spectra, left
    where that puts them; returns its ``(row, pstride, odd)``. For the stft, whose stores read
    either layout."""
    work, stage, ones = scratch
    n_fft = window.shape[0]
    W = 64 // plan.consts.itemsize
    if _straight(geom, t0, B, W, n_fft):
        return rfft_lanes_bins(plan, y[b], t0 * geom.hop - geom.half, geom.hop, B, window, work,
                               scale)
    _stage(y, geom, b, t0, B, W, stage, ones)
    return rfft_lanes_bins(plan, stage, np.int64(0), n_fft, W, window, work, scale)
