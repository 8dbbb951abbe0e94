"""Our CPU FFT engine: mixed-radix Stockham for smooth sizes, Bluestein for the rest.

The engine's files, from the bottom up:

- :mod:`~dsp_kernels.cpu.fft.simd`: explicit SIMD helpers (in-register transposes of a tile
  between frames and lanes);
- :mod:`~dsp_kernels.cpu.fft.passes` (with :mod:`~dsp_kernels.cpu.fft.passes_odd`, the odd
  radices): the Stockham passes, shared by the single and the blocked
  transforms;
- :mod:`~dsp_kernels.cpu.fft.plans`: plans (factorisation, twiddle tables), cached per (n, dtype);
- :mod:`~dsp_kernels.cpu.fft.transforms`: the njit API (``rfft_into``, ``fft_into``, ...);
- :mod:`~dsp_kernels.cpu.fft.block` and :mod:`~dsp_kernels.cpu.fft.inverse_block`: ``W``
  frames at once, SIMD across frames (the batched ``rfft``/``irfft`` and the STFT use them);
- :mod:`~dsp_kernels.cpu.fft.last_post`: the last radix-4 pass of a blocked real FFT fused with
  the split into the real transform's bins (plans of type ``SplitFusedPlan``);
- :mod:`~dsp_kernels.cpu.fft.streaming`: non-temporal stores of a block's lanes into rows, for
  outputs far larger than the caches (the STFT and the batched ``rfft``);
- :mod:`~dsp_kernels.cpu.fft.batched`: the batched entry functions ``fft``/``rfft``/``irfft``
  that ``dsp.fourier`` dispatches to.

This package re-exports the names callers use (``from dsp_kernels.cpu.fft import get_rfft_plan,
rfft_into``): the plans, the njit API for other kernels, and the batched entry functions. The blocked transforms and the SIMD helpers
are imported from their own modules. See ``transforms``' docstring for the contracts.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.fft import rfft
>>> X = rfft(np.ones((2, 8)), 1.0)  # (batch, n) -> (batch, n // 2 + 1), unnormalised
>>> X.shape, float(X[0, 0].real)
((2, 5), 8.0)
"""
from __future__ import annotations

from dsp_kernels.cpu.fft.batched import fft, irfft, rfft  # noqa: F401  (re-exported)
from dsp_kernels.cpu.fft.plans import (  # noqa: F401  (re-exported: see the docstring)
    CPlan,
    FFTPlan,
    RPlan,
    _sincos_2pi,
    get_fft_plan,
    get_rfft_plan,
    make_work,
)
from dsp_kernels.cpu.fft.transforms import (  # noqa: F401  (re-exported: see the docstring)
    alloc_work,
    fft_into,
    fft_scaled_into,
    irfft_into,
    irfft_scaled_into,
    rfft_into,
    rfft_scaled_into,
)

__all__ = [
    "FFTPlan", "CPlan", "RPlan", "get_fft_plan", "get_rfft_plan", "make_work", "alloc_work",
    "fft_into", "rfft_into", "irfft_into", "fft_scaled_into", "rfft_scaled_into",
    "irfft_scaled_into", "fft", "rfft", "irfft",
]
