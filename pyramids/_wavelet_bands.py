"""Named Hz bands from a wavelet decomposition: octaves merged into bands such as 20-100 /
100-1000 / 1000-8000 / 8000-20000 Hz, with the energy each band leaks into its neighbours.

A DWT level covers one octave, ``(sr / 2**(j+1), sr / 2**j)`` Hz (the approximation covers
``(0, sr / 2**(J+1))``). Band edges need not fall on octave edges, so each octave joins the band
its Hz range overlaps most. A band's signal is the inverse DWT of its octaves' coefficients alone
(all others zeroed): by linearity the band signals of a partition add up to the input. The
wavelet filters are not brick walls, so a band also holds some energy outside its nominal range;
:func:`band_leakage` measures it on the band signal's power spectrum (our FFT).
"""
from __future__ import annotations

import numpy as np

import dsp

from ._arrays import xp_of
from .core import Level, PyramidError

__all__ = ["DEFAULT_BANDS", "as_bands", "assign_octaves", "band_signal", "band_leakage", "band_levels"]

#: the default named bands (Hz): sub-bass, low, mid, high
DEFAULT_BANDS = {"sub": (20.0, 100.0), "low": (100.0, 1000.0), "mid": (1000.0, 8000.0), "high": (8000.0, 20000.0)}


def as_bands(bands) -> dict[str, tuple[float, float]]:
    """``'default'`` or a mapping ``name -> (lo_hz, hi_hz)``, checked: ``0 <= lo < hi``, no overlap."""
    if isinstance(bands, str):
        if bands != "default":
            raise PyramidError(f"bands={bands!r} is not a band table: use 'default' or a mapping name -> (lo_hz, hi_hz)")
        return dict(DEFAULT_BANDS)
    try:
        items = [(str(k), tuple(float(x) for x in v)) for k, v in dict(bands).items()]
    except (TypeError, ValueError):
        raise PyramidError(f"bands={bands!r} must be 'default' or a mapping name -> (lo_hz, hi_hz)") from None
    if not items:
        raise PyramidError("bands is empty: need at least one named band")
    for name, edges in items:
        if len(edges) != 2 or not (np.isfinite(edges).all() and 0 <= edges[0] < edges[1]):
            raise PyramidError(f"bands[{name!r}]={edges!r} must be (lo_hz, hi_hz) with 0 <= lo_hz < hi_hz")
    ordered = sorted(items, key=lambda item: item[1][0])
    for (a, (_, a_hi)), (b, (b_lo, _)) in zip(ordered, ordered[1:]):
        if b_lo < a_hi:
            raise PyramidError(f"bands {a!r} and {b!r} overlap ({a_hi} Hz > {b_lo} Hz): bands must not overlap")
    return dict(ordered)


def assign_octaves(octaves, bands):
    """Which octaves form each band.

    Parameters
    ----------
    octaves : sequence of (lo_hz, hi_hz)
        One per DWT level, as in the wavelet pyramid's level meta.
    bands : dict name -> (lo_hz, hi_hz)

    Returns
    -------
    groups : dict name -> list of octave indices
        Bands that received no octave are absent.
    unassigned : list of octave indices
        Octaves that overlap no band (their energy is in no level).

    Examples
    --------
    >>> assign_octaves([(4000, 8000), (2000, 4000), (0, 2000)], {"low": (0, 1000), "high": (1000, 8000)})
    ({'low': [2], 'high': [0, 1]}, [])

    (octave 2 overlaps both bands by 1000 Hz: a tie goes to the lower band)
    """
    groups: dict[str, list[int]] = {}
    unassigned = []
    for i, (lo, hi) in enumerate(octaves):
        overlaps = {name: min(hi, b_hi) - max(lo, b_lo) for name, (b_lo, b_hi) in bands.items()}
        best = max(overlaps, key=overlaps.get)  # ties: the lower band (bands are sorted by lo)
        if overlaps[best] <= 0:
            unassigned.append(i)
        else:
            groups.setdefault(best, []).append(i)
    return {name: groups[name] for name in bands if name in groups}, unassigned


def band_signal(coeffs, wavelet, mode, keep, n):
    """The inverse DWT of the coefficient arrays listed in ``keep`` (indices into ``coeffs``,
    PyWavelets' order ``[cA_J, cD_J, ..., cD_1]``), all others zeroed, cut to ``n`` samples."""
    masked = [c if i in keep else c * 0 for i, c in enumerate(coeffs)]
    return dsp.waverec(masked, wavelet, mode=mode)[..., :n]


def band_leakage(signal, sr, bands) -> dict[str, float]:
    """Fraction of ``signal``'s energy whose frequency lies in each band's nominal range.

    The power spectrum is the squared magnitude of our real FFT along the last axis, summed over
    any channel axes; a frequency ``f`` belongs to band ``(lo, hi)`` when ``lo <= f < hi``.

    Returns
    -------
    dict name -> float in [0, 1] (0 for a silent signal)
    """
    xp = xp_of(signal)
    x = signal.astype(xp.float64)
    spec = dsp.rfft(x, axis=-1)
    power = (spec.real**2 + spec.imag**2).reshape(-1, spec.shape[-1]).sum(axis=0)
    power = power.get() if xp is not np else power  # a handful of bins: summed on the host
    freqs = dsp.fft_frequencies(sr=sr, n_fft=x.shape[-1])  # bin k at k sr / n, as rfft's
    total = float(power.sum())
    if total == 0.0:
        return {name: 0.0 for name in bands}
    return {name: float(power[(freqs >= lo) & (freqs < hi)].sum() / total) for name, (lo, hi) in bands.items()}


def band_levels(y, sr, coeffs, wavelet, mode, octaves, bands):
    """The levels of a band-merged wavelet pyramid (see :meth:`pyramids.AudioPyramid.wavelet`).

    Parameters
    ----------
    y : array [shape=(..., n)]
    coeffs : list of arrays
        ``dsp.wavedec``'s output, ``[cA_J, cD_J, ..., cD_1]``.
    octaves : list of (lo_hz, hi_hz)
        One per pyramid octave level, finest first (``d1 .. dJ``, then ``aJ``).
    bands : dict name -> (lo_hz, hi_hz), checked by :func:`as_bands`

    Returns
    -------
    levels : list of Level
        One per band that received an octave, lowest band last (finest first, like the octave
        levels): data ``(n, ...)`` samples first, extents one sample each; meta ``hz`` (nominal
        range), ``octaves_hz`` (the merged octaves' range), ``octaves`` (their names),
        ``in_band`` and ``leakage`` (energy fractions in its own and each neighbour's range).
    meta : dict
        ``unassigned`` octave names and ``empty_bands`` (bands no octave overlaps most).
    """
    n = y.shape[-1]
    names = [f"d{j}" for j in range(1, len(octaves))] + [f"a{len(octaves) - 1}"]
    groups, unassigned = assign_octaves(octaves, bands)
    order = list(bands)
    xp = xp_of(y)
    extents = np.stack([np.arange(n), np.arange(1, n + 1)], axis=1) / sr
    levels = []
    for name in sorted(groups, key=lambda b: -bands[b][0]):  # highest band first
        members = groups[name]
        # octave level i (finest first) is coeffs[-1 - i]; the approximation is coeffs[0]
        keep = {len(coeffs) - 1 - i for i in members}
        sig = band_signal(coeffs, wavelet, mode, keep, n)
        fractions = band_leakage(sig, sr, bands)
        k = order.index(name)
        neighbours = [order[i] for i in (k - 1, k + 1) if 0 <= i < len(order)]
        meta = {
            "hz": bands[name],
            "octaves_hz": (min(octaves[i][0] for i in members), max(octaves[i][1] for i in members)),
            "octaves": [names[i] for i in members],
            "kind": "band",
            "in_band": fractions[name],
            "leakage": {nb: fractions[nb] for nb in neighbours},
        }
        levels.append(Level(xp.ascontiguousarray(xp.moveaxis(sig, -1, 0)), name, extents, "seconds", meta))
    meta = {"unassigned": [names[i] for i in unassigned], "empty_bands": [b for b in bands if b not in groups]}
    return levels, meta
