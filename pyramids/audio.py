"""Audio pyramids, built on :mod:`dsp`: mel resolutions, frame -> window -> clip, wavelet bands and
STFT resolutions.

Every level's array has its elements (frames, windows, coefficients) on the first axis and its
features on the last; a multichannel input ``(..., n)`` keeps its channel axes in between:
``(n_elements, ..., n_features)`` (``(n_coefficients, ...)`` for wavelet bands). Extents are in
seconds: the span of signal each element summarises, clipped to ``[0, len(y) / sr]``.

Channels: the *stored* level keeps the elements first, as every :class:`~pyramids.Level` does
(the rows of its extents, what ``Pyramid.save``/``load``, ``map``, indexing and fusion rely on),
so a stereo level is ``(n_elements, 2, n_features)``. The channel-leading view that the signal
had, ``(2, n_elements, n_features)``, is :meth:`AudioPyramid.channel_data`; similarity scores of
a multichannel level come back channel-leading, ``(2, n_elements)``
(:func:`pyramids.align.similarity`).
"""
from __future__ import annotations

import numbers

import numpy as np

import dsp
from dsp.base import array_module

from ._arrays import as_level_index, frames_first
from ._checks import check_choice, check_float, check_int, signal_and_rate
from .audio_wavelet import WaveletBuilders
from .core import Level, Pyramid, PyramidError

__all__ = ["AudioPyramid"]


def _frame_extents(n_frames, hop, n_fft, n, sr, center):
    """Seconds covered by each STFT frame: its window's samples, clipped to the signal."""
    start = np.arange(n_frames, dtype=np.float64) * hop - (n_fft // 2 if center else 0)
    ext = np.stack([start, start + n_fft], axis=1)
    return np.clip(ext, 0, n) / sr


def _int_tuple(name, values):
    """A non-empty tuple of positive ints from an int or a sequence."""
    if isinstance(values, numbers.Number):
        values = (values,)
    try:
        values = tuple(values)
    except TypeError:
        raise PyramidError(f"{name}={values!r} must be a sequence of integers") from None
    if not values:
        raise PyramidError(f"{name} is empty: need at least one value")
    return tuple(check_int(name, v, minimum=1) for v in values)


class AudioPyramid(WaveletBuilders, Pyramid, modality="audio"):
    """A :class:`Pyramid` of a recording; extents in seconds.

    Builders: :meth:`mel`, :meth:`temporal`, :meth:`stft_resolutions` (here) and :meth:`wavelet`,
    :meth:`scalogram`, :meth:`reconstruct` (wavelet domain, :mod:`pyramids.audio_wavelet`).
    """

    @classmethod
    def mel(cls, y, sr, n_mels=(128, 80, 40), n_fft=2048, hop_length=512, window="hann", center=True,
            power=2.0, fmin=0.0, fmax=None, htk=False, norm="slaney") -> "AudioPyramid":
        """A frequency pyramid: one STFT projected onto ever fewer mel bands.

        The power spectrogram ``|STFT|**power`` is computed once (:func:`dsp.stft`) and projected
        by :func:`dsp.melspectrogram` (``S=``) onto each filterbank, so every level equals
        ``librosa.feature.melspectrogram(y=y, sr=sr, n_mels=m, ...)`` transposed. All levels share
        their frames (same extents, same scale); they are ordered from the finest frequency
        resolution (most bands) to the coarsest. Apply ``p.map(dsp.power_to_db)`` for decibels.

        Parameters
        ----------
        y : np.ndarray [shape=(..., n)]
        sr : float > 0
        n_mels : int or sequence of int
            Bands per level, strictly decreasing.
        n_fft, hop_length, window, center : STFT parameters (:func:`dsp.stft`).
        power : float > 0
        fmin, fmax, htk, norm : filterbank parameters (:func:`dsp.mel_filterbank`).

        Returns
        -------
        AudioPyramid
            Level ``'mel{m}'`` has shape ``(n_frames, ..., m)``; meta ``{'n_mels': m, 'hz': (fmin,
            fmax)}``. Frame ``t`` covers ``[t hop - n_fft/2, t hop + n_fft/2) / sr`` (without the
            ``n_fft/2`` shift when ``center=False``), clipped to the signal.

        Raises
        ------
        PyramidError
            Bad ``y``, ``sr``, or ``n_mels`` not strictly decreasing; dsp's own errors
            (:class:`dsp.DSPError`) for the STFT and filterbank parameters.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
        >>> p = AudioPyramid.mel(y, 22050)
        >>> p.names, p.shapes
        (('mel128', 'mel80', 'mel40'), ((44, 128), (44, 80), (44, 40)))
        """
        y, sr = signal_and_rate(y, sr)
        n_mels = _int_tuple("n_mels", n_mels)
        power = check_float("power", power, minimum=0.0, strict_minimum=True)
        if any(b >= a for a, b in zip(n_mels, n_mels[1:])):
            raise PyramidError(f"n_mels={n_mels} must be strictly decreasing: level 0 has the most bands")
        xp = array_module(y)
        fmax_hz = sr / 2 if fmax is None else fmax
        S = xp.abs(dsp.stft(y, n_fft=n_fft, hop_length=hop_length, window=window, center=center)) ** power
        ext = _frame_extents(S.shape[-1], hop_length, n_fft, y.shape[-1], sr, center)
        levels = []
        for m in n_mels:
            M = dsp.melspectrogram(S=S, sr=sr, n_fft=n_fft, n_mels=m, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
            levels.append(Level(frames_first(M, xp), f"mel{m}", ext, "seconds",
                                {"n_mels": m, "hz": (float(fmin), float(fmax_hz))}))
        meta = dict(builder="mel", sr=sr, n_fft=n_fft, hop_length=hop_length, power=power, center=center)
        return cls(levels, "audio", meta)

    @classmethod
    def temporal(cls, y, sr, frame=0.025, window=0.5, clip=5.0, feature="logmel", pooling="mean",
                 n_mels=40, n_mfcc=13, hop=None) -> "AudioPyramid":
        """Frames -> windows -> clips: one feature vector per frame, pooled over time.

        Frames are consecutive, non-overlapping runs of ``L = round(frame * sr)`` samples (a tail
        shorter than one frame is left out). Window ``k`` pools the frames that start in
        ``[k window, (k + 1) window)``; clip ``c`` pools the windows that start in
        ``[c clip, (c + 1) clip)``. A level's extent is the exact union of what it pools, so the
        last window or clip may be shorter.

        With ``hop`` (seconds, a whole number of frames, ``frame <= hop <= window``) the windows
        overlap: window ``k`` pools the frames that start in ``[k hop, k hop + window)``, for
        every ``k`` with at least one such frame (the last ones are shorter), and clip ``c``
        pools the *frames* that start in ``[c clip, (c + 1) clip)`` (pooling overlapping windows
        would count frames twice).

        Parameters
        ----------
        y : np.ndarray [shape=(..., n)]
        sr : float > 0
        frame, window, clip : float > 0
            Seconds, ``frame <= window <= clip``.
        feature : {'logmel', 'mel', 'mfcc', 'rms'} or callable
            Per frame: the mel power spectrum in dB (``'logmel'``, :func:`dsp.power_to_db` with
            its 80 dB floor over the whole signal) or linear (``'mel'``), ``n_mfcc`` MFCCs, the
            root-mean-square amplitude (one feature), all from one frame-long STFT window
            (Hann window, ``n_fft = hop_length = L``, ``center=False``); or ``feature(frames)``
            taking ``(..., n_frames, L)`` sample frames and returning ``(..., n_frames, D)``.
        pooling : {'mean', 'max'}
        n_mels, n_mfcc : int
            Feature sizes for ``'logmel'``/``'mel'`` and ``'mfcc'``.
        hop : float, optional
            Seconds between window starts; default ``window`` (windows tile the signal).

        Returns
        -------
        AudioPyramid
            Levels ``'frame'``, ``'window'``, ``'clip'``, each ``(n, ..., D)``.

        Raises
        ------
        PyramidError
            Bad ``y`` or ``sr``, durations not positive or not ordered, a signal shorter than one
            frame, an unknown feature or pooling, a callable returning the wrong shape, a
            ``hop`` outside ``[frame, window]`` or not a whole number of frames.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.random.default_rng(0).standard_normal(16000 * 2).astype(np.float32)
        >>> p = AudioPyramid.temporal(y, 16000, frame=0.025, window=0.5, clip=1.0)
        >>> p.shapes
        ((80, 40), (4, 40), (2, 40))
        >>> p.level(1).extents[1].tolist()  # window 1: frames 20..39 (400 samples each)
        [0.5, 1.0]
        >>> q = AudioPyramid.temporal(y, 16000, frame=0.025, window=0.5, clip=1.0, hop=0.25)
        >>> q.shapes, q.level(1).extents[:2].tolist()  # windows overlap by half
        (((80, 40), (8, 40), (2, 40)), [[0.0, 0.5], [0.25, 0.75]])
        """
        y, sr = signal_and_rate(y, sr)
        frame = check_float("frame", frame, minimum=0.0, strict_minimum=True)
        window = check_float("window", window, minimum=0.0, strict_minimum=True)
        clip = check_float("clip", clip, minimum=0.0, strict_minimum=True)
        if not frame <= window <= clip:
            raise PyramidError(f"need frame <= window <= clip: got frame={frame}, window={window}, clip={clip}")
        check_choice("pooling", pooling, ("mean", "max"))
        if not callable(feature):
            check_choice("feature", feature, ("logmel", "mel", "mfcc", "rms"))
        xp = array_module(y)
        L = int(round(frame * sr))
        if L < 1:
            raise PyramidError(f"frame={frame} s is shorter than one sample at sr={sr}")
        n = y.shape[-1]
        n_frames = n // L
        if n_frames == 0:
            raise PyramidError(f"y has {n} samples: shorter than one frame of {L} samples ({frame} s at sr={sr})")
        used = y[..., : n_frames * L]
        if callable(feature):
            frames = used.reshape(used.shape[:-1] + (n_frames, L))
            F = xp.asarray(feature(frames))
            lead = y.shape[:-1]
            if F.ndim != len(lead) + 2 or tuple(F.shape[:-1]) != lead + (n_frames,):
                raise PyramidError(
                    f"feature(frames) returned shape {tuple(F.shape)}: need {lead + (n_frames,)} + (D,) "
                    f"for frames of shape {tuple(frames.shape)}"
                )
            F = xp.moveaxis(F, -2, 0)
            name = getattr(feature, "__name__", "callable")
        elif feature == "rms":
            frames = used.reshape(used.shape[:-1] + (n_frames, L))
            F = xp.moveaxis(xp.sqrt(xp.mean(frames * frames, axis=-1))[..., None], -2, 0)
            name = "rms"
        else:
            common = dict(sr=sr, n_fft=L, hop_length=L, center=False)
            if feature == "mfcc":
                M = dsp.mfcc(y=used, n_mfcc=check_int("n_mfcc", n_mfcc, minimum=1), n_mels=n_mels, **common)
            else:
                M = dsp.melspectrogram(y=used, n_mels=check_int("n_mels", n_mels, minimum=1), **common)
                if feature == "logmel":
                    M = dsp.power_to_db(M)
            F = frames_first(M, xp)
            name = feature
        F = xp.ascontiguousarray(F)
        starts = np.arange(n_frames) * L
        f_ext = np.stack([starts, starts + L], axis=1) / sr
        if hop is None:
            w_of_f = np.floor(f_ext[:, 0] / window + 1e-9).astype(np.int64)
            W, w_ext = _pool_time(F, w_of_f, f_ext, pooling, xp)
            c_of_w = np.floor(w_ext[:, 0] / clip + 1e-9).astype(np.int64)
            C, c_ext = _pool_time(W, c_of_w, w_ext, pooling, xp)
            w_meta = {"seconds": window}
        else:
            hop = check_float("hop", hop, minimum=0.0, strict_minimum=True)
            step = int(round(hop * sr / L))
            if not frame <= hop <= window or abs(step * L - hop * sr) > 1e-6 * sr or step < 1:
                raise PyramidError(
                    f"hop={hop} s must lie in [frame, window] = [{L / sr:g}, {window:g}] s and be a whole "
                    f"number of frames ({L} samples = {L / sr:g} s each)"
                )
            W, w_ext = _pool_overlapping(F, f_ext, step * L / sr, window, pooling, xp)
            C, c_ext = _pool_time(F, np.floor(f_ext[:, 0] / clip + 1e-9).astype(np.int64), f_ext, pooling, xp)
            w_meta = {"seconds": window, "hop": step * L / sr}
        levels = [
            Level(F, "frame", f_ext, "seconds", {"seconds": L / sr}),
            Level(W, "window", w_ext, "seconds", w_meta),
            Level(C, "clip", c_ext, "seconds", {"seconds": clip}),
        ]
        meta = dict(builder="temporal", sr=sr, feature=name, pooling=pooling, frame_length=L)
        return cls(levels, "audio", meta)

    @classmethod
    def cqt(cls, y, sr, bins_per_octave=12, n_octaves=7, fmin=None, hop_length=512, filter_scale=1,
            tuning=0.0) -> "AudioPyramid":
        """Constant-Q pyramid (:func:`dsp.cqt` magnitudes): one level per octave, top octave first.

        Level ``'oct{k}'`` holds octave ``k`` from the top (``bins_per_octave`` bins, lowest bin
        first) at every ``2**k``-th frame of the transform (its filters are ``2**k`` times longer
        than the top octave's), so the top level has the finest time resolution. Extents: each
        frame's centre ``+-`` half the octave's longest filter, in seconds, clipped to the signal.

        Parameters
        ----------
        y : np.ndarray [shape=(..., n)]
        sr : float > 0
        bins_per_octave : int >= 1
        n_octaves : int >= 1
        fmin : float > 0 or None
            Lowest bin (Hz), default C1.
        hop_length, filter_scale, tuning : as :func:`dsp.cqt`.

        Returns
        -------
        AudioPyramid
            Levels of shape ``(n_frames // 2**k (rounded up), ..., bins_per_octave)``; meta
            ``{'hz': (lo, hi), 'frequencies': (...), 'level': k, 'hop_length': hop * 2**k,
            'filter_seconds': ...}`` with ``hz`` the octave's band edges (half a bin beyond its
            first and last centre frequencies).

        Examples
        --------
        >>> import numpy as np
        >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
        >>> p = AudioPyramid.cqt(y, 22050, n_octaves=3, fmin=110.0)
        >>> p.names, p.shapes
        (('oct0', 'oct1', 'oct2'), ((44, 12), (22, 12), (11, 12)))
        >>> [tuple(round(v) for v in p.level(k).meta["hz"]) for k in range(3)]
        [(427, 855), (214, 427), (107, 214)]
        """
        from ._audio_cqt import cqt_levels

        levels, meta = cqt_levels(y, sr, bins_per_octave=bins_per_octave, n_octaves=n_octaves,
                                  fmin=fmin, hop_length=hop_length, filter_scale=filter_scale,
                                  tuning=tuning)
        return cls(levels, "audio", meta)

    @property
    def channels(self) -> tuple:
        """The channel shape of the signal the pyramid was built from: ``()`` for mono, ``(2,)``
        for stereo (the axes between elements and features of the stored levels)."""
        shape = self.level(0).shape
        return shape[1:] if self.meta.get("builder") == "wavelet" else shape[1:-1]

    def channel_data(self, i: int):
        """Level ``i``'s array with the channel axes leading, as the signal had them.

        The stored level is ``(n_elements, *channels, n_features)`` (``(n_coefficients,
        *channels)`` for wavelet bands); this returns ``(*channels, n_elements, n_features)``
        (``(*channels, n_coefficients)``), a view (no copy) on the level's device. For a mono
        pyramid it is the level's array itself.

        Parameters
        ----------
        i : int
            Level index (negative counts from the coarsest).

        Returns
        -------
        np.ndarray or cupy.ndarray
            Channel-leading view of ``self[i]``.

        Raises
        ------
        PyramidError
            ``i`` out of range or not an integer.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.random.default_rng(0).standard_normal((2, 8000))      # stereo, channels lead
        >>> p = AudioPyramid.temporal(y, 8000, frame=0.025, window=0.25, clip=0.5)
        >>> p.channels, p[1].shape, p.channel_data(1).shape
        ((2,), (4, 2, 40), (2, 4, 40))
        >>> bool(np.array_equal(p.channel_data(1)[1], p[1][:, 1]))      # right channel, every window
        True
        """
        data = self[as_level_index(i, len(self), "i")]
        c = len(self.channels)
        if not c:
            return data
        xp = array_module(data)
        return xp.moveaxis(data, 0, c)

    @classmethod
    def stft_resolutions(cls, y, sr, n_ffts=(256, 1024, 4096), hop_lengths=None, window="hann", center=True,
                         power=1.0) -> "AudioPyramid":
        """The wideband-to-narrowband family: ``|STFT|**power`` at growing window lengths.

        Short windows resolve time (wideband), long ones frequency (narrowband); each level
        reports both: ``time_resolution = n_fft / sr`` seconds, ``freq_resolution = sr / n_fft`` Hz.

        Parameters
        ----------
        y : np.ndarray [shape=(..., n)]
        sr : float > 0
        n_ffts : sequence of int
            Strictly increasing.
        hop_lengths : sequence of int, optional
            One per level; default ``n_fft // 4``.
        window, center : as in :func:`dsp.stft`.
        power : float > 0
            1 for magnitude, 2 for power.

        Returns
        -------
        AudioPyramid
            Level ``'stft{n_fft}'`` has shape ``(n_frames, ..., n_fft // 2 + 1)``; extents as in
            :meth:`mel`; meta ``{'n_fft', 'hop_length', 'time_resolution', 'freq_resolution'}``.

        Raises
        ------
        PyramidError
            Bad ``y`` or ``sr``, ``n_ffts`` not strictly increasing, ``hop_lengths`` of another
            length; dsp's errors for the STFT parameters.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.random.default_rng(0).standard_normal(16000).astype(np.float32)
        >>> p = AudioPyramid.stft_resolutions(y, 16000)
        >>> p.shapes
        ((251, 129), (63, 513), (16, 2049))
        >>> p.level(2).meta["time_resolution"], p.level(2).meta["freq_resolution"]
        (0.256, 3.90625)
        """
        y, sr = signal_and_rate(y, sr)
        n_ffts = _int_tuple("n_ffts", n_ffts)
        if any(b <= a for a, b in zip(n_ffts, n_ffts[1:])):
            raise PyramidError(f"n_ffts={n_ffts} must be strictly increasing: level 0 is the shortest window")
        if hop_lengths is None:
            hop_lengths = tuple(max(1, n // 4) for n in n_ffts)
        else:
            hop_lengths = _int_tuple("hop_lengths", hop_lengths)
            if len(hop_lengths) != len(n_ffts):
                raise PyramidError(f"hop_lengths has {len(hop_lengths)} values: need one per n_fft ({len(n_ffts)})")
        power = check_float("power", power, minimum=0.0, strict_minimum=True)
        xp = array_module(y)
        levels = []
        for n_fft, hop in zip(n_ffts, hop_lengths):
            S = xp.abs(dsp.stft(y, n_fft=n_fft, hop_length=hop, window=window, center=center))
            if power != 1.0:
                S = S**power
            ext = _frame_extents(S.shape[-1], hop, n_fft, y.shape[-1], sr, center)
            levels.append(Level(frames_first(S, xp), f"stft{n_fft}", ext, "seconds",
                                {"n_fft": n_fft, "hop_length": hop, "time_resolution": n_fft / sr,
                                 "freq_resolution": sr / n_fft}))
        meta = dict(builder="stft_resolutions", sr=sr, power=power, center=center)
        return cls(levels, "audio", meta)


def _pool_time(X, group, ext, pooling, xp):
    """Pool consecutive rows of ``X`` that share a ``group`` (non-decreasing); extents: unions."""
    cuts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    bounds = np.r_[cuts, len(group)]
    red = (lambda a: a.mean(axis=0)) if pooling == "mean" else (lambda a: a.max(axis=0))
    pooled = xp.stack([red(X[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]).astype(X.dtype, copy=False)
    out_ext = np.stack([ext[bounds[:-1], 0], ext[bounds[1:] - 1, 1]], axis=1)
    return pooled, out_ext


def _pool_overlapping(X, ext, hop, window, pooling, xp):
    """Windows of ``window`` seconds every ``hop`` seconds over frames (rows of ``X``): window
    ``k`` pools the frames starting in ``[k hop, k hop + window)``; extents are unions."""
    starts = ext[:, 0]
    n_win = int(np.floor(starts[-1] / hop + 1e-9)) + 1
    w0 = np.arange(n_win) * hop
    a = np.searchsorted(starts, w0 - 1e-9, side="left")
    b = np.searchsorted(starts, w0 + window - 1e-9, side="left")
    red = (lambda v: v.mean(axis=0)) if pooling == "mean" else (lambda v: v.max(axis=0))
    pooled = xp.stack([red(X[i:j]) for i, j in zip(a, b)]).astype(X.dtype, copy=False)
    return pooled, np.stack([ext[a, 0], ext[b - 1, 1]], axis=1)
