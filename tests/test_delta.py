"""dsp.feature.delta and stack_memory against librosa 0.11 (issue 18)."""
import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close


@pytest.fixture(scope="module")
def mfccs(recording):
    y, sr = recording("stereo")
    return librosa.feature.mfcc(y=y[:, : sr].astype(np.float64), sr=sr)  # (2, 20, 44)


@pytest.mark.parametrize("mode", ["interp", "mirror", "constant", "nearest", "wrap"])
@pytest.mark.parametrize("width,order", [(9, 1), (3, 1), (5, 2), (7, 3)])
@pytest.mark.parametrize("axis", [-1, -2])
def test_delta_matches_librosa(mfccs, dtype, mode, width, order, axis):
    X = mfccs.astype(dtype)
    ours = dsp.feature.delta(X, width=width, order=order, axis=axis, mode=mode)
    ref = librosa.feature.delta(X.astype(np.float64), width=width, order=order, axis=axis, mode=mode)
    assert ours.dtype == librosa.feature.delta(X, width=width, order=order, axis=axis, mode=mode).dtype
    assert_close(ours, ref, dtype, what=f"delta {mode}")


def test_delta_options_and_integers():
    x = np.arange(30) ** 2
    np.testing.assert_allclose(dsp.feature.delta(x, width=5, polyorder=3, delta=0.5),
                               librosa.feature.delta(x, width=5, polyorder=3, delta=0.5), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dsp.feature.delta(x, mode="constant", cval=3.0),
                               librosa.feature.delta(x, mode="constant", cval=3.0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_steps,delay", [(1, 1), (3, 1), (2, 3), (3, -1), (2, -4)])
def test_stack_memory_matches_librosa(mfccs, n_steps, delay):
    for X in (mfccs, mfccs[0, 0], mfccs[0].astype(np.float32)):
        np.testing.assert_array_equal(dsp.feature.stack_memory(X, n_steps=n_steps, delay=delay),
                                      librosa.feature.stack_memory(X, n_steps=n_steps, delay=delay))
    np.testing.assert_array_equal(dsp.feature.stack_memory(mfccs, n_steps=3, delay=2, mode="edge"),
                                  librosa.feature.stack_memory(mfccs, n_steps=3, delay=2, mode="edge"))


def test_delta_and_stack_memory_errors():
    X = np.zeros((3, 20))
    for width in (1, 2, 4, 8):
        with pytest.raises(DSPError, match=f"width={width}"):
            dsp.feature.delta(X, width=width)
    with pytest.raises(DSPError, match="exceeds"):
        dsp.feature.delta(X, width=21)
    with pytest.raises(DSPError, match="order"):
        dsp.feature.delta(X, order=0)
    with pytest.raises(DSPError, match="mode"):
        dsp.feature.delta(X, mode="bogus")
    with pytest.raises(DSPError, match="polyorder"):
        dsp.feature.delta(X, width=3, polyorder=3)
    with pytest.raises(DSPError, match="n_steps"):
        dsp.feature.stack_memory(X, n_steps=0)
    with pytest.raises(DSPError, match="delay"):
        dsp.feature.stack_memory(X, delay=0)
    with pytest.raises(DSPError, match="no frames"):
        dsp.feature.stack_memory(np.zeros((3, 0)))


def test_docstring_examples_run():
    import doctest

    from dsp import _delta as mod

    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)
