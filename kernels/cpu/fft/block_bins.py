"""The blocked real FFT for a consumer that only stores its bins (the stft): left where the
transform makes them, in either of two layouts, and stored from there.

The blocked FFT (:mod:`dsp_kernels.cpu.fft.block`) ping-pongs a block's passes between two
scratch rows and leaves the spectra in the second, bin ``k`` of lane ``l`` at ``2 k W + l``
(real part) and ``(2 k + 1) W + l`` (imaginary part), which the mel, chroma and other fused
consumers read. For the plans whose last pass is fused with the split (``plans.SPLIT_FUSED``)
that pass can instead write its bins over its own inputs in row 0
(:func:`dsp_kernels.cpu.fft.last_post.last4_in_place`): real parts in the row's first half,
imaginary parts in its second. A block then never touches its second row: 25.7 kB instead of
51 kB for 16 frames of 400 points (the L1 data cache here is 48 kB), which matters for the
stft, whose streaming stores hold the line-fill buffers that cache misses need. Measured on the
2-core Intel machine (docs/spectral.md, stop 48): the speech front end's kernel 1.13 -> 1.02 ms.

njit API
--------
``row, pstride, odd = rfft_lanes_bins(plan, src, s0, sstride, B, window, work, scale)``
    :func:`~dsp_kernels.cpu.fft.block.rfft_lanes_spectra`'s transforms; value ``i`` (real and
    imaginary parts alternating) of lane ``l`` is then ``work[row][(i // 2) pstride + (i % 2)
    odd + l]``: ``(0, W, M)`` for a fused plan (``M`` the row's half), ``(1, 2 W, W)`` for the
    others (``rfft_lanes_spectra``'s layout). The DC bin of lane ``l`` is ``work[row][l]`` in both.
``fft.block.store_pairs(P, pstride, odd, n_floats, B, outf, o0, ostride)`` stores them to
rows (``streaming.stream_lanes`` whole blocks of large outputs).
"""
from __future__ import annotations

import numba
import numpy as np
from numba.extending import intrinsic

from dsp_kernels.config import inline_jit, inner_jit
from dsp_kernels.cpu.fft.block import _spectra_call, block_lanes, fused_head
from dsp_kernels.cpu.fft.last_post import last4_in_place
from dsp_kernels.cpu.fft.plans import SPLIT_FUSED
from dsp_kernels.subroutine import typed_call

__all__ = ["rfft_lanes_bins"]


def _bins_in_place(plan, src, s0, sstride, B, window, work, sc):
    """:func:`rfft_lanes_bins` for the plans of ``plans.SPLIT_FUSED``: the last pass and the
    split write over the passes' output in row 0 (``last_post.last4_in_place``)."""
    fused_head(plan, src, s0, sstride, B, window, work)
    last4_in_place(plan, work, block_lanes(plan, work), sc)
    return np.int64(0), np.int64(64 // work.itemsize), np.int64(work.shape[1] // 2)


def _bins_in_lanes(plan, src, s0, sstride, B, window, work, sc):
    """:func:`rfft_lanes_bins` for the other plans: :func:`rfft_lanes_spectra`'s layout."""
    _spectra_call(plan, src, s0, sstride, B, window, work, sc)
    W = 64 // work.itemsize
    return np.int64(1), np.int64(2 * W), np.int64(W)


_in_place_core = inner_jit(_bins_in_place)
_in_lanes_core = inner_jit(_bins_in_lanes)


@intrinsic
def _call_bins(typingctx, plan, src, s0, sstride, B, window, work, sc):
    cls = getattr(plan, "instance_class", None)
    core = _in_place_core if cls in SPLIT_FUSED else _in_lanes_core
    return typed_call(typingctx, core, (plan, src, s0, sstride, B, window, work, sc))


def _call_bins_python(plan, src, s0, sstride, B, window, work, sc):
    """What :func:`_call_bins` does, as plain Python (``NUMBA_DISABLE_JIT=1``)."""
    core = _bins_in_place if isinstance(plan, SPLIT_FUSED) else _bins_in_lanes
    return core(plan, src, s0, sstride, B, window, work, sc)


_bins_call = _call_bins_python if numba.config.DISABLE_JIT else _call_bins


@inline_jit
def rfft_lanes_bins(plan, src, s0, sstride, B, window, work, scale):
    """:func:`rfft_lanes_spectra` for a consumer that reads the bins through
    :func:`store_pairs` or ``streaming.stream_lanes``: returns ``(row, pstride, odd)``, the bins
    being in ``work[row]`` with value ``i`` of lane ``l`` (real and imaginary parts alternating)
    at ``(i // 2) pstride + (i % 2) odd + l``. A fused plan leaves them in row 0, real parts in
    the first half and imaginary parts in the second (``(0, W, M)``): its block never touches
    a second row; the others in :func:`rfft_lanes_spectra`'s layout (``(1, 2 W, W)``)."""
    return _bins_call(plan, src, s0, sstride, B, window, work, plan.consts[7] * scale)
