"""dsp.sample, nyquist_rate, alias_frequency and sinc_interpolate against analytic values."""
import numpy as np
import pytest

import dsp
from dsp import DSPError
from naive import naive_sinc_sum
from tolerances import assert_close

RNG = np.random.default_rng(3)


def _tones(n_tones, f_max, sr):
    return [(RNG.uniform(0, f_max), RNG.uniform(0.2, 1.0), RNG.uniform(0, 2 * np.pi)) for _ in range(n_tones)]


def _analytic(tones, t):
    return sum(a * np.cos(2 * np.pi * f * t + p) for f, a, p in tones)


def test_sample_tones_match_numpy(dtype):
    tones = _tones(5, 3000.0, 8000.0) + [(9000.0, 0.5)]
    t, x = dsp.sample(tones, 0.25, 8000.0, t0=1.5, dtype=dtype)
    assert t.shape == (2000,) and t.dtype == np.float64 and x.dtype == dtype
    np.testing.assert_allclose(t, 1.5 + np.arange(2000) / 8000.0, rtol=0, atol=1e-15)
    tones = [tn if len(tn) == 3 else tn + (0.0,) for tn in tones]
    assert_close(x, _analytic(tones, t), dtype)


def test_sample_callable_and_lengths():
    t, x = dsp.sample(lambda t: np.stack([np.sin(t), np.cos(t)]), 2.3, 100)
    assert t.shape == (230,) and x.shape == (2, 230)  # 2.3 * 100 = 229.99999999999997
    np.testing.assert_array_equal(x[1], np.cos(t))
    t, x = dsp.sample(lambda t: 0.5, 1.0, 10)
    np.testing.assert_array_equal(x, np.full(10, 0.5))
    assert dsp.sample([(1, 1)], 0.999, 10)[0].shape == (9,)


def test_nyquist_rate():
    assert dsp.nyquist_rate(22050) == 44100.0
    np.testing.assert_array_equal(dsp.nyquist_rate([0, 4000.5]), [0.0, 8001.0])


@pytest.mark.parametrize(
    "f, sr, expected",
    [(700, 1000, 300), (300, 1000, 300), (1300, 1000, 300), (1700, 1000, 300), (-300, 1000, 300),
     (-700, 1000, 300), (500, 1000, 500), (1000, 1000, 0), (0, 1000, 0), (2600, 1000, 400),
     (12000, 16000, 4000), (44100 * 7 + 21, 44100, 21), (1e9 + 123.0, 1000, 123.0), (0.3, 0.5, 0.2)],
)
def test_alias_frequency(f, sr, expected):
    assert dsp.alias_frequency(f, sr) == pytest.approx(expected, abs=1e-9)


def test_alias_frequency_is_what_sampling_shows():
    # A tone's samples equal those of a cosine at its alias frequency (up to the sign of the phase).
    sr = 1000.0
    for f in RNG.uniform(-5000, 5000, 20):
        t, x = dsp.sample([(f, 1.0, 0.0)], 0.05, sr)
        fa = dsp.alias_frequency(f, sr)
        np.testing.assert_allclose(x, np.cos(2 * np.pi * fa * t), atol=1e-9)
    np.testing.assert_array_equal(dsp.alias_frequency(np.array([[700, 1300]]), 1000), [[300, 300]])


@pytest.mark.parametrize("num_zeros, beta, f_max, tol_db", [(32, 10.0, 0.45, -100), (16, 10.0, 0.4, -95),
                                                          (64, 14.0, 0.45, -140), (8, 6.0, 0.3, -60)])
def test_sinc_interpolate_band_limited_interior(num_zeros, beta, f_max, tol_db):
    sr, n = 1000.0, 1500
    tones = _tones(12, f_max * sr, sr)
    _, x = dsp.sample(tones, n / sr, sr)
    t = RNG.uniform(num_zeros / sr, (n - 1 - num_zeros) / sr, 1000)
    y = dsp.sinc_interpolate(x, sr, t, num_zeros=num_zeros, beta=beta)
    ref = _analytic(tones, t)
    err_db = 20 * np.log10(np.max(np.abs(y - ref)) / np.max(np.abs(ref)))
    assert err_db < tol_db, err_db


def test_sinc_interpolate_passes_through_samples_and_multichannel(dtype):
    x = RNG.standard_normal((2, 3, 64)).astype(dtype)
    t = np.arange(64) / 8.0 + 0.25  # exact binary fractions: sr * (t - t0) are exact integers
    y = dsp.sinc_interpolate(x, 8.0, t, t0=0.25)
    assert y.shape == (2, 3, 64) and y.dtype == dtype
    np.testing.assert_array_equal(y, x)  # sinc(k) = 0 exactly at the other samples
    t2 = RNG.uniform(0, 8, 50)
    per = np.stack([dsp.sinc_interpolate(x[1, 2], 8.0, t2, t0=0.25)])
    np.testing.assert_array_equal(dsp.sinc_interpolate(x, 8.0, t2, t0=0.25)[1, 2], per[0])
    xt = np.moveaxis(x, -1, 0)
    np.testing.assert_array_equal(dsp.sinc_interpolate(xt, 8.0, t2, t0=0.25, axis=0), dsp.sinc_interpolate(x, 8.0, t2, t0=0.25))


def test_sinc_interpolate_untruncated_matches_loop():
    x = RNG.standard_normal(40)
    t = RNG.uniform(-1, 6, 30)
    ours = dsp.sinc_interpolate(x, 8.0, t, num_zeros=None)
    assert_close(ours, naive_sinc_sum(x, 8.0, t), np.float64)
    assert np.ndim(dsp.sinc_interpolate(x, 8.0, 0.3)) == 0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: dsp.sample([(1, 1, 0)], 0.0, 10), "duration=0.0 must be > 0"),
        (lambda: dsp.sample([(1, 1, 0)], 0.05, 10), "gives 0 samples"),
        (lambda: dsp.sample([(1, 1, 0)], 1.0, -10), "sr=-10.0 must be > 0"),
        (lambda: dsp.sample([(1, 1, 0)], 1.0, 10, t0=np.nan), "t0=nan must be finite"),
        (lambda: dsp.sample([], 1.0, 10), "has no sinusoids"),
        (lambda: dsp.sample([(1,)], 1.0, 10), r"f\[0\]=\(1,\) must be"),
        (lambda: dsp.sample([(1, "a", 0)], 1.0, 10), r"f\[0\] amplitude='a' must be a real number"),
        (lambda: dsp.sample(5, 1.0, 10), "must be a callable or a sequence"),
        (lambda: dsp.sample(lambda t: t[:3], 1.0, 10), r"f\(t\) returned shape \(3,\)"),
        (lambda: dsp.sample(lambda t: t * np.nan, 1.0, 10), r"f\(t\) contains NaN"),
        (lambda: dsp.sample(lambda t: 1 / 0, 1.0, 10), "raised ZeroDivisionError"),
        (lambda: dsp.sample([(1, 1)], 1.0, 10, dtype=np.int16), "dtype=int16 is not supported"),
        (lambda: dsp.nyquist_rate(-1.0), "f_max=-1.0 must be >= 0"),
        (lambda: dsp.nyquist_rate([1.0, -2.0]), "negative values"),
        (lambda: dsp.alias_frequency(700, 0), "sr=0.0 must be > 0"),
        (lambda: dsp.alias_frequency(np.inf, 1000), "f=inf must be finite"),
        (lambda: dsp.alias_frequency([1.0, np.nan], 1000), "f contains NaN"),
        (lambda: dsp.sinc_interpolate(np.ones(8), 0.0, [0.1]), "sr=0.0 must be > 0"),
        (lambda: dsp.sinc_interpolate(np.ones(8), 8.0, [0.1], num_zeros=0), "num_zeros=0 is too small"),
        (lambda: dsp.sinc_interpolate(np.ones(8), 8.0, [0.1], beta=-1.0), "beta=-1.0 must be >= 0"),
        (lambda: dsp.sinc_interpolate(np.array([1.0, np.nan]), 8.0, [0.1]), "x contains NaN"),
        (lambda: dsp.sinc_interpolate(np.arange(8), 8.0, [0.1]), "integer dtype.*from_pcm"),
        (lambda: dsp.sinc_interpolate(np.ones(8), 8.0, [[0.1]]), r"t has shape \(1, 1\)"),
        (lambda: dsp.sinc_interpolate(np.ones(8), 8.0, [np.inf]), "t contains NaN or infinity"),
        (lambda: dsp.sinc_interpolate(np.ones((2, 0)), 8.0, [0.1]), "x has 0 samples"),
        (lambda: dsp.sinc_interpolate(np.ones(8), 8.0, [0.1], axis=1), "axis=1 is out of range"),
    ],
)
def test_errors(call, match):
    with pytest.raises(DSPError, match=match):
        call()
