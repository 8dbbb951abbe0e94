"""Frame/sample/time/block conversions and pitch/note conversions against librosa."""
import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError

FRAMES = [0, 1, 7, 100, np.arange(12), np.arange(12).reshape(3, 4)]


@pytest.mark.parametrize("frames", FRAMES, ids=str)
@pytest.mark.parametrize("hop_length, n_fft, sr", [(512, None, 22050), (160, 400, 16000), (1, 3, 8000.5)])
def test_frame_sample_time_round_trips_are_librosas(frames, hop_length, n_fft, sr):
    kw = dict(hop_length=hop_length, n_fft=n_fft)
    for ours, ref, x in [
        (dsp.frames_to_samples(frames, **kw), librosa.frames_to_samples(frames, **kw), frames),
        (dsp.frames_to_time(frames, sr=sr, **kw), librosa.frames_to_time(frames, sr=sr, **kw), frames),
        (dsp.samples_to_frames(np.asarray(frames) * 37, **kw), librosa.samples_to_frames(np.asarray(frames) * 37, **kw), 0),
        (dsp.samples_to_time(frames, sr=sr), librosa.samples_to_time(frames, sr=sr), 0),
        (dsp.time_to_samples(np.asarray(frames) * 0.0137, sr=sr), librosa.time_to_samples(np.asarray(frames) * 0.0137, sr=sr), 0),
        (dsp.time_to_frames(np.asarray(frames) * 0.0137, sr=sr, **kw),
         librosa.time_to_frames(np.asarray(frames) * 0.0137, sr=sr, **kw), 0),
    ]:
        np.testing.assert_array_equal(ours, ref)
        assert np.shape(ours) == np.shape(ref)
        assert np.asarray(ours).dtype.kind == np.asarray(ref).dtype.kind


@pytest.mark.parametrize("blocks", [0, 3, np.arange(5)], ids=str)
def test_blocks_are_librosas(blocks):
    np.testing.assert_array_equal(dsp.blocks_to_frames(blocks, block_length=16),
                                  librosa.blocks_to_frames(blocks, block_length=16))
    np.testing.assert_array_equal(dsp.blocks_to_samples(blocks, block_length=16, hop_length=512),
                                  librosa.blocks_to_samples(blocks, block_length=16, hop_length=512))
    np.testing.assert_array_equal(dsp.blocks_to_time(blocks, block_length=16, hop_length=512, sr=22050),
                                  librosa.blocks_to_time(blocks, block_length=16, hop_length=512, sr=22050))


def test_stream_blocks_start_where_blocks_to_samples_says(tmp_path):
    import soundfile as sf

    y = np.arange(20000) / 20000.0
    sf.write(tmp_path / "ramp.wav", y, 8000, subtype="DOUBLE")
    for b, block in enumerate(dsp.stream(tmp_path / "ramp.wav", block_length=4, frame_length=1024,
                                         hop_length=256, dtype=np.float64)):
        assert block[0] == y[dsp.blocks_to_samples(b, block_length=4, hop_length=256)]


@pytest.mark.parametrize("X, axis", [(np.zeros((1025, 9)), -1), (np.zeros((9, 2, 5)), 0), (7, -1)], ids=str)
@pytest.mark.parametrize("n_fft", [None, 2048])
def test_times_and_samples_like(X, axis, n_fft):
    np.testing.assert_array_equal(dsp.samples_like(X, hop_length=256, n_fft=n_fft, axis=axis),
                                  librosa.samples_like(X, hop_length=256, n_fft=n_fft, axis=axis))
    np.testing.assert_array_equal(dsp.times_like(X, sr=16000, hop_length=256, n_fft=n_fft, axis=axis),
                                  librosa.times_like(X, sr=16000, hop_length=256, n_fft=n_fft, axis=axis))


def test_times_of_stft_frames_are_the_frame_centres():
    sr, hop = 22050, 512
    y = np.zeros(sr, np.float32)
    y[10000] = 1.0  # an impulse: the frame whose time is nearest 10000 / sr has it at its centre
    S = np.abs(dsp.stft(y, hop_length=hop))
    t = dsp.times_like(S, sr=sr, hop_length=hop)
    assert abs(t[np.argmax(S[0])] - 10000 / sr) <= hop / 2 / sr


@pytest.mark.parametrize("call, match", [
    (lambda: dsp.frames_to_time(3, sr=0), "sr=0 must be"),
    (lambda: dsp.frames_to_samples(3, hop_length=0), "hop_length=0 is too small"),
    (lambda: dsp.frames_to_samples(3, hop_length=1.5), "hop_length=1.5 must be an integer"),
    (lambda: dsp.samples_to_frames(["a"]), "samples has dtype"),
    (lambda: dsp.blocks_to_frames(2, block_length=0), "block_length=0"),
    (lambda: dsp.times_like(3.5), "X=3.5 must be an integer"),
])
def test_bad_conversion_input(call, match):
    with pytest.raises(DSPError, match=match):
        call()


# ----------------------------------------------------------------------------------------------
# notes


def test_hz_midi_are_librosas_and_analytic():
    f = np.array([27.5, 261.6255653005986, 440.0, 1000.0, 4186.009044809578])
    np.testing.assert_allclose(dsp.hz_to_midi(f), librosa.hz_to_midi(f), rtol=1e-12)
    np.testing.assert_allclose(dsp.hz_to_midi(f)[[0, 2]], [21.0, 69.0], rtol=1e-12)
    m = np.arange(0, 128)
    np.testing.assert_allclose(dsp.midi_to_hz(m), librosa.midi_to_hz(m), rtol=1e-12)
    assert dsp.midi_to_hz(69) == 440.0
    np.testing.assert_allclose(dsp.midi_to_hz(dsp.hz_to_midi(f)), f, rtol=1e-12)


NOTES = ["C4", "C#4", "Db4", "A4", "a4", "Bb-1", "E♭2", "F♯3", "G𝄪5", "A𝄫5", "B♮2", "C", "A4+25", "A4-49", "C!3"]


@pytest.mark.parametrize("note", NOTES)
def test_note_to_midi_and_hz_are_librosas(note):
    assert dsp.note_to_midi(note) == librosa.note_to_midi(note)
    assert dsp.note_to_midi(note, round_midi=False) == pytest.approx(librosa.note_to_midi(note, round_midi=False))
    assert dsp.note_to_hz(note) == pytest.approx(librosa.note_to_hz(note), rel=1e-12)
    np.testing.assert_array_equal(dsp.note_to_midi([note, "A4"]), librosa.note_to_midi([note, "A4"]))


KEYS = ["C:maj", "G:maj", "F:maj", "F#:maj", "C#:maj", "Gb:maj", "Cb:maj", "A:min", "D#:min", "Eb:min",
        "Ab:min", "D:dor", "Bb:lyd", "E:phr", "Bb:maj"]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("unicode", [True, False])
def test_midi_to_note_spelling_is_librosas(key, unicode):
    midi = np.array([61, 62, 63, 64, 65, 66, 68, 69, 70, 73.2, 45.61])
    kw = dict(key=key, unicode=unicode, cents=True)
    np.testing.assert_array_equal(dsp.midi_to_note(midi, **kw), librosa.midi_to_note(midi, **kw))
    np.testing.assert_array_equal(dsp.midi_to_note(midi, octave=False, key=key),
                                  librosa.midi_to_note(midi, octave=False, key=key))
    assert dsp.hz_to_note(440.0, key=key, unicode=unicode) == librosa.hz_to_note(440.0, key=key, unicode=unicode)


def test_b_sharp_and_c_flat_octaves_follow_the_pitch():
    # librosa names MIDI 60 'B♯4' in C# major (and MIDI 71 'C♭4' in Cb major), which reads back as
    # MIDI 72 / 59; ours name the octave of the letter, so the name reads back as the same note
    assert dsp.midi_to_note(60, key="C#:maj") == "B♯3"
    assert dsp.midi_to_note(71, key="Cb:maj") == "C♭5"
    for key in ("C#:maj", "Cb:maj", "C:maj", "Eb:min"):
        names = dsp.midi_to_note(np.arange(21, 109), key=key)
        np.testing.assert_array_equal(dsp.note_to_midi(names), np.arange(21, 109))


@pytest.mark.parametrize("call, match", [
    (lambda: dsp.note_to_midi("H4"), "note='H4' is not a note name"),
    (lambda: dsp.note_to_midi(60), "note=60 is not a note name"),
    (lambda: dsp.midi_to_note(60, key="C:major7"), "key='C:major7' is not supported"),
    (lambda: dsp.midi_to_note(60, key="X:maj"), "key='X:maj' is not supported"),
    (lambda: dsp.hz_to_midi("440"), "frequencies has dtype"),
])
def test_bad_note_input(call, match):
    with pytest.raises(DSPError, match=match):
        call()
