"""AudioPyramid builders against librosa / PyWavelets on real recordings, loop references for the
temporal pooling, extents in seconds."""
import numpy as np
import pytest

import dsp
from naive import naive_cosine, naive_group_pool
from pyramids import AudioPyramid, Pyramid, PyramidError
from tolerances import assert_close

librosa = pytest.importorskip("librosa")
pywt = pytest.importorskip("pywt")


@pytest.fixture(scope="module")
def speech():
    from conftest import load_recording

    y, sr = load_recording("speech", np.float64)
    return y[: 2 * sr], sr  # 2 s keep the grid fast


@pytest.fixture(scope="module")
def stereo():
    from conftest import load_recording

    y, sr = load_recording("stereo", np.float64)
    return y[:, : sr], sr


# -- mel ---------------------------------------------------------------------------------------

def test_mel_levels_match_librosa(speech, dtype):
    y, sr = speech
    y = y.astype(dtype)
    p = AudioPyramid.mel(y, sr, n_mels=(128, 64, 16), n_fft=1024, hop_length=256)
    assert p.names == ("mel128", "mel64", "mel16")
    for lv, m in zip(p, (128, 64, 16)):
        ref = librosa.feature.melspectrogram(y=y.astype(np.float64), sr=sr, n_fft=1024, hop_length=256, n_mels=m)
        assert lv.data.shape == ref.T.shape
        assert lv.data.dtype == dtype
        assert_close(lv.data, ref.T, dtype, what=lv.name)
        assert lv.meta == {"n_mels": m, "hz": (0.0, sr / 2)}


def test_mel_extents_are_frame_windows(speech):
    y, sr = speech
    p = AudioPyramid.mel(y, sr, n_mels=(40, 20), n_fft=2048, hop_length=512)
    ext = p.level(0).extents
    n = len(y)
    t = np.arange(ext.shape[0])
    np.testing.assert_allclose(ext[:, 0], np.clip(t * 512 - 1024, 0, n) / sr)
    np.testing.assert_allclose(ext[:, 1], np.clip(t * 512 + 1024, 0, n) / sr)
    np.testing.assert_array_equal(p.level(1).extents, ext)  # levels share their frames
    assert p.scales[0] == p.scales[1]
    assert p.units == "seconds" and p.meta["sr"] == sr


def test_mel_multichannel_equals_per_channel(stereo):
    y, sr = stereo
    p = AudioPyramid.mel(y, sr, n_mels=(64, 32))
    assert p.shapes[0][1:] == (2, 64)
    for c in range(2):
        q = AudioPyramid.mel(y[c], sr, n_mels=(64, 32))
        for k in range(2):
            np.testing.assert_allclose(p[k][:, c], q[k], rtol=1e-12, atol=0)


def test_channel_convention_stored_elements_first_accessor_channels_first(stereo, tmp_path):
    """Stored levels keep the elements first, (n, C, D) (wavelet bands (n, C)), through save and
    load; channel_data gives the channel-leading (C, n, D) view the signal and similarity use."""
    from pyramids import align

    y, sr = stereo
    y = y[:, : 2 * sr]
    p = AudioPyramid.temporal(y, sr, frame=0.025, window=0.25, clip=1.0)
    mono = AudioPyramid.temporal(y[1], sr, frame=0.025, window=0.25, clip=1.0)
    assert p.channels == (2,) and mono.channels == ()
    for i in range(len(p)):
        n, D = p.level(i).n_elements, mono[i].shape[-1]
        assert p[i].shape == (n, 2, D)  # stored: elements first (extents rows)
        v = p.channel_data(i)
        assert v.shape == (2, n, D) and np.shares_memory(v, p[i])
        np.testing.assert_array_equal(v[1], mono[i])  # channel 1 of the stereo = the mono pyramid
        assert mono.channel_data(i) is mono[i]
    q = np.asarray(p[1][2, 0])
    s = align.similarity(q, p, level=1)  # channel-leading scores, like channel_data
    for c in range(2):
        np.testing.assert_allclose(s[c], naive_cosine(q, p.channel_data(1)[c]), rtol=1e-5)
    p.save(tmp_path / "t.npz")
    back = Pyramid.load(tmp_path / "t.npz")
    assert back.channels == (2,) and back[0].shape == p[0].shape
    np.testing.assert_array_equal(back.channel_data(2), p.channel_data(2))
    w = AudioPyramid.wavelet(y, sr, "db4", levels=3)
    assert w.channels == (2,) and w[0].shape[1:] == (2,)
    np.testing.assert_array_equal(w.channel_data(0), np.moveaxis(w[0], 0, -1))
    with pytest.raises(PyramidError, match="i=7 is out of range"):
        p.channel_data(7)
    with pytest.raises(PyramidError, match="i=0.5 must be an integer level index"):
        p.channel_data(0.5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_mels=(40, 80)), "n_mels=\\(40, 80\\) must be strictly decreasing"),
        (dict(n_mels=()), "n_mels is empty"),
        (dict(n_mels=(40, 0)), "n_mels=0 is too small"),
        (dict(sr=0), "sr=0.0 must be > 0.0"),
        (dict(y=np.ones(100, int)), "y has integer dtype"),
        (dict(y=np.array([1.0, np.nan] * 1000)), "y contains NaN"),
    ],
)
def test_mel_errors(kwargs, match):
    args = dict(y=np.zeros(2048), sr=22050)
    args.update(kwargs)
    with pytest.raises(PyramidError, match=match):
        AudioPyramid.mel(**args)


# -- temporal ----------------------------------------------------------------------------------

def groups_by_start(extents, length):
    """Loop: the group of each row is floor(start / length)."""
    out = []
    for s, _ in extents:
        g = 0
        while (g + 1) * length <= s + 1e-9:
            g += 1
        out.append(g)
    g = np.array(out)
    return g - g[0], g.max() - g[0] + 1


@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_temporal_logmel_levels(speech, pooling, dtype):
    y, sr = speech
    y = y.astype(dtype)
    p = AudioPyramid.temporal(y, sr, frame=0.025, window=0.25, clip=1.0, pooling=pooling)
    L = round(0.025 * sr)
    ref = librosa.power_to_db(
        librosa.feature.melspectrogram(y=y.astype(np.float64)[: len(y) // L * L], sr=sr, n_fft=L, hop_length=L,
                                       center=False, n_mels=40)
    ).T
    assert p.names == ("frame", "window", "clip")
    assert p[0].shape == ref.shape and p[0].dtype == dtype
    assert_close(p[0], ref, dtype, what="frames")
    f_ext = p.level(0).extents
    np.testing.assert_allclose(f_ext[:, 0], np.arange(len(ref)) * L / sr)
    np.testing.assert_allclose(f_ext[:, 1] - f_ext[:, 0], L / sr)
    # windows pool the frames that start in them; clips the windows
    g, n = groups_by_start(f_ext, 0.25)
    assert_close(p[1], naive_group_pool(np.asarray(p[0], np.float64), g, n, pooling), dtype, what="windows")
    g2, n2 = groups_by_start(p.level(1).extents, 1.0)
    assert_close(p[2], naive_group_pool(np.asarray(p[1], np.float64), g2, n2, pooling), dtype, what="clips")
    # extents are exact unions of what is pooled
    for k in range(n):
        np.testing.assert_allclose(p.level(1).extents[k], [f_ext[g == k, 0].min(), f_ext[g == k, 1].max()])
    np.testing.assert_allclose(p.level(2).extents[0], [0, p.level(1).extents[g2 == 0][-1, 1]])


def test_temporal_exact_grid_at_16k():
    sr = 16000
    y = np.random.default_rng(0).standard_normal(sr * 3 + 123)
    p = AudioPyramid.temporal(y, sr, frame=0.025, window=0.5, clip=2.0, feature="rms")
    assert p.shapes == ((120, 1), (6, 1), (2, 1))
    frames = y[: 120 * 400].reshape(120, 400)
    np.testing.assert_allclose(p[0][:, 0], np.sqrt((frames**2).mean(axis=1)), rtol=1e-12)
    np.testing.assert_allclose(p.level(1).extents, np.stack([np.arange(6) * 0.5, np.arange(1, 7) * 0.5], axis=1))
    np.testing.assert_allclose(p.level(2).extents, [[0, 2], [2, 3]])  # the last clip is shorter
    np.testing.assert_allclose(p[2][1], p[1][4:].mean(axis=0))
    assert p.scales == pytest.approx((0.025, 0.5, 1.5))


def test_temporal_mfcc_and_mel_features(speech):
    y, sr = speech
    L = round(0.05 * sr)
    yy = y[: len(y) // L * L]
    p = AudioPyramid.temporal(y, sr, frame=0.05, window=0.5, clip=1.0, feature="mfcc", n_mfcc=13, n_mels=40)
    ref = librosa.feature.mfcc(y=yy, sr=sr, n_fft=L, hop_length=L, center=False, n_mels=40, n_mfcc=13).T
    assert_close(p[0], ref, np.float64, what="mfcc")  # measured 2.7e-15 through the dB floor and the DCT
    q = AudioPyramid.temporal(y, sr, frame=0.05, window=0.5, clip=1.0, feature="mel", n_mels=20)
    ref = librosa.feature.melspectrogram(y=yy, sr=sr, n_fft=L, hop_length=L, center=False, n_mels=20).T
    assert_close(q[0], ref, np.float64)


def test_temporal_callable_feature_and_channels(stereo):
    y, sr = stereo

    def peak(frames):
        return np.abs(frames).max(axis=-1, keepdims=True)

    p = AudioPyramid.temporal(y, sr, frame=0.02, window=0.2, clip=0.6, feature=peak, pooling="max")
    L = round(0.02 * sr)
    assert p.shapes[0] == (len(y[0]) // L, 2, 1)
    np.testing.assert_array_equal(p[0][5, 1, 0], np.abs(y[1, 5 * L : 6 * L]).max())
    np.testing.assert_array_equal(p[2][:, :, 0].max(axis=0), np.abs(y[:, : p.shapes[0][0] * L]).max(axis=1))
    assert p.meta["feature"] == "peak"
    with pytest.raises(PyramidError, match="feature\\(frames\\) returned shape"):
        AudioPyramid.temporal(y, sr, feature=lambda f: f.mean(axis=-1))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(frame=0.1, window=0.05), "need frame <= window <= clip"),
        (dict(window=2.0, clip=1.0), "need frame <= window <= clip"),
        (dict(frame=0), "frame=0.0 must be > 0.0"),
        (dict(frame=1e-6), "shorter than one sample"),
        (dict(y=np.zeros(100)), "y has 100 samples: shorter than one frame of 551 samples"),
        (dict(feature="chroma"), "feature='chroma' is not supported"),
        (dict(pooling="median"), "pooling='median' is not supported"),
        (dict(feature="mfcc", n_mfcc=0), "n_mfcc=0 is too small"),
    ],
)
def test_temporal_errors(kwargs, match):
    args = dict(y=np.zeros(22050), sr=22050)
    args.update(kwargs)
    with pytest.raises(PyramidError, match=match):
        AudioPyramid.temporal(**args)


# -- wavelet -----------------------------------------------------------------------------------

@pytest.mark.parametrize("wavelet, mode", [("db4", "symmetric"), ("haar", "zero"), ("sym5", "reflect")])
def test_wavelet_bands_match_pywavelets(speech, wavelet, mode, dtype):
    y, sr = speech
    y = y[:5000].astype(dtype)
    p = AudioPyramid.wavelet(y, sr, wavelet, levels=4, mode=mode)
    ref = pywt.wavedec(y.astype(np.float64), wavelet, mode=mode, level=4)
    assert p.names == ("d1", "d2", "d3", "d4", "a4")
    for j in range(1, 5):
        assert_close(p[j - 1], ref[-j], dtype, what=f"d{j}")
        assert p.level(j - 1).meta == {"hz": (sr / 2 ** (j + 1), sr / 2**j), "kind": "detail", "level": j}
    assert_close(p[4], ref[0], dtype, what="a4")
    assert p.level(4).meta["hz"] == (0.0, sr / 32)
    assert p[0].dtype == dtype


def test_wavelet_extents_hold_each_coefficients_samples():
    # An impulse at sample s changes exactly the coefficients whose extent holds s (away from the
    # edges, where the extension mode also reflects samples).
    n, sr, F = 512, 1000.0, 8
    p0 = AudioPyramid.wavelet(np.zeros(n), sr, "db4", levels=3)
    for s in (100, 101, 257, 300):
        x = np.zeros(n)
        x[s] = 1.0
        p = AudioPyramid.wavelet(x, sr, "db4", levels=3)
        for lv, lv0 in zip(p, p0):
            touched = np.flatnonzero(np.abs(lv.data) > 1e-14)
            holds = np.flatnonzero((lv.extents[:, 0] * sr <= s) & (s < lv.extents[:, 1] * sr))
            assert set(touched) <= set(holds), lv.name
            assert len(holds) - len(touched) <= 2, lv.name  # filter taps that happen to vanish
    lv = p0.level(0)
    np.testing.assert_allclose(lv.extents[10] * sr, [2 * 10 + 2 - F, 2 * 10 + 2])
    np.testing.assert_allclose(p0.level(2).extents[10] * sr, [8 * 10 + 7 * (2 - F), 8 * 11])
    assert p0.scales[0] < p0.scales[1] < p0.scales[2] <= p0.scales[3]


def test_wavelet_reconstruct_and_save_load(stereo, tmp_path):
    y, sr = stereo
    y = y[:, :3001]
    p = AudioPyramid.wavelet(y, sr, "db4", levels=5)
    assert p.shapes[0][1:] == (2,)
    np.testing.assert_allclose(p.reconstruct(), y, atol=1e-10 * np.abs(y).max())
    p.save(tmp_path / "w.npz")
    q = Pyramid.load(tmp_path / "w.npz")
    assert isinstance(q, AudioPyramid)
    np.testing.assert_array_equal(q.reconstruct(), p.reconstruct())
    with pytest.raises(PyramidError, match="needs every band"):
        p[1:].reconstruct()
    with pytest.raises(PyramidError, match="needs a wavelet pyramid"):
        AudioPyramid.mel(y[0], sr).reconstruct()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(levels=0), "levels=0 is too small"),
        (dict(levels=9), "levels=9 is too many for 1000 samples with db4 \\(8 taps\\): at most 7"),
        (dict(mode="periodization"), "mode='periodization' is not supported"),
    ],
)
def test_wavelet_errors(kwargs, match):
    args = dict(y=np.zeros(1000), sr=1000, wavelet="db4")
    args.update(kwargs)
    with pytest.raises(PyramidError, match=match):
        AudioPyramid.wavelet(**args)


# -- STFT resolutions --------------------------------------------------------------------------

def test_stft_resolutions_match_librosa(speech, dtype):
    y, sr = speech
    y = y.astype(dtype)
    p = AudioPyramid.stft_resolutions(y, sr, n_ffts=(256, 1024, 4096))
    assert p.names == ("stft256", "stft1024", "stft4096")
    for lv, n_fft in zip(p, (256, 1024, 4096)):
        ref = np.abs(librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=n_fft // 4)).T
        assert lv.data.shape == ref.shape and lv.data.dtype == dtype
        assert_close(lv.data, ref, dtype, what=lv.name)
        assert lv.meta == {"n_fft": n_fft, "hop_length": n_fft // 4, "time_resolution": n_fft / sr,
                           "freq_resolution": sr / n_fft}
        t = np.arange(ref.shape[0])
        np.testing.assert_allclose(lv.extents[:, 0], np.clip(t * n_fft // 4 - n_fft // 2, 0, len(y)) / sr)
    assert p.scales[0] < p.scales[1] < p.scales[2]


def test_stft_resolutions_power_and_hops(speech):
    y, sr = speech
    p = AudioPyramid.stft_resolutions(y, sr, n_ffts=(512, 2048), hop_lengths=(128, 256), power=2.0, center=False)
    ref = np.abs(librosa.stft(y, n_fft=2048, hop_length=256, center=False)).T ** 2
    assert_close(p[1], ref, np.float64)
    np.testing.assert_allclose(p.level(1).extents[3], [3 * 256 / sr, (3 * 256 + 2048) / sr])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_ffts=(1024, 256)), "must be strictly increasing"),
        (dict(hop_lengths=(64,)), "hop_lengths has 1 values: need one per n_fft \\(3\\)"),
        (dict(power=0), "power=0.0 must be > 0.0"),
        (dict(n_ffts="abc"), "n_ffts='a' must be an integer"),
    ],
)
def test_stft_resolutions_errors(kwargs, match):
    args = dict(y=np.zeros(8192), sr=8000)
    args.update(kwargs)
    with pytest.raises(PyramidError, match=match):
        AudioPyramid.stft_resolutions(**args)


def test_dsp_errors_pass_through_as_dsperror():
    with pytest.raises(dsp.DSPError):
        AudioPyramid.mel(np.zeros(4096), 22050, window="nonexistent-window")
