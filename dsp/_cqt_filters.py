"""Constant-Q and variable-Q filter banks, as ``librosa.filters.wavelet`` / ``constant_q`` (0.11).

Bin ``k`` of a constant-Q bank is a complex exponential at ``freqs[k]`` under a window of
``lengths[k] = Q sr / (freqs[k] + gamma / alpha[k])`` samples, with ``Q = filter_scale /
alpha[k]`` and ``alpha`` the relative bandwidth ``(2^(2/b) - 1) / (2^(2/b) + 1)`` for ``b`` local
bins per octave. ``gamma = 0`` gives the constant-Q transform; ``gamma > 0`` widens the low bins
(variable-Q); ``gamma=None`` makes the bandwidths a constant fraction of the ERB.

The transform uses the filters' spectra (:func:`sparse_basis`): each filter's FFT is confined to
a narrow band around its centre, so it is stored as one run of bins per filter (ranged CSR, as
the mel filterbank is), after dropping up to ``sparsity`` of each row's L1 mass as librosa does.
"""
from __future__ import annotations

import numbers

import numpy as np
from dsp_kernels.caches import table_cache

from ._errors import DSPError
from ._validation import check_float, check_int
from .windows import _cached_window

__all__ = ["cqt_frequencies", "wavelet_lengths", "wavelet", "constant_q"]

#: librosa's ``WINDOW_BANDWIDTHS`` for the names it tabulates (the equivalent noise bandwidth in
#: bins); other windows are measured as librosa does, ``n sum(w^2) / sum(w)^2`` at ``n = 1000``
_WINDOW_BANDWIDTHS = {
    "hann": 1.50018310546875, "hamming": 1.3629455320350348, "blackman": 1.7269681554262326,
    "blackmanharris": 2.0045975283585014, "bartlett": 1.3334961334912805,
    "barthann": 1.4560255965133932, "bohman": 1.7859588613860062, "boxcar": 1.0, "ones": 1.0,
    "rect": 1.0, "rectangular": 1.0, "cosine": 1.2337005350199792, "flattop": 2.7762255046484143,
    "nuttall": 1.9763500280946082, "parzen": 1.917460317460319, "triang": 1.333170652355585,
}


def window_bandwidth(window) -> float:
    """Equivalent noise bandwidth of ``window`` in FFT bins (librosa's ``window_bandwidth``)."""
    key = getattr(window, "__name__", window)
    if isinstance(key, str) and key in _WINDOW_BANDWIDTHS:
        return _WINDOW_BANDWIDTHS[key]
    w = np.asarray(_cached_window(window, 1000, True, np.float64))
    return float(1000 * np.sum(w**2) / (np.sum(w) ** 2 + np.finfo(w.dtype).tiny))


def _check_bins(n_bins, bins_per_octave):
    n_bins = check_int("n_bins", n_bins, minimum=1)
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    return n_bins, bins_per_octave


def cqt_frequencies(n_bins, *, fmin, bins_per_octave=12, tuning=0.0):
    """Centre frequencies of constant-Q bins, ``fmin 2^((k + tuning) / bins_per_octave)``.

    Parameters
    ----------
    n_bins : int >= 1
    fmin : float > 0
        Frequency of bin 0 (before tuning) in Hz.
    bins_per_octave : int >= 1
    tuning : float
        Offset in fractions of a bin.

    Returns
    -------
    frequencies : np.ndarray [shape=(n_bins,)], float64

    Examples
    --------
    >>> import dsp
    >>> dsp.cqt_frequencies(3, fmin=440.0).round(2)
    array([440.  , 466.16, 493.88])
    """
    n_bins, bins_per_octave = _check_bins(n_bins, bins_per_octave)
    fmin = check_float("fmin", fmin, minimum=0.0, strict_minimum=True)
    tuning = check_float("tuning", tuning)
    correction = 2.0 ** (tuning / bins_per_octave)
    return correction * fmin * 2.0 ** (np.arange(n_bins, dtype=float) / bins_per_octave)


def interval_frequencies(n_bins, *, fmin, intervals, bins_per_octave=12):
    """``librosa.interval_frequencies(..., sort=True)``: 'equal', 'pythagorean', 'ji3', 'ji5',
    'ji7' or an array of ratios in [1, 2)."""
    if isinstance(intervals, str):
        from ._intervals import plimit_intervals, pythagorean_intervals

        primes = {"ji3": (3,), "ji5": (3, 5), "ji7": (3, 5, 7)}
        if intervals == "equal":
            ratios = 2.0 ** (np.arange(bins_per_octave, dtype=float) / bins_per_octave)
        elif intervals == "pythagorean":
            ratios = pythagorean_intervals(bins_per_octave)
        elif intervals in primes:
            ratios = plimit_intervals(primes[intervals], bins_per_octave)
        else:
            raise DSPError(f"intervals={intervals!r} is not supported: use 'equal', 'pythagorean', "
                           "'ji3', 'ji5', 'ji7' or an array of frequency ratios in [1, 2)")
    else:
        ratios = np.asarray(intervals, dtype=float).ravel()
        if ratios.size < 1 or not np.all(np.isfinite(ratios)) or np.any(ratios < 1) or np.any(ratios >= 2):
            raise DSPError(f"intervals={intervals!r} must be a non-empty array of ratios in [1, 2)")
        bins_per_octave = ratios.size
    n_octaves = int(np.ceil(n_bins / bins_per_octave))
    all_ratios = np.multiply.outer(2.0 ** np.arange(n_octaves), ratios).ravel()[:n_bins]
    return np.sort(all_ratios) * fmin


def relative_bandwidth(freqs, bins_per_octave):
    """``alpha`` per bin from the local bin spacing (librosa's ``_relative_bandwidth``); one bin
    takes equal temperament's ``(r^2 - 1) / (r^2 + 1)``, ``r = 2^(1/bins_per_octave)``."""
    freqs = np.asarray(freqs, dtype=float)
    if freqs.size == 1:
        r = 2.0 ** (1.0 / bins_per_octave)
        return np.atleast_1d((r**2 - 1) / (r**2 + 1))
    logf = np.log2(freqs)
    bpo = np.empty_like(freqs)
    bpo[0] = 1 / (logf[1] - logf[0])
    bpo[-1] = 1 / (logf[-1] - logf[-2])
    bpo[1:-1] = 2 / (logf[2:] - logf[:-2])
    return (2.0 ** (2 / bpo) - 1) / (2.0 ** (2 / bpo) + 1)


def _check_freqs(freqs):
    freqs = np.atleast_1d(np.asarray(freqs, dtype=float))
    if freqs.ndim != 1 or freqs.size < 1:
        raise DSPError(f"freqs has shape {freqs.shape}: need a non-empty 1-d array of frequencies")
    if not np.all(np.isfinite(freqs)) or np.any(freqs <= 0):
        raise DSPError("freqs must be finite and strictly positive (Hz)")
    if freqs.size > 1 and np.any(freqs[:-1] > freqs[1:]):
        raise DSPError(f"freqs={freqs} must be in ascending order")
    return freqs


def wavelet_lengths(*, freqs, sr=22050, window="hann", filter_scale=1, gamma=0, alpha=None):
    """Filter lengths (samples) and the bank's highest cutoff frequency, as librosa's.

    Parameters
    ----------
    freqs : np.ndarray [shape=(n_bins,)]
        Ascending centre frequencies (Hz), at least two unless ``alpha`` is given.
    sr : float > 0
    window : window spec
        Its bandwidth (:func:`window_bandwidth`) sets the cutoff.
    filter_scale : float > 0
    gamma : float >= 0 or None
        Bandwidth offset in Hz; None: ``alpha * 24.7 / 0.108`` (a fixed fraction of the ERB).
    alpha : float or np.ndarray [shape=(n_bins,)], optional
        Relative bandwidths; default from the spacing of ``freqs``.

    Returns
    -------
    lengths : np.ndarray [shape=(n_bins,)], float64
        ``Q sr / (freqs + gamma / alpha)`` with ``Q = filter_scale / alpha``.
    f_cutoff : float
        ``max(freqs (1 + bw / (2 Q)) + gamma / 2)``: no filter passes energy above it.

    Examples
    --------
    >>> import dsp
    >>> lengths, cutoff = dsp.filters.wavelet_lengths(freqs=dsp.cqt_frequencies(12, fmin=110.0))
    >>> round(float(lengths[0]), 1), round(float(cutoff), 1)
    (3474.2, 216.6)
    """
    freqs = _check_freqs(freqs)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    filter_scale = check_float("filter_scale", filter_scale, minimum=0.0, strict_minimum=True)
    if gamma is not None:
        gamma = check_float("gamma", gamma, minimum=0.0)
    if alpha is None:
        if freqs.size < 2:
            raise DSPError(f"freqs={freqs}: 2 or more frequencies are needed to derive alpha")
        alpha = relative_bandwidth(freqs, 12)
    else:
        alpha = np.asarray(alpha, dtype=float)
    gamma_ = alpha * 24.7 / 0.108 if gamma is None else gamma
    Q = filter_scale / alpha
    f_cutoff = float(np.max(freqs * (1 + 0.5 * window_bandwidth(window) / Q) + 0.5 * gamma_))
    lengths = Q * sr / (freqs + gamma_ / alpha)
    return np.broadcast_to(lengths, freqs.shape).astype(float), f_cutoff


def _normalize_row(sig, norm):
    """librosa.util.normalize of one complex vector (rows below the tiny number left alone)."""
    if norm is None:
        return sig
    mag = np.abs(sig)
    if norm == np.inf:
        length = mag.max()
    elif norm == -np.inf:
        length = mag.min()
    elif norm == 0:
        length = float(np.sum(mag > 0))
    else:
        length = np.sum(mag**norm) ** (1.0 / norm)
    return sig / (length if length >= np.finfo(sig.real.dtype).tiny else 1.0)


def _check_norm(norm):
    if norm is None:
        return None
    if isinstance(norm, (bool, np.bool_)) or not isinstance(norm, numbers.Real):
        raise DSPError(f"norm={norm!r} is not supported: use None, np.inf, -np.inf, 0 or a number > 0")
    norm = float(norm)
    if np.isnan(norm) or (norm < 0 and norm != -np.inf):
        raise DSPError(f"norm={norm!r} is not supported: use None, np.inf, -np.inf, 0 or a number > 0")
    return norm


def _filters(freqs, lengths, sr, window, norm, pad_fft, dtype):
    """The time-domain filters, centred in a common length (a power of two with ``pad_fft``)."""
    rows = []
    for ilen, freq in zip(lengths, freqs):
        # librosa's support: integer offsets -floor(len/2) ... ceil(len/2) - 1 around the centre
        t = np.arange(-ilen // 2, ilen // 2, dtype=float)
        sig = np.exp(1j * (t * 2 * np.pi * freq / sr))
        sig = sig * np.asarray(_cached_window(window, len(sig), True, np.float64))
        rows.append(_normalize_row(sig, norm))
    max_len = max(lengths)
    max_len = int(2.0 ** np.ceil(np.log2(max_len))) if pad_fft else int(np.ceil(max_len))
    out = np.zeros((len(rows), max_len), dtype=dtype)
    for k, sig in enumerate(rows):
        lpad = (max_len - sig.size) // 2
        out[k, lpad:lpad + sig.size] = sig
    return out


def _complex_dtype(dtype):
    dt = np.dtype(dtype)
    if dt not in (np.complex64, np.complex128):
        raise DSPError(f"dtype={dt} is not supported: use np.complex64 or np.complex128")
    return dt


def wavelet(*, freqs, sr=22050, window="hann", filter_scale=1, pad_fft=True, norm=1,
            dtype=np.complex64, gamma=0, alpha=None):
    """Constant-Q / variable-Q basis filters in the time domain, as ``librosa.filters.wavelet``.

    Parameters
    ----------
    freqs : np.ndarray [shape=(n_bins,)]
        Ascending centre frequencies (Hz).
    sr, window, filter_scale, gamma, alpha :
        As in :func:`wavelet_lengths`.
    pad_fft : bool
        Centre every filter in a power-of-two length (else ``ceil(max(lengths))``).
    norm : {None, inf, -inf, 0, float > 0}
        Norm of each filter (librosa.util.normalize's).
    dtype : np.complex64 or np.complex128

    Returns
    -------
    filters : np.ndarray [shape=(n_bins, n)]
    lengths : np.ndarray [shape=(n_bins,)], float64

    Examples
    --------
    >>> import dsp
    >>> F, lengths = dsp.filters.wavelet(freqs=dsp.cqt_frequencies(12, fmin=440.0), sr=22050)
    >>> F.shape, F.dtype
    ((12, 1024), dtype('complex64'))
    """
    lengths, _ = wavelet_lengths(freqs=freqs, sr=sr, window=window, filter_scale=filter_scale,
                                 gamma=gamma, alpha=alpha)
    return _filters(_check_freqs(freqs), lengths, float(sr), window, _check_norm(norm),
                    bool(pad_fft), _complex_dtype(dtype)), lengths


def constant_q(*, sr, fmin=None, n_bins=84, bins_per_octave=12, window="hann", filter_scale=1,
               pad_fft=True, norm=1, dtype=np.complex64, gamma=0):
    """Constant-Q basis, as ``librosa.filters.constant_q`` (deprecated there; kept for porting).

    Its lengths use equal temperament's relative bandwidth for every bin; it raises when the top
    filter's cutoff passes Nyquist.

    Returns
    -------
    filters : np.ndarray [shape=(n_bins, n)]
    lengths : np.ndarray [shape=(n_bins,)]

    Examples
    --------
    >>> import dsp
    >>> F, lengths = dsp.filters.constant_q(sr=22050, n_bins=24)
    >>> F.shape
    (24, 16384)
    """
    from .notes import note_to_hz

    fmin = float(note_to_hz("C1")) if fmin is None else fmin
    freqs = cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bins_per_octave)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    filter_scale = check_float("filter_scale", filter_scale, minimum=0.0, strict_minimum=True)
    alpha = (2.0 ** (2 / bins_per_octave) - 1) / (2.0 ** (2 / bins_per_octave) + 1)
    Q = filter_scale / alpha
    if np.max(freqs * (1 + 0.5 * window_bandwidth(window) / Q)) > sr / 2.0:
        raise DSPError(f"fmin={fmin}, n_bins={n_bins}: the top filter's frequency "
                       f"{freqs.max():.2f} Hz would pass Nyquist={sr / 2}")
    gamma = check_float("gamma", gamma, minimum=0.0)
    lengths = Q * sr / (freqs + gamma / alpha)
    return _filters(freqs, lengths, sr, window, _check_norm(norm), bool(pad_fft),
                    _complex_dtype(dtype)), lengths


def sparse_basis(sr, freqs, alpha, filter_scale, norm, sparsity, window, gamma, hop_length, dtype):
    """:func:`_sparse_basis`, cached when ``window`` is hashable (a name or a tuple spec)."""
    args = (sr, freqs, alpha, filter_scale, norm, sparsity, window, gamma, hop_length, np.dtype(dtype))
    try:
        hash(window)
    except TypeError:  # an array or a list: build it each time
        return _sparse_basis.__wrapped__(*args)
    return _sparse_basis(*args)


@table_cache(maxsize=64)
def _sparse_basis(sr, freqs, alpha, filter_scale, norm, sparsity, window, gamma, hop_length, dtype):
    """The filters' spectra in ranged CSR form, scaled as librosa's ``__vqt_filter_fft``.

    Row ``k`` is ``FFT(filter_k * lengths[k] / n_fft)[: n_fft // 2 + 1]``, with the entries whose
    magnitudes sum to less than ``sparsity`` of the row's L1 norm set to zero (librosa's
    ``sparsify_rows``) and stored as the run from its first to its last kept bin (dropped bins
    inside the run hold 0). ``freqs``/``alpha`` are tuples (hashable).

    Returns
    -------
    (starts, offsets, weights, n_fft, lengths) : read-only arrays; weights of ``dtype`` (complex).
    """
    from .fourier import fft

    freqs = np.asarray(freqs)
    alpha = np.asarray(alpha)
    basis, lengths = wavelet(freqs=freqs, sr=sr, window=window, filter_scale=filter_scale,
                             pad_fft=True, norm=norm, dtype=np.complex128, gamma=gamma, alpha=alpha)
    n_fft = basis.shape[1]
    if hop_length is not None and n_fft < 2.0 ** (1 + np.ceil(np.log2(hop_length))):
        n_fft = int(2.0 ** (1 + np.ceil(np.log2(hop_length))))
    # rounded to dtype first, then scaled in float64 and rounded again, as librosa's in-place *=
    basis = (basis.astype(dtype) * (lengths[:, None] / float(n_fft))).astype(dtype)
    spec = np.asarray(fft(basis, n=n_fft, axis=1))[:, : n_fft // 2 + 1]
    n_rows = spec.shape[0]
    starts = np.zeros(n_rows, dtype=np.int64)
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    runs = []
    for k in range(n_rows):
        mags = np.abs(spec[k])
        kept = _kept(mags, sparsity)
        nz = np.flatnonzero(kept)
        run = np.where(kept[nz[0]:nz[-1] + 1], spec[k, nz[0]:nz[-1] + 1], 0)
        starts[k] = nz[0]
        offsets[k + 1] = offsets[k] + run.size
        runs.append(run)
    weights = np.ascontiguousarray(np.concatenate(runs), dtype=dtype)
    for a in (starts, offsets, weights, lengths):
        a.setflags(write=False)
    return starts, offsets, weights, n_fft, lengths


def _kept(mags, quantile):
    """librosa's sparsify_rows rule: keep ``mags >= `` the smallest magnitude at which the
    ascending cumulative L1 mass reaches ``quantile``."""
    total = np.sum(mags)
    if total <= 0:
        return np.ones_like(mags, dtype=bool)
    srt = np.sort(mags)
    cum = np.cumsum(srt / total)
    j = int(np.argmin(cum < quantile))
    return mags >= srt[j]
