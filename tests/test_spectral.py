"""dsp.frame, dsp.stft and dsp.istft against librosa 0.11, plus properties and every error path.

float32 results are compared with librosa run on the same samples cast to float64 (see
tests/tolerances.py): librosa's own float32 STFT multiplies by a float64 window and runs its FFT in
float64, so its float32 output differs from the exact values by its final rounding only; the
float64 reference isolates our own rounding. One test also checks librosa's float32 output directly.
"""
import warnings

import librosa
import numpy as np
import pytest
import scipy.signal

import dsp
from dsp import DSPError
from tests import naive
from tests.conftest import load_recording
from tests.tolerances import assert_close, peak_relative_error

CDT = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}
HOPS = {"quarter": lambda n: n // 4, "half": lambda n: n // 2, "160": lambda n: 160}


def ref_stft(y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return librosa.stft(np.asarray(y, dtype=np.float64), **kw)


def our_stft(y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dsp.stft(y, **kw)


def check_stft(y, dtype, what="", **kw):
    y = np.asarray(y, dtype=dtype)
    ours = our_stft(y, **kw)
    ref = ref_stft(y, **kw)
    assert ours.dtype == CDT[np.dtype(dtype)], what
    assert_close(ours, ref, dtype, what=f"stft {what} {kw}")
    return ours


def speech(seconds=2.0, dtype=np.float64):
    y, sr = load_recording("speech", dtype)
    return y[: int(seconds * sr)]


# ---------------------------------------------------------------------------------------------
# stft parity


# every size of the grid, two odd sizes (1023 = 3 * 11 * 31 and the prime 257) and two
# more of Bluestein's convolution, run in lanes (254 = 2 * 127; 509, whose convolution is 1024)
@pytest.mark.parametrize("n_fft", [256, 400, 512, 1000, 1024, 2048, 4096, 1023, 257, 254, 509])
@pytest.mark.parametrize("hop", list(HOPS))
def test_stft_sizes_and_hops_on_speech(n_fft, hop, dtype):
    check_stft(speech(1.5), dtype, n_fft=n_fft, hop_length=HOPS[hop](n_fft))


@pytest.mark.parametrize("pad_mode", ["constant", "edge", "linear_ramp", "reflect", "symmetric"])
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("win_length", [None, 300])
def test_stft_padding_modes_stereo(pad_mode, center, win_length, dtype):
    y, _ = load_recording("stereo", dtype)
    check_stft(y[:, :11025], dtype, n_fft=512, hop_length=128, center=center, pad_mode=pad_mode,
               win_length=win_length)


@pytest.mark.parametrize("pad_mode", ["constant", "edge", "linear_ramp", "reflect", "symmetric"])
@pytest.mark.parametrize("n", [1, 2, 5, 16, 31, 64, 65, 200])
def test_stft_padding_short_signals(pad_mode, n, dtype):
    # signals shorter than the frame or than half of it: librosa pads the whole signal, and
    # np.pad mirrors periodically when the pad is longer than the signal
    y = np.random.default_rng(n).standard_normal((2, n))
    for n_fft, hop in [(64, 16), (63, 20), (128, 64)]:
        check_stft(y, dtype, n_fft=n_fft, hop_length=hop, pad_mode=pad_mode, what=f"n={n}")


@pytest.mark.parametrize("n_fft,hop,n", [(512, 256, 4096), (400, 200, 4000), (16, 8, 64), (2048, 1024, 10240)])
def test_stft_reflect_tail_quirk(n_fft, hop, n):
    # librosa 0.11 pads the tail from y[tail_k*hop - n_fft//2:], which here is n_fft//2 long:
    # the last frame's mirror then differs from padding the whole signal. We follow librosa.
    y = np.random.default_rng(n).standard_normal(n)
    ours = check_stft(y, np.float64, n_fft=n_fft, hop_length=hop, pad_mode="reflect")
    whole = np.pad(y, n_fft // 2, mode="reflect")
    frames = librosa.util.frame(whole, frame_length=n_fft, hop_length=hop)
    naive_whole = np.fft.rfft(frames * librosa.filters.get_window("hann", n_fft)[:, None], axis=0)
    assert peak_relative_error(ours, naive_whole) > 1e-9  # the quirk is really exercised


WINDOWS = ["hann", "hamming", "blackman", ("gaussian", 40.0), ("tukey", 0.25), "boxcar", "cosine",
           "bartlett", ("kaiser", 8.0)]


@pytest.mark.parametrize("window", WINDOWS, ids=str)
@pytest.mark.parametrize("win_length", [None, 333])
def test_stft_windows(window, win_length, dtype):
    # n_fft - win_length is odd: the window sits (n_fft - win_length) // 2 from the left
    check_stft(speech(0.5), dtype, n_fft=512, hop_length=160, window=window, win_length=win_length)


def test_stft_window_array_and_callable(dtype):
    y = speech(0.5)
    check_stft(y, dtype, n_fft=512, hop_length=128, win_length=400, window=np.hanning(400))
    check_stft(y, dtype, n_fft=512, hop_length=128, window=scipy.signal.windows.hamming)


@pytest.mark.parametrize("name,n_fft,hop", [("speech16k", 400, 160), ("chirp", 2048, 512),
                                            ("chord", 1024, 256), ("stereo", 2048, 512)])
def test_stft_recordings(name, n_fft, hop, dtype):
    y, _ = load_recording(name, dtype)
    check_stft(y, dtype, n_fft=n_fft, hop_length=hop)
    check_stft(y, dtype, n_fft=n_fft, hop_length=hop, center=False)


def test_stft_defaults_and_synthetic(dtype):
    t = np.arange(30000) / 22050
    y = np.sin(2 * np.pi * 440 * t) + 0.5 * np.sign(np.sin(2 * np.pi * 3 * t)) + 1e-3 * t
    S = check_stft(y, dtype)  # n_fft 2048, hop 512, hann, centred, zero padding
    assert S.shape == (1025, 1 + 30000 // 512)
    check_stft(np.zeros(5000), dtype, n_fft=256)
    check_stft(np.ones(5000), dtype, n_fft=256, pad_mode="edge")


def test_stft_float32_against_librosa_float32_output():
    y, _ = load_recording("speech", np.float32)
    ours = dsp.stft(y)
    ref = librosa.stft(y)
    assert ref.dtype == ours.dtype == np.complex64
    assert_close(ours, ref, np.float32, what="stft vs librosa's own float32 output")


def test_stft_empty_mode_is_zero_padding():
    y = np.random.default_rng(0).standard_normal(300)
    a = dsp.stft(y, n_fft=128, hop_length=32, pad_mode="empty")
    np.testing.assert_array_equal(a, dsp.stft(y, n_fft=128, hop_length=32, pad_mode="constant"))
    assert_close(a, naive.naive_stft(y, 128, 32, "hann", 128, True), np.float64, what="naive stft")


def test_stft_naive_loop_reference():
    y = np.random.default_rng(1).standard_normal(100)
    for n_fft, hop, win_length, center in [(32, 8, 32, True), (31, 5, 20, True), (16, 3, 9, False)]:
        ours = dsp.stft(y, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center)
        ref = naive.naive_stft(y, n_fft, hop, "hann", win_length, center)
        assert_close(ours, ref, np.float64, what=f"naive stft n_fft={n_fft}")


# ---------------------------------------------------------------------------------------------
# stft: layout, multichannel, dtype, out, odd inputs


def test_stft_multichannel_equals_per_channel(dtype):
    y = np.random.default_rng(0).standard_normal((2, 3, 5000)).astype(dtype)
    S = dsp.stft(y, n_fft=512, hop_length=100, pad_mode="reflect")
    assert S.shape == (2, 3, 257, 1 + 5000 // 100)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(S[i, j], dsp.stft(y[i, j], n_fft=512, hop_length=100, pad_mode="reflect"))


def test_stft_layout_matches_librosa():
    y = speech(0.5)
    S = dsp.stft(y, n_fft=512)
    # one channel: Fortran order (each frame's spectrum contiguous), like librosa
    assert S.flags.f_contiguous and librosa.stft(y, n_fft=512).flags.f_contiguous


def test_stft_dtype_parameter():
    y = speech(0.5, np.float32)
    S = dsp.stft(y, n_fft=512, dtype=np.complex128)
    assert S.dtype == np.complex128
    assert_close(S, ref_stft(y, n_fft=512), np.float64, what="float32 input, complex128 output")
    S = dsp.stft(y.astype(np.float64), n_fft=512, dtype=np.complex64)
    assert S.dtype == np.complex64
    assert_close(S, ref_stft(y, n_fft=512), np.float32, what="float64 input, complex64 output")


def test_stft_out_parameter(dtype):
    y = np.random.default_rng(0).standard_normal((2, 4000)).astype(dtype)
    ref = dsp.stft(y, n_fft=256, hop_length=64)
    n_frames = ref.shape[-1]
    # librosa's own layout (Fortran order), mono: written in place
    out = np.zeros((129, n_frames), dtype=CDT[dtype], order="F")
    res = dsp.stft(y[0], n_fft=256, hop_length=64, out=out)
    assert res is out
    np.testing.assert_array_equal(out, ref[0])
    # more frames than needed: the first n_frames are used and returned, the rest untouched
    big = np.full((2, 129, n_frames + 3), 7 + 0j, dtype=np.complex128)
    res = dsp.stft(y, n_fft=256, hop_length=64, out=big)
    assert res.shape == ref.shape and np.shares_memory(res, big)
    assert_close(res, ref, dtype)
    assert np.all(big[..., n_frames:] == 7)


def test_stft_readonly_and_noncontiguous_input():
    y = np.random.default_rng(0).standard_normal((4000, 2))  # channels last, so y.T is strided
    y.flags.writeable = False
    S = dsp.stft(y.T, n_fft=256)
    assert_close(S, ref_stft(np.ascontiguousarray(y.T), n_fft=256), np.float64)
    assert_close(dsp.stft(y[::2, 0], n_fft=256), ref_stft(y[::2, 0], n_fft=256), np.float64)


def test_stft_warns_when_n_fft_exceeds_signal():
    with pytest.warns(UserWarning, match="n_fft=2048 is too large"):
        dsp.stft(np.ones(1000))


# ---------------------------------------------------------------------------------------------
# stft errors


@pytest.mark.parametrize("kw,match", [
    (dict(n_fft=1), r"n_fft=1 is too small: need n_fft >= 2"),
    (dict(n_fft=256.0), r"n_fft=256.0 must be an integer"),
    (dict(hop_length=0), r"hop_length=0 is too small"),
    (dict(n_fft=8, win_length=3), r"hop_length defaults to win_length // 4 = 0"),
    (dict(n_fft=256, win_length=300), r"win_length=300 is larger than n_fft=256"),
    (dict(win_length=0), r"win_length=0 is too small"),
    (dict(pad_mode="wrap"), r"pad_mode='wrap' is not supported: it depends on the whole signal"),
    (dict(pad_mode="mean"), r"pad_mode='mean' is not supported"),
    (dict(pad_mode="bogus"), r"pad_mode='bogus' is not supported: use one of 'constant'"),
    (dict(pad_mode=np.pad), r"pad_mode=.* is not supported"),
    (dict(center="yes"), r"center='yes' must be True or False"),
    (dict(dtype=np.float32), r"dtype=float32 is not supported: use complex64 or complex128"),
    (dict(window="nope"), r"nope"),
    (dict(window=np.ones(5)), r"length"),
])
def test_stft_parameter_errors(kw, match):
    with pytest.raises(DSPError, match=match):
        dsp.stft(np.zeros(4096), **kw)


def test_stft_signal_errors():
    with pytest.raises(DSPError, match=r"n_fft=2048 is too large for center=False analysis of a signal of length 1000"):
        dsp.stft(np.zeros(1000), center=False)
    with pytest.raises(DSPError, match="integer dtype"):
        dsp.stft(np.zeros(4096, dtype=np.int16))
    with pytest.raises(DSPError, match="complex"):
        dsp.stft(np.zeros(4096, dtype=np.complex64))
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.stft(np.array([0.0, np.nan] * 2048))
    with pytest.raises(DSPError, match="0 samples"):
        dsp.stft(np.zeros((2, 0)))
    with pytest.raises(DSPError, match="0 dimension"):
        dsp.stft(np.float64(1.0))


def test_stft_out_errors():
    y = np.zeros(4096)
    with pytest.raises(DSPError, match=r"out has dtype float64: need complex64 or complex128"):
        dsp.stft(y, out=np.zeros((1025, 9)))
    with pytest.raises(DSPError, match=r"does not fit the result shape \(1025, 9\)"):
        dsp.stft(y, out=np.zeros((1025, 8), dtype=np.complex64))
    with pytest.raises(DSPError, match=r"does not fit"):
        dsp.stft(y, out=np.zeros((2, 1025, 9), dtype=np.complex64))


# ---------------------------------------------------------------------------------------------
# istft


def ref_istft(S, **kw):
    return librosa.istft(np.asarray(S, dtype=np.complex128), **kw)


def check_istft(S, dtype, what="", **kw):
    S = np.asarray(S, dtype=CDT[np.dtype(dtype)])
    ours = dsp.istft(S, **kw)
    ref = ref_istft(S, **kw)
    assert ours.dtype == dtype, what
    assert_close(ours, ref, dtype, what=f"istft {what} {kw}")
    # the other memory layout takes the other read path (frame-major as librosa returns it,
    # or bin-major C order as torch.stft and NumPy code return it): the same numbers
    other = np.ascontiguousarray(S) if not S.flags.c_contiguous else np.asfortranarray(S)
    np.testing.assert_array_equal(dsp.istft(other, **kw), ours)
    return ours


@pytest.mark.parametrize("n_fft", [256, 400, 1000, 2048, 4096, 1023, 1009])  # 1009: Bluestein
@pytest.mark.parametrize("hop", list(HOPS))
def test_istft_sizes_and_hops_on_speech(n_fft, hop, dtype):
    y = speech(1.0)
    h = HOPS[hop](n_fft)
    S = ref_stft(y, n_fft=n_fft, hop_length=h)
    check_istft(S, dtype, n_fft=n_fft, hop_length=h)
    check_istft(S, dtype, n_fft=n_fft, hop_length=h, length=len(y))


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("length", [None, "short", "exact", "long", 1])
@pytest.mark.parametrize("win_length,window", [(None, "hann"), (300, "hamming"), (None, ("tukey", 0.5))])
def test_istft_lengths_windows_centre(center, length, win_length, window, dtype):
    # an arbitrary complex matrix (not the STFT of a signal) exercises the arithmetic alone
    rng = np.random.default_rng(7)
    S = rng.standard_normal((2, 257, 40)) + 1j * rng.standard_normal((2, 257, 40))
    n = 128 * 39 + (0 if center else 512)
    L = {None: None, "short": n - 300, "exact": n, "long": n + 700, 1: 1}[length]
    check_istft(S, dtype, hop_length=128, center=center, length=L, win_length=win_length, window=window)


@pytest.mark.parametrize("n_freq", [100, 129, 200])
def test_istft_n_fft_crops_or_extends_spectra(n_freq, dtype):
    rng = np.random.default_rng(n_freq)
    S = rng.standard_normal((n_freq, 30)) + 1j * rng.standard_normal((n_freq, 30))
    check_istft(S, dtype, n_fft=256, hop_length=64)
    check_istft(S, dtype, n_fft=255, hop_length=64)


def test_istft_few_frames(dtype):
    rng = np.random.default_rng(3)
    for T in (1, 2, 3):
        S = rng.standard_normal((257, T)) + 1j * rng.standard_normal((257, T))
        for center in (True, False):
            check_istft(S, dtype, hop_length=128, center=center, what=f"T={T}")


@pytest.mark.parametrize("name,n_fft,hop,window", [
    ("speech", 2048, 512, "hann"), ("speech16k", 400, 160, "hann"), ("chord", 1024, 256, "hamming"),
    ("stereo", 512, 128, ("tukey", 0.5)), ("chirp", 1023, 300, "blackman"),
])
def test_round_trip_recordings(name, n_fft, hop, window, dtype):
    y, _ = load_recording(name, dtype)
    S = dsp.stft(y, n_fft=n_fft, hop_length=hop, window=window)
    y_hat = dsp.istft(S, n_fft=n_fft, hop_length=hop, window=window, length=y.shape[-1])
    assert y_hat.dtype == dtype and y_hat.shape == y.shape
    assert_close(y_hat, y, dtype, what=f"round trip {name}")
    check_istft(S, dtype, n_fft=n_fft, hop_length=hop, window=window, length=y.shape[-1])


def test_round_trip_uncentred_interior(dtype):
    # without centring, the first and last samples see only the window's tails
    y = speech(1.0, dtype)
    S = dsp.stft(y, n_fft=1024, hop_length=256, center=False)
    y_hat = dsp.istft(S, hop_length=256, center=False, length=len(y))
    assert_close(y_hat[1024:-2048], y[1024:-2048], dtype, what="uncentred round trip")


@pytest.mark.parametrize("n_fft, hop", [(2048, 512), (1024, 256), (1000, 250), (512, 384)])
def test_istft_float32_small_envelope_blocks_match_float64(n_fft, hop):
    # uncentred ends (and hops over half the window) have a small window envelope, whose
    # division magnifies float32 rounding: those blocks are inverted in float64 by a second
    # kernel call, so the whole float32 output stays within float32's tolerance of librosa's
    # float64 inverse (all in float32, these cases measured 3e-4 to 4e-3)
    y = np.random.default_rng(3).standard_normal((2, 20000)).astype(np.float32)
    S = librosa.stft(y, n_fft=n_fft, hop_length=hop, center=False)
    ours = dsp.istft(S, n_fft=n_fft, hop_length=hop, center=False)
    ref = librosa.istft(S.astype(np.complex128), n_fft=n_fft, hop_length=hop, center=False)
    assert ours.dtype == np.float32
    assert_close(ours, ref, np.float32, what=f"istft n_fft={n_fft} hop={hop} uncentred")


def test_istft_uncentred_large_frames_against_the_signal():
    # center=False, n_fft=4096: the last output sample sees only the window's tail, where the
    # sum-square is 3.5e-13, so any float64 rounding is magnified ~1e6 times, librosa's as much
    # as ours (librosa's own value there is 4.7e-11 off the true sample). The fair reference is
    # the signal itself: we must be as close to it as librosa is.
    y = speech(1.5)
    for n_fft, hop in [(4096, 1024), (4096, 160), (2048, 512)]:
        S = librosa.stft(y, n_fft=n_fft, hop_length=hop, center=False)
        ours = dsp.istft(S, n_fft=n_fft, hop_length=hop, center=False)
        ref = librosa.istft(S, n_fft=n_fft, hop_length=hop, center=False)
        truth = y[: ours.shape[-1]]
        # sample 0 meets only the window's zero: unrecoverable by either (both leave 0 there)
        assert ours[0] == ref[0] == 0
        ours_err, ref_err = np.max(np.abs(ours - truth)[1:]), np.max(np.abs(ref - truth)[1:])
        assert ours_err <= max(2 * ref_err, 1e-12 * np.max(np.abs(truth))), (n_fft, hop, ours_err, ref_err)


def test_results_do_not_depend_on_the_thread_count(dtype):
    """The kernels split work by the thread count (tasks, blocks of W frames per task); every
    frame and output sample is computed the same way whatever the split: bit-identical."""
    import numba

    y = speech(3.0).astype(dtype)
    stereo = np.stack([y, y[::-1]])
    S = dsp.stft(stereo, n_fft=1024, hop_length=256)
    calls = {
        "stft": lambda: dsp.stft(stereo, n_fft=1024, hop_length=256),
        "istft": lambda: dsp.istft(S, hop_length=256),
        "istft bin-major": lambda: dsp.istft(np.ascontiguousarray(S), hop_length=256),
        "melspectrogram": lambda: dsp.melspectrogram(y=stereo, n_fft=1024, hop_length=256),
    }
    many = {name: f() for name, f in calls.items()}
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        for name, f in calls.items():
            np.testing.assert_array_equal(f(), many[name], err_msg=name)
    finally:
        numba.set_num_threads(before)


def test_istft_multichannel_out_dtype(dtype):
    rng = np.random.default_rng(5)
    S = (rng.standard_normal((2, 3, 129, 20)) + 1j * rng.standard_normal((2, 3, 129, 20))).astype(CDT[dtype])
    y = dsp.istft(S, hop_length=64)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(y[i, j], dsp.istft(S[i, j], hop_length=64))
    out = np.full(y.shape, 3.0, dtype=dtype)
    assert dsp.istft(S, hop_length=64, out=out) is out
    np.testing.assert_array_equal(out, y)
    other = np.float64 if dtype == np.float32 else np.float32
    y2 = dsp.istft(S, hop_length=64, dtype=other)
    assert y2.dtype == other
    assert_close(y2, ref_istft(S, hop_length=64), np.float32)
    # C-ordered (frequency-major) input works as well as the STFT's own layout
    assert_close(dsp.istft(np.ascontiguousarray(S), hop_length=64), y, dtype)


def test_istft_real_input_is_treated_as_complex():
    S = np.random.default_rng(0).standard_normal((129, 10))
    assert_close(dsp.istft(S, hop_length=64), ref_istft(S.astype(complex), hop_length=64), np.float64)


def test_istft_naive_overlap_add():
    rng = np.random.default_rng(11)
    S = rng.standard_normal((17, 9)) + 1j * rng.standard_normal((17, 9))
    for center, length in [(True, None), (False, None), (True, 50)]:
        ours = dsp.istft(S, hop_length=8, center=center, length=length)
        ref = naive.naive_istft(S, 32, 8, "hann", center, length)
        assert_close(ours, ref, np.float64, what=f"naive istft center={center}")


@pytest.mark.parametrize("kw,match", [
    (dict(hop_length=0), r"hop_length=0 is too small"),
    (dict(win_length=5000), r"win_length=5000 is larger than n_fft=2048"),
    (dict(n_fft=1), r"n_fft=1 is too small"),
    (dict(length=0), r"length=0 is too small"),
    (dict(length=10.5), r"length=10.5 must be an integer"),
    (dict(center=1), r"center=1 must be True or False"),
    (dict(dtype=np.complex64), r"dtype=complex64 is not supported: use float32 or float64"),
    (dict(out=np.zeros(10)), r"out.shape=\(10,\) != the result shape"),
    (dict(out=np.zeros(2048 + 512 * 3 - 2048, dtype=np.complex64)), r"out has dtype complex64"),
])
def test_istft_parameter_errors(kw, match):
    S = np.ones((1025, 4), dtype=np.complex64)
    with pytest.raises(DSPError, match=match):
        dsp.istft(S, **kw)


def test_istft_matrix_errors():
    with pytest.raises(DSPError, match="at least 2"):
        dsp.istft(np.ones(10, dtype=complex))
    with pytest.raises(DSPError, match=r"1 frequency bin\(s\).*pass n_fft"):
        dsp.istft(np.ones((1, 10), dtype=complex))
    with pytest.raises(DSPError, match="0 frames"):
        dsp.istft(np.ones((129, 0), dtype=complex))
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.istft(np.full((129, 4), np.nan, dtype=complex))
    with pytest.raises(DSPError, match="integer dtype"):
        dsp.istft(np.ones((129, 4), dtype=int))


# ---------------------------------------------------------------------------------------------
# frame


@pytest.mark.parametrize("shape,axis", [((50,), -1), ((50,), 0), ((3, 50), -1), ((50, 3), 0),
                                        ((2, 50, 3), 1), ((2, 50, 3), -2)])
@pytest.mark.parametrize("frame_length,hop", [(8, 3), (50, 1), (1, 7)])
def test_frame_matches_librosa(shape, axis, frame_length, hop):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    ours = dsp.frame(x, frame_length=frame_length, hop_length=hop, axis=axis)
    ref = librosa.util.frame(x, frame_length=frame_length, hop_length=hop, axis=axis)
    assert ours.shape == ref.shape and np.shares_memory(ours, x)
    np.testing.assert_array_equal(ours, ref)
    assert not ours.flags.writeable


def test_frame_writeable_and_any_dtype():
    x = np.arange(10)
    f = dsp.frame(x, frame_length=4, hop_length=2, writeable=True)
    f[0, 0] = -1
    assert x[0] == -1
    np.testing.assert_array_equal(dsp.frame([1, 2, 3], frame_length=2, hop_length=1), [[1, 2], [2, 3]])


def test_frame_errors():
    with pytest.raises(DSPError, match=r"x is too short \(n=5 along axis=-1\) for frame_length=6"):
        dsp.frame(np.zeros(5), frame_length=6, hop_length=1)
    with pytest.raises(DSPError, match=r"hop_length=0 is too small"):
        dsp.frame(np.zeros(5), frame_length=2, hop_length=0)
    with pytest.raises(DSPError, match=r"frame_length=0 is too small"):
        dsp.frame(np.zeros(5), frame_length=0, hop_length=1)
    with pytest.raises(DSPError, match=r"axis=2 is out of range"):
        dsp.frame(np.zeros((5, 5)), frame_length=2, hop_length=1, axis=2)
    with pytest.raises(DSPError, match="scalar"):
        dsp.frame(np.float64(1), frame_length=1, hop_length=1)
    ro = np.zeros(8)
    ro.flags.writeable = False
    with pytest.raises(DSPError, match="writeable=True needs a writeable x"):
        dsp.frame(ro, frame_length=2, hop_length=1, writeable=True)
