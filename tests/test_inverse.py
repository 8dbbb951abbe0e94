"""dsp.griffinlim and dsp.feature.inverse against librosa 0.11 (issue 18).

Griffin-Lim with the same initial phases is compared to librosa in float64 (1e-10 after 32
iterations). In float32, 32 nonlinear iterations amplify rounding (librosa transforms float32 in
float64 internally), so float32 is held to 1e-5 for a few iterations and, for 32, to a spectral
convergence no worse than librosa's. NNLS (mel_to_stft) has no unique solution: ours must be
non-negative with a residual no larger than librosa's L-BFGS-B result.
"""
import warnings

import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close


@pytest.fixture(scope="module")
def speech(recording):
    y, sr = recording("speech", np.float64)
    return y[: sr], sr


def _convergence(y, S, **kw):
    return np.linalg.norm(np.abs(librosa.stft(y, **kw)) - S) / np.linalg.norm(S)


@pytest.mark.parametrize("kw", [dict(init=None, n_iter=4), dict(random_state=0),
                                dict(init=None, momentum=0.5, n_iter=8, length=22050),
                                dict(random_state=1, n_iter=6, hop_length=256, win_length=1024, n_fft=2048)])
def test_griffinlim_matches_librosa(speech, dtype, kw):
    y, sr = speech
    stft_kw = {k: kw[k] for k in ("hop_length", "win_length", "n_fft") if k in kw}
    S = np.abs(librosa.stft(y.astype(dtype), **stft_kw))
    ours = dsp.griffinlim(S, **kw)
    assert ours.dtype == dtype
    if dtype == np.float64 or kw.get("n_iter", 32) <= 8:
        assert_close(ours, librosa.griffinlim(S.astype(np.float64), **kw), dtype)
    else:
        ref = librosa.griffinlim(S, **kw)
        assert _convergence(ours, S, **stft_kw) <= 1.01 * _convergence(ref, S, **stft_kw)


def test_mel_inversion(speech):
    y, sr = speech
    M = librosa.feature.melspectrogram(y=y, sr=sr)
    A = librosa.filters.mel(sr=sr, n_fft=2048, dtype=M.dtype)
    X = dsp.feature.inverse.mel_to_stft(M, sr=sr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Xr = librosa.feature.inverse.mel_to_stft(M, sr=sr)
    assert X.shape == Xr.shape and X.dtype == Xr.dtype and X.min() >= 0
    assert np.linalg.norm(A @ X ** 2 - M) <= np.linalg.norm(A @ Xr ** 2 - M)
    C = librosa.feature.mfcc(y=y, sr=sr)
    for kw in (dict(), dict(lifter=22), dict(n_mels=64, dct_type=3, norm=None), dict(ref=2.0)):
        assert_close(dsp.feature.inverse.mfcc_to_mel(C, **kw), librosa.feature.inverse.mfcc_to_mel(C, **kw), np.float64)
    a = dsp.feature.inverse.mel_to_audio(M, sr=sr, n_iter=4, length=len(y))
    assert a.shape == y.shape and a.dtype == np.float32
    b = dsp.feature.inverse.mfcc_to_audio(C, sr=sr, n_iter=2)
    assert b.shape == librosa.feature.inverse.mfcc_to_audio(C, sr=sr, n_iter=2).shape


def test_inverse_errors():
    S = np.ones((1025, 5))
    with pytest.raises(DSPError, match="n_iter"):
        dsp.griffinlim(S, n_iter=0)
    with pytest.raises(DSPError, match="momentum"):
        dsp.griffinlim(S, momentum=-1)
    with pytest.raises(DSPError, match="init"):
        dsp.griffinlim(S, init="zeros")
    with pytest.raises(DSPError, match="random_state"):
        dsp.griffinlim(S, random_state="seed")
    with pytest.warns(UserWarning, match="unstable"):
        dsp.griffinlim(S, momentum=1.5, n_iter=1)
    with pytest.raises(DSPError, match="negative"):
        dsp.feature.inverse.mel_to_stft(-np.ones((128, 3)))
    with pytest.raises(DSPError, match="lifter"):
        dsp.feature.inverse.mfcc_to_mel(np.ones((20, 3)), lifter=-1)


def test_docstring_examples_run():
    import doctest

    from dsp import _inverse as mod

    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)
