"""The mel scale and the mel filterbank, as in librosa 0.11 (re-exported by :mod:`dsp.mel`).

The mel scale
-------------
Two scales, as librosa and torchaudio name them:

- Slaney (``htk=False``, librosa's default): linear below 1 kHz (``mel = 3 f / 200``) and
  logarithmic above (``mel = 15 + 27 ln(f / 1000) / ln(6.4)``), as in Slaney's Auditory Toolbox.
- HTK (``htk=True``, torchaudio's default): ``mel = 2595 log10(1 + f / 700)``.

The filterbank
--------------
``mel_filterbank`` returns librosa's ``(n_mels, 1 + n_fft // 2)`` matrix: ``n_mels + 2`` points
evenly spaced in mel between ``fmin`` and ``fmax`` give the triangles' edges, each FFT bin
``k`` sits at ``k * sr / n_fft`` Hz, and ``norm='slaney'`` scales each triangle by
``2 / (f[m+2] - f[m])`` (equal area), a number ``p`` scales each row to unit l_p norm, ``None``
leaves peaks near 1. The weights are computed in float64 and rounded to ``dtype`` at the same
steps as librosa's, so the float32 filterbank matches librosa's to the last bit in practice.

Porting from torchaudio
-----------------------
``torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None,
mel_scale='htk')`` returns the same triangles, transposed, on the grid
``linspace(0, sample_rate // 2, n_freqs)``. For an even ``n_fft`` and an even ``sr`` that grid is
the FFT bin grid, and::

    torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr)
        == dsp.mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max,
                              htk=True, norm=None).T

up to float32 rounding (torchaudio computes in float32; we compute in float64 and round once).
Mind the defaults, which differ: torchaudio uses HTK and no normalisation, librosa and this module
use Slaney and ``norm='slaney'``; torchaudio's ``MelSpectrogram`` uses ``n_fft=400``,
``hop_length=200`` and ``pad_mode='reflect'``, and ``f_max = sample_rate // 2`` (an integer).
For an odd ``n_fft`` (or odd ``sr``) torchaudio's grid ends exactly at ``sr // 2`` while the FFT
bins end below ``sr / 2``: there the two matrices differ.

The filterbank is cached per validated argument tuple (``@table_cache``; ``dsp.clear_caches()``
empties it), dense for :func:`mel_filterbank` and in a ranged sparse form for the mel projection
of :mod:`dsp.mel`'s ``melspectrogram``.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from dsp_kernels.caches import table_cache

from ._backend import array_module
from ._errors import DSPError
from ._validation import (
    as_float_array, check_allocation, check_bool, check_dtype, check_float, check_int,
)

__all__ = ["hz_to_mel", "mel_to_hz", "mel_frequencies", "mel_filterbank"]

# Slaney's scale: linear with slope 3/200 mel per Hz below 1 kHz, logarithmic above.
_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def _as_values(x, name):
    """Frequencies or mels as a floating array (integers allowed: they are not audio here)."""
    a = np.asarray(x) if not hasattr(x, "__cuda_array_interface__") else x
    if a.dtype.kind in "iu":
        a = a.astype(np.float64)
    return as_float_array(a, name=name, min_ndim=0)


def hz_to_mel(frequencies, *, htk=False):
    """Convert frequencies in Hz to mels (Slaney's scale, or HTK's with ``htk=True``).

    Parameters
    ----------
    frequencies : float or np.ndarray [shape=(...)]
        Finite frequencies in Hz; integers are accepted.
    htk : bool
        Use ``2595 log10(1 + f / 700)`` instead of Slaney's scale.

    Returns
    -------
    mels : float or np.ndarray [shape=(...)]
        A NumPy scalar for a scalar input; float32 stays float32.

    Examples
    --------
    >>> import dsp
    >>> round(float(dsp.hz_to_mel(60)), 6)
    0.9
    >>> round(float(dsp.hz_to_mel(1000, htk=True)), 3)
    999.986
    """
    htk = check_bool("htk", htk)
    f = _as_values(frequencies, "frequencies")
    xp = array_module(f)
    if htk:
        return 2595.0 * xp.log10(1.0 + f / 700.0)
    linear = f / _F_SP
    if f.ndim == 0:
        if f >= _MIN_LOG_HZ:
            return _MIN_LOG_MEL + xp.log(f / _MIN_LOG_HZ) / _LOGSTEP
        return linear
    log_t = f >= _MIN_LOG_HZ
    linear[log_t] = _MIN_LOG_MEL + xp.log(f[log_t] / _MIN_LOG_HZ) / _LOGSTEP
    return linear


def mel_to_hz(mels, *, htk=False):
    """Convert mels to frequencies in Hz, the inverse of :func:`hz_to_mel`.

    Parameters
    ----------
    mels : float or np.ndarray [shape=(...)]
        Finite mel values; integers are accepted.
    htk : bool
        Use the HTK scale instead of Slaney's.

    Returns
    -------
    frequencies : float or np.ndarray [shape=(...)]
        A NumPy scalar for a scalar input; float32 stays float32.

    Examples
    --------
    >>> import dsp
    >>> float(dsp.mel_to_hz(3))
    200.0
    >>> round(float(dsp.mel_to_hz(dsp.hz_to_mel(440.0, htk=True), htk=True)), 6)
    440.0
    """
    htk = check_bool("htk", htk)
    m = _as_values(mels, "mels")
    xp = array_module(m)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = _F_SP * m
    if m.ndim == 0:
        if m >= _MIN_LOG_MEL:
            return _MIN_LOG_HZ * xp.exp(_LOGSTEP * (m - _MIN_LOG_MEL))
        return freqs
    log_t = m >= _MIN_LOG_MEL
    freqs[log_t] = _MIN_LOG_HZ * xp.exp(_LOGSTEP * (m[log_t] - _MIN_LOG_MEL))
    return freqs


def mel_frequencies(n_mels=128, *, fmin=0.0, fmax=11025.0, htk=False):
    """``n_mels`` frequencies (Hz) evenly spaced on the mel scale from ``fmin`` to ``fmax``.

    Parameters
    ----------
    n_mels : int >= 1
    fmin, fmax : float >= 0
        The first and last frequency in Hz.
    htk : bool
        HTK's scale instead of Slaney's.

    Returns
    -------
    frequencies : np.ndarray [shape=(n_mels,)], float64

    Examples
    --------
    >>> import dsp
    >>> dsp.mel_frequencies(4, fmax=8000.0).round(1)
    array([   0. , 1005.6, 2836.4, 8000. ])
    """
    n_mels = check_int("n_mels", n_mels, minimum=1)
    check_allocation(f"n_mels={n_mels}", n_mels, 8, what="an array")
    fmin = check_float("fmin", fmin, minimum=0.0)
    fmax = check_float("fmax", fmax, minimum=0.0)
    htk = check_bool("htk", htk)
    return _mel_frequencies(n_mels, fmin, fmax, htk)


def _mel_frequencies(n_mels, fmin, fmax, htk):
    mels = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels)
    return mel_to_hz(mels, htk=htk)


# ----------------------------------------------------------------------------- filterbank


def _check_norm(norm):
    """``'slaney'``, None or a float p-norm order (0, > 0, +-inf), as librosa accepts."""
    if norm is None or (isinstance(norm, str) and norm == "slaney"):
        return norm
    if isinstance(norm, (bool, np.bool_)) or not isinstance(norm, numbers.Real):
        raise DSPError(f"norm={norm!r} is not supported: use 'slaney', None or a number (p-norm order)")
    p = float(norm)
    if np.isnan(p) or (p < 0 and p != -np.inf):
        raise DSPError(f"norm={norm!r} is not supported: a p-norm order must be >= 0, inf or -inf")
    return p


def _check_filterbank_args(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype):
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    n_fft = check_int("n_fft", n_fft, minimum=2)
    n_mels = check_int("n_mels", n_mels, minimum=1)
    check_allocation(f"n_mels={n_mels}, n_fft={n_fft}", (n_mels + 2) * (n_fft // 2 + 1), 8,
                     what="a mel filterbank")
    fmin = check_float("fmin", fmin, minimum=0.0)
    fmax = sr / 2.0 if fmax is None else check_float("fmax", fmax, minimum=0.0)
    if not fmax > fmin:
        raise DSPError(f"fmax={fmax} must be > fmin={fmin}")
    dtype = check_dtype("dtype", dtype, (np.float32, np.float64))
    return sr, n_fft, n_mels, fmin, fmax, check_bool("htk", htk), _check_norm(norm), dtype


@table_cache(maxsize=32)
def _filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype):
    """(weights, has_empty_bands) for validated arguments; weights read-only, rounded as librosa's."""
    n_bins = 1 + n_fft // 2
    fftfreqs = np.arange(n_bins) * (1.0 / (n_fft * (1.0 / sr)))
    mel_f = _mel_frequencies(n_mels + 2, fmin, fmax, htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper)).astype(dtype)
    if norm == "slaney":
        enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
        weights = (weights * enorm[:, None]).astype(dtype)
    elif norm is not None:
        mag = np.abs(weights).astype(np.float64)
        if norm == np.inf:
            length = mag.max(axis=-1, keepdims=True)
        elif norm == -np.inf:
            length = mag.min(axis=-1, keepdims=True)
        elif norm == 0:
            length = np.sum(mag > 0, axis=-1, keepdims=True, dtype=np.float64)
        else:
            length = np.sum(mag**norm, axis=-1, keepdims=True) ** (1.0 / norm)
        # rows whose norm underflows stay as they are, as librosa.util.normalize does
        length[length < np.finfo(dtype).tiny] = 1.0
        weights = (weights / length).astype(dtype)
    # an empty band (no positive weight) where the band does not start at 0 Hz, as librosa checks
    empty = not np.all((mel_f[:-2] == 0) | (weights.max(axis=1) > 0))
    weights.setflags(write=False)
    return weights, empty


def _warn_if_empty(args, stacklevel):
    if _filterbank(*args)[1]:
        sr, n_fft, n_mels, fmin, fmax = args[:5]
        warnings.warn(
            f"mel filterbank (sr={sr}, n_fft={n_fft}, n_mels={n_mels}, fmin={fmin}, fmax={fmax}) "
            "has empty bands: some mel channels will always be zero. Raise n_fft or fmax, "
            "or lower n_mels.",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


@table_cache(maxsize=32)
def _sparse_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype):
    """Ranged CSR form of the filterbank: (starts, offsets, weights), see kernels/cpu/mel.py."""
    dense, _ = _filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype)
    starts = np.zeros(n_mels, dtype=np.int64)
    offsets = np.zeros(n_mels + 1, dtype=np.int64)
    runs = []
    for m in range(n_mels):
        nz = np.flatnonzero(dense[m])
        if nz.size:
            starts[m] = nz[0]
            runs.append(dense[m, nz[0] : nz[-1] + 1])
        offsets[m + 1] = offsets[m] + (nz[-1] + 1 - nz[0] if nz.size else 0)
    weights = np.concatenate(runs) if runs else np.zeros(0, dtype=dtype)
    for a in (starts, offsets, weights):
        a.setflags(write=False)
    return starts, offsets, weights


def mel_filterbank(*, sr, n_fft, n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney", dtype=np.float32):
    """Mel filterbank: the matrix that projects FFT bins onto mel bands (= ``librosa.filters.mel``).

    Parameters
    ----------
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int >= 2
        FFT length; the matrix has ``1 + n_fft // 2`` columns, bin ``k`` at ``k * sr / n_fft`` Hz.
    n_mels : int >= 1
        Number of bands.
    fmin : float >= 0
        Lowest frequency (Hz).
    fmax : float > fmin, or None
        Highest frequency (Hz); ``None`` means ``sr / 2``.
    htk : bool
        HTK's mel scale (torchaudio's default) instead of Slaney's (librosa's default).
    norm : {'slaney', None} or float
        ``'slaney'``: divide each triangle by its width in Hz / 2 (equal area); a number ``p``:
        scale each band to unit l_p norm (``np.inf``, ``-np.inf`` and 0 as in
        ``librosa.util.normalize``); ``None``: triangles peaking near 1.
    dtype : np.float32 or np.float64

    Returns
    -------
    M : np.ndarray [shape=(n_mels, 1 + n_fft // 2)]
        A fresh (writable) array. A UserWarning says when some band has no nonzero weight.

    Notes
    -----
    ``mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n, fmin=a, fmax=b, htk=True, norm=None).T``
    equals ``torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, a, b, n, sr)`` (torchaudio's
    defaults ``norm=None, mel_scale='htk'``) when ``n_fft`` and ``sr`` are even; see the module
    docstring for the odd cases and the other defaults that differ.

    Examples
    --------
    >>> import dsp
    >>> M = dsp.mel_filterbank(sr=22050, n_fft=2048)
    >>> M.shape, M.dtype
    ((128, 1025), dtype('float32'))
    >>> int((M > 0).sum(axis=0).max())   # each FFT bin feeds at most two bands
    2
    """
    args = _check_filterbank_args(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype)
    _warn_if_empty(args, stacklevel=2)
    return _filterbank(*args)[0].copy()
