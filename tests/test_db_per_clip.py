"""power_to_db / amplitude_to_db with top_db_axes: the per-clip floor of torchaudio's AmplitudeToDB."""
import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError

from tolerances import assert_close


def torchaudio_amplitude_to_db(x, multiplier, amin, db_multiplier, top_db):
    # torchaudio.functional.amplitude_to_DB's definition: the floor is per item of the batch,
    # the channels (axis -3 of a 4-D input) sharing it
    x_db = multiplier * np.log10(np.maximum(x, amin)) - multiplier * db_multiplier
    shape = x_db.shape
    packed = shape[-3] if x_db.ndim > 2 else 1
    g = x_db.reshape(-1, packed, shape[-2], shape[-1])
    g = np.maximum(g, g.max(axis=(-3, -2, -1), keepdims=True) - top_db)
    return g.reshape(shape)


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    S = rng.random((3, 2, 65, 40)) ** 4
    S[1] *= 1e-5  # a quiet clip: with one floor for the batch, its bottom is clamped by the loud one
    return S


def test_power_per_clip_is_torchaudios(batch):
    ours = dsp.power_to_db(batch, top_db=60.0, top_db_axes=(-3, -2, -1))
    ref = torchaudio_amplitude_to_db(batch, 10.0, 1e-10, 0.0, 60.0)
    assert_close(ours, ref, np.float64)
    whole = dsp.power_to_db(batch, top_db=60.0)
    assert not np.allclose(whole, ours)  # the default floors over the whole batch, as librosa
    assert_close(whole, librosa.power_to_db(batch, top_db=60.0), np.float64)


def test_amplitude_per_spectrogram(batch):
    A = np.sqrt(batch).astype(np.float32)
    ours = dsp.amplitude_to_db(A, top_db=50.0, top_db_axes=(-2, -1))
    for i in range(3):
        for c in range(2):
            ref = librosa.amplitude_to_db(A[i, c], top_db=50.0)
            assert_close(ours[i, c], ref, np.float32)
    assert ours.dtype == np.float32


def test_axes_none_or_top_db_none_is_unchanged(batch):
    np.testing.assert_array_equal(dsp.power_to_db(batch, top_db_axes=None), dsp.power_to_db(batch))
    np.testing.assert_array_equal(dsp.power_to_db(batch, top_db=None, top_db_axes=-1),
                                  dsp.power_to_db(batch, top_db=None))


@pytest.mark.parametrize("axes, match", [(4, "top_db_axes=4 is not supported"), ((0, 0), "repeats"),
                                         ("x", "not supported"), (1.5, "must be None, an int")])
def test_bad_axes(batch, axes, match):
    with pytest.raises(DSPError, match=match):
        dsp.power_to_db(batch, top_db_axes=axes)
