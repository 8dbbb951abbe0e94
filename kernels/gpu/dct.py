"""GPU twin of :mod:`dsp_kernels.cpu.dct`: a cosine-matrix product along the middle axis."""
from __future__ import annotations

from numba import cuda

from . import _runtime as rt


@cuda.jit
def _apply(x, matrix, out):
    # one thread per output element; consecutive threads walk the contiguous `inner` axis
    t, row = cuda.grid(2)
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    if t >= inner or row >= outer * n_out:
        return
    b = row // n_out
    k = row - b * n_out
    acc = 0.0
    for j in range(n):
        acc += matrix[k, j] * x[b, j, t]
    out[b, k, t] = acc


def apply_matrix(x, matrix):
    """Transform the middle axis of ``x`` (outer, n, inner) by ``matrix`` (n_out, n), float64 sums."""
    xp = rt.xp()
    outer, n, inner = x.shape
    n_out = matrix.shape[0]
    out = xp.empty((outer, n_out, inner), dtype=x.dtype)
    if out.size:
        m = rt.as_device(matrix)
        blocks, threads = rt.grid_2d(inner, outer * n_out)
        rt.launch(_apply, blocks, threads, xp.ascontiguousarray(x), m, out)
    return out
