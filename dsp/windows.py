"""Window functions, with the names and conventions of ``scipy.signal.get_window``.

A window is described by a *spec*: a name (``'hann'``), a tuple of a name and its parameters
(``('gaussian', 7.0)``, ``('tukey', 0.25)``, ``('kaiser', 8.6)``), a number (the Kaiser beta, as in
SciPy), a callable ``f(n)`` (called as librosa calls it), or an array of length ``n``.

``fftbins=True`` (the default) gives the *periodic* (DFT-even) window used for spectral analysis:
the symmetric window of length ``n + 1`` without its last sample. ``fftbins=False`` gives the
symmetric window used for filter design. A ``'_periodic'`` or ``'_symmetric'`` suffix on the name
overrides ``fftbins``, as in SciPy.

Windows are tables, built once in float64 with NumPy and cached: other modules get them through
:func:`_cached_window`, which returns a read-only array.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from dsp_kernels.caches import table_cache

from ._errors import DSPError
from ._validation import check_allocation, check_int

__all__ = ["get_window"]

# Coefficients a_k of the generalised cosine windows w[n] = sum_k (-1)^k a_k cos(2 pi k n / (M - 1)).
_COSINE_SUMS = {
    "hann": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.50, 0.08),
    "blackmanharris": (0.35875, 0.48829, 0.14128, 0.01168),
    "nuttall": (0.3635819, 0.4891775, 0.1365995, 0.0106411),
    "flattop": (0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368),
}

# Every accepted name -> (canonical name, parameter names, default parameters or None if required).
# The names and aliases are scipy.signal.get_window's (plus 'hanning' and 'rectangular'-style
# spellings librosa users write).
_ALIASES = {
    ("hann", "han", "hanning"): ("hann", (), ()),
    ("hamming", "hamm", "ham"): ("hamming", (), ()),
    ("blackman", "black", "blk"): ("blackman", (), ()),
    ("blackmanharris", "blackharr", "bkh"): ("blackmanharris", (), ()),
    ("nuttall", "nutl", "nut"): ("nuttall", (), ()),
    ("flattop", "flat", "flt"): ("flattop", (), ()),
    ("cosine", "halfcosine"): ("cosine", (), ()),
    ("bartlett", "bart", "brt"): ("bartlett", (), ()),
    ("triangle", "triang", "tri"): ("triang", (), ()),
    ("boxcar", "box", "ones", "rect", "rectangular"): ("boxcar", (), ()),
    ("barthann", "brthan", "bth"): ("barthann", (), ()),
    ("bohman", "bman", "bmn"): ("bohman", (), ()),
    ("parzen", "parz", "par"): ("parzen", (), ()),
    ("lanczos", "sinc"): ("lanczos", (), ()),
    ("tukey", "tuk"): ("tukey", ("alpha",), (0.5,)),
    ("exponential", "poisson"): ("exponential", ("center", "tau"), (None, 1.0)),
    ("taylor", "taylorwin"): ("taylor", ("nbar", "sll", "norm"), (4, 30.0, True)),
    ("gaussian", "gauss", "gss"): ("gaussian", ("std",), None),
    ("general_gaussian", "general gaussian", "general gauss", "general_gauss", "ggs"):
        ("general_gaussian", ("p", "sig"), None),
    ("kaiser", "ksr"): ("kaiser", ("beta",), None),
    ("kaiser_bessel_derived", "kaiser bessel derived", "kbd"): ("kaiser_bessel_derived", ("beta",), None),
    ("chebwin", "cheb"): ("chebwin", ("at",), None),
    ("dpss",): ("dpss", ("NW",), None),
    ("general_hamming", "general hamming"): ("general_hamming", ("alpha",), None),
    ("general_cosine", "general cosine"): ("general_cosine", ("a",), None),
}
_NAMES = {alias: spec for aliases, spec in _ALIASES.items() for alias in aliases}


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


def _parse(window):
    """Normalise a hashable spec to ``(name, params, sym_override)``, raising DSPError if bad.

    ``sym_override`` is None, or True/False when the name carries ``_symmetric``/``_periodic``.
    """
    if isinstance(window, (bool, np.bool_)):
        raise DSPError(f"window={window!r} is not a window: use a name such as 'hann', a tuple "
                       "such as ('gaussian', 7), a Kaiser beta, a callable or an array")
    if isinstance(window, numbers.Real):
        beta = float(window)
        if not math.isfinite(beta):
            raise DSPError(f"window={window!r}: a number is read as a Kaiser beta and must be finite")
        return "kaiser", (abs(beta),), None  # I0 is even: beta and -beta give the same window
    if isinstance(window, str):
        name, args = window, ()
    elif isinstance(window, tuple):
        if len(window) == 0 or not isinstance(window[0], str):
            raise DSPError(f"window={window!r}: a tuple must start with the window's name, "
                           "e.g. ('gaussian', 7) or ('tukey', 0.25)")
        name, args = window[0], window[1:]
    else:
        raise DSPError(f"window={window!r} is not a window: use a name such as 'hann', a tuple "
                       "such as ('gaussian', 7), a Kaiser beta, a callable or an array")
    key = name.lower()
    sym = None
    if key.endswith("_symmetric"):
        sym, key = True, key[: -len("_symmetric")]
    elif key.endswith("_periodic"):
        sym, key = False, key[: -len("_periodic")]
    if key not in _NAMES:
        accepted = ", ".join(repr(aliases[0]) for aliases in _ALIASES)
        raise DSPError(f"window={window!r}: unknown window name {name!r}; accepted: {accepted}")
    canon, pnames, defaults = _NAMES[key]
    if len(args) > len(pnames):
        raise DSPError(f"window={window!r}: {canon!r} takes {len(pnames)} parameter(s) "
                       f"({', '.join(pnames) or 'none'}), got {len(args)}")
    if defaults is None and len(args) < len(pnames):
        need = ", ".join(pnames)
        raise DSPError(f"window={window!r}: {canon!r} needs its parameter{'s' if len(pnames) > 1 else ''} "
                       f"{need}: pass a tuple such as ({canon!r}, {need})")
    values = tuple(args) + tuple(defaults[len(args):] if defaults is not None else ())
    params = [_check_param(window, canon, pname, value) for pname, value in zip(pnames, values)]
    return canon, tuple(params), sym


def _real_param(window, pname, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise DSPError(f"window={window!r}: {pname}={value!r} must be a real number")
    value = float(value)
    if not math.isfinite(value):
        raise DSPError(f"window={window!r}: {pname}={value} must be finite")
    return value


def _check_param(window, canon: str, pname: str, value):
    """One window parameter, validated and made hashable (it keys the table cache)."""
    if canon == "general_cosine":  # a = the sequence of cosine coefficients
        try:
            coeffs = [float(c) if isinstance(c, (numbers.Real, np.floating, np.integer))
                      and not isinstance(c, (bool, np.bool_)) else None for c in np.ravel(value)]
        except Exception:
            coeffs = [None]
        if not coeffs or None in coeffs or not all(math.isfinite(c) for c in coeffs):
            raise DSPError(f"window={window!r}: a={value!r} must be a non-empty sequence of finite "
                           "cosine coefficients")
        return tuple(coeffs)
    if canon == "exponential" and pname == "center" and value is None:
        return None  # the window's middle
    if canon == "taylor" and pname == "norm":
        if not isinstance(value, (bool, np.bool_)):
            raise DSPError(f"window={window!r}: norm={value!r} must be True or False")
        return bool(value)
    if canon == "taylor" and pname == "nbar":
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
            raise DSPError(f"window={window!r}: nbar={value!r} must be an integer >= 1")
        return int(value)
    value = _real_param(window, pname, value)
    if canon == "gaussian" and value <= 0:
        raise DSPError(f"window={window!r}: std={value} must be > 0")
    if canon == "tukey" and not 0.0 <= value <= 1.0:
        raise DSPError(f"window={window!r}: alpha={value} must be in [0, 1] "
                       "(0 is a boxcar, 1 a Hann window)")
    if canon == "general_hamming" and not 0.0 <= value <= 1.0:
        raise DSPError(f"window={window!r}: alpha={value} must be in [0, 1]")
    if canon == "kaiser":
        return abs(value)  # I0 is even: beta and -beta give the same window
    if (canon, pname) in (("exponential", "tau"), ("general_gaussian", "sig"), ("general_gaussian", "p")) \
            and value <= 0:
        raise DSPError(f"window={window!r}: {pname}={value} must be > 0")
    if canon == "taylor" and pname == "sll" and value < 0:
        raise DSPError(f"window={window!r}: sll={value} must be >= 0 (sidelobe level in dB below the peak)")
    return value


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


@table_cache(maxsize=256)
def _table(name: str, params: tuple, n: int, sym: bool, dtype_str: str) -> np.ndarray:
    if n == 1:
        w = np.ones(1)  # a one-sample window is [1.0], periodic or not (as SciPy)
    else:
        w = _symmetric(name, params, n) if sym else _symmetric(name, params, n + 1)[:n]
    w = np.ascontiguousarray(w, dtype=np.dtype(dtype_str))
    w.flags.writeable = False
    return w


def _is_array_spec(window) -> bool:
    return isinstance(window, (np.ndarray, list)) or (
        hasattr(window, "__array__") and not isinstance(window, (str, tuple, numbers.Number))
    )


def _cached_window(window, n: int, fftbins: bool = True, dtype=np.float64) -> np.ndarray:
    """The window as a read-only array of ``dtype``, for other modules of the toolkit.

    Named, tuple and numeric specs are validated, then looked up in an LRU cache keyed on the
    normalised spec, so repeated calls cost a dictionary lookup. Callables and arrays are not
    cacheable and are evaluated (and checked) on each call.

    Parameters
    ----------
    window : str, tuple, float, callable or array_like [shape=(n,)]
    n : int > 0
    fftbins : bool
    dtype : np.dtype
        float32 or float64 (the window is always computed in float64 first).

    Returns
    -------
    np.ndarray [shape=(n,)], read-only
    """
    n = check_int("n", n, minimum=1)
    dtype = np.dtype(dtype)
    if callable(window) and not _is_array_spec(window):
        try:
            values = window(n)
        except Exception as exc:
            raise DSPError(f"window={window!r} raised {type(exc).__name__} when called as window({n}): "
                           f"{exc}") from exc
        return _checked_array(values, n, dtype, what=f"window({n}) returned")
    if _is_array_spec(window):
        return _checked_array(window, n, dtype, what="window is an array that")
    name, params, sym = _parse(window)
    if sym is None:
        sym = not bool(fftbins)
    if name == "dpss" and n > 1 and not 0 < params[0] < n / 2.0:
        raise DSPError(f"window={window!r} with Nx={n}: NW={params[0]} must be > 0 and < Nx / 2")
    if name == "kaiser_bessel_derived" and (not sym or n % 2):
        raise DSPError(f"window={window!r} with Nx={n}, fftbins={fftbins}: a Kaiser-Bessel-derived "
                       "window is defined only as a symmetric window (fftbins=False) of even length")
    if name == "exponential" and params[0] is not None and sym:
        raise DSPError(f"window={window!r}: an exponential window with its own center={params[0]} "
                       "is periodic only: pass fftbins=True (a symmetric window is centred)")
    return _table(name, params, n, sym, dtype.str)


def _checked_array(values, n: int, dtype: np.dtype, *, what: str) -> np.ndarray:
    try:
        w = np.asarray(values)
    except Exception as exc:
        raise DSPError(f"{what} something that is not an array: {exc}") from exc
    if w.dtype.kind not in "iuf":
        raise DSPError(f"{what} has dtype {w.dtype}: need real numbers")
    if w.ndim != 1 or w.shape[0] != n:
        raise DSPError(f"{what} has shape {w.shape}: need a 1-D window of length n={n}")
    w = np.array(w, dtype=dtype, copy=True)
    if not np.isfinite(w).all():
        raise DSPError(f"{what} contains NaN or infinity: need finite values")
    w.flags.writeable = False
    return w


def get_window(window, Nx: int, fftbins: bool = True, *, xp=None, device=None):
    """A window of length ``Nx``, equal to ``scipy.signal.get_window`` for the shared names.

    Parameters
    ----------
    window : str, tuple, float, callable or array_like [shape=(Nx,)]
        - a name: ``'hann'`` (``'hanning'``, ``'han'``), ``'hamming'``, ``'blackman'``,
          ``'blackmanharris'``, ``'nuttall'``, ``'flattop'``, ``'cosine'``, ``'bartlett'``,
          ``'triang'``, ``'boxcar'`` (``'rectangular'``, ``'rect'``, ``'ones'``),
          ``'barthann'``, ``'bohman'``, ``'parzen'``, ``'lanczos'``, ``'tukey'`` (alpha 0.5),
          ``'exponential'`` (centred, tau 1), ``'taylor'`` (nbar 4, sll 30 dB), with SciPy's
          other aliases; a ``'_periodic'`` or ``'_symmetric'`` suffix overrides ``fftbins``.
        - a tuple with parameters, in SciPy's order: ``('gaussian', std)`` (std > 0),
          ``('tukey', alpha)`` (0 <= alpha <= 1), ``('kaiser', beta)``,
          ``('general_hamming', alpha)``, ``('general_cosine', [a0, a1, ...])``,
          ``('general_gaussian', p, sig)``, ``('exponential', center, tau)`` (a center other
          than None only with ``fftbins=True``), ``('taylor', nbar, sll, norm)``,
          ``('chebwin', at)`` (sidelobes ``at`` dB down), ``('dpss', NW)`` (0 < NW < Nx / 2),
          ``('kaiser_bessel_derived', beta)`` (symmetric and of even length only).
        - a number: the beta of a Kaiser window, as in SciPy.
        - a callable: called as ``window(Nx)``, as librosa does (``fftbins`` is then not used);
          it must return ``Nx`` finite real values.
        - an array (or list) of length ``Nx``: returned as a float64 copy.
    Nx : int > 0
        The window's length.
    fftbins : bool
        True: periodic window (DFT-even, for spectral analysis). False: symmetric window.
    xp : array namespace or None
        As in SciPy: the array library of the result (None: NumPy; e.g. ``cupy``).
    device : None or str
        As in SciPy: the device of the result, passed to ``xp.asarray`` (None: the default).

    Returns
    -------
    np.ndarray [shape=(Nx,)], float64
        A new, writable array (of ``xp`` when given).

    Raises
    ------
    DSPError
        Unknown name, missing or bad parameter, ``Nx < 1``, an array or a callable's result of the
        wrong length.

    Examples
    --------
    >>> import dsp
    >>> dsp.get_window('hann', 4)
    array([0. , 0.5, 1. , 0.5])
    >>> dsp.get_window(('gaussian', 1.0), 3, fftbins=False)
    array([0.60653066, 1.        , 0.60653066])
    """
    if not isinstance(fftbins, (bool, np.bool_)):
        raise DSPError(f"Parameter fftbins={fftbins!r} must be True or False")
    if xp is not None and not hasattr(xp, "asarray"):
        raise DSPError(f"xp={xp!r} must be an array namespace such as numpy or cupy")
    if isinstance(Nx, (bool, np.bool_)) or not isinstance(Nx, numbers.Integral):
        raise DSPError(f"Parameter Nx={Nx!r} must be an integer")
    if Nx < 1:
        raise DSPError(f"Parameter Nx={Nx} is too small: need Nx >= 1")
    check_allocation(f"Nx={Nx}", Nx, 8, what="a window")
    w = np.array(_cached_window(window, int(Nx), fftbins, np.float64))
    if xp is None or (xp is np and device in (None, "cpu")):
        return w
    return xp.asarray(w) if device is None else xp.asarray(w, device=device)
