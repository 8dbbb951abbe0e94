"""pyramids.align: level matching, similarity and retrieval, level selection, temporal alignment,
audio-driven level of detail. Loop references are in tests/naive.py."""
import numpy as np
import pytest

from naive import naive_cosine, naive_frames_in_windows
from pyramids import Level, Pyramid, PyramidError, align
from tolerances import RTOL, assert_close


def _spans(n, width, start=0.0, hop=None):
    hop = width if hop is None else hop
    return [[start + k * hop, start + k * hop + width] for k in range(n)]


def _pyr(widths, units="seconds", modality="audio", dim=4, rng=None, counts=None):
    rng = np.random.default_rng(0) if rng is None else rng
    levels = []
    for i, w in enumerate(widths):
        n = 4 if counts is None else counts[i]
        levels.append(Level(rng.standard_normal((n, dim)), f"l{i}", _spans(n, w), units))
    return Pyramid(levels, modality)


def _grid_pyramid(grids=(28, 14, 7), dim=8, size=224, rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    levels = []
    for g in grids:
        c = size / g
        boxes = [[y * c, x * c, (y + 1) * c, (x + 1) * c] for y in range(g) for x in range(g)]
        levels.append(Level(rng.standard_normal((g, g, dim)), f"cell{g}", boxes, "pixels"))
    return Pyramid(levels, "image")


def _text_pyramid(dim=8, rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    spec = [("token", 24, 5), ("sentence", 6, 20), ("paragraph", 2, 60), ("document", 1, 120)]
    return Pyramid([Level(rng.standard_normal((n, dim)), name, _spans(n, w), "chars") for name, n, w in spec], "text")


# ------------------------------------------------------------------------------ match_levels ---
def test_match_levels_rank_across_modalities_follows_the_design_table():
    text, image = _text_pyramid(), _grid_pyramid()
    m = align.match_levels(image, text)
    assert m.method == "rank" and m.units == ("pixels", "chars")
    # patches <-> tokens, regions <-> sentences, whole image <-> document
    assert m.pairs == ((0, 0), (1, 1), (2, 3))
    assert m.roles == ("fine", "medium", "coarse")
    assert [r["b_name"] for r in m.table] == ["token", "sentence", "document"]
    # the other way round gives the same pairs, transposed
    m2 = align.match_levels(text, image)
    assert m2.pairs == ((0, 0), (1, 1), (3, 2)) and m2.roles == m.roles
    assert "role" in str(m) and "cell14" in str(m)
    assert list(m) == list(m.pairs) and len(m) == 3


def test_match_levels_by_scale_in_the_same_units():
    a = _pyr([0.025, 0.5, 5.0])
    b = _pyr([0.01, 0.1, 0.4, 1.0, 10.0])
    m = align.match_levels(a, b)
    assert m.method == "scale"
    assert m.pairs == ((0, 0), (1, 2), (2, 4))  # 25 ms ~ 10 ms, 0.5 s ~ 0.4 s, 5 s ~ 10 s
    assert m.table[1]["cost"] == pytest.approx(abs(np.log(0.5 / 0.4)), rel=1e-4)
    assert align.match_levels(a, b, method="rank").pairs == ((0, 0), (1, 2), (2, 4))
    # one-to-one and order-preserving even when the nearest scale is shared
    c = _pyr([1.0, 1.1, 1.2])
    d = _pyr([1.0, 100.0, 1000.0])
    assert align.match_levels(c, d).pairs == ((0, 0), (1, 1), (2, 2))


def test_match_levels_equal_scales_match_by_position():
    # a mel pyramid's levels share their frames: equal scales, matched in order
    a = _pyr([0.05, 0.05, 0.05])
    assert align.match_levels(a, a).pairs == ((0, 0), (1, 1), (2, 2))


def test_match_levels_single_level():
    one = _pyr([1.0])
    m = align.match_levels(one, _pyr([0.1, 1.0, 10.0]))
    assert m.pairs == ((0, 1),) and m.roles == ("medium",)


@pytest.mark.parametrize(
    "a, b, kw, match",
    [
        (np.ones((3, 4)), None, {}, "need a pyramids.Pyramid"),
        ("pyr", "pyr", {"method": "nearest"}, "method='nearest' is not supported"),
        ("pyr", "text", {"method": "scale"}, "use method='rank'"),
    ],
)
def test_match_levels_bad_input(a, b, kw, match):
    lookup = {"pyr": _pyr([1.0, 2.0]), "text": _text_pyramid(), None: _pyr([1.0])}
    a = lookup.get(a, a) if isinstance(a, str) else a
    b = lookup[b] if isinstance(b, str) or b is None else b
    with pytest.raises(PyramidError, match=match):
        align.match_levels(a, b, **kw)


def test_match_levels_zero_scale_refused_for_scale_method():
    pts = Pyramid([Level(np.ones((2, 2)), "instant", [[0, 0], [1, 1]], "seconds"),
                   Level(np.ones((1, 2)), "clip", [[0, 2]], "seconds")], "audio")
    with pytest.raises(PyramidError, match="mean extent to be > 0"):
        align.match_levels(pts, pts, method="scale")
    assert align.match_levels(pts, pts, method="rank").pairs == ((0, 0), (1, 1))


# --------------------------------------------------------------------------------- similarity ---
def test_similarity_matches_loop_reference(dtype):
    rng = np.random.default_rng(1)
    p = _grid_pyramid(grids=(4, 2), dim=6, size=8, rng=rng).map(lambda d: d.astype(dtype))
    q = rng.standard_normal(6).astype(dtype)
    per = align.similarity(q, p)
    assert len(per) == 2 and per[0].shape == (16,) and per[0].dtype == dtype
    for i, s in enumerate(per):
        ref = naive_cosine(q, np.asarray(p[i], np.float64).reshape(-1, 6))
        assert_close(s, ref, dtype)
    Q = rng.standard_normal((3, 6)).astype(dtype)
    s = align.similarity(Q, p, level=-1)
    assert s.shape == (3, 4)
    assert_close(s[2], naive_cosine(Q[2], np.asarray(p[1], np.float64).reshape(-1, 6)), dtype)


def test_similarity_zero_element_scores_zero():
    lv = Level(np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]), "frame", _spans(3, 1.0), "seconds")
    s = align.similarity([1.0, 0.0], Pyramid([lv], "audio"), level=0)
    np.testing.assert_allclose(s, [1.0, 0.0, np.sqrt(0.5)], rtol=1e-15)


@pytest.mark.parametrize(
    "query, level, match",
    [
        (np.ones(5), 0, "query has 5 features but level 0"),
        (np.zeros(4), 0, "query has zero norm"),
        (np.ones(4), 7, "level=7 is out of range"),
        (np.ones(4), 1.5, "must be an integer level index"),
        (np.ones((2, 2, 4)), 0, "need 1 to 2 dimension"),
        (np.array([1.0, np.nan, 0, 0]), 0, "NaN"),
    ],
)
def test_similarity_bad_input(query, level, match):
    with pytest.raises(PyramidError, match=match):
        align.similarity(query, _pyr([1.0, 2.0]), level=level)


# ---------------------------------------------------------------------------------- retrieve ---
def test_retrieve_recovers_planted_matches_at_the_right_level():
    rng = np.random.default_rng(2)
    collection = [_text_pyramid(dim=32, rng=rng) for _ in range(6)] + [_grid_pyramid((8, 4, 2), dim=32, rng=rng)]
    plants = [(3, 1, 4), (0, 2, 1), (5, 3, 0), (6, 1, 13), (2, 0, 17)]  # (pyramid, level, element)
    for n, i, e in plants:
        target = np.asarray(collection[n][i]).reshape(-1, 32)[e]
        query = target + 0.05 * rng.standard_normal(32)
        hits = align.retrieve(query, collection, k=3, min_level=0)  # tokens asked for
        best = hits[0]
        assert (best.pyramid, best.level, best.index) == (n, i, e)
        assert best.extent == tuple(collection[n].level(i).extents[e])
        assert best.name == collection[n].level(i).name and best.score > 0.99
        assert hits[0].score >= hits[1].score >= hits[2].score
        # restricted to the planted level's role (a role, unlike an index, fits every depth)
        pos = i / (len(collection[n]) - 1)
        role = "fine" if pos < 0.3 else "coarse" if pos > 0.7 else "medium"
        only = align.retrieve(query, collection, k=1, levels=role, min_level=0)
        assert (only[0].pyramid, only[0].level, only[0].index) == (n, i, e)
    with pytest.raises(PyramidError, match="levels=3 is out of range"):
        align.retrieve(query, collection, levels=3)  # the image pyramid has 3 levels


def test_retrieve_levels_options():
    rng = np.random.default_rng(3)
    p = _text_pyramid(dim=8, rng=rng)
    q = np.asarray(p[3][0])
    assert {h.level for h in align.retrieve(q, p, k=50, levels="coarse")} == {3}
    assert {h.level for h in align.retrieve(q, p, k=50, levels="medium")} == {1, 2}
    assert {h.level for h in align.retrieve(q, p, k=50, levels="auto", query_text="What is this about?")} == {3}
    sel = align.select_levels("Where is it?", p)
    assert {h.level for h in align.retrieve(q, p, k=50, levels=sel)} == {1, 2}
    assert len(align.retrieve(q, p, k=1000, min_level=0)) == 24 + 6 + 2 + 1
    assert len(align.retrieve(q, p, k=1000)) == 6 + 2 + 1  # no bare tokens unless asked
    assert align.retrieve(q, p, k=1, levels=-1)[0].level == 3


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"k": 0}, "k=0 must be an integer >= 1"),
        ({"levels": "auto"}, "needs query_text"),
        ({"levels": "everything"}, "levels='everything' is not supported"),
        ({"levels": [0, 9]}, "levels=9 is out of range"),
        ({"levels": []}, "levels is empty"),
    ],
)
def test_retrieve_bad_input(kw, match):
    p = _text_pyramid()
    with pytest.raises(PyramidError, match=match):
        align.retrieve(np.ones(8), [p], **kw)


def test_retrieve_bad_collection():
    with pytest.raises(PyramidError, match="pyramids is empty"):
        align.retrieve(np.ones(8), [])
    with pytest.raises(PyramidError, match=r"pyramids\[1\] is a ndarray"):
        align.retrieve(np.ones(8), [_text_pyramid(), np.ones((3, 8))])
    with pytest.raises(PyramidError, match="one query vector"):
        align.retrieve(np.ones((2, 8)), _text_pyramid())


def test_retrieve_ranks_calibrated_scores_by_default():
    """Over several level names retrieve standardises each level's cosines with the collection's
    calibration (the one PyramidIndex builds); calibrate=False ranks the raw cosines."""
    from pyramids.index import PyramidIndex, calibrate

    rng = np.random.default_rng(5)
    docs = [_text_pyramid(dim=16, rng=rng) for _ in range(4)]
    q = rng.standard_normal(16)
    hits = align.retrieve(q, docs, k=12)
    assert hits == PyramidIndex(docs).search(q, k=12)  # one source of truth
    cal = calibrate(docs, min_level=0)
    assert hits == align.retrieve(q, docs, k=12, calibration=cal)
    # the reference: every (pyramid, level, element) of the searched levels, z-scored by hand
    ref = []
    for n, p in enumerate(docs):
        for i in (1, 2, 3):  # min_level='auto': no bare tokens
            cos = naive_cosine(q, np.asarray(p[i]))
            mu, sd = cal.stats[p.level(i).name]
            ref += [((c - mu) / sd, n, i, e) for e, c in enumerate(cos)]
    ref.sort(key=lambda t: -t[0])
    assert [(h.pyramid, h.level, h.index) for h in hits] == [t[1:] for t in ref[:12]]
    np.testing.assert_allclose([h.score for h in hits], [t[0] for t in ref[:12]], rtol=1e-12)
    assert len({h.name for h in hits}) > 1
    # raw cosines on request: the scores are the cosines, best first
    raw = align.retrieve(q, docs, k=12, calibrate=False)
    assert [h.score for h in raw] == [h.cosine for h in raw]
    all_cos = sorted((c for p in docs for i in (1, 2, 3) for c in naive_cosine(q, np.asarray(p[i]))), reverse=True)
    np.testing.assert_allclose([h.score for h in raw], all_cos[:12], rtol=1e-12)
    assert raw != hits
    # one level name: the standardisation cannot reorder it, scores stay cosines
    one = align.retrieve(q, docs, k=5, levels=1)
    assert one == align.retrieve(q, docs, k=5, levels=1, calibrate=False)
    assert all(h.score == h.cosine for h in one)
    # context needs no calibration argument any more
    ctx = align.retrieve(q, docs, k=5, levels=1, context=0.3)
    assert ctx == align.retrieve(q, docs, k=5, levels=1, context=0.3, calibration=cal)
    with pytest.raises(PyramidError, match="calibrate=False ranks raw cosines: pass no calibration"):
        align.retrieve(q, docs, calibrate=False, calibration=cal)
    with pytest.raises(PyramidError, match="context=0.3 needs a calibration"):
        align.retrieve(q, docs, calibrate=False, context=0.3)
    with pytest.raises(PyramidError, match="calibrate='yes' must be True or False"):
        align.retrieve(q, docs, calibrate="yes")


def test_calibration_of_levels_with_different_dimensions():
    """The default background is drawn per feature dimension (a mel128/mel40 pyramid), not
    concatenated across them."""
    from pyramids.index import PyramidIndex

    rng = np.random.default_rng(6)
    p = Pyramid([Level(rng.standard_normal((30, 8)), "fine", _spans(30, 1.0), "seconds"),
                 Level(rng.standard_normal((10, 4)), "coarse", _spans(10, 3.0), "seconds")], "audio")
    index = PyramidIndex(p)
    assert sorted(index.calibration.stats) == ["coarse", "fine"]
    hit = index.search(np.asarray(p[1][3]), k=1, levels=1)[0]
    assert (hit.level, hit.index) == (1, 3)


# ----------------------------------------------------------------------------- select_levels ---
@pytest.mark.parametrize(
    "question, granularity, rule",
    [
        ("Is there a person in the image?", "coarse", "global"),
        ("What is the scene?", "coarse", "global"),
        ("Summarize the document", "coarse", "global"),
        ("What is this text about?", "coarse", "global"),
        ("Which words are on the label?", "fine", "detail"),  # detail cues come first
        ("Where is the car?", "medium", "object"),
        ("Who designed the bridge?", "medium", "object"),
        ("How many dogs are there?", "medium", "object"),
        ("What is written on the sign in the background?", "fine", "detail"),
        ("Read the license plate", "fine", "detail"),
        ("Is there any text on the sign?", "fine", "detail"),
        ("Tell me a story", "all", "default"),
    ],
)
def test_select_levels_default_rules(question, granularity, rule):
    sel = align.select_levels(question, _grid_pyramid(), method="rules")
    assert (sel.granularity, sel.rule, sel.method) == (granularity, rule, "rules")
    expected = {"coarse": (2,), "medium": (1,), "fine": (0,), "all": (0, 1, 2)}[granularity]
    assert sel.levels == expected
    assert (sel.matched is None) == (rule == "default")


@pytest.mark.parametrize(
    "n, fine, medium, coarse",
    [
        (1, (0,), (0,), (0,)),
        (2, (0,), (0, 1), (1,)),
        (3, (0,), (1,), (2,)),
        (4, (0,), (1, 2), (3,)),
        (5, (0, 1), (2,), (3, 4)),
        (6, (0, 1), (2, 3), (4, 5)),
    ],
)
def test_select_levels_roles_by_depth(n, fine, medium, coarse):
    p = _pyr([2.0**i for i in range(n)])
    for g, want in (("fine", fine), ("medium", medium), ("coarse", coarse)):
        assert align.select_levels("anything", p, override=g).levels == want


def test_select_levels_override_and_custom_rules():
    p = _text_pyramid()
    assert align.select_levels("Where?", p, override=3) == align.LevelSelection((3,), "explicit", "override",
                                                                            method="override")
    assert align.select_levels("Where?", p, override=[2, 0, 2]).levels == (0, 2)
    assert align.select_levels("Where?", p, override="all").levels == (0, 1, 2, 3)
    ocr = align.LevelRule("ocr", "fine", r"\bocr\b")
    sel = align.select_levels("Run OCR where the car is", p, rules=(ocr,) + align.DEFAULT_RULES)
    assert (sel.rule, sel.levels, sel.matched) == ("ocr", (0,), "OCR")
    assert align.select_levels("Hello", p, default="coarse", method="rules").levels == (3,)


@pytest.mark.parametrize(
    "query, kw, match",
    [
        (42, {}, "query_text is a int"),
        ("x", {"override": "tiny"}, "override='tiny' is not supported"),
        ("x", {"override": 4}, "levels=4 is out of range"),
        ("x", {"default": "none"}, "default='none' is not supported"),
        ("x", {"rules": ["where"]}, "LevelRule objects"),
        ("  ", {}, "query_text='  ' is empty"),
        ("x", {"method": "magic"}, "method='magic' is not supported"),
    ],
)
def test_select_levels_bad_input(query, kw, match):
    with pytest.raises(PyramidError, match=match):
        align.select_levels(query, _text_pyramid(), **kw)


def test_level_rule_bad_input():
    with pytest.raises(PyramidError, match="granularity='huge'"):
        align.LevelRule("x", "huge", "a")
    with pytest.raises(PyramidError, match="not a valid regex"):
        align.LevelRule("x", "fine", "(")


# ----------------------------------------------------------------------------- align_in_time ---
def _audio_windows():
    # frames 25 ms hop 10 ms (overlapping), windows 0.5 s, clip 2 s
    frames = Level(np.ones((198, 3)), "frame", _spans(198, 0.025, hop=0.01), "seconds")
    windows = Level(np.ones((4, 3)), "window", _spans(4, 0.5), "seconds")
    clip = Level(np.ones((1, 3)), "clip", [[0.0, 2.0]], "seconds")
    return Pyramid([frames, windows, clip], "audio")


@pytest.mark.parametrize("fps", [4.0, 24.0, 25.0, 29.97, 60.0])
def test_align_in_time_exact_on_synthetic_frame_times(fps):
    p = _audio_windows()
    t = np.arange(int(2.2 * fps)) / fps  # runs past the clip's end
    res = align.align_in_time(p, t)
    assert [r.level for r in res] == [0, 1, 2] and [r.name for r in res] == ["frame", "window", "clip"]
    for r in res:
        ref = naive_frames_in_windows(p.level(r.level).extents, t)
        assert [f.tolist() for f in r.frames] == ref
        # every frame is in the window that window_of_frame names, and frames in none get -1
        for f, w in enumerate(r.window_of_frame):
            inside = [k for k, fr in enumerate(ref) if f in fr]
            if not inside:
                assert w == -1
            else:
                assert w in inside
                centres = [0.5 * sum(p.level(r.level).extents[k]) for k in inside]
                assert abs(centres[inside.index(w)] - t[f]) == min(abs(c - t[f]) for c in centres)
        m = r.mask()
        assert m.shape == (len(ref), t.size) and m.sum() == sum(len(x) for x in ref)


def test_align_in_time_boundaries_are_half_open_and_order_free():
    p = _audio_windows()
    t = np.array([1.5, 0.0, 0.5, 2.0, 1.0, 0.49])
    win = align.align_in_time(p, t, levels=1)[0]
    assert [f.tolist() for f in win.frames] == [[1, 5], [2], [4], [0]]
    assert win.window_of_frame.tolist() == [3, 0, 1, -1, 2, 0]


@pytest.mark.parametrize(
    "pyr, times, match",
    [
        ("text", np.arange(3.0), "needs extents in 'seconds'"),
        ("audio", np.array([0.0, np.nan]), "frame_times contains NaN"),
        ("audio", np.zeros((2, 2)), "need 1 dimension"),
        ("audio", np.array([]), "frame_times is empty"),
        ("audio", np.zeros((0, 2)), "need 1 dimension"),
    ],
)
def test_align_in_time_bad_input(pyr, times, match):
    p = _text_pyramid() if pyr == "text" else _audio_windows()
    with pytest.raises(PyramidError, match=match):
        align.align_in_time(p, times)
    with pytest.raises(PyramidError, match="out of range"):
        align.align_in_time(_audio_windows(), np.arange(3.0), levels=[5])


# -------------------------------------------------------------------------- level of detail ---
def _tones(sr=22050):
    t = np.arange(sr) / sr
    hum = 0.5 * np.sin(2 * np.pi * 110 * t)
    hiss = 0.5 * np.sin(2 * np.pi * 4000 * t)
    both = 0.5 * (np.sin(2 * np.pi * 110 * t) + np.sin(2 * np.pi * 150 * t) + np.sin(2 * np.pi * 3000 * t))
    quiet = 1e-6 * np.concatenate([hiss, hiss])
    return np.concatenate([hum, hiss, both, quiet]).astype(np.float32), sr


def test_audio_level_of_detail_picks_tiers_from_band_energies():
    y, sr = _tones()
    lod = align.audio_level_of_detail(y, sr, window=1.0)
    assert lod.extents.tolist() == [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]
    # window 3's first centred STFT frame still hears the loud window before it: not checked
    keep = [0, 1, 2, 4]
    assert lod.tier[keep].tolist() == [0, 2, 1, 0]
    assert lod.frame_rate[keep].tolist() == [15, 60, 30, 15]
    assert lod.resolution[keep].tolist() == [[640, 480], [1920, 1080], [1280, 720], [640, 480]]
    assert lod.silent[keep].tolist() == [False, False, False, True]
    assert 0.3 < lod.ratio[2] < 0.7  # two low tones against one high tone, windows' edges aside
    # thresholds and tiers are parameters: two tiers, the seed's rule "high > 2 * low"
    two = align.audio_level_of_detail(y, sr, window=1.0, thresholds=[2.0], frame_rates=[15, 60],
                                      resolutions=[(640, 480), (1920, 1080)], silence_db=-200)
    assert two.tier[keep].tolist() == [0, 1, 0, 1]


def _power_spectrogram(y, n_fft, hop):
    """|STFT|^2 as librosa computes it by default (centred, zero-padded, periodic Hann), in float64
    with NumPy's FFT: a reference that needs no JIT compilation."""
    yp = np.pad(y.astype(np.float64), n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(yp, n_fft)[::hop][: 1 + y.size // hop]
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    return (np.abs(np.fft.rfft(frames * w, axis=-1)) ** 2).T


def test_audio_level_of_detail_from_a_spectrogram_equals_from_audio():
    y, sr = _tones()
    # float32 audio through our STFT against a float64 reference STFT of the same samples
    S = _power_spectrogram(y, 2048, 512)
    a = align.audio_level_of_detail(y, sr, window=0.25)
    b = align.audio_level_of_detail(S=S, sr=sr, window=0.25)
    assert a.tier.tolist() == b.tier.tolist()
    assert_close(a.low_energy, b.low_energy, np.float32)
    assert_close(a.high_energy, b.high_energy, np.float32)
    # the windows' energies are the frames' band powers summed by frame centre
    frame_t = np.arange(S.shape[1]) * 512 / sr
    k = np.arange(S.shape[0]) * sr / 2048
    lowbins = (k >= 20) & (k < 200)
    w = 5
    inside = (frame_t >= 0.25 * w) & (frame_t < 0.25 * (w + 1))
    assert b.low_energy[w] == pytest.approx(S[lowbins][:, inside].sum(), rel=1e-12)


def test_audio_level_of_detail_stereo_sums_channels():
    y, sr = _tones()
    mono = align.audio_level_of_detail(y, sr, window=1.0)
    st = align.audio_level_of_detail(np.stack([y, y]), sr, window=1.0)
    assert_close(st.low_energy, 2 * mono.low_energy, np.float32, rtol=RTOL[np.dtype(np.float32)] * 10)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({}, "exactly one of y"),
        ({"y": np.zeros(100), "S": np.zeros((5, 3))}, "exactly one of y"),
        ({"y": np.zeros(4096), "low_band": (200, 20)}, "0 <= low_hz < high_hz"),
        ({"y": np.zeros(4096), "high_band": (2000, 20000)}, "above the Nyquist"),
        ({"y": np.zeros(4096), "low_band": (20, 21)}, "contains no STFT bin"),
        ({"y": np.zeros(4096), "thresholds": (2.0, 1.0)}, "increasing"),
        ({"y": np.zeros(4096), "thresholds": (2.0,)}, "need 2"),
        ({"y": np.zeros(4096), "frame_rates": (15, 30)}, "one per tier"),
        ({"y": np.zeros(4096), "window": 0}, "window=0.0 must be > 0"),
        ({"y": np.zeros(4096), "silence_db": 3}, "silence_db=3.0 must be <= 0"),
        ({"S": -np.ones((5, 3))}, "negative"),
        ({"y": np.zeros(4096), "low_band": "bass"}, "must be a"),
    ],
)
def test_audio_level_of_detail_bad_input(kw, match):
    with pytest.raises(PyramidError, match=match):
        align.audio_level_of_detail(sr=22050, **kw)


def test_audio_level_of_detail_on_a_real_chirp(recording):
    # tests/data's chirp sweeps upwards from 50 Hz: its first quarter second lies in the bass band,
    # the rest is high-frequency energy
    y, sr = recording("chirp")
    lod = align.audio_level_of_detail(y, sr, window=0.25)
    assert lod.extents.shape == (16, 2) and lod.extents[-1, 1] == pytest.approx(4.0)
    assert lod.tier[0] == 0 and (lod.tier[1:] == 2).all()
    assert lod.frame_rate[0] == 15 and (lod.frame_rate[1:] == 60).all()


@pytest.mark.parametrize("module", ["pyramids.matching", "pyramids.retrieval", "pyramids.selection",
                                    "pyramids.timeline", "pyramids.lod"])
def test_docstring_examples_of_the_align_modules_run(module):
    # pyramids.align re-exports these modules' names; their Examples are tested where they live
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 0


def test_align_reexports_every_public_name():
    import pyramids.align as a

    for name in a.__all__:
        assert getattr(a, name) is not None


# ------------------------------------------------------------------- match_levels: no counterpart ---
def _seconds_pyr(spec):
    return Pyramid([Level(np.ones((n, 4)), name, [[k * w, (k + 1) * w] for k in range(n)], "seconds")
                    for name, n, w in spec], "audio")


def test_match_levels_no_counterpart_when_scales_do_not_overlap():
    audio = _seconds_pyr([("frame", 200, 0.025), ("window", 10, 0.5), ("clip", 1, 5.0)])
    words = _seconds_pyr([("word", 20, 0.3), ("sentence", 4, 3.0), ("paragraph", 1, 12.0)])
    m = align.match_levels(audio, words, max_ratio=3)
    # 25 ms frames have no partner within a factor 3 (words last 0.3 s), nor do 12 s paragraphs
    assert m.pairs == ((1, 0), (2, 1)) and m.unmatched == ((0,), (2,))
    assert m.counterpart(0) is None and m.counterpart(1) == 0 and m.counterpart(1, side="b") == 2
    assert "no counterpart" in str(m)
    # every pair kept is within the ratio, the order is kept
    for r in m.table:
        assert max(r["a_scale"], r["b_scale"]) / min(r["a_scale"], r["b_scale"]) <= 3
    # disjoint ranges: nothing pairs
    far = _seconds_pyr([("hour", 2, 3600.0), ("day", 1, 7200.0)])
    assert align.match_levels(audio, far, max_ratio=4).pairs == ()
    # without max_ratio every level of the shorter pyramid is paired, as before
    assert len(align.match_levels(audio, words).pairs) == 3
    with pytest.raises(PyramidError, match="max_ratio=1.0 must be a finite number > 1"):
        align.match_levels(audio, words, max_ratio=1)
    with pytest.raises(PyramidError, match="max_ratio compares scales"):
        align.match_levels(audio, words, method="rank", max_ratio=2)
