"""Inverse STFT on the CPU: the frames that reach each output block, inverted W at a time by the
blocked inverse real FFT, overlap-added in float64 and divided by the window's sum-square.

Entry function (its GPU twin is ``kernels/gpu/spectral.py``'s, with the same name and keywords):

``istft(S, *, n_fft, hop_length, window, center, length, out=None)``
    ``S`` (batch, n_freq, n_frames) complex (any strides; n_freq may differ from n_fft//2 + 1,
    then it is cropped or zero-extended as ``np.fft.irfft`` does); returns (batch, n_out) real of
    ``S``'s precision. ``out`` (CPU only): a (batch, n_out) C-contiguous array to write.

Output blocks are gathered, not scattered: a block inverts every frame that reaches it, so
threads never write the same sample and the sums' order does not depend on the thread count
(:func:`_istft_kernel`). Bluestein's sizes go frame by frame.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import prange

from dsp_kernels.config import inline_jit, inner_jit, noalias_jit, pjit, scratch_jit
from dsp_kernels.cpu.fft import alloc_work, get_rfft_plan, irfft_into
from dsp_kernels.cpu.fft.block import alloc_block_work
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes
from dsp_kernels.cpu.fft.passes import u64
from dsp_kernels.cpu.fft.simd import transpose_tile
from dsp_kernels.cpu.stft_block import balanced_tasks
from dsp_kernels.shapes import istft_frames, window_support

__all__ = ["istft"]


@inner_jit
def _frames_from_bin_major(Sf, Su, row_units, c_lo, n_task, m, local):
    """``local[f*2m + 2k (+1)]`` = bin k of frame ``c_lo + f``, from bin-major spectra.

    ``Sf`` is the channel's float view (bin k of frame c at ``2 (k*row_units + c)``). For
    complex64, ``Su`` is its float64 view, one 8-byte unit per complex value, and whole 8 x 8
    tiles of units (8 bins x 8 frames) go through the in-register transpose (a float64 shuffle
    moves the bits of two float32 untouched); the edges, and complex128, go value by value."""
    if n_task <= 0:  # no frame reaches the block (a ``length`` past the last frame)
        return
    two_m = 2 * m
    k_tiles = 0
    f_tiles = 0
    if Su.shape[0] > 0:
        local_u = local.view(np.float64)
        k_tiles = (m // 8) * 8
        f_tiles = (n_task // 8) * 8
        for k0 in range(0, k_tiles, 8):
            for f0 in range(0, f_tiles, 8):
                transpose_tile(Su, k0 * row_units + c_lo + f0, row_units, local_u, f0 * m + k0, m)
    for k in range(m):
        f_start = f_tiles if k < k_tiles else 0
        for f in range(f_start, n_task):
            src = 2 * (k * row_units + c_lo + f)
            local[f * two_m + 2 * k] = Sf[src]
            local[f * two_m + 2 * k + 1] = Sf[src + 1]


#: frames gathered at a time by the frame-by-frame inverse paths
CHUNK = 8


@inner_jit
def _gather_spectra(Sf, cs, ks, c0, B, m, specs):
    """``specs[l, k]`` = bin k < m of frame ``c0 + l`` (l < B), from the float view ``Sf`` of a
    channel's spectra, where that bin's real part is at ``2 (c*cs + k*ks)``. Read in the order
    of the memory: bin-major input (``cs == 1``) bin by bin, frame-major frame by frame."""
    if cs == 1:
        for k in range(m):
            for l in range(B):
                i = 2 * ((c0 + l) + k * ks)
                specs[l, k] = complex(Sf[i], Sf[i + 1])
    else:
        for l in range(B):
            for k in range(m):
                i = 2 * ((c0 + l) * cs + k)
                specs[l, k] = complex(Sf[i], Sf[i + 1])


@scratch_jit
def _ola_frames(Sf, cs, ks, c_lo, c_hi, m, plan, specs, fr, acc, env, window, hop, v0, wlo,
                whi, out, s0):
    """One output block, frame by frame: for each channel b, the windowed inverses of frames
    ``c_lo..c_hi`` (with ``plan``) added in order into ``acc``, then ``out[b, s0:] = acc * env``.
    ``Sf[b]`` is channel b's float view, read as :func:`_gather_spectra` says; spectra are
    gathered CHUNK frames at a time in the order the memory holds them (bin-major input read
    frame by frame would miss the cache on every value)."""
    work = alloc_work(plan)
    for b in range(Sf.shape[0]):
        acc[:] = 0.0
        for c0 in range(c_lo, c_hi + 1, CHUNK):
            B = min(CHUNK, c_hi + 1 - c0)
            _gather_spectra(Sf[b], cs, ks, c0, B, m, specs)
            for l in range(B):
                irfft_into(plan, specs[l], fr, work)
                _add_frame(acc, window, fr, (c0 + l) * hop - v0, wlo, whi)
        for i in range(acc.shape[0]):
            out[b, s0 + i] = acc[i] * env[i]


@inner_jit
def _add_frame(acc, window, frame, p, wlo, whi):
    """``acc[p + j] += window[j] * frame[j]`` for the j in [wlo, whi) that land inside acc."""
    j0 = max(wlo, -p)
    j1 = min(whi, acc.shape[0] - p)
    if j1 > j0:
        _mul_add(acc, p + j0, window, frame, j0, j1 - j0)


# The two overlap-add loops below run 5x faster with the noalias promise and unsigned indices
# (LLVM then vectorises them without run-time overlap checks or negative-index fix-ups).


@noalias_jit
def _mul_add(acc, a0, window, frame, j0, n):
    """``acc[a0 + i] += window[j0 + i] * frame[j0 + i]`` for ``i < n`` (all indices >= 0)."""
    ua = u64(a0)
    uj = u64(j0)
    for i in range(u64(n)):
        acc[ua + i] += window[uj + i] * frame[uj + i]


@noalias_jit
def _add(acc, a0, v, j0, n):
    """``acc[a0 + i] += v[j0 + i]`` for ``i < n`` (all indices >= 0)."""
    ua = u64(a0)
    uj = u64(j0)
    for i in range(u64(n)):
        acc[ua + i] += v[uj + i]


@inline_jit
def _block_reach(blk, block, off, n_out, hop, wlo, whi, n_frames):
    """``(s0, v0, size, c_lo, c_hi, inner)`` of output block ``blk``: its first sample, that
    sample's position in the centred frames' coordinates, its length, the frames whose window
    support ``[c*hop + wlo, c*hop + whi)`` meets ``[v0, v0 + size)``, and whether it is inner
    (whole, and every such frame exists: all inner blocks have the same envelope)."""
    s0 = blk * block
    size = min(n_out, s0 + block) - s0
    v0 = s0 + off
    c_first = (v0 - whi) // hop + 1
    c_last = (v0 + size - 1 - wlo) // hop
    inner = size == block and c_first >= 0 and c_last <= n_frames - 1
    return s0, v0, size, max(0, c_first), min(n_frames - 1, c_last), inner


@inner_jit
def _envelope(env, wsq, c_lo, c_hi, hop, v0, wlo, whi, tiny, well):
    """``env`` = 1 / (the window sum-square of frames ``c_lo..c_hi`` over the block at ``v0``),
    1 where that sum is below ``tiny``; True when it dips below ``well`` somewhere (the block
    then needs the float64 inverse)."""
    size = env.shape[0]
    env[:] = 0.0
    for c in range(c_lo, c_hi + 1):
        p = c * hop - v0
        j0 = max(wlo, -p)
        j1 = min(whi, size - p)
        if j1 > j0:
            _add(env, p + j0, wsq, j0, j1 - j0)
    exact = False
    for i in range(size):
        if env[i] > tiny:
            if env[i] < well:
                exact = True
            env[i] = 1.0 / env[i]
        else:
            env[i] = 1.0
    return exact


@pjit
def _istft_kernel(Sf, Su, n_frames, n_bins, row_units, cproto, window, wsq, lanes_plan,
                  frame_plan, plan64, hop, off, wlo, whi, block, n_tasks, tiny, well, marks, out):
    """Gather-form inverse STFT: output blocks of ``block`` samples (every channel), ``n_tasks``
    tasks each owning a run of blocks and allocating its scratch once.

    A block inverts the frames that reach its samples (those straddling a block edge are
    inverted by both neighbours: no write races, no second pass), adds them in ascending frame
    order in float64, divides by the window sum-square envelope and stores once. The order of the
    sums does not depend on the blocks or tasks, so the result does not depend on the thread
    count. The frames are inverted W at a time through the blocked inverse
    (``inverse_block.irfft_lanes``) with ``lanes_plan``, or, for a Bluestein size, one by one
    with ``frame_plan``; the other of the two is None, and Numba prunes its branch before
    compiling (one kernel never contains both paths). A frame's samples do not depend on its
    lane.

    Precision: the division by the envelope magnifies the inverse transform's rounding by about
    ``1 / envelope``. A block whose envelope stays above ``well`` uses the input's precision; a
    block where it dips lower (the ends of the signal, hops longer than half the window) inverts
    its frames in float64, so float32 output stays accurate there. That takes two calls: the
    first (``plan64`` None) skips such blocks and sets ``marks[blk] = 1``; only if any was
    marked does :func:`istft` call again with ``plan64`` (and the other two plans None), which
    does the marked blocks alone. The float64 path is then compiled only when a call needs it:
    librosa's defaults never do, and it was a third of a cold istft's compilation. For float64
    input ``well`` is 0 and nothing is marked.

    Layout: ``Sf[b]`` is the float view of channel b's spectra (``n_bins`` bins of ``n_frames``
    frames used). ``row_units == 0``: frame-major, bin k of frame c at ``2 (c*n_bins + k)``.
    ``row_units > 0``: bin-major, at ``2 (k*row_units + c)``, with ``Su`` its 8-byte-unit view
    (complex64 only, else empty), see ``_frames_from_bin_major``. Both layouts are the same
    Numba types, so one kernel serves both. ``cproto`` is an empty array of the spectra's
    complex dtype.
    """
    n_fft = window.shape[0]
    n_half = n_fft // 2 + 1
    n_out = out.shape[1]
    m = min(n_bins, n_half)
    W = 64 // Sf.itemsize
    bin_major = row_units > 0
    cs = 1 if bin_major else n_bins  # complex units between frames, and between bins
    ks = row_units if bin_major else 1
    n_blocks = (n_out + block - 1) // block
    max_frames = (block + whi - wlo) // hop + 2  # frames reaching one block, at most
    # The envelope of an inner block (whole, and reached by every frame that meets it): blocks
    # start at multiples of the hop, so every inner block sums the same squared-window samples
    # in the same order and their envelopes are equal bit for bit. Computed once a call, before
    # the tasks, which only read it (once a block, it was a fifth of a 1-thread istft).
    # (a block the tasks find inner means this loop found one too, so inner_env is then set)
    inner_env = np.empty(block, dtype=np.float64)
    inner_exact = False
    for blk in range(n_blocks):
        s0, v0, size, c_lo, c_hi, inner = _block_reach(blk, block, off, n_out, hop, wlo, whi, n_frames)
        if inner:
            inner_exact = _envelope(inner_env, wsq, c_lo, c_hi, hop, v0, wlo, whi, tiny, well)
            break
    for task in prange(n_tasks):
        acc_buf = np.empty(block, dtype=np.float64)
        env_buf = np.empty(block, dtype=np.float64)
        frames = np.empty(W * n_fft, dtype=Sf.dtype)
        # bin-major input: a block's frames first go into this frame-major copy, each bin's run
        # of frames read contiguously (W frames of every bin per inverse touch 2 cache lines per
        # bin in a 20 kB-strided pattern: measured 1.7x slower end to end)
        local = np.empty(max_frames * 2 * m if bin_major else 0, dtype=Sf.dtype)
        for blk in range(task * n_blocks // n_tasks, (task + 1) * n_blocks // n_tasks):
            if plan64 is not None and marks[blk] == 0:  # the float64 call: marked blocks only
                continue
            s0, v0, size, c_lo, c_hi, inner = _block_reach(blk, block, off, n_out, hop, wlo, whi,
                                                           n_frames)
            acc = acc_buf[:size]
            env = env_buf[:size]
            if inner:
                env = inner_env
                exact = inner_exact
            else:
                exact = _envelope(env, wsq, c_lo, c_hi, hop, v0, wlo, whi, tiny, well)
            if exact:  # frame by frame in float64: the envelope is small here
                if plan64 is None:
                    marks[blk] = 1  # left to the float64 call
                else:
                    _ola_frames(Sf, cs, ks, c_lo, c_hi, m, plan64,
                                np.zeros((CHUNK, n_half), dtype=np.complex128),
                                np.empty(n_fft, dtype=np.float64), acc, env, window, hop, v0,
                                wlo, whi, out, s0)
                continue
            if frame_plan is not None:  # frame by frame: no blocked transform for this size
                _ola_frames(Sf, cs, ks, c_lo, c_hi, m, frame_plan,
                            np.zeros((CHUNK, n_half), dtype=cproto.dtype),
                            np.empty(n_fft, dtype=Sf.dtype), acc, env, window, hop, v0, wlo,
                            whi, out, s0)
                continue
            if lanes_plan is not None:
                _ola_lanes(Sf, Su, n_bins, row_units, c_lo, c_hi, m, lanes_plan, frames, local,
                           acc, env, window, hop, v0, wlo, whi, out, s0)


@inline_jit
def _ola_lanes(Sf, Su, n_bins, row_units, c_lo, c_hi, m, plan, frames, local, acc, env, window,
               hop, v0, wlo, whi, out, s0):
    """One output block, W frames at a time through the blocked inverse, out to rows of
    ``frames``; a block past the last frame (``length`` beyond the frames' reach) has
    ``n_blk <= 0``: zeros. Layouts as in :func:`_istft_kernel`."""
    n_fft = window.shape[0]
    W = 64 // Sf.itemsize
    scale = plan.scales[1]
    bwork = alloc_block_work(plan)
    n_blk = c_hi + 1 - c_lo
    bin_major = row_units > 0
    size = acc.shape[0]
    for b in range(Sf.shape[0]):
        acc[:] = 0.0
        src = Sf[b]
        if bin_major:
            src = local
            if n_blk > 0:
                _frames_from_bin_major(Sf[b], Su[b], row_units, c_lo, n_blk, m, local)
        for c0 in range(c_lo, c_hi + 1, W):
            B = min(W, c_hi + 1 - c0)
            if bin_major:
                s_0 = (c0 - c_lo) * 2 * m
                s_stride = 2 * m
            else:
                s_0 = c0 * 2 * n_bins
                s_stride = 2 * n_bins
            # one call site (the blocked inverse is inlined here); np.int64(0): a literal 0
            # compiles a second specialisation
            irfft_lanes(plan, src, s_0, s_stride, B, m, frames, np.int64(0), n_fft, bwork, scale)
            for l in range(B):
                _add_frame(acc, window, frames[l * n_fft:(l + 1) * n_fft], (c0 + l) * hop - v0,
                           wlo, whi)
        for i in range(size):
            out[b, s0 + i] = acc[i] * env[i]


def istft(S, *, n_fft, hop_length, window, center, length, out=None):
    """Inverse STFT of ``S`` (batch, n_freq, n_frames) with librosa's length and trimming rules.

    Frames are summed in float64. Where the window sum-square is small (the ends of the signal,
    hops longer than half the window) the division magnifies the inverse transform's rounding, so
    those output blocks invert their frames in float64 (see ``_istft_kernel``).

    >>> import numpy as np
    >>> from dsp_kernels.cpu.istft import istft
    >>> S = np.zeros((1, 5, 9), dtype=np.complex64); S[0, 0] = 4.0  # DC only
    >>> istft(S, n_fft=8, hop_length=2, window=np.hanning(10)[1:-1], center=True, length=None).shape
    (1, 16)
    """
    n_frames, n_out = istft_frames(S.shape[2], n_fft=n_fft, hop_length=hop_length,
                                   center=center, length=length)
    real = np.float32 if S.dtype == np.complex64 else np.float64
    # the float view the kernel reads: frame-major as given when each frame's bins are
    # contiguous (librosa's mono layout, ours), else the C-ordered (batch, n_freq, n_frames)
    # array read bin-major (no transposed copy of the whole matrix); either way a 2-D
    # C-contiguous float array, so both layouts share one compiled kernel
    frames = S[:, :, :n_frames].swapaxes(1, 2)
    units = np.empty((S.shape[0], 0), dtype=np.float64)
    if frames.flags.c_contiguous:
        framesf = frames.view(real).reshape(frames.shape[0], -1)
        row_units = 0
    else:
        Sc = np.ascontiguousarray(S)
        framesf = Sc.view(real).reshape(Sc.shape[0], -1)
        row_units = Sc.shape[2]
        if real == np.float32:  # complex64 as 8-byte units, for the kernel's tile transposes
            units = Sc.view(np.float64).reshape(Sc.shape[0], -1)
    window = np.ascontiguousarray(window, dtype=np.float64)
    if out is None:
        out = np.empty((S.shape[0], n_out), dtype=real)
    if out.size == 0:
        return out
    wlo, whi = window_support(window)
    off = n_fft // 2 if center else 0
    plan = get_rfft_plan(n_fft, real)
    wsq = window * window
    # below a quarter of the squared window's peak, float32 rounding is magnified too much
    well = 0.25 * float(wsq.max()) if real == np.float32 else 0.0
    # output blocks of whole hops: enough tasks for the threads, few frames inverted twice
    per_frame = -(-n_fft // hop_length)
    # (independent of the thread count, so the result is too)
    k = min(64, max(4 * per_frame, n_frames // 8))
    # a block of k hops meets about k + per_frame - 1 frames, inverted W at a time (one per SIMD
    # lane): k is rounded up so that they fill whole groups (at 2048 / 512, 67 frames took 5
    # groups of 16, a fifth of the lanes idle; now 80 frames fill 5)
    W = 64 // np.dtype(real).itemsize
    k = W * -(-(k + per_frame - 1) // W) - (per_frame - 1)
    n_blocks = -(-n_out // (k * hop_length))
    # 8 a thread, one at a time when there are that many (balanced_tasks): a thread slowed by
    # another process's spinning threads hands its share over (the result does not depend on it)
    n_tasks = min(n_blocks, 8 * numba.get_num_threads())
    lanes_plan, frame_plan = (plan, None) if plan.bluestein == 0 else (None, plan)
    args = (framesf, units, n_frames, S.shape[1], row_units, np.empty(0, dtype=S.dtype), window,
            wsq)
    rest = (hop_length, off, wlo, whi, k * hop_length, n_tasks, float(np.finfo(real).tiny), well)
    marks = np.zeros(n_blocks, dtype=np.int8)
    with balanced_tasks(n_tasks):
        _istft_kernel(*args, lanes_plan, frame_plan, None, *rest, marks, out)
    if marks.any():  # blocks with a small envelope, in float64 (the kernel's note)
        _istft_kernel(*args, None, None, get_rfft_plan(n_fft, np.float64), *rest, marks, out)
    return out
