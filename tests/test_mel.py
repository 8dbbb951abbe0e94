"""dsp.mel against librosa 0.11 (scale, filterbank, melspectrogram, mfcc) and torchaudio's definition.

Filterbank parity is checked to 1e-6 relative in float64 (it is in fact bit-exact); mel
spectrograms to RTOL (1e-5 peak-relative for float32); MFCCs to 1e-4 of the largest coefficient
in float32. Why MFCCs need the looser bound: float32 audio is transformed in float32 here (as
torch does), while librosa multiplies float32 frames by a float64 window and so runs its FFT in
float64. Both agree to about 1e-7 of the peak, but the dB scale turns that absolute error into a
large relative one in bins far below a frame's peak (about 5e-5 of the largest coefficient for a
sweeping tone with power=1; 3e-7 with power=2).
"""
import warnings

import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from naive import naive_torchaudio_melscale_fbanks
from tolerances import RTOL, assert_close, peak_relative_error

FB_TOL = 1e-6
MFCC_TOL = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-9}


def _quiet(f, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(**kw)


# ----------------------------------------------------------------------------- mel scale


@pytest.mark.parametrize("htk", [False, True])
def test_hz_mel_conversions_match_librosa(htk):
    cases = [440, 1000.0, 999.5, np.float32(2000.0), np.array([0.0, 500.0, 1000.0, 3000.0, 20000.0]),
             np.array([[100.0, 2000.0]], dtype=np.float32), np.arange(0, 8000, 250)]
    for f in cases:
        for ours, ref, arg in ((dsp.hz_to_mel, librosa.hz_to_mel, f), (dsp.mel_to_hz, librosa.mel_to_hz, f / 50)):
            a, b = ours(arg, htk=htk), ref(arg, htk=htk)
            assert type(a) is type(b) and np.asarray(a).dtype == np.asarray(b).dtype
            np.testing.assert_array_equal(a, b)
    f = np.linspace(0, 24000, 97)
    np.testing.assert_allclose(dsp.mel_to_hz(dsp.hz_to_mel(f, htk=htk), htk=htk), f, rtol=1e-12, atol=1e-9)


def test_mel_frequencies_match_librosa():
    for n, fmin, fmax, htk in [(128, 0.0, 11025.0, False), (40, 20.0, 8000.0, True), (1, 0.0, 100.0, False)]:
        np.testing.assert_array_equal(dsp.mel_frequencies(n, fmin=fmin, fmax=fmax, htk=htk),
                                      librosa.mel_frequencies(n, fmin=fmin, fmax=fmax, htk=htk))


# ----------------------------------------------------------------------------- filterbank

FB_GRID = [
    # sr, n_fft, n_mels, fmin, fmax, htk, norm
    (22050, 2048, 128, 0.0, None, False, "slaney"),
    (22050, 2048, 128, 0.0, None, True, None),
    (8000, 256, 32, 0.0, None, False, "slaney"),
    (8000, 512, 40, 20.0, 3800.0, True, "slaney"),
    (16000, 400, 80, 0.0, 8000.0, True, None),
    (16000, 512, 64, 50.0, 7600.0, False, 1),
    (22050, 1024, 96, 30.0, 11000.0, False, 2.0),
    (44100, 4096, 256, 0.0, None, False, "slaney"),
    (44100, 2048, 128, 100.0, 16000.0, True, np.inf),
    (48000, 1024, 128, 0.0, None, False, None),
    (48000, 4096, 200, 40.0, 20000.0, True, 2),
    (16000, 256, 128, 0.0, None, False, "slaney"),  # more bands than bins: empty bands
    (22050, 2049, 64, 0.0, None, False, -np.inf),  # odd n_fft
    (22050, 512, 20, 0.0, None, True, 0),
]


@pytest.mark.parametrize("sr,n_fft,n_mels,fmin,fmax,htk,norm", FB_GRID)
def test_filterbank_matches_librosa(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    kw = dict(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    for dt in (np.float64, np.float32):
        ref = _quiet(librosa.filters.mel, dtype=dt, **kw)
        ours = _quiet(dsp.mel_filterbank, dtype=dt, **kw)
        assert ours.dtype == ref.dtype and ours.shape == ref.shape
        err = peak_relative_error(ours, ref)
        assert err <= (FB_TOL if dt == np.float64 else RTOL[np.dtype(dt)]), f"{dt}: {err:.2e}"


def test_filterbank_is_sparse_and_its_ranged_form_is_exact():
    from dsp.mel import _check_filterbank_args, _sparse_filterbank

    M = dsp.mel_filterbank(sr=22050, n_fft=2048)
    assert (M > 0).sum(axis=0).max() == 2  # each FFT bin feeds at most two Slaney bands
    for kw in [dict(sr=22050, n_fft=2048), dict(sr=16000, n_fft=256, n_mels=128, htk=True, norm=2.0)]:
        full = {**dict(n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney", dtype=np.float32), **kw}
        args = _check_filterbank_args(**full)
        dense = _quiet(dsp.mel_filterbank, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            starts, offsets, weights = _sparse_filterbank(*args)
        rebuilt = np.zeros_like(dense)
        for m in range(dense.shape[0]):
            run = weights[offsets[m] : offsets[m + 1]]
            rebuilt[m, starts[m] : starts[m] + run.size] = run
        np.testing.assert_array_equal(rebuilt, dense)


def test_filterbank_warns_on_empty_bands_and_returns_fresh_arrays():
    with pytest.warns(UserWarning, match="empty bands"):
        dsp.mel_filterbank(sr=8000, n_fft=128, n_mels=128, fmin=1.0)
    with pytest.warns(UserWarning, match="empty bands") as record:  # every call, not only the first
        dsp.melspectrogram(S=np.ones((65, 3)), sr=8000, n_mels=128, fmin=1.0)
    assert record[0].filename == __file__
    a = dsp.mel_filterbank(sr=22050, n_fft=512)
    a[:] = 0
    assert dsp.mel_filterbank(sr=22050, n_fft=512).max() > 0


# torchaudio is not installed here (no CPU build for this platform), so its definition is
# reproduced as loops in tests/naive.py; see the docstring there for the version it follows.
@pytest.mark.parametrize("sr,n_fft,n_mels,f_min,f_max", [
    (16000, 400, 128, 0.0, 8000.0),  # torchaudio.transforms.MelSpectrogram(16000) defaults
    (22050 - 1, 512, 40, 0.0, None),  # odd sr: torchaudio's grid stops at sr // 2
    (44100, 2048, 64, 30.0, 18000.0),
    (8000, 256, 23, 100.0, 4000.0),
])
def test_filterbank_relates_to_torchaudio(sr, n_fft, n_mels, f_min, f_max):
    n_freqs = n_fft // 2 + 1
    f_max_ta = float(sr // 2) if f_max is None else f_max  # torchaudio's MelScale default
    ref = naive_torchaudio_melscale_fbanks(n_freqs, f_min, f_max_ta, n_mels, sr)
    ours = _quiet(dsp.mel_filterbank, sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max_ta,
                  htk=True, norm=None, dtype=np.float64).T
    if sr % 2 == 0 and n_fft % 2 == 0:
        # same grid: linspace(0, sr // 2, n_freqs) == k * sr / n_fft
        assert ours.shape == ref.shape
        assert peak_relative_error(ours, ref) <= 1e-12
        slaney_ref = naive_torchaudio_melscale_fbanks(n_freqs, f_min, f_max_ta, n_mels, sr, norm="slaney")
        slaney = _quiet(dsp.mel_filterbank, sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max_ta,
                        htk=True, norm="slaney", dtype=np.float64).T
        assert peak_relative_error(slaney, slaney_ref) <= 1e-12
    else:
        # odd sr or n_fft: the grids differ, and so do the matrices (documented)
        assert peak_relative_error(ours, ref) > 1e-6


# ----------------------------------------------------------------------------- melspectrogram (S=)


@pytest.mark.parametrize("shape,kw", [
    ((1025, 60), {}),
    ((2, 1025, 33), dict(n_mels=64, htk=True, norm=None)),
    ((513, 20), dict(sr=16000, fmin=50.0, fmax=7000.0, norm=2.0, dtype=np.float64)),
    ((2, 1, 257, 9), dict(sr=8000, n_mels=32)),
])
def test_melspectrogram_from_S_matches_librosa(shape, kw, dtype):
    S = (np.random.default_rng(3).standard_normal(shape) ** 2).astype(dtype)
    ref = librosa.feature.melspectrogram(S=S, **kw)
    ours = dsp.melspectrogram(S=S, **kw)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    assert_close(ours, ref, ours.dtype)


def test_melspectrogram_from_S_keeps_a_consistent_odd_n_fft():
    S = np.random.default_rng(4).random((1025, 5))
    assert_close(dsp.melspectrogram(S=S, n_fft=2049), librosa.feature.melspectrogram(S=S, n_fft=2049), np.float64)
    assert_close(dsp.melspectrogram(S=S, n_fft=1000), librosa.feature.melspectrogram(S=S, n_fft=1000), np.float64)
    assert_close(dsp.melspectrogram(S=S, n_fft=None), librosa.feature.melspectrogram(S=S, n_fft=None), np.float64)


# ----------------------------------------------------------------------------- mfcc (S=)


@pytest.mark.parametrize("kw", [
    {},
    dict(n_mfcc=13, dct_type=3, norm=None, lifter=22),
    dict(n_mfcc=40, dct_type=1, lifter=3.5),
    dict(n_mfcc=128, dct_type=2, norm=None),
])
def test_mfcc_from_S_matches_librosa(kw, dtype):
    S = np.random.default_rng(5).random((2, 1025, 40)).astype(dtype)
    L = librosa.power_to_db(librosa.feature.melspectrogram(S=S))
    ref = librosa.feature.mfcc(S=L, **kw)
    ours = dsp.mfcc(S=L, **kw)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    assert peak_relative_error(ours, ref) <= MFCC_TOL[np.dtype(dtype)]


# ----------------------------------------------------------------------------- from the signal

Y_GRID = [
    # recording, sr label, parameters (sr only sets the filterbank's frequencies)
    ("speech", 22050, {}),
    ("speech", 22050, dict(power=1.0, n_mels=64, htk=True, norm=None)),
    ("speech16k", 16000, dict(n_fft=512, hop_length=160, win_length=400, n_mels=80, fmin=20.0, fmax=7600.0)),
    ("speech16k", 8000, dict(n_fft=256, hop_length=64, n_mels=32, pad_mode="reflect", norm=2.0)),
    ("chirp", 44100, dict(n_fft=4096, hop_length=1024, n_mels=256, window="hamming", norm=np.inf)),
    ("chirp", 48000, dict(n_fft=1000, hop_length=333, center=False, power=1.5, htk=True, fmin=100.0)),
    ("stereo", 22050, dict(n_fft=1024, hop_length=256, n_mels=96, dtype=np.float64)),
    ("chord", 44100, dict(n_fft=2048, hop_length=700, n_mels=200, pad_mode="edge", norm=1)),
    # odd mixed-radix size (blocked kernel, odd post-processing) and a Bluestein size (its
    # convolution in the blocked kernel's lanes)
    ("speech", 22050, dict(n_fft=441, hop_length=110, n_mels=40, pad_mode="symmetric")),
    ("chord", 22050, dict(n_fft=1009, hop_length=256, n_mels=64, power=1.0)),
]


@pytest.mark.parametrize("name,sr,kw", Y_GRID)
def test_melspectrogram_matches_librosa(recording, name, sr, kw, dtype):
    y, _ = recording(name, dtype)
    y = y[..., : 2 * sr]
    ref = _quiet(librosa.feature.melspectrogram, y=y, sr=sr, **kw)
    ours = _quiet(dsp.melspectrogram, y=y, sr=sr, **kw)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    assert_close(ours, ref, dtype, what=f"melspectrogram {kw}")


def test_melspectrogram_multichannel_equals_per_channel(recording):
    y, sr = recording("stereo")
    stacked = np.stack([y, y[::-1] * 0.5])  # (2, 2, n)
    ours = dsp.melspectrogram(y=stacked, sr=sr, n_fft=512, hop_length=128)
    assert ours.shape[:2] == (2, 2)
    for i in range(2):
        for c in range(2):
            np.testing.assert_array_equal(ours[i, c], dsp.melspectrogram(y=stacked[i, c], sr=sr, n_fft=512, hop_length=128))


def test_read_only_non_contiguous_and_float16_input(recording):
    y, sr = recording("stereo")
    ref = dsp.melspectrogram(y=np.ascontiguousarray(y[:, ::2]), sr=sr, n_fft=512)
    view = y[:, ::2]
    view.setflags(write=False)
    np.testing.assert_array_equal(dsp.melspectrogram(y=view, sr=sr, n_fft=512), ref)
    half = dsp.melspectrogram(y=y[0].astype(np.float16), sr=sr, n_fft=512)
    assert half.dtype == np.float32


def test_melspectrogram_from_y_equals_projection_of_power_stft(recording):
    y, sr = recording("speech")
    y = y[: sr]
    S = np.abs(librosa.stft(y, n_fft=1024, hop_length=256)) ** 2
    assert_close(dsp.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=256), dsp.melspectrogram(S=S, sr=sr),
                 np.float32)


MFCC_GRID = [
    ("speech", 22050, {}),
    ("speech", 22050, dict(n_mfcc=13, dct_type=3, norm=None, lifter=22, n_mels=40)),
    ("speech16k", 16000, dict(n_mfcc=40, dct_type=1, n_fft=400, hop_length=160, n_mels=64, mel_norm=None, htk=True)),
    ("stereo", 22050, dict(n_mfcc=30, lifter=3.0, n_fft=1024, power=1.0, mel_norm=2.0)),
    # the hardest case known: a pure sweeping tone with power=1, where top_db=80 (in amplitude
    # dB) keeps bins 160 dB below the peak in power, at the float32 FFT's noise floor
    ("chirp", 44100, dict(power=1.0)),
]


@pytest.mark.parametrize("name,sr,kw", MFCC_GRID)
def test_mfcc_matches_librosa(recording, name, sr, kw, dtype):
    y, _ = recording(name, dtype)
    y = y[..., : 2 * sr]
    ref = _quiet(librosa.feature.mfcc, y=y, sr=sr, **kw)
    ours = _quiet(dsp.mfcc, y=y, sr=sr, **kw)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    err = peak_relative_error(ours, ref)
    assert err <= MFCC_TOL[np.dtype(dtype)], f"mfcc {kw}: max error {err:.2e} of the largest coefficient"


# ----------------------------------------------------------------------------- errors


def test_errors():
    with pytest.raises(DSPError, match="n_fft=1 is too small"):
        dsp.mel_filterbank(sr=22050, n_fft=1)
    with pytest.raises(DSPError, match="sr=0.0 must be > 0"):
        dsp.mel_filterbank(sr=0, n_fft=512)
    with pytest.raises(DSPError, match="n_mels=0 is too small"):
        dsp.mel_filterbank(sr=22050, n_fft=512, n_mels=0)
    with pytest.raises(DSPError, match="fmax=100.0 must be > fmin=200.0"):
        dsp.mel_filterbank(sr=22050, n_fft=512, fmin=200, fmax=100)
    with pytest.raises(DSPError, match="fmin=-1.0 must be >= 0"):
        dsp.mel_filterbank(sr=22050, n_fft=512, fmin=-1)
    with pytest.raises(DSPError, match="norm='l2' is not supported"):
        dsp.mel_filterbank(sr=22050, n_fft=512, norm="l2")
    with pytest.raises(DSPError, match="p-norm order must be >= 0"):
        dsp.mel_filterbank(sr=22050, n_fft=512, norm=-2)
    with pytest.raises(DSPError, match="dtype=int64 is not supported"):
        dsp.mel_filterbank(sr=22050, n_fft=512, dtype=np.int64)
    with pytest.raises(DSPError, match="htk=1 must be True or False"):
        dsp.hz_to_mel(100.0, htk=1)
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.hz_to_mel(np.inf)
    with pytest.raises(DSPError, match="complex"):
        dsp.mel_to_hz(1j)
    with pytest.raises(DSPError, match="both are None"):
        dsp.melspectrogram()
    with pytest.raises(DSPError, match="both are None"):
        dsp.mfcc()
    with pytest.raises(DSPError, match="unexpected keyword argument.*n_bands"):
        dsp.melspectrogram(S=np.ones((1025, 3)), n_bands=40)
    with pytest.raises(DSPError, match="S has 1 frequency bin"):
        dsp.melspectrogram(S=np.ones((1, 3)))
    with pytest.raises(DSPError, match="S has 1 dimension"):
        dsp.melspectrogram(S=np.ones(3))
    y = np.zeros(4096, dtype=np.float32)
    with pytest.raises(DSPError, match="power=0.0 must be > 0"):
        dsp.melspectrogram(y=y, power=0)
    with pytest.raises(DSPError, match="hop_length=0 is too small"):
        dsp.melspectrogram(y=y, hop_length=0)
    with pytest.raises(DSPError, match="pad_mode='wrap' is not supported"):
        dsp.melspectrogram(y=y, pad_mode="wrap")
    with pytest.raises(DSPError, match="center=False analysis"):
        dsp.melspectrogram(y=y[:100], center=False)
    with pytest.raises(DSPError, match="integer dtype"):
        dsp.melspectrogram(y=np.zeros(4096, dtype=np.int16))
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.mfcc(y=np.full(4096, np.nan, dtype=np.float32))
    with pytest.raises(DSPError, match="unexpected keyword argument.*bands"):
        dsp.mfcc(y=y, bands=3)
    with pytest.raises(DSPError, match="n_mfcc=21 is too large"):
        dsp.mfcc(S=np.ones((20, 3)), n_mfcc=21)
    with pytest.raises(DSPError, match="dct_type=4 is not supported"):
        dsp.mfcc(S=np.ones((20, 3)), dct_type=4)
    with pytest.raises(DSPError, match="lifter=-1.0 must be >= 0"):
        dsp.mfcc(S=np.ones((20, 3)), lifter=-1)


def test_zero_d_integer_arrays_count_as_scalars():
    """An integer 0-d array for a scalar parameter (np.array(8000)) is its scalar, as for librosa."""
    import librosa

    ours = dsp.mel_frequencies(n_mels=8, fmin=np.array(0), fmax=np.array(8000))
    np.testing.assert_allclose(ours, librosa.mel_frequencies(n_mels=8, fmin=0, fmax=8000), rtol=1e-12)
    with pytest.raises(dsp.DSPError, match="fmax"):
        dsp.mel_frequencies(n_mels=8, fmax=np.array([1.0, 2.0]))


@pytest.mark.parametrize("shape, kw", [
    ((160000,), {}),  # the parallel pass: 128 bands x 313 frames, two tiles of frames
    ((16000,), dict(n_fft=400, hop_length=160, n_mels=64, n_mfcc=13)),  # a clip: one thread
    ((2, 16000), dict(n_mels=40)),  # a batch: one peak for all of it, as power_to_db's
])
def test_mfcc_from_audio_is_the_two_step_result_bit_for_bit(shape, kw, dtype):
    """dsp.mfcc(y=...) runs dB and DCT as one pass (dsp_kernels.cpu.mfcc); it must equal the
    DCT of power_to_db of the mel spectrogram exactly (the path dsp.corpus takes when it stores
    the log-mel too, and the one the librosa comparisons above check)."""
    y = np.random.default_rng(3).standard_normal(shape).astype(dtype)
    y[..., : shape[-1] // 4] *= 1e-6  # a near-silent quarter: the top_db floor is reached
    n_mfcc = kw.pop("n_mfcc", 20)
    fused = dsp.mfcc(y=y, sr=16000, n_mfcc=n_mfcc, **kw)
    two_step = dsp.mfcc(S=dsp.power_to_db(dsp.melspectrogram(y=y, sr=16000, **kw)), n_mfcc=n_mfcc)
    np.testing.assert_array_equal(fused, two_step)
    log_mel = dsp.power_to_db(dsp.melspectrogram(y=y, sr=16000, **kw))
    assert (log_mel <= log_mel.max() - 80.0 + 1e-3).any()  # the case covers the floor
