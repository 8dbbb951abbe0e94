"""The spectral shape features with librosa 0.11's signatures: ``spectral_centroid``,
``_bandwidth``, ``_rolloff``, ``_flatness``, ``_contrast`` and ``poly_features``.

Each takes audio ``y`` (one STFT is computed, by :func:`dsp.stft`) or a spectrogram ``S``
(``(..., 1 + n_fft // 2, n_frames)``, leading axes are channels) and returns
``(..., n_features, n_frames)``. The per-frame arithmetic runs in float64 in the kernels of
:mod:`dsp_kernels.cpu.features`; result dtypes are librosa's (float64 where librosa multiplies
by its float64 frequency grid, the spectrogram's dtype for ``spectral_flatness``, ``dtype`` for
``rms``). ``rms`` and ``zero_crossing_rate`` are defined in :mod:`dsp._features_signal` and
re-exported here; the helpers they share in :mod:`dsp._features_common`.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module
from ._dispatch import kernel, kernel_for
from ._errors import DSPError
from ._validation import check_float, check_int
from .fourier import fft_frequencies
from ._features_common import (_STFT_DOC, _check_nonneg, _freq, _fused_audio, _rows, _signal_stat,
                               _spectrogram, _unrows)
from ._features_signal import rms, zero_crossing_rate  # noqa: F401  (re-exported)

__all__ = [
    "rms", "zero_crossing_rate", "spectral_centroid", "spectral_bandwidth", "spectral_rolloff",
    "spectral_flatness", "spectral_contrast", "poly_features",
]


def spectral_centroid(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, freq=None,
                      win_length=None, window="hann", center=True, pad_mode="constant"):
    fused = _signal_stat(y, S, freq, sr, n_fft, hop_length, win_length, window, center, pad_mode,
                         1.0, 0)
    if fused is not None:
        return fused[0]
    S, n_fft, s_dtype = _spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    _check_nonneg(S, "the spectral centroid")
    f, one_d = _freq(freq, sr, n_fft, S.shape[-2])
    if not one_d:
        tot = S.sum(axis=-2, keepdims=True)
        tot = np.where(tot < np.finfo(S.dtype).tiny, 1.0, tot)
        return np.sum(f * (S / tot), axis=-2, keepdims=True)
    M, lead, t = _rows(S)
    return _unrows(kernel_for("column_stats", M)(M, f, 0), lead, t)


spectral_centroid.__doc__ = f"""Spectral centroid per frame, as ``librosa.feature.spectral_centroid``.

    ``sum_k f_k S[k, t] / sum_k S[k, t]`` (a silent frame gives 0).

    Parameters
    ----------
{_STFT_DOC}

    Returns
    -------
    np.ndarray [shape=(..., 1, t)], float64

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 1000 * np.arange(22050) / 22050)
    >>> c = dsp.feature.spectral_centroid(y=y, sr=22050)
    >>> c.shape, bool(abs(c[0, 10] - 1000) < 20)
    ((1, 44), True)
    """


def spectral_bandwidth(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                       window="hann", center=True, pad_mode="constant", freq=None, centroid=None,
                       norm=True, p=2):
    p = check_float("p", p, minimum=0.0, strict_minimum=True)
    if centroid is None:
        fused = _signal_stat(y, S, freq, sr, n_fft, hop_length, win_length, window, center,
                             pad_mode, 1.0, 1, p, 0.0 if norm else 1.0)
        if fused is not None:
            return fused[0]
    S, n_fft, s_dtype = _spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    _check_nonneg(S, "the spectral bandwidth")
    f, one_d = _freq(freq, sr, n_fft, S.shape[-2])
    if centroid is None:
        centroid = spectral_centroid(sr=sr, S=S, n_fft=n_fft, freq=freq)
    else:
        centroid = array_module(S).asarray(centroid, dtype=np.float64)
        want = S.shape[:-2] + (1, S.shape[-1])
        if centroid.shape != want:
            raise DSPError(f"centroid has shape {centroid.shape}: need {want}")
    if not one_d:
        Sn = S
        if norm:
            tot = S.sum(axis=-2, keepdims=True)
            Sn = S / np.where(tot < np.finfo(S.dtype).tiny, 1.0, tot)
        return np.sum(Sn * np.abs(f - centroid) ** p, axis=-2, keepdims=True) ** (1.0 / p)
    M, lead, t = _rows(S)
    xp = array_module(M)
    c = xp.ascontiguousarray(xp.swapaxes(centroid, -1, -2).reshape(-1))
    return _unrows(kernel_for("column_stats", M)(M, f, 1, p, 0.0 if norm else 1.0, c), lead, t)


spectral_bandwidth.__doc__ = f"""Spectral bandwidth of order ``p`` per frame, as ``librosa.feature.spectral_bandwidth``.

    ``(sum_k S[k, t] |f_k - centroid[t]|^p) ^ (1/p)``, with ``S`` normalised to sum 1 per frame
    when ``norm``.

    Parameters
    ----------
{_STFT_DOC}
    centroid : np.ndarray [shape=(..., 1, t)] or None
        Precomputed centroids (default :func:`spectral_centroid`).
    norm : bool
    p : float > 0

    Returns
    -------
    np.ndarray [shape=(..., 1, t)], float64

    Raises
    ------
    DSPError
        ``p <= 0``, a negative or complex ``S``, mismatched ``freq`` or ``centroid``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.random.default_rng(0).standard_normal(22050)
    >>> dsp.feature.spectral_bandwidth(y=y, sr=22050, p=2).shape
    (1, 44)
    """


def spectral_rolloff(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                     window="hann", center=True, pad_mode="constant", freq=None, roll_percent=0.85):
    roll_percent = check_float("roll_percent", roll_percent)
    if not 0.0 < roll_percent < 1.0:
        raise DSPError(f"roll_percent={roll_percent} is out of range: need 0 < roll_percent < 1")
    fused = _signal_stat(y, S, freq, sr, n_fft, hop_length, win_length, window, center, pad_mode,
                         1.0, 2, roll_percent)
    if fused is not None:
        return fused[0]
    S, n_fft, s_dtype = _spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    _check_nonneg(S, "the spectral roll-off")
    f, one_d = _freq(freq, sr, n_fft, S.shape[-2])
    if not one_d:
        total = np.cumsum(S, axis=-2)
        ind = np.where(total < roll_percent * total[..., -1:, :], np.nan, 1)
        return np.nanmin(ind * f, axis=-2, keepdims=True)
    M, lead, t = _rows(S)
    return _unrows(kernel_for("column_stats", M)(M, f, 2, roll_percent), lead, t)


spectral_rolloff.__doc__ = f"""Roll-off frequency per frame, as ``librosa.feature.spectral_rolloff``.

    The lowest bin frequency at which the cumulative sum of ``S`` reaches ``roll_percent`` of
    the frame's total.

    Parameters
    ----------
{_STFT_DOC}
    roll_percent : float, 0 < roll_percent < 1

    Returns
    -------
    np.ndarray [shape=(..., 1, t)], float64

    Raises
    ------
    DSPError
        ``roll_percent`` outside (0, 1), a negative or complex ``S``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 1000 * np.arange(22050) / 22050)
    >>> float(dsp.feature.spectral_rolloff(y=y, sr=22050)[0, 10])
    1012.060546875
    """


def spectral_flatness(*, y=None, S=None, n_fft=2048, hop_length=512, win_length=None,
                      window="hann", center=True, pad_mode="constant", amin=1e-10, power=2.0):
    """Spectral flatness (Wiener entropy) per frame, as ``librosa.feature.spectral_flatness``.

    ``exp(mean log m) / mean m`` over the bins, with ``m = max(amin, S ** power)``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio (one :func:`dsp.stft`, magnitudes).
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        A magnitude spectrogram to use instead.
    n_fft, hop_length, win_length, window, center, pad_mode :
        The STFT's parameters (unused with ``S``).
    amin : float > 0
    power : float > 0

    Returns
    -------
    np.ndarray [shape=(..., 1, t)], the spectrogram's dtype

    Raises
    ------
    DSPError
        ``amin <= 0``, a negative or complex ``S``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> F = dsp.feature.spectral_flatness(y=y)
    >>> F.shape, F.dtype, bool(0.3 < F[0, 10] < 1)
    ((1, 44), dtype('float32'), True)
    """
    amin = check_float("amin", amin, minimum=0.0, strict_minimum=True)
    power = check_float("power", power, minimum=0.0, strict_minimum=True)
    # |X| ** power straight from the FFT (the rule's power then 1)
    fused = _signal_stat(y, S, None, 22050.0, n_fft, hop_length, win_length, window, center,
                         pad_mode, power, 3, 1.0, amin)
    if fused is not None:
        return fused[0].astype(fused[1], copy=False)
    S, n_fft, s_dtype = _spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    _check_nonneg(S, "spectral flatness")
    M, lead, t = _rows(S)
    return _unrows(kernel_for("column_stats", M)(M, np.zeros(M.shape[1]), 3, power, amin), lead, t, s_dtype)


def spectral_contrast(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                      window="hann", center=True, pad_mode="constant", freq=None, fmin=200.0,
                      n_bands=6, quantile=0.02, linear=False):
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    n_bands = check_int("n_bands", n_bands, minimum=1)
    quantile = check_float("quantile", quantile)
    if not 0.0 < quantile < 1.0:
        raise DSPError(f"quantile={quantile} is out of range: need 0 < quantile < 1")
    fmin = check_float("fmin", fmin, minimum=0.0, strict_minimum=True)
    # from audio on the default bin grid: one fused pass (STFT blocks -> |X| -> each band's
    # extremes per frame), unless a band is empty (librosa's mean of nothing: the path below)
    fused = None if freq is not None else _fused_audio(y, S, None, n_fft, hop_length, win_length,
                                                        window, center, pad_mode)
    if fused is not None:
        y2, lead, _, params = fused
        bands = _contrast_bands(fft_frequencies(sr=sr, n_fft=params["n_fft"]), sr, fmin, n_bands,
                                quantile)
        lo, hi, q = (np.array([b[j] for b in bands], np.int64) for j in (1, 2, 3))
        if np.all(hi > lo):
            valley, peak = kernel("signal_contrast")(y2, **params, lo=lo, hi=hi,
                                                     q=np.minimum(q, hi - lo))
            return _contrast_db(valley.reshape(lead + valley.shape[1:]),
                                peak.reshape(lead + peak.shape[1:]), linear)
    S, n_fft, s_dtype = _spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    if S.dtype.kind == "c":
        raise DSPError("S is complex: spectral contrast needs a real magnitude spectrogram")
    f = fft_frequencies(sr=sr, n_fft=n_fft) if freq is None else np.atleast_1d(np.asarray(freq, np.float64))
    if f.ndim != 1 or f.shape[0] != S.shape[-2]:
        raise DSPError(f"freq has shape {f.shape}: need ({S.shape[-2]},) to match S")
    bands = _contrast_bands(f, sr, fmin, n_bands, quantile)
    shape = S.shape[:-2] + (n_bands + 1, S.shape[-1])
    valley = np.zeros(shape)
    peak = np.zeros(shape)
    for k, (band, _, _, q) in enumerate(bands):
        sub = S[..., band, :]
        if k < n_bands:
            sub = sub[..., :-1, :]
        srt = np.sort(sub, axis=-2)
        valley[..., k, :] = np.mean(srt[..., :q, :], axis=-2, dtype=np.float64)
        peak[..., k, :] = np.mean(srt[..., -q:, :], axis=-2, dtype=np.float64)
    return _contrast_db(valley, peak, linear)


def _contrast_db(valley, peak, linear):
    if linear:
        return peak - valley
    from ._decibel import power_to_db

    return power_to_db(peak) - power_to_db(valley)


def _contrast_bands(f, sr, fmin, n_bands, quantile):
    """librosa's octave bands over the bin frequencies ``f``: per band ``(mask, lo, hi, q)``,
    the bins it takes (the mask, before the last bin is dropped from all bands but the top
    one; ``lo .. hi - 1`` when ``f`` increases) and how many extremes are averaged."""
    edges = np.zeros(n_bands + 2)
    edges[1:] = fmin * 2.0 ** np.arange(n_bands + 1)
    if np.any(edges[:-1] >= 0.5 * sr):
        raise DSPError(f"fmin={fmin} with n_bands={n_bands} puts a band edge at or above the "
                       f"Nyquist frequency {0.5 * sr}: lower fmin or n_bands")
    bands = []
    for k in range(n_bands + 1):
        band = (f >= edges[k]) & (f <= edges[k + 1])
        idx = np.flatnonzero(band)
        if idx.size == 0:
            raise DSPError(f"band {k} ({edges[k]:.1f}-{edges[k + 1]:.1f} Hz) holds no frequency "
                           "bin: raise n_fft or fmin")
        if k > 0:
            band[idx[0] - 1] = True
        if k == n_bands:
            band[idx[-1] + 1:] = True
        q = max(int(np.rint(quantile * np.count_nonzero(band))), 1)
        on = np.flatnonzero(band)
        bands.append((band, int(on[0]), int(on[-1]) + (1 if k == n_bands else 0), q))
    return bands


spectral_contrast.__doc__ = f"""Spectral contrast per octave band, as ``librosa.feature.spectral_contrast``.

    Band ``k`` spans ``fmin 2^(k-1) .. fmin 2^k`` (band 0 starts at 0 Hz, the last reaches the
    Nyquist bin); per frame, the mean of its top and bottom ``quantile`` of magnitudes give the
    peak and the valley; the contrast is their difference in dB (``linear=False``) or linear.

    Parameters
    ----------
{_STFT_DOC}
    fmin : float > 0
    n_bands : int >= 1
    quantile : float, 0 < quantile < 1
    linear : bool

    Returns
    -------
    np.ndarray [shape=(..., n_bands + 1, t)], float64

    Raises
    ------
    DSPError
        ``n_bands < 1``, ``quantile`` outside (0, 1), ``fmin <= 0``, a band past Nyquist.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.random.default_rng(0).standard_normal(22050)
    >>> dsp.feature.spectral_contrast(y=y, sr=22050).shape
    (7, 44)
    """


def poly_features(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                  window="hann", center=True, pad_mode="constant", order=1, freq=None):
    order = check_int("order", order, minimum=0)
    fused = _fused_audio(y, S, freq, n_fft, hop_length, win_length, window, center, pad_mode)
    if fused is not None:
        # from audio: the least-squares solution is a fixed linear map of each frame's
        # magnitudes (V's pseudo-inverse, the same cut-off as lstsq's), so it runs as the mel
        # kernel's projection onto order + 1 dense "bands", fused with the STFT
        y2, lead, _, params = fused
        n_bins = params["n_fft"] // 2 + 1
        f, _ = _freq(freq, sr, params["n_fft"], n_bins)
        V, scale = _poly_design(f, order, n_bins)
        P = np.linalg.pinv(V, rcond=n_bins * np.finfo(np.float64).eps) / scale[:, None]
        starts = np.zeros(order + 1, np.int64)
        offsets = np.arange(order + 2, dtype=np.int64) * n_bins
        coef = kernel("melspectrogram")(y2, **params, power=1.0, starts=starts, offsets=offsets,
                                        weights=np.ascontiguousarray(P).reshape(-1),
                                        out_dtype=np.float64)
        return coef.reshape(lead + coef.shape[1:])
    S, n_fft, s_dtype = _spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    if S.dtype.kind == "c":
        raise DSPError("S is complex: poly_features needs a real magnitude spectrogram")
    f, one_d = _freq(freq, sr, n_fft, S.shape[-2])
    if not one_d:
        raise DSPError(f"freq has shape {np.shape(freq)}: only 1-D bin frequencies are supported")
    n_bins = S.shape[-2]
    V, scale = _poly_design(f, order, n_bins)
    lead, t = S.shape[:-2], S.shape[-1]
    rhs = np.moveaxis(S, -2, 0).reshape(n_bins, -1).astype(np.float64)
    coef, *_ = np.linalg.lstsq(V, rhs, rcond=n_bins * np.finfo(np.float64).eps)
    coef = (coef.T / scale).T
    return np.moveaxis(coef.reshape((order + 1,) + lead + (t,)), 0, -2)


def _poly_design(f, order, n_bins):
    """numpy.polyfit's least-squares design: the Vandermonde matrix of ``f`` with unit columns,
    and the columns' norms."""
    if order >= n_bins:
        raise DSPError(f"order={order} is too large for {n_bins} bins: need order < {n_bins}")
    V = np.vander(f, order + 1)
    scale = np.sqrt((V * V).sum(axis=0))
    return V / scale, scale


poly_features.__doc__ = f"""Coefficients of a polynomial fitted to each frame, as ``librosa.feature.poly_features``.

    Per frame, the least-squares polynomial of degree ``order`` through ``(freq, S[:, t])``,
    highest power first (numpy.polyfit's convention).

    Parameters
    ----------
{_STFT_DOC}
    order : int >= 0

    Returns
    -------
    np.ndarray [shape=(..., order + 1, t)], float64

    Raises
    ------
    DSPError
        A negative ``order``, or one not below the number of bins.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.random.default_rng(0).standard_normal(22050)
    >>> dsp.feature.poly_features(y=y, order=2).shape
    (3, 44)
    """
