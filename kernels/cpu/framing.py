"""Frame gathering for the STFT family: librosa's centre padding applied on the fly.

No padded copy of the signal is ever made. A frame's sample at a position outside the signal is
computed from the padding rule, so a fused kernel (STFT, signal -> mel) reads each frame straight
from the unpadded signal.

Padding modes (``PAD_MODES``; the codes are what the njit helpers take, on the GPU too)
-------------------------------------------------------------------------------------
The rule is :func:`dsp_kernels.rules.pad_value`, which both twins compile. Position ``i``
outside the segment ``y[lo:hi]`` (``n = hi - lo``) reads, as ``np.pad`` does:

=============  ====  ==========================================================================
mode           code  value at ``i``
=============  ====  ==========================================================================
constant       0     0 (``'empty'`` maps here: np.pad leaves those samples undefined)
edge           1     ``y[lo]`` left of the segment, ``y[hi-1]`` right of it
linear_ramp    2     a ramp over the ``ramp`` pad samples from 0 (outermost) towards the edge
                     value, the edge value itself excluded (``np.linspace(0, edge, ramp,
                     endpoint=False)``, mirrored on the right)
reflect        3     mirror without repeating the edge, period ``2 (n - 1)`` (``y[lo]`` if n == 1)
symmetric      4     mirror repeating the edge, period ``2 n``
=============  ====  ==========================================================================

These are the modes librosa 0.11's ``stft`` accepts; periodic mirroring is what ``np.pad`` does
when the pad is longer than the signal.

librosa's frame geometry (``center=True``)
------------------------------------------
Frame ``t`` covers the signal positions ``t*hop - n_fft//2 + j``, ``j < n_fft``, exactly as if the
whole signal were padded by ``n_fft//2`` on both sides, with one quirk kept for parity: librosa
0.11 pads only the head and the tail, and the tail frames (``t >= tail_k``) are padded from the
slice ``y[tail_k*hop - n_fft//2:]``. With ``reflect`` and an even ``n_fft`` that slice can be
shorter than the mirror needs, so the tail mirrors within it; ``load_stft_frame`` does the same.

njit API (for fused kernels elsewhere, e.g. signal -> mel)
----------------------------------------------------------
``geom = dsp_kernels.shapes.stft_geometry(n, n_fft, hop_length, center, pad_mode, window)``
    plain Python: an :class:`dsp_kernels.shapes.StftGeometry` (a NamedTuple of ints that Numba
    passes by value) describing the framing of a signal of length ``n``; ``geom.n_frames`` is
    the number of frames.
``load_stft_frame(y, t, geom, window, buf)``
    njit: ``buf[j] = window[j] * (padded y)[t*hop - n_fft//2 + j]`` for ``j < n_fft``; ``y`` is one
    1-D channel, ``window`` the ``n_fft``-long (centred) window in ``y``'s dtype, ``buf`` a
    real 1-D scratch of length ``n_fft``. Samples outside the window's support are set to 0
    without reading the signal.
``load_frame(y, start, n_fft, lo, hi, mode, ramp, window, wlo, whi, buf)``
    njit: the general form, for any segment ``y[lo:hi]`` and pad rule.
``load_zero_padded(y, start, buf)``
    njit: ``buf[j] = y[start + j]``, 0 where that lies outside ``y`` (the edge blocks of the
    fast-convolution kernels, ``cqt_halve`` and ``fir_full``).
"""
from __future__ import annotations

from dsp_kernels.config import inline_jit, inner_jit
from dsp_kernels.cpu.rules import pad_value  # the pad rule, shared with the GPU (dsp_kernels.rules)

__all__ = ["load_frame", "load_stft_frame", "load_zero_padded", "pad_value"]

@inner_jit
def load_frame(y, start, n_fft, lo, hi, mode, ramp, window, wlo, whi, buf):
    """``buf[j] = window[j] * ext(start + j)`` where ``ext`` extends ``y[lo:hi]`` by ``mode``.

    Only ``j`` in ``[wlo, whi)`` (the window's support) is read; the rest of ``buf`` is zeroed.
    """
    for j in range(wlo):
        buf[j] = 0.0
    a = start + wlo
    b = start + whi
    if a >= lo and b <= hi:
        for j in range(wlo, whi):
            buf[j] = y[start + j] * window[j]
    else:
        for j in range(wlo, whi):
            i = start + j
            if i >= lo and i < hi:
                buf[j] = y[i] * window[j]
            else:
                buf[j] = pad_value(y, i, lo, hi, mode, ramp) * window[j]
    for j in range(whi, n_fft):
        buf[j] = 0.0


@inner_jit
def load_zero_padded(y, start, buf):
    """``buf[j] = y[start + j]`` for ``j < len(buf)``, 0 outside ``y``: three plain runs (zeros,
    a copy, zeros) that vectorise, where a test per sample cost as much as transforming the
    block (a 1 s clip's 2:1 resampling stages two of its two groups)."""
    n = y.shape[0]
    m = buf.shape[0]
    lo = min(m, max(0, -start))
    hi = max(lo, min(m, n - start))
    for j in range(lo):
        buf[j] = 0.0
    src = y[start + lo:start + hi]
    dst = buf[lo:hi]
    for j in range(hi - lo):
        dst[j] = src[j]
    for j in range(hi, m):
        buf[j] = 0.0


@inline_jit
def load_stft_frame(y, t, geom, window, buf):
    """Windowed frame ``t`` of the 1-D signal ``y`` under ``geom`` (from ``stft_geometry``)."""
    n_fft = geom.n_fft
    start = t * geom.hop - geom.half
    if start >= 0 and start + n_fft <= geom.n:
        # a frame inside the signal: one plain loop, which LLVM vectorises
        for j in range(n_fft):
            buf[j] = y[start + j] * window[j]
    else:
        _load_edge_frame(y, t, geom, window, buf)


@inner_jit
def _load_edge_frame(y, t, geom, window, buf):
    lo = 0
    if geom.whole == 0 and t >= geom.tail_k:  # librosa's tail frames pad from their own slice
        lo = geom.post_lo
    load_frame(y, t * geom.hop - geom.half, geom.n_fft, lo, geom.n, geom.mode, geom.half, window,
               geom.wlo, geom.whi, buf)
