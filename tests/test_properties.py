"""Hypothesis property tests for the public functions of dsp and pyramids (issue 15).

Shapes, dtypes, finiteness, parity with the reference (NumPy, SciPy, librosa, PyWavelets) and
round trips, over generated parameters. The example budget is the "ci" profile of
tests/conftest.py (``CI_EXAMPLES`` per test) in ``make test``; ``HYPOTHESIS_PROFILE=fuzz`` runs the
same properties with 1000 examples each, and ``pytest -m fuzz`` adds the larger memory-safety
fuzz of tests/test_memory_safety.py.
"""
import librosa
import numpy as np
import pytest
import pywt
import scipy.fft
import scipy.signal
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import dsp
import pyramids
from tests.tolerances import RTOL, assert_close

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                          HealthCheck.data_too_large])

dtypes = st.sampled_from([np.float32, np.float64])
seeds = st.integers(0, 2**16)


def _signal(seed, shape, dtype):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _cdt(dtype):
    return np.complex64 if np.dtype(dtype) == np.float32 else np.complex128


# --- Fourier -------------------------------------------------------------------------------------

@SETTINGS
@given(st.integers(1, 600), st.sampled_from([None, 1, 7, 64, 300, 1001]), dtypes, seeds)
def test_fft_family_matches_numpy(n, n_arg, dtype, seed):
    x = _signal(seed, (2, n), dtype)
    z = (x + 1j * _signal(seed + 1, (2, n), dtype)).astype(_cdt(dtype))
    for ours, ref, a in ((dsp.fft, np.fft.fft, z), (dsp.ifft, np.fft.ifft, z), (dsp.rfft, np.fft.rfft, x)):
        out = ours(a, n=n_arg)
        assert out.dtype == _cdt(dtype)
        assert_close(out, ref(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64), n=n_arg),
                     dtype, what=ours.__name__)
    if n >= 2 or n_arg:
        out = dsp.irfft(z, n=n_arg)
        assert out.dtype == dtype
        assert_close(out, np.fft.irfft(z.astype(np.complex128), n=n_arg), dtype, what="irfft")


@SETTINGS
@given(st.integers(1, 64), dtypes, seeds)
def test_dft_matches_numpy_and_inverts(n, dtype, seed):
    x = _signal(seed, (3, n), dtype)
    X = dsp.dft(x)
    assert X.shape == x.shape and X.dtype == _cdt(dtype)
    # O(n^2) sums in the input's precision: n values per output
    assert_close(X, np.fft.fft(x.astype(np.float64)), dtype, rtol=RTOL[np.dtype(dtype)] * max(1, n / 8))
    assert_close(dsp.idft(X).real, x, dtype, rtol=RTOL[np.dtype(dtype)] * max(1, n / 8))


@SETTINGS
@given(st.integers(1, 4096), st.floats(1.0, 2e5))
def test_fft_frequencies_match_librosa(n_fft, sr):
    np.testing.assert_array_equal(dsp.fft_frequencies(sr=sr, n_fft=n_fft),
                                  librosa.fft_frequencies(sr=sr, n_fft=n_fft))


# --- windows, STFT -------------------------------------------------------------------------------

WINDOWS = ["hann", "hamming", "blackman", "boxcar", "triang", "bartlett", "cosine", ("kaiser", 8.0),
           ("gaussian", 5.0), ("tukey", 0.3), "nuttall", "blackmanharris", "flattop", "bohman",
           "parzen", ("chebwin", 80.0), "taylor", ("general_gaussian", 1.5, 7.0)]


@SETTINGS
@given(st.sampled_from(WINDOWS), st.integers(1, 300), st.booleans())
def test_get_window_matches_scipy(window, n, fftbins):
    w = dsp.get_window(window, n, fftbins=fftbins)
    ref = scipy.signal.get_window(window, n, fftbins=fftbins)
    assert w.shape == (n,) and w.dtype == np.float64 and np.isfinite(w).all()
    assert_close(w, ref, np.float64, rtol=1e-12)


@st.composite
def stft_args(draw):
    n_fft = draw(st.integers(2, 300))
    win_length = draw(st.one_of(st.none(), st.integers(1, n_fft)))
    hop = draw(st.integers(1, n_fft))
    center = draw(st.booleans())
    n = draw(st.integers(1 if center else n_fft, 4 * n_fft + 40))
    pad_mode = draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "linear_ramp"]))
    assume(not (center and pad_mode in ("reflect", "symmetric") and n < 2))
    return dict(n_fft=n_fft, win_length=win_length, hop_length=hop, center=center,
                pad_mode=pad_mode), n


@SETTINGS
@given(stft_args(), st.sampled_from([(), (2,)]), seeds)
def test_stft_matches_librosa(args, lead, seed):
    kw, n = args
    y = _signal(seed, lead + (n,), np.float64)
    try:
        ref = librosa.stft(y, **kw)
    except (ValueError, librosa.util.exceptions.ParameterError):
        return  # librosa refuses (reflect padding longer than the signal): not a parity case
    S = dsp.stft(y, **kw)
    assert S.shape == ref.shape and S.dtype == np.complex128
    assert_close(S, ref, np.float64, what=f"stft {kw}")
    S32 = dsp.stft(y.astype(np.float32), **kw)
    assert S32.dtype == np.complex64 and np.isfinite(S32).all()


@SETTINGS
@given(st.integers(16, 512), st.integers(2, 8), st.booleans(), dtypes, seeds)
def test_istft_inverts_stft(n_fft, hop_div, center, dtype, seed):
    hop = max(1, n_fft // (2 * hop_div))  # hann satisfies NOLA for hop <= n_fft / 2... with margin
    y = _signal(seed, (3 * n_fft + 17,), dtype)
    S = dsp.stft(y, n_fft=n_fft, hop_length=hop, center=center)
    y_hat = dsp.istft(S, n_fft=n_fft, hop_length=hop, center=center, length=y.shape[-1])
    assert y_hat.dtype == dtype and y_hat.shape == y.shape
    ref = librosa.istft(S.astype(np.complex128), n_fft=n_fft, hop_length=hop, center=center,
                        length=y.shape[-1])
    assert_close(y_hat, ref, dtype, what="istft")


@SETTINGS
@given(st.floats(1e-10, 1e3), st.floats(1e-10, 1.0), st.one_of(st.none(), st.floats(0.0, 200.0)), seeds)
def test_db_conversions_match_librosa(ref_value, amin, top_db, seed):
    S = np.abs(_signal(seed, (5, 7), np.float64))
    assert_close(dsp.power_to_db(S, ref=ref_value, amin=amin, top_db=top_db),
                 librosa.power_to_db(S, ref=ref_value, amin=amin, top_db=top_db), np.float64)
    assert_close(dsp.amplitude_to_db(S, ref=ref_value, amin=amin, top_db=top_db),
                 librosa.amplitude_to_db(S, ref=ref_value, amin=amin, top_db=top_db), np.float64)
    assert_close(dsp.db_to_power(S, ref=ref_value), librosa.db_to_power(S, ref=ref_value), np.float64)
    assert_close(dsp.db_to_amplitude(S, ref=ref_value), librosa.db_to_amplitude(S, ref=ref_value), np.float64)
    D = S * np.exp(1j * _signal(seed + 1, S.shape, np.float64))
    for ours, ref in zip(dsp.magphase(D), librosa.magphase(D)):
        assert_close(ours, ref, np.float64)


@SETTINGS
@given(st.integers(4, 40), st.integers(0, 2**20))
def test_frame_matches_librosa(frame_length, seed):
    x = np.arange(seed % 200 + frame_length)
    hop = seed % 7 + 1
    np.testing.assert_array_equal(dsp.frame(x, frame_length=frame_length, hop_length=hop),
                                  librosa.util.frame(x, frame_length=frame_length, hop_length=hop))


# --- mel, MFCC, DCT ------------------------------------------------------------------------------

@SETTINGS
@given(st.sampled_from([8000, 16000, 22050]), st.sampled_from([256, 512, 1024]),
       st.integers(1, 64), st.sampled_from([1.0, 2.0]), st.booleans(), seeds)
def test_melspectrogram_and_mfcc_match_librosa(sr, n_fft, n_mels, power, htk, seed):
    y = _signal(seed, (2 * n_fft + 100,), np.float64)
    kw = dict(sr=sr, n_fft=n_fft, hop_length=n_fft // 4, n_mels=n_mels, power=power, htk=htk)
    M = dsp.melspectrogram(y=y, **kw)
    ref = librosa.feature.melspectrogram(y=y, **kw)
    assert M.shape == ref.shape and M.dtype == np.float64
    assert_close(M, ref, np.float64, what=f"mel {kw}")
    n_mfcc = min(n_mels, 13)
    assert_close(dsp.mfcc(y=y, n_mfcc=n_mfcc, **kw), librosa.feature.mfcc(y=y, n_mfcc=n_mfcc, **kw),
                 np.float64, rtol=1e-8, what="mfcc (dB of small mel values: conditioning)")


@SETTINGS
@given(st.floats(0.0, 20000.0), st.booleans())
def test_mel_scale_matches_librosa(f, htk):
    assert np.isclose(dsp.hz_to_mel(f, htk=htk), librosa.hz_to_mel(f, htk=htk), rtol=1e-12)
    m = librosa.hz_to_mel(f, htk=htk)
    assert np.isclose(dsp.mel_to_hz(m, htk=htk), librosa.mel_to_hz(m, htk=htk), rtol=1e-12)


@SETTINGS
@given(st.sampled_from([1, 2, 3]), st.sampled_from([None, "ortho"]), st.integers(2, 200), dtypes, seeds)
def test_dct_matches_scipy(dct_type, norm, n, dtype, seed):
    x = _signal(seed, (3, n), dtype)
    assume(not (dct_type == 1 and n < 2))
    out = dsp.dct(x, type=dct_type, norm=norm)
    assert out.dtype == dtype
    assert_close(out, scipy.fft.dct(x.astype(np.float64), type=dct_type, norm=norm), dtype)
    assert_close(dsp.idct(out, type=dct_type, norm=norm),
                 scipy.fft.idct(out.astype(np.float64), type=dct_type, norm=norm), dtype)


# --- sampling, quantisation, resampling ----------------------------------------------------------

@SETTINGS
@given(st.integers(1, 300), st.sampled_from([1.0, 2.0, 8.0, 1024.0, 16384.0]), dtypes, seeds)
def test_sinc_interpolate_returns_the_samples_at_their_times(n, sr, dtype, seed):
    # (sr a power of two: (k / sr) * sr == k exactly, so the times are the samples' own)
    x = _signal(seed, (2, n), dtype)
    k = np.arange(0, n, max(1, n // 7))
    out = dsp.sinc_interpolate(x, sr, k / sr)
    assert out.shape == (2, k.size) and out.dtype == dtype
    np.testing.assert_array_equal(out, x[:, k])


@SETTINGS
@given(st.integers(2, 32), dtypes, seeds)
def test_pcm_round_trip_and_sqnr(bits, dtype, seed):
    y = np.clip(_signal(seed, (300,), dtype) * 0.3, -1.0, 0.99)
    if bits in (8, 16, 32):
        pcm = dsp.to_pcm(y, bits)
        back = dsp.from_pcm(pcm, dtype=dtype)
        assert np.abs(back - y).max() <= 2.0 ** (1 - bits)
    q = dsp.quantize_bits(y, bits)
    assert q.dtype == dtype and np.isfinite(dsp.sqnr(y, q))
    err = dsp.quantization_error(y, 2.0 ** (1 - bits))
    assert np.abs(err).max() <= 2.0 ** (1 - bits) / 2 * (1 + 1e-6)


@SETTINGS
@given(st.integers(1, 2000), st.sampled_from([8000, 11025, 16000, 22050, 44100, 12345.5]),
       st.sampled_from([8000, 16000, 22050, 48000, 7777.25]), dtypes, seeds)
def test_resample_shape_dtype_and_finiteness(n, orig_sr, target_sr, dtype, seed):
    y = _signal(seed, (2, n), dtype)
    out = dsp.resample(y, orig_sr=orig_sr, target_sr=target_sr)
    assert out.shape == (2, int(np.ceil(n * target_sr / orig_sr))) and out.dtype == dtype
    assert np.isfinite(out).all()


@SETTINGS
@given(st.floats(0.0, 1e6), st.floats(1.0, 1e5))
def test_alias_frequency_lies_in_the_baseband(f, sr):
    a = dsp.alias_frequency(f, sr)
    assert 0.0 <= a <= sr / 2 * (1 + 1e-12)
    assert dsp.nyquist_rate(f) == 2 * f


# --- wavelets ------------------------------------------------------------------------------------

WAVELETS = ["haar", "db2", "db4", "sym5", "coif2", "bior2.2", "rbio3.1", "dmey"]
MODES = ["zero", "constant", "symmetric", "periodic", "smooth", "periodization", "reflect",
         "antisymmetric", "antireflect"]


@SETTINGS
@given(st.sampled_from(WAVELETS), st.sampled_from(MODES), st.integers(2, 300), st.integers(0, 4), dtypes, seeds)
def test_wavedec_waverec_match_pywavelets(wavelet, mode, n, level, dtype, seed):
    x = _signal(seed, (2, n), dtype)
    top = pywt.dwt_max_level(n, pywt.Wavelet(wavelet).dec_len)
    level = min(level, top)
    ours = dsp.wavedec(x, wavelet, mode=mode, level=level)
    ref = pywt.wavedec(x.astype(np.float64), wavelet, mode=mode, level=level)
    assert [c.shape for c in ours] == [c.shape for c in ref]
    for a, b in zip(ours, ref):
        assert a.dtype == dtype
        assert_close(a, b, dtype)
    assert_close(dsp.waverec(ours, wavelet, mode=mode),
                 pywt.waverec(ref, wavelet, mode=mode), dtype)


@SETTINGS
@given(st.sampled_from(WAVELETS[:6]), st.integers(1, 3), st.integers(1, 6), dtypes, seeds)
def test_swt_iswt_match_pywavelets(wavelet, level, blocks, dtype, seed):
    n = blocks * 2**level
    x = _signal(seed, (n,), dtype)
    ours = dsp.swt(x, wavelet, level=level)
    ref = pywt.swt(x.astype(np.float64), wavelet, level=level)
    for (a, d), (ra, rd) in zip(ours, ref):
        assert_close(a, ra, dtype)
        assert_close(d, rd, dtype)
    assert_close(dsp.iswt(ours, wavelet), x, dtype)


# --- pyramids ------------------------------------------------------------------------------------

@SETTINGS
@given(st.integers(2048, 8000), st.sampled_from([256, 512]), seeds)
def test_audio_pyramid_mel_levels(n, n_fft, seed):
    y = _signal(seed, (n,), np.float32)
    p = pyramids.AudioPyramid.mel(y, 16000, n_mels=(64, 32), n_fft=n_fft, hop_length=n_fft // 4)
    assert len(p) == 2 and p[0].shape[1] == 64 and p[1].shape[1] == 32
    assert all(np.isfinite(p[i]).all() for i in range(len(p)))


@SETTINGS
@given(st.integers(8, 64), st.integers(8, 64), st.integers(1, 3), seeds)
def test_image_pyramid_gaussian_levels(h, w, levels, seed):
    img = np.random.default_rng(seed).random((h, w))
    p = pyramids.ImagePyramid.gaussian(img, levels)
    assert p[0].shape == (h, w)
    assert all(np.isfinite(p[i]).all() for i in range(len(p)))


_meta = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**31, 2**31), st.floats(allow_nan=False),
              st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children, children),
                               st.dictionaries(st.text(max_size=5), children, max_size=3)),
    max_leaves=10)


@SETTINGS
@given(_meta)
def test_pyramid_save_load_round_trip(tmp_path_factory, meta):
    data = np.arange(6.0).reshape(3, 2)
    ext = np.stack([np.arange(3.0), np.arange(3.0) + 1], axis=1)
    p = pyramids.Pyramid([pyramids.Level(data, "l0", ext, "seconds")], "audio", {"m": meta})
    path = tmp_path_factory.mktemp("p") / "p.npz"
    p.save(path)
    q = pyramids.Pyramid.load(path)
    assert q.meta == p.meta
    np.testing.assert_array_equal(q[0], p[0])
