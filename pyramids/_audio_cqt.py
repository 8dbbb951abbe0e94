"""The constant-Q pyramid of a recording (:meth:`pyramids.AudioPyramid.cqt`).

One level per octave, the top octave first. ``dsp.cqt`` computes every octave on one frame grid
(``hop_length``); an octave's filters are twice as long as the next higher octave's, so octave
``k`` keeps every ``2**k``-th frame: its level has about ``n_frames / 2**k`` elements, each
spanning its longest filter. Level ``k`` thus has the finest time resolution at ``k = 0`` and the
finest frequency resolution (in Hz) at the bottom, like the octaves of a wavelet pyramid, and
carries its Hz range so it can be matched to other pyramids' levels.
"""
from __future__ import annotations

import numpy as np

import dsp
from dsp.base import array_module

from ._checks import as_float_array, check_float, check_int
from .core import Level, PyramidError


def cqt_levels(y, sr, *, bins_per_octave, n_octaves, fmin, hop_length, filter_scale, tuning):
    """``(levels, meta)`` of the constant-Q pyramid (see :meth:`AudioPyramid.cqt`)."""
    y = as_float_array(y, name="y")
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    bpo = check_int("bins_per_octave", bins_per_octave, minimum=1)
    n_octaves = check_int("n_octaves", n_octaves, minimum=1)
    hop = check_int("hop_length", hop_length, minimum=1)
    fmin = float(dsp.note_to_hz("C1")) if fmin is None else check_float(
        "fmin", fmin, minimum=0.0, strict_minimum=True)
    tuning = check_float("tuning", tuning)
    n_bins = n_octaves * bpo
    try:
        C = dsp.cqt(y, sr=sr, hop_length=hop, fmin=fmin, n_bins=n_bins, bins_per_octave=bpo,
                    tuning=tuning, filter_scale=filter_scale)
    except dsp.DSPError as exc:
        raise PyramidError(f"AudioPyramid.cqt: {exc}") from exc
    xp = array_module(C)
    mag = xp.abs(C)  # (..., n_bins, n_frames), lowest bin first
    freqs = dsp.cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bpo, tuning=tuning)
    lengths, _ = dsp.filters.wavelet_lengths(freqs=freqs, sr=sr, filter_scale=filter_scale)
    n = y.shape[-1]
    half_bin = 2.0 ** (0.5 / bpo)
    levels = []
    for k in range(n_octaves):
        lo = (n_octaves - 1 - k) * bpo  # octave k from the top
        band = mag[..., lo:lo + bpo, :: 2**k]  # (..., bpo, frames of octave k)
        step = hop * 2**k
        centre = np.arange(band.shape[-1], dtype=np.float64) * step
        span = float(np.max(lengths[lo:lo + bpo]))
        ext = np.clip(np.stack([centre - span / 2, centre + span / 2], axis=1), 0, n) / sr
        data = xp.ascontiguousarray(xp.moveaxis(band, -1, 0))  # (frames, ..., bpo)
        f = freqs[lo:lo + bpo]
        meta = {"hz": (float(f[0] / half_bin), float(f[-1] * half_bin)), "level": k,
                "frequencies": tuple(float(v) for v in f), "hop_length": step,
                "filter_seconds": span / sr}
        levels.append(Level(data, f"oct{k}", ext, "seconds", meta))
    meta = dict(builder="cqt", sr=sr, fmin=fmin, bins_per_octave=bpo, n_octaves=n_octaves,
                hop_length=hop, filter_scale=float(filter_scale), tuning=tuning, n_samples=n)
    return levels, meta
