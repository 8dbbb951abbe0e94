"""Sampling: sampling a continuous signal, the Nyquist rate, aliasing, and sinc reconstruction."""
from __future__ import annotations

import math
import numbers

import numpy as np

from ._backend import array_module
from ._dispatch import kernel, kernel_for
from ._errors import DSPError
from ._validation import (
    as_float_array, check_allocation, check_axis, check_dtype, check_float, check_int, flatten_leading,
)

__all__ = ["sample", "nyquist_rate", "alias_frequency", "sinc_interpolate"]


def _real_values(values, name, keep=False):
    # Frequencies and times are not audio: integers are accepted here (as float64). ``keep``:
    # return the input's precision (float16 -> float32), as results are; else float64.
    xp = array_module(values)
    try:
        arr = xp.asarray(values)
    except Exception as exc:  # ragged lists and the like
        raise DSPError(f"{name} could not be converted to an array: {exc}") from exc
    if arr.dtype.kind in "iu":
        arr = arr.astype(xp.float64)
    arr = as_float_array(arr, name=name)
    return arr if keep else arr.astype(xp.float64, copy=False)


#: the largest ``num_zeros`` of :func:`sinc_interpolate` (``None`` sums over all samples)
MAX_NUM_ZEROS = 2**24
#: the largest Kaiser ``beta`` of :func:`sinc_interpolate`: I0(beta) must stay finite in float64
MAX_BETA = 700.0


def _n_samples(duration: float, sr: float) -> int:
    # floor(duration * sr), forgiving the rounding of products such as 2.3 * 100 = 229.99999999999997
    x = duration * sr
    nearest = round(x)
    if abs(x - nearest) <= 1e-9 * max(1.0, abs(x)):
        return int(nearest)
    return int(math.floor(x))


def sample(f, duration: float, sr: float, t0: float = 0.0, *, dtype=np.float64):
    """Sample a continuous-time signal at ``sr`` samples per second.

    The times are ``t[k] = t0 + k / sr`` for ``k = 0 .. n - 1`` with ``n = floor(duration * sr)``
    (a product within 1e-9 of an integer counts as that integer), i.e. the interval
    ``[t0, t0 + duration)``.

    Parameters
    ----------
    f : callable or sequence of (frequency, amplitude, phase)
        A callable is evaluated once on the array of times, ``f(t)``, and must return an array of
        shape ``(..., n)`` (leading axes are channels) or a scalar. A sequence of tuples describes
        a sum of sinusoids ``sum_k A_k cos(2 pi f_k t + phi_k)`` (frequency in Hz, phase in
        radians; a 2-tuple means phase 0). Tones above ``sr / 2`` are allowed: they alias
        (see :func:`alias_frequency`).
    duration : float > 0
        Seconds.
    sr : float > 0
        Sampling rate in Hz.
    t0 : float
        Time of the first sample, in seconds.
    dtype : np.float32 or np.float64
        dtype of the samples (the times are always float64).

    Returns
    -------
    t : np.ndarray [shape=(n,)], float64
        The sampling times.
    x : np.ndarray [shape=(..., n)]
        The samples.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> t, x = dsp.sample([(1.0, 2.0, 0.0)], duration=1.0, sr=4)
    >>> t, x.round(12)
    (array([0.  , 0.25, 0.5 , 0.75]), array([ 2.,  0., -2., -0.]))
    >>> t, x = dsp.sample(lambda t: np.sin(2 * np.pi * 5 * t), 0.5, 100)
    >>> x.shape
    (50,)
    """
    duration = check_float("duration", duration, minimum=0.0, strict_minimum=True)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    t0 = check_float("t0", t0)
    dtype = check_dtype("dtype", dtype, (np.float32, np.float64))
    n = _n_samples(duration, sr)
    if n < 1:
        raise DSPError(f"duration={duration} at sr={sr} gives {n} samples: need duration >= 1 / sr")
    check_allocation(f"duration={duration:g} at sr={sr:g}", 2 * n, 8, what="times and samples")
    t = t0 + np.arange(n, dtype=np.float64) / sr
    if callable(f):
        try:
            values = f(t)
        except Exception as exc:
            raise DSPError(f"f raised {type(exc).__name__} when called on the times: {exc}") from exc
        x = as_float_array(values, name="f(t)", min_ndim=0)
        if x.ndim == 0:
            x = np.full(n, x, dtype=x.dtype)
        if x.shape[-1] != n:
            raise DSPError(f"f(t) returned shape {x.shape}: need (..., {n}), one value per time")
        return t, x.astype(dtype, copy=False)
    freqs, amps, phases = _parse_tones(f)
    return t, kernel("sinusoids")(t, freqs, amps, phases, dtype)


def _parse_tones(tones):
    if isinstance(tones, (str, bytes)) or not hasattr(tones, "__iter__"):
        raise DSPError(f"f={tones!r} must be a callable or a sequence of (frequency, amplitude, "
                       "phase) tuples")
    tones = list(tones)
    if not tones:
        raise DSPError("f=[] has no sinusoids: give at least one (frequency, amplitude, phase)")
    rows = []
    for i, tone in enumerate(tones):
        try:
            items = tuple(tone)
        except TypeError:
            items = None
        if items is None or len(items) not in (2, 3):
            raise DSPError(f"f[{i}]={tone!r} must be a (frequency, amplitude, phase) or "
                           "(frequency, amplitude) tuple")
        names = ("frequency", "amplitude", "phase")
        rows.append([check_float(f"f[{i}] {names[j]}", v) for j, v in enumerate(items)]
                    + ([0.0] if len(items) == 2 else []))
    arr = np.array(rows, dtype=np.float64)
    return np.ascontiguousarray(arr[:, 0]), np.ascontiguousarray(arr[:, 1]), np.ascontiguousarray(arr[:, 2])


def nyquist_rate(f_max):
    """The Nyquist rate ``2 * f_max``: the least sampling rate that represents a signal whose
    spectrum lies below ``f_max`` Hz (sample strictly faster for a tone at exactly ``f_max``).

    Parameters
    ----------
    f_max : float >= 0 or array_like
        Highest frequency in Hz.

    Returns
    -------
    float or np.ndarray

    Examples
    --------
    >>> import dsp
    >>> dsp.nyquist_rate(20000)
    40000.0
    """
    if np.ndim(f_max) == 0:
        return 2.0 * check_float("f_max", f_max, minimum=0.0)
    f = _real_values(f_max, "f_max", keep=True)  # float32 stays float32
    if (f < 0).any():
        raise DSPError(f"f_max has negative values (min {float(f.min())}): need f_max >= 0")
    return 2.0 * f


def alias_frequency(f, sr):
    """The frequency at which a tone at ``f`` Hz appears after sampling at ``sr`` Hz.

    Sampling cannot tell ``f`` from ``f + k sr`` (any integer ``k``) nor from ``-f``, so a tone
    folds into the baseband ``[0, sr / 2]``: ``r = f mod sr``, then ``min(r, sr - r)``. This
    covers any number of Nyquist zones and negative frequencies: 700 Hz at sr = 1000 Hz appears at
    300 Hz, and so do 1300, 1700, -300 and -700 Hz.

    Parameters
    ----------
    f : float or array_like
        Frequencies in Hz (any sign).
    sr : float > 0
        Sampling rate in Hz.

    Returns
    -------
    float or np.ndarray [shape=f.shape]
        Apparent frequencies in ``[0, sr / 2]``.

    Examples
    --------
    >>> import dsp
    >>> dsp.alias_frequency(700, 1000)
    300.0
    >>> dsp.alias_frequency([100, 1300, 2600, -700], 1000)
    array([100., 300., 400., 300.])
    """
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    scalar = np.ndim(f) == 0
    if scalar:
        f = np.array([check_float("f", f)])
    else:
        f = _real_values(f, "f", keep=True)
    r = np.mod(f.astype(np.float64), sr)  # folded in float64, returned in f's precision
    out = np.minimum(r, sr - r)
    return float(out[0]) if scalar else out.astype(f.dtype, copy=False)


def sinc_interpolate(x, sr: float, t, *, t0: float = 0.0, num_zeros: int | None = 32,
                     beta: float = 10.0, axis: int = -1):
    """Whittaker-Shannon reconstruction of a band-limited signal at arbitrary times.

    ``x(t) = sum_k x[k] sinc(sr (t - t0) - k)`` with ``sinc(u) = sin(pi u) / (pi u)``, where
    ``x[k]`` was sampled at ``t0 + k / sr``. Samples outside the record count as zero.

    Truncation: the full sum decays only like 1/distance, so by default each output uses the
    ``num_zeros`` samples on each side of it, the sinc tapered by a Kaiser window of shape
    ``beta`` that reaches zero at ``+-num_zeros`` samples (a windowed-sinc interpolator). Measured
    on sums of tones, at times at least ``num_zeros`` samples from either end of the record, the
    peak error relative to the signal's peak is:

    ============  ========  ======================  ======================
    num_zeros     beta      content < 0.4 sr        content < 0.45 sr
    ============  ========  ======================  ======================
    16            10        -104 dB                 -40 dB
    32 (default)  10        -110 dB                 -110 dB
    64            14        -149 dB                 -150 dB
    ============  ========  ======================  ======================

    The interpolator's passband ends before ``sr / 2``: content close to Nyquist needs a larger
    ``num_zeros``. Within ``num_zeros`` samples of the ends the missing samples (zeros) make the
    error grow. ``num_zeros=None`` computes the untruncated, unwindowed sum over all samples
    (exact for a signal that really is zero outside the record; cost ``O(n)`` per output).
    ``beta=0`` gives a plainly truncated sinc. At a sample's own time the result is that sample,
    exactly. Cost: ``2 num_zeros`` multiply-adds per output and channel (about 0.1 s for 10^5
    outputs on one core), in parallel over the output times.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Samples; leading axes are channels.
    sr : float > 0
        Sampling rate of ``x`` in Hz.
    t : float or np.ndarray [shape=(m,)]
        Times in seconds at which to reconstruct.
    t0 : float
        Time of ``x[..., 0]``.
    num_zeros : int >= 1 or None
        Half-length of the windowed sinc, in samples (zero crossings on each side).
    beta : float >= 0
        Kaiser window shape: larger is a smaller error far from Nyquist but a wider transition.
    axis : int
        The time axis of ``x``.

    Returns
    -------
    np.ndarray [shape=(..., m)]
        Same dtype as ``x`` (float32 input is summed in float64). A scalar ``t`` gives shape
        ``(...)``. The time axis is last.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> sr = 100.0
    >>> t, x = dsp.sample([(7.0, 1.0, 0.0)], 2.0, sr)
    >>> y = dsp.sinc_interpolate(x, sr, [0.5012, 1.0333])
    >>> bool(np.abs(y - np.cos(2 * np.pi * 7 * np.array([0.5012, 1.0333]))).max() < 1e-5)
    True
    """
    x = as_float_array(x, name="x")
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    t0 = check_float("t0", t0)
    if num_zeros is not None:  # (beyond 2**24 zero crossings, use num_zeros=None: the exact sum)
        num_zeros = check_int("num_zeros", num_zeros, minimum=1, maximum=MAX_NUM_ZEROS)
    # I0(beta) overflows float64 above beta ~ 713: the window would be inf / inf = NaN
    beta = check_float("beta", beta, minimum=0.0, maximum=MAX_BETA)
    scalar_t = np.ndim(t) == 0
    xp = array_module(x)
    t = _real_values(xp.atleast_1d(xp.asarray(t)), "t")
    if t.ndim != 1:
        raise DSPError(f"t has shape {t.shape}: need a scalar or a 1-D array of times")
    if x.shape[check_axis(axis, x.ndim)] < 1:
        raise DSPError(f"x has 0 samples along axis={axis}: need at least 1")
    x2, lead = flatten_leading(x, axis)
    u = xp.ascontiguousarray((t - t0) * sr)
    out = kernel_for("sinc_interpolate", x)(x2, u, num_zeros or 0, beta, x.dtype)
    out = out.reshape(lead + (u.shape[0],))
    return out[..., 0] if scalar_t else out
