"""The sharp + short cascade of :func:`dsp.resample`'s 'hq' quality (design only; the kernels
are ``fir_full`` and ``polyphase`` of :mod:`dsp_kernels.cpu.resample_fft` /
:mod:`dsp_kernels.cpu.resample` and their GPU twins).

Why two stages
--------------
A direct polyphase filter with soxr HQ's transition band (0.91 to 1.0 of the new Nyquist)
costs ``2 Z / rc`` multiply-adds per output: 270 at 22.05 kHz -> 16 kHz. Its length is set by
the narrow transition band, and fast convolution makes a long filter cheap, but only at one
rate. So the work is split:

1. **sharp**: the quality's own windowed sinc (``dsp.resampling._design``: passband, stopband,
   ``Z``, ``beta``) sampled at the integer positions of the rate ``R`` it meets (after any
   half-band stages), ``h[d] = rc sinc(rc d) kaiser(rc d / Z)``, ``rc = cutoff * target / R``,
   applied at ``R`` without a rate change (full convolution, tails kept), by FFT on the CPU:
   about 70 flops per sample at 22.05 kHz against 540 direct. It leaves nothing between the
   new Nyquist and ``R - target / 2`` (the first image of what it keeps).
2. **short**: a polyphase stage ``R -> target`` that only has to keep the passband
   (``passband * target / 2``) flat and to stop the images from ``R - target / 2`` on. Its
   transition band is then wide (7.28 to 14.05 kHz at 22.05 kHz -> 16 kHz) and the filter
   short: 30 taps per output instead of 270. What lies between is the sharp stage's stopband
   already.

The cascade's response is the product of the two: the passband ripples add (each designed for
at least the quality's attenuation, so within 3e-7 for 'hq'), the stopband is the sharp
stage's from 1.0 of the new Nyquist up to ``R - target / 2`` and the short stage's beyond
(designed for ``SHORT_EXTRA`` dB more than the quality). It runs while ``target / R`` is at
most ``SHARP_BELOW``: nearer 1 the short stage's transition band narrows and it stops paying.

Examples
--------
>>> from dsp._resample_cascade import applies, cascade
>>> from dsp.resampling import _cascade
>>> applies(True, 22050.0, 16000.0), applies(True, 32000.0, 16000.0)  # 2:1 stays one stage
(True, False)
>>> c = _cascade(22050, 16000, "hq", "<f4")
>>> len(c.taps), c.reach, c.n_fft, c.table.shape, (c.up, c.down)
(269, 134, 2048, (320, 32), (320, 441))
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from dsp_kernels.caches import table_cache

from .windows import bessel_i0

__all__ = ["Cascade", "applies", "cascade", "short_filter", "windowed_sinc"]

#: the cascade runs while target / rate is at most this (the short stage's transition band,
#: ``rate - target (1 + passband) / 2`` wide, is then at least 8x the sharp stage's)
SHARP_BELOW = 0.8
#: the short stage's attenuation over the quality's, at least, in dB: it is short, so the margin
#: is cheap, and it keeps the cascade's passband ripple near the sharp stage's alone
SHORT_EXTRA = 9.0
#: the short stage's taps are a multiple of this (the CPU kernels pad rows to 16 float32 taps)
SHORT_TAP_MULTIPLE = 16


def windowed_sinc(u, num_zeros, beta):
    """The windowed sinc ``sinc(u) * kaiser(u / Z)`` (in zero crossings), zero for ``|u| >= Z``.

    >>> import numpy as np
    >>> windowed_sinc(np.array([0.0, 1.0, 3.0]), 3, 8.0).round(6)
    array([1., 0., 0.])
    """
    r = 1.0 - (u / num_zeros) ** 2
    w = np.where(r > 0, bessel_i0(beta * np.sqrt(np.clip(r, 0.0, None))) / bessel_i0(beta), 0.0)
    return np.sinc(u) * w


class Cascade(NamedTuple):
    """The two stages for one ``(rate, target, quality, dtype)`` (built by :func:`cascade`).

    >>> from dsp.resampling import _cascade
    >>> _cascade(24000, 16000, "hq", "<f8").table.shape  # up = 2, down = 3
    (2, 32)
    """

    #: the sharp stage's taps (odd count ``2 reach + 1``, symmetric), in the signal's dtype
    taps: np.ndarray
    #: samples of its output before the input's first one (its delay)
    reach: int
    #: block length of the CPU's fast convolution, and ``conj`` of the taps' spectrum there
    n_fft: int
    spectrum: np.ndarray
    #: the short stage's polyphase table (up, taps) and ratio
    table: np.ndarray
    up: int
    down: int


def short_filter(rate, target, passband, atten):
    """``(rc, num_zeros, beta)`` of the short stage: flat to ``passband * target / 2``, at least
    ``atten`` dB down from ``rate - target / 2``; ``rc`` relative to ``rate / 2``.

    Its length is rounded up to a multiple of ``SHORT_TAP_MULTIPLE`` taps and the attenuation
    raised to what that length affords: the CPU kernel pads its taps to 16 anyway, and the
    flatter the short stage, the nearer the cascade's passband is to the sharp stage's alone
    (at 96 kHz -> 16 kHz, after two half-band stages, 9 dB of margin measured 3.2e-7 at 0.91,
    against soxr HQ's 2.6e-7 there; the free taps, 170 dB at 24 kHz, give 2.5e-7, as the
    single stage did).

    >>> rc, zeros, beta = short_filter(22050.0, 16000.0, 0.91, 142.0)
    >>> round(rc, 4), 2 * (int(zeros / rc) + 1), round(beta / 0.1102 + 8.7, 1)  # rc, taps, dB
    (0.9673, 32, 144.6)
    """
    lo, hi = passband * target / 2.0, rate - target / 2.0
    rc = (lo + hi) / rate  # the -6 dB point, midway, relative to the input's Nyquist
    width = (hi - lo) / rate  # cycles per input sample
    # Kaiser: atten = 7.95 + 2.285 * (2 half) * (2 pi width); taps = 2 (floor(half) + 1)
    per_sample = 2.285 * 2.0 * math.pi * width * 2.0
    half = (atten - 7.95) / per_sample
    taps = SHORT_TAP_MULTIPLE * math.ceil(2 * (math.floor(half) + 1) / SHORT_TAP_MULTIPLE)
    # taps / 2 - 0.5 keeps floor(half) + 1 = taps / 2 (half a sample clear of rounding)
    half = max(half, taps / 2 - 0.5)
    atten = 7.95 + per_sample * half
    beta = 0.1102 * (atten - 8.7)
    return rc, rc * half, beta


@table_cache(maxsize=16)
def cascade(rate: int, target: int, quality_design: tuple, dtype_str: str):
    """The :class:`Cascade` for integer rates with ``target / rate <= SHARP_BELOW``.

    ``quality_design`` is ``(passband, atten, cutoff, num_zeros, beta)`` of the quality (its
    attenuation with the 2 dB of design margin included).

    >>> from dsp.resampling import _design
    >>> c = cascade(22050, 16000, (0.91, 133.0) + _design("hq"), "<f8")
    >>> bool(abs(c.taps.sum() - 1) < 1e-6), c.spectrum.shape  # unit DC gain; n_fft // 2 + 1 bins
    (True, (1025,))
    """
    from .fourier import rfft

    passband, atten, cutoff, num_zeros, beta = quality_design
    dtype = np.dtype(dtype_str)
    rc = cutoff * target / rate
    reach = int(math.floor(num_zeros / rc))
    d = np.arange(-reach, reach + 1, dtype=np.float64)
    sharp = rc * windowed_sinc(rc * d, num_zeros, beta)
    # blocks of 6 to 12 filter lengths (2048 points for 269 taps): the overlap wastes a sixth
    # at most, longer blocks cost more per sample in the FFT's log factor, and a short signal
    # (a group of 16 float32 blocks at a time) wastes less of its last group
    n_fft = max(512, 1 << int(math.ceil(math.log2(6 * sharp.size))))
    padded = np.zeros(n_fft)
    padded[:sharp.size] = sharp
    spectrum = np.conj(np.asarray(rfft(padded)))
    g = math.gcd(rate, target)
    up, down = target // g, rate // g
    rc2, zeros2, beta2 = short_filter(float(rate), float(target), passband, atten + SHORT_EXTRA)
    half = int(math.floor(zeros2 / rc2)) + 1
    phase = np.arange(up, dtype=np.float64)[:, None] / up
    tau = phase + (half - 1 - np.arange(2 * half, dtype=np.float64))[None, :]
    table = rc2 * windowed_sinc(rc2 * tau, zeros2, beta2)
    out = Cascade(np.ascontiguousarray(sharp, dtype=dtype), reach, n_fft,
                  spectrum.astype(np.complex64 if dtype == np.float32 else np.complex128),
                  np.ascontiguousarray(table, dtype=dtype), up, down)
    for a in (out.taps, out.spectrum, out.table):
        a.flags.writeable = False
    return out


def applies(quality_multistage, rate, target):
    """Whether the cascade runs for this rate: integer rates, ``target / rate <= SHARP_BELOW``,
    and not a whole decimation ``rate = k * target`` (2:1 stays the single-row polyphase filter,
    run by fast convolution on long signals: ``dsp._resample_halving``; 44.1 and 48 kHz -> 16 kHz
    reach 22.05 and 24 kHz first).

    >>> applies(True, 22050.0, 16000.0), applies(True, 17000.0, 16000.0), applies(False, 22050.0, 16000.0)
    (True, False, False)
    """
    if not (quality_multistage and float(rate).is_integer() and float(target).is_integer()
            and target / rate <= SHARP_BELOW and max(rate, target) <= 2.0**31):
        return False
    return int(rate) % int(target) != 0
