"""The continuous wavelet transform's filter-bank contract, its complex split and the GPU's FFT
plan. The contract is shared by :mod:`dsp_kernels.cpu.cwt` (``cwt_conv``),
:mod:`dsp_kernels.cpu.cwt_fft` (``overlap_save``, the CPU's ``method='fft'``) and
:mod:`dsp_kernels.gpu.cwt` (``cwt_conv``, ``cwt_fft``).

Both entries, ``cwt_conv`` and ``cwt_fft``, take rows ``x`` (batch, n), a bank of filters packed
end to end in ``taps`` (filter ``s`` is ``taps[starts[s]:starts[s + 1]]``, ``M_s >= 1`` taps) and
``offsets`` (``0 <= offsets[s] < M_s``), and return ``y`` (S, batch, n) with

    ``y[s, b, k] = sum_j g_s[j] * x[b, k + offsets[s] - j]``   (``x`` zero outside ``0 .. n-1``)

i.e. each full convolution cut to the signal's length at the filter's offset: real (x's dtype)
when ``x`` and ``taps`` are real, else complex of x's precision. dsp builds one filter per scale
(the first difference of the scaled, integrated wavelet times ``-sqrt(scale)``, offset half the
wavelet's length), so the bank gives the coefficients of every scale directly.

:func:`split_complex` runs complex data or taps as real rows and real filters (real and imaginary
parts) and recombines, so the kernels themselves are real. :func:`fft_plan` computes the real case
through real FFTs of x's precision: filters whose full convolution fits the same power of two
share the rows' spectrum and go a run at a time (at most :data:`BUDGET` bytes of products)
through one batched inverse transform. The backends pass their array module, their
``rfft``/``irfft`` entries (signatures of :mod:`dsp_kernels.cpu.fft.batched`) and
``take(Y, shifts, out, first)``, which copies ``out[first + i, b, t] = Y[i, b, t + shifts[i]]``.

Examples
--------
>>> from dsp_kernels.cwt_plan import fft_size
>>> fft_size(100, 5)
128
"""
from __future__ import annotations

import numpy as np

#: bytes of spectral products and inverse transforms one run of filters may hold
BUDGET = 1 << 28


def fft_size(n: int, M: int) -> int:
    """The power of two that holds the full convolution of ``n`` samples with ``M`` taps
    (``n + M - 1`` entries), so that no kept entry wraps around."""
    return 1 << max(0, n + M - 2).bit_length()


def split_complex(xp, x, taps, starts, offsets, run_real):
    """``y`` of the contract from ``run_real(rows, taps, starts, offsets)``, which takes real rows
    and real float64 taps (host) and returns real ``(S', batch', n)`` in the rows' dtype."""
    real_dt = np.dtype(np.float32) if x.dtype in (np.float32, np.complex64) else np.dtype(np.float64)
    taps = np.asarray(taps)
    starts = np.asarray(starts, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    cx, ch = x.dtype.kind == "c", taps.dtype.kind == "c"
    nb, S = x.shape[0], offsets.size
    rows = xp.concatenate([x.real, x.imag]) if cx else x
    rows = xp.ascontiguousarray(rows, dtype=real_dt)
    if ch:  # the imaginary parts follow the real parts as S more filters
        bank = np.concatenate([taps.real, taps.imag]).astype(np.float64)
        starts = np.concatenate([starts[:-1], starts + starts[-1]])
        offsets = np.concatenate([offsets, offsets])
    else:
        bank = taps.astype(np.float64)
    r = run_real(rows, bank, starts, offsets)
    if ch and cx:  # (xr + i xi)(hr + i hi)
        y = (r[:S, :nb] - r[S:, nb:]) + 1j * (r[S:, :nb] + r[:S, nb:])
    elif ch:
        y = r[:S] + 1j * r[S:]
    elif cx:
        y = r[:, :nb] + 1j * r[:, nb:]
    else:
        return r
    return y.astype(np.result_type(real_dt, np.complex64), copy=False)


def fft_plan(xp, x, taps, starts, offsets, rfft, irfft, take, budget: int = BUDGET):
    """``y`` of the contract for real ``x`` (batch, n) and real ``taps`` (host), through real
    FFTs of x's precision."""
    nb, n = x.shape
    lens = np.diff(starts)
    out = xp.empty((lens.size, nb, n), dtype=x.dtype)
    if out.size == 0:
        return out
    sizes = np.array([fft_size(n, int(M)) for M in lens], dtype=np.int64)
    for size in np.unique(sizes):
        size = int(size)
        which = np.flatnonzero(sizes == size)
        padded = xp.zeros((nb, size), dtype=x.dtype)
        padded[:, :n] = x
        X = rfft(padded, 1.0)
        per_run = max(1, budget // max(1, 3 * nb * size * x.dtype.itemsize))
        # runs of consecutive filters: each run's outputs are one block of y
        runs = np.split(which, np.flatnonzero(np.diff(which) != 1) + 1)
        for run in (r[i:i + per_run] for r in runs for i in range(0, r.size, per_run)):
            h = np.zeros((run.size, size), dtype=x.dtype)
            for i, s in enumerate(run):
                h[i, : lens[s]] = taps[starts[s]:starts[s + 1]]
            H = rfft(xp.asarray(h), 1.0)
            Y = irfft((H[:, None, :] * X[None, :, :]).reshape(run.size * nb, -1), size, 1.0 / size)
            take(Y.reshape(run.size, nb, size), offsets[run], out, int(run[0]))
    return out
