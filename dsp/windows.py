"""Window functions, with the names and conventions of ``scipy.signal.get_window``.

A window is described by a *spec*: a name (``'hann'``), a tuple of a name and its parameters
(``('gaussian', 7.0)``, ``('tukey', 0.25)``, ``('kaiser', 8.6)``), a number (the Kaiser beta, as in
SciPy), a callable ``f(n)`` (called as librosa calls it), or an array of length ``n``.

``fftbins=True`` (the default) gives the *periodic* (DFT-even) window used for spectral analysis:
the symmetric window of length ``n + 1`` without its last sample. ``fftbins=False`` gives the
symmetric window used for filter design. A ``'_periodic'`` or ``'_symmetric'`` suffix on the name
overrides ``fftbins``, as in SciPy.

Windows are tables, built once in float64 with NumPy and cached: other modules get them through
:func:`_cached_window`, which returns a read-only array. This module parses and checks the spec
and caches the tables; the formulas of the window families live in :mod:`dsp._window_families`.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from dsp_kernels.caches import table_cache

from ._errors import DSPError
from ._window_families import _symmetric, bessel_i0  # noqa: F401  (bessel_i0 re-exported)
from ._validation import check_allocation, check_int

__all__ = ["get_window"]

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
