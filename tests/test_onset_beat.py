"""dsp.onset (onset_strength, onset_detect, onset_backtrack), dsp.feature.tempogram/tempo and
dsp.beat.beat_track against librosa 0.11 (issue 18).

onset_strength is arithmetic (peak-relative tolerance against librosa in float64); onsets,
tempi and beats are estimators and must be equal. librosa 0.11's float32 peak picker crashes
under the installed Numba, so onset_detect's reference is librosa on the float64 signal.
Real recordings give few beats with librosa's median-aggregated envelope (speech gives 20, the
others none: both agree), so synthetic drum patterns with jitter and half-beat fills are used too.
"""
import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close

SR = 22050


def drums(bpm, secs, seed):
    rng = np.random.default_rng(seed)
    y = 0.01 * rng.standard_normal(int(secs * SR))
    period, t, n = 60.0 / bpm, 0.3, int(0.05 * SR)
    while t < secs - 0.2:
        i = int((t + rng.normal(0, 0.005)) * SR)
        y[i:i + n] += rng.standard_normal(n) * np.exp(-np.arange(n) / 400.0) * (1.0 if rng.random() < 0.7 else 0.4)
        t += period / 2 if rng.random() < 0.3 else period
    return y


@pytest.mark.parametrize("kw", [dict(), dict(lag=2, max_size=3),
                                dict(detrend=True, center=False, hop_length=256, n_fft=1024),
                                dict(aggregate=np.median), dict(max_size=5, n_mels=64)])
@pytest.mark.parametrize("name", ["stereo", "speech"])
def test_onset_strength_matches_librosa(recording, dtype, name, kw):
    y, sr = recording(name, dtype)
    ours = dsp.onset.onset_strength(y=y, sr=sr, **kw)
    ref = librosa.onset.onset_strength(y=y.astype(np.float64), sr=sr, **kw)
    assert ours.dtype == librosa.onset.onset_strength(y=y, sr=sr, **kw).dtype
    assert_close(ours, ref, dtype, what="onset_strength")


@pytest.mark.parametrize("kw", [dict(channels=[0, 32, 64, 96, 128]),
                                dict(channels=[slice(0, 40), slice(40, 128)], aggregate=np.max),
                                dict(channels=[10, 50, 300], lag=2, max_size=3, detrend=True)])
def test_onset_strength_multi_matches_librosa(recording, dtype, kw):
    y, sr = recording("stereo", dtype)
    ours = dsp.onset.onset_strength_multi(y=y, sr=sr, **kw)
    ref = librosa.onset.onset_strength_multi(y=y.astype(np.float64), sr=sr, **kw)
    assert_close(ours, ref, dtype, what="onset_strength_multi")


@pytest.mark.parametrize("dtype_", [np.float32, np.float64])
def test_onset_median_flux_equals_numpy(dtype_):
    # beat_track's envelope (aggregate=np.median) has its own kernel: it must give np.median's
    # value bit for bit (ties, all-zero columns, odd and even band counts, NaN, a max-filtered ref)
    from dsp._dispatch import kernel

    rng = np.random.default_rng(1)
    for n_bins in (1, 2, 7, 128):
        S = (rng.standard_normal((2, n_bins, 300)) * 20).astype(dtype_)
        S[0, :, :100] = np.round(S[0, :, :100])
        S[1, :, 50:80] = 3.0
        S[1, 0, 200] = np.nan
        for ref in (S, np.maximum(S, np.roll(S, 1, axis=1))):
            ours = kernel("onset_median_flux")(S, ref, 2)
            with np.errstate(invalid="ignore"):
                np.testing.assert_array_equal(ours, np.median(np.maximum(0.0, S[..., 2:] - ref[..., :-2]), axis=-2))
    S = np.abs(rng.standard_normal((2, 128, 400))).astype(dtype_)
    assert_close(dsp.onset.onset_strength(S=S, aggregate=np.median, max_size=3),
                 librosa.onset.onset_strength(S=S, aggregate=np.median, max_size=3), dtype_)


@pytest.mark.parametrize("dtype_", [np.float32, np.float64])
def test_onset_mean_flux_sums_the_rule_in_bin_order(dtype_):
    # onset_strength's default envelope reads S bin by bin (dsp_kernels.cpu.onset_mean): its
    # float64 sums must be the rule's, bins in ascending order, which a plain loop states here;
    # runs longer than one task (1024 frames) and a lag of several frames included
    from dsp._dispatch import kernel

    rng = np.random.default_rng(2)
    for n_bins, T, lag in ((1, 5, 1), (7, 300, 2), (128, 2600, 1), (40, 1030, 7)):
        S = (rng.standard_normal((2, n_bins, T)) * 20).astype(dtype_)
        S[0, :, :40] = 3.0  # flat: no positive flux
        want = np.zeros((2, T - lag))
        for k in range(n_bins):
            want += np.maximum(0.0, S[:, k, lag:].astype(np.float64) - S[:, k, :-lag].astype(np.float64))
        np.testing.assert_array_equal(kernel("onset_mean_flux")(S, lag), want / n_bins)
        frames = np.ascontiguousarray(np.swapaxes(S, 1, 2))
        np.testing.assert_allclose(kernel("onset_mean_flux")(S, lag), kernel("onset_flux")(frames, lag, 1),
                                   rtol=1e-15, atol=1e-13)


def test_onset_strength_from_S():
    y = drums(120, 4, 0)
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR))
    for kw in (dict(), dict(max_size=3, lag=3), dict(ref=S * 0.9)):
        assert_close(dsp.onset.onset_strength(S=S, sr=SR, **kw), librosa.onset.onset_strength(S=S, sr=SR, **kw), np.float64)


@pytest.mark.parametrize("bpm,seed", [(120, 0), (95, 1), (140, 2)])
def test_onsets_tempo_and_beats_equal_librosa(dtype, bpm, seed):
    y = drums(bpm, 8, seed).astype(dtype)
    t1, b1 = dsp.beat.beat_track(y=y, sr=SR)
    t2, b2 = librosa.beat.beat_track(y=y, sr=SR)
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_array_equal(b1, b2)
    assert len(b1) > 10
    y64 = y.astype(np.float64)
    for kw in (dict(), dict(backtrack=True), dict(units="time"), dict(units="samples", delta=0.2, wait=5)):
        np.testing.assert_array_equal(dsp.onset.onset_detect(y=y, sr=SR, **kw),
                                      librosa.onset.onset_detect(y=y64, sr=SR, **kw))
    env = librosa.onset.onset_strength(y=y64, sr=SR)
    for kw in (dict(bpm=100.0), dict(tightness=400, trim=False), dict(start_bpm=90), dict(units="time"),
               dict(sparse=False), dict(bpm=np.full(env.shape, 110.0))):
        r1 = dsp.beat.beat_track(onset_envelope=env, sr=SR, **kw)
        r2 = librosa.beat.beat_track(onset_envelope=env, sr=SR, **kw)
        np.testing.assert_array_equal(r1[0], r2[0])
        np.testing.assert_array_equal(r1[1], r2[1])
    for kw in (dict(), dict(win_length=200, norm=None), dict(center=False, window="hamming", win_length=128)):
        assert_close(dsp.feature.tempogram(onset_envelope=env, sr=SR, **kw),
                     librosa.feature.tempogram(onset_envelope=env, sr=SR, **kw), np.float64)
    for kw in (dict(), dict(aggregate=None), dict(start_bpm=80, std_bpm=0.5, max_tempo=None)):
        np.testing.assert_array_equal(dsp.feature.tempo(onset_envelope=env, sr=SR, **kw),
                                      librosa.feature.tempo(onset_envelope=env, sr=SR, **kw))


@pytest.mark.parametrize("win_length", [384, 127, 16])
def test_tempo_and_tempogram_cpu_kernels(win_length):
    # tempo's default (aggregate=np.mean) averages the frames' normalised power spectra and
    # inverts once instead of storing the tempogram: the same mean, silent frames (norm below
    # tiny: divided by 1) and channels included; an odd win_length and one longer than the
    # envelope's half too
    from dsp._beat import _mean_tempogram

    rng = np.random.default_rng(win_length)
    env = np.abs(rng.standard_normal((2, 3, 700)))
    env[0, 1, 100:500] = 0.0
    env[1, 2] = 0.0
    env[1, 0, ::9] += 4.0
    env = env[..., :max(40, win_length // 3)] if win_length == 16 else env
    ref = librosa.feature.tempogram(onset_envelope=env, sr=SR, win_length=win_length).mean(axis=-1, keepdims=True)
    assert_close(_mean_tempogram(env, win_length), ref, np.float64)
    # the stored tempogram (one fused kernel per block of frames) on the same envelopes
    for kw in (dict(), dict(norm=2.0, center=False), dict(norm=None, window="hamming")):
        assert_close(dsp.feature.tempogram(onset_envelope=env, win_length=win_length, **kw),
                     librosa.feature.tempogram(onset_envelope=env, sr=SR, win_length=win_length, **kw),
                     np.float64)
    ac = win_length * 512 / SR
    np.testing.assert_array_equal(dsp.feature.tempo(onset_envelope=env, sr=SR, ac_size=ac),
                                  librosa.feature.tempo(onset_envelope=env, sr=SR, ac_size=ac))
    with pytest.raises(DSPError, match="finite"):
        dsp.feature.tempo(onset_envelope=np.full(100, np.nan), sr=SR)


def test_real_recordings_beats(recording):
    y, sr = recording("speech", np.float32)
    for a, b in zip(dsp.beat.beat_track(y=y, sr=sr), librosa.beat.beat_track(y=y, sr=sr)):
        np.testing.assert_array_equal(a, b)
    y, sr = recording("stereo", np.float64)
    np.testing.assert_array_equal(dsp.beat.beat_track(y=y, sr=sr, sparse=False)[1],
                                  librosa.beat.beat_track(y=y, sr=sr, sparse=False)[1])


def test_onset_backtrack_matches_librosa():
    rng = np.random.default_rng(0)
    e = rng.random(200)
    ev = np.sort(rng.choice(200, 20, replace=False))
    np.testing.assert_array_equal(dsp.onset.onset_backtrack(ev, e), librosa.onset.onset_backtrack(ev, e))


def test_onset_beat_errors():
    env = np.abs(np.random.default_rng(0).standard_normal(100))
    with pytest.raises(DSPError, match="lag"):
        dsp.onset.onset_strength(S=np.ones((4, 10)), lag=0)
    with pytest.raises(DSPError, match="max_size"):
        dsp.onset.onset_strength(S=np.ones((4, 10)), max_size=1.5)
    with pytest.raises(DSPError, match="aggregate"):
        dsp.onset.onset_strength(S=np.ones((4, 10)), aggregate=False)
    with pytest.raises(DSPError, match="ref"):
        dsp.onset.onset_strength(S=np.ones((4, 10)), ref=np.ones((3, 10)))
    with pytest.raises(DSPError, match="both are None"):
        dsp.onset.onset_detect()
    with pytest.raises(DSPError, match="channels"):
        dsp.onset.onset_strength_multi(S=np.ones((4, 10)), channels=[-1, 2])
    with pytest.raises(DSPError, match="channels"):
        dsp.onset.onset_strength_multi(S=np.ones((4, 10)), channels=[2])
    with pytest.raises(DSPError, match="units"):
        dsp.onset.onset_detect(onset_envelope=env, units="beats")
    with pytest.raises(DSPError, match="backtrack"):
        dsp.onset.onset_detect(onset_envelope=env, backtrack=True, sparse=False)
    with pytest.raises(DSPError, match="bpm"):
        dsp.beat.beat_track(onset_envelope=env, bpm=-1.0)
    with pytest.raises(DSPError, match="tightness"):
        dsp.beat.beat_track(onset_envelope=env, tightness=0)
    with pytest.raises(DSPError, match="units"):
        dsp.beat.beat_track(onset_envelope=env, units="bars")
    with pytest.raises(DSPError, match="sparse=True"):
        dsp.beat.beat_track(onset_envelope=np.stack([env, env]))
    with pytest.raises(DSPError, match="start_bpm"):
        dsp.feature.tempo(onset_envelope=env, start_bpm=0)
    with pytest.raises(DSPError, match="win_length"):
        dsp.feature.tempogram(onset_envelope=env, win_length=0)


@pytest.mark.parametrize("module", ["dsp._onset", "dsp._beat"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(module)
    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)
