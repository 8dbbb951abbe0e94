"""GPU twins of :mod:`dsp_kernels.cpu.db`: decibel conversions and the magnitude/phase split.

Same entries, signatures and float64 arithmetic as the CPU kernels (re-exported by
:mod:`dsp_kernels.gpu.spectral`). ``top_db`` and ``ref=None`` need the global maximum of the power,
found by a reduction before the elementwise pass (log10 is monotone, so the dB image's maximum
is the image of the maximum).
"""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from . import _runtime as rt
from .rules import abs_pow

#: how a sample becomes a power: 0 as is (real power), 1 |x| (complex power), 2 |x|^2 (amplitude)
_AS_IS, _ABS, _SQUARE = 0, 1, 2
_LN10 = math.log(10.0)


def _real_of(dtype) -> np.dtype:
    return np.dtype(np.float32) if np.dtype(dtype) in (np.float32, np.complex64) else np.dtype(np.float64)


@cuda.jit(device=True, inline=True)
def _power(x, how):
    if how == 0:
        return np.float64(x.real)
    re = np.float64(x.real)
    im = np.float64(x.imag)
    if how == 1:
        return math.sqrt(re * re + im * im)
    return re * re + im * im


@cuda.jit
def _powers(x, how, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        out[i] = _power(x[i], how)


@cuda.jit
def _to_db(x, how, amin, ref_db, floor_db, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        d = 10.0 * math.log10(max(amin, _power(x[i], how))) - ref_db
        out[i] = max(d, floor_db)


def _peak_power(flat, how) -> float:
    if how == _AS_IS:
        return float(flat.real.max())
    xp = rt.xp()
    p = xp.empty(flat.shape[0], np.float64)
    rt.launch(_powers, *rt.grid_1d(flat.shape[0]), flat, how, p)
    return float(p.max())


def _db(S, how, ref, amin, top_db):
    xp = rt.xp()
    flat = xp.ascontiguousarray(S).reshape(-1)
    out = xp.empty(flat.shape[0], dtype=_real_of(S.dtype))
    if flat.shape[0] == 0:
        return out.reshape(S.shape)
    need_max = ref is None or top_db is not None
    peak = _peak_power(flat, how) if need_max else 0.0
    ref_power = peak if ref is None else float(ref)
    ref_db = 10.0 * math.log10(max(amin, ref_power))
    floor_db = -math.inf
    if top_db is not None:
        floor_db = (10.0 * math.log10(max(amin, peak)) - ref_db) - top_db
    rt.launch(_to_db, *rt.grid_1d(flat.shape[0]), flat, how, float(amin), ref_db, floor_db, out)
    return out.reshape(S.shape)


def power_to_db(S, *, ref, amin, top_db):
    """dB of a power spectrogram; ``|S|`` for complex input; ``ref=None`` is the maximum."""
    return _db(S, _ABS if S.dtype.kind == "c" else _AS_IS, ref, amin, top_db)


def amplitude_to_db(S, *, ref, amin, top_db):
    """``power_to_db(|S|**2, ref=ref**2, amin=amin**2, top_db)``."""
    ref_power = None if ref is None else float(ref) ** 2
    return _db(S, _SQUARE, ref_power, float(amin) ** 2, top_db)


@cuda.jit
def _from_db(x, scale, factor, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        out[i] = factor * math.exp(scale * np.float64(x[i]))


def _undb(S_db, scale, factor):
    xp = rt.xp()
    flat = xp.ascontiguousarray(S_db).reshape(-1)
    out = xp.empty(flat.shape, dtype=_real_of(S_db.dtype))
    if out.size:
        rt.launch(_from_db, *rt.grid_1d(flat.shape[0]), flat, scale, factor, out)
    return out.reshape(S_db.shape)


def db_to_power(S_db, *, ref):
    """``ref * 10**(S_db / 10)``."""
    return _undb(S_db, 0.1 * _LN10, float(ref))


def db_to_amplitude(S_db, *, ref):
    """``|ref| * 10**(S_db / 20)``."""
    return _undb(S_db, 0.05 * _LN10, abs(float(ref)))


@cuda.jit
def _magphase(D, power, mag, phase):
    i = cuda.grid(1)
    if i >= D.shape[0]:
        return
    re = np.float64(D[i].real)
    im = np.float64(D[i].imag)
    m = abs_pow(re, im, 1.0)  # |D| and |D|**power by the CPU's rule, in float64 as there
    if m == 0:
        phase[i] = 1.0
    else:
        phase[i] = complex(re / m, im / m)
    mag[i] = m if power == 1.0 else abs_pow(re, im, power)


def magphase(D, power):
    """``(|D|**power, D / |D|)`` for complex ``D`` (phase 1 where ``|D| == 0``)."""
    xp = rt.xp()
    flat = xp.ascontiguousarray(D).reshape(-1)
    mag = xp.empty(flat.shape, dtype=_real_of(D.dtype))
    phase = xp.empty(flat.shape, dtype=D.dtype)
    if flat.size:
        rt.launch(_magphase, *rt.grid_1d(flat.shape[0]), flat, float(power), mag, phase)
    return mag.reshape(D.shape), phase.reshape(D.shape)
