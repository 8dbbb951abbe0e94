"""The continuous wavelet transform, PyWavelets-compatible: :func:`cwt`, :class:`ContinuousWavelet`
(morl, mexh, gaus1-8, cgau1-8, shan, fbsp, cmor with PyWavelets' parameter strings such as
'cmor1.5-1.0'), :func:`integrate_wavelet`, :func:`central_frequency`, :func:`scale2frequency`.

The Gaussian families are derived here: ``gausP`` is the P-th derivative of ``exp(-x^2)`` and
``cgauP`` that of ``exp(-i x) exp(-x^2)``, as a polynomial times the Gaussian (a recurrence on
the polynomial's coefficients), each scaled to unit L2 norm with exact Gaussian moments and signed
as PyWavelets signs them. ``method='fft'`` runs on our FFT (:func:`dsp.fft`). Re-exported by
:mod:`dsp.wavelets`.
"""
from __future__ import annotations

import math
import re

import numpy as np

from ._backend import array_module, backend_of
from ._dispatch import kernel_for
from ._errors import DSPError
from ._wavelet_common import as_data

__all__ = ["ContinuousWavelet", "cwt", "integrate_wavelet", "central_frequency", "scale2frequency"]

_BOUNDS = {"morl": 8.0, "mexh": 8.0, "gaus": 5.0, "cgau": 5.0, "shan": 20.0, "fbsp": 20.0, "cmor": 8.0}
_FAMILY = {"morl": "Morlet wavelet", "mexh": "Mexican hat wavelet", "gaus": "Gaussian",
           "cgau": "Complex Gaussian wavelets", "shan": "Shannon wavelets",
           "fbsp": "Frequency B-Spline wavelets", "cmor": "Complex Morlet wavelets"}
#: parameters of a name without them: (bandwidth B, center C[, order M])
_DEFAULTS = {"shan": (0.5, 1.0), "cmor": (1.0, 0.5), "fbsp": (1.0, 0.5, 2)}
_NUM = r"(\d+(?:\.\d*)?|\.\d+)"


def _gaussian_poly(order, shift):
    """Coefficients (ascending powers) of ``P`` with ``d^p/dx^p exp(-x^2 - shift*x) = P(x) exp(..)``."""
    p = np.array([1.0 + 0j])
    for _ in range(order):
        dp = np.arange(1, p.size) * p[1:] if p.size > 1 else np.zeros(1, complex)
        nxt = np.zeros(p.size + 1, complex)
        nxt[: dp.size] += dp
        nxt[: p.size] -= shift * p
        nxt[1:] -= 2 * p
        p = nxt
    return p


def _gauss_norm(p):
    """sqrt(int |P(x)|^2 exp(-2 x^2) dx), from the exact moments of exp(-2 x^2)."""
    sq = np.convolve(p, np.conj(p)).real
    total = 0.0
    for k in range(0, sq.size, 2):  # odd moments vanish
        m = math.sqrt(math.pi / 2) * math.prod(range(1, k, 2)) / 4 ** (k // 2)
        total += sq[k] * m
    return math.sqrt(total)


class ContinuousWavelet:
    """A continuous wavelet by name: 'morl', 'mexh', 'gausP', 'cgauP' (P = 1..8), and 'shanB-C',
    'cmorB-C', 'fbspM-B-C' (bandwidth B, center frequency C, spline order M).

    Attributes: ``name``, ``family_name``, ``short_family_name``, ``lower_bound``,
    ``upper_bound``, ``center_frequency``, ``bandwidth_frequency``, ``fbsp_order``,
    ``complex_cwt``, ``symmetry``.

    Examples
    --------
    >>> import dsp
    >>> w = dsp.ContinuousWavelet('cmor1.5-1.0')
    >>> w.bandwidth_frequency, w.center_frequency, w.complex_cwt
    (1.5, 1.0, True)
    """

    def __init__(self, name, dtype=np.float64):
        """``name`` as above; ``dtype`` (float32 or float64) of :meth:`wavefun`'s output."""
        if not isinstance(name, str):
            raise DSPError(f"wavelet={name!r} must be a continuous wavelet name")
        self.name = name
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise DSPError(f"dtype={self.dtype} must be float32 or float64")
        self.center_frequency = self.bandwidth_frequency = self.fbsp_order = None
        self.orthogonal = self.biorthogonal = False
        m = re.fullmatch(r"(gaus|cgau)([1-8])", name)
        if name in ("morl", "mexh"):
            fam = name
        elif m:
            fam, self._order = m.group(1), int(m.group(2))
        else:
            fam = name[:4]
            params = name[4:]
            if fam not in ("shan", "cmor", "fbsp"):
                raise DSPError(
                    f"wavelet={name!r} is not a continuous wavelet: use one of morl, mexh, gaus1-8, "
                    "cgau1-8, shanB-C, cmorB-C, fbspM-B-C"
                )
            if not params:
                vals = _DEFAULTS[fam]
            else:
                pat = rf"(\d+)-{_NUM}-{_NUM}" if fam == "fbsp" else rf"{_NUM}-{_NUM}"
                mm = re.fullmatch(pat, params)
                if not mm:
                    form = "fbspM-B-C (e.g. 'fbsp2-1.0-0.5')" if fam == "fbsp" else f"{fam}B-C (e.g. '{fam}1.5-1.0')"
                    raise DSPError(f"wavelet={name!r}: the parameters must be written {form}")
                g = mm.groups()
                vals = (float(g[1]), float(g[2]), int(g[0])) if fam == "fbsp" else (float(g[0]), float(g[1]))
            self.bandwidth_frequency, self.center_frequency = vals[0], vals[1]
            if fam == "fbsp":
                self.fbsp_order = vals[2]
        self.short_family_name = fam
        self.family_name = _FAMILY[fam]
        self.lower_bound, self.upper_bound = -_BOUNDS[fam], _BOUNDS[fam]
        self.complex_cwt = fam in ("cgau", "shan", "fbsp", "cmor")
        if fam in ("gaus", "cgau"):
            self.symmetry = "anti-symmetric" if self._order % 2 else "symmetric"
        else:
            self.symmetry = "symmetric" if fam in ("morl", "mexh") else "asymmetric"

    def __repr__(self):
        return f"ContinuousWavelet({self.name!r})"

    def _psi(self, x):
        fam = self.short_family_name
        if fam == "morl":
            return np.exp(-(x**2) / 2) * np.cos(5 * x)
        if fam == "mexh":
            return (1 - x**2) * np.exp(-(x**2) / 2) * (2 / (math.sqrt(3) * math.pi**0.25))
        if fam in ("gaus", "cgau"):
            p = _gaussian_poly(self._order, 0.0 if fam == "gaus" else 1j)
            norm = _gauss_norm(p)
            # PyWavelets' signs: gausP is (-1)**floor(P/2) times the derivative; cgauP the derivative
            sign = -1.0 if fam == "gaus" and self._order in (2, 3, 6, 7) else 1.0
            poly = np.polynomial.polynomial.polyval(x, p)
            env = np.exp(-(x**2)) * (np.exp(-1j * x) if fam == "cgau" else 1.0)
            out = sign * poly * env / norm
            return out.real if fam == "gaus" else out
        B, C = self.bandwidth_frequency, self.center_frequency
        carrier = np.exp(2j * np.pi * C * x)
        if fam == "cmor":
            return np.exp(-(x**2) / B) * carrier / math.sqrt(math.pi * B)
        if fam == "shan":
            return math.sqrt(B) * np.sinc(B * x) * carrier
        M = self.fbsp_order
        return math.sqrt(B) * np.sinc(B * x / M) ** M * carrier

    def wavefun(self, level=8, length=None):
        """``(psi, x)``: the wavelet on ``2**level`` (or ``length``) points of its support.

        Examples
        --------
        >>> import dsp
        >>> psi, x = dsp.ContinuousWavelet('morl').wavefun(4)
        >>> psi.shape, float(x[0])
        ((16,), -8.0)
        """
        n = (1 << int(level)) if length is None else int(length)
        x = np.linspace(self.lower_bound, self.upper_bound, n)
        psi = self._psi(x)
        real = self.dtype
        return psi.astype(np.result_type(real, np.complex64) if psi.dtype.kind == "c" else real), x.astype(real)


def _as_continuous(wavelet):
    if isinstance(wavelet, ContinuousWavelet):
        return wavelet
    if hasattr(wavelet, "filter_bank") or (isinstance(wavelet, str) and _is_discrete(wavelet)):
        raise DSPError(
            f"wavelet={getattr(wavelet, 'name', wavelet)!r} is a discrete wavelet: cwt needs a "
            "continuous one"
        )
    if not isinstance(wavelet, str) and isinstance(getattr(wavelet, "name", None), str):
        # e.g. a pywt.ContinuousWavelet: its name and dtype say all
        return ContinuousWavelet(wavelet.name, getattr(wavelet, "dtype", np.float64))
    return ContinuousWavelet(wavelet)


def _is_discrete(name):
    from ._wavelet_filters import wavelist

    return name in wavelist(kind="discrete")


def integrate_wavelet(wavelet, precision=8):
    """The running integral of a continuous wavelet on ``2**precision`` points.

    Parameters
    ----------
    wavelet : str or ContinuousWavelet
    precision : int

    Returns
    -------
    (int_psi, x) : np.ndarray [shape=(2**precision,)] each

    Examples
    --------
    >>> import dsp
    >>> int_psi, x = dsp.integrate_wavelet('mexh', precision=6)
    >>> int_psi.shape
    (64,)
    """
    psi, x = _as_continuous(wavelet).wavefun(precision)
    return np.cumsum(psi) * (x[1] - x[0]), x


def central_frequency(wavelet, precision=8):
    """The wavelet's central frequency (cycles per unit of x): the peak of its spectrum.

    Examples
    --------
    >>> import dsp
    >>> round(dsp.central_frequency('morl'), 4)
    0.8125
    """
    psi, x = _as_continuous(wavelet).wavefun(precision)
    domain = float(x[-1] - x[0])
    from .fourier import fft  # ours: numpy.fft never does the DSP in dsp/

    index = int(np.argmax(np.abs(fft(np.asarray(psi, dtype=np.complex128))[1:]))) + 2
    if index > len(psi) / 2:
        index = len(psi) - index + 2
    return 1.0 / (domain / (index - 1))


def scale2frequency(wavelet, scale, precision=8):
    """``central_frequency(wavelet) / scale`` (in cycles per sample).

    Examples
    --------
    >>> import dsp
    >>> round(float(dsp.scale2frequency('morl', 2.0)), 4)
    0.4062
    """
    return central_frequency(wavelet, precision=precision) / scale


def _scale_filter(int_psi, grid, s, name, precision):
    """The integrated wavelet sampled at scale ``s``, reversed (PyWavelets' sampling rule)."""
    step = grid[1] - grid[0]
    j = (np.arange(s * (grid[-1] - grid[0]) + 1) / (s * step)).astype(int)
    j = j[j < int_psi.size]
    if j.size < 2:  # the centred cut of the n + size - 2 differences would be negative
        raise DSPError(f"scale {s} is too small for wavelet {name!r} (precision={precision})")
    return int_psi[j][::-1]


def _filter_bank(filters, scales, dtype):
    """Every scale's ``-sqrt(s) * diff(rows * filt)``, centred on the rows, as one bank of FIR
    filters with offsets: ``(taps, starts, offsets)``, the contract of ``kernels/cwt_plan.py``.

    The difference of a convolution is the convolution with the filter's difference
    ``[f0, f1 - f0, ..., -f_last]`` (one tap longer), and its centred cut starts ``floor(L/2)``
    samples into the full convolution for a filter of ``L`` taps: so each scale is one FIR
    filter with an offset, and the whole bank one kernel call (CPU and GPU alike).
    """
    taps = [-np.sqrt(s) * np.diff(f, prepend=0, append=0) for s, f in zip(scales, filters)]
    starts = np.zeros(len(taps) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([t.size for t in taps])
    offsets = np.array([f.size // 2 for f in filters], dtype=np.int64)
    bank = np.concatenate(taps).astype(np.result_type(dtype, *(f.dtype for f in filters)), copy=False)
    return bank, starts, offsets


def cwt(data, scales, wavelet, sampling_period=1.0, method="conv", axis=-1, *, precision=12):
    """Continuous wavelet transform.

    Parameters
    ----------
    data : np.ndarray [shape=(..., n, ...)]
    scales : float or array of float > 0
    wavelet : str or ContinuousWavelet
    sampling_period : float
        Scales the returned frequencies (Hz when it is in seconds).
    method : {'conv', 'fft'}
        Direct convolution, or through our FFT (faster for long signals and large scales).
    axis : int
    precision : int
        The wavelet is integrated on ``2**precision`` points.

    Returns
    -------
    coefs : np.ndarray [shape=(len(scales), ..., n, ...)]
        Complex for complex wavelets (cgau, shan, fbsp, cmor).
    frequencies : np.ndarray [shape=(len(scales),)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c, f = dsp.cwt(np.sin(np.arange(256) / 4), [1, 2, 4, 8], 'morl')
    >>> c.shape, f.round(4).tolist()
    ((4, 256), [0.8125, 0.4062, 0.2031, 0.1016])
    """
    x = as_data(data, "data")
    w = _as_continuous(wavelet)
    scales = np.atleast_1d(np.asarray(scales, dtype=np.float64))
    if scales.size == 0 or np.any(~(scales > 0)):
        raise DSPError(f"scales={scales!r} must be positive")
    if method not in ("conv", "fft"):
        raise DSPError(f"method={method!r} must be 'conv' or 'fft'")
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise DSPError(f"axis={axis!r} must be an integer")
    if x.ndim > 1 and not -x.ndim <= axis < x.ndim:  # 1-D data: axis is ignored, as in PyWavelets
        raise DSPError(f"axis={axis} is out of range for data with {x.ndim} dimension(s)")
    axis = axis if x.ndim > 1 else -1
    dt = x.dtype
    dt_c = np.result_type(dt, np.complex64)
    dt_out = dt_c if w.complex_cwt else dt
    int_psi, grid = integrate_wavelet(w, precision=precision)
    if w.complex_cwt:
        int_psi = np.conj(int_psi)
    int_psi = np.asarray(int_psi, dtype=dt_c if int_psi.dtype.kind == "c" else dt)
    grid = np.asarray(grid, dtype=x.real.dtype)
    xp = array_module(x)  # CuPy in, CuPy out: the filters are made on the host, the bank runs on the device
    xm = xp.moveaxis(x, axis, -1)
    lead = xm.shape[:-1]
    rows = xp.ascontiguousarray(xm.reshape(-1, xm.shape[-1]))
    n = rows.shape[-1]
    filters = [_scale_filter(int_psi, grid, s, w.name, precision) for s in scales]
    if method == "fft" or backend_of(x) == "gpu":
        bank, starts, offsets = _filter_bank(filters, scales, rows.dtype)
        run = kernel_for("cwt_overlap_save", rows) if method == "fft" else kernel_for("cwt_conv", rows)
        out = run(rows, bank, starts, offsets).reshape((scales.size,) + lead + (n,))
    else:
        out = np.empty((scales.size,) + lead + (n,), dtype=dt_out)
        for i, (s, filt) in enumerate(zip(scales, filters)):
            m = n + filt.size - 1
            conv = np.stack([np.convolve(r, filt) for r in rows]) if rows.shape[0] else np.zeros((0, m), dt_out)
            coef = -np.sqrt(s) * np.diff(conv, axis=-1)
            if out.dtype.kind != "c":
                coef = coef.real
            d = (coef.shape[-1] - n) / 2.0
            if d > 0:
                coef = coef[..., math.floor(d) : -math.ceil(d)]
            out[i] = coef.reshape(lead + (n,))
    out = xp.moveaxis(out, -1, axis if axis < 0 else axis + 1) if x.ndim > 1 else out
    freqs = np.asarray(central_frequency(w, precision) / scales, dtype=np.float64)
    return out, freqs / sampling_period
