"""GPU twins of :mod:`dsp_kernels.cpu.quantize`: same entries, same exact float64 arithmetic.

The rounding, clip and clip-count rules are the CPU's own (:mod:`dsp_kernels.rules`). No operation here has the ``a*b + c`` shape that the compiler may fuse into an FMA, so results
equal the CPU kernels bit for bit.
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from . import _runtime as rt
from .rules import clamp, mid_tread, pcm_clipped


@cuda.jit
def _quantize(a, step, out):
    i = cuda.grid(1)
    if i >= a.shape[0]:
        return
    out[i] = mid_tread(np.float64(a[i]), step)


@cuda.jit
def _to_int(y, scale, lo, hi, out, clipped):
    i = cuda.grid(1)
    if i >= y.shape[0]:
        return
    v = np.float64(y[i]) * scale
    if pcm_clipped(v, lo, hi):  # the CPU's rule: the scaled value outside [lo, hi + 1)
        cuda.atomic.add(clipped, 0, 1)
    out[i] = np.int64(clamp(mid_tread(v, 1.0), lo, hi))


@cuda.jit
def _from_int(pcm, offset, inv_scale, out):
    i = cuda.grid(1)
    if i < pcm.shape[0]:
        out[i] = (np.float64(pcm[i]) - offset) * inv_scale


def quantize(a, step):
    """Mid-tread quantisation, computed in float64, returned in ``a``'s dtype."""
    xp = rt.xp()
    flat = xp.ascontiguousarray(a).reshape(-1)
    out = xp.empty_like(flat)
    if flat.size:
        rt.launch(_quantize, *rt.grid_1d(flat.size), flat, float(step), out)
    return out.reshape(a.shape)


def to_int(y, scale, lo, hi):
    """Round ``y * scale`` (mid-tread), clip to ``[lo, hi]``; returns (int64 array, clip count).

    The count is of samples whose scaled value lay outside ``[lo, hi + 1)``, as on the CPU.
    """
    xp = rt.xp()
    flat = xp.ascontiguousarray(y).reshape(-1)
    out = xp.empty(flat.shape, np.int64)
    clipped = xp.zeros(1, np.int64)
    if flat.size:
        rt.launch(_to_int, *rt.grid_1d(flat.size), flat, float(scale), float(lo), float(hi), out, clipped)
    return out.reshape(y.shape), int(clipped[0])


def from_int(pcm, offset, scale, dtype):
    """``(pcm - offset) / scale`` in float64, returned as ``dtype``."""
    xp = rt.xp()
    flat = xp.ascontiguousarray(pcm).reshape(-1)
    out = xp.empty(flat.shape, np.float64)
    if flat.size:
        rt.launch(_from_int, *rt.grid_1d(flat.size), flat, float(offset), 1.0 / float(scale), out)
    return out.reshape(pcm.shape).astype(dtype, copy=False)
