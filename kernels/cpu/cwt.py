"""CPU kernels of the continuous wavelet transform's filter bank (contract:
:mod:`dsp_kernels.cwt_plan`): ``cwt_conv`` convolves directly, one task per (filter, row) in
parallel, each output one :func:`dsp_kernels.rules.convolve_at` (float64 sums); ``cwt_fft`` goes
through our real FFT (:mod:`dsp_kernels.cpu.fft.batched`) on the shared plan. Twins of
:mod:`dsp_kernels.gpu.cwt` (same names and signatures).

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.cwt import cwt_conv, cwt_fft
>>> x = np.arange(6.0)[None, :]
>>> taps, starts, offsets = np.array([1.0, -1.0, 0.5, 0.5, 0.5]), np.array([0, 2, 5]), np.array([0, 1])
>>> cwt_conv(x, taps, starts, offsets)[0].tolist()  # x[k] - x[k-1]
[[0.0, 1.0, 1.0, 1.0, 1.0, 1.0]]
>>> bool(np.allclose(cwt_fft(x, taps, starts, offsets), cwt_conv(x, taps, starts, offsets)))
True
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels import cwt_plan
from dsp_kernels.config import pjit
from dsp_kernels.cpu.fft.batched import irfft, rfft
from dsp_kernels.cpu.rules import convolve_at


@pjit
def _conv_kernel(x, bank, starts, offsets, out):
    nf, nb, n = out.shape
    for task in prange(nf * nb):
        f = task // nb
        b = task % nb
        h = bank[starts[f]:starts[f + 1]]
        row = x[b]
        for t in range(n):
            out[f, b, t] = convolve_at(row, h, t + offsets[f])


def _conv_real(rows, bank, starts, offsets):
    out = np.empty((offsets.size,) + rows.shape, dtype=rows.dtype)
    if out.size:
        _conv_kernel(rows, bank, starts, offsets, out)
    return out


def cwt_conv(x, taps, starts, offsets):
    """``y`` (S, batch, n) of the contract by direct convolution; ``x`` (batch, n) float32,
    float64, complex64 or complex128; ``taps`` real or complex; ``starts``/``offsets`` int64."""
    return cwt_plan.split_complex(np, np.ascontiguousarray(x), taps, starts, offsets, _conv_real)


def _take(Y, shifts, out, first):
    n = out.shape[2]
    for i, s in enumerate(shifts):
        out[first + i] = Y[i, :, s:s + n]


def _fft_real(rows, bank, starts, offsets):
    return cwt_plan.fft_plan(np, rows, bank, starts, offsets, rfft, irfft, _take)


def cwt_fft(x, taps, starts, offsets):
    """``y`` (S, batch, n) of the contract through real FFTs of x's precision."""
    return cwt_plan.split_complex(np, np.ascontiguousarray(x), taps, starts, offsets, _fft_real)
