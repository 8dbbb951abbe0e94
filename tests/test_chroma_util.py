"""dsp.filters.chroma, chroma_stft, piptrack/estimate_tuning/pitch_tuning and dsp.util's
normalize/localmax/localmin/peak_pick against librosa 0.11 (issue 18).

The tuning estimate is a histogram argmax: it is compared for exact equality with librosa on the
same input (float32 with float32, float64 with float64), as is chroma_stft with the estimated
tuning. With a fixed tuning, float32 chroma is compared with librosa's float64 result.
librosa 0.11's float32 peak_pick kernel crashes under the installed Numba, so float32 inputs are
compared with librosa on the same values in float64 (the picked indices must be equal).
"""
import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close


@pytest.mark.parametrize("kw", [
    dict(sr=22050, n_fft=2048),
    dict(sr=44100, n_fft=4096, n_chroma=24, tuning=0.3, octwidth=None, norm=None, base_c=False),
    dict(sr=16000, n_fft=512, tuning=-0.2, ctroct=4.0, norm=1, dtype=np.float64),
])
def test_chroma_filterbank_matches_librosa(kw):
    ours, ref = dsp.filters.chroma(**kw), librosa.filters.chroma(**kw)
    assert ours.dtype == ref.dtype
    assert_close(ours, ref, np.float64)


@pytest.mark.parametrize("name", ["chord", "stereo", "speech", "chirp"])
def test_tuning_and_chroma_stft_match_librosa(recording, dtype, name):
    y, sr = recording(name, dtype)
    assert dsp.estimate_tuning(y=y, sr=sr) == librosa.estimate_tuning(y=y, sr=sr)
    ours, ref = dsp.feature.chroma_stft(y=y, sr=sr), librosa.feature.chroma_stft(y=y, sr=sr)
    assert ours.dtype == ref.dtype
    assert_close(ours, ref, dtype)
    for kw in (dict(tuning=0.0), dict(tuning=0.25, n_chroma=24, norm=2, n_fft=1024, hop_length=256)):
        assert_close(dsp.feature.chroma_stft(y=y, sr=sr, **kw),
                     librosa.feature.chroma_stft(y=y.astype(np.float64), sr=sr, **kw), dtype)


@pytest.mark.parametrize("name", ["speech", "stereo"])
def test_tuning_of_long_audio_matches_librosa(recording, dtype, name):
    # longer than one chunk of the tuning's STFT (256 frames): the peaks are gathered chunk by
    # chunk and must give librosa's tuning exactly
    y, sr = recording(name, dtype)
    y = np.concatenate([y, y[..., ::-1], 0.5 * y], axis=-1)
    y = np.concatenate([y, y], axis=-1)
    assert y.shape[-1] > 2 * 256 * 512
    for bpo in (12, 36):
        assert dsp.estimate_tuning(y=y, sr=sr, bins_per_octave=bpo) == \
            librosa.estimate_tuning(y=y, sr=sr, bins_per_octave=bpo)


def test_chroma_stft_from_S_and_piptrack(recording):
    y, sr = recording("chord", np.float64)
    S = np.abs(librosa.stft(y)) ** 2
    assert_close(dsp.feature.chroma_stft(S=S, sr=sr), librosa.feature.chroma_stft(S=S, sr=sr), np.float64)
    for kw in (dict(), dict(fmin=50.0, fmax=2000.0, threshold=0.2), dict(ref=0.5)):
        p1, m1 = dsp.piptrack(S=np.sqrt(S), sr=sr, **kw)
        p2, m2 = librosa.piptrack(S=np.sqrt(S), sr=sr, **kw)
        np.testing.assert_array_equal(p1 > 0, p2 > 0)
        assert_close(p1, p2, np.float64)
        assert_close(m1, m2, np.float64)
    # float32 magnitudes (one and two channels), same input and dtype as librosa: the same peaks
    # and frequencies to the bit (magnitudes: 1 ulp at one peak in 4e5 values) and the same tuning
    M = np.abs(librosa.stft(y.astype(np.float32))).astype(np.float32)
    for S32 in (M, np.stack([M, M[::-1]])):
        for kw in (dict(), dict(fmin=50.0, fmax=2000.0, threshold=0.2)):
            p1, m1 = dsp.piptrack(S=S32, sr=sr, **kw)
            p2, m2 = librosa.piptrack(S=S32, sr=sr, **kw)
            assert p1.dtype == p2.dtype == np.float32
            np.testing.assert_array_equal(p1, p2)
            assert_close(m1, m2, np.float32)
            assert dsp.estimate_tuning(S=S32, sr=sr, **kw) == librosa.estimate_tuning(S=S32, sr=sr, **kw)
    f = 440.0 * 2 ** (np.random.default_rng(0).normal(0.1, 0.05, 200) / 12)
    for res in (0.01, 0.05):
        assert dsp.pitch_tuning(f, resolution=res) == librosa.pitch_tuning(f, resolution=res)
    with pytest.warns(UserWarning):
        assert dsp.pitch_tuning([0.0]) == 0.0


def test_normalize_localmax_match_librosa():
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64):
        X = rng.standard_normal((3, 40, 30)).astype(dt)
        X[:, 5] = 0
        for norm in (np.inf, -np.inf, 0, 1, 2, 3.5, None):
            for fill in (None, False, True):
                if norm == 0 and fill:
                    continue
                for axis in (0, 1, -1, None):
                    a = dsp.util.normalize(X, norm=norm, axis=axis, fill=fill)
                    b = librosa.util.normalize(X, norm=norm, axis=axis, fill=fill)
                    assert a.dtype == b.dtype
                    np.testing.assert_allclose(a, b, rtol=1e-6 if dt == np.float32 else 1e-13, atol=0)
        x = rng.integers(0, 4, (5, 50)).astype(dt)
        for ax in (0, 1, -1):
            np.testing.assert_array_equal(dsp.util.localmax(x, axis=ax), librosa.util.localmax(x, axis=ax))
            np.testing.assert_array_equal(dsp.util.localmin(x, axis=ax), librosa.util.localmin(x, axis=ax))


def test_peak_pick_matches_librosa():
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64):
        for _ in range(100):
            x = rng.random(300).astype(dt)
            if rng.random() < 0.5:
                x = np.round(x * 4) / 4  # ties
            kw = dict(pre_max=int(rng.integers(1, 5)), post_max=int(rng.integers(1, 5)),
                      pre_avg=int(rng.integers(1, 9)), post_avg=int(rng.integers(1, 9)),
                      delta=float(rng.random() * 0.3), wait=int(rng.integers(0, 6)))
            np.testing.assert_array_equal(dsp.util.peak_pick(x, **kw),
                                          librosa.util.peak_pick(x.astype(np.float64), **kw))
        X = rng.random((3, 200)).astype(dt)
        kw = dict(pre_max=3, post_max=3, pre_avg=3, post_avg=5, delta=0.1, wait=4, sparse=False)
        np.testing.assert_array_equal(dsp.util.peak_pick(X, **kw), librosa.util.peak_pick(X.astype(np.float64), **kw))


def test_chroma_and_util_errors():
    with pytest.raises(DSPError, match="n_chroma"):
        dsp.filters.chroma(sr=22050, n_fft=2048, n_chroma=0)
    with pytest.raises(DSPError, match="octwidth"):
        dsp.filters.chroma(sr=22050, n_fft=2048, octwidth=0)
    with pytest.raises(DSPError, match="resolution"):
        dsp.pitch_tuning([440.0], resolution=1.5)
    with pytest.raises(DSPError, match="both are None"):
        dsp.feature.chroma_stft()
    with pytest.raises(DSPError, match="threshold"):
        dsp.util.normalize(np.ones(3), threshold=0)
    with pytest.raises(DSPError, match="fill"):
        dsp.util.normalize(np.ones(3), fill=3)
    with pytest.raises(DSPError, match="norm=0 with fill"):
        dsp.util.normalize(np.ones(3), norm=0, fill=True)
    with pytest.raises(DSPError, match="norm="):
        dsp.util.normalize(np.ones(3), norm=-2)
    with pytest.raises(DSPError, match="NaN"):
        dsp.util.normalize(np.array([np.nan]))
    kw = dict(pre_max=1, post_max=1, pre_avg=1, post_avg=1, delta=0.1, wait=0)
    for name, bad in (("pre_max", -1), ("post_max", 0), ("pre_avg", -1), ("post_avg", 0), ("wait", -1), ("delta", -0.1)):
        with pytest.raises(DSPError, match=name):
            dsp.util.peak_pick(np.zeros(10), **dict(kw, **{name: bad}))
    with pytest.raises(DSPError, match="sparse=True"):
        dsp.util.peak_pick(np.zeros((2, 10)), **kw)


@pytest.mark.parametrize("module", ["dsp._chroma", "dsp._util"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(module)
    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)
