"""Constant-Q and variable-Q transforms, as librosa 0.11's ``cqt``, ``vqt``, ``pseudo_cqt``,
``hybrid_cqt`` and ``icqt`` (docs/cqt.md has the measured parity).

The octave recursion
--------------------
The bins are processed one octave at a time, from the top. An octave's filters are applied in
the frequency domain: the signal is cut into frames of the octave's FFT length (centred,
``window='ones'``), each frame is transformed with our FFT, and the frames' spectra are
multiplied by the filters' sparse spectra (:func:`dsp._cqt_filters.sparse_basis`); on the CPU
one fused kernel does the three per octave (``cqt_octave``, :mod:`dsp_kernels.cpu.cqt`), so no
octave's STFT is stored. The signal is then halved (``dsp.resample``'s 2:1 filter, by fast
convolution: ``cqt_halve``) together with the hop, so every octave uses filters of the same
length in samples (:mod:`dsp._cqt_octaves`). Before the first octave the signal is decimated
while the filters leave room ("early downsampling") and the hop allows. An odd hop stops the
halving: the lower octaves are then computed at the current rate with longer filters, as
librosa does (librosa 0.11 does not require ``hop_length`` to be divisible by
``2**(n_octaves - 1)``).

``res_type`` picks the half-band filter among :data:`dsp.resampling.RES_TYPES` (librosa's
names); ``None`` means ``'soxr_hq'``, librosa's default, which maps to our 'hq'.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module
from ._cqt_filters import (
    _check_norm, cqt_frequencies, interval_frequencies, relative_bandwidth, sparse_basis,
    wavelet_lengths,
)
from ._dispatch import kernel_for
from ._cqt_octaves import octave_recursion
from ._errors import DSPError
from ._validation import as_float_array, check_dtype, check_float, check_int, complex_dtype, real_dtype

__all__ = ["cqt", "vqt", "pseudo_cqt", "hybrid_cqt", "icqt", "cqt_frequencies"]


def _num_two_factors(x):
    n = 0
    while x > 0 and x % 2 == 0:
        n += 1
        x //= 2
    return n


def _out_dtype(y, dtype):
    if dtype is None:
        return complex_dtype(y.dtype)
    return check_dtype("dtype", dtype, (np.complex64, np.complex128))


def _common(y, sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale, norm,
            sparsity, pad_mode):
    """Validated arguments shared by the forward transforms."""
    from .notes import note_to_hz
    from ._stft_params import check_pad_mode

    y = as_float_array(y, name="y")
    if y.shape[-1] < 1:
        raise DSPError("y has 0 samples: need at least one")
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    n_bins = check_int("n_bins", n_bins, minimum=1)
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    fmin = float(note_to_hz("C1")) if fmin is None else check_float(
        "fmin", fmin, minimum=0.0, strict_minimum=True)
    if tuning is None:
        from ._chroma import estimate_tuning

        tuning = float(estimate_tuning(y=y, sr=sr, bins_per_octave=bins_per_octave))
    tuning = check_float("tuning", tuning)
    filter_scale = check_float("filter_scale", filter_scale, minimum=0.0, strict_minimum=True)
    sparsity = check_float("sparsity", sparsity, minimum=0.0)
    if sparsity >= 1:
        raise DSPError(f"sparsity={sparsity} must be in [0, 1)")
    return (y, sr, hop_length, fmin * 2.0 ** (tuning / bins_per_octave), n_bins, bins_per_octave,
            filter_scale, _check_norm(norm), sparsity, check_pad_mode(pad_mode))


def _check_nyquist(f_cutoff, sr, freqs, n_bins, fmin, bins_per_octave):
    if f_cutoff > sr / 2.0:
        raise DSPError(
            f"n_bins={n_bins}, fmin={fmin:g}, bins_per_octave={bins_per_octave}: the top bin "
            f"({freqs[-1]:.2f} Hz) has a filter reaching fmax={f_cutoff:.2f} Hz, above the "
            f"Nyquist frequency {sr / 2.0:g} Hz (librosa's rule): lower n_bins or fmin"
        )


def _resample_type(res_type):
    from .resampling import RES_TYPES, _QUALITIES

    if res_type is None:
        return "soxr_hq"
    if not isinstance(res_type, str) or (res_type not in RES_TYPES and res_type not in _QUALITIES):
        names = ", ".join(repr(n) for n in (*RES_TYPES, *_QUALITIES))
        raise DSPError(f"res_type={res_type!r} is not supported: use one of {names}")
    return res_type


def _response(y, n_fft, hop, basis, gain, pad_mode, dtype, window="ones", magnitude=False):
    """Project the (..., n) signal's centred frames onto a sparse basis: (..., n_filters, t)."""
    from .spectral import stft

    starts, offsets, weights = basis
    D = stft(y, n_fft=n_fft, hop_length=hop, window=window, pad_mode=pad_mode, dtype=dtype)
    xp = array_module(D)
    if magnitude:
        D = xp.abs(D)
        weights = np.abs(weights)
    if gain != 1.0:
        weights = weights * np.asarray(gain, dtype=weights.real.dtype)
    lead = D.shape[:-2]
    D3 = xp.ascontiguousarray(D.reshape((-1,) + D.shape[-2:]))
    out = kernel_for("cqt_project", D3)(D3, starts, offsets, weights.astype(D3.dtype))
    return out.reshape(lead + out.shape[-2:])


def _trim_stack(responses, n_bins, xp):
    """Stack octave responses (top octave first) into (..., n_bins, min frames)."""
    n_frames = min(r.shape[-1] for r in responses)
    out = xp.empty(responses[0].shape[:-2] + (n_bins, n_frames), dtype=responses[0].dtype)
    end = n_bins
    for r in responses:
        n_oct = r.shape[-2]
        if end < n_oct:
            out[..., :end, :] = r[..., -end:, :n_frames]
        else:
            out[..., end - n_oct:end, :] = r[..., :n_frames]
        end -= n_oct
    return out


def vqt(y, *, sr=22050, hop_length=512, fmin=None, n_bins=84, intervals="equal", gamma=None,
        bins_per_octave=12, tuning=0.0, filter_scale=1, norm=1, sparsity=0.01, window="hann",
        scale=True, pad_mode="constant", res_type=None, dtype=None):
    """Variable-Q transform, as ``librosa.vqt`` (the octave recursion; see the module notes).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Audio, float32 or float64; leading axes are channels.
    sr : float > 0
    hop_length : int > 0
        Samples between columns.
    fmin : float > 0 or None
        Lowest bin's frequency (Hz), default C1 (32.70 Hz), before ``tuning``.
    n_bins : int >= 1
    intervals : 'equal' or array of ratios in [1, 2)
        Bin spacing within an octave (an array sets ``bins_per_octave`` to its length).
    gamma : float >= 0 or None
        Bandwidth offset (Hz); 0 is the constant-Q transform, None a fixed fraction of the ERB.
    bins_per_octave : int >= 1
    tuning : float or None
        Offset in fractions of a bin; None estimates it (:func:`dsp.estimate_tuning`).
    filter_scale : float > 0
        Scales every filter's length.
    norm : {None, inf, -inf, 0, float > 0}
        Norm of each time-domain filter.
    sparsity : float in [0, 1)
        Fraction of each filter spectrum's L1 mass that may be dropped.
    window : window spec
        The filters' window.
    scale : bool
        Divide each bin by the square root of its filter length.
    pad_mode : str
        Padding of the centred frames (as :func:`dsp.stft`).
    res_type : str or None
        Half-band resampler (librosa's names, :data:`dsp.resampling.RES_TYPES`); None: 'soxr_hq'.
    dtype : np.complex64, np.complex128 or None
        Default complex64 for float32 audio, complex128 for float64; the work runs in its precision.

    Returns
    -------
    V : np.ndarray [shape=(..., n_bins, t)], complex

    Raises
    ------
    DSPError
        ``n_bins < 1``, ``bins_per_octave < 1``, a top filter above Nyquist, a signal shorter than
        the early decimation factor, bad ``res_type`` / ``norm`` / ``dtype`` / ``pad_mode``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> V = dsp.vqt(y, sr=22050, n_bins=48, fmin=110.0)
    >>> V.shape, V.dtype, int(np.abs(V).mean(axis=-1).argmax())
    ((48, 44), dtype('complex64'), 24)
    """
    if not isinstance(intervals, str):
        bins_per_octave = int(np.asarray(intervals).size)
    (y, sr, hop_length, fmin, n_bins, bins_per_octave, filter_scale, norm, sparsity,
     pad_mode) = _common(y, sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale,
                         norm, sparsity, pad_mode)
    if gamma is not None:
        gamma = check_float("gamma", gamma, minimum=0.0)
    if not isinstance(scale, (bool, np.bool_)):
        raise DSPError(f"scale={scale!r} must be True or False")
    res_type = _resample_type(res_type)
    dtype = _out_dtype(y, dtype)
    y = y.astype(real_dtype(dtype), copy=False)
    freqs = interval_frequencies(n_bins, fmin=fmin, intervals=intervals, bins_per_octave=bins_per_octave)
    alpha = relative_bandwidth(freqs, bins_per_octave)
    lengths, f_cutoff = wavelet_lengths(freqs=freqs, sr=sr, window=window,
                                        filter_scale=filter_scale, gamma=gamma, alpha=alpha)
    _check_nyquist(f_cutoff, sr, freqs, n_bins, fmin, bins_per_octave)
    n_octaves = int(np.ceil(n_bins / bins_per_octave))
    n_filters = min(bins_per_octave, n_bins)
    y, sr, hop_length = _early_downsample(y, sr, hop_length, res_type, n_octaves, f_cutoff, scale)
    return octave_recursion(y, sr=sr, hop_length=hop_length, freqs=freqs, alpha=alpha,
                            n_octaves=n_octaves, n_filters=n_filters, filter_scale=filter_scale,
                            norm=norm, sparsity=sparsity, window=window, gamma=gamma, scale=scale,
                            pad_mode=pad_mode, res_type=res_type, dtype=dtype)


def _early_downsample(y, sr, hop_length, res_type, n_octaves, f_cutoff, scale):
    """Decimate by ``2**k`` while the filters stay below the new Nyquist and the hop allows it."""
    count1 = max(0, int(np.ceil(np.log2(sr / 2.0 / f_cutoff)) - 1) - 1)
    count2 = max(0, _num_two_factors(hop_length) - n_octaves + 1)
    count = min(count1, count2)
    if count == 0:
        return y, sr, hop_length
    from .resampling import resample

    factor = 2**count
    if y.shape[-1] < factor:
        raise DSPError(f"y has {y.shape[-1]} samples: too short for the {n_octaves}-octave transform "
                       f"(early decimation by {factor} needs at least {factor})")
    y = resample(y, orig_sr=factor, target_sr=1, res_type=res_type, scale=True)
    if not scale:
        y = y * np.asarray(np.sqrt(factor), dtype=y.dtype)
    return y, sr / float(factor), hop_length // factor


def cqt(y, *, sr=22050, hop_length=512, fmin=None, n_bins=84, bins_per_octave=12, tuning=0.0,
        filter_scale=1, norm=1, sparsity=0.01, window="hann", scale=True, pad_mode="constant",
        res_type=None, dtype=None):
    """Constant-Q transform, as ``librosa.cqt``: :func:`vqt` with ``gamma=0``.

    Returns
    -------
    C : np.ndarray [shape=(..., n_bins, t)], complex64 for float32 audio, complex128 for float64

    Examples
    --------
    >>> import numpy as np, dsp
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 440 * np.arange(sr) / sr).astype(np.float32)
    >>> C = dsp.cqt(y, sr=sr)
    >>> C.shape, C.dtype
    ((84, 44), dtype('complex64'))
    >>> dsp.midi_to_note(24 + int(np.abs(C).mean(axis=-1).argmax()))   # bin 0 is C1 (MIDI 24)
    'A4'
    """
    return vqt(y, sr=sr, hop_length=hop_length, fmin=fmin, n_bins=n_bins, intervals="equal",
               gamma=0, bins_per_octave=bins_per_octave, tuning=tuning, filter_scale=filter_scale,
               norm=norm, sparsity=sparsity, window=window, scale=scale, pad_mode=pad_mode,
               res_type=res_type, dtype=dtype)


def pseudo_cqt(y, *, sr=22050, hop_length=512, fmin=None, n_bins=84, bins_per_octave=12, tuning=0.0,
               filter_scale=1, norm=1, sparsity=0.01, window="hann", scale=True,
               pad_mode="constant", dtype=None):
    """Pseudo constant-Q magnitudes, as ``librosa.pseudo_cqt``: one STFT (Hann window, FFT
    length of the longest filter, at least ``2 * hop_length`` rounded up to a power of two)
    whose magnitudes are projected onto the filters' magnitude spectra. No resampling.

    Returns
    -------
    C : np.ndarray [shape=(..., n_bins, t)], real (float32 for float32 audio)

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 1760 * np.arange(22050) / 22050)
    >>> C = dsp.pseudo_cqt(y, sr=22050, fmin=880.0, n_bins=24)
    >>> C.shape, int(C.mean(axis=-1).argmax())
    ((24, 44), 12)
    """
    (y, sr, hop_length, fmin, n_bins, bins_per_octave, filter_scale, norm, sparsity,
     pad_mode) = _common(y, sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale,
                         norm, sparsity, pad_mode)
    if not isinstance(scale, (bool, np.bool_)):
        raise DSPError(f"scale={scale!r} must be True or False")
    dtype = _out_dtype(y, dtype)
    y = y.astype(real_dtype(dtype), copy=False)
    freqs = cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bins_per_octave)
    alpha = relative_bandwidth(freqs, bins_per_octave)
    lengths, f_cutoff = wavelet_lengths(freqs=freqs, sr=sr, window=window,
                                        filter_scale=filter_scale, alpha=alpha)
    _check_nyquist(f_cutoff, sr, freqs, n_bins, fmin, bins_per_octave)
    starts, offsets, weights, n_fft, _ = sparse_basis(
        sr, tuple(freqs), tuple(alpha), filter_scale, norm, sparsity, window, 0.0, hop_length, dtype)
    C = _response(y, n_fft, hop_length, (starts, offsets, weights), 1.0, pad_mode, dtype,
                  window="hann", magnitude=True)
    xp = array_module(C)
    if scale:
        C /= np.asarray(np.sqrt(n_fft), dtype=C.dtype)
    else:
        C *= xp.asarray(np.sqrt(lengths / n_fft)[:, None].astype(C.dtype))
    return C


def hybrid_cqt(y, *, sr=22050, hop_length=512, fmin=None, n_bins=84, bins_per_octave=12, tuning=0.0,
               filter_scale=1, norm=1, sparsity=0.01, window="hann", scale=True,
               pad_mode="constant", res_type=None, dtype=None):
    """Hybrid constant-Q magnitudes, as ``librosa.hybrid_cqt``: :func:`pseudo_cqt` for the bins
    whose filters (rounded up to a power of two) are shorter than ``2 * hop_length``, ``|cqt|``
    for the others.

    Returns
    -------
    C : np.ndarray [shape=(..., n_bins, t)], real

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> dsp.hybrid_cqt(y, sr=22050).shape
    (84, 44)
    """
    from .notes import note_to_hz

    fmin = float(note_to_hz("C1")) if fmin is None else check_float(
        "fmin", fmin, minimum=0.0, strict_minimum=True)
    n_bins = check_int("n_bins", n_bins, minimum=1)
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    if tuning is None:
        from ._chroma import estimate_tuning

        tuning = float(estimate_tuning(y=as_float_array(y, name="y"), sr=sr,
                                       bins_per_octave=bins_per_octave))
    fmin = fmin * 2.0 ** (check_float("tuning", tuning) / bins_per_octave)
    freqs = cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bins_per_octave)
    alpha = relative_bandwidth(freqs, bins_per_octave)
    lengths, _ = wavelet_lengths(freqs=freqs, sr=sr, filter_scale=filter_scale, window=window,
                                 alpha=alpha)
    pseudo = 2.0 ** np.ceil(np.log2(lengths)) < 2 * check_int("hop_length", hop_length, minimum=1)
    n_pseudo = int(np.sum(pseudo))
    n_full = n_bins - n_pseudo
    common = dict(sr=sr, hop_length=hop_length, bins_per_octave=bins_per_octave,
                  filter_scale=filter_scale, norm=norm, sparsity=sparsity, window=window,
                  scale=scale, pad_mode=pad_mode, dtype=dtype)
    parts = []
    if n_pseudo > 0:
        parts.append(pseudo_cqt(y, fmin=float(np.min(freqs[pseudo])), n_bins=n_pseudo, **common))
    if n_full > 0:
        C = cqt(y, fmin=fmin, n_bins=n_full, res_type=res_type, **common)
        parts.append(array_module(C).abs(C))
    return _trim_stack(parts, n_bins, array_module(parts[-1]))


from ._icqt import icqt  # noqa: E402  (the inverse, in its own module)
