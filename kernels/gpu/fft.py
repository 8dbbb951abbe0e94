"""GPU FFTs over the last axis of a batch: cuFFT through CuPy, or our own numba.cuda kernels.

Two backends, chosen by the ``gpu_fft`` setting (:mod:`dsp.options`, stored in
:mod:`dsp_kernels.settings`):

``'cufft'``
    ``cupy.fft``: the vendor library, the right tool for large batched transforms on a GPU.
``'own'``
    Written here: radix-2 Stockham autosort (one kernel launch per stage, ping-pong buffers,
    natural order out, twiddles from one table per size) for powers of two, and Bluestein's
    chirp-z convolution through a power-of-two transform for every other length.
``'auto'`` (default)
    ``'cufft'`` on a GPU, ``'own'`` under the CUDA simulator (which has no cuFFT).

The entries ``fft(x, inverse, scale)``, ``rfft(x, scale)`` and ``irfft(X, n, scale)`` have the names
and signatures of :mod:`dsp_kernels.cpu.fft`: device arrays of shape ``(batch, n)``, the input's
precision (float32 -> complex64, float64 -> complex128), and ``scale`` multiplying the
unnormalised sum.
"""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from dsp_kernels import settings
from dsp_kernels.caches import table_cache

from . import _runtime as rt

_BACKENDS = settings.CHOICES["gpu_fft"]


def set_backend(name: str) -> str:
    """Set the process's ``gpu_fft`` setting (``'auto'``, ``'cufft'`` or ``'own'``); returns the
    previous one. Prefer ``dsp.options.set(gpu_fft=...)`` or ``dsp.options.using(gpu_fft=...)``."""
    if name not in _BACKENDS:
        raise ValueError(f"backend={name!r}: use one of {_BACKENDS}")
    return settings.set_value("gpu_fft", name)


def backend() -> str:
    """The backend in force (the ``gpu_fft`` setting), with ``'auto'`` resolved."""
    chosen = settings.get("gpu_fft")
    if chosen == "auto":
        return "own" if rt.SIMULATOR else "cufft"
    if chosen == "cufft" and rt.SIMULATOR:
        raise RuntimeError("cuFFT is not available under the CUDA simulator: use the 'own' backend")
    return chosen


def _complex_of(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind == "c":
        return dt
    return np.dtype(np.complex64) if dt == np.float32 else np.dtype(np.complex128)


# ----------------------------------------------------------------------------- own kernels
@cuda.jit
def _stockham_stage(src, dst, twiddles, ns, tw_stride):
    """One radix-2 Stockham stage on every row: sub-transforms of size ``ns`` -> ``2 ns``."""
    i = cuda.grid(1)
    n = src.shape[1]
    half = n // 2
    if i >= src.shape[0] * half:
        return
    row = i // half
    j = i - row * half
    k = j % ns
    a = src[row, j]
    b = src[row, j + half] * twiddles[k * tw_stride]
    d = (j // ns) * ns * 2 + k
    dst[row, d] = a + b
    dst[row, d + ns] = a - b


@table_cache(maxsize=64, scope=rt.device_id)
def _twiddles(n: int, dtype_name: str, inverse: bool):
    sign = 1.0 if inverse else -1.0
    t = np.exp(sign * 2j * np.pi * np.arange(max(n // 2, 1)) / n)
    return rt.as_device(t.astype(dtype_name))


def _fft_pow2(x, inverse: bool):
    """Unnormalised radix-2 transform of the rows of complex ``x``; n a power of two."""
    n = x.shape[1]
    src = rt.xp().ascontiguousarray(x).copy()
    if n == 1:
        return src
    dst = rt.xp().empty_like(src)
    tw = _twiddles(n, src.dtype.name, inverse)
    blocks, threads = rt.grid_1d(src.shape[0] * (n // 2))
    ns = 1
    while ns < n:
        rt.launch(_stockham_stage, blocks, threads, src, dst, tw, ns, n // (2 * ns))
        src, dst = dst, src
        ns *= 2
    return src


@table_cache(maxsize=64, scope=rt.device_id)
def _bluestein_tables(n: int, dtype_name: str, inverse: bool):
    """Chirp ``w_j = exp(-+i pi j^2 / n)`` and the transform of its conjugate, zero-padded to m."""
    m = 1 << math.ceil(math.log2(2 * n - 1))
    j = np.arange(n)
    sign = 1.0 if inverse else -1.0
    # j^2 mod 2n keeps the phase argument small and exact for large n
    w = np.exp(sign * 1j * np.pi * ((j * j) % (2 * n)) / n)
    b = np.zeros(m, np.complex128)
    b[:n] = np.conj(w)
    b[m - n + 1 :] = np.conj(w[1:][::-1])
    xp = rt.xp()
    w_dev = rt.as_device(w.astype(dtype_name))
    b_hat = _fft_pow2(rt.as_device(b.astype(dtype_name))[None, :], inverse=False)[0]
    return m, w_dev, b_hat


def _fft_any(x, inverse: bool):
    n = x.shape[1]
    if n & (n - 1) == 0:
        return _fft_pow2(x, inverse)
    xp = rt.xp()
    m, w, b_hat = _bluestein_tables(n, x.dtype.name, inverse)
    a = xp.zeros((x.shape[0], m), dtype=x.dtype)
    a[:, :n] = x * w
    conv = _fft_pow2(_fft_pow2(a, False) * b_hat, True)
    return (conv[:, :n] / m) * w


# ----------------------------------------------------------------------------- public entries
# Same names and signatures as kernels/cpu/fft.py: ``scale`` multiplies the unnormalised sum, so
# the caller picks numpy's norm mode ('backward' inverse: scale = 1/n).
def fft(x, inverse: bool, scale: float):
    """Complex transform of every row of ``x`` (batch, n), times ``scale``."""
    xp = rt.xp()
    x = xp.ascontiguousarray(x.astype(_complex_of(x.dtype), copy=False))
    if backend() == "cufft":
        out = xp.fft.ifft(x, axis=-1, norm="forward") if inverse else xp.fft.fft(x, axis=-1)
    else:
        out = _fft_any(x, inverse)
    return out if scale == 1.0 else out * x.real.dtype.type(scale)


def rfft(x, scale: float):
    """Real transform of every row of ``x`` (batch, n) -> (batch, n//2 + 1), times ``scale``."""
    xp = rt.xp()
    x = xp.ascontiguousarray(x)
    if backend() == "cufft":
        out = xp.fft.rfft(x, axis=-1)
    else:
        n = x.shape[1]
        out = xp.ascontiguousarray(_fft_any(x.astype(_complex_of(x.dtype)), False)[:, : n // 2 + 1])
    return out if scale == 1.0 else out * x.dtype.type(scale)


def irfft(X, n: int, scale: float):
    """Inverse real transform of every row of ``X`` (batch, n//2 + 1) -> (batch, n), times scale.

    As numpy, the imaginary parts of the DC (and, for even n, Nyquist) bins are ignored.
    """
    xp = rt.xp()
    X = xp.ascontiguousarray(X)
    real = np.float32 if X.dtype == np.complex64 else np.float64
    if backend() == "cufft":
        out = xp.fft.irfft(X, n=n, axis=-1, norm="forward")
    else:
        nh = n // 2 + 1
        full = xp.zeros((X.shape[0], n), dtype=X.dtype)
        m = min(nh, X.shape[1])
        full[:, :m] = X[:, :m]
        full[:, 0] = full[:, 0].real
        if n % 2 == 0 and m > n // 2:
            full[:, n // 2] = full[:, n // 2].real
        tail = n - nh  # bins nh..n-1 mirror bins n-nh..1
        if tail > 0:
            full[:, nh:] = xp.conj(full[:, 1 : tail + 1][:, ::-1])
        out = _fft_any(full, True).real
    out = xp.ascontiguousarray(out.astype(real, copy=False))
    return out if scale == 1.0 else out * real(scale)
