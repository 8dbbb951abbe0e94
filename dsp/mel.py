"""Mel scale, mel filterbank, mel spectrogram, MFCC and the DCT, as in librosa 0.11.

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

The mel spectrogram
-------------------
From a signal, one pass per frame: gather the frame, window it, real FFT, ``|X|**power``, and
project onto the bands through the filterbank's sparse (ranged) form, so the full power
spectrogram is never stored. From ``S=``, the same sparse projection of the given spectrogram.

Precision: float32 audio is transformed in float32 (as torch does). librosa multiplies float32
frames by a float64 window, so its FFT runs in float64. The two agree to about 1e-7 of the peak.
In dB, and so in MFCCs, bins far below a frame's peak show the float32 FFT's rounding. With
``power=1`` and ``top_db=80`` this reaches about 5e-5 of the largest MFCC. Pass float64 audio
when those bins matter.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from dsp_kernels.caches import table_cache

from ._backend import array_module
from ._dct import dct, dct_matrix, idct
from ._dispatch import kernel_for
from ._errors import DSPError
from . import _stft_params as stft_params
from ._validation import (
    as_float_array, check_allocation, check_bool, check_choice, check_dtype, check_float, check_int,
)

__all__ = [
    "hz_to_mel",
    "mel_to_hz",
    "mel_frequencies",
    "mel_filterbank",
    "melspectrogram",
    "mfcc",
    "dct",
    "idct",
]

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


# ----------------------------------------------------------------------------- mel spectrogram

_MEL_KWARGS = ("n_mels", "fmin", "fmax", "htk", "norm", "dtype")


def _mel_args(sr, n_fft, kwargs):
    unknown = sorted(set(kwargs) - set(_MEL_KWARGS))
    if unknown:
        raise DSPError(
            f"unexpected keyword argument(s) {', '.join(unknown)}: the filterbank takes "
            f"{', '.join(_MEL_KWARGS)}"
        )
    return _check_filterbank_args(
        sr,
        n_fft,
        kwargs.get("n_mels", 128),
        kwargs.get("fmin", 0.0),
        kwargs.get("fmax", None),
        kwargs.get("htk", False),
        kwargs.get("norm", "slaney"),
        kwargs.get("dtype", np.float32),
    )


def _project(S, fb_args):
    """Sparse mel projection of S (..., n_bins, n_frames); result dtype as librosa's einsum."""
    xp = array_module(S)
    out_dtype = np.result_type(S.dtype, fb_args[-1])
    starts, offsets, weights = _sparse_filterbank(*fb_args)
    lead = S.shape[:-2]
    S3 = xp.ascontiguousarray(S.reshape((-1,) + S.shape[-2:]), dtype=out_dtype)
    out = kernel_for("mel_project", S3)(S3, starts, offsets, weights)
    return out.reshape(lead + out.shape[-2:])


def melspectrogram(
    *,
    y=None,
    sr=22050,
    S=None,
    n_fft=2048,
    hop_length=512,
    win_length=None,
    window="hann",
    center=True,
    pad_mode="constant",
    power=2.0,
    **kwargs,
):
    """Mel-scaled spectrogram, as ``librosa.feature.melspectrogram``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio (float32 or float64; leading axes are channels).
    sr : float > 0
        Sampling rate of ``y``.
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        A spectrogram (magnitude ** power) to project instead of ``y``. When ``n_fft`` is None
        or ``n_fft // 2 + 1 != S.shape[-2]``, ``n_fft`` is taken as ``2 * (S.shape[-2] - 1)``,
        as librosa does.
    n_fft, hop_length, win_length, window, center, pad_mode :
        The STFT's parameters, as in :func:`dsp.stft`; unused with ``S``.
    power : float > 0
        Exponent of the magnitude: 1 for energy, 2 for power; unused with ``S``.
    **kwargs :
        The filterbank's parameters (:func:`mel_filterbank`): ``n_mels``, ``fmin``, ``fmax``,
        ``htk``, ``norm``, ``dtype`` (the filterbank's precision, float32 by default as in
        librosa).

    Returns
    -------
    S : np.ndarray [shape=(..., n_mels, t)]
        dtype: ``np.result_type`` of the spectrogram's and the filterbank's dtypes, as librosa's
        (float32 for float32 audio with the defaults; float64 for float64 audio).

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> M = dsp.melspectrogram(y=y, sr=22050)
    >>> M.shape, M.dtype
    ((128, 44), dtype('float32'))
    """
    if S is not None:
        S = as_float_array(S, name="S", min_ndim=2)
        n_bins = S.shape[-2]
        if n_bins < 2:
            raise DSPError(f"S has {n_bins} frequency bin(s) (axis -2): need at least 2")
        if n_fft is not None:
            n_fft = check_int("n_fft", n_fft, minimum=2)
        if n_fft is None or n_fft // 2 + 1 != n_bins:
            n_fft = 2 * (n_bins - 1)
        fb_args = _mel_args(sr, n_fft, kwargs)
        _warn_if_empty(fb_args, stacklevel=2)
        return _project(S, fb_args)
    if y is None:
        raise DSPError("melspectrogram needs y (audio) or S (a spectrogram): both are None")
    from .spectral import fft_window

    y = as_float_array(y, name="y")
    n_fft, hop_length, win_length = stft_params.lengths(n_fft, hop_length, win_length)
    center = check_bool("center", center)
    pad_mode = stft_params.check_pad_mode(pad_mode)
    power = check_float("power", power, minimum=0.0, strict_minimum=True)
    fb_args = _mel_args(sr, n_fft, kwargs)
    n = y.shape[-1]
    if n == 0:
        raise DSPError("y has 0 samples: need at least one")
    n_frames = stft_params.n_frames(n, n_fft, hop_length, center)
    check_allocation(f"n_fft={n_fft}, hop_length={hop_length} for {n} samples",
                     int(np.prod(y.shape[:-1], dtype=np.int64)) * n_frames * fb_args[2], 8,
                     what="a mel spectrogram")
    _warn_if_empty(fb_args, stacklevel=2)
    window = fft_window(window, win_length, n_fft)
    starts, offsets, weights = _sparse_filterbank(*fb_args)
    xp = array_module(y)
    lead = y.shape[:-1]
    y2 = xp.ascontiguousarray(y.reshape((-1, n)))
    out = kernel_for("melspectrogram", y)(
        y2, n_fft=n_fft, hop_length=hop_length, window=window, center=center, pad_mode=pad_mode,
        power=power, starts=starts, offsets=offsets, weights=weights,
        out_dtype=np.result_type(y.dtype, fb_args[-1]),
    )
    return out.reshape(lead + out.shape[-2:])


def mfcc(*, y=None, sr=22050, S=None, n_mfcc=20, dct_type=2, norm="ortho", lifter=0, mel_norm="slaney", **kwargs):
    """Mel-frequency cepstral coefficients, as ``librosa.feature.mfcc``.

    ``dct(power_to_db(melspectrogram(y, sr, norm=mel_norm, **kwargs)), axis=-2)[..., :n_mfcc, :]``,
    then the optional sinusoidal lifter ``1 + (lifter / 2) sin(pi (i + 1) / lifter)``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio.
    sr : float > 0
    S : np.ndarray [shape=(..., n_mels, t)] or None
        A log-power mel spectrogram (e.g. ``power_to_db(melspectrogram(...))``) to use
        instead of ``y``.
    n_mfcc : int, 1 <= n_mfcc <= n_mels
    dct_type : {1, 2, 3}
    norm : {None, 'ortho', 'backward', 'forward'}
        The DCT's normalisation.
    lifter : float >= 0
        0 turns liftering off.
    mel_norm : {'slaney', None} or float
        The filterbank's ``norm`` (only with ``y``).
    **kwargs :
        :func:`melspectrogram`'s parameters (only with ``y``).

    Returns
    -------
    M : np.ndarray [shape=(..., n_mfcc, t)]
        Same dtype as the log-power mel spectrogram.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> dsp.mfcc(y=y, sr=22050).shape
    (20, 44)
    """
    n_mfcc = check_int("n_mfcc", n_mfcc, minimum=1)
    if isinstance(dct_type, bool) or dct_type not in (1, 2, 3):
        raise DSPError(f"dct_type={dct_type!r} is not supported: use 1, 2 or 3")
    check_choice("norm", norm, (None, "ortho", "backward", "forward"))
    lifter = check_float("lifter", lifter, minimum=0.0)
    if S is None:
        if y is None:
            raise DSPError("mfcc needs y (audio) or S (a log-power mel spectrogram): both are None")
        from .spectral import power_to_db

        S = power_to_db(melspectrogram(y=y, sr=sr, norm=mel_norm, **kwargs))
    else:
        S = as_float_array(S, name="S", min_ndim=2)
    n_mels = S.shape[-2]
    if n_mfcc > n_mels:
        raise DSPError(f"n_mfcc={n_mfcc} is too large: S has {n_mels} mel bands, need n_mfcc <= {n_mels}")
    if dct_type == 1 and n_mels < 2:
        raise DSPError(f"S has {n_mels} mel band: dct_type=1 needs at least 2")
    matrix = dct_matrix(dct_type, n_mels, "backward" if norm is None else norm, n_mfcc)
    lead = S.shape[:-2]
    xp = array_module(S)
    S3 = xp.ascontiguousarray(S.reshape((-1,) + S.shape[-2:]))
    M = kernel_for("apply_matrix", S)(S3, matrix)
    M = M.reshape(lead + M.shape[-2:])
    if lifter > 0:
        LI = xp.sin(np.pi * xp.arange(1, 1 + n_mfcc, dtype=M.dtype) / lifter)
        M *= (1 + (lifter / 2) * LI)[:, None]
    return M
