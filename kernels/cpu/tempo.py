"""Autocorrelation tempograms of onset envelopes, fused per block of frames, and their mean.

A tempogram frame is the autocorrelation of ``W`` (8 float64) consecutive windowed frames of
the onset envelope at a time: the frames are read straight from the padded envelope with a hop
of one frame into the lanes of :func:`dsp_kernels.cpu.fft.block.rfft_lanes_spectra`, squared to
power spectra in place, inverted in place by :func:`dsp_kernels.cpu.fft.inverse_block.
irfft_lanes_spectra`, and the lags of each lane go, normalised, straight into the
(lags, frames) output, where the lanes (consecutive frames) are contiguous. Nothing per frame
leaves the scratch but the result.

``librosa.feature.tempo`` (default ``aggregate=np.mean``) needs only the tempogram's mean over
frames ``mean_t(ac_t / max|ac_t|)``, and two facts spare its per-frame inverse transforms:

- an autocorrelation peaks at lag 0 (``|ac_t[k]| <= ac_t[0]``, Cauchy-Schwarz), so the frame's
  inf-norm is ``ac_t[0]``, its energy, which Parseval gives from its power spectrum ``P_t``;
- the inverse FFT is linear, so ``mean_t(ac_t / ac_t[0]) = irfft(mean_t(P_t / ac_t[0]))``.

So there, per frame only the forward transform runs; its power spectrum is weighted and summed,
and one inverse FFT per channel finishes. Work is cut into chunks of a fixed number of lane
blocks; the mean's chunk sums are kept apart and added in order, so that it does not depend on
the number of threads. Both equal librosa's up to rounding (tests: ``tests/test_onset_beat.py``).

Plain Python
------------
``mean_autocorrelation(src, window, n_frames, n_fft, n_lags)``
    ``src`` (rows, L) float64: each channel's padded envelope, frame ``t`` being
    ``src[r, t:t + n_fft] * window`` (so ``L >= n_frames - 1 + n_fft``); ``window`` (n_fft,)
    float64, zero past the autocorrelation window; ``n_fft`` even with ``n_fft // 2`` free of
    primes above ``MAX_DIRECT_PRIME`` (:func:`dsp_kernels.shapes.autocorr_fft_size`).
    Returns (rows, n_lags) float64: the mean over the ``n_frames`` frames of the max-normalised
    autocorrelations (lags ``0 .. n_lags - 1``); frames whose energy is below the smallest normal
    float64 count with norm 1, as ``librosa.util.normalize`` leaves them.
``autocorrelations(src, window, n_frames, n_fft, n_lags, inf_norm)``
    The same arguments -> (rows, n_lags, n_frames) float64: every frame's autocorrelation, lags
    first, divided by its largest magnitude when ``inf_norm`` (same rule for silent frames).

Examples
--------
>>> import numpy as np
>>> env = np.zeros((1, 200 + 15)); env[0, ::4] = 1.0       # frames of 8 samples, FFT size 16
>>> w = np.r_[np.ones(8), np.zeros(8)]
>>> ac = autocorrelations(env, w, 200, 16, 8, True)
>>> ac.shape, (ac[0, :, 0].round(3) + 0.0).tolist()          # + 0.0: no signed zeros
((1, 8, 200), [1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0])
>>> mean_autocorrelation(env, w, 200, 16, 8).shape
(1, 8)
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.fft.block import alloc_block_work, block_lanes, rfft_lanes_spectra
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes_spectra
from dsp_kernels.cpu.fft.plans import get_rfft_plan
from dsp_kernels.cpu.fft.transforms import alloc_work, irfft_scaled_into

__all__ = ["mean_autocorrelation", "autocorrelations"]

#: lane blocks (W frames each) per chunk: the unit of work of a thread and of the partial sums
CHUNK_BLOCKS = 16
#: librosa.util.normalize's default threshold for float64 (np.finfo(np.float64).tiny)
TINY = float(np.finfo(np.float64).tiny)


@jit
def _accumulate(P, h, n, acc, energy, lanes, B):
    """Add the power spectra of the ``B`` lanes in ``P`` (bins ``0 .. h``, the layout of
    ``rfft_lanes_spectra``), each divided by its frame's energy, to ``acc`` (h + 1,);
    ``energy`` (lanes,) is scratch. ``lanes`` is W as a run-time value: with a constant trip
    count LLVM unrolls the lane loops and leaves them scalar (see ``rfft_lanes_spectra``)."""
    W = lanes
    for l in range(W):
        energy[l] = 0.0
    # the power spectrum in place of the real parts; Parseval: energy = sum over all n bins / n,
    # the bins 1 .. h-1 counted twice (their mirrors)
    for k in range(h + 1):
        re = 2 * k * W
        im = re + W
        c = 1.0 if k == 0 or k == h else 2.0
        for l in range(W):
            p = P[re + l] * P[re + l] + P[im + l] * P[im + l]
            P[re + l] = p
            energy[l] += c * p
    for l in range(W):
        e = energy[l] / n
        # librosa.util.normalize: a slice whose norm is below tiny is divided by 1
        energy[l] = 1.0 / e if e >= TINY else 1.0
        if l >= B:
            energy[l] = 0.0  # lanes past the last frame hold zeros anyway; keep them out
    for k in range(h + 1):
        re = 2 * k * W
        s = 0.0
        for l in range(W):
            s += P[re + l] * energy[l]
        acc[k] += s


@pjit
def _chunk_sums(plan, flat, row_len, rows, window, n_frames, sums):
    """sums[r, c] = sum over the frames of chunk ``c`` of channel ``r`` of P_t / energy_t."""
    W = 64 // plan.consts.itemsize
    n = plan.n
    h = n // 2
    n_chunks = sums.shape[1]
    one = plan.consts.dtype.type(1.0)
    for task in prange(rows * n_chunks):
        r = task // n_chunks
        c = task - r * n_chunks
        work = alloc_block_work(plan)
        lanes = block_lanes(plan, work)
        energy = np.empty(W)
        acc = sums[r, c]
        t_end = min(n_frames, (c + 1) * CHUNK_BLOCKS * W)
        for t0 in range(c * CHUNK_BLOCKS * W, t_end, W):
            B = min(W, t_end - t0)
            # hop of one frame: lane l reads src[t0 + l : t0 + l + n]
            rfft_lanes_spectra(plan, flat, np.int64(r * row_len + t0), np.int64(1), B, window, work, one)
            _accumulate(work[1], h, n, acc, energy, lanes, B)


@jit
def _finish(plan, sums, n_lags, scale, out):
    """out[r] = scale * irfft(sum over chunks of sums[r])[:n_lags]."""
    work = alloc_work(plan)
    n = plan.n
    total = np.zeros(n // 2 + 1, dtype=np.complex128)
    ac = np.empty(n)
    for r in range(sums.shape[0]):
        for k in range(n // 2 + 1):
            s = 0.0
            for c in range(sums.shape[1]):  # chunks in order: the same sum for any thread count
                s += sums[r, c, k]
            total[k] = s
        irfft_scaled_into(plan, total, ac, work, scale)
        for j in range(n_lags):
            out[r, j] = ac[j]


def mean_autocorrelation(src, window, n_frames, n_fft, n_lags):
    """The frame-averaged, max-normalised autocorrelation tempogram -> (rows, n_lags).

    The arguments are described in the module doc."""
    rows, row_len = src.shape
    plan = get_rfft_plan(n_fft, np.float64)
    W = 64 // 8
    n_chunks = -(-n_frames // (CHUNK_BLOCKS * W))
    sums = np.zeros((rows, n_chunks, n_fft // 2 + 1))
    flat = np.ascontiguousarray(src, dtype=np.float64).reshape(-1)
    _chunk_sums(plan, flat, np.int64(row_len), np.int64(rows), np.ascontiguousarray(window, dtype=np.float64),
                np.int64(n_frames), sums)
    out = np.empty((rows, n_lags))
    # irfft's unnormalised inverse, then numpy's 1/n and the mean's 1/n_frames
    _finish(plan, sums, np.int64(n_lags), 1.0 / (n_fft * n_frames), out)
    return out


@jit
def _power(P, h, lanes):
    """The power spectra of the lanes in place: ``|X_k|**2 + 0j`` (layout of ``P`` as above)."""
    W = lanes
    for k in range(h + 1):
        re = 2 * k * W
        im = re + W
        for l in range(W):
            P[re + l] = P[re + l] * P[re + l] + P[im + l] * P[im + l]
            P[im + l] = 0.0


@jit
def _store_lags(Q, n_lags, B, inv, lanes, inf_norm, out, t0):
    """Lags ``0 .. n_lags - 1`` of the ``B`` autocorrelations left in lanes (sample ``j`` of lane
    ``l`` at ``Q[jW + l]``) to ``out[j, t0 + l]``, each divided by its largest magnitude when
    ``inf_norm`` (below tiny: by 1, as ``librosa.util.normalize``); ``inv`` (lanes,) is scratch."""
    W = lanes
    for l in range(W):
        inv[l] = 0.0
    if inf_norm:
        for j in range(n_lags):
            for l in range(W):
                inv[l] = max(inv[l], abs(Q[j * W + l]))
    for l in range(W):
        inv[l] = 1.0 / inv[l] if inv[l] >= TINY else 1.0
    # the lanes are consecutive frames: each lag's B values are one contiguous run of out's row
    for j in range(n_lags):
        for l in range(B):
            out[j, t0 + l] = Q[j * W + l] * inv[l]


@pjit
def _autocorrelation_chunks(plan, flat, row_len, rows, window, n_frames, inf_norm, out):
    """out[r, :, t] = the (normalised) autocorrelation of frame t of channel r (module doc)."""
    W = 64 // plan.consts.itemsize
    h = plan.n // 2
    n_lags = out.shape[1]
    n_chunks = (n_frames + CHUNK_BLOCKS * W - 1) // (CHUNK_BLOCKS * W)
    one = plan.consts.dtype.type(1.0)
    for task in prange(rows * n_chunks):
        r = task // n_chunks
        c = task - r * n_chunks
        work = alloc_block_work(plan)
        lanes = block_lanes(plan, work)
        inv = np.empty(W)
        t_end = min(n_frames, (c + 1) * CHUNK_BLOCKS * W)
        for t0 in range(c * CHUNK_BLOCKS * W, t_end, W):
            B = min(W, t_end - t0)
            rfft_lanes_spectra(plan, flat, np.int64(r * row_len + t0), np.int64(1), B, window, work, one)
            _power(work[1], h, lanes)
            # the spectra stay in lanes: the inverse reads them there (numpy's 1/n included)
            irfft_lanes_spectra(plan, work, plan.scales[1])
            _store_lags(work[1], n_lags, B, inv, lanes, inf_norm, out[r], t0)


def autocorrelations(src, window, n_frames, n_fft, n_lags, inf_norm):
    """Every frame's autocorrelation, lags first -> (rows, n_lags, n_frames) float64.

    ``src``, ``window``, ``n_frames``, ``n_fft`` as for :func:`mean_autocorrelation`; each frame
    is divided by its largest magnitude when ``inf_norm`` (the tempogram with ``norm=np.inf``)."""
    rows, row_len = src.shape
    plan = get_rfft_plan(n_fft, np.float64)
    out = np.empty((rows, n_lags, n_frames))
    flat = np.ascontiguousarray(src, dtype=np.float64).reshape(-1)
    _autocorrelation_chunks(plan, flat, np.int64(row_len), np.int64(rows),
                            np.ascontiguousarray(window, dtype=np.float64), np.int64(n_frames),
                            bool(inf_norm), out)
    return out
