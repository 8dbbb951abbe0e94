"""The wavelet-domain builders of :class:`pyramids.AudioPyramid`: discrete wavelet bands
(:meth:`~WaveletBuilders.wavelet`, inverted by :meth:`~WaveletBuilders.reconstruct`) and the
octave-pooled continuous wavelet scalogram (:meth:`~WaveletBuilders.scalogram`).

:class:`AudioPyramid` inherits them: call ``AudioPyramid.wavelet(...)``. Layout and extents follow
:mod:`pyramids.audio` (elements first, channels between, extents in seconds).
"""
from __future__ import annotations

import numpy as np

import dsp
from dsp.base import array_module

from ._arrays import frames_first
from ._checks import check_float, check_int, signal_and_rate
from ._errors import as_pyramid_error
from .core import Level, PyramidError

__all__ = ["WaveletBuilders"]


class WaveletBuilders:
    """Mixin of :class:`pyramids.AudioPyramid` holding its wavelet-domain builders."""

    @classmethod
    def wavelet(cls, y, sr, wavelet="db4", levels=4, mode="symmetric", bands=None) -> "AudioPyramid":
        """Discrete wavelet bands (:func:`dsp.wavedec`), finest first, each with its Hz range.

        Level ``j`` (``'d{j}'``, ``j = 1 .. levels``) holds the detail coefficients of octave
        ``(sr / 2**(j+1), sr / 2**j)`` Hz; the last (``'a{levels}'``) the approximation,
        ``(0, sr / 2**(levels+1))`` Hz. Coefficient ``k`` of level ``j`` is computed from the
        samples under its filters' support, ``[2**j k + c_j, 2**j (k + 1))`` with ``F`` the filter
        length and ``c_j = (2**j - 1)(2 - F)`` (PyWavelets' indexing); its
        extent is that span in seconds, clipped to the signal (near the edges the extension
        mode also folds in samples from inside).

        Parameters
        ----------
        y : np.ndarray [shape=(..., n)]
        sr : float > 0
        wavelet : str or dsp.Wavelet
        levels : int >= 1
            At most :func:`dsp.dwt_max_level` (every coefficient would feel the boundary).
        mode : str
            Extension mode (:func:`dsp.dwt`), except ``'periodization'`` (its coefficients do not
            follow the span rule above).
        bands : None, 'default' or dict name -> (lo_hz, hi_hz)
            Merge the octaves into named Hz bands (``'default'``: sub 20-100, low 100-1000, mid
            1000-8000, high 8000-20000 Hz): each octave joins the band its range overlaps most,
            and a band's level is the time signal of its octaves alone (inverse DWT, one value
            per sample; the bands of a partition add up to ``y``). Each band's meta reports the
            measured fraction of its energy inside its own range (``in_band``) and inside each
            neighbour's (``leakage``); the pyramid's meta lists octaves no band took
            (``unassigned``) and bands no octave joined (``empty_bands``). Not invertible by
            :meth:`reconstruct` (sum the levels).

        Returns
        -------
        AudioPyramid
            ``levels + 1`` levels of shape ``(n_coefficients, ...)``; meta ``{'hz': (lo, hi),
            'kind': 'detail' | 'approximation', 'level': j}``. :meth:`reconstruct` inverts it.

        Raises
        ------
        PyramidError
            Bad ``y`` or ``sr``, ``levels`` out of range, ``mode='periodization'``; dsp's errors
            for an unknown wavelet or mode.

        Examples
        --------
        >>> import numpy as np
        >>> from pyramids import AudioPyramid
        >>> y = np.random.default_rng(0).standard_normal(8000)
        >>> p = AudioPyramid.wavelet(y, 8000, "db4", levels=3)
        >>> p.names, [p.level(i).meta["hz"] for i in range(4)]
        (('d1', 'd2', 'd3', 'a3'), [(2000.0, 4000.0), (1000.0, 2000.0), (500.0, 1000.0), (0.0, 500.0)])
        >>> b = AudioPyramid.wavelet(y, 8000, "db4", levels=3, bands={"low": (0, 1000), "high": (1000, 4000)})
        >>> b.names, b.level(0).meta["octaves"]
        (('high', 'low'), ['d1', 'd2'])
        """
        y, sr = signal_and_rate(y, sr)
        if mode == "periodization":
            raise PyramidError("mode='periodization' is not supported by AudioPyramid.wavelet: use another mode")
        w = wavelet if isinstance(wavelet, dsp.Wavelet) else dsp.Wavelet(wavelet)
        F = int(w.dec_len)
        n = y.shape[-1]
        max_level = dsp.dwt_max_level(n, F)
        levels = check_int("levels", levels, minimum=1)
        if levels > max(max_level, 1) or max_level < 1:
            raise PyramidError(
                f"levels={levels} is too many for {n} samples with {w.name} ({F} taps): at most "
                f"{max_level} (dsp.dwt_max_level)"
            )
        xp = array_module(y)
        coeffs = dsp.wavedec(y, w, mode=mode, level=levels)
        out = []
        for j in range(1, levels + 1):
            d = coeffs[-j]
            out.append(Level(frames_first(d, xp), f"d{j}", _dwt_extents(d.shape[-1], j, F, n, sr), "seconds",
                             {"hz": (sr / 2 ** (j + 1), sr / 2**j), "kind": "detail", "level": j}))
        a = coeffs[0]
        out.append(Level(frames_first(a, xp), f"a{levels}", _dwt_extents(a.shape[-1], levels, F, n, sr), "seconds",
                         {"hz": (0.0, sr / 2 ** (levels + 1)), "kind": "approximation", "level": levels}))
        meta = dict(builder="wavelet", sr=sr, wavelet=w.name, mode=mode, n_samples=n)
        if bands is not None:
            from ._wavelet_bands import as_bands, band_levels

            merged, extra = band_levels(y, sr, coeffs, w, mode, [lv.meta["hz"] for lv in out], as_bands(bands))
            return cls(merged, "audio", dict(meta, builder="wavelet_bands", **extra))
        return cls(out, "audio", meta)

    @classmethod
    def scalogram(cls, y, sr, wavelet="cmor1.5-1.0", fmin=None, fmax=None, bins_per_octave=12, hop_length=256,
                  method="fft") -> "AudioPyramid":
        """Scalogram pyramid from the continuous wavelet transform (:func:`dsp.cwt`): one level per
        octave, finest (highest) first, each the CWT magnitude of its ``bins_per_octave`` scales,
        averaged over blocks of ``hop_length`` samples.

        Parameters
        ----------
        y : np.ndarray [shape=(..., n)]
        sr : float > 0
        wavelet : str
            A continuous wavelet (e.g. 'cmor1.5-1.0', 'morl', 'mexh').
        fmin, fmax : float, optional
            Lowest and highest analysed frequencies in Hz; default ``fmax = sr / 4`` and six
            octaves below it.
        bins_per_octave : int >= 1
        hop_length : int >= 1
        method : {'fft', 'conv'}

        Returns
        -------
        AudioPyramid
            Levels ``'oct0'``, ``'oct1'``, ... of shape ``(n_frames, ..., bins_per_octave)``; meta
            ``{'hz': (lo, hi), 'frequencies': (...), 'level': k}`` (the band of octave ``k`` is
            ``(fmax / 2**(k+1), fmax / 2**k]``); extents are each frame's span in seconds.

        Examples
        --------
        >>> import numpy as np
        >>> from pyramids import AudioPyramid
        >>> y = np.sin(2 * np.pi * 1000 * np.arange(8000) / 8000)
        >>> p = AudioPyramid.scalogram(y, 8000, fmax=2000.0, fmin=250.0, bins_per_octave=4)
        >>> p.names, p.level(1).meta["hz"], int(np.argmax([p[k].mean() for k in range(3)]))
        (('oct0', 'oct1', 'oct2'), (500.0, 1000.0), 1)
        """
        y, sr = signal_and_rate(y, sr)
        y = np.asarray(y)
        bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
        hop = check_int("hop_length", hop_length, minimum=1)
        fmax = sr / 4 if fmax is None else check_float("fmax", fmax, minimum=0.0, strict_minimum=True)
        fmin = fmax / 64 if fmin is None else check_float("fmin", fmin, minimum=0.0, strict_minimum=True)
        if not fmin < fmax <= sr / 2:
            raise PyramidError(f"fmin={fmin} and fmax={fmax} must satisfy 0 < fmin < fmax <= sr/2 = {sr / 2}")
        with as_pyramid_error():
            w = dsp.ContinuousWavelet(wavelet)
            fc = dsp.central_frequency(w)
        n_oct = int(np.ceil(np.log2(fmax / fmin) - 1e-9))
        freqs = fmax / 2.0 ** (np.arange(n_oct * bins_per_octave) / bins_per_octave)
        coefs, f = dsp.cwt(y, fc * sr / freqs, w, sampling_period=1.0 / sr, method=method)
        mag = np.abs(coefs)  # (S, ..., n)
        n = y.shape[-1]
        starts = np.arange(0, n, hop)
        pooled = np.add.reduceat(mag, starts, axis=-1) / np.diff(np.append(starts, n))
        ext = np.stack([starts, np.minimum(starts + hop, n)], axis=1) / sr
        out = []
        for k in range(n_oct):
            band = pooled[k * bins_per_octave : (k + 1) * bins_per_octave]  # (bins, ..., frames)
            data = np.ascontiguousarray(np.moveaxis(band, 0, -2)[..., ::-1, :])  # lowest bin first
            meta = {"hz": (fmax / 2.0 ** (k + 1), fmax / 2.0**k), "level": k,
                    "frequencies": tuple(float(v) for v in f[k * bins_per_octave : (k + 1) * bins_per_octave][::-1])}
            out.append(Level(frames_first(data, np), f"oct{k}", ext, "seconds", meta))
        meta = dict(builder="scalogram", sr=sr, wavelet=w.name, fmin=fmin, fmax=fmax,
                    bins_per_octave=bins_per_octave, hop_length=hop, n_samples=n)
        return cls(out, "audio", meta)

    def reconstruct(self):
        """The signal a :meth:`wavelet` pyramid was built from (:func:`dsp.waverec`).

        Returns
        -------
        np.ndarray [shape=(..., n)]

        Raises
        ------
        PyramidError
            The pyramid was not built by :meth:`wavelet`, or has lost levels.

        Examples
        --------
        >>> import numpy as np
        >>> from pyramids import AudioPyramid
        >>> y = np.random.default_rng(0).standard_normal(1000)
        >>> bool(np.allclose(AudioPyramid.wavelet(y, 1000, levels=3).reconstruct(), y))
        True
        """
        if self.meta.get("builder") != "wavelet":
            raise PyramidError(
                f"reconstruct() needs a wavelet pyramid (AudioPyramid.wavelet): this one was built by "
                f"{self.meta.get('builder')!r}"
            )
        top = self.level(-1).meta.get("level")
        if self.names != tuple(f"d{j}" for j in range(1, len(self))) + (f"a{top}",) or top != len(self) - 1:
            raise PyramidError(f"reconstruct() needs every band from 'd1' to the approximation: this one has {self.names}")
        xp = array_module(self[0])
        coeffs = [xp.moveaxis(self[-1], 0, -1)] + [xp.moveaxis(self[j], 0, -1) for j in range(len(self) - 2, -1, -1)]
        y = dsp.waverec(coeffs, self.meta["wavelet"], mode=self.meta["mode"])
        return y[..., : self.meta["n_samples"]]


def _dwt_extents(n_coef, level, F, n, sr):
    """Samples under coefficient ``k``'s filter support at ``level``, clipped, in seconds.

    At level 1 PyWavelets' coefficient ``k`` is ``sum_m h[m] x[2k + 1 - m]``: samples
    ``[2k + 2 - F, 2k + 2)``. Applying the rule to the previous level's spans gives
    ``start_j(k) = 2**j k + (2**j - 1)(2 - F)`` and ``end_j(k) = 2**j (k + 1)``.
    """
    step = 2**level
    k = np.arange(n_coef, dtype=np.float64)
    start = step * k + (step - 1) * (2 - F)
    end = step * (k + 1)
    return np.clip(np.stack([start, end], axis=1), 0, n) / sr
