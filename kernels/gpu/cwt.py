"""GPU twin of :mod:`dsp_kernels.cpu.cwt` (contract: :mod:`dsp_kernels.cwt_plan`).

``cwt_conv``: one kernel launch for every scale at once, one thread per output ``(s, b, k)`` with
``k`` fastest, each output one :func:`dsp_kernels.rules.convolve_at` compiled for the device
(float64 sums); in the middle of a row all threads of a warp read the same tap (a broadcast) and
consecutive samples (coalesced). ``cwt_fft``: the shared plan on the FFT of
:mod:`dsp_kernels.gpu.fft` (cuFFT on a GPU, our own kernels under the simulator) with a kernel
that takes each filter's kept entries out of the batched inverse transform. Complex data or taps
run as real parts (:func:`dsp_kernels.cwt_plan.split_complex`).

Examples
--------
>>> import cupy, numpy as np                                   # doctest: +SKIP
>>> from dsp_kernels.gpu.cwt import cwt_conv                   # doctest: +SKIP
>>> cwt_conv(cupy.arange(6.0)[None, :], np.array([1.0, -1.0]), np.array([0, 2]), np.array([0]))[0]  # doctest: +SKIP
array([[0., 1., 1., 1., 1., 1.]])
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from dsp_kernels import cwt_plan

from . import _runtime as rt
from .fft import irfft, rfft
from .rules import convolve_at


@cuda.jit
def _conv_kernel(x, bank, starts, offsets, out):
    i = cuda.grid(1)
    nf, nb, n = out.shape
    if i >= nf * nb * n:
        return
    t = i % n
    r = i // n
    b = r % nb
    f = r // nb
    out[f, b, t] = convolve_at(x[b], bank[starts[f]:starts[f + 1]], t + offsets[f])


@cuda.jit
def _take_kernel(Y, shifts, out, first):
    i = cuda.grid(1)
    k, nb, _ = Y.shape
    n = out.shape[2]
    if i >= k * nb * n:
        return
    t = i % n
    r = i // n
    b = r % nb
    f = r // nb
    out[first + f, b, t] = Y[f, b, t + shifts[f]]


def _conv_real(rows, bank, starts, offsets):
    out = rt.xp().empty((offsets.size,) + rows.shape, dtype=rows.dtype)
    if out.size:
        blocks, threads = rt.grid_1d(out.size)
        rt.launch(_conv_kernel, blocks, threads, rows, rt.as_device(bank), rt.as_device(starts),
                  rt.as_device(offsets), out)
    return out


def cwt_conv(x, taps, starts, offsets):
    """``y`` (S, batch, n) on the device by direct convolution; ``x`` (batch, n) on the device,
    float32, float64, complex64 or complex128; ``taps`` (real or complex), ``starts`` and
    ``offsets`` (int64) host arrays: the filter bank is a table, moved once per call."""
    return cwt_plan.split_complex(rt.xp(), x, taps, starts, offsets, _conv_real)


def _take(Y, shifts, out, first):
    total = Y.shape[0] * Y.shape[1] * out.shape[2]
    if total:
        blocks, threads = rt.grid_1d(total)
        rt.launch(_take_kernel, blocks, threads, rt.xp().ascontiguousarray(Y),
                  rt.as_device(np.asarray(shifts, np.int64)), out, first)


def _fft_real(rows, bank, starts, offsets):
    return cwt_plan.fft_plan(rt.xp(), rows, bank, starts, offsets, rfft, irfft, _take)


def cwt_fft(x, taps, starts, offsets):
    """``y`` (S, batch, n) on the device through real FFTs of x's precision (cuFFT on a GPU)."""
    return cwt_plan.split_complex(rt.xp(), x, taps, starts, offsets, _fft_real)
