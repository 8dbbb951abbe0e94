"""dsp.stream: blocks that tile the whole-file STFT, librosa.stream's blocks, constant memory."""
import tracemalloc

import librosa
import numpy as np
import pytest
import soundfile as sf

import dsp
from dsp import DSPError

from tolerances import assert_close


@pytest.fixture(scope="module")
def stereo_flac(tmp_path_factory):
    rng = np.random.default_rng(3)
    y = 0.3 * rng.standard_normal((50_000, 2))
    p = tmp_path_factory.mktemp("stream") / "noise.flac"
    sf.write(p, y, 16000, subtype="PCM_24")
    return p


@pytest.mark.parametrize("block_length, frame_length, hop_length", [(8, 1024, 256), (3, 512, 512), (5, 400, 160)])
@pytest.mark.parametrize("mono", [True, False])
def test_block_stfts_tile_the_whole_file_stft(stereo_flac, block_length, frame_length, hop_length, mono):
    whole, _ = dsp.load(stereo_flac, sr=None, mono=mono)
    ref = dsp.stft(whole, n_fft=frame_length, hop_length=hop_length, center=False)
    parts = [dsp.stft(b, n_fft=frame_length, hop_length=hop_length, center=False)
             for b in dsp.stream(stereo_flac, block_length=block_length, frame_length=frame_length,
                                 hop_length=hop_length, mono=mono)
             if b.shape[-1] >= frame_length]  # a tail shorter than a frame holds no frame
    got = np.concatenate(parts, axis=-1)
    assert got.shape == ref.shape
    assert_close(got, ref, np.complex64, what="block STFTs vs whole-file STFT")
    # per block, exactly the frames of the whole-file framing: the same numbers, not just close
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("kwargs", [{}, {"offset": 0.4, "duration": 1.3}, {"fill_value": 0.0}, {"mono": False}])
def test_blocks_are_librosas(stereo_flac, kwargs):
    args = dict(block_length=4, frame_length=2048, hop_length=512, **kwargs)
    ours = list(dsp.stream(stereo_flac, **args))
    ref = list(librosa.stream(stereo_flac, **args))
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a, b)


def test_constant_memory_on_a_long_file(tmp_path):
    # 20 minutes of 16 kHz mono PCM_16 (38 MB as float32), written in chunks; streaming it
    # must hold one block at a time
    p = tmp_path / "long.wav"
    sr, chunk = 16000, 16000 * 30
    rng = np.random.default_rng(0)
    with sf.SoundFile(p, "w", samplerate=sr, channels=1, subtype="PCM_16") as f:
        for _ in range(40):
            f.write(0.1 * rng.standard_normal(chunk))
    block_bytes = (2048 + 63 * 512) * 4
    tracemalloc.start()
    n, total = 0, 0.0
    for block in dsp.stream(p, block_length=64, frame_length=2048, hop_length=512):
        n += block.shape[0]
        total += float(np.abs(block[:16]).sum())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n > 40 * chunk  # blocks overlap: more samples delivered than the file holds
    assert peak < 8 * block_bytes, f"peak {peak / 1e6:.1f} MB for blocks of {block_bytes / 1e6:.2f} MB"


def test_arguments_checked_before_iteration(tmp_path, stereo_flac):
    with pytest.raises(DSPError, match="does not exist"):
        dsp.stream(tmp_path / "nope.wav", block_length=2, frame_length=256, hop_length=128)
    with pytest.raises(DSPError, match="hop_length=512 is larger than frame_length=256"):
        dsp.stream(stereo_flac, block_length=2, frame_length=256, hop_length=512)
    with pytest.raises(DSPError, match="block_length=0 is too small"):
        dsp.stream(stereo_flac, block_length=0, frame_length=256, hop_length=128)
    with pytest.raises(DSPError, match="offset=10.0 is past the end"):
        dsp.stream(stereo_flac, block_length=2, frame_length=256, hop_length=128, offset=10.0)
    with pytest.raises(DSPError, match="duration=-1.0 must be > 0"):
        dsp.stream(stereo_flac, block_length=2, frame_length=256, hop_length=128, duration=-1.0)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0), 8000)
    with pytest.raises(DSPError, match="is empty"):
        dsp.stream(empty, block_length=2, frame_length=256, hop_length=128)
