"""Decibel conversions and magnitude/phase split, as single parallel passes over flat arrays.

Entry functions (re-exported by :mod:`dsp_kernels.cpu.spectral`; arrays already validated and
C-contiguous, any shape; results have the input's shape and real precision):

``power_to_db(S, *, ref, amin, top_db)``
    ``10 log10(max(amin, P)) - 10 log10(max(amin, ref))``, floored at ``max - top_db`` when
    ``top_db`` is not None. ``P`` is ``S`` for real input and ``|S|`` for complex input (as
    librosa). ``ref=None`` means the maximum of ``P`` (librosa's ``ref=np.max``).
``amplitude_to_db(S, *, ref, amin, top_db)``
    ``power_to_db(|S|**2, ref=ref**2, amin=amin**2, top_db)``; ``ref=None``: the maximum of ``|S|``.
``db_to_power(S_db, *, ref)``: ``ref * 10**(S_db / 10)``.
``db_to_amplitude(S_db, *, ref)``: ``|ref| * 10**(S_db / 20)`` (= ``sqrt(db_to_power(S_db, ref**2))``).
``magphase(D, power)``: ``(|D|**power, D / |D|)`` with phase 1 where ``|D| == 0``.

The arithmetic runs in float64 whatever the input, and is rounded once on store.
"""
from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from dsp_kernels.config import inner_jit, noalias_jit, pjit
from dsp_kernels.cpu.rules import abs_pow

__all__ = ["power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude", "magphase"]

# 4096 float64 scratch values stay in L1/L2 and under malloc's mmap threshold (128 KiB), so
# per-block scratch never goes through mmap and fresh page faults
_BLOCK = 4096
#: how a sample becomes a power: 0 as is (real power), 1 |x| (complex power), 2 |x|^2 (amplitude)
_AS_IS, _ABS, _SQUARE = 0, 1, 2


def _c(a):
    """C-contiguous ``a`` with its shape kept (``np.ascontiguousarray`` turns 0-d into 1-d)."""
    return a if a.flags.c_contiguous else a.copy(order="C")


def _real_of(dtype) -> np.dtype:
    return np.dtype(np.float32) if np.dtype(dtype) in (np.float32, np.complex64) else np.dtype(np.float64)


@inner_jit
def _power(x, how):
    if how == 0:
        return np.float64(x.real)
    if how == 1:
        return np.float64(abs(x))
    re = np.float64(x.real)
    im = np.float64(x.imag)
    return re * re + im * im


@pjit
def _max_power(x, how):
    n = x.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    partial = np.full(n_blocks, -np.inf)
    for blk in prange(n_blocks):
        xb = x[blk * _BLOCK:min(n, (blk + 1) * _BLOCK)]  # a view: see _to_db
        # 16 running maxima, one per lane: an element-wise maximum vectorises, a running
        # maximum in one variable does not (LLVM cannot reorder it without no-NaN math)
        lanes = np.full(16, -np.inf)
        full = xb.shape[0] // 16
        if how == 0:  # the common real power, its own loop: a per-sample branch on how stays
            for j in range(full):
                for l in range(16):
                    v = np.float64(xb[j * 16 + l].real)
                    lanes[l] = v if v > lanes[l] else lanes[l]
        else:
            for j in range(full):
                for l in range(16):
                    v = _power(xb[j * 16 + l], how)
                    lanes[l] = v if v > lanes[l] else lanes[l]
        m = -np.inf
        for i in range(full * 16, xb.shape[0]):
            v = _power(xb[i], how)
            if v > m:
                m = v
        for l in range(16):
            if lanes[l] > m:
                m = lanes[l]
        partial[blk] = m
    peak = -np.inf  # a plain loop: np.max's implementation is several more compilations
    for blk in range(n_blocks):
        if partial[blk] > peak:
            peak = partial[blk]
    return peak


_MANT = (1 << 52) - 1
_ONE = 0x3FF0000000000000  # bits of 1.0: the mantissa bits below it give m in [1, 2)
_MAGIC = 0x4330000000000000  # bits of 2**52: the low bits then hold a small integer exactly
_TWO52 = float(2 ** 52)
_LN2 = math.log(2.0)
_SQRT2 = math.sqrt(2.0)


def _log1p_coefficients(degree: int = 18) -> np.ndarray:
    """Monomial coefficients of log(1 + t) on [sqrt(1/2) - 1, sqrt(2) - 1] (Chebyshev
    interpolation; max error 8e-16 at degree 18)."""
    from numpy.polynomial import Chebyshev, Polynomial

    a, b = math.sqrt(0.5) - 1.0, math.sqrt(2.0) - 1.0
    cheb = Chebyshev.interpolate(np.log1p, degree, domain=[a, b])
    coef = np.array(cheb.convert(kind=Polynomial, domain=[-1, 1], window=[-1, 1]).coef)
    coef[0] = 0.0  # log(1) is exactly 0 (the fit leaves 7e-17): 0 dB stays exactly 0
    return coef


_LOG1P = _log1p_coefficients()


@noalias_jit
def db_of_powers(pbuf, mbuf, ebuf, ref_db, floor_db, ob):
    """``ob[i] = max(10 log10(pbuf[i]) - ref_db, floor_db)`` for the float64 powers ``pbuf``
    (already floored at ``amin``, which must be >= the smallest normal float64); ``mbuf`` and
    ``ebuf`` are float64 scratch of the same length, ``ob`` any float array of it.

    log10 is computed here rather than by libm (a scalar call per sample): the float64 bits
    of p = m 2^e are split with integer masks (through int64 views of the scratch), m is
    brought into [sqrt(1/2), sqrt(2)) and log(m) is a degree-18 polynomial in m - 1 (no
    division, so nothing stops vectorisation)."""
    c = _LOG1P
    scale = 10.0 / math.log(10.0)
    pbits = pbuf.view(np.int64)
    mbits = mbuf.view(np.int64)
    ebits = ebuf.view(np.int64)
    for i in range(pbuf.shape[0]):
        b = pbits[i]
        mbits[i] = (b & _MANT) | _ONE
        ebits[i] = (b >> 52) | _MAGIC
    for i in range(pbuf.shape[0]):
        m = mbuf[i]
        e = ebuf[i] - (_TWO52 + 1023.0)
        big = m > _SQRT2
        m = 0.5 * m if big else m
        e = e + 1.0 if big else e
        t = m - 1.0
        poly = c[18]
        for k in range(17, -1, -1):
            poly = poly * t + c[k]
        d = scale * (e * _LN2 + poly) - ref_db
        ob[i] = d if d > floor_db else floor_db


@pjit
def _to_db(x, how, amin, ref_db, floor_db, out):
    """out = max(10 log10(max(amin, P(x))) - ref_db, floor_db), in blocks that LLVM vectorises
    (:func:`db_of_powers`)."""
    n = x.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    for blk in prange(n_blocks):
        i0 = blk * _BLOCK
        size = min(n, i0 + _BLOCK) - i0
        pbuf = np.empty(size, dtype=np.float64)
        mbuf = np.empty(size, dtype=np.float64)
        ebuf = np.empty(size, dtype=np.float64)
        # the block as views: x[i0 + i] with a signed i0 keeps a negative-index fix-up in the
        # loop, which stops it vectorising (measured 3x slower)
        xb = x[i0:i0 + size]
        if how == 0:
            for i in range(size):
                pbuf[i] = max(amin, np.float64(xb[i].real))
        else:
            for i in range(size):
                pbuf[i] = max(amin, _power(xb[i], how))
        db_of_powers(pbuf, mbuf, ebuf, ref_db, floor_db, out[i0:i0 + size])


@pjit
def _to_db_libm(x, how, amin, ref_db, floor_db, out):
    n = x.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    for blk in prange(n_blocks):
        for i in range(blk * _BLOCK, min(n, (blk + 1) * _BLOCK)):
            d = 10.0 * math.log10(max(amin, _power(x[i], how))) - ref_db
            out[i] = max(d, floor_db)


def db_levels(flat, how, ref, amin, top_db):
    """``(ref_db, floor_db)`` of the dB conversion of the 1-D ``flat`` (the one rule for
    :func:`power_to_db` and the fused MFCC pass, :mod:`dsp_kernels.cpu.mfcc`): its peak power
    is found only when ``ref=None`` or ``top_db`` needs it."""
    peak = float(_max_power(flat, how)) if ref is None or top_db is not None else 0.0
    ref_power = peak if ref is None else float(ref)
    ref_db = 10.0 * math.log10(max(amin, ref_power))
    floor_db = -np.inf
    if top_db is not None:
        # log10 is monotone, so the maximum of the dB image is the image of the maximum
        floor_db = (10.0 * math.log10(max(amin, peak)) - ref_db) - top_db
    return ref_db, floor_db


def _db(S, how, ref, amin, top_db):
    flat = S.reshape(-1)
    out = np.empty(flat.shape[0], dtype=_real_of(S.dtype))
    if flat.shape[0] == 0:
        return out.reshape(S.shape)
    ref_db, floor_db = db_levels(flat, how, ref, amin, top_db)
    kernel = _to_db if amin >= np.finfo(np.float64).tiny else _to_db_libm
    kernel(flat, how, float(amin), ref_db, floor_db, out)
    return out.reshape(S.shape)


def power_to_db(S, *, ref, amin, top_db):
    """dB of a power spectrogram (see the module docstring)."""
    S = _c(S)
    how = _ABS if S.dtype.kind == "c" else _AS_IS
    return _db(S, how, ref, amin, top_db)


def amplitude_to_db(S, *, ref, amin, top_db):
    """dB of an amplitude spectrogram (see the module docstring)."""
    S = _c(S)
    ref_power = None if ref is None else float(ref) ** 2
    return _db(S, _SQUARE, ref_power, float(amin) ** 2, top_db)


#: exp(r) on |r| <= ln(2)/2: Taylor terms 1/k!, k <= 13 (truncation below 5e-18)
_EXP = np.array([1.0 / math.factorial(k) for k in range(14)])
_LN2_HI = 0.6931471803691238  # ln 2 split so that k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.9082149292705877e-10


@pjit
def _from_db(x, scale, factor, out):
    """out = factor * exp(scale * x), vectorisable: exp(y) = 2^k exp(r), k = round(y / ln 2),
    the polynomial for exp(r), and 2^k assembled from its exponent bits (an int64 view of a
    block buffer). y is clamped to [-708, 709.7]: below, the result flushes to 0 (the true value
    is under 1e-307 of ``factor``); dB values never reach the upper clamp in practice."""
    n = x.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    c = _EXP
    inv_ln2 = 1.0 / _LN2
    for blk in prange(n_blocks):
        i0 = blk * _BLOCK
        size = min(n, i0 + _BLOCK) - i0
        pbuf = np.empty(size, dtype=np.float64)
        ebuf = np.empty(size, dtype=np.float64)
        ebits = ebuf.view(np.int64)
        xb = x[i0:i0 + size]  # views: see _to_db
        ob = out[i0:i0 + size]
        for i in range(size):
            y = scale * np.float64(xb[i])
            low = y < -708.0
            y = -708.0 if low else y
            y = 709.7 if y > 709.7 else y
            k = math.floor(y * inv_ln2 + 0.5)
            r = (y - k * _LN2_HI) - k * _LN2_LO
            poly = c[13]
            for j in range(12, -1, -1):
                poly = poly * r + c[j]
            pbuf[i] = 0.0 if low else poly
            ebits[i] = (np.int64(k) + 1023) << 52
        for i in range(size):
            ob[i] = factor * (pbuf[i] * ebuf[i])


_LN10 = math.log(10.0)


def db_to_power(S_db, *, ref):
    """``ref * 10**(S_db / 10)``."""
    S_db = _c(S_db)
    out = np.empty(S_db.shape, dtype=_real_of(S_db.dtype))
    if out.size:
        _from_db(S_db.reshape(-1), 0.1 * _LN10, float(ref), out.reshape(-1))
    return out


def db_to_amplitude(S_db, *, ref):
    """``|ref| * 10**(S_db / 20)``."""
    S_db = _c(S_db)
    out = np.empty(S_db.shape, dtype=_real_of(S_db.dtype))
    if out.size:
        _from_db(S_db.reshape(-1), 0.05 * _LN10, abs(float(ref)), out.reshape(-1))
    return out


@pjit
def _magphase(D, power, mag, phase):
    n = D.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    for blk in prange(n_blocks):
        i1 = min(n, (blk + 1) * _BLOCK)
        for i in range(blk * _BLOCK, i1):
            re = np.float64(D[i].real)
            im = np.float64(D[i].imag)
            m = abs_pow(re, im, 1.0)  # |D| by the rule the GPU shares
            zero = m == 0.0
            # the divisor is never 0, so the division needs no branch and vectorises
            d = 1.0 if zero else m
            phase[i] = complex(re / d + (1.0 if zero else 0.0), im / d)
            mag[i] = m
        # |D| ** power by the same rule (a literal 2.0 folds its branches: the loop vectorises)
        if power == 2.0:
            for i in range(blk * _BLOCK, i1):
                mag[i] = abs_pow(np.float64(D[i].real), np.float64(D[i].imag), 2.0)
        elif power != 1.0:
            for i in range(blk * _BLOCK, i1):
                mag[i] = abs_pow(np.float64(D[i].real), np.float64(D[i].imag), power)


def magphase(D, power):
    """``(|D|**power, D / |D|)`` for complex ``D`` (phase 1 where ``|D| == 0``)."""
    D = _c(D)
    mag = np.empty(D.shape, dtype=_real_of(D.dtype))
    phase = np.empty(D.shape, dtype=D.dtype)
    if D.size:
        _magphase(D.reshape(-1), float(power), mag.reshape(-1), phase.reshape(-1))
    return mag, phase
