"""GPU twin of :mod:`dsp_kernels.cpu.sampling`'s Whittaker-Shannon interpolation (``sinc_interpolate``).

The Kaiser window's I0 is :func:`dsp_kernels.rules.bessel_i0`, per tap on the device and for
I0(beta) on the host.
"""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from dsp_kernels.rules import bessel_i0

from . import _runtime as rt
from .rules import bessel_i0 as _i0


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
        i0_beta = bessel_i0(float(beta))  # the kernel's series, run as plain Python
        blocks, threads = rt.grid_2d(u.shape[0], x.shape[0])
        rt.launch(_sinc_interp, blocks, threads, xp.ascontiguousarray(x), rt.as_device(u, np.float64),
                  int(num_zeros), float(beta), 1.0 / i0_beta, out)
    return out.astype(dtype, copy=False)
