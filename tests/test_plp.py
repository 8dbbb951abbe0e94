"""Fourier tempogram and predominant local pulse against librosa 0.11 (``feature.fourier_tempogram``,
``beat.plp``, ``tempo_frequencies``, ``fourier_tempo_frequencies``)."""
import librosa
import numpy as np
import pytest
import scipy.stats

import dsp
from dsp import DSPError
from tolerances import assert_close

SR = 22050


def clicks(bpm, secs, seed, sr=SR):
    """A click track at ``bpm`` with jitter and noise: a clear, slightly imperfect pulse."""
    rng = np.random.default_rng(seed)
    y = 0.01 * rng.standard_normal(int(secs * sr))
    t, n = 0.25, int(0.03 * sr)
    while t < secs - 0.1:
        i = int((t + rng.normal(0, 0.004)) * sr)
        y[i:i + n] += rng.standard_normal(n) * np.exp(-np.arange(n) / 300.0)
        t += 60.0 / bpm
    return y


@pytest.mark.parametrize("kw", [dict(), dict(hop_length=256, win_length=128), dict(sr=44100, win_length=255)])
def test_tempo_frequency_axes_match_librosa(kw):
    hop, sr, win = kw.get("hop_length", 512), kw.get("sr", SR), kw.get("win_length", 384)
    np.testing.assert_array_equal(dsp.tempo_frequencies(win, hop_length=hop, sr=sr),
                                  librosa.tempo_frequencies(win, hop_length=hop, sr=sr))
    ours = dsp.fourier_tempo_frequencies(sr=sr, win_length=win, hop_length=hop)
    assert_close(ours, librosa.fourier_tempo_frequencies(sr=sr, win_length=win, hop_length=hop), np.float64)


@pytest.mark.parametrize("kw", [dict(), dict(win_length=128, center=False), dict(window="hamming", win_length=200)])
def test_fourier_tempogram_matches_librosa(dtype, kw):
    y, sr = np.stack([clicks(110, 10, 3), clicks(90, 10, 4)]).astype(dtype), SR
    env = librosa.onset.onset_strength(y=y, sr=sr)  # same envelope for both: the tempogram is compared
    ours = dsp.feature.fourier_tempogram(onset_envelope=env, sr=sr, **kw)
    ref = librosa.feature.fourier_tempogram(onset_envelope=env.astype(np.float64), sr=sr, **kw)
    assert ours.dtype == librosa.feature.fourier_tempogram(onset_envelope=env, sr=sr, **kw).dtype
    assert_close(ours, ref, dtype, what="fourier_tempogram")


def test_fourier_tempogram_from_audio_matches_librosa():
    y = clicks(100, 6, 1)
    assert_close(dsp.feature.fourier_tempogram(y=y, sr=SR), librosa.feature.fourier_tempogram(y=y, sr=SR),
                 np.float64, what="fourier_tempogram(y=...)")


@pytest.mark.parametrize("kw", [dict(), dict(tempo_min=60, tempo_max=180), dict(tempo_min=None, tempo_max=None),
                                dict(win_length=200, hop_length=256), dict(prior="lognorm")])
@pytest.mark.parametrize("bpm,seed", [(96, 0), (128, 1), (150, 2)])
def test_plp_matches_librosa(bpm, seed, kw):
    kw = dict(kw)
    if kw.get("prior") == "lognorm":
        kw["prior"] = scipy.stats.lognorm(loc=np.log(120), scale=120, s=1)
    y = clicks(bpm, 8, seed)
    ours = dsp.beat.plp(y=y, sr=SR, **kw)
    ref = librosa.beat.plp(y=y, sr=SR, **kw)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    assert_close(ours, ref, np.float64, what="plp")
    # the same frames are "on the pulse" (local maxima are not compared: the pulse's peaks are
    # plateaus of exact 1.0s where rounding at 1e-16 decides which sample counts as the maximum)
    assert np.array_equal(ours > 0.5, ref > 0.5)


def test_plp_float32_and_stereo_match_librosa():
    # float32: the envelope and the tempogram are float32 on both sides; compared against the
    # float64 computation from the same float32 envelope, as every float32 parity test here is
    y, sr = np.stack([clicks(120, 10, 5), clicks(84, 10, 6)]).astype(np.float32), SR
    env = librosa.onset.onset_strength(y=y, sr=sr, aggregate=np.median)
    ours = dsp.beat.plp(onset_envelope=env, sr=sr)
    assert ours.dtype == np.float32 and ours.shape == env.shape
    assert_close(ours, librosa.beat.plp(onset_envelope=env.astype(np.float64), sr=sr), np.float32, what="plp f32")
    env64 = env.astype(np.float64)
    assert_close(dsp.beat.plp(onset_envelope=env64, sr=sr), librosa.beat.plp(onset_envelope=env64, sr=sr),
                 np.float64, what="plp stereo")


def test_plp_and_tempogram_errors():
    env = np.abs(np.random.default_rng(0).standard_normal(400))
    with pytest.raises(DSPError, match="tempo_max"):
        dsp.beat.plp(onset_envelope=env, tempo_min=200, tempo_max=100)
    with pytest.raises(DSPError, match="win_length"):
        dsp.beat.plp(onset_envelope=env, win_length=0)
    with pytest.raises(DSPError, match="win_length"):
        dsp.feature.fourier_tempogram(onset_envelope=env, win_length=0)
    with pytest.raises(DSPError, match="y .audio. or onset_envelope"):
        dsp.beat.plp()
    with pytest.raises(DSPError, match="prior"):
        dsp.beat.plp(onset_envelope=env, prior=3.0)
    with pytest.raises(DSPError, match="n_bins"):
        dsp.tempo_frequencies(0)


def test_docstring_examples_run():
    import doctest

    import dsp._tempo_fourier as mod

    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)
