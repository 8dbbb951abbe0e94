"""Sampling kernels: sums of sinusoids and Whittaker-Shannon (sinc) interpolation.

Entry functions take validated, C-contiguous arrays; ``prange`` runs over the output times.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from kernels.config import jit, pjit


@pjit
def _sinusoids(t, freqs, amps, phases, out):
    two_pi = 2.0 * math.pi
    for i in prange(t.shape[0]):
        acc = 0.0
        for k in range(freqs.shape[0]):
            # Reduce f * t to one cycle before scaling by 2 pi: keeps the phase accurate at large t.
            cyc = freqs[k] * t[i]
            cyc -= math.floor(cyc)
            acc += amps[k] * math.cos(two_pi * cyc + phases[k])
        out[i] = acc


def sinusoids(t, freqs, amps, phases, dtype):
    """``sum_k amps[k] * cos(2 pi freqs[k] t + phases[k])`` at every time of ``t`` (float64)."""
    out = np.empty(t.shape[0], np.float64)
    _sinusoids(t, freqs, amps, phases, out)
    return out.astype(dtype, copy=False)


@jit
def _i0(x):
    # Power series; all terms positive, so no cancellation (see dsp.windows.bessel_i0).
    q = 0.25 * x * x
    term = 1.0
    total = 1.0
    k = 0.0
    while True:
        k += 1.0
        term *= q / (k * k)
        if term <= total * 1e-17:
            return total
        total += term


@pjit
def _sinc_interp(x, u, num_zeros, beta, out):
    # x: (channels, n); u: positions in samples. Each output sums the samples within num_zeros
    # of it, weighted by sinc(u - k) times a Kaiser window over [-num_zeros, num_zeros];
    # num_zeros <= 0 means the plain, untruncated sum over every sample.
    n = x.shape[1]
    nch = x.shape[0]
    inv_i0_beta = 1.0 / _i0(beta)
    for i in prange(u.shape[0]):
        ui = u[i]
        if num_zeros > 0:
            lo = max(0, int(math.ceil(ui - num_zeros)))
            hi = min(n - 1, int(math.floor(ui + num_zeros)))
        else:
            lo = 0
            hi = n - 1
        for c in range(nch):
            out[c, i] = 0.0
        for k in range(lo, hi + 1):
            d = ui - k
            if d == 0.0:
                h = 1.0
            else:
                # sin(pi d) from d's distance to the nearest integer: exactly zero at the other
                # samples, and accurate far from t where pi * d would lose digits.
                m = math.floor(d + 0.5)
                h = math.sin(math.pi * (d - m)) / (math.pi * d)
                if m % 2.0 != 0.0:
                    h = -h
            if num_zeros > 0:
                r = d / num_zeros
                r = 1.0 - r * r
                if r <= 0.0:
                    continue
                h *= _i0(beta * math.sqrt(r)) * inv_i0_beta
            for c in range(nch):
                out[c, i] += h * x[c, k]


def sinc_interpolate(x, u, num_zeros, beta, dtype):
    """Band-limited interpolation of the rows of ``x`` at sample positions ``u``.

    Parameters
    ----------
    x : np.ndarray [shape=(channels, n)], float32 or float64, C-contiguous
    u : np.ndarray [shape=(m,)], float64: positions in samples (``sr * (t - t0)``)
    num_zeros : int; 0 for the untruncated sum
    beta : float; Kaiser window parameter
    dtype : output dtype

    Returns
    -------
    np.ndarray [shape=(channels, m)]
    """
    out = np.empty((x.shape[0], u.shape[0]), np.float64)
    _sinc_interp(x, u, int(num_zeros), float(beta), out)
    return out.astype(dtype, copy=False)
