"""Tempo in the Fourier domain, with librosa 0.11's semantics: ``tempo_frequencies``,
``fourier_tempo_frequencies``, ``fourier_tempogram`` and the predominant local pulse ``plp``.

The Fourier tempogram is our STFT of the onset envelope with a hop of one frame; ``plp`` keeps,
frame by frame, only the strongest tempo bin inside ``[tempo_min, tempo_max]`` (optionally
weighted by a prior), normalises it to unit magnitude so only its phase remains, and inverts with
our ISTFT: the result peaks where the dominant periodicity says a beat should be.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module
from ._errors import DSPError
from ._util import normalize
from ._validation import check_float, check_int
from .fourier import fft_frequencies

__all__ = ["tempo_frequencies", "fourier_tempo_frequencies", "fourier_tempogram", "plp"]


def tempo_frequencies(n_bins, *, hop_length=512, sr=22050) -> np.ndarray:
    """Tempo (BPM) of each lag bin of an autocorrelation tempogram, as ``librosa.tempo_frequencies``.

    Bin 0 (lag 0) is ``inf``; bin ``k`` is ``60 sr / (hop_length k)``.

    Returns
    -------
    np.ndarray [shape=(n_bins,)], float64

    Examples
    --------
    >>> import dsp
    >>> dsp.tempo_frequencies(4, hop_length=512, sr=22050).round(1)
    array([   inf, 2584. , 1292. ,  861.3])
    """
    n_bins = check_int("n_bins", n_bins, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    f = np.empty(n_bins, dtype=np.float64)
    f[0] = np.inf
    f[1:] = 60.0 * sr / (hop_length * np.arange(1.0, n_bins))
    return f


def fourier_tempo_frequencies(*, sr=22050, win_length=384, hop_length=512) -> np.ndarray:
    """Tempo (BPM) of each bin of a Fourier tempogram, as ``librosa.fourier_tempo_frequencies``.

    The FFT bin frequencies of a ``win_length``-point transform at the frame rate, in beats per
    minute: ``k * 60 sr / (hop_length win_length)`` for ``k = 0 .. win_length // 2``.

    Returns
    -------
    np.ndarray [shape=(win_length // 2 + 1,)], float64

    Examples
    --------
    >>> import dsp
    >>> dsp.fourier_tempo_frequencies(sr=22050, win_length=4, hop_length=512).round(2)
    array([   0.  ,  646.  , 1291.99])
    """
    hop_length = check_int("hop_length", hop_length, minimum=1)
    win_length = check_int("win_length", win_length, minimum=1)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    return fft_frequencies(sr=sr * 60 / float(hop_length), n_fft=win_length)


def fourier_tempogram(*, y=None, sr=22050, onset_envelope=None, hop_length=512, win_length=384,
                      center=True, window="hann"):
    """Short-time Fourier transform of the onset envelope, as ``librosa.feature.fourier_tempogram``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    onset_envelope : np.ndarray [shape=(..., m)] or None
        Default :func:`dsp.onset.onset_strength` of ``y``.
    hop_length : int > 0
        Audio samples per onset frame (only used to compute the envelope).
    win_length : int > 0
        Onset frames per analysis window (the FFT size).
    center, window
        As in :func:`dsp.stft`.

    Returns
    -------
    np.ndarray [shape=(..., win_length // 2 + 1, m)], complex

    Examples
    --------
    >>> import numpy as np, dsp
    >>> env = np.tile([1.0, 0, 0, 0, 0, 0, 0, 0], 64)
    >>> ftg = dsp.feature.fourier_tempogram(onset_envelope=env, win_length=64)
    >>> ftg.shape, int(np.abs(ftg[1:, 256]).argmax()) + 1
    ((33, 513), 8)
    """
    from ._beat import _envelope  # _beat imports this module: imported at call time
    from .spectral import stft

    win_length = check_int("win_length", win_length, minimum=1)
    env = _envelope(y, sr, onset_envelope, hop_length)
    return stft(env, n_fft=win_length, hop_length=1, center=center, window=window)


def _lexicographic_max(xp, z, axis):
    """NumPy's max of complex numbers along ``axis`` (largest real part, then largest imaginary
    part), written out so that it means the same on CuPy; keeps the axis."""
    re = z.real.max(axis=axis, keepdims=True)
    im = xp.where(z.real == re, z.imag, -xp.inf).max(axis=axis, keepdims=True)
    return re + 1j * im


def plp(*, y=None, sr=22050, onset_envelope=None, hop_length=512, win_length=384, tempo_min=30,
        tempo_max=300, prior=None):
    """Predominant local pulse, as ``librosa.beat.plp``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    onset_envelope : np.ndarray [shape=(..., m)] or None
        Default: :func:`dsp.onset.onset_strength` of ``y`` with ``aggregate=np.median``.
    hop_length : int > 0
    win_length : int > 0
        Onset frames per Fourier-tempogram window.
    tempo_min, tempo_max : float or None
        Tempo range (BPM) the pulse may take; ``None`` leaves that side open.
    prior : object with ``logpdf`` (e.g. a ``scipy.stats`` distribution) or None
        Log-prior over tempo (BPM) added to the log-magnitude before picking the peak.

    Returns
    -------
    np.ndarray [shape=(..., m)]
        The pulse curve, non-negative, normalised to a maximum of 1 per channel.

    Raises
    ------
    DSPError
        ``tempo_max <= tempo_min``, ``win_length < 1``, neither ``y`` nor ``onset_envelope``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> env = np.tile([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 40)
    >>> pulse = dsp.beat.plp(onset_envelope=env, sr=22050, hop_length=512)
    >>> peaks = np.flatnonzero(pulse > 0.99)  # one beat every 20 frames
    >>> pulse.shape, np.diff(peaks[:4]).tolist()
    ((800,), [20, 20, 20])
    """
    from ._beat import _envelope

    # librosa's plp takes the envelope's median over mel bands, not onset_strength's mean
    kw = {"aggregate": np.median} if onset_envelope is None else {}
    env = _envelope(y, sr, onset_envelope, hop_length, **kw)
    if tempo_min is not None:
        tempo_min = check_float("tempo_min", tempo_min)
    if tempo_max is not None:
        tempo_max = check_float("tempo_max", tempo_max)
    if tempo_min is not None and tempo_max is not None and tempo_max <= tempo_min:
        raise DSPError(f"tempo_max={tempo_max} must be larger than tempo_min={tempo_min}")
    if prior is not None and not callable(getattr(prior, "logpdf", None)):
        raise DSPError(f"prior={prior!r} has no logpdf method: pass a scipy.stats distribution or None")

    ftgram = fourier_tempogram(onset_envelope=env, sr=sr, hop_length=hop_length, win_length=win_length)
    xp = array_module(ftgram)  # CuPy in, CuPy out: only the tempo axis' masks come from the host
    bpm = fourier_tempo_frequencies(sr=sr, hop_length=hop_length, win_length=win_length)
    if tempo_min is not None:
        ftgram[..., xp.asarray(bpm < tempo_min), :] = 0
    if tempo_max is not None:
        ftgram[..., xp.asarray(bpm > tempo_max), :] = 0

    # keep each frame's strongest (prior-weighted) tempo bin only
    ftmag = xp.log1p(1e6 * xp.abs(ftgram))
    if prior is not None:
        ftmag = ftmag + xp.asarray(prior.logpdf(bpm))[:, None]
    ftgram[ftmag < ftmag.max(axis=-2, keepdims=True)] = 0
    # unit magnitude: only the phase of the pulse survives. librosa divides by |max over bins|
    # where NumPy orders complex numbers lexicographically (real part first): when the kept bin
    # has a negative real part, that max is a zeroed bin. _lexicographic_max states the order
    # explicitly, so the device (whose max of complex numbers is not that order) agrees.
    tiny = np.finfo(ftgram.dtype).tiny
    ftgram /= tiny ** 0.5 + xp.abs(_lexicographic_max(xp, ftgram, axis=-2))

    from .spectral import istft

    pulse = istft(ftgram, hop_length=1, n_fft=win_length, length=env.shape[-1])
    pulse = xp.clip(pulse, 0, None, out=pulse)
    return normalize(pulse, axis=-1)
