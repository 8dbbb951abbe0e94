"""GPU twin of :mod:`dsp_kernels.cpu.sampling`'s Whittaker-Shannon interpolation (``sinc_interpolate``)."""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from . import _runtime as rt


@cuda.jit(device=True)
def _i0(x):
    # power series of the modified Bessel function; every term is positive (no cancellation)
    q = 0.25 * x * x
    term = 1.0
    total = 1.0
    k = 0.0
    while term > total * 1e-17:
        k += 1.0
        term *= q / (k * k)
        total += term
    return total


@cuda.jit
def _sinc_interp(x, u, num_zeros, beta, inv_i0_beta, out):
    i, c = cuda.grid(2)
    nch, n = x.shape
    if i >= u.shape[0] or c >= nch:
        return
    ui = u[i]
    lo = 0
    hi = n - 1
    if num_zeros > 0:
        lo = max(0, int(math.ceil(ui - num_zeros)))
        hi = min(n - 1, int(math.floor(ui + num_zeros)))
    acc = 0.0
    for k in range(lo, hi + 1):
        d = ui - k
        if d == 0.0:
            h = 1.0
        else:
            m = math.floor(d + 0.5)  # sin(pi d) from d's distance to the nearest integer
            h = math.sin(math.pi * (d - m)) / (math.pi * d)
            if m % 2.0 != 0.0:
                h = -h
        if num_zeros > 0:
            r = d / num_zeros
            r = 1.0 - r * r
            if r <= 0.0:
                continue
            h *= _i0(beta * math.sqrt(r)) * inv_i0_beta
        acc += h * x[c, k]
    out[c, i] = acc


def sinc_interpolate(x, u, num_zeros, beta, dtype):
    """Band-limited interpolation of the rows of ``x`` (channels, n) at sample positions ``u``."""
    xp = rt.xp()
    out = xp.empty((x.shape[0], u.shape[0]), dtype=np.float64)
    if out.size:
        i0_beta = 1.0
        q, term, k = 0.25 * beta * beta, 1.0, 0.0
        while term > i0_beta * 1e-17:  # I0(beta), same series as the kernel
            k += 1.0
            term *= q / (k * k)
            i0_beta += term
        blocks, threads = rt.grid_2d(u.shape[0], x.shape[0])
        rt.launch(_sinc_interp, blocks, threads, xp.ascontiguousarray(x), rt.as_device(u, np.float64),
                  int(num_zeros), float(beta), 1.0 / i0_beta, out)
    return out.astype(dtype, copy=False)
