"""Plan tables in long double: twiddles, roots and chirps to the last bit of the working dtype.

:func:`_sincos_2pi` gives every table of :mod:`dsp_kernels.cpu.fft.plans` its values, and
:func:`_dft_long_double` the spectrum of a Bluestein filter of up to
:data:`LONG_DOUBLE_SPECTRUM_MAX` points. Plain NumPy, run once per plan (plans are cached).

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.fft.exact_tables import _sincos_2pi
>>> c, s = _sincos_2pi(np.arange(4), 4, np.float64)
>>> c.tolist(), s.tolist()
([1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, -1.0])
"""
from __future__ import annotations

import numpy as np


#: long double (x87 extended on x86-64 Linux: 64-bit significand) for the tables; pi to its
#: precision (np.pi is a double)
_LD = np.longdouble
_PI_LD = 4 * np.arctan(_LD(1))


def _sincos_2pi(q, N: int, dt) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of 2 pi q / N for integers q (any sign) and N >= 1, rounded to dtype dt.

    Every twiddle, root and chirp table comes from here. ``np.cos(-2 * np.pi * q / N)`` in
    float64 errs by up to 5 ulp of 1 (the angle, up to 2 pi, is itself rounded to an ulp of 4-8);
    that error went straight into every butterfly. Here q is reduced exactly, in integers, to
    the first octant (angle pi c / (2 D) <= pi/4, with the symmetries of cos and sin restoring
    the others), and the small angle is evaluated in long double, then rounded once to ``dt``:
    correctly rounded except for rare near-ties, where the error is at most 2^-11 ulp above half
    an ulp (checked against mpmath in tests/test_fft.py). Where long double is plain double
    (MSVC, Apple arm64) the octant reduction
    alone bounds the error by about 1 ulp. Exact values (0, +-1, +-sqrt(1/2) pairs) come out
    exact and conjugate symmetry (q and N - q) holds bit for bit.

    Parameters
    ----------
    q : array_like of int
        Numerators of the phase (integers, any sign).
    N : int
        Denominator of the phase, N >= 1.
    dt : numpy dtype
        Dtype of the result (float32 or float64).

    Returns
    -------
    cos, sin : ndarray
        ``cos(2 pi q / N)`` and ``sin(2 pi q / N)``, of ``q``'s shape and dtype ``dt``.
    """
    q = np.asarray(q, dtype=np.int64) % N  # angle 2 pi q / N = pi b / D, b = 2q in [0, 2D)
    D = np.int64(N)
    b = 2 * q
    sin_sign = np.where(b > D, _LD(-1), _LD(1))  # theta > pi: 2 pi - theta, sin flips
    b = np.where(b > D, 2 * D - b, b)  # theta in [0, pi]
    cos_sign = np.where(2 * b > D, _LD(-1), _LD(1))  # theta > pi/2: pi - theta, cos flips
    b = np.where(2 * b > D, D - b, b)  # theta in [0, pi/2]
    swap = 4 * b > D  # theta > pi/4: cos and sin of pi/2 - theta
    c = np.where(swap, D - 2 * b, 2 * b)  # theta = pi c / (2 D), in [0, pi/4]
    th = _PI_LD * c.astype(_LD) / (2 * _LD(D))
    ct = np.cos(th)
    st = np.sin(th)
    cos = (cos_sign * np.where(swap, st, ct)).astype(dt)
    sin = (sin_sign * np.where(swap, ct, st)).astype(dt)
    return cos, sin


#: Bluestein filters of up to this many points get their spectrum in long double (about 0.2 s of
#: planning at the limit); larger ones through our float64 transform
LONG_DOUBLE_SPECTRUM_MAX = 1 << 16


def _dft_long_double(x: np.ndarray) -> np.ndarray:
    """Forward DFT of every row of ``x`` (batch, n), in long double (plan tables only).

    Decimation in time by the smallest factor of n, vectorised over the rows with NumPy, roots
    from :func:`_sincos_2pi`. O(n log n) for the smooth sizes it serves, slow in absolute terms.

    Parameters
    ----------
    x : ndarray of clongdouble, shape (batch, n)
        The rows to transform.

    Returns
    -------
    ndarray of clongdouble, shape (batch, n)
        ``sum_j x[:, j] exp(-2 pi i jk / n)``.
    """
    B, n = x.shape
    if n == 1:
        return x.copy()
    r = next(p for p in range(2, n + 1) if n % p == 0)
    L = n // r
    # Y[:, q] = DFT_L(x[:, q::r]); X[k1 + L k2] = sum_q exp(-2 pi i q k1 / n) Y[:, q, k1] w_r^(q k2)
    Y = _dft_long_double(x.reshape(B, L, r).transpose(0, 2, 1).reshape(B * r, L)).reshape(B, r, L)
    c, s = _sincos_2pi(-(np.arange(r)[:, None] * np.arange(L)[None, :]), n, _LD)
    T = Y * (c + 1j * s)
    cr, sr = _sincos_2pi(-np.arange(r), r, _LD)
    wr = cr + 1j * sr
    out = np.empty((B, r, L), dtype=T.dtype)
    for k2 in range(r):
        acc = T[:, 0, :].copy()
        for q in range(1, r):
            acc = acc + T[:, q, :] * wr[(q * k2) % r]
        out[:, k2, :] = acc
    return out.reshape(B, n)
