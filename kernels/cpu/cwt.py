"""CPU twin of the GPU ``cwt_conv`` (contract: :mod:`dsp_kernels.cwt_plan`): direct convolution,
one task per (filter, row) in parallel, each output one :func:`dsp_kernels.rules.convolve_at`
(float64 sums). dsp's CPU ``method='conv'`` keeps PyWavelets' per-scale ``np.convolve`` (faster
than this kernel on the CPU); this twin is what the GPU kernel is checked against. The CPU side
of ``method='fft'`` is :func:`dsp_kernels.cpu.cwt_fft.overlap_save`.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.cwt import cwt_conv
>>> from dsp_kernels.cpu.cwt_fft import overlap_save
>>> x = np.arange(6.0)[None, :]
>>> taps, starts, offsets = np.array([1.0, -1.0, 0.5, 0.5, 0.5]), np.array([0, 2, 5]), np.array([0, 1])
>>> cwt_conv(x, taps, starts, offsets)[0].tolist()  # x[k] - x[k-1]
[[0.0, 1.0, 1.0, 1.0, 1.0, 1.0]]
>>> bool(np.allclose(overlap_save(x, taps, starts, offsets), cwt_conv(x, taps, starts, offsets)))
True
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels import cwt_plan
from dsp_kernels.config import pjit
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
