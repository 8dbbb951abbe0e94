"""Audio-driven level of detail: a video frame rate and resolution per audio window."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_features, to_host
from ._checks import check_float, check_int
from .core import PyramidError
from .timeline import _frames_in_spans

__all__ = ["audio_level_of_detail", "LevelOfDetail"]


class LevelOfDetail(NamedTuple):
    """Per-window video level of detail chosen from audio band energies.

    extents : ``(n_windows, 2)`` spans in seconds.
    low_energy, high_energy : ``(n_windows,)`` summed STFT power in the low and high bands.
    ratio : ``high_energy / low_energy`` (``inf`` when the low band is silent and the high not).
    tier : ``(n_windows,)`` int, 0 the coarsest; index into ``frame_rates`` and ``resolutions``.
    frame_rate : ``(n_windows,)`` the chosen video frame rate.
    resolution : ``(n_windows, 2)`` the chosen (width, height).
    silent : ``(n_windows,)`` bool, windows below ``silence_db`` (given tier 0).
    """

    extents: np.ndarray
    low_energy: np.ndarray
    high_energy: np.ndarray
    ratio: np.ndarray
    tier: np.ndarray
    frame_rate: np.ndarray
    resolution: np.ndarray
    silent: np.ndarray


def _band(name, band, nyquist):
    try:
        lo, hi = (float(v) for v in band)
    except (TypeError, ValueError):
        raise PyramidError(f"{name}={band!r} must be a (low_hz, high_hz) pair") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or not 0 <= lo < hi:
        raise PyramidError(f"{name}={band!r} must satisfy 0 <= low_hz < high_hz")
    if hi > nyquist:
        raise PyramidError(f"{name}={band!r} reaches above the Nyquist frequency {nyquist:g} Hz")
    return lo, hi


def _octaves(band, df):
    lo, hi = band
    return np.log2(hi / max(lo, df))


def _tiers(ratio, th, silent, smoothing, hysteresis):
    """Tiers from ratios: moving average of log(ratio) over windows, then a Schmitt trigger."""
    with np.errstate(divide="ignore"):
        lr = np.log(np.where(np.isfinite(ratio), ratio, np.finfo(float).max))
    if smoothing > 1:
        h = smoothing // 2
        padded = np.pad(lr, h, mode="edge")
        lr = np.convolve(padded, np.full(smoothing, 1.0 / smoothing), mode="valid")
    r = np.exp(lr)
    if hysteresis == 1.0:
        tier = np.searchsorted(th, r, side="right")
    else:
        tier = np.zeros(r.size, dtype=np.int64)
        state = None
        for w in range(r.size):
            if silent[w]:
                continue
            if state is None:
                state = int(np.searchsorted(th, r[w], side="right"))
            while state < th.size and r[w] >= th[state] * hysteresis:
                state += 1
            while state > 0 and r[w] < th[state - 1] / hysteresis:
                state -= 1
            tier[w] = state
    return np.where(silent, 0, tier)


def audio_level_of_detail(y=None, sr=22050, *, S=None, window: float = 0.5, n_fft: int = 2048,
                          hop_length: int = 512, low_band=(20.0, 200.0), high_band=(2000.0, 8000.0),
                          thresholds=(0.5, 2.0), frame_rates=(15, 30, 60),
                          resolutions=((640, 480), (1280, 720), (1920, 1080)),
                          silence_db: float = -60.0, normalize=None, smoothing: int = 1,
                          hysteresis: float = 1.0) -> LevelOfDetail:
    """Choose a video frame rate and resolution for each audio window from its band energies.

    Low-frequency audio (speech fundamentals, bass: 20-200 Hz) suggests a static scene; high-
    frequency audio (sibilants, cymbals, transients: 2-8 kHz) suggests fast motion. For each window
    the ratio ``E_high / E_low`` of STFT power in the two bands picks a tier:
    ``tier = #{thresholds <= ratio}``, so with the defaults ratio < 0.5 -> 15 fps 640x480,
    0.5 <= ratio < 2 -> 30 fps 1280x720, ratio >= 2 -> 60 fps 1920x1080. Windows quieter than
    ``silence_db`` below the loudest window get tier 0.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], optional
        Audio; leading axes are channels, whose powers are summed.
    sr : float > 0
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)], optional
        A power spectrogram (``|stft|**2``, centred frames with hop ``hop_length``) instead of
        ``y``; ``n_fft`` is then ``2 * (S.shape[-2] - 1)`` and the duration is taken as
        ``((t - 1) * hop_length + 1) / sr``, just past the last frame's centre.
    window : float > 0
        Window length in seconds; windows tile ``[0, duration)``, the last one may be shorter.
    n_fft, hop_length : int
        The STFT (:func:`dsp.stft`, centred Hann frames); frame ``m`` is at ``m * hop / sr`` s.
    low_band, high_band : (float, float)
        Bands in Hz, half-open ``[low, high)`` over the STFT bin frequencies ``k * sr / n_fft``.
    thresholds : sequence of float, increasing
        Ratio thresholds between tiers (``len(frame_rates) - 1`` of them).
    frame_rates : sequence of float
        Frame rate per tier, coarsest first.
    resolutions : sequence of (int, int)
        (width, height) per tier, coarsest first.
    silence_db : float <= 0
        Windows whose total power is this many dB below the loudest window's are silent.
    normalize : {None, 'octave'}
        ``'octave'``: divide each band's energy by its width in octaves (``log2(high / low)``,
        the low edge taken as the first bin above 0 Hz), i.e. compare energy *per octave*. Natural
        sounds fall off roughly as 1/f (pink), which puts equal energy in every octave; the ratio
        of a pink spectrum is then 1 whatever the bands, so the thresholds measure departures
        from the usual spectral tilt rather than the band widths chosen.
    smoothing : int >= 1, odd
        Centred moving average of ``log(ratio)`` over this many windows (a geometric mean of the
        ratios, edges padded with the end values) before the tiers are chosen; ``ratio`` itself
        is returned unsmoothed. A periodic alarm that beeps in every other window then gives a
        steady smoothed ratio (a median would keep the alternation).
    hysteresis : float >= 1
        Schmitt trigger between tiers: moving up across threshold ``t`` needs a (smoothed)
        ratio of at least ``t * hysteresis``, moving down one below ``t / hysteresis``; in between
        the previous window's tier is kept. 1 (default) turns it off. A steady hiss whose ratio
        hovers around a threshold then keeps one tier. Silent windows get tier 0 and do not
        change the state.

    Returns
    -------
    LevelOfDetail

    Raises
    ------
    PyramidError
        Neither or both of ``y`` and ``S``, bands outside ``[0, sr/2]`` or with no STFT bin,
        thresholds not increasing or not matching the tiers, ``normalize`` unknown, ``smoothing``
        not a positive odd integer, ``hysteresis`` below 1.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import align
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> hum = np.sin(2 * np.pi * 100 * t)                 # 1 s of 100 Hz
    >>> hiss = np.sin(2 * np.pi * 5000 * t)               # 1 s of 5 kHz
    >>> y = np.concatenate([hum, hiss]).astype(np.float32)
    >>> lod = align.audio_level_of_detail(y, sr, window=1.0)
    >>> lod.frame_rate.tolist(), lod.tier.tolist()
    ([15, 60], [0, 2])
    """
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    window = check_float("window", window, minimum=0.0, strict_minimum=True)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    silence_db = check_float("silence_db", silence_db, maximum=0.0)
    if normalize not in (None, "octave"):
        raise PyramidError(f"normalize={normalize!r} is not supported: use None or 'octave'")
    smoothing = check_int("smoothing", smoothing, minimum=1)
    hysteresis = check_float("hysteresis", hysteresis, minimum=1.0)
    if smoothing % 2 == 0:
        raise PyramidError(f"smoothing={smoothing} must be odd (a centred median over windows)")
    if (y is None) == (S is None):
        raise PyramidError("audio_level_of_detail needs exactly one of y (audio) or S (a power spectrogram)")
    # every parameter is checked before the STFT runs
    n_tiers = len(frame_rates)
    if n_tiers < 1 or len(resolutions) != n_tiers:
        raise PyramidError(
            f"frame_rates has {len(frame_rates)} entries and resolutions {len(resolutions)}: need "
            "the same number (>= 1), one per tier"
        )
    try:
        th = np.asarray(thresholds, dtype=np.float64).ravel()
        res = np.asarray(resolutions, dtype=np.int64)
        rates = np.asarray(frame_rates, dtype=np.float64)
    except (TypeError, ValueError):
        raise PyramidError(
            f"thresholds={thresholds!r}, frame_rates={frame_rates!r} and resolutions={resolutions!r} "
            "must be numbers (resolutions: (width, height) pairs)"
        ) from None
    if th.size != n_tiers - 1:
        raise PyramidError(
            f"thresholds has {th.size} value(s): need {n_tiers - 1} (one between each pair of tiers)"
        )
    if th.size and (not np.isfinite(th).all() or (th < 0).any() or (np.diff(th) <= 0).any()):
        raise PyramidError(f"thresholds={th.tolist()} must be non-negative, finite and increasing")
    if res.shape != (n_tiers, 2):
        raise PyramidError(f"resolutions has shape {res.shape}: need ({n_tiers}, 2) (width, height) pairs")
    if (rates == rates.round()).all():
        rates = rates.astype(np.int64)
    nyq = sr / 2
    lo_b = _band("low_band", low_band, nyq)
    hi_b = _band("high_band", high_band, nyq)
    if S is None:
        y = as_features(y, "y", min_ndim=1)
        n_fft = check_int("n_fft", n_fft, minimum=2)
    else:
        P = as_features(S, "S", min_ndim=2)
        if P.shape[-2] < 2:
            raise PyramidError(f"S has {P.shape[-2]} frequency bin(s) on axis -2: need at least 2")
        if bool((P < 0).any()):
            raise PyramidError("S has negative values: need a power spectrogram |stft|**2")
        n_fft = 2 * (P.shape[-2] - 1)
    freqs = np.arange(n_fft // 2 + 1) * (sr / n_fft)
    bins = []
    for name, (lo, hi) in (("low_band", lo_b), ("high_band", hi_b)):
        sel = np.flatnonzero((freqs >= lo) & (freqs < hi))
        if sel.size == 0:
            raise PyramidError(
                f"{name}=({lo:g}, {hi:g}) Hz contains no STFT bin (bins are {sr / n_fft:.4g} Hz apart): "
                "widen the band or raise n_fft"
            )
        bins.append((int(sel[0]), int(sel[-1]) + 1))

    if S is None:
        from dsp.spectral import stft

        D = stft(y, n_fft=n_fft, hop_length=hop_length, center=True)
        P = D.real * D.real + D.imag * D.imag
        n_samples = y.shape[-1]
    else:
        n_samples = (P.shape[-1] - 1) * hop_length + 1
    P = P.reshape((-1,) + P.shape[-2:]).sum(axis=0)  # channels' powers add
    energies = [to_host(P[b0:b1].sum(axis=0)).astype(np.float64) for b0, b1 in bins]
    total = to_host(P.sum(axis=0)).astype(np.float64)

    duration = n_samples / sr
    n_win = max(1, int(np.ceil(duration / window - 1e-9)))
    starts = np.arange(n_win) * window
    ends = np.minimum(starts + window, duration)
    frame_t = np.arange(P.shape[1]) * (hop_length / sr)
    win, fr = _frames_in_spans(starts, ends, frame_t)
    low = np.bincount(win, weights=energies[0][fr], minlength=n_win)
    high = np.bincount(win, weights=energies[1][fr], minlength=n_win)
    tot = np.bincount(win, weights=total[fr], minlength=n_win)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(low > 0, high / np.where(low > 0, low, 1.0), np.where(high > 0, np.inf, 0.0))
    if normalize == "octave":
        ratio = ratio * (_octaves(lo_b, sr / n_fft) / _octaves(hi_b, sr / n_fft))
    peak = tot.max()
    silent = tot <= peak * 10.0 ** (silence_db / 10.0) if peak > 0 else np.ones(n_win, bool)
    tier = _tiers(ratio, th, silent, smoothing, hysteresis)
    return LevelOfDetail(np.stack([starts, ends], axis=1), low, high, ratio, tier, rates[tier], res[tier], silent)
