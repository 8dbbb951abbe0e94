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

import functools
import math
import numbers

import numpy as np

from ._errors import DSPError
from ._validation import check_int

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
    ("tukey", "tuk"): ("tukey", ("alpha",), (0.5,)),
    ("gaussian", "gauss", "gss"): ("gaussian", ("std",), None),
    ("kaiser", "ksr"): ("kaiser", ("beta",), None),
    ("general_hamming", "general hamming"): ("general_hamming", ("alpha",), None),
}
_NAMES = {alias: spec for aliases, spec in _ALIASES.items() for alias in aliases}


def bessel_i0(x) -> np.ndarray:
    """Modified Bessel function of the first kind, order 0, by its power series.

    I0(x) = sum_k ((x/2)^k / k!)^2. Every term is positive, so summing them has no cancellation
    and the relative error stays at a few ulps for any x; the loop stops when the next term no
    longer changes the sum (about x + 20 terms).

    Parameters
    ----------
    x : np.ndarray or float

    Returns
    -------
    np.ndarray [shape=x.shape], float64
    """
    x = np.asarray(x, dtype=np.float64)
    q = (0.5 * x) ** 2
    term = np.ones_like(x)
    total = np.ones_like(x)
    k = 0
    while True:
        k += 1
        term = term * q / (k * k)
        if not np.any(term > total * 1e-17):
            return total
        total = total + term


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
    if len(args) == 0 and defaults is None:
        raise DSPError(f"window={window!r}: {canon!r} needs its parameter {pnames[0]}: "
                       f"pass a tuple such as ({canon!r}, value)")
    params = []
    for pname, value in zip(pnames, args if args else defaults):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise DSPError(f"window={window!r}: {pname}={value!r} must be a real number")
        value = float(value)
        if not math.isfinite(value):
            raise DSPError(f"window={window!r}: {pname}={value} must be finite")
        params.append(value)
    if canon == "gaussian" and params[0] <= 0:
        raise DSPError(f"window={window!r}: std={params[0]} must be > 0")
    if canon == "tukey" and not 0.0 <= params[0] <= 1.0:
        raise DSPError(f"window={window!r}: alpha={params[0]} must be in [0, 1] "
                       "(0 is a boxcar, 1 a Hann window)")
    if canon == "kaiser":
        params[0] = abs(params[0])
    if canon == "general_hamming" and not 0.0 <= params[0] <= 1.0:
        raise DSPError(f"window={window!r}: alpha={params[0]} must be in [0, 1]")
    return canon, tuple(params), sym


def _symmetric(name: str, params: tuple, m: int) -> np.ndarray:
    """The symmetric window of length ``m >= 1`` in float64."""
    if m == 1:
        return np.ones(1)
    n = np.arange(m, dtype=np.float64)
    if name in _COSINE_SUMS or name == "general_hamming":
        coeffs = _COSINE_SUMS[name] if name in _COSINE_SUMS else (params[0], 1.0 - params[0])
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
    if name == "gaussian":
        std = params[0]
        return np.exp(-((n - (m - 1) / 2.0) ** 2) / (2.0 * std * std))
    if name == "kaiser":
        beta = params[0]
        half = (m - 1) / 2.0
        r = np.clip(1.0 - ((n - half) / half) ** 2, 0.0, None)
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


@functools.lru_cache(maxsize=256)
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


def get_window(window, Nx: int, *, fftbins: bool = True) -> np.ndarray:
    """A window of length ``Nx``, equal to ``scipy.signal.get_window`` for the shared names.

    Parameters
    ----------
    window : str, tuple, float, callable or array_like [shape=(Nx,)]
        - a name: ``'hann'`` (``'hanning'``, ``'han'``), ``'hamming'``, ``'blackman'``,
          ``'blackmanharris'``, ``'nuttall'``, ``'flattop'``, ``'cosine'``, ``'bartlett'``,
          ``'triang'``, ``'boxcar'`` (``'rectangular'``, ``'rect'``, ``'ones'``),
          ``'tukey'`` (alpha 0.5), with SciPy's other aliases; a ``'_periodic'`` or
          ``'_symmetric'`` suffix overrides ``fftbins``.
        - a tuple with parameters: ``('gaussian', std)`` (std > 0), ``('tukey', alpha)``
          (0 <= alpha <= 1), ``('kaiser', beta)``, ``('general_hamming', alpha)``.
        - a number: the beta of a Kaiser window, as in SciPy.
        - a callable: called as ``window(Nx)``, as librosa does (``fftbins`` is then not used);
          it must return ``Nx`` finite real values.
        - an array (or list) of length ``Nx``: returned as a float64 copy.
    Nx : int > 0
        The window's length.
    fftbins : bool
        True: periodic window (DFT-even, for spectral analysis). False: symmetric window.

    Returns
    -------
    np.ndarray [shape=(Nx,)], float64
        A new, writable array.

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
    if isinstance(Nx, (bool, np.bool_)) or not isinstance(Nx, numbers.Integral):
        raise DSPError(f"Nx={Nx!r} must be an integer")
    if Nx < 1:
        raise DSPError(f"Nx={Nx} is too small: need Nx >= 1")
    return np.array(_cached_window(window, int(Nx), fftbins, np.float64))
