"""GPU dB scaling: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))`` then the ``top_db`` floor.

Two passes, because ``top_db`` clips against the global maximum of the result (librosa's rule):
an elementwise kernel, a reduction (CuPy's, or NumPy's under the simulator), and a clip kernel.
"""
from __future__ import annotations

import math

from numba import cuda

from . import _runtime as rt


@cuda.jit
def _log_scale(S, amin, log_ref, out):
    i = cuda.grid(1)
    if i < S.shape[0]:
        out[i] = 10.0 * math.log10(max(amin, S[i])) - log_ref


@cuda.jit
def _floor_at(x, floor):
    i = cuda.grid(1)
    if i < x.shape[0] and x[i] < floor:
        x[i] = floor


def power_to_db(S, *, ref_value: float, amin: float, top_db):
    """dB of a real, non-negative power array ``S`` (any shape); ``ref_value`` already resolved."""
    xp = rt.xp()
    flat = xp.ascontiguousarray(S).reshape(-1)
    out = xp.empty_like(flat)
    if flat.size:
        log_ref = 10.0 * math.log10(max(amin, abs(float(ref_value))))
        grid = rt.grid_1d(flat.size)
        rt.launch(_log_scale, *grid, flat, float(amin), log_ref, out)
        if top_db is not None:
            rt.launch(_floor_at, *grid, out, float(out.max()) - float(top_db))
    return out.reshape(S.shape)
