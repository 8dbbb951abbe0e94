"""Mel scale, mel filterbank, mel spectrogram, MFCC and the DCT, as in librosa 0.11.

The mel scale and the filterbank (``hz_to_mel``, ``mel_to_hz``, ``mel_frequencies``,
``mel_filterbank``; Slaney and HTK scales, porting from torchaudio) are defined in
:mod:`dsp._mel_filterbank` and re-exported here; the DCT in :mod:`dsp._dct`. This module holds
the mel spectrogram and the MFCC.

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

import math

import numpy as np

from ._backend import array_module, backend_of
from ._dct import dct, dct_matrix, idct
from ._decibel import POWER_DB_DEFAULTS
from ._dispatch import kernel, kernel_for
from ._errors import DSPError
from ._mel_filterbank import (  # noqa: F401  (re-exported: the public names and the cached tables)
    _check_filterbank_args,
    _sparse_filterbank,
    _warn_if_empty,
    hz_to_mel,
    mel_filterbank,
    mel_frequencies,
    mel_to_hz,
)
from . import _stft_params as stft_params
from ._validation import (
    as_float_array, check_allocation, check_bool, check_choice, check_float, check_int,
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
    return _mel_from_audio(y, sr, n_fft, hop_length, win_length, window, center, pad_mode, power,
                           kwargs)


def _mel_from_audio(y, sr, n_fft, hop_length, win_length, window, center, pad_mode, power, kwargs,
                    transform_dtype=None):
    """:func:`melspectrogram` of audio ``y``. ``transform_dtype=np.float64`` transforms float32
    audio in float64 (onset_strength's parity): the kernel widens the samples as it reads the
    frames, so no float64 copy of the signal is made."""
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
                     math.prod(y.shape[:-1]) * n_frames * fb_args[2], 8,
                     what="a mel spectrogram")
    _warn_if_empty(fb_args, stacklevel=2)
    window = fft_window(window, win_length, n_fft)
    starts, offsets, weights = _sparse_filterbank(*fb_args)
    xp = array_module(y)
    lead = y.shape[:-1]
    dtype = y.dtype if transform_dtype is None else np.result_type(y.dtype, transform_dtype)
    y2 = xp.ascontiguousarray(y.reshape((-1, n)))
    out = kernel_for("melspectrogram", y)(
        y2, n_fft=n_fft, hop_length=hop_length, window=window, center=center, pad_mode=pad_mode,
        power=power, starts=starts, offsets=offsets, weights=weights,
        out_dtype=np.result_type(dtype, fb_args[-1]), dtype=dtype,
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
    power = None
    if S is None:
        if y is None:
            raise DSPError("mfcc needs y (audio) or S (a log-power mel spectrogram): both are None")
        S = power = melspectrogram(y=y, sr=sr, norm=mel_norm, **kwargs)
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
    if power is not None and backend_of(S3) == "cpu":
        # from audio: dB (power_to_db's defaults) and DCT in one pass over tiles of frames,
        # without the dB image in memory (dsp_kernels.cpu.mfcc; CuPy data takes the two steps)
        M = kernel("db_dct")(S3, matrix, **POWER_DB_DEFAULTS)
    else:
        if power is not None:
            from .spectral import power_to_db

            S3 = power_to_db(S3)
        M = kernel_for("apply_matrix", S3)(S3, matrix)
    M = M.reshape(lead + M.shape[-2:])
    if lifter > 0:
        LI = xp.sin(np.pi * xp.arange(1, 1 + n_mfcc, dtype=M.dtype) / lifter)
        M *= (1 + (lifter / 2) * LI)[:, None]
    return M
