"""dsp.load / get_duration / get_samplerate / to_mono / write against librosa and analytic tones.

Every file is written by the test itself (soundfile into tmp_path) or is one of tests/data.
"""
import doctest
import importlib
import io
import os
import warnings
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf

import dsp
from dsp import DSPError

from tolerances import peak_relative_error

DATA = Path(__file__).parent / "data"
CLIPS = sorted(DATA.glob("*.wav"))


def _sweep(sr, seconds=1.0, channels=1, f0=100.0, f1=None):
    """A linear sine sweep, (n, channels) as soundfile writes it; each channel scaled differently."""
    f1 = f1 if f1 is not None else 0.4 * sr
    t = np.arange(int(seconds * sr)) / sr
    phase = 2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / seconds * t**2)
    return np.stack([0.8 / (c + 1) * np.sin(phase + c) for c in range(channels)], axis=1)


FORMATS = [("wav", "PCM_16"), ("wav", "FLOAT"), ("flac", "PCM_24"), ("ogg", "VORBIS"), ("mp3", "MPEG_LAYER_III")]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audio")
    out = {}
    for ext, subtype in FORMATS:
        for ch in (1, 2):
            p = d / f"sweep_{subtype}_{ch}.{ext}"
            sf.write(p, _sweep(22050, channels=ch), 22050, subtype=subtype)
            out[(ext, subtype, ch)] = p
    return out


@pytest.mark.parametrize("key", [(e, s, c) for e, s in FORMATS for c in (1, 2)], ids=str)
@pytest.mark.parametrize("mono", [True, False])
def test_native_rate_bit_exact_with_librosa(files, key, mono):
    path = files[key]
    y, sr = dsp.load(path, sr=None, mono=mono)
    ref, ref_sr = librosa.load(path, sr=None, mono=mono)
    assert sr == ref_sr == 22050
    assert y.dtype == np.float32 and y.shape == ref.shape
    np.testing.assert_array_equal(y, ref)
    assert y.ndim == (1 if mono or key[2] == 1 else 2)


@pytest.mark.parametrize("ext, subtype", [("wav", "PCM_U8"), ("aiff", "PCM_S8"), ("flac", "PCM_S8"),
                                           ("wav", "PCM_16"), ("flac", "PCM_16"), ("aiff", "PCM_24"),
                                           ("wav", "PCM_24"), ("wav", "PCM_32"), ("w64", "PCM_32")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_integer_pcm_read_as_integers_is_bit_exact(tmp_path, ext, subtype, dtype):
    # integer subtypes are read as libsndfile's integers and scaled by our kernel: the samples
    # must equal libsndfile's own float conversion (librosa's), full scale and 32-bit rounding
    # included. Random full-range integers, 3 channels, written as int32 (soundfile scales them).
    rng = np.random.default_rng(7)
    pcm = rng.integers(-2**31, 2**31, size=(3001, 3), dtype=np.int64).astype(np.int32)
    pcm[:4, 0] = [-2**31, 2**31 - 1, 0, -1]
    p = tmp_path / f"full.{ext}"
    sf.write(p, pcm, 8000, subtype=subtype)
    for mono in (False, True):
        y, _ = dsp.load(p, sr=None, mono=mono, dtype=dtype)
        ref, _ = librosa.load(p, sr=None, mono=mono, dtype=dtype)
        assert y.dtype == ref.dtype == dtype
        np.testing.assert_array_equal(y, ref)
    assert np.abs(y).max() > 0.9  # the data did reach full scale


@pytest.mark.parametrize("channels", [1, 2])
def test_opus_bit_exact_with_librosa(tmp_path, channels):
    p = tmp_path / "sweep.opus"
    sf.write(p, _sweep(48000, 0.5, channels), 48000, format="OGG", subtype="OPUS")
    y, sr = dsp.load(p, sr=None, mono=False)
    ref, ref_sr = librosa.load(p, sr=None, mono=False)
    assert sr == ref_sr == 48000
    np.testing.assert_array_equal(y, ref)


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.name)
@pytest.mark.parametrize("mono", [True, False])
def test_shipped_recordings_bit_exact(clip, mono):
    y, sr = dsp.load(clip, sr=None, mono=mono)
    ref, ref_sr = librosa.load(clip, sr=None, mono=mono)
    assert sr == ref_sr
    np.testing.assert_array_equal(y, ref)


@pytest.mark.parametrize("offset, duration", [(0.25, None), (0.1, 0.3), (0.0, 0.5), (0.3333, 0.2)])
@pytest.mark.parametrize("key", [("flac", "PCM_24", 2), ("ogg", "VORBIS", 2), ("mp3", "MPEG_LAYER_III", 1)], ids=str)
def test_offset_and_duration_frames_are_librosas(files, offset, duration, key):
    path = files[key]
    y, _ = dsp.load(path, sr=None, mono=False, offset=offset, duration=duration)
    ref, _ = librosa.load(path, sr=None, mono=False, offset=offset, duration=duration)
    np.testing.assert_array_equal(y, ref)


def test_offset_seeks_instead_of_decoding_everything(files, monkeypatch):
    # read() is asked only for the frames wanted, after one seek
    calls = []
    real_read = sf.SoundFile.read

    def spy(self, frames=-1, *args, **kwargs):
        calls.append(frames)
        return real_read(self, frames, *args, **kwargs)

    monkeypatch.setattr(sf.SoundFile, "read", spy)
    y, _ = dsp.load(files[("wav", "PCM_16", 1)], sr=None, offset=0.5, duration=0.1)
    assert calls == [2205] and y.shape == (2205,)


@pytest.mark.parametrize("ext, subtype", [("wav", "FLOAT"), ("flac", "PCM_24")])
@pytest.mark.parametrize("target", [16000, 8000, 44100])
def test_resampled_tones_match_analytic(tmp_path, ext, subtype, target):
    sr0 = 22050
    freqs = [220.0, 1000.0, 0.4 * min(sr0, target)]
    t0 = np.arange(sr0) / sr0
    x = sum(0.3 * np.sin(2 * np.pi * f * t0 + i) for i, f in enumerate(freqs))
    path = tmp_path / f"tones.{ext}"
    sf.write(path, x, sr0, subtype=subtype)
    y, sr = dsp.load(path, sr=target, dtype=np.float64)
    t1 = np.arange(int(np.ceil(sr0 * target / sr0))) / target
    ref = sum(0.3 * np.sin(2 * np.pi * f * t1 + i) for i, f in enumerate(freqs))
    assert sr == target and y.shape == ref.shape
    trim = target // 20
    # PCM_24 quantisation (~1e-7) and the 'high' filter (ripple 1e-5) bound the error
    assert peak_relative_error(y[trim:-trim], ref[trim:-trim]) < 2e-5


def test_load_resampled_matches_resample_of_native(files):
    path = files[("wav", "PCM_16", 2)]
    y, sr = dsp.load(path, sr=16000, mono=False, res_type="soxr_hq")
    native, _ = dsp.load(path, sr=None, mono=False)
    np.testing.assert_array_equal(y, dsp.resample(native, orig_sr=22050, target_sr=16000, quality="hq"))
    assert sr == 16000 and y.shape == (2, 16000)


def test_path_kinds_and_pass_through(files):
    path = files[("wav", "PCM_16", 2)]
    a, _ = dsp.load(str(path), sr=None)
    b, _ = dsp.load(Path(path), sr=None)
    with open(path, "rb") as fh:
        c, _ = dsp.load(fh, sr=None)
    with open(path, "rb") as fh:
        d, _ = dsp.load(io.BytesIO(fh.read()), sr=None)
    native, _ = dsp.load(path, sr=None, mono=False, dtype=np.float64)
    e, sr = dsp.load((native, 22050), sr=None)
    for other in (b, c, d):
        np.testing.assert_array_equal(a, other)
    np.testing.assert_allclose(e, a, atol=1e-7)
    f, sr = dsp.load((native, 22050), sr=11025, offset=0.5, mono=False)
    assert sr == 11025 and f.shape == (2, 5513)
    g, _ = dsp.load((np.stack([native, native]), 22050), sr=None, mono=False, duration=0.5)
    assert g.shape == (2, 2, 11025)
    h, _ = dsp.load((native[:1], 22050), sr=None, mono=False)
    assert h.shape == (1, 22050)  # a decoded array keeps its shape


def test_float64_dtype(files):
    y, _ = dsp.load(files[("flac", "PCM_24", 1)], sr=None, dtype=np.float64)
    ref, _ = librosa.load(files[("flac", "PCM_24", 1)], sr=None, dtype=np.float64)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, ref)


def test_to_mono_is_librosas():
    y = np.random.default_rng(0).standard_normal((3, 2, 100)).astype(np.float32)
    np.testing.assert_array_equal(dsp.to_mono(y), librosa.to_mono(y))
    np.testing.assert_array_equal(dsp.to_mono(y[0, 0]), y[0, 0])


@pytest.mark.parametrize("channels", range(1, 11))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_mono_bit_identical_for_any_channel_count(channels, dtype):
    # a decoded file is a (channels, n) view of soundfile's (n, channels) array
    x = np.random.default_rng(channels).standard_normal((10001, channels)).astype(dtype)
    for y in (x.T, np.ascontiguousarray(x.T), x.T[:, ::3]):
        np.testing.assert_array_equal(dsp.to_mono(y), librosa.to_mono(y))


def test_get_duration_and_samplerate(files):
    path = files[("ogg", "VORBIS", 2)]
    assert dsp.get_samplerate(path) == librosa.get_samplerate(path) == 22050
    assert dsp.get_duration(path=path) == pytest.approx(librosa.get_duration(path=path))
    y = np.zeros((2, 12345), np.float32)
    assert dsp.get_duration(y=y, sr=8000) == librosa.get_duration(y=y, sr=8000)
    S = np.zeros((1025, 40))
    for center in (True, False):
        assert dsp.get_duration(S=S, sr=22050, center=center) == librosa.get_duration(S=S, sr=22050, center=center)


# ----------------------------------------------------------------------------------------------
# write


@pytest.mark.parametrize("ext, subtype, bits", [("wav", "PCM_16", 16), ("wav", "PCM_24", 24), ("flac", "PCM_16", 16),
                                                ("wav", "PCM_U8", 8), ("wav", "PCM_32", 32)])
def test_write_quantises_with_to_pcm(tmp_path, ext, subtype, bits):
    y = _sweep(8000, 0.25, 2).T.copy() * 0.9
    path = tmp_path / f"w.{ext}"
    dsp.write(path, y, 8000, subtype=subtype)
    back, sr = sf.read(path, dtype="int32" if bits > 16 else "int16", always_2d=True)
    pcm = dsp.to_pcm(y, bits).T
    if bits == 24:
        pcm = pcm.astype(np.int32) << 8
    if bits == 8:
        pcm = (pcm.astype(np.int16) - 128) << 8
    assert sr == 8000
    np.testing.assert_array_equal(back, pcm)


def test_write_float_round_trips_exactly(tmp_path):
    y = _sweep(8000, 0.25, 1)[:, 0].astype(np.float32)
    dsp.write(tmp_path / "f.wav", y, 8000, subtype="FLOAT")
    back, _ = dsp.load(tmp_path / "f.wav", sr=None)
    np.testing.assert_array_equal(back, y)


def test_write_reports_clipping_as_to_pcm(tmp_path):
    y = np.array([0.0, 1.5, -2.0, 0.5])
    with pytest.warns(dsp.ClippingWarning, match="2 of 4"):
        dsp.write(tmp_path / "a.wav", y, 8000)
    assert dsp.write(tmp_path / "b.wav", y, 8000, clip="count") == 2
    with pytest.raises(DSPError, match="clip='raise'"):
        dsp.write(tmp_path / "c.wav", y, 8000, clip="raise")
    assert not (tmp_path / "c.wav").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dsp.write(tmp_path / "d.wav", y, 8000, subtype="FLOAT")  # float files store it as is


def test_write_bad_input(tmp_path):
    with pytest.raises(DSPError, match="subtype='VORBIS' is not supported for format='WAV'"):
        dsp.write(tmp_path / "a.wav", np.zeros(4), 8000, subtype="VORBIS")
    with pytest.raises(DSPError, match="need \\(n,\\) or \\(channels, n\\)"):
        dsp.write(tmp_path / "a.wav", np.zeros((2, 2, 4)), 8000)
    with pytest.raises(DSPError, match="sr=0"):
        dsp.write(tmp_path / "a.wav", np.zeros(4), 0)
    with pytest.raises(DSPError, match="pass format="):
        dsp.write(tmp_path / "a.unknownext", np.zeros(4), 8000)


# ----------------------------------------------------------------------------------------------
# bad input: each a DSPError naming the path or parameter, nothing half-read returned


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DSPError, match=r"path=.*nope\.wav' does not exist"):
        dsp.load(tmp_path / "nope.wav")
    with pytest.raises(DSPError, match="is a directory"):
        dsp.load(tmp_path)
    with pytest.raises(DSPError, match="path=42 is not supported"):
        dsp.load(42)


def test_unreadable_file_without_pyav(tmp_path, monkeypatch):
    p = tmp_path / "junk.m4a"
    p.write_bytes(b"not audio at all" * 64)
    monkeypatch.setitem(__import__("sys").modules, "av", None)  # import av -> ImportError
    with pytest.raises(DSPError, match=r"junk\.m4a.*install the 'av' extra"):
        dsp.load(p)


def test_unreadable_file_with_pyav(tmp_path):
    pytest.importorskip("av")
    p = tmp_path / "junk.bin"
    p.write_bytes(b"not audio at all" * 64)
    with pytest.raises(DSPError, match=r"junk\.bin.*could not be opened"):
        dsp.load(p)


def test_truncated_files(tmp_path):
    for ext in ("wav", "flac"):
        full = tmp_path / f"full.{ext}"
        sf.write(full, _sweep(22050, 1.0), 22050, subtype="PCM_16")
        data = full.read_bytes()
        cut = tmp_path / f"cut.{ext}"
        cut.write_bytes(data[: len(data) // 2])
        with pytest.raises(DSPError, match=r"cut\.%s.*(truncated|corrupt)" % ext):
            dsp.load(cut, sr=None)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    sf.write(p, np.zeros((0, 1)), 8000)
    with pytest.raises(DSPError, match=r"empty\.wav' is empty \(0 samples\)"):
        dsp.load(p)


@pytest.mark.parametrize("kwargs, match", [
    ({"offset": 2.0}, r"offset=2.0 is past the end of path=.* \(1 s\)"),
    ({"offset": -0.5}, "offset=-0.5 must be >= 0"),
    ({"duration": -1.0}, "duration=-1.0 must be > 0"),
    ({"duration": 0.0}, "duration=0.0 must be > 0"),
    ({"duration": 1e-6}, "shorter than one sample"),
    ({"sr": 0}, "sr=0 must be a finite number > 0"),
    ({"sr": -8000}, "sr=-8000 must be"),
    ({"sr": "16k"}, "sr='16k' is not supported"),
    ({"dtype": np.int16}, "dtype=int16 is not supported"),
    ({"mono": "yes"}, "mono='yes' must be True or False"),
    ({"sr": 16000, "res_type": "magic"}, "res_type='magic' is not supported"),
    ({"sr": None, "res_type": "magic"}, "res_type='magic' is not supported"),
])
def test_bad_parameters(files, kwargs, match):
    with pytest.raises(DSPError, match=match):
        dsp.load(files[("wav", "PCM_16", 1)], **kwargs)


# ----------------------------------------------------------------------------------------------
# PyAV containers


def _write_m4a(path, sr=44100, seconds=1.0, freq=440.0):
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as out:
        st = out.add_stream("aac", rate=sr)
        st.layout = "stereo"
        n = int(sr * seconds)
        y = (0.5 * np.sin(2 * np.pi * freq * np.arange(n) / sr)).astype(np.float32)
        for i in range(0, n, 1024):
            chunk = y[i:i + 1024]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(np.stack([chunk, chunk])), format="fltp",
                                               layout="stereo")
            frame.sample_rate, frame.pts = sr, i
            for pkt in st.encode(frame):
                out.mux(pkt)
        for pkt in st.encode(None):
            out.mux(pkt)


def test_m4a_through_pyav(tmp_path):
    p = tmp_path / "tone.m4a"
    _write_m4a(p)
    assert dsp.get_samplerate(p) == 44100
    assert dsp.get_duration(path=p) == pytest.approx(1.0, abs=0.03)
    y, sr = dsp.load(p, sr=None, mono=False)
    assert sr == 44100 and y.shape[0] == 2 and abs(y.shape[1] - 44100) <= 2048
    y16, sr16 = dsp.load(p, sr=16000, offset=0.25, duration=0.5)
    assert sr16 == 16000 and y16.shape == (8000,)
    spec = np.abs(np.fft.rfft(y16 * np.hanning(y16.size)))
    assert abs(np.argmax(spec) * 16000 / y16.size - 440.0) < 4.0  # lossy codec: judge the pitch


def test_docstring_examples_of_new_modules():
    for name in ("dsp.audio_io", "dsp.streaming", "dsp.convert", "dsp.notes", "dsp.resampling", "dsp._decibel",
                 "dsp.feature", "dsp.filters", "dsp.util", "dsp.effects", "dsp.display"):
        mod = importlib.import_module(name)
        res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert res.failed == 0, name
        missing = [n for n in mod.__all__ if ">>>" not in (getattr(mod, n).__doc__ or "")]
        assert not missing, (name, missing)


@pytest.mark.parametrize("subtype, ext", [("PCM_24", "flac"), ("PCM_16", "wav"), ("FLOAT", "wav")])
def test_parallel_segments_are_sample_identical(tmp_path, monkeypatch, subtype, ext):
    # long lossless files are decoded by several threads, each seeking to its own stretch
    import numba

    import dsp._sndfile as aio

    monkeypatch.setattr(aio, "_SEGMENT_FRAMES", 5000)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 4)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    p = tmp_path / f"long.{ext}"
    sf.write(p, _sweep(22050, 2.0, 2), 22050, subtype=subtype)
    assert len(aio._segments(str(p), sf.info(p).format, 0, 44100)) == 4
    for kwargs in ({}, {"offset": 0.3, "duration": 1.5}):
        y, _ = dsp.load(p, sr=None, mono=False, **kwargs)
        ref, _ = librosa.load(p, sr=None, mono=False, **kwargs)
        np.testing.assert_array_equal(y, ref)
    # a truncated long FLAC is still reported, whichever thread meets the damage
    if ext == "flac":
        cut = tmp_path / "cut.flac"
        cut.write_bytes(p.read_bytes()[: p.stat().st_size * 2 // 3])
        with pytest.raises(DSPError, match="truncated|corrupt"):
            dsp.load(cut, sr=None)


def test_audio_track_of_a_video_file(tmp_path):
    av = pytest.importorskip("av")
    p = tmp_path / "clip.mp4"
    sr, fps, seconds = 48000, 10, 1.0
    with av.open(str(p), "w") as out:
        vs = out.add_stream("mpeg4", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        st = out.add_stream("aac", rate=sr)
        st.layout = "mono"
        y = (0.5 * np.sin(2 * np.pi * 1000.0 * np.arange(int(sr * seconds)) / sr)).astype(np.float32)
        for i in range(int(fps * seconds)):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 10 * i, np.uint8), format="rgb24")
            for pkt in vs.encode(frame):
                out.mux(pkt)
        for i in range(0, y.size, 1024):
            frame = av.AudioFrame.from_ndarray(y[None, i:i + 1024].copy(), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = sr, i
            for pkt in st.encode(frame):
                out.mux(pkt)
        for s in (vs, st):
            for pkt in s.encode(None):
                out.mux(pkt)
    got, got_sr = dsp.load(p, sr=16000)
    assert got_sr == 16000 and abs(got.size - 16000) <= 1024
    spec = np.abs(np.fft.rfft(got * np.hanning(got.size)))
    assert abs(np.argmax(spec) * 16000 / got.size - 1000.0) < 4.0
