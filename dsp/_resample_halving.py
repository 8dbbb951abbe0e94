"""Decimation by exactly 2 by fast convolution, shared by :func:`dsp.resample` (2:1 on long
signals) and the constant-Q transform's octave step (``dsp._cqt_octaves``).

The filter is the resampler's own 2:1 polyphase row (``dsp.resampling._polyphase_table(1, 2,
quality)``), so the result is the polyphase kernel's ``out[m] = gain * sum_j taps[j]
x[2m - T/2 + 1 + j]`` (``T`` taps) up to rounding. The kernel (``cqt_halve`` in
:mod:`dsp_kernels.cpu.cqt` and its GPU twin) transforms blocks of ``n_fft`` samples, folds each
spectrum onto ``n_fft / 2`` bins (decimation in frequency) times the filter's, and inverts at the
half size: ``M = n_fft / 2 - T / 2 + 1`` outputs a block, about 8x fewer flops than the direct
dot products at 'high' (270 taps). It works on groups of one block per SIMD lane (16 float32 or
8 float64 blocks), so a signal shorter than one group pays for a whole group: :func:`pays` says
when it is the cheaper of the two (measured, 2 cores, float32: at 'high' the two cost the same
at 32,000 outputs, 107 against 109 us; at 2.6 M samples 1.4 against 3.4 ms; 'hq' 1.3 against
4.7 ms).

Examples
--------
>>> import numpy as np
>>> from dsp._resample_halving import halve, pays
>>> x = np.random.default_rng(0).standard_normal((1, 100_000)).astype(np.float32)
>>> halve(x, "high").shape, pays(50_000, "high", np.float32), pays(8_000, "high", np.float32)
((1, 50000), True, False)
"""
from __future__ import annotations

import numpy as np

from dsp_kernels.caches import table_cache
from dsp_kernels.shapes import halving_block_outputs

from ._dispatch import kernel_for

__all__ = ["halving_filter", "pays", "halve"]


@table_cache(maxsize=8)
def halving_filter(quality: str, gain: float, dtype_str: str):
    """``(taps, n_fft, fold)`` of the ``cqt_halve`` kernel for a quality: the 2:1 polyphase taps
    times ``gain``, a block length of about 8 times their number, and the folded spectra
    ``(conj(H_k) / 2, H_{h-k} / 2)`` for ``k <= h / 2``, ``h = n_fft / 2`` (designed in float64)."""
    from .fourier import fft
    from .resampling import _polyphase_table

    taps = _polyphase_table(1, 2, quality, "<f8")[0] * gain
    n_fft = max(1024, 1 << int(np.ceil(np.log2(8 * taps.size))))
    padded = np.zeros(n_fft)
    padded[:taps.size] = taps
    H = np.asarray(fft(padded))
    half = n_fft // 2
    k = np.arange(half // 2 + 1)
    fold = np.stack([np.conj(H[k]) / 2, H[half - k] / 2]).astype(
        np.complex64 if np.dtype(dtype_str) == np.float32 else np.complex128)
    taps = taps.astype(np.dtype(dtype_str))
    for a in (taps, fold):
        a.flags.writeable = False
    return taps, n_fft, fold


def pays(n_out: int, quality: str, dtype) -> bool:
    """Whether ``n_out`` outputs fill at least one group of lane blocks (the module note)."""
    taps, n_fft, _ = halving_filter(quality, 1.0, np.dtype(dtype).str)
    lanes = 64 // np.dtype(dtype).itemsize
    return n_out >= lanes * halving_block_outputs(n_fft, taps.size)


def halve(x2, quality: str, gain: float = 1.0):
    """``gain`` times the 2:1 decimation of the validated, C-contiguous ``(batch, n)`` rows with
    the quality's filter: ``(batch, ceil(n / 2))``, the dtype of ``x2`` (NumPy or CuPy)."""
    taps, n_fft, fold = halving_filter(quality, float(gain), x2.dtype.str)
    return kernel_for("cqt_halve", x2)(x2, taps, n_fft, fold)
