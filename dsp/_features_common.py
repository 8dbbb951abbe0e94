"""What the frame-statistic features share: the spectrogram from ``y`` or ``S``, spectra as rows
for the kernels and back, the non-negativity check, the frequency grid, the shared docstring
fragment of the STFT parameters.

Used by :mod:`dsp._features_signal` (``rms``, ``zero_crossing_rate``) and
:mod:`dsp._features_spectral` (the spectral shape features).
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module
from ._errors import DSPError
from ._validation import as_float_array
from .fourier import fft_frequencies

_NP_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
                 "reflect", "symmetric", "wrap", "empty")


def _spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode, power=1.0):
    """``(S, n_fft, dtype)``: ``S`` checked, or ``|stft(y)| ** power`` (librosa's
    ``_spectrogram``); ``dtype`` is the spectrogram's dtype in librosa (float32 for float32 audio)."""
    if S is not None:
        S = as_float_array(S, name="S", min_ndim=2)
        if S.shape[-2] < 2:
            raise DSPError(f"S has {S.shape[-2]} frequency bin(s) (axis -2): need at least 2")
        if n_fft is None or n_fft // 2 + 1 != S.shape[-2]:
            n_fft = 2 * (S.shape[-2] - 1)
        return S, n_fft, S.dtype
    if y is None:
        raise DSPError("need y (audio) or S (a spectrogram): both are None")
    if n_fft is None:
        raise DSPError("n_fft=None needs S: pass n_fft >= 2 with y")
    from .spectral import stft

    y = as_float_array(y, name="y")
    # float32 audio is transformed in float64, as librosa does (its float64 window promotes the
    # frames): features of near-silent frames divide by tiny magnitudes and would otherwise
    # amplify float32 FFT rounding far beyond 1e-5. The spectrogram stays float64 internally;
    # results that librosa returns in the spectrogram's dtype are rounded back to float32.
    D = stft(y, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
             center=center, pad_mode=pad_mode, dtype=np.complex128)
    M = np.abs(D)
    if power != 1.0:
        M = M ** power if power != 2.0 else M * M
    return M, n_fft, y.dtype


def _fused_audio(y, S, freq, n_fft, hop_length, win_length, window, center, pad_mode):
    """``(y2, lead, params)`` for a fused CPU kernel that reads audio ``y`` itself (the rows
    ``y2`` (batch, n) in float64, float32 audio included (see :func:`_spectrogram`), and the
    STFT keywords, validated as :func:`dsp.stft` does); None where the fused path does not apply
    (``S`` given, CuPy audio, a time-varying ``freq``: the caller takes the spectrogram path)."""
    if S is not None or y is None or n_fft is None or array_module(y) is not np:
        return None
    if freq is not None and np.ndim(freq) != 1:
        return None
    from . import _stft_params as stft_params
    from ._validation import check_bool
    from .spectral import fft_window

    y = as_float_array(y, name="y")
    n_fft, hop_length, win_length = stft_params.lengths(n_fft, hop_length, win_length)
    center = check_bool("center", center)
    pad_mode = stft_params.check_pad_mode(pad_mode)
    if y.shape[-1] == 0:
        raise DSPError("y has 0 samples: need at least one")
    stft_params.n_frames(y.shape[-1], n_fft, hop_length, center)
    y2 = np.ascontiguousarray(y.reshape(-1, y.shape[-1]), dtype=np.float64)
    window = fft_window(window, win_length, n_fft).astype(np.float64)
    return y2, y.shape[:-1], y.dtype, dict(n_fft=n_fft, hop_length=hop_length, window=window,
                                           center=center, pad_mode=pad_mode)


def _signal_stat(y, S, freq, sr, n_fft, hop_length, win_length, window, center, pad_mode, power,
                 kind, param=0.0, amin=0.0):
    """Statistic ``kind`` of ``column_stats`` straight from audio ``y``, by the fused CPU kernel
    (``signal_stats``: STFT blocks -> ``|X| ** power`` -> statistic, no spectrogram stored), as
    ``((..., 1, t) float64, the audio's dtype)``; None where it does not apply (see
    :func:`_fused_audio`)."""
    fused = _fused_audio(y, S, freq, n_fft, hop_length, win_length, window, center, pad_mode)
    if fused is None:
        return None
    from ._dispatch import kernel

    y2, lead, dtype, params = fused
    f, _ = _freq(freq, sr, params["n_fft"], params["n_fft"] // 2 + 1)
    v = kernel("signal_stats")(y2, **params, power=power, freq=f, kind=kind, param=param, amin=amin)
    return v.reshape(lead + (1, v.shape[-1])), dtype


def _rows(S):
    """``S`` (..., n_bins, t) as contiguous spectra (lead * t, n_bins), and the leading shape."""
    xp = array_module(S)
    lead, (n_bins, t) = S.shape[:-2], S.shape[-2:]
    return xp.ascontiguousarray(xp.swapaxes(S, -1, -2).reshape(-1, n_bins)), lead, t


def _unrows(v, lead, t, dtype=np.float64):
    return v.reshape(lead + (1, t)).astype(dtype, copy=False)


def _check_nonneg(S, what):
    if S.dtype.kind == "c":
        raise DSPError(f"S is complex: {what} is only defined for real, non-negative spectrograms")
    if S.size and S.min() < 0:
        raise DSPError(f"S has negative values: {what} is only defined for non-negative energies")


def _freq(freq, sr, n_fft, n_bins):
    if freq is None:
        return fft_frequencies(sr=sr, n_fft=n_fft), True
    freq = np.asarray(freq, dtype=np.float64)
    if freq.ndim == 1:
        if freq.shape[0] != n_bins:
            raise DSPError(f"freq has shape {freq.shape}: need ({n_bins},) to match S")
        return freq, True
    return freq, False


_STFT_DOC = """    y : np.ndarray [shape=(..., n)] or None
        Audio (one :func:`dsp.stft` with the parameters below).
    sr : float > 0
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        A magnitude spectrogram to use instead of ``y``.
    n_fft, hop_length, win_length, window, center, pad_mode :
        The STFT's parameters (unused with ``S``).
    freq : np.ndarray [shape=(1 + n_fft // 2,) or S.shape] or None
        Bin frequencies; default :func:`dsp.fft_frequencies`."""
