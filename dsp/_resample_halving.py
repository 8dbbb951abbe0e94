"""Decimation by exactly 2 by fast convolution, shared by :func:`dsp.resample` (2:1 on long
signals and clips) and the constant-Q transform's octave step (``dsp._cqt_octaves``).

The filter is the resampler's own 2:1 polyphase row (``dsp.resampling._polyphase_table(1, 2,
quality)``), so the result is the polyphase kernel's ``out[m] = gain * sum_j taps[j]
x[2m - T/2 + 1 + j]`` (``T`` taps) up to rounding. The kernel (``cqt_halve`` in
:mod:`dsp_kernels.cpu.cqt` and its GPU twin) transforms blocks of ``n_fft`` samples, folds each
spectrum onto ``n_fft / 2`` bins (decimation in frequency) times the filter's, and inverts at the
half size: ``M = n_fft / 2 - T / 2 + 1`` outputs a block. It works on groups of one block per
SIMD lane (16 float32 or 8 float64 blocks): a group costs the same however few of its lanes
hold blocks.

Which block size, and whether to use it at all, is a cost model measured on the 2-core Zen 4
machine (one thread, 500,000 outputs, both dtypes; a group's time does not depend on the taps,
which set only its outputs; ``GROUP_US``,
``DIRECT_US_PER_MAC``): the cheapest ``n_fft`` for the number of groups it needs, against the
direct polyphase sum's multiply-adds. A group's scratch is about ``8 * 64 * n_fft`` bytes (8192
no longer fits in L2). Short signals take block sizes whose few blocks fill whole groups (sizes
of 2, 3 and 5 times a power of two: a 1 s clip at 16 -> 8 kHz takes one group of 1280, 15 us of
kernel against 24 for two groups of 1024); long ones 3072 or 4096. A call of one group runs
on one thread.

Examples
--------
>>> import numpy as np
>>> from dsp._resample_halving import block_size, halve, pays
>>> x = np.random.default_rng(0).standard_normal((1, 100_000)).astype(np.float32)
>>> halve(x, "high").shape, block_size(8_000, "high", np.float32), block_size(500_000, "high", np.float32)
((1, 50000), 1280, 3072)
>>> pays(8_000, "high", np.float32), pays(1_000, "high", np.float32)
(True, False)
"""
from __future__ import annotations

import math

import numpy as np

from dsp_kernels.caches import table_cache
from dsp_kernels.shapes import halving_block_outputs

from ._backend import backend_of
from ._dispatch import kernel, kernel_for
from ._validation import check_finite, not_finite

__all__ = ["halving_filter", "block_size", "pays", "block_if_pays", "halve", "bound_halve"]

#: measured time of one group of lane blocks of the CPU kernel, by block size (us, one thread,
#: min of 3 runs of 500,000 outputs at 'high', stop 37; 8192 from stop 35; float32 and float64
#: alike within 10 %: 8 float64 lanes carry the bytes of 16 float32 ones; docs/sampling.md)
GROUP_US = {512: 5.5, 640: 7.3, 768: 8.5, 1024: 12.0, 1280: 15.3, 1536: 18.5, 2048: 24.5, 2560: 32.0,
            3072: 38.0, 4096: 52.0, 8192: 200.0}
#: measured time of the direct polyphase kernel per multiply-add with float32 (us; float64 twice)
DIRECT_US_PER_MAC = 2.0e-5
#: what the fast convolution costs per call beyond its groups, more than the direct sum's call
#: costs (us). Re-measured at stop 39 (one thread, 'high', median of 30 rounds of 50 calls of
#: each path on the same rows): both calls carry about 9 us besides their arithmetic (direct
#: 15.4 us at 1,000 float32 outputs, 2.5e-5 us a multiply-add above that), the fast one about
#: 1 us more. With it the model's crossover is 1,540 float32 outputs and 770 float64 ones,
#: where the measured one lies between 1,000 and 1,500 for float32 (fast 19.5 against direct
#: 22.8 us at 2,000; about even at 1,500) and below 1,000 for float64 (17.0 against 20.0 us).
#: Stop 35's 10 us, from before the plans' per-call typing and the set-up were taken out
#: (docs/sampling.md, stops 38-39), had put it at 3,450 and 1,750
FIXED_US = 1.0


def _best(n_out: int, n_taps: int, lanes: int, smooth: bool) -> tuple[int, float]:
    """``(n_fft, us)``: the cheapest block size for ``n_out`` outputs and its modelled time
    (powers of two only unless ``smooth``)."""
    costs = []
    for n_fft, us in GROUP_US.items():
        if not smooth and n_fft & (n_fft - 1):
            continue
        M = halving_block_outputs(n_fft, n_taps)
        if M >= n_taps // 2:  # blocks that keep at least about half of what they transform
            groups = math.ceil(math.ceil(n_out / M) / lanes)
            costs.append((groups * us, n_fft))
    us, n_fft = min(costs)
    return n_fft, us


@table_cache(maxsize=256)
def _choice(n_out: int, quality: str, lanes: int, smooth: bool = True) -> tuple[int, bool]:
    """``(n_fft, pays)`` for ``n_out`` outputs of a quality's filter with ``lanes`` SIMD lanes
    (cached: a loader's clips come in few lengths, and the model costs 2 us a call)."""
    from .resampling import _polyphase_table

    n_taps = _polyphase_table(1, 2, quality, "<f8").shape[1]
    n_fft, us = _best(max(1, n_out), n_taps, lanes, smooth)
    direct = n_out * n_taps * DIRECT_US_PER_MAC * (16 // lanes)
    return n_fft, us + FIXED_US < direct


def block_size(n_out: int, quality: str, dtype, smooth: bool = True) -> int:
    """The block length ``n_fft`` of the cheapest fast convolution for ``n_out`` outputs;
    ``smooth=False`` keeps to powers of two (see :func:`halve`)."""
    return _choice(int(n_out), quality, 64 // np.dtype(dtype).itemsize, smooth)[0]


def pays(n_out: int, quality: str, dtype) -> bool:
    """Whether the fast convolution is cheaper than the direct sum for ``n_out`` outputs."""
    return _choice(int(n_out), quality, 64 // np.dtype(dtype).itemsize)[1]


def block_if_pays(n_out: int, quality: str, dtype: np.dtype) -> int:
    """:func:`block_size` when the fast convolution :func:`pays`, else 0: both from one look-up
    (``dsp.resample``'s 2:1 asks for both on every call). ``n_out`` a Python int, ``dtype`` a
    ``numpy.dtype`` instance (``y.dtype``): the per-call conversions of the other two are left
    out."""
    n_fft, cheaper = _choice(n_out, quality, 64 // dtype.itemsize)
    return n_fft if cheaper else 0


@table_cache(maxsize=16)
def halving_filter(quality: str, gain: float, dtype_str: str, n_fft: int):
    """``(taps, fold)`` of the ``cqt_halve`` kernel for a quality and block length: the 2:1
    polyphase taps times ``gain`` and the folded filter spectra, rows ``Re a, Im a, Re b, Im b``
    of ``a_k = conj(H_k) / 2`` and ``b_k = H_{h-k} / 2`` for ``k <= h / 2``, ``h = n_fft / 2``
    (``H`` the taps' ``n_fft``-point spectrum, designed in float64; the kernel's dtype)."""
    from .fourier import fft
    from .resampling import _polyphase_table

    dtype = np.dtype(dtype_str)
    taps = _polyphase_table(1, 2, quality, "<f8")[0] * gain
    padded = np.zeros(n_fft)
    padded[:taps.size] = taps
    H = np.asarray(fft(padded))
    half = n_fft // 2
    k = np.arange(half // 2 + 1)
    a, b = np.conj(H[k]) / 2, H[half - k] / 2
    fold = np.ascontiguousarray(np.stack([a.real, a.imag, b.real, b.imag]), dtype=dtype)
    taps = taps.astype(dtype)
    for arr in (taps, fold):
        arr.flags.writeable = False
    return taps, fold


def halve(x2, quality: str, gain: float = 1.0, smooth: bool = True, n_fft: int = 0):
    """``gain`` times the 2:1 decimation of the validated, C-contiguous ``(batch, n)`` rows with
    the quality's filter: ``(batch, ceil(n / 2))``, the dtype of ``x2`` (NumPy or CuPy).

    ``smooth=False`` takes power-of-two blocks only: a caller whose lengths gain little from the
    others (the constant-Q octaves, long but few) then compiles the kernel for one plan type
    instead of two (the other cost a 60 s constant-Q transform 4 s more on a cold cache: 22.5
    against 18.7 s). ``n_fft``: the block length when the caller has it already (from
    :func:`block_if_pays`; ``smooth`` is then not consulted), else 0."""
    if not n_fft:
        n_fft = block_size((x2.shape[-1] + 1) // 2, quality, x2.dtype, smooth)
    taps, fold = halving_filter(quality, float(gain), x2.dtype.str, n_fft)
    return kernel_for("cqt_halve", x2)(x2, taps, n_fft, fold)


def bound_halve(n: int, quality: str, gain: float, n_fft: int, dtype: np.dtype):
    """:func:`halve` of rows of ``n`` samples with block length ``n_fft``, for a caller that
    makes the same call again and again (``dsp.resample``'s route for one clip length), with
    the rows' finiteness checked too: returns ``run(x2)``, which raises :class:`dsp.DSPError`
    (``y`` holds NaN or infinity) or returns the halved rows. NumPy rows go to the CPU kernel
    bound once to the filter and the geometry (``cqt_halve_bound``), which checks the row on
    its pass over it; device rows take :func:`halve` and the separate check."""
    taps, fold = halving_filter(quality, float(gain), dtype.str, n_fft)
    bound = kernel("cqt_halve_bound")(n, taps, n_fft, fold)

    def run(x2):
        if backend_of(x2) == "cpu":
            out, finite = bound(x2)
            if not finite:
                raise not_finite("y")
            return out
        check_finite(x2, "y")
        return halve(x2, quality, gain, n_fft=n_fft)

    return run
