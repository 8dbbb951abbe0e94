"""Chroma from the constant-Q transform, as librosa 0.11's: ``cq_to_chroma`` (the folding
matrix), ``chroma_cqt`` and ``chroma_cens``.

``chroma_cqt`` folds ``|cqt|`` (``n_octaves * bins_per_octave`` bins) onto pitch classes with
:func:`dsp.filters.cq_to_chroma`, zeroes values below ``threshold`` and normalises each frame.
``chroma_cens`` (Mueller & Ewert's energy-normalised statistics) quantises the L1-normalised
chroma at 0.4, 0.2, 0.1, 0.05 (a quarter each), smooths it along time with a normalised window of
``win_len_smooth + 2`` points (zeros outside the signal) and normalises again.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module
from ._dispatch import kernel_for
from ._errors import DSPError
from ._util import normalize
from ._validation import as_float_array, check_float, check_int

__all__ = ["cq_to_chroma", "chroma_cqt", "chroma_cens"]


def chroma_cqt(*, y=None, sr=22050, C=None, hop_length=512, fmin=None, norm=np.inf, threshold=0.0,
               tuning=None, n_chroma=12, n_octaves=7, window=None, bins_per_octave=36,
               cqt_mode="full"):
    """Constant-Q chromagram, as ``librosa.feature.chroma_cqt``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio (leading axes are channels).
    sr : float > 0
    C : np.ndarray [shape=(..., n_bins, t)] or None
        A precomputed constant-Q magnitude (used instead of ``y``).
    hop_length, fmin, tuning :
        As :func:`dsp.cqt` (``tuning=None`` estimates it).
    norm : {None, inf, -inf, 0, float > 0}
        Per-frame normalisation of the chroma.
    threshold : float or None
        Values below it are set to 0.
    n_chroma : int >= 1
    n_octaves : int >= 1
    window : np.ndarray or None
        Convolved along the constant-Q axis of the folding matrix.
    bins_per_octave : int, a multiple of ``n_chroma``, or None (= ``n_chroma``)
    cqt_mode : {'full', 'hybrid'}

    Returns
    -------
    chromagram : np.ndarray [shape=(..., n_chroma, t)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> ch = dsp.feature.chroma_cqt(y=y, sr=22050, tuning=0.0)
    >>> ch.shape, int(ch.mean(axis=-1).argmax())   # pitch class 9 is A
    ((12, 44), 9)
    """
    from .constantq import cqt, hybrid_cqt

    n_chroma = check_int("n_chroma", n_chroma, minimum=1)
    if bins_per_octave is None:
        bins_per_octave = n_chroma
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    if bins_per_octave % n_chroma:
        raise DSPError(f"bins_per_octave={bins_per_octave} must be an integer multiple of "
                       f"n_chroma={n_chroma}")
    if cqt_mode not in ("full", "hybrid"):
        raise DSPError(f"cqt_mode={cqt_mode!r} is not supported: use 'full' or 'hybrid'")
    if C is None:
        if y is None:
            raise DSPError("chroma_cqt needs y (audio) or C (a constant-Q magnitude): both are None")
        n_octaves = check_int("n_octaves", n_octaves, minimum=1)
        func = cqt if cqt_mode == "full" else hybrid_cqt
        C = np.abs(func(y, sr=sr, hop_length=hop_length, fmin=fmin, n_bins=n_octaves * bins_per_octave,
                        bins_per_octave=bins_per_octave, tuning=tuning))
    else:
        C = as_float_array(C, name="C", min_ndim=2)
    fold = cq_to_chroma(C.shape[-2], bins_per_octave=bins_per_octave, n_chroma=n_chroma, fmin=fmin,
                        window=window)
    # the fold by the dispatch table's small-matrix kernel, not BLAS: a (12, 252) x (252, t)
    # product is too small for OpenBLAS's threads, which on a busy machine cost 30x the work
    xp = array_module(C)
    C3 = xp.ascontiguousarray(C.reshape((-1,) + C.shape[-2:]))
    chroma = kernel_for("apply_matrix", C3)(C3, fold.astype(C.dtype)).reshape(
        C.shape[:-2] + (fold.shape[0], C.shape[-1]))
    if threshold is not None:
        chroma[chroma < threshold] = 0.0
    return normalize(chroma, norm=norm, axis=-2)


def chroma_cens(*, y=None, sr=22050, C=None, hop_length=512, fmin=None, tuning=None, n_chroma=12,
                n_octaves=7, bins_per_octave=36, cqt_mode="full", window=None, norm=2,
                win_len_smooth=41, smoothing_window="hann"):
    """Chroma energy normalised statistics (CENS), as ``librosa.feature.chroma_cens``.

    Parameters are :func:`chroma_cqt`'s, plus ``win_len_smooth`` (int > 0 or None: the
    smoothing length in frames) and ``smoothing_window`` (its shape).

    Returns
    -------
    cens : np.ndarray [shape=(..., n_chroma, t)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> dsp.feature.chroma_cens(y=y, sr=22050, tuning=0.0).shape
    (12, 44)
    """
    from .windows import get_window

    if win_len_smooth is not None:
        win_len_smooth = check_int("win_len_smooth", win_len_smooth, minimum=1)
    chroma = chroma_cqt(y=y, C=C, sr=sr, hop_length=hop_length, fmin=fmin,
                        bins_per_octave=bins_per_octave, tuning=tuning, norm=None, n_chroma=n_chroma,
                        n_octaves=n_octaves, cqt_mode=cqt_mode, window=window)
    chroma = normalize(chroma, norm=1, axis=-2)
    quant = np.zeros_like(chroma)
    for step in (0.4, 0.2, 0.1, 0.05):
        quant += (chroma > step) * chroma.dtype.type(0.25)
    if win_len_smooth:
        win = np.asarray(get_window(smoothing_window, win_len_smooth + 2, fftbins=False), dtype=float)
        win /= np.sum(win)
        quant = _smooth_time(quant, win)
    return normalize(quant, norm=norm, axis=-2)


def _smooth_time(x, win):
    """``x`` convolved with ``win`` along the last axis, centred at ``len(win) // 2``, zeros
    outside (scipy.ndimage.convolve's mode='constant' placement)."""
    n = x.shape[-1]
    m = win.size
    full = np.zeros(x.shape[:-1] + (n + m - 1,), dtype=np.result_type(x.dtype, win.dtype))
    for j, wj in enumerate(win):
        full[..., j:j + n] += wj * x
    start = m // 2
    return full[..., start:start + n].astype(x.dtype)


def cq_to_chroma(n_input, *, bins_per_octave=12, n_chroma=12, fmin=None, window=None, base_c=True,
                 dtype=np.float32):
    """Matrix folding constant-Q bins onto chroma, as ``librosa.filters.cq_to_chroma``.

    Parameters
    ----------
    n_input : int >= 1
        Number of constant-Q bins.
    bins_per_octave : int, a multiple of ``n_chroma``
    n_chroma : int >= 1
    fmin : float > 0 or None
        Frequency of the first bin (default C1); its pitch class sets the roll.
    window : np.ndarray or None
        Convolved along the input axis of each row ('same' size).
    base_c : bool
        Chroma 0 is C (else A).
    dtype : real dtype

    Returns
    -------
    np.ndarray [shape=(n_chroma, n_input)]

    Examples
    --------
    >>> import dsp
    >>> dsp.filters.cq_to_chroma(24).shape
    (12, 24)
    """
    from .notes import hz_to_midi, note_to_hz

    n_input = check_int("n_input", n_input, minimum=1)
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    n_chroma = check_int("n_chroma", n_chroma, minimum=1)
    if bins_per_octave % n_chroma:
        raise DSPError(f"bins_per_octave={bins_per_octave} must be an integer multiple of "
                       f"n_chroma={n_chroma}")
    n_merge = bins_per_octave // n_chroma
    fmin = float(note_to_hz("C1")) if fmin is None else check_float("fmin", fmin, minimum=0.0,
                                                                     strict_minimum=True)
    m = np.repeat(np.eye(n_chroma), n_merge, axis=1)
    m = np.roll(m, -(n_merge // 2), axis=1)
    n_octaves = int(np.ceil(n_input / bins_per_octave))
    m = np.tile(m, n_octaves)[:, :n_input]
    midi_0 = np.mod(float(hz_to_midi(fmin)), 12)
    roll = midi_0 if base_c else midi_0 - 9
    m = np.roll(m, int(np.round(roll * (n_chroma / 12.0))), axis=0).astype(dtype)
    if window is not None:
        m = _convolve_rows_same(m, np.asarray(window, dtype=float).ravel()).astype(dtype)
    return m


def _convolve_rows_same(m, w):
    """Each row convolved with ``w``, centred to the row's length (scipy's mode='same')."""
    full = np.zeros((m.shape[0], m.shape[1] + w.size - 1))
    for i, wi in enumerate(w):
        full[:, i:i + m.shape[1]] += wi * m
    start = (w.size - 1) // 2
    return full[:, start:start + m.shape[1]]
