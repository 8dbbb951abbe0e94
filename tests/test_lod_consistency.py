"""Level of detail with smoothing, hysteresis and tilt normalisation; the indexing rule, channels
kept apart, and scalar levels refused by similarity (issue 22)."""
import numpy as np
import pytest

from conftest import load_recording
from pyramids import AudioPyramid, Level, Pyramid, PyramidError, align

SR = 22050


def _changes(tier):
    return int((np.diff(tier) != 0).sum())


@pytest.fixture(scope="module")
def hiss():
    return (0.1 * np.random.default_rng(0).standard_normal(20 * SR)).astype(np.float32)


def test_steady_hiss_keeps_one_tier_with_hysteresis(hiss):
    # a threshold right at the hiss's own ratio: plain thresholds flip with every fluctuation
    th = float(np.median(align.audio_level_of_detail(hiss, SR).ratio))
    kw = dict(thresholds=(th,), frame_rates=(15, 30), resolutions=((640, 480), (1280, 720)))
    plain = align.audio_level_of_detail(hiss, SR, **kw)
    held = align.audio_level_of_detail(hiss, SR, hysteresis=1.3, **kw)
    print(f"\nsteady hiss, 40 windows: {_changes(plain.tier)} tier changes plain, {_changes(held.tier)} with hysteresis 1.3")
    assert _changes(plain.tier) >= 10
    assert _changes(held.tier) == 0
    np.testing.assert_array_equal(held.ratio, plain.ratio)  # the ratio itself is reported unsmoothed


def test_periodic_alarm_does_not_flip_every_window():
    t = np.arange(20 * SR) / SR
    hum = 0.3 * np.sin(2 * np.pi * 100 * t)
    beep = 0.3 * np.sin(2 * np.pi * 3000 * t) * ((t % 1.0) < 0.5)      # 0.5 s on, 0.5 s off
    alarm = (hum + beep + 1e-3 * np.random.default_rng(1).standard_normal(t.size)).astype(np.float32)
    plain = align.audio_level_of_detail(alarm, SR)
    smooth = align.audio_level_of_detail(alarm, SR, smoothing=3, hysteresis=1.5)
    print(f"\nperiodic alarm, 40 windows: {_changes(plain.tier)} tier changes plain, {_changes(smooth.tier)} smoothed")
    assert _changes(plain.tier) == len(plain.tier) - 1      # every window flips
    assert _changes(smooth.tier) == 0


def test_octave_normalisation_makes_pink_noise_neutral():
    rng = np.random.default_rng(2)
    n = 10 * SR
    f = np.fft.rfftfreq(n, 1 / SR)
    X = np.fft.rfft(rng.standard_normal(n))
    X[1:] /= np.sqrt(f[1:])
    X[0] = 0
    pink = np.fft.irfft(X, n)
    pink = (pink / np.abs(pink).max()).astype(np.float32)
    raw = np.median(align.audio_level_of_detail(pink, SR).ratio)
    octave = np.median(align.audio_level_of_detail(pink, SR, normalize="octave").ratio)
    # 1/f power puts equal energy per octave: per octave the bands balance (ratio near 1)
    assert abs(np.log(octave)) < 0.25 < abs(np.log(raw))


@pytest.mark.parametrize("kw, match", [({"smoothing": 2}, "smoothing=2 must be odd"),
                                       ({"smoothing": 0}, "smoothing"),
                                       ({"hysteresis": 0.5}, "hysteresis"),
                                       ({"normalize": "bark"}, "normalize='bark' is not supported")])
def test_level_of_detail_bad_input(kw, match):
    with pytest.raises(PyramidError, match=match):
        align.audio_level_of_detail(np.zeros(SR, np.float32), SR, **kw)


# ------------------------------------------------------------------------------ consistency ---
def test_indexing_rule():
    y = np.random.default_rng(0).standard_normal(SR).astype(np.float32)
    p = AudioPyramid.temporal(y, SR, frame=0.025, window=0.25, clip=0.5)
    assert p[1] is p.data(1) is p.level(1).data            # an int gives the array
    assert isinstance(p[1:], Pyramid) and p[1:].names == ("window", "clip")   # a slice a Pyramid
    assert [lv.name for lv in p] == list(p.names) and all(isinstance(lv, Level) for lv in p)
    assert p.data(-1) is p[-1]
    with pytest.raises(IndexError):
        p.data(3)


def test_stereo_channels_stay_a_leading_axis():
    y, sr = load_recording("stereo")                        # (2, n)
    p = AudioPyramid.temporal(y, sr, frame=0.025, window=0.5, clip=1.0)
    assert p[1].shape[1:] == (2, 40)                        # (n_windows, channels, features)
    q = np.asarray(p[1][1, 0])                              # window 1 of the left channel
    s = align.similarity(q, p, level=1)
    assert s.shape == (2, p.level(1).n_elements)            # channels lead, not folded into features
    for c in range(2):
        x = np.asarray(p[1][:, c])
        ref = x @ q / (np.linalg.norm(x, axis=1) * np.linalg.norm(q))
        np.testing.assert_allclose(s[c], ref, rtol=1e-5)
    assert s[0, 1] == pytest.approx(1.0)
    assert align.similarity(np.stack([q, q]), p, level=1).shape == (2, 2, p.level(1).n_elements)
    with pytest.raises(PyramidError, match="has channels \\(2,\\): retrieve ranks elements"):
        align.retrieve(q, p, levels=1)


def test_similarity_refuses_scalar_elements():
    y = np.random.default_rng(0).standard_normal(4096)
    w = AudioPyramid.wavelet(y, 8000, "db4", levels=3)
    with pytest.raises(PyramidError, match=r"level 0 \('d1', data shape \(\d+,\)\) has scalar elements"):
        align.similarity(np.ones(1), w, level=0)
    grey = Pyramid([Level(np.ones((4, 4)), "gauss0", [[r, c, r + 1, c + 1] for r in range(4) for c in range(4)],
                          "pixels")], "image")
    with pytest.raises(PyramidError, match="scalar elements"):
        align.similarity(np.ones(1), grey, level=0)


@pytest.mark.parametrize("module", ["pyramids.index", "pyramids.semantic", "pyramids.sync", "pyramids.video",
                                    "pyramids.models"])
def test_docstring_examples_of_the_issue_22_modules_run(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0
