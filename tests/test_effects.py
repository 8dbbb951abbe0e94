"""dsp.effects (trim, split, preemphasis, deemphasis) and mu-law companding against librosa 0.11
(issue 18). Intervals are estimators: equal to librosa's on the recordings and on synthetic
bursts. Emphasis runs in y's precision like librosa (scipy.signal.lfilter on y's dtype)."""
import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close


def bursts(dtype):
    rng = np.random.default_rng(0)
    y = np.zeros(5 * 22050)
    for s, e, a in ((4000, 20000, 1.0), (30000, 31000, 0.05), (50000, 70000, 0.3), (90000, 105000, 0.001)):
        y[s:e] = a * rng.standard_normal(e - s)
    return y.astype(dtype)


@pytest.mark.parametrize("kw", [dict(), dict(top_db=30), dict(top_db=80, frame_length=1024, hop_length=256),
                                dict(ref=1.0, top_db=40), dict(aggregate=np.mean)])
def test_trim_split_equal_librosa(recording, dtype, kw):
    signals = [bursts(dtype), recording("speech", dtype)[0], recording("stereo", dtype)[0]]
    for y in signals:
        np.testing.assert_array_equal(dsp.effects.split(y, **kw), librosa.effects.split(y, **kw))
        a, ia = dsp.effects.trim(y, **kw)
        b, ib = librosa.effects.trim(y, **kw)
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("coef", [0.97, 0.5])
def test_emphasis_matches_librosa(recording, dtype, coef):
    y = recording("stereo", dtype)[0][:, :20000]
    for kw in (dict(), dict(zi=np.full((2, 1), 0.1)), dict(return_zf=True)):
        ours = dsp.effects.preemphasis(y, coef=coef, **kw)
        ref = librosa.effects.preemphasis(y.astype(np.float64), coef=coef, **kw)
        ours, ref = (ours, ref) if not kw.get("return_zf") else (ours[0], ref[0])
        assert ours.dtype == dtype
        assert_close(ours, ref, dtype)
        ours = dsp.effects.deemphasis(y, coef=coef, **kw)
        ref = librosa.effects.deemphasis(y.astype(np.float64), coef=coef, **kw)
        if kw.get("return_zf"):
            assert_close(ours[1], ref[1], dtype)
            ours, ref = ours[0], ref[0]
        assert ours.dtype == dtype
        assert_close(ours, ref, dtype, rtol=None if dtype == np.float64 else 1e-4)
    # the round trip, and the float32 path exactly as librosa's float32 lfilter
    assert_close(dsp.effects.deemphasis(dsp.effects.preemphasis(y, coef=coef), coef=coef), y, dtype,
                 rtol=None if dtype == np.float64 else 1e-4)
    np.testing.assert_array_equal(dsp.effects.preemphasis(y, coef=coef), librosa.effects.preemphasis(y, coef=coef))


def test_mu_law_matches_librosa():
    x = np.linspace(-1, 1, 2001)
    for mu in (255, 15, 100.5):
        for q in (True, False):
            np.testing.assert_array_equal(dsp.mu_compress(x, mu=mu, quantize=q), librosa.mu_compress(x, mu=mu, quantize=q))
        levels = librosa.mu_compress(x, mu=mu)
        assert_close(dsp.mu_expand(levels, mu=mu), librosa.mu_expand(levels, mu=mu), np.float64)
        c = librosa.mu_compress(x, mu=mu, quantize=False)
        assert_close(dsp.mu_expand(c, mu=mu, quantize=False), librosa.mu_expand(c, mu=mu, quantize=False), np.float64)


def test_effects_errors():
    with pytest.raises(DSPError, match="mu="):
        dsp.mu_compress(np.zeros(3), mu=0)
    with pytest.raises(DSPError, match="outside"):
        dsp.mu_compress(np.array([1.5]))
    with pytest.raises(DSPError, match="outside"):
        dsp.mu_expand(np.array([300]))
    with pytest.raises(DSPError, match="mu="):
        dsp.mu_expand(np.zeros(3), mu=-1)
    with pytest.raises(DSPError, match="sample"):
        dsp.effects.preemphasis(np.ones(1))
    with pytest.raises(DSPError, match="frame_length"):
        dsp.effects.trim(np.ones(4096), frame_length=0)
    with pytest.raises(DSPError, match="integer"):
        dsp.effects.split(np.ones(4096, dtype=np.int16))


def test_docstring_examples_run():
    import doctest

    from dsp import _effects as mod

    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)
