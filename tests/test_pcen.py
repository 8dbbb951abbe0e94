"""dsp.pcen against librosa 0.11 (issue 18): float64 arithmetic, so 1e-10 for both input dtypes."""
import warnings

import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tolerances import assert_close


@pytest.fixture(scope="module")
def mel(recording):
    y, sr = recording("stereo", np.float64)
    return librosa.feature.melspectrogram(y=y[:, : 2 * sr], sr=sr) * 2 ** 31


@pytest.mark.parametrize("kw", [dict(), dict(power=0), dict(bias=0), dict(b=0.3), dict(axis=-2),
                                dict(gain=0.5, bias=5, power=0.25, time_constant=0.1, eps=1e-4, sr=16000, hop_length=160)])
def test_pcen_matches_librosa(mel, dtype, kw):
    M = mel.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # librosa's log(0) with bias=0
        ref = librosa.pcen(M.astype(np.float64), **kw)
    ours = dsp.pcen(M, **kw)
    assert ours.dtype == ref.dtype
    assert_close(ours, ref, np.float64)


@pytest.mark.parametrize("max_size", [3, 4])
def test_pcen_max_filter_and_streaming(mel, max_size):
    M = mel[0]
    assert_close(dsp.pcen(M, max_size=max_size), librosa.pcen(M, max_size=max_size), np.float64)
    assert_close(dsp.pcen(M, max_size=max_size, axis=0, max_axis=1),
                 librosa.pcen(M, max_size=max_size, axis=0, max_axis=1), np.float64)
    # two halves with the state carried equal the whole, and equal librosa's zf
    P1, zf = dsp.pcen(M[:, :40], return_zf=True)
    P2 = dsp.pcen(M[:, 40:], zi=zf)
    assert_close(np.concatenate([P1, P2], axis=1), dsp.pcen(M), np.float64)
    _, zf_ref = librosa.pcen(M[:, :40], return_zf=True)
    assert_close(zf, zf_ref, np.float64)


@pytest.mark.parametrize("kw", [dict(), dict(power=0), dict(bias=0), dict(b=0.3),
                                dict(gain=0.5, bias=5, power=0.25, eps=1e-4)])
def test_pcen_in_librosas_stft_layout(recording, dtype, kw):
    # a magnitude STFT as librosa (and dsp.stft) lay it out, each frame's bins contiguous
    # (Fortran order), runs frame by frame without a transposed copy: same values as librosa's
    # and as the row-wise path on a C-ordered copy, the final state included
    y, sr = recording("stereo", np.float64)
    S = np.abs(librosa.stft(y[0, : 2 * sr])).astype(dtype) * 2 ** 15
    assert S.flags.f_contiguous and not S.flags.c_contiguous
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # librosa's log(0) with bias=0
        ref, zf_ref = librosa.pcen(S.astype(np.float64), return_zf=True, **kw)
    ours, zf = dsp.pcen(S, return_zf=True, **kw)
    assert ours.shape == ref.shape and zf.shape == zf_ref.shape
    assert_close(ours, ref, np.float64)
    assert_close(zf, zf_ref, np.float64)
    rows = dsp.pcen(np.ascontiguousarray(S), **kw)
    assert_close(ours, rows, np.float64)
    if not kw or kw == dict(b=0.3):  # the default arithmetic: bit for bit
        assert np.array_equal(ours, rows)
    # streaming: two halves with the state carried equal the whole
    half = S.shape[1] // 2
    P1, z1 = dsp.pcen(np.asfortranarray(S[:, :half]), return_zf=True, **kw)
    P2 = dsp.pcen(np.asfortranarray(S[:, half:]), zi=z1, **kw)
    assert_close(np.concatenate([P1, P2], axis=1), ours, np.float64)


def test_pcen_errors():
    S = np.ones((4, 10))
    for name, bad in (("power", -1), ("gain", -0.1), ("bias", -1), ("eps", 0), ("time_constant", 0), ("b", 1.5)):
        with pytest.raises(DSPError, match=name):
            dsp.pcen(S, **{name: bad})
    with pytest.raises(DSPError, match="max_size"):
        dsp.pcen(S, max_size=0)
    with pytest.raises(DSPError, match="max_axis"):
        dsp.pcen(np.ones((2, 4, 10)), max_size=3)
    with pytest.raises(DSPError, match="negative"):
        dsp.pcen(-S)
    with pytest.raises(DSPError, match="ref"):
        dsp.pcen(S, ref=np.ones((3, 10)))
    with pytest.warns(UserWarning, match="complex"):
        dsp.pcen(S.astype(complex))


def test_docstring_example_runs():
    import doctest

    from dsp import _pcen as mod

    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
