"""Chroma with librosa 0.11's semantics: the filterbank ``dsp.filters.chroma``, ``chroma_stft``,
``piptrack``, ``estimate_tuning`` and ``pitch_tuning``.

The tuning estimate is a histogram argmax (an estimator): to return librosa's bin on the same
input, the spectrogram follows librosa's dtype path (a float64 transform, rounded to complex64
for float32 audio, squared in that precision) and the pitch arithmetic keeps numpy's dtypes.

CuPy in, CuPy out: the STFT (GPU twin), ``piptrack``'s peak arithmetic and ``chroma_stft``'s
filterbank product (a dense matmul, cuBLAS) and normalisation run on the device;
``estimate_tuning`` copies only the selected peak frequencies to the host for its histogram.
"""
from __future__ import annotations

import inspect
import warnings

import numpy as np

from ._backend import array_module, is_cupy_array
from ._dispatch import kernel
from ._errors import DSPError
from ._util import localmax, normalize
from ._validation import as_float_array, check_float, check_int
from ._piptrack_peaks import listed_peaks as _listed_peaks, peaks_by_chunks as _peaks_by_chunks
from .fourier import fft_frequencies

__all__ = ["chroma", "chroma_stft", "piptrack", "estimate_tuning", "pitch_tuning"]


def _hz_to_octs(f, tuning, bins_per_octave):
    a440 = 440.0 * 2.0 ** (tuning / bins_per_octave)
    return np.log2(f / (float(a440) / 16))


def chroma(*, sr, n_fft, n_chroma=12, tuning=0.0, ctroct=5.0, octwidth=2, norm=2, base_c=True,
           dtype=np.float32):
    """Chroma filterbank for STFT bins, as ``librosa.filters.chroma``.

    Each FFT bin's frequency is placed on a chroma axis of ``n_chroma`` bins per octave (A440
    shifted by ``tuning`` fractions of a bin); bin ``k`` gets a Gaussian weight in its circular
    distance to each chroma bin, the columns are normalised by ``norm``, and an optional
    Gaussian in octaves (centre ``ctroct``, width ``octwidth``) de-emphasises extremes.

    Parameters
    ----------
    sr : float > 0
    n_fft : int > 1
    n_chroma : int > 0
    tuning : float
        In fractions of a chroma bin.
    ctroct, octwidth : float, float or None
        The octave weighting (None: flat).
    norm : float or None
        Column normalisation (:func:`dsp.util.normalize`).
    base_c : bool
        True: the first row is C; False: A.
    dtype : np.dtype

    Returns
    -------
    np.ndarray [shape=(n_chroma, 1 + n_fft // 2)]

    Raises
    ------
    DSPError
        ``sr <= 0``, ``n_fft < 2``, ``n_chroma < 1``, ``octwidth <= 0``.

    Examples
    --------
    >>> import dsp
    >>> dsp.filters.chroma(sr=22050, n_fft=2048).shape
    (12, 1025)
    """
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    n_fft = check_int("n_fft", n_fft, minimum=2)
    n_chroma = check_int("n_chroma", n_chroma, minimum=1)
    tuning = check_float("tuning", tuning)
    ctroct = check_float("ctroct", ctroct)
    if octwidth is not None:
        octwidth = check_float("octwidth", octwidth, minimum=0.0, strict_minimum=True)
    freqs = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    fb = n_chroma * _hz_to_octs(freqs, tuning, n_chroma)
    fb = np.concatenate(([fb[0] - 1.5 * n_chroma], fb))
    width = np.concatenate((np.maximum(fb[1:] - fb[:-1], 1.0), [1]))
    D = np.subtract.outer(fb, np.arange(0, n_chroma, dtype="d")).T
    half = np.round(float(n_chroma) / 2)
    D = np.remainder(D + half + 10 * n_chroma, n_chroma) - half
    wts = np.exp(-0.5 * (2 * D / width[None, :]) ** 2)
    wts = normalize(wts, norm=norm, axis=0)
    if octwidth is not None:
        wts *= np.exp(-0.5 * ((fb / n_chroma - ctroct) / octwidth) ** 2)[None, :]
    if base_c:
        wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(wts[:, : int(1 + n_fft / 2)], dtype=dtype)


def _power_spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode, power):
    """librosa's ``_spectrogram``: ``S`` as given, or ``|stft(y)| ** power`` in y's precision."""
    if S is not None:
        S = as_float_array(S, name="S", allow_complex=True, min_ndim=2)
        if S.shape[-2] < 2:
            raise DSPError(f"S has {S.shape[-2]} frequency bin(s) (axis -2): need at least 2")
        if n_fft is None or n_fft // 2 + 1 != S.shape[-2]:
            n_fft = 2 * (S.shape[-2] - 1)
        return S, n_fft
    if y is None:
        raise DSPError("need y (audio) or S (a spectrogram): both are None")
    if n_fft is None:
        raise DSPError("n_fft=None needs S: pass n_fft >= 2 with y")
    from .spectral import stft

    y = as_float_array(y, name="y")
    # in y's precision, as librosa's own float32 STFT (the tuning estimates of the test
    # recordings and of the benchmark's music equal librosa's either way)
    D = stft(y, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
             center=center, pad_mode=pad_mode,
             dtype=np.complex64 if y.dtype == np.float32 else np.complex128)
    M = array_module(D).abs(D)
    return (M ** power if power != 1 else M), n_fft


def piptrack(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=None, fmin=150.0, fmax=4000.0,
             threshold=0.1, win_length=None, window="hann", center=True, pad_mode="constant",
             ref=None):
    """Pitch tracking by parabolic interpolation of spectral peaks, as ``librosa.piptrack``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        A magnitude (or power) spectrogram instead of ``y``.
    n_fft, hop_length, win_length, window, center, pad_mode :
        The STFT's parameters (unused with ``S``).
    fmin, fmax : float
        Only bins in ``[fmin, fmax)`` are considered.
    threshold : float
        Peaks below ``threshold * ref`` are ignored.
    ref : float, callable or None
        A fixed level, or a function of ``S`` along the bins (default ``np.max``).

    Returns
    -------
    pitches, magnitudes : np.ndarray [shape=(..., 1 + n_fft // 2, t)]
        Non-zero only at the bins holding a peak.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)
    >>> p, m = dsp.piptrack(y=y, sr=22050)
    >>> bool(abs(p[:, 10][m[:, 10].argmax()] - 440) < 1)
    True
    """
    S, n_fft, sr, fmin, fmax, threshold = _piptrack_input(
        y=y, sr=sr, S=S, n_fft=n_fft, hop_length=hop_length, fmin=fmin, fmax=fmax,
        threshold=threshold, win_length=win_length, window=window, center=center,
        pad_mode=pad_mode)
    if ref is None or ref is np.max:
        listed = _listed_peaks(S, sr, n_fft, fmin, fmax, threshold)
        if listed is not None:  # NumPy data: the kernel's list of peaks, spread out
            flat, pitch, mag = listed
            pitches = np.zeros(S.shape, dtype=S.dtype)
            mags = np.zeros(S.shape, dtype=S.dtype)
            pitches.reshape(-1)[flat] = pitch
            mags.reshape(-1)[flat] = mag
            return pitches, mags
    xp = array_module(S)  # CuPy in, CuPy out: array arithmetic on the device
    freqs = fft_frequencies(sr=sr, n_fft=n_fft)
    avg = xp.gradient(S, axis=-2)
    # parabolic vertex offset of each bin from its neighbours (0 at the ends and when > 1 bin)
    shift = xp.zeros_like(S)
    a = S[..., 2:, :] + S[..., :-2, :] - 2 * S[..., 1:-1, :]
    b = (S[..., 2:, :] - S[..., :-2, :]) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift[..., 1:-1, :] = xp.where(xp.abs(b) >= xp.abs(a), 0, -b / a)
    dskew = 0.5 * avg * shift
    pitches = xp.zeros_like(S)
    mags = xp.zeros_like(S)
    mask = xp.asarray(((fmin <= freqs) & (freqs < fmax))[:, None])
    if ref is None:
        ref = np.max
    if callable(ref):
        ref_value = xp.expand_dims(threshold * ref(S, axis=-2), -2)
    else:
        ref_value = np.abs(check_float("ref", ref))
    idx = xp.nonzero(mask & localmax(S * (S > ref_value), axis=-2))
    pitches[idx] = (idx[-2] + shift[idx]) * float(sr) / n_fft
    mags[idx] = S[idx] + dskew[idx]
    return pitches, mags


def _piptrack_input(*, y, sr, S, n_fft, hop_length, fmin, fmax, threshold, win_length, window,
                    center, pad_mode):
    """piptrack's validated arguments: ``(|S|, n_fft, sr, fmin, fmax, threshold)``."""
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    threshold = check_float("threshold", threshold)
    given = S is not None
    S, n_fft = _power_spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode, 1)
    if given:  # from y, S is already |STFT| (a second abs would copy it for nothing)
        S = array_module(S).abs(S)
    fmin = max(check_float("fmin", fmin), 0)
    fmax = min(check_float("fmax", fmax), float(sr) / 2)
    return S, n_fft, sr, fmin, fmax, threshold


def pitch_tuning(frequencies, *, resolution=0.01, bins_per_octave=12):
    """The most common deviation from A440 equal temperament, as ``librosa.pitch_tuning``.

    Parameters
    ----------
    frequencies : array_like, Hz
        Values <= 0 are ignored.
    resolution : float in (0, 1)
        Histogram resolution in fractions of a bin.
    bins_per_octave : int > 0

    Returns
    -------
    float in [-0.5, 0.5)
        In fractions of a bin (0.0, with a warning, for no positive frequency).

    Examples
    --------
    >>> import numpy as np, dsp
    >>> round(float(dsp.pitch_tuning(440.0 * 2 ** (np.array([0.1, 0.1, 0.3]) / 12))), 2)
    0.1
    """
    resolution = check_float("resolution", resolution)
    if not 0 < resolution < 1:
        raise DSPError(f"resolution={resolution} is out of range: need 0 < resolution < 1")
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    f = np.atleast_1d(np.asarray(frequencies))
    f = f[f > 0]
    if not np.any(f):
        warnings.warn("Trying to estimate tuning from empty frequency set.", stacklevel=2)
        return 0.0
    residual = np.mod(bins_per_octave * _hz_to_octs(f, 0.0, 12), 1.0)
    residual[residual >= 0.5] -= 1.0
    bins = np.linspace(-0.5, 0.5, int(np.ceil(1.0 / resolution)) + 1)
    counts, edges = np.histogram(residual, bins)
    return edges[np.argmax(counts)]


def estimate_tuning(*, y=None, sr=22050, S=None, n_fft=2048, resolution=0.01, bins_per_octave=12,
                    **kwargs):
    """Tuning offset of a recording from A440, as ``librosa.estimate_tuning``.

    :func:`piptrack`'s peaks at or above their median magnitude go to :func:`pitch_tuning`.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    S : np.ndarray or None
        A magnitude or power spectrogram instead of ``y``.
    n_fft : int
    resolution : float in (0, 1)
    bins_per_octave : int > 0
    **kwargs :
        :func:`piptrack`'s parameters.

    Returns
    -------
    float in [-0.5, 0.5), fractions of a bin

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * 2 ** (0.2 / 12) * np.arange(22050) / 22050)
    >>> bool(abs(dsp.estimate_tuning(y=y, sr=22050) - 0.2) < 0.05)
    True
    """
    # piptrack's own defaults (its signature is the one place they are written)
    args = inspect.signature(piptrack).bind(y=y, sr=sr, S=S, n_fft=n_fft, **kwargs)
    args.apply_defaults()
    ref = args.arguments.pop("ref")
    if ref is None or ref is np.max:
        listed = _peaks_by_chunks(**args.arguments)
        if listed is None:
            S_, n_fft_, sr_, fmin, fmax, threshold = _piptrack_input(**args.arguments)
            listed = _listed_peaks(S_, sr_, n_fft_, fmin, fmax, threshold)
        if listed is not None:  # NumPy data: only the peaks, never two spectrogram-sized arrays
            _, pitch, mag = listed
            mask = pitch > 0
            thr = np.median(mag[mask]) if mask.any() else 0.0
            return pitch_tuning(pitch[(mag >= thr) & mask], resolution=resolution,
                                bins_per_octave=bins_per_octave)
        pitch, mag = piptrack(S=S_, sr=sr_, n_fft=n_fft_, fmin=fmin, fmax=fmax,
                              threshold=threshold)
    else:
        pitch, mag = piptrack(y=y, sr=sr, S=S, n_fft=n_fft, **kwargs)
    mask = pitch > 0
    thr = array_module(mag).median(mag[mask]) if mask.any() else 0.0
    freqs = pitch[(mag >= thr) & mask]
    if is_cupy_array(freqs):
        freqs = freqs.get()  # the histogram of the few peak frequencies: on the host
    return pitch_tuning(freqs, resolution=resolution, bins_per_octave=bins_per_octave)


def _tuning_from_rows(rows, sr, n_fft, bins_per_octave):
    """``estimate_tuning(S=...)`` with piptrack's defaults, from power spectra as frame rows
    (rows, n_bins): the peaks come from the ``piptrack_peaks`` kernel, which computes piptrack's
    values at its peaks only."""
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    freqs = fft_frequencies(sr=sr, n_fft=n_fft)
    mask = (150.0 <= freqs) & (freqs < min(4000.0, float(sr) / 2))
    _, pitch, mag = kernel("piptrack_peaks")(np.ascontiguousarray(rows)[None], mask, 0.1, sr, n_fft)
    on = pitch > 0
    thr = np.median(mag[on]) if on.any() else 0.0
    return pitch_tuning(pitch[(mag >= thr) & on], bins_per_octave=bins_per_octave)


def chroma_stft(*, y=None, sr=22050, S=None, norm=np.inf, n_fft=2048, hop_length=512,
                win_length=None, window="hann", center=True, pad_mode="constant", tuning=None,
                n_chroma=12, **kwargs):
    """Chromagram from a power spectrogram, as ``librosa.feature.chroma_stft``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        A power spectrogram instead of ``y``.
    norm : float or None
        Per-frame normalisation of the chroma vectors (:func:`dsp.util.normalize`).
    n_fft, hop_length, win_length, window, center, pad_mode :
        The STFT's parameters (unused with ``S``).
    tuning : float or None
        Fractions of a chroma bin; None: :func:`estimate_tuning` on the spectrogram.
    n_chroma : int > 0
    **kwargs :
        :func:`dsp.filters.chroma`'s ``ctroct``, ``octwidth``, ``norm`` (of the filters),
        ``base_c``, ``dtype``.

    Returns
    -------
    np.ndarray [shape=(..., n_chroma, t)]
        float32 for float32 input (the filterbank is float32 by default), else float64.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> C = dsp.feature.chroma_stft(y=y, sr=22050)
    >>> C.shape, int(C[:, 10].argmax())
    ((12, 44), 9)
    """
    from ._features_common import _fused_audio

    fused = _fused_audio(y, S, None, n_fft, hop_length, win_length, window, center, pad_mode)
    if fused is not None:
        # from audio on the CPU: the power spectrogram as frame rows in one pass (librosa's
        # values: complex64 rounding for float32 audio), the tuning from piptrack's peaks
        # alone, without its full-size temporaries
        y2, lead, dtype, params = fused
        P = kernel("chroma_power_rows")(y2, **params, round32=dtype == np.float32)
        n_fft = params["n_fft"]
        if tuning is None:
            # as estimate_tuning(S=...) with piptrack's default n_fft of 2048, which a
            # spectrogram of another size overrides with 2 (n_bins - 1)
            n_bins = P.shape[-1]
            tuning = _tuning_from_rows(P.reshape(-1, n_bins), sr,
                                       2048 if n_bins == 1025 else 2 * (n_bins - 1), n_chroma)
        fb = chroma(sr=sr, n_fft=n_fft, tuning=tuning, n_chroma=n_chroma, **kwargs)
        raw = np.matmul(fb, P.swapaxes(-1, -2))
        return normalize(raw.reshape(lead + raw.shape[1:]), norm=norm, axis=-2)
    S, n_fft = _power_spectrogram(y, S, n_fft, hop_length, win_length, window, center, pad_mode, 2)
    if S.dtype.kind == "c":
        raise DSPError("S is complex: chroma_stft needs a real power spectrogram")
    if tuning is None:
        tuning = estimate_tuning(S=S, sr=sr, bins_per_octave=n_chroma)
    fb = chroma(sr=sr, n_fft=n_fft, tuning=tuning, n_chroma=n_chroma, **kwargs)
    xp = array_module(S)
    raw = xp.matmul(xp.asarray(fb), S)  # on the device for CuPy S (cuBLAS)
    return normalize(raw, norm=norm, axis=-2)
