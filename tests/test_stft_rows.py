"""dsp.stft on batches of short rows, and its NaN/infinity check made on the way.

The CPU kernel cuts its blocks of W frames from the frames of all rows counted one after the
other, so a block may hold the last frames of one clip and the first of the next; each row must
still match librosa on that row alone, bit for bit what the row gives alone. The kernel also
finds NaN and infinity in the input from the DC bin of every frame it transforms (plus a
direct check of the samples no whole frame reads): a non-finite sample anywhere must still be
refused, and finite input whose spectrum overflows must not be.
"""
import warnings

import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tests.tolerances import assert_close

CDT = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}


def _librosa(y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return librosa.stft(np.asarray(y, dtype=np.float64), **kw)


# rows of 11, 101, 1, 47 and 45 frames (none a multiple of 16 or 8 lanes); a Bluestein size (257);
# centred and not
@pytest.mark.parametrize("batch, n, n_fft, hop, center", [
    (17, 1600, 400, 160, True),
    (5, 16000, 400, 160, True),
    (9, 512, 512, 128, False),
    (3, 3000, 257, 64, True),
    (4, 4700, 256, 100, False),
])
def test_batch_rows_match_librosa_and_single_rows(batch, n, n_fft, hop, center, dtype):
    y = np.random.default_rng(batch).standard_normal((batch, n)).astype(dtype)
    S = dsp.stft(y, n_fft=n_fft, hop_length=hop, center=center)
    assert S.dtype == CDT[np.dtype(dtype)]
    for b in range(batch):
        assert_close(S[b], _librosa(y[b], n_fft=n_fft, hop_length=hop, center=center), dtype,
                     what=f"row {b}")
        # the same samples alone: the same frames, the same products
        np.testing.assert_array_equal(S[b], dsp.stft(y[b], n_fft=n_fft, hop_length=hop,
                                                     center=center))


def _refused(y, **kw):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dsp.stft(y, **kw)
    except DSPError as e:
        assert "y contains NaN or infinity" in str(e)
        return True
    return False


# hop > n_fft leaves samples that no frame reads; a short window with a long hop leaves samples
# that only the zeros of some frame's window cover; uncentred frames leave a tail (2000 - 1999);
# reflect padding reads the ends twice
@pytest.mark.parametrize("kw", [
    dict(n_fft=400, hop_length=160),
    dict(n_fft=401, hop_length=160, center=False),
    dict(n_fft=256, hop_length=300),
    dict(n_fft=256, hop_length=300, center=False),
    dict(n_fft=257, hop_length=64, pad_mode="reflect"),
    dict(n_fft=400, hop_length=100, win_length=100, pad_mode="edge"),
    dict(n_fft=400, hop_length=300, win_length=100),
    dict(n_fft=400, hop_length=300, win_length=100, center=False),
])
def test_a_non_finite_sample_anywhere_is_refused(kw, dtype):
    x = np.random.default_rng(0).standard_normal((3, 2000)).astype(dtype)
    assert not _refused(x, **kw)
    missed = []
    for pos in list(range(0, 2000, 37)) + [1, 1998, 1999]:
        for row, v in ((0, np.nan), (1, np.inf), (2, -np.inf)):
            y = x.copy()
            y[row, pos] = v
            if not _refused(y, **kw):
                missed.append((row, pos, v))
    assert not missed, missed


def test_finite_input_whose_spectrum_overflows_is_not_refused():
    # 400 samples of 3e38 sum past float32's largest value: the DC bins are infinite, the input
    # is not
    S = dsp.stft(np.full(4000, 3e38, dtype=np.float32), n_fft=400, hop_length=160)
    assert np.isinf(S).any()
    # float64 samples past float32's range, asked for complex64: the narrowed copy is infinite,
    # the caller's samples are finite (as before the check moved into the kernel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's overflow in the narrowing
        S = dsp.stft(np.full(4000, 1e300), n_fft=400, hop_length=160, dtype=np.complex64)
    assert S.dtype == np.complex64 and np.isinf(S).any()


def test_a_nan_is_refused_through_the_narrowing_to_float32():
    y = np.random.default_rng(0).standard_normal(4000)
    y[2500] = np.nan
    with pytest.raises(DSPError, match="y contains NaN or infinity"):
        dsp.stft(y, n_fft=400, hop_length=160, dtype=np.complex64)


def test_out_is_left_untouched_when_the_input_is_refused():
    y = np.random.default_rng(0).standard_normal(4000)
    y[1234] = np.nan
    out = np.full((201, 26), 5 + 0j, dtype=np.complex128, order="F")
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.stft(y, n_fft=400, hop_length=160, out=out)
    assert np.all(out == 5)
