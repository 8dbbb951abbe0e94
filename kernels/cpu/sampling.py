"""Sampling kernels: sums of sinusoids, Whittaker-Shannon (sinc) interpolation, Bessel I0.

Entry functions take validated, C-contiguous arrays; ``prange`` runs over the output times.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from dsp_kernels.config import exact_jit, pjit
from dsp_kernels.cpu.rules import bessel_i0 as _i0


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


#: outputs per parallel work item of the sinc interpolator (scratch buffers are per item)
SINC_BLOCK = 256


@pjit
def _sinc_interp(x, u, num_zeros, beta, inv_k2, out):
    # x: (channels, n); u: positions in samples. Each output sums the samples within num_zeros
    # of it, weighted by sinc(u - k) times a Kaiser window over [-num_zeros, num_zeros];
    # num_zeros <= 0 means the plain, untruncated sum over every sample.
    nch, n = x.shape
    m = u.shape[0]
    width = 2 * num_zeros + 2 if num_zeros > 0 else n
    n_terms = inv_k2.shape[0] - 1
    q0 = 0.25 * beta * beta
    # I0(beta) by the very operations used per tap below, so the centre tap's weight is exactly 1
    # and interpolating at a sample's time returns that sample.
    i0_beta = 1.0
    t_beta = 1.0
    for k in range(1, n_terms + 1):
        t_beta *= q0 * inv_k2[k]
        i0_beta += t_beta
    nblocks = (m + SINC_BLOCK - 1) // SINC_BLOCK
    for b in prange(nblocks):
        h = np.empty(width)
        q = np.empty(width)
        term = np.empty(width)
        total = np.empty(width)
        for i in range(b * SINC_BLOCK, min(m, (b + 1) * SINC_BLOCK)):
            ui = u[i]
            if num_zeros > 0:
                lo = max(0, int(math.ceil(ui - num_zeros)))
                hi = min(n - 1, int(math.floor(ui + num_zeros)))
            else:
                lo = 0
                hi = n - 1
            cnt = hi - lo + 1
            if cnt <= 0:
                for c in range(nch):
                    out[c, i] = 0.0
                continue
            # Every tap is the same fraction away from an integer, so sin(pi d) is computed once,
            # from d's distance to the nearest integer (exact zeros at the other samples), and
            # alternates in sign from tap to tap.
            d0 = ui - lo
            m0 = math.floor(d0 + 0.5)
            s0 = math.sin(math.pi * (d0 - m0))
            if m0 % 2.0 != 0.0:
                s0 = -s0
            for j in range(cnt):
                d = d0 - j
                if d == 0.0:
                    h[j] = 1.0
                else:
                    h[j] = (s0 if j % 2 == 0 else -s0) / (math.pi * d)
            if num_zeros > 0:
                # Kaiser window I0(beta sqrt(1 - r^2)) / I0(beta) for all taps at once: a fixed
                # number of power-series terms (enough for the largest argument, beta), so the
                # loop over taps vectorises. This is the lanes form of the series in
                # dsp_kernels.rules.bessel_i0 (which the GPU twin runs per tap): a scalar call per
                # tap would stop vectorising the loop that dominates this kernel.
                for j in range(cnt):
                    r = (d0 - j) / num_zeros
                    r = 1.0 - r * r
                    q[j] = q0 * r if r > 0.0 else -1.0
                    term[j] = 1.0
                    total[j] = 1.0
                for k in range(1, n_terms + 1):
                    ck = inv_k2[k]
                    for j in range(cnt):
                        term[j] *= q[j] * ck
                        total[j] += term[j]
                for j in range(cnt):
                    h[j] = h[j] * (total[j] / i0_beta) if q[j] >= 0.0 else 0.0
            for c in range(nch):
                seg = x[c, lo:lo + cnt]  # 1-D slice: the dot product vectorises
                acc = 0.0
                for j in range(cnt):
                    acc += h[j] * seg[j]
                out[c, i] = acc


def _series_terms(beta):
    """Reciprocals 1/k^2 for the I0 terms needed at the largest argument, ``beta``."""
    q = 0.25 * beta * beta
    term = total = 1.0
    k = 0
    while True:
        k += 1
        term *= q / (k * k)
        total += term
        if term <= total * 1e-17:
            break
    k += 2
    inv = np.zeros(k + 1)
    inv[1:] = 1.0 / np.arange(1, k + 1, dtype=np.float64) ** 2
    return inv


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
    _sinc_interp(x, u, int(num_zeros), float(beta), _series_terms(float(beta)), out)
    return out.astype(dtype, copy=False)


@exact_jit
def _bessel_i0(x, out):
    # the shared series (dsp_kernels.rules.bessel_i0) without fastmath: the GPU's sums as written
    for i in range(x.shape[0]):
        out[i] = _i0(x[i])


def bessel_i0(x):
    """``I0`` of every element of the float64 array ``x`` by the series of
    :func:`dsp_kernels.rules.bessel_i0` (the GPU's too); returns a float64 array of ``x``'s shape.

    Examples
    --------
    >>> import numpy as np
    >>> from dsp_kernels.cpu.sampling import bessel_i0
    >>> bessel_i0(np.array([0.0, 1.0]))
    array([1.        , 1.26606588])
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(x.shape, np.float64)
    _bessel_i0(np.ascontiguousarray(x.reshape(-1)), out.reshape(-1))
    return out
