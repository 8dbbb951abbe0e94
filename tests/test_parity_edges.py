"""The three parity edge cases of the issue-15 audit (float32), each investigated.

1. ``melspectrogram`` of a 1-sample signal (sr 8000, n_fft 256, hop 1, n_mels 1, power 1, reflect
   padding) was 1.4e-5 from librosa's float64 result, above the float32 tolerance 1e-5. Cause:
   conditioning, not a defect. Reflect padding of one sample makes every frame a constant, whose
   windowed spectrum sits in bins 0 and 1; the one slaney mel band weighs bin 0 by zero and bin 1
   by a small weight, so the band's value is about 1e-5 of the spectrum's peak. Our FFT's float32
   rounding (within 1e-8 of the peak per bin, well inside the STFT tolerance) is summed over the
   band's 127 bins and lands on that small value. The bound that holds is relative to what the
   band projects: ``|M - M_ref| <= RTOL32 * sum_k fb[m, k] * max|S|**power`` (docs/mel.md).
2. ``istft`` at n_fft 70, hop 1, center False (1.3e-5): not reproduced on the current kernel
   (300 generated STFTs of that geometry: at most 1.4e-7); blocks whose window envelope is small
   (the ends, here) are inverted in float64 since the blocked inverse. Kept as a property below.
3. A batched ``(2, 2, N)`` input whose channel differed from the channel computed alone: not
   reproduced (stft, istft of both layouts, melspectrogram from y and S, mfcc, resample, dwt,
   wavedec, swt, sinc_interpolate, quantize, rfft, dct over 70 generated geometries). The
   property is kept below for the kernels that split work across channels and blocks.
"""
import librosa
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import dsp
from tests.tolerances import RTOL, assert_close

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
R32 = RTOL[np.dtype(np.float32)]


def _mel_bound_error(y, **kw):
    """``max |ours - ref| / bound`` with the documented per-band bound."""
    ours = dsp.melspectrogram(y=y, **kw)
    ref = librosa.feature.melspectrogram(y=y.astype(np.float64), **kw)
    S = np.abs(librosa.stft(y.astype(np.float64), n_fft=kw["n_fft"], hop_length=kw["hop_length"],
                            pad_mode=kw.get("pad_mode", "constant")))
    fb = librosa.filters.mel(sr=kw["sr"], n_fft=kw["n_fft"], n_mels=kw["n_mels"])
    bound = R32 * fb.sum(axis=1)[:, None] * S.max() ** kw["power"]
    return float((np.abs(ours - ref) / bound).max())


def test_mel_of_a_one_sample_signal_meets_the_documented_bound():
    kw = dict(sr=8000, n_fft=256, hop_length=1, n_mels=1, power=1.0, pad_mode="reflect")
    y = np.array([0.3], np.float32)
    with pytest.warns(UserWarning):
        ratio = _mel_bound_error(y, **kw)
    assert ratio <= 1.0
    # the peak-relative error is indeed above the plain tolerance: the regime is real
    with pytest.warns(UserWarning):
        ours = dsp.melspectrogram(y=y, **kw)
        ref = librosa.feature.melspectrogram(y=y.astype(np.float64), **kw)
    assert np.abs(ours - ref).max() / np.abs(ref).max() > R32


@SETTINGS
@given(st.integers(1, 600), st.sampled_from([64, 256, 257]), st.integers(1, 64), st.integers(1, 16),
       st.sampled_from([1.0, 2.0]), st.sampled_from(["constant", "reflect"]), st.integers(0, 2**16))
def test_mel_float32_within_the_per_band_bound(n, n_fft, hop, n_mels, power, pad_mode, seed):
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    if pad_mode == "reflect" and n < 2:
        pad_mode = "constant"
    kw = dict(sr=8000, n_fft=n_fft, hop_length=hop, n_mels=n_mels, power=power, pad_mode=pad_mode)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _mel_bound_error(y, **kw) <= 1.0


@SETTINGS
@given(st.integers(70, 400), st.one_of(st.none(), st.integers(1, 70)), st.integers(0, 2**16))
def test_istft_n_fft_70_hop_1_uncentred(n, win_length, seed):
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    kw = dict(n_fft=70, hop_length=1, center=False, win_length=win_length)
    S = librosa.stft(y, **kw)
    assert_close(dsp.istft(S, **kw), librosa.istft(S.astype(np.complex128), **kw), np.float32)


@SETTINGS
@given(st.integers(50, 3000), st.integers(2, 600), st.integers(1, 600), st.booleans(),
       st.sampled_from([np.float32, np.float64]), st.integers(0, 2**16))
def test_a_channel_of_a_batch_equals_the_channel_alone(n, n_fft, hop, center, dtype, seed):
    hop = min(hop, n_fft)
    if not center and n < n_fft:
        n = n_fft
    y = np.random.default_rng(seed).standard_normal((2, 2, n)).astype(dtype)
    calls = {
        "stft": lambda a: dsp.stft(a, n_fft=n_fft, hop_length=hop, center=center),
        "melspectrogram": lambda a: dsp.melspectrogram(y=a, sr=8000, n_fft=n_fft, hop_length=hop,
                                                       center=center, n_mels=8),
        "resample": lambda a: dsp.resample(a, orig_sr=8000, target_sr=11025),
    }
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, f in calls.items():
            full = f(y)
            for i in range(2):
                for j in range(2):
                    np.testing.assert_array_equal(full[i, j], f(y[i, j]), err_msg=name)
        S = dsp.stft(y, n_fft=n_fft, hop_length=hop, center=center)
        for S_ in (S, np.ascontiguousarray(S)):
            full = dsp.istft(S_, hop_length=hop, n_fft=n_fft, center=center)
            for i in range(2):
                for j in range(2):
                    np.testing.assert_array_equal(
                        full[i, j], dsp.istft(S_[i, j], hop_length=hop, n_fft=n_fft, center=center))
