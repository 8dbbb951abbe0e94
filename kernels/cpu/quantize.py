"""Quantisation and PCM conversion kernels.

Entry functions take validated, C-contiguous arrays. Every kernel here uses ``exact_pjit``
(no fastmath): the results must equal their formulas bit for bit, which rules out contraction
into fused multiply-adds and reassociation.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import exact_jit, exact_pjit
from dsp_kernels.cpu.rules import clamp, mid_tread, pcm_clipped


@exact_pjit
def _quantize(a, step, out):
    # the rule in float64 whatever a's dtype: in float32, |a|/step + 1/2 would round
    # half-integers to even once |a|/step >= 2^23
    for i in prange(a.shape[0]):
        out[i] = mid_tread(np.float64(a[i]), step)


@exact_pjit
def _to_int(y, scale, lo, hi, out, clipped):
    # Scaled samples are rounded with the same mid-tread rule (step 1), then clipped to [lo, hi];
    # the clip count follows dsp_kernels.rules.pcm_clipped (the scaled value, not the rounded
    # one). Each thread counts its own clips in its own slot (no shared writes).
    n = y.shape[0]
    nchunks = clipped.shape[0]
    size = (n + nchunks - 1) // nchunks
    for c in prange(nchunks):
        count = 0
        for i in range(c * size, min(n, (c + 1) * size)):
            v = np.float64(y[i]) * scale
            if pcm_clipped(v, lo, hi):
                count += 1
            out[i] = np.int64(clamp(mid_tread(v, 1.0), lo, hi))
        clipped[c] = count


@exact_pjit
def _from_int(pcm, offset, inv_scale, out):
    for i in prange(pcm.shape[0]):
        out[i] = (np.float64(pcm[i]) - offset) * inv_scale


@exact_jit
def _pcm_rows(frames, scale, out):
    # Serial: a clip takes tens of microseconds, and long files are already converted one
    # segment per decoding thread (nogil). With scale = 2**-(bits-1) the product is exact for
    # 8-, 16- and 24-bit samples; a 32-bit one is rounded once, by its conversion, exactly as
    # libsndfile's own float read rounds it.
    n, channels = frames.shape
    for c in range(channels):
        row = out[c]
        for i in range(n):
            row[i] = frames[i, c] * scale


def quantize(a, step):
    """Mid-tread quantisation of a contiguous float array, computed in float64, returned in ``a``'s dtype."""
    flat = a.reshape(-1)
    out = np.empty_like(flat)
    _quantize(flat, float(step), out)
    return out.reshape(a.shape)


def to_int(y, scale, lo, hi):
    """Round ``y * scale`` (mid-tread) and clip to ``[lo, hi]``.

    Returns the rounded values as int64 (same shape) and the number of samples whose scaled
    value lay outside ``[lo, hi + 1)``.
    """
    flat = y.reshape(-1)
    out = np.empty(flat.shape, np.int64)
    nchunks = max(1, min(64, flat.shape[0] // 65536 + 1))
    clipped = np.zeros(nchunks, np.int64)
    _to_int(flat, float(scale), float(lo), float(hi), out, clipped)
    return out.reshape(y.shape), int(clipped.sum())


def from_int(pcm, offset, scale, dtype):
    """``(pcm - offset) / scale`` in float64, returned as ``dtype``."""
    flat = pcm.reshape(-1)
    out = np.empty(flat.shape, np.float64)
    _from_int(flat, float(offset), 1.0 / float(scale), out)
    return out.reshape(pcm.shape).astype(dtype, copy=False)


def pcm_rows(frames, bits, out):
    """Interleaved PCM frames ``(n, channels)`` as decoded -> float rows ``out (channels, n)``.

    ``frames`` are signed integers full-scale at ``bits`` (libsndfile returns 24-bit samples
    left-aligned in int32, so those say ``bits=32``); ``out[c, i] = frames[i, c] / 2**(bits-1)``
    in ``out``'s dtype.
    """
    _pcm_rows(frames, out.dtype.type(2.0 ** (1 - bits)), out)
    return out
