"""Benchmark operations of the everyday feature set (issue 18): ours against librosa 0.11 on 60 s
of music at 22.05 kHz with librosa's defaults.

Each op runs the same call path in ``dsp`` and in ``librosa`` (``feature.rms``, ``onset.onset_strength``,
...). Arithmetic is checked peak-relative against librosa on the float64 signal; the estimators
(onset frames, beats) by equality (0 when equal, 1 otherwise). Inputs that are not audio (the
MFCCs of ``delta``, the mel spectrogram of ``pcen``, the magnitudes of ``griffinlim``, the onset
envelope of ``tempogram`` and ``tempo``) are prepared untimed, by librosa, for both.
"""
from __future__ import annotations

import numpy as np

from ..registry import Impl, Op, dsp_name, to_numpy
from .common import music_setup

SR = 22050


def _attr(mod, dotted):
    for a in dotted.split("."):
        mod = getattr(mod, a)
    return mod


def _equal(ours, ref) -> float:
    return 0.0 if np.array_equal(np.asarray(ours), np.asarray(ref)) else 1.0


def _beats(out):
    return np.asarray(out[1])


def _op(name, dotted, title, *, call, prep=None, compare=None, view=to_numpy, quick=False, f64_ref=True):
    """``call(fn, x)`` runs ``fn`` (dsp's or librosa's ``dotted``) on the prepared input ``x``."""

    def prepared(inp, dtype=None):
        y = inp["y"] if dtype is None else inp["y"].astype(dtype)
        return y if prep is None else prep(y)

    def make(lib):
        def maker(inp):
            import importlib

            fn = _attr(importlib.import_module(lib), dotted)
            x = prepared(inp)
            return lambda: call(fn, x)

        return maker

    def reference(inp):
        import librosa

        # viewed as the implementations are (beat_track's (tempo, beats) -> beats)
        return view(call(_attr(librosa, dotted), prepared(inp, np.float64 if f64_ref else None)))

    params = lambda p: {"seconds": p.seconds, "sr": SR, "dtype": "float32", "defaults": "librosa"}
    return Op(
        name, name, title, music_setup,
        [Impl("dsp", make("dsp"), ours=dsp_name(dotted), view=view),
         Impl("librosa", make("librosa"), requires=("librosa",), view=view)],
        reference, f"librosa {dotted} ({'float64' if f64_ref else 'float32'} input)",
        compare=compare, params=params, quick=quick, latency=False,
    )


def _mfcc(y):
    import librosa

    return librosa.feature.mfcc(y=y, sr=SR)


def _mel(y):
    import librosa

    return librosa.feature.melspectrogram(y=y, sr=SR) * 2 ** 31


def _mag(y):
    import librosa

    return np.abs(librosa.stft(y[: 10 * SR]))


def _beat_envelope(y):
    import librosa

    # beat_track's envelope (median over mel bands), so tempo/tempogram time what it times
    return librosa.onset.onset_strength(y=y, sr=SR, aggregate=np.median)


def feature_ops() -> list[Op]:
    audio = lambda fn, y: fn(y=y, sr=SR)
    ops = [
        _op("rms", "feature.rms", "rms, 60 s @ 22.05 kHz", call=lambda fn, y: fn(y=y)),
        _op("zero_crossing_rate", "feature.zero_crossing_rate", "zero-crossing rate, 60 s",
            call=lambda fn, y: fn(y)),
        _op("spectral_centroid", "feature.spectral_centroid", "spectral centroid (STFT included), 60 s", call=audio),
        _op("spectral_bandwidth", "feature.spectral_bandwidth", "spectral bandwidth (STFT included), 60 s", call=audio),
        _op("spectral_rolloff", "feature.spectral_rolloff", "spectral roll-off (STFT included), 60 s", call=audio),
        _op("spectral_flatness", "feature.spectral_flatness", "spectral flatness (STFT included), 60 s",
            call=lambda fn, y: fn(y=y)),
        _op("spectral_contrast", "feature.spectral_contrast", "spectral contrast (STFT included), 60 s", call=audio),
        _op("poly_features", "feature.poly_features", "poly_features order 1 (STFT included), 60 s", call=audio),
        _op("chroma_stft", "feature.chroma_stft", "chroma_stft with tuning estimate, 60 s", call=audio,
            f64_ref=False),
        _op("onset_strength", "onset.onset_strength", "onset strength (mel + flux), 60 s", call=audio),
        # float64 audio for both: librosa 0.11's float32 peak picker crashes under the pinned Numba
        _op("onset_detect", "onset.onset_detect", "onset frames, 60 s (float64 audio)", call=audio,
            compare=_equal, prep=lambda y: y.astype(np.float64)),
        _op("beat_track", "beat.beat_track", "beat_track (tempo + DP), 60 s", call=audio,
            compare=_equal, view=_beats),
        # beat_track's tempo stage alone, and the tempogram it averages (stored by librosa, not by us)
        _op("tempogram", "feature.tempogram", "autocorrelation tempogram (384 lags) of a 60 s onset envelope",
            call=lambda fn, env: fn(onset_envelope=env, sr=SR), prep=_beat_envelope, f64_ref=False),
        _op("tempo", "feature.tempo", "tempo (mean tempogram and prior) of a 60 s onset envelope",
            call=lambda fn, env: fn(onset_envelope=env, sr=SR), prep=_beat_envelope, f64_ref=False,
            compare=_equal),
        _op("delta", "feature.delta", "delta (width 9) of 20 MFCCs over 60 s", call=lambda fn, m: fn(m), prep=_mfcc),
        _op("pcen", "pcen", "PCEN of a 128-band mel spectrogram of 60 s", call=lambda fn, M: fn(M), prep=_mel),
        _op("griffinlim", "griffinlim", "griffinlim, 32 iterations, 10 s of magnitudes",
            call=lambda fn, S: fn(S, n_iter=32, random_state=0), prep=_mag, f64_ref=False,
            compare=lambda o, r: float(np.linalg.norm(o - r) / np.linalg.norm(r))),
    ]
    return ops
