"""The octave recursion of :func:`dsp.vqt` (and so of ``cqt`` and ``hybrid_cqt``): one fused
pass per octave, from the top, and a decimation by 2 between octaves.

Every octave's rate, length, hop and filter bank are known before any is computed, so the
output is allocated once, at the octaves' common number of frames (librosa trims to it), and
each octave writes its rows straight into it; frames past that number are never computed. The
per-octave gain ``sqrt(sr / octave rate)`` and, with ``scale=True``, ``1 / sqrt(filter length)``
are folded into the filters' sparse weights (librosa applies them to the weights and to the
result). The decimation is ``dsp.resample(y, orig_sr=2, target_sr=1, res_type=..., scale=True)``
with that resampler's own taps, ``sqrt(2)`` folded in, computed by fast convolution
(``dsp._resample_halving``); no halving follows the last octave.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module
from ._cqt_filters import sparse_basis, wavelet_lengths
from ._dispatch import kernel_for
from ._resample_halving import halve
from ._stft_params import n_frames as n_frames_of

__all__ = ["octave_recursion"]


def octave_recursion(y, *, sr, hop_length, freqs, alpha, n_octaves, n_filters, filter_scale, norm,
                     sparsity, window, gamma, scale, pad_mode, res_type, dtype):
    """The (..., n_bins, t) transform of the validated (..., n) signal ``y`` (already early
    downsampled; ``sr`` and ``hop_length`` its rate and hop), top octave first.

    ``freqs``/``alpha`` are all bins' frequencies and relative bandwidths, ``n_filters`` the bins
    per octave; ``res_type`` one of librosa's names or ours; ``dtype`` the complex result type.

    Returns
    -------
    V : np.ndarray [shape=(..., len(freqs), t)], ``dtype``

    Examples
    --------
    >>> import numpy as np, dsp
    >>> from dsp._cqt_filters import relative_bandwidth
    >>> from dsp._cqt_octaves import octave_recursion
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> freqs = dsp.cqt_frequencies(24, fmin=220.0)
    >>> V = octave_recursion(y, sr=22050, hop_length=512, freqs=freqs,
    ...                      alpha=relative_bandwidth(freqs, 12), n_octaves=2, n_filters=12,
    ...                      filter_scale=1.0, norm=1.0, sparsity=0.01, window="hann", gamma=0.0,
    ...                      scale=True, pad_mode="constant", res_type="soxr_hq",
    ...                      dtype=np.complex64)
    >>> V.shape, V.dtype, int(np.abs(V).mean(axis=-1).argmax())   # bin 12 is A4 (440 Hz)
    ((24, 44), dtype('complex64'), 12)
    """
    n_bins = len(freqs)
    xp = array_module(y)
    lead, n = y.shape[:-1], y.shape[-1]
    # every octave's rate, length, hop and bank are known before any is computed: the output
    # is allocated once, at the octaves' common number of frames, and each octave writes its
    # rows into it (frames past that number are never computed)
    octaves, end = [], n_bins
    for my_n, my_hop, my_sr in _octave_plan(n, hop_length, sr, n_octaves):
        sl = slice(max(0, end - n_filters), end)
        basis = sparse_basis(my_sr, tuple(freqs[sl]), tuple(alpha[sl]), filter_scale, norm,
                             sparsity, window, gamma, None, dtype)
        octaves.append((sl, my_n, my_hop, my_sr, basis))
        end = sl.start
    n_frames = min(n_frames_of(my_n, basis[3], my_hop, True, stacklevel=5)
                   for _, my_n, my_hop, _, basis in octaves)
    V = xp.empty(lead + (n_bins, n_frames), dtype=dtype)
    V3 = V.reshape((-1, n_bins, n_frames))
    my_y = xp.ascontiguousarray(y.reshape((-1, n)))
    if scale:  # at the rate after early downsampling, as librosa
        lengths, _ = wavelet_lengths(freqs=freqs, sr=sr, window=window, filter_scale=filter_scale,
                                     gamma=gamma, alpha=alpha)
    for i, (sl, my_n, my_hop, my_sr, (starts, offsets, weights, n_fft, _)) in enumerate(octaves):
        if i > 0 and my_hop != octaves[i - 1][2]:  # the hop was halved: so is the signal
            my_y = _halve(my_y, res_type)
        # librosa's gains folded into the weights: sqrt(sr / my_sr) for the decimation and,
        # with scale=True, 1 / sqrt(length) per bin
        gains = np.sqrt(sr / my_sr) / (np.sqrt(lengths[sl]) if scale else 1.0)
        w = _scaled_weights(weights, offsets, gains, dtype)
        V3[:, sl, :] = kernel_for("cqt_octave", my_y)(
            my_y, n_fft=n_fft, hop_length=my_hop, pad_mode=pad_mode, starts=starts,
            offsets=offsets, weights=w, n_frames=n_frames)
    return V


def _octave_plan(n, hop_length, sr, n_octaves):
    """``[(length, hop, rate)]`` of the signal at each octave, top first: all three halve after
    an octave while the hop is even (the resampler's output has ``ceil(length / 2)`` samples)."""
    plan = [(n, hop_length, sr)]
    for _ in range(n_octaves - 1):
        m, h, r = plan[-1]
        plan.append(((m + 1) // 2, h // 2, r / 2.0) if h % 2 == 0 else (m, h, r))
    return plan


def _scaled_weights(weights, offsets, gains, dtype):
    """Each filter's sparse weights times its gain (float64 gains, rounded once to ``dtype``)."""
    per_entry = np.repeat(gains, np.diff(offsets))
    return (weights * per_entry).astype(dtype)


def _halve(y2, res_type):
    """``resample(y2, orig_sr=2, target_sr=1, res_type=res_type, scale=True)`` of the validated
    (batch, n) rows: the resampler's own 2:1 taps with librosa's sqrt(2) gain folded in (no
    separate scaling pass), by fast convolution (``dsp._resample_halving``) at every length,
    in power-of-two blocks (the octaves are few and mostly long: blocks of 3 or 5 times a power
    of two would save little and cost the transform's first call another 4 s of compilation)."""
    return halve(y2, _resample_quality(res_type), np.sqrt(2.0), smooth=False)


def _resample_quality(res_type):
    """The quality :func:`dsp.resample` uses for ``res_type`` (one of ours)."""
    from .resampling import RES_TYPES

    return RES_TYPES.get(res_type, res_type)
