"""The DFT by its definition: dft_matrix, dft, idft, fft_frequencies (issue 2)."""
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tests.naive import naive_dft
from tests.tolerances import RTOL, assert_close


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 12, 17])
def test_dft_matrix_matches_the_loop_definition(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    assert_close(dsp.dft_matrix(n) @ x, naive_dft(x), np.float64)


@pytest.mark.parametrize("n", [1, 4, 7, 64, 100])
def test_dft_matrix_is_unitary_up_to_scale(n):
    W = dsp.dft_matrix(n)
    assert_close(W @ W.conj().T, n * np.eye(n), np.float64)
    assert np.allclose(W, W.T)


def test_dft_matrix_dtype():
    assert dsp.dft_matrix(8, dtype=np.complex64).dtype == np.complex64
    assert dsp.dft_matrix(8).dtype == np.complex128
    assert_close(dsp.dft_matrix(8, dtype=np.complex64), dsp.dft_matrix(8), np.float32)


def test_dft_and_idft_match_numpy(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 30)).astype(dtype)
    X = dsp.dft(x)
    assert X.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    assert_close(X, np.fft.fft(x.astype(np.float64)), dtype)
    back = dsp.idft(X)
    assert back.dtype == X.dtype
    assert_close(back, x, dtype)
    assert_close(dsp.idft(X.astype(np.complex128)), np.fft.ifft(X.astype(np.complex128)), np.float64)


def test_dft_axis():
    x = np.random.default_rng(1).standard_normal((6, 4, 5))
    assert_close(dsp.dft(x, axis=0), np.fft.fft(x, axis=0), np.float64)
    assert_close(dsp.idft(x, axis=1), np.fft.ifft(x, axis=1), np.float64)


@pytest.mark.parametrize("n", [1, 2, 5, 16, 31])
def test_fft_agrees_with_the_dft_matrix(n, dtype):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((2, n)).astype(dtype)
    W = dsp.dft_matrix(n)
    assert_close(dsp.fft(x), x.astype(np.float64) @ W.T, dtype)
    assert_close(dsp.rfft(x), (x.astype(np.float64) @ W.T)[:, : n // 2 + 1], dtype)


@pytest.mark.parametrize("sr,n_fft", [(22050, 2048), (16000, 400), (44100, 1023), (8000, 1), (1.5, 7)])
def test_fft_frequencies_equal_librosa(sr, n_fft):
    librosa = pytest.importorskip("librosa")
    ours = dsp.fft_frequencies(sr=sr, n_fft=n_fft)
    np.testing.assert_array_equal(ours, librosa.fft_frequencies(sr=sr, n_fft=n_fft))


def test_fft_frequencies_defaults():
    f = dsp.fft_frequencies()
    assert f.shape == (1025,) and f[0] == 0.0 and f[-1] == 11025.0


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: dsp.dft_matrix(0), r"n=0 is too small"),
        (lambda: dsp.dft_matrix(2.5), r"n=2.5 must be an integer"),
        (lambda: dsp.dft_matrix(4, dtype=np.float64), r"dtype=float64 is not supported"),
        (lambda: dsp.dft(np.arange(4)), r"integer dtype"),
        (lambda: dsp.dft(np.array([1.0, np.nan])), r"NaN or infinity"),
        (lambda: dsp.dft(np.ones(4), axis=2), r"axis=2 is out of range"),
        (lambda: dsp.idft(np.array([1.0, np.inf])), r"NaN or infinity"),
        (lambda: dsp.fft_frequencies(sr=0), r"sr=0.0 must be > 0"),
        (lambda: dsp.fft_frequencies(n_fft=0), r"n_fft=0 is too small"),
    ],
)
def test_errors(call, match):
    with pytest.raises(DSPError, match=match):
        call()
