"""dsp.feature's frame statistics against librosa 0.11 (issue 18).

float32 results are compared with librosa run on the same samples in float64 (tests/tolerances).
From audio, float32 input is transformed in float64 (as librosa does): ratios over near-silent
frames (bandwidth, contrast in dB) would otherwise amplify float32 FFT rounding past 1e-3.
"""
import warnings

import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close

STFT_GRID = [dict(), dict(n_fft=1024, hop_length=256, center=False), dict(n_fft=512, win_length=400, hop_length=128)]


@pytest.fixture(scope="module")
def signals(recording):
    stereo, sr = recording("stereo")
    stereo = stereo[:, : 2 * sr]
    noise = np.random.default_rng(1).standard_normal(sr).astype(np.float32) * 0.1
    return {"stereo": (stereo, sr), "noise": (noise, sr)}


CASES = [
    ("spectral_centroid", {}), ("spectral_bandwidth", {}), ("spectral_bandwidth", {"p": 3, "norm": False}),
    ("spectral_rolloff", {}), ("spectral_rolloff", {"roll_percent": 0.5}), ("spectral_flatness", {}),
    ("spectral_flatness", {"power": 1.0, "amin": 1e-6}), ("poly_features", {"order": 2}),
    ("spectral_contrast", {}), ("spectral_contrast", {"linear": True, "n_bands": 4, "quantile": 0.1}),
]


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("grid", range(len(STFT_GRID)))
@pytest.mark.parametrize("sig", ["stereo", "noise"])
def test_spectral_features_match_librosa(signals, dtype, name, kw, grid, sig):
    y, sr = signals[sig]
    y = y.astype(dtype)
    kw = dict(kw, **STFT_GRID[grid])
    ours = getattr(dsp.feature, name)(y=y, sr=sr, **kw) if name != "spectral_flatness" else \
        getattr(dsp.feature, name)(y=y, **kw)
    lkw = dict(kw) if name == "spectral_flatness" else dict(kw, sr=sr)
    ref = getattr(librosa.feature, name)(y=y.astype(np.float64), **lkw)
    assert ours.dtype == getattr(librosa.feature, name)(y=y, **lkw).dtype
    if name == "spectral_rolloff":  # a bin choice: the same bins as librosa
        np.testing.assert_array_equal(ours, ref)
        return
    rtol = None
    if name == "spectral_contrast" and not kw.get("linear") and dtype == np.float64:
        # dB of each band's smallest magnitudes: the STFT's absolute rounding (~1e-16 of the
        # peak) is relative ~1e-8 there; from the same S the arithmetic is exact (next test)
        rtol = 1e-8
    assert_close(ours, ref, dtype, rtol=rtol, what=name)


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_spectral_features_from_S(signals, dtype, name, kw):
    y, sr = signals["stereo"]
    S = np.abs(librosa.stft(y.astype(dtype)))
    ours = getattr(dsp.feature, name)(S=S, **({} if name == "spectral_flatness" else {"sr": sr}), **kw)
    ref = getattr(librosa.feature, name)(S=S.astype(np.float64), **({} if name == "spectral_flatness" else {"sr": sr}), **kw)
    if name == "spectral_rolloff":
        np.testing.assert_array_equal(ours, ref)
    else:
        assert_close(ours, ref, np.float64 if name != "spectral_flatness" else dtype, what=name)


@pytest.mark.parametrize("kw", [dict(), dict(frame_length=1024, hop_length=256, center=False),
                                dict(frame_length=1000, hop_length=300, pad_mode="reflect")])
def test_rms_matches_librosa(signals, dtype, kw):
    for y, _ in signals.values():
        y = y.astype(dtype)
        ours = dsp.feature.rms(y=y, dtype=dtype, **kw)
        ref = librosa.feature.rms(y=y.astype(np.float64), dtype=np.float64, **kw)
        assert ours.dtype == dtype
        assert_close(ours, ref, dtype, what="rms(y)")
    assert dsp.feature.rms(y=y).dtype == np.float32  # librosa's default dtype


@pytest.mark.parametrize("n_fft", [2048, 2047])
def test_rms_from_S(signals, dtype, n_fft):
    y, _ = signals["stereo"]
    D = librosa.stft(y.astype(dtype), n_fft=n_fft)
    for S in (D, np.abs(D)):
        ours = dsp.feature.rms(S=S, frame_length=n_fft, dtype=np.float64)
        ref = librosa.feature.rms(S=S.astype(np.complex128 if S.dtype.kind == "c" else np.float64),
                                  frame_length=n_fft, dtype=np.float64)
        assert_close(ours, ref, np.float64, what="rms(S)")


@pytest.mark.parametrize("kw", [dict(), dict(frame_length=512, hop_length=128, center=False),
                                dict(threshold=0.01), dict(threshold=0.5, ref_magnitude=np.max),
                                dict(zero_pos=False, threshold=0.0), dict(pad=True)])
def test_zero_crossing_rate_matches_librosa(signals, dtype, kw):
    y, _ = signals["stereo"]
    y = y.astype(dtype).copy()
    y[..., 1000:1400] = 0.0  # exact zeros exercise zero_pos
    np.testing.assert_array_equal(dsp.feature.zero_crossing_rate(y, **kw),
                                  librosa.feature.zero_crossing_rate(y, **kw))


def test_feature_errors():
    y = np.zeros(4096, np.float32)
    with pytest.raises(DSPError, match="roll_percent"):
        dsp.feature.spectral_rolloff(y=y, roll_percent=1.0)
    with pytest.raises(DSPError, match="quantile"):
        dsp.feature.spectral_contrast(y=y, quantile=0.0)
    with pytest.raises(DSPError, match="n_bands"):
        dsp.feature.spectral_contrast(y=y, n_bands=0)
    with pytest.raises(DSPError, match="Nyquist"):
        dsp.feature.spectral_contrast(y=y, n_bands=8, fmin=2000.0)
    with pytest.raises(DSPError, match="amin"):
        dsp.feature.spectral_flatness(y=y, amin=0)
    with pytest.raises(DSPError, match="p="):
        dsp.feature.spectral_bandwidth(y=y, p=0)
    with pytest.raises(DSPError, match="negative"):
        dsp.feature.spectral_centroid(S=-np.ones((5, 3)))
    with pytest.raises(DSPError, match="complex"):
        dsp.feature.spectral_centroid(S=np.ones((5, 3), complex))
    with pytest.raises(DSPError, match="frame_length"):
        dsp.feature.rms(S=np.ones((5, 3)), frame_length=2048)
    with pytest.raises(DSPError, match="y .audio. or S"):
        dsp.feature.rms()
    with pytest.raises(DSPError, match="both are None"):
        dsp.feature.spectral_centroid()
    with pytest.raises(DSPError, match="order"):
        dsp.feature.poly_features(y=y, order=-1)
    with pytest.raises(DSPError, match="freq"):
        dsp.feature.spectral_centroid(S=np.ones((5, 3)), freq=np.arange(4.0))
    with pytest.raises(DSPError, match="unexpected"):
        dsp.feature.zero_crossing_rate(y, bogus=1)


def test_docstring_examples_run():
    import doctest

    from dsp import _features_spectral as mod

    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)


def test_time_varying_frequencies_match_librosa():
    rng = np.random.default_rng(0)
    S = np.abs(rng.standard_normal((2, 65, 30)))
    F = np.sort(rng.random((2, 65, 30)) * 4000, axis=-2)
    for name in ("spectral_centroid", "spectral_bandwidth", "spectral_rolloff"):
        assert_close(getattr(dsp.feature, name)(S=S, freq=F, sr=8000),
                     getattr(librosa.feature, name)(S=S, freq=F, sr=8000), np.float64, what=name)
