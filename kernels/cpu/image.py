"""Gaussian smoothing fused with linear down-sampling along one image axis (a pyramid's reduce step).

Entry function (arrays validated by :mod:`dsp.transform`):

``smooth_resize_axis(x, taps, lo, hi, frac, axis)``
    ``x`` (n0, n1, C) float32/float64 C-contiguous; ``taps`` the (2r + 1) float64 Gaussian;
    ``lo``, ``hi`` (n_out,) int64 and ``frac`` (n_out,) float64 the linear plan along ``axis``
    (0 or 1): output sample ``o`` is ``(1 - frac[o]) * s[lo[o]] + frac[o] * s[hi[o]]``, ``s``
    the input smoothed along that axis with the half-sample symmetric border. Returns the
    resized array in ``x``'s dtype, (n_out, n1, C) or (n0, n_out, C).

Why fused: smoothing a whole level and then resizing it (scikit-image's order) writes and reads
a full-size smoothed copy per axis; here each output is one weighted sum of the input samples
its two smoothed neighbours need (a plan of indices and weights built once per call), formed in
float64 and rounded once per axis. The border is
:func:`dsp_kernels.rules.symmetric_index`, the rule the NumPy/CuPy path of ``pyramids`` reads too.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.rules import symmetric_index as _reflect  # the half-sample symmetric border

__all__ = ["smooth_resize_axis"]


@jit
def _plan(taps, lo, hi, frac, n_in):
    """Output ``o`` as ``sum_k w[o, k] * x[idx[o, k]]``: the taps around ``lo[o]`` weighted by
    ``1 - frac[o]``, then those around ``hi[o]`` weighted by ``frac[o]``, border indices folded."""
    n_taps = taps.shape[0]
    r = (n_taps - 1) // 2
    n_out = lo.shape[0]
    idx = np.empty((n_out, 2 * n_taps), dtype=np.int64)
    w = np.empty((n_out, 2 * n_taps), dtype=np.float64)
    for o in range(n_out):
        for t in range(n_taps):
            idx[o, t] = _reflect(lo[o] - r + t, n_in)
            w[o, t] = (1.0 - frac[o]) * taps[t]
            idx[o, n_taps + t] = _reflect(hi[o] - r + t, n_in)
            w[o, n_taps + t] = frac[o] * taps[t]
    return idx, w


@pjit
def _along0(x, idx, w, out):
    m = x.shape[1]
    for o in prange(out.shape[0]):
        acc = np.zeros(m, dtype=np.float64)
        for k in range(idx.shape[1]):
            wk = w[o, k]
            row = x[idx[o, k]]
            for j in range(m):
                acc[j] += wk * row[j]
        dst = out[o]
        for j in range(m):
            dst[j] = acc[j]


@pjit
def _along1(x, idx, w, out):
    c = x.shape[2]
    n_out = out.shape[1]
    for i in prange(x.shape[0]):
        src = x[i]
        dst = out[i]
        for o in range(n_out):
            for ch in range(c):
                acc = 0.0
                for k in range(idx.shape[1]):
                    acc += w[o, k] * src[idx[o, k], ch]
                dst[o, ch] = acc


def smooth_resize_axis(x, taps, lo, hi, frac, axis):
    n_out = lo.shape[0]
    idx, w = _plan(taps, lo, hi, frac, x.shape[axis])
    if axis == 0:
        out = np.empty((n_out,) + x.shape[1:], dtype=x.dtype)
        _along0(x.reshape(x.shape[0], -1), idx, w, out.reshape(n_out, -1))
    else:
        out = np.empty((x.shape[0], n_out, x.shape[2]), dtype=x.dtype)
        _along1(x, idx, w, out)
    return out
