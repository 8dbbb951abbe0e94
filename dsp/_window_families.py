"""Window families: the symmetric window of every name :func:`dsp.get_window` accepts, in float64.

:func:`_symmetric` computes the symmetric window of length ``m`` for a canonical name and its
validated parameters (``dsp.windows`` parses the spec, checks the parameters, derives periodic
windows from symmetric ones and caches the tables). The families: the generalised cosine sums
(hann, hamming, blackman, ...), the triangular and polynomial ones (bartlett, triang, parzen,
bohman), tukey, exponential, gaussian, lanczos, Taylor, Dolph-Chebyshev, Kaiser and
Kaiser-Bessel-derived (through :func:`bessel_i0`, re-exported by :mod:`dsp.windows`) and DPSS.
Plain NumPy, computed once per table.
"""
from __future__ import annotations

import math

import numpy as np

# Coefficients a_k of the generalised cosine windows w[n] = sum_k (-1)^k a_k cos(2 pi k n / (M - 1)).
_COSINE_SUMS = {
    "hann": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.50, 0.08),
    "blackmanharris": (0.35875, 0.48829, 0.14128, 0.01168),
    "nuttall": (0.3635819, 0.4891775, 0.1365995, 0.0106411),
    "flattop": (0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368),
}


def bessel_i0(x) -> np.ndarray:
    """Modified Bessel function of the first kind, order 0, by its power series.

    I0(x) = sum_k ((x/2)^k / k!)^2. Every term is positive, so summing them has no cancellation
    and the relative error stays at a few ulps for any x; the series stops when the next term no
    longer changes the sum (about x + 20 terms). The series is the one both kernel twins use
    (:func:`dsp_kernels.rules.bessel_i0`), run by the CPU kernel.

    Parameters
    ----------
    x : np.ndarray or float

    Returns
    -------
    np.ndarray [shape=x.shape], float64

    Examples
    --------
    >>> from dsp.windows import bessel_i0
    >>> float(bessel_i0(0.0)), round(float(bessel_i0(1.0)), 8)
    (1.0, 1.26606588)
    """
    from ._dispatch import kernel  # numba only when a Kaiser is made

    return kernel("bessel_i0")(np.asarray(x, dtype=np.float64))


#: above this argument I0 overflows float64 (I0(713) ~ 1.7e308): work with its logarithm
_I0_LOG_FROM = 700.0


def _log_i0(x) -> np.ndarray:
    """``log(I0(x))`` for x >= 0 without overflow: the power series below ``_I0_LOG_FROM``, the
    asymptotic series ``e^x / sqrt(2 pi x) sum_k ((2k-1)!!)^2 / (k! (8x)^k)`` above it (its terms
    fall by ``(2k-1)^2 / (8kx)``: under 1e-17 after a dozen terms for x >= 700)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = x <= _I0_LOG_FROM
    out[small] = np.log(bessel_i0(x[small]))
    big = x[~small]
    term = np.ones_like(big)
    total = np.ones_like(big)
    for k in range(1, 30):
        term = term * (2 * k - 1) ** 2 / (8.0 * k * big)
        total = total + term
    out[~small] = big - 0.5 * np.log(2.0 * np.pi * big) + np.log(total)
    return out


#: a Chebyshev window whose polynomial peak cosh(big) exceeds e**this is computed scaled by it
_COSH_SCALED_FROM = 700.0


def _acosh_db(db: float) -> float:
    """``acosh(10**(db / 20))`` without overflow for huge ``db`` (acosh(y) = log(2y) there)."""
    if db / 20.0 < 150.0:
        return math.acosh(10.0 ** (db / 20.0))
    return db / 20.0 * math.log(10.0) + math.log(2.0)


def _symmetric(name: str, params: tuple, m: int) -> np.ndarray:
    """The symmetric window of length ``m >= 1`` in float64."""
    if m == 1:
        return np.ones(1)
    n = np.arange(m, dtype=np.float64)
    if name in _COSINE_SUMS or name in ("general_hamming", "general_cosine"):
        if name in _COSINE_SUMS:
            coeffs = _COSINE_SUMS[name]
        elif name == "general_hamming":
            coeffs = (params[0], 1.0 - params[0])
        else:
            coeffs = params[0]
        w = np.zeros(m)
        for k, a in enumerate(coeffs):
            w += (-1) ** k * a * np.cos(2.0 * np.pi * k * n / (m - 1))
        return w
    if name == "cosine":
        return np.sin(np.pi * (n + 0.5) / m)
    if name == "bartlett":
        return np.where(n <= (m - 1) / 2.0, 2.0 * n / (m - 1), 2.0 - 2.0 * n / (m - 1))
    if name == "triang":
        # Unlike Bartlett, the triangle does not reach zero at its ends.
        k = np.arange(1, (m + 1) // 2 + 1, dtype=np.float64)
        if m % 2 == 0:
            half = (2.0 * k - 1.0) / m
            return np.concatenate([half, half[::-1]])
        half = 2.0 * k / (m + 1.0)
        return np.concatenate([half, half[-2::-1]])
    if name == "boxcar":
        return np.ones(m)
    if name == "barthann":
        d = np.abs(n / (m - 1) - 0.5)
        return 0.62 - 0.48 * d + 0.38 * np.cos(2.0 * np.pi * d)
    if name == "bohman":
        d = np.abs(2.0 * n / (m - 1) - 1.0)
        w = (1.0 - d) * np.cos(np.pi * d) + np.sin(np.pi * d) / np.pi
        w[0] = w[-1] = 0.0  # exact zeros at the ends
        return w
    if name == "parzen":
        # Piecewise cubic (de la Vallee Poussin), with |n| measured from the centre in units of m/2.
        r = np.abs(n - (m - 1) / 2.0)
        u = r / (m / 2.0)
        return np.where(r <= (m - 1) / 4.0, 1.0 - 6.0 * u ** 2 + 6.0 * u ** 3, 2.0 * (1.0 - u) ** 3)
    if name == "lanczos":
        # sinc(2 n / (m - 1) - 1), mirrored from the right half so the result is exactly symmetric
        right = np.sinc(2.0 * np.arange(m // 2, m, dtype=np.float64) / (m - 1) - 1.0)
        if m % 2 == 0:
            return np.concatenate([right[::-1], right])
        return np.concatenate([right[:0:-1], [1.0], right[1:]])
    if name == "exponential":
        center, tau = params
        c = (m - 1) / 2.0 if center is None else center
        return np.exp(-np.abs(n - c) / tau)
    if name == "general_gaussian":
        p, sig = params
        return np.exp(-0.5 * np.abs((n - (m - 1) / 2.0) / sig) ** (2.0 * p))
    if name == "taylor":
        return _taylor(m, *params)
    if name == "chebwin":
        return _chebwin(m, params[0])
    if name == "dpss":
        return _dpss(m, params[0])
    if name == "kaiser_bessel_derived":
        # sqrt of the normalised running sum of a Kaiser window of m/2 + 1 points, mirrored
        csum = np.cumsum(_symmetric("kaiser", params, m // 2 + 1))
        half = np.sqrt(csum[:-1] / csum[-1])
        return np.concatenate([half, half[::-1]])
    if name == "gaussian":
        std = params[0]
        return np.exp(-((n - (m - 1) / 2.0) ** 2) / (2.0 * std * std))
    if name == "kaiser":
        beta = params[0]
        half = (m - 1) / 2.0
        r = np.clip(1.0 - ((n - half) / half) ** 2, 0.0, None)
        if beta > _I0_LOG_FROM:  # I0(beta) would overflow: the ratio through logarithms
            return np.exp(_log_i0(beta * np.sqrt(r)) - _log_i0(np.array(beta)))
        return bessel_i0(beta * np.sqrt(r)) / bessel_i0(beta)
    if name == "tukey":
        alpha = params[0]
        if alpha <= 0:
            return np.ones(m)
        if alpha >= 1:
            return _symmetric("hann", (), m)
        # Cosine tapers over alpha*(m-1)/2 samples at each end, flat in between (as SciPy).
        width = int(math.floor(alpha * (m - 1) / 2.0))
        w = np.ones(m)
        lo = n[: width + 1]
        hi = n[m - width - 1:]
        w[: width + 1] = 0.5 * (1.0 + np.cos(np.pi * (-1.0 + 2.0 * lo / alpha / (m - 1))))
        w[m - width - 1:] = 0.5 * (1.0 + np.cos(np.pi * (-2.0 / alpha + 1.0 + 2.0 * hi / alpha / (m - 1))))
        return w
    raise AssertionError(name)  # _parse only returns the names handled above


def _taylor(m: int, nbar: int, sll: float, norm: bool) -> np.ndarray:
    """Taylor window (radar), as SciPy defines it: ``nbar - 1`` cosine terms whose coefficients
    F_k put the first sidelobes ``sll`` dB below the main lobe; ``norm`` scales the centre to 1."""
    a = _acosh_db(sll) / math.pi
    s2 = nbar ** 2 / (a ** 2 + (nbar - 0.5) ** 2)
    k = np.arange(1, nbar, dtype=np.float64)
    fk = np.empty(nbar - 1)
    for i in range(nbar - 1):
        others = np.delete(k, i)
        num = (-1.0) ** i * np.prod(1.0 - k[i] ** 2 / s2 / (a ** 2 + (k - 0.5) ** 2))
        fk[i] = num / (2.0 * np.prod(1.0 - k[i] ** 2 / others ** 2))

    def shape(x):
        x = np.asarray(x, dtype=np.float64)
        return 1.0 + 2.0 * (fk[:, None] * np.cos(2.0 * np.pi * k[:, None] * (x - m / 2.0 + 0.5) / m)).sum(0)

    w = shape(np.arange(m, dtype=np.float64))
    return w / shape([(m - 1) / 2.0])[0] if norm else w


def _chebwin(m: int, at: float) -> np.ndarray:
    """Dolph-Chebyshev window with sidelobes ``at`` dB down, as SciPy builds it: the Chebyshev
    polynomial of order ``m - 1`` sampled on the unit circle is the window's DFT, inverted with
    our own FFT (:func:`dsp.fft`) and scaled to a peak of 1."""
    from .fourier import fft  # lazily: windows must not pull in the FFT kernels at import

    order = m - 1.0
    big = _acosh_db(abs(at))  # T_order(beta) = cosh(big): the polynomial's peak
    beta = math.cosh(big / order)
    x = beta * np.cos(np.pi * np.arange(m, dtype=np.float64) / m)
    p = np.empty(m)
    hi, lo = x > 1, x < -1
    mid = ~(hi | lo)
    if big < _COSH_SCALED_FROM:
        p[hi] = np.cosh(order * np.arccosh(x[hi]))
        p[lo] = (2 * (m % 2) - 1) * np.cosh(order * np.arccosh(-x[lo]))
        p[mid] = np.cos(order * np.arccos(x[mid]))
    else:  # cosh(big) overflows: the polynomial divided by it (the peak is rescaled to 1 below)
        def cosh_over_peak(t):
            return np.exp(t - big) * (1.0 + np.exp(-2.0 * t)) / (1.0 + math.exp(-2.0 * big))

        p[hi] = cosh_over_peak(order * np.arccosh(x[hi]))
        p[lo] = (2 * (m % 2) - 1) * cosh_over_peak(order * np.arccosh(-x[lo]))
        p[mid] = np.cos(order * np.arccos(x[mid])) * (2.0 * math.exp(-big) / (1.0 + math.exp(-2.0 * big)))
    if m % 2:
        w = np.real(fft(p))[: (m + 1) // 2]
        w = np.concatenate([w[:0:-1], w])
    else:
        w = np.real(fft(p * np.exp(1j * np.pi / m * np.arange(m))))[1 : m // 2 + 1]
        w = np.concatenate([w[::-1], w])
    return w / w.max()


def _dpss(m: int, nw: float) -> np.ndarray:
    """First discrete prolate spheroidal (Slepian) sequence, half-bandwidth ``nw / m``, as SciPy's
    ``get_window(('dpss', NW), ...)`` gives it: the eigenvector of the largest eigenvalue of the
    tridiagonal matrix that commutes with the time- and band-limiting operator, signed to have a
    positive sum, scaled to a peak of 1 (times ``m**2 / (m**2 + NW)`` for even ``m``)."""
    from scipy.linalg import eigh_tridiagonal  # linear algebra, not a signal routine

    k = np.arange(m, dtype=np.float64)
    diag = ((m - 1 - 2 * k) / 2.0) ** 2 * math.cos(2.0 * math.pi * nw / m)
    off = k[1:] * (m - k[1:]) / 2.0
    _, vec = eigh_tridiagonal(diag, off, select="i", select_range=(m - 1, m - 1))
    w = vec[:, 0]
    if w.sum() < 0:
        w = -w
    w = w / w.max()
    return w * (m * m / (m * m + nw)) if m % 2 == 0 else w
