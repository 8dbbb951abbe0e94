"""The inverse constant-Q transform, as ``librosa.icqt`` (0.11).

Octave by octave from the bottom: the octave's coefficients are mapped back to an STFT through
the adjoint of the sparse filter bank, each filter weighted by ``sqrt(length) / (sum |w|^2)
n_fft / length`` (librosa's ``freq_power``), inverted with a rectangular-window ISTFT at the
octave's rate and hop, upsampled to ``sr`` and added up.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module
from ._cqt_filters import _check_norm, cqt_frequencies, relative_bandwidth, sparse_basis, wavelet_lengths
from ._errors import DSPError
from ._validation import check_float, check_int, real_dtype

__all__ = ["icqt"]


def icqt(C, *, sr=22050, hop_length=512, fmin=None, bins_per_octave=12, tuning=0.0, filter_scale=1,
         norm=1, sparsity=0.01, window="hann", scale=True, length=None, res_type=None, dtype=None):
    """Approximate inverse of :func:`dsp.cqt`, as ``librosa.icqt``.

    Parameters
    ----------
    C : np.ndarray [shape=(..., n_bins, t)], complex
        Constant-Q coefficients (leading axes are channels).
    sr, hop_length, fmin, bins_per_octave, tuning, filter_scale, norm, sparsity, window, scale :
        As given to :func:`dsp.cqt`.
    length : int > 0 or None
        Output length in samples (trimmed or zero-padded).
    res_type : str or None
        The upsampler (librosa's names); None: 'soxr_hq'.
    dtype : np.float32, np.float64 or None
        Default float32 for complex64 ``C``, float64 for complex128.

    Returns
    -------
    y : np.ndarray [shape=(..., n)], real

    Examples
    --------
    >>> import numpy as np, dsp
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    >>> C = dsp.cqt(y, sr=sr, fmin=55.0, n_bins=72)
    >>> y_hat = dsp.icqt(C, sr=sr, fmin=55.0, length=sr)
    >>> e = (y_hat - y)[2048:-2048]   # signal-to-error ratio in dB, librosa's pair gives the same
    >>> round(float(10 * np.log10(np.sum(y[2048:-2048] ** 2) / np.sum(e ** 2))), 1)
    7.6
    """
    from .constantq import _resample_type
    from .notes import note_to_hz
    from .resampling import resample
    from .spectral import istft

    xp = array_module(C)
    if not hasattr(C, "dtype") or C.dtype.kind != "c" or C.ndim < 2:
        raise DSPError("C must be a complex array of shape (..., n_bins, t)")
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    fmin = float(note_to_hz("C1")) if fmin is None else check_float(
        "fmin", fmin, minimum=0.0, strict_minimum=True)
    fmin = fmin * 2.0 ** (check_float("tuning", tuning) / bins_per_octave)
    filter_scale = check_float("filter_scale", filter_scale, minimum=0.0, strict_minimum=True)
    norm = _check_norm(norm)
    sparsity = check_float("sparsity", sparsity, minimum=0.0)
    if sparsity >= 1:
        raise DSPError(f"sparsity={sparsity} must be in [0, 1)")
    if length is not None:
        length = check_int("length", length, minimum=1)
    res_type = _resample_type(res_type)
    if dtype is None:
        dtype = real_dtype(C.dtype)
    else:
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise DSPError(f"dtype={dtype} is not supported: use np.float32 or np.float64")
    n_bins = C.shape[-2]
    if n_bins < 1:
        raise DSPError("C has 0 bins (axis -2): need at least one")
    n_octaves = int(np.ceil(n_bins / bins_per_octave))
    freqs = cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bins_per_octave)
    alpha = relative_bandwidth(freqs, bins_per_octave)
    lengths, _ = wavelet_lengths(freqs=freqs, sr=sr, window=window, filter_scale=filter_scale,
                                 alpha=alpha)
    if length is not None:
        n_frames = int(np.ceil((length + max(lengths)) / hop_length))
        C = C[..., :n_frames]
    cdtype = np.complex64 if dtype == np.float32 else np.complex128
    lead = C.shape[:-2]
    C3 = xp.ascontiguousarray(C.reshape((-1,) + C.shape[-2:]), dtype=cdtype)
    # the octaves' rates and hops, lowest first: halved while the hop stays even, as the
    # forward recursion did
    srs, hops = [sr], [hop_length]
    for _ in range(n_octaves - 1):
        if hops[0] % 2 == 0:
            srs.insert(0, srs[0] * 0.5)
            hops.insert(0, hops[0] // 2)
        else:
            srs.insert(0, srs[0])
            hops.insert(0, hops[0])
    from ._dispatch import kernel_for

    y = None
    for i, (my_sr, my_hop) in enumerate(zip(srs, hops)):
        n_filters = min(bins_per_octave, n_bins - bins_per_octave * i)
        sl = slice(bins_per_octave * i, bins_per_octave * i + n_filters)
        starts, offsets, weights, n_fft, _ = sparse_basis(
            my_sr, tuple(freqs[sl]), tuple(alpha[sl]), filter_scale, norm, sparsity, window, 0.0,
            None, cdtype)
        power = np.abs(weights.astype(np.complex128)) ** 2
        sums = np.add.reduceat(power, offsets[:-1]) if power.size else np.zeros(n_filters)
        gains = (1.0 / sums) * (n_fft / lengths[sl])
        if scale:
            gains = gains * np.sqrt(lengths[sl])
        D = kernel_for("cqt_adjoint", C3)(xp.ascontiguousarray(C3[:, sl, :]), starts, offsets, weights,
                                     gains, n_fft // 2 + 1)
        y_oct = istft(D, window="ones", hop_length=my_hop, dtype=dtype)
        if my_sr != sr:
            y_oct = resample(y_oct, orig_sr=1, target_sr=sr // my_sr, res_type=res_type, scale=False)
        if y is None:
            y = y_oct
        else:
            m = min(y.shape[-1], y_oct.shape[-1])
            y[..., :m] += y_oct[..., :m]
    if length is not None:
        if y.shape[-1] >= length:
            y = y[..., :length]
        else:
            pad = xp.zeros(y.shape[:-1] + (length - y.shape[-1],), dtype=y.dtype)
            y = xp.concatenate([y, pad], axis=-1)
    return xp.ascontiguousarray(y).reshape(lead + y.shape[-1:])
