"""Sample-rate conversion with a Kaiser-windowed sinc, polyphase for rational ratios.

The filter
----------
Output sample ``m`` lies at time ``m / target_sr``, i.e. at input position ``p = m * orig_sr /
target_sr``, and is ``sum_k x[k] h(p - k)`` with the low-pass

    h(tau) = rc * sinc(rc * tau) * kaiser(rc * tau / Z),

``rc = cutoff * min(1, target_sr / orig_sr)`` (cutoff relative to the input's Nyquist),
``Z`` zero crossings on each side, and the Kaiser window ``I0(beta sqrt(1 - r^2)) / I0(beta)``.
Samples outside the signal count as zero (as in ``scipy.signal.resample_poly``).

Each quality is a Kaiser design from a stopband attenuation ``A`` and a transition band that ends
exactly at the lower of the two Nyquist frequencies, so nothing above the new Nyquist aliases
back: ``beta = 0.1102 (A + 2 - 8.7)`` (2 dB of margin over Kaiser's approximation) and ``Z``
from Kaiser's length formula (rounded up to a multiple of 8, except for 'hq').

===========  =========================  =============  ===  =====  =============================
quality      passband (of lower Nyq.)   stopband from  Z    beta   measured ripple / stopband
===========  =========================  =============  ===  =====  =============================
'high'       0 - 0.90                   1.00           64   10.28  <= 7.4e-6 / <= -103 dB
'fast'       0 - 0.80                   1.00           24   8.08   <= 8.5e-5 / <= -82 dB
'hq'         0 - 0.91                   1.00           93   13.70  <= 2.4e-7 / <= -133 dB
'very_high'  0 - 0.91                   1.00           88   13.04  <= 5.6e-7 / <= -125 dB
'best'       0 - 0.95                   1.00           224  18.00  <= 2.6e-9 / <= -172 dB
===========  =========================  =============  ===  =====  =============================

'hq' is built to match soxr's HQ (librosa's default) on each of its measured figures: soxr_hq
keeps 0-0.91 of the new Nyquist within 1.0e-3 and attenuates from 1.00 on by at least 130.6 dB
(its worst tone, at 44.1 or 22.05 kHz -> 16 kHz); 'hq' keeps 0-0.91 within 2.4e-7 and attenuates
by at least 133 dB (docs/sampling.md has the measurements). It is also the only multi-stage
quality: while ``target_sr / rate <= 0.45`` (and both are integers, the rate even) it first
halves the rate with a Kaiser half-band filter (``h[0] = 1/2``, even taps zero; flat to
``target_sr / 2``, stopped from ``rate / 2 - target_sr / 2``, designed for ``A + 14`` dB and
measured within 1.1e-7 / -139 dB, so nothing folds below the new Nyquist), then runs the filter
above at the reduced rate, where it needs fewer taps. There, while ``target_sr / rate <= 0.8``
(integer rates, not a whole decimation), the filter is split in two (dsp/_resample_cascade.py):
the same windowed sinc at the integer positions of that rate, without a rate change, by fast
convolution on the CPU (about 70 flops per sample instead of 540), then a short polyphase stage
(30 taps at 22.05 kHz -> 16 kHz instead of 270) whose transition band reaches up to the sharp
stage's first image. Each stage keeps its filter's leading tail (``shift`` samples before time
zero), so the result is exactly the cascade of the linear filters on the zero-extended signal.

librosa's ``res_type`` names map onto these (``RES_TYPES``): 'soxr_vhq', 'kaiser_best',
'sinc_best', 'fft', 'scipy' -> 'best'; 'soxr_hq', 'soxr_mq', 'soxr_lq' -> 'hq' (soxr MQ and LQ
attenuate by 110 and 106 dB: deeper than 'high'); 'kaiser_fast', 'polyphase', 'sinc_medium' ->
'high'; 'soxr_qq', 'linear', 'zero_order_hold', 'sinc_fastest' -> 'fast'. Each target is at
least as flat and as deep as the named method measured (docs/sampling.md).

"Measured" is the continuous frequency response of the windowed sinc (tests/test_resampling.py;
'hq' also end to end with tones). The -6 dB point is at 0.95 ('high') and 0.90 ('fast') of the
lower Nyquist. A single stage costs ``2 Z / rc`` multiply-adds per output: 372 for 'high' at
44.1 kHz -> 16 kHz, 148 for 'fast'.

Rational ratios (both rates integers, ``up = target / g``, ``down = orig / g`` with
``g = gcd``) use a polyphase table of ``up`` rows, built once per ``(up, down, quality, dtype)``
and cached; each output is one dot product of a table row with the input (an exact 2:1 of
more than about 4,000 outputs, e.g. 44.1 -> 22.05 kHz or a 1 s clip at 16 -> 8 kHz, runs the
same filter by fast convolution: dsp/_resample_halving.py, 2.9x faster at 60 s). Other ratios, and
ratios whose table would exceed ``_MAX_TABLE`` entries, read the filter from one densely sampled
table by linear interpolation (4096 points per zero crossing): that adds an error below 1e-6 of
the peak (measured 2.5e-8 against the exact filter) and runs about 10x slower.

Against librosa.resample (soxr) and scipy.signal.resample_poly, on analytic tones and in time:
docs/sampling.md. In short: every quality but 'fast' is flatter in the passband than soxr_hq
(whose response droops by 1e-3 towards 0.91); 'hq' is also deeper in the stopband.
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from dsp_kernels.caches import table_cache

from . import _resample_cascade, _resample_halving
from ._backend import array_module
from ._dispatch import kernel_for
from ._errors import DSPError
from ._validation import (
    as_float_array, check_allocation, check_axis, check_bool, check_choice, check_finite, check_rate,
    flatten_leading,
)
from ._resample_cascade import windowed_sinc as _kernel
from .windows import bessel_i0

__all__ = ["resample"]

#: quality -> (passband edge, stopband attenuation in dB), both relative to the lower Nyquist
_QUALITIES = {"high": (0.90, 100.0), "fast": (0.80, 80.0), "very_high": (0.91, 125.0),
              "best": (0.95, 170.0), "hq": (0.91, 131.0)}
#: qualities designed after the table below was pinned: their number of zero crossings is not
#: rounded up to a multiple of 8, and ratios below _HALFBAND_BELOW start with half-band stages
_MULTISTAGE = frozenset({"hq"})
#: a half-band decimator by 2 runs first while target / rate is at most this (its transition
#: band, 0.5 - ratio of the rate wide, is then narrow enough to be cheap)
_HALFBAND_BELOW = 0.45
#: librosa's ``res_type`` names -> our quality of equal or better passband and stopband (see
#: the table in the module notes and docs/sampling.md)
RES_TYPES = {
    "soxr_vhq": "best", "soxr_hq": "hq", "soxr_mq": "hq", "soxr_lq": "hq",
    "soxr_qq": "fast", "kaiser_best": "best", "kaiser_fast": "high", "fft": "best",
    "scipy": "best", "polyphase": "high", "linear": "fast", "zero_order_hold": "fast",
    "sinc_best": "best", "sinc_medium": "high", "sinc_fastest": "fast",
}
#: largest polyphase table (rows x taps) before the interpolated table takes over
_MAX_TABLE = 1 << 21
#: points per zero crossing in the interpolated table
_DENSITY = 4096


@table_cache(maxsize=None)
def _design(quality: str):
    """``(cutoff, num_zeros, beta)`` for a quality (cutoff relative to the lower Nyquist)."""
    passband, atten = _QUALITIES[quality]
    # Kaiser's formulas are approximations that land within a fraction of a dB of the target;
    # 2 dB of margin makes the measured stopband and ripple meet the stated numbers.
    atten += 2.0
    transition = 1.0 - passband
    cutoff = passband + transition / 2.0  # the -6 dB point, midway through the transition band
    beta = 0.1102 * (atten - 8.7)
    # Kaiser: atten = 2.285 * (length in input samples) * (transition width in rad/sample) + 7.95,
    # with length 2 Z / rc and width pi * rc * transition / cutoff; rc cancels.
    num_zeros = math.ceil((atten - 7.95) * cutoff / (2.285 * 2.0 * math.pi * transition))
    if quality not in _MULTISTAGE:
        num_zeros = 8 * math.ceil(num_zeros / 8)
    return cutoff, num_zeros, beta


@table_cache(maxsize=16)
def _halfband_taps(rate: int, target: float, quality: str, dtype_str: str) -> np.ndarray:
    """Odd taps ``h[2k + 1]`` (k = 0, 1, ...) of a Kaiser half-band low-pass at ``rate``.

    ``h[0] = 1/2`` and the other even taps are zero; the response is symmetric about a quarter
    of ``rate``: flat (within the quality's attenuation) up to ``target / 2`` and stopped from
    ``rate / 2 - target / 2``, so that decimating by 2 folds nothing into ``0 .. target / 2``
    (what lands between ``target / 2`` and ``rate / 4`` the next stage removes).
    """
    # 12 dB more than the last stage: the stages' passband ripples add, and these filters are short
    atten = _QUALITIES[quality][1] + 14.0
    beta = 0.1102 * (atten - 8.7)
    width = (rate / 2.0 - target) / rate  # transition band, in cycles per input sample
    half = (atten - 7.95) / (2.285 * 2.0 * math.pi * width) / 2.0  # Kaiser's length, halved
    n = 2.0 * np.arange(math.ceil(half / 2.0) + 1) + 1.0
    r = 1.0 - (n / half) ** 2
    w = np.where(r > 0, bessel_i0(beta * np.sqrt(np.clip(r, 0.0, None))) / bessel_i0(beta), 0.0)
    taps = 0.5 * np.sinc(n / 2.0) * w
    taps = np.ascontiguousarray(taps[: int(np.count_nonzero(w))], dtype=np.dtype(dtype_str))
    taps.flags.writeable = False
    return taps


def _halfband_plan(n, rate, target_sr, quality, dtype_str):
    """The half-band decimations by 2 that run first on rows of ``n`` samples, while that is
    cheaper than one long filter: ``(stages, rate, shift)``, each stage ``(taps, lead, n1)`` (the
    halfband kernel's arguments); ``shift`` samples of the last stage's output precede the
    original time 0."""
    shift, stages = 0, []
    while (quality in _MULTISTAGE and rate.is_integer() and int(rate) % 2 == 0
           and target_sr.is_integer() and target_sr / rate <= _HALFBAND_BELOW):
        taps = _halfband_taps(int(rate), target_sr, quality, dtype_str)
        # outputs before time 0 carry the filter's leading tail (they reach back len(taps)
        # outputs); the new shift is kept even so that a further halving stays on the grid
        lead = len(taps) + (len(taps) + shift // 2) % 2
        n1 = lead + (n + 1) // 2 + len(taps) + 1
        stages.append((taps, lead, n1))
        shift, rate, n = lead + shift // 2, rate / 2.0, n1
    return stages, rate, shift


@table_cache(maxsize=32)
def _polyphase_table(up: int, down: int, quality: str, dtype_str: str) -> np.ndarray:
    """Row ``phase`` holds the taps for outputs at fractional input position ``phase / up``."""
    cutoff, num_zeros, beta = _design(quality)
    rc = cutoff * min(1.0, up / down)
    half = int(math.floor(num_zeros / rc)) + 1
    phase = np.arange(up, dtype=np.float64)[:, None] / up
    tau = phase + (half - 1 - np.arange(2 * half, dtype=np.float64))[None, :]
    table = np.ascontiguousarray(rc * _kernel(rc * tau, num_zeros, beta), dtype=np.dtype(dtype_str))
    table.flags.writeable = False
    return table


@table_cache(maxsize=4)
def _dense_table(quality: str) -> np.ndarray:
    """``h(i / density)`` for ``i = 0 .. (Z + 2) * density + 1`` (one side; h is even, zero from Z)."""
    _, num_zeros, beta = _design(quality)
    # zero-padded to Z + 2 zero crossings: the kernel reads every tap of its window unchecked
    u = np.arange((num_zeros + 2) * _DENSITY + 2, dtype=np.float64) / _DENSITY
    table = _kernel(u, num_zeros, beta)
    table.flags.writeable = False
    return table


@table_cache(maxsize=64)
def _rational(orig_sr: float, target_sr: float):
    """``(up, down)`` in lowest terms when both rates are integers, else None (cached: a loader
    asks for the same few pairs on every clip)."""
    if not (orig_sr.is_integer() and target_sr.is_integer()):
        return None
    if max(orig_sr, target_sr) > 2.0**31:  # the kernels' int64 phase arithmetic: interpolate
        return None
    a, b = int(orig_sr), int(target_sr)
    g = math.gcd(a, b)
    up, down = b // g, a // g
    return up, down


def _quality_for(quality, res_type):
    """Our quality name from ``quality`` and/or librosa's ``res_type``."""
    if res_type is None:
        return check_choice("quality", quality, tuple(_QUALITIES))
    if not isinstance(res_type, str):
        raise DSPError(f"res_type={res_type!r} must be a string such as 'soxr_hq' or 'high'")
    if res_type in _QUALITIES:
        mapped = res_type
    elif res_type in RES_TYPES:
        mapped = RES_TYPES[res_type]
    else:
        check_choice("res_type", res_type, tuple(_QUALITIES) + tuple(RES_TYPES))
    if quality not in ("high", mapped):
        raise DSPError(f"quality={quality!r} and res_type={res_type!r} (= {mapped!r}) disagree: "
                       "pass one of them")
    return mapped


def resample(y, *, orig_sr, target_sr, quality: str = "high", axis: int = -1, scale: bool = False,
             res_type: str | None = None, fix: bool = True):
    """Resample ``y`` from ``orig_sr`` to ``target_sr`` with a Kaiser-windowed sinc.

    A replacement for ``librosa.resample(y, orig_sr=..., target_sr=...)``: same keywords, same
    output length ``ceil(n * target_sr / orig_sr)``, output sample ``m`` at time
    ``m / target_sr`` (the first samples of input and output coincide). See the module notes for
    the filter and the measured passband and stopband of each quality.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n, ...)]
        Real audio, float32 or float64, finite. Any number of channels on the other axes.
    orig_sr : float > 0
        Sampling rate of ``y`` in Hz.
    target_sr : float > 0
        Wanted sampling rate in Hz. Integer rates use the exact polyphase filter; others (e.g.
        ``44100 * 1.0001``) read the same filter from an interpolated table.
    quality : {'high', 'fast', 'hq', 'very_high', 'best'}
        'high': passband to 90 % of the lower Nyquist (ripple < 1e-5), stopband >= 100 dB down.
        'fast': passband to 80 % (ripple < 1e-4), stopband >= 80 dB down, 2.5x fewer taps.
        'hq': passband to 91 % (ripple < 3e-7), stopband >= 131 dB: soxr_hq's measured figures
        or better on each; below a ratio of 0.45 a half-band stage first halves the rate, and
        below 0.8 the sharp filter runs by fast convolution before a short polyphase stage
        (cheaper than 'high' at 44.1 and 22.05 kHz -> 16 kHz; float32 input is then limited to
        about -127 dB by the FFT's rounding).
        'very_high': passband to 91 %, stopband >= 125 dB (1.4x the taps of 'high').
        'best': passband to 95 %, stopband >= 170 dB (3.4x the taps of 'high'; float32 input
        is limited to about -135 dB by its own rounding, float64 reaches the design).
    axis : int
        The time axis.
    scale : bool
        Divide the result by ``sqrt(target_sr / orig_sr)``, as librosa's ``scale=True``.
    res_type : str or None
        librosa's name for the filter, mapped onto ours of equal or better passband and stopband
        (``dsp.resampling.RES_TYPES``): 'soxr_vhq', 'kaiser_best', 'sinc_best', 'fft', 'scipy'
        -> 'best'; 'soxr_hq', 'soxr_mq', 'soxr_lq' -> 'hq'; 'kaiser_fast', 'polyphase',
        'sinc_medium' -> 'high'; 'soxr_qq', 'linear', 'zero_order_hold', 'sinc_fastest' -> 'fast'.
        Our own names are accepted too. Overrides ``quality``.
    fix : bool
        Accepted for librosa compatibility: the output always has librosa's fixed length.

    Returns
    -------
    np.ndarray [shape=(..., ceil(n * target_sr / orig_sr), ...)]
        Same dtype as ``y``. float32 input is filtered in float32 (float32 taps and accumulator:
        about 1e-6 relative error, well under the filter's own); float64 in float64. A new array
        even when the rates are equal.

    Raises
    ------
    DSPError
        Rates not positive and finite, unknown quality, empty, integer or non-finite ``y``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(44100) / 44100).astype(np.float32)
    >>> y16 = dsp.resample(y, orig_sr=44100, target_sr=16000)
    >>> y16.shape, y16.dtype
    ((16000,), dtype('float32'))
    >>> ref = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    >>> bool(np.abs(y16 - ref)[500:-500].max() < 1e-4)
    True
    >>> dsp.resample(y, orig_sr=44100, target_sr=16000, res_type='soxr_hq').shape  # librosa's name
    (16000,)
    """
    orig_sr = check_rate("orig_sr", orig_sr)
    target_sr = check_rate("target_sr", target_sr)
    quality = _quality_for(quality, res_type)
    fix = check_bool("fix", fix)
    scale = check_bool("scale", scale)
    y = as_float_array(y, finite=False)  # checked below, or by the route on its pass over y
    axis = check_axis(axis, y.ndim)
    n = y.shape[axis]
    if n < 1:
        raise DSPError(f"y has {n} samples along axis={axis}: need at least 1 to resample")
    route = _route(orig_sr, target_sr, quality, scale, n, y.dtype.str)
    if not route.checks_finite:
        check_finite(y, "y")
    check_allocation(lambda: f"orig_sr={orig_sr:g}, target_sr={target_sr:g} for {n} samples",
                     y.size // n * route.n_out, y.dtype.itemsize, what="an output signal")
    x2, lead = flatten_leading(y, axis)
    out = route.run(x2).reshape(lead + (route.n_out,))
    if axis != out.ndim - 1:
        xp = array_module(out)
        out = xp.ascontiguousarray(xp.moveaxis(out, -1, axis))
    return out


class _Route(NamedTuple):
    """How rows of one length are resampled: ``run`` takes the validated, C-contiguous
    ``(batch, n)`` rows and returns ``(batch, n_out)``, scaled as asked (NumPy or CuPy)."""

    n_out: int
    run: Callable
    #: ``run`` refuses NaN and infinity itself (on its pass over the rows), so the caller does not
    checks_finite: bool = False


@table_cache(maxsize=256)
def _route(orig_sr: float, target_sr: float, quality: str, scale: bool, n: int, dtype_str: str) -> _Route:
    """The method, its stages and their tables for rows of ``n`` samples, decided once per
    call signature (cached: a loader's clips come in few lengths, and a 1 s clip's call is
    about 28 us, docs/sampling.md, stop 39)."""
    ratio = target_sr / orig_sr
    if not math.isfinite(n * ratio) or n * ratio > 2.0**53:
        raise DSPError(f"target_sr / orig_sr = {ratio:g} would give {n * ratio:g} samples from {n}: "
                       "need a ratio whose output fits in memory")
    n_out = math.ceil(n * ratio)  # librosa's length convention
    dtype = np.dtype(dtype_str)
    gain = 1.0 / math.sqrt(ratio) if scale else 1.0
    if orig_sr == target_sr:
        return _Route(n_out, lambda x2: x2.copy())
    stages, rate, shift = _halfband_plan(n, orig_sr, target_sr, quality, dtype_str)

    def halved(x2):
        for taps, lead, n1 in stages:
            x2 = kernel_for("halfband", x2)(x2, taps, lead, n1)
        return x2

    def scaled(out2):
        return (out2 / np.sqrt(ratio)).astype(dtype, copy=False) if scale else out2

    if _resample_cascade.applies(quality in _MULTISTAGE, rate, target_sr):
        # the sharp filter by fast convolution at this rate, then a short polyphase stage
        # (dsp/_resample_cascade.py); its output starts `reach` samples early
        c = _cascade(int(rate), int(target_sr), quality, dtype_str)

        def cascade(x2):
            x2 = kernel_for("fir_full", x2)(halved(x2), c.taps, c.n_fft, c.spectrum)
            return scaled(kernel_for("polyphase", x2)(x2, c.table, c.up, c.down, n_out, shift + c.reach))

        return _Route(n_out, cascade)
    ud = _rational(rate, target_sr)
    if ud == (1, 2) and shift == 0:
        n_fft = _resample_halving.block_if_pays(n_out, quality, dtype)
        if n_fft:  # a 2:1 of a clip or longer (44.1 -> 22.05 kHz): the filter by fast convolution
            return _Route(n_out, _resample_halving.bound_halve(n, quality, gain, n_fft, dtype), True)
    cutoff, num_zeros, _ = _design(quality)
    if ud is not None:
        up, down = ud
        rc = cutoff * min(1.0, up / down)
        if up * 2 * (int(math.floor(num_zeros / rc)) + 1) <= _MAX_TABLE:
            table = _polyphase_table(up, down, quality, dtype_str)
            return _Route(n_out, lambda x2: scaled(kernel_for("polyphase", x2)(halved(x2), table, up, down,
                                                                                n_out, shift)))
    # the interpolated table, at the original rate: it reads the input from time 0, so any
    # half-band stages planned above are left out (they are planned only for integer rates,
    # which land here when their polyphase table is too large or a rate exceeds 2**31)
    rc = cutoff * min(1.0, ratio)
    table, step = _dense_table(quality), orig_sr / target_sr

    def interpolated(x2):
        return scaled(kernel_for("interpolated", x2)(x2, table, _DENSITY, num_zeros, rc, step, n_out, dtype))

    return _Route(n_out, interpolated)


def _cascade(rate, target, quality, dtype_str):
    """The 'hq' cascade's stages for integer rates (cached in dsp._resample_cascade)."""
    passband, atten = _QUALITIES[quality]
    return _resample_cascade.cascade(rate, target, (passband, atten + 2.0) + _design(quality), dtype_str)
