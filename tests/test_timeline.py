"""Time as the shared axis (issue 22): overlapping temporal windows, coarse-to-fine search in time
on the recordings in tests/data, text with word timings in seconds, align_in_time across
modalities, video pyramids with shot cuts, beat / cut synchronisation. ``pytest -s`` prints the
measured errors and timings."""
import time

import numpy as np
import pytest

from conftest import load_recording
from pyramids import AudioPyramid, PyramidError, align

FRAME, WINDOW, CLIP = 0.025, 0.5, 5.0


# ------------------------------------------------------------------------- temporal(hop=...) ---
def test_temporal_hop_windows_overlap_and_pool_what_they_cover():
    y, sr = load_recording("speech16k")
    p = AudioPyramid.temporal(y, sr, frame=FRAME, window=WINDOW, clip=CLIP, hop=0.1)
    frames, win, clip = p.level(0), p.level(1), p.level(2)
    L = int(round(FRAME * sr))
    assert win.meta["hop"] == pytest.approx(0.1)
    starts = win.extents[:, 0]
    np.testing.assert_allclose(starts, np.arange(len(starts)) * 0.1, atol=1e-12)
    # each window is the mean of the frames starting in [k hop, k hop + window), against a loop
    f0 = frames.extents[:, 0]
    for k in (0, 7, len(starts) - 1):
        sel = (f0 >= k * 0.1 - 1e-9) & (f0 < k * 0.1 + WINDOW - 1e-9)
        np.testing.assert_allclose(win.data[k], frames.data[sel].mean(axis=0), rtol=1e-5, atol=1e-4)
        assert win.extents[k].tolist() == [f0[sel][0], f0[sel][-1] + L / sr]
    # clips pool frames (not overlapping windows): the same clips as without hop
    plain = AudioPyramid.temporal(y, sr, frame=FRAME, window=WINDOW, clip=CLIP)
    np.testing.assert_array_equal(clip.extents, plain.level(2).extents)
    np.testing.assert_array_equal(win.extents[::5], plain.level(1).extents[: len(win.extents[::5])])
    # hop = window gives the tiling
    same = AudioPyramid.temporal(y, sr, frame=FRAME, window=WINDOW, clip=CLIP, hop=WINDOW)
    np.testing.assert_allclose(same.level(1).data, plain.level(1).data, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("hop, match", [(0.6, r"hop=0.6 s must lie in \[frame, window\]"),
                                        (0.01, "hop=0.01 s must lie"), (0.0301, "whole number of frames"),
                                        (-1, "hop")])
def test_temporal_hop_bad_input(hop, match):
    y = np.zeros(16000, np.float32)
    with pytest.raises(PyramidError, match=match):
        AudioPyramid.temporal(y, 16000, frame=FRAME, window=WINDOW, clip=1.0, hop=hop)


# --------------------------------------------------------------------------------- locate ---
@pytest.mark.parametrize("name", ["speech", "speech16k", "chirp", "chord"])
def test_locate_finds_a_2s_query_at_a_random_offset(name):
    y, sr = load_recording(name)
    ref = AudioPyramid.temporal(y, sr, frame=FRAME, window=WINDOW, clip=CLIP)
    rng = np.random.default_rng(sum(map(ord, name)))
    n = y.shape[-1]
    report = []
    for _ in range(4):
        i0 = int(rng.integers(0, n - 2 * sr))
        t0 = i0 / sr
        q = AudioPyramid.temporal(y[..., i0:i0 + 2 * sr], sr, frame=FRAME, window=WINDOW, clip=CLIP)
        tic = time.perf_counter()
        loc = align.locate(q, ref)
        dt = time.perf_counter() - tic
        L = ref.level(0).extents[0, 1]
        err = loc.start - t0
        report.append((t0, err, dt))
        assert abs(err) <= L + 1e-9, (name, t0, loc)  # within one frame at the finest level
        for i in range(1, len(ref)):  # the right element at every coarser level
            ext = ref.level(i).extents
            want = int(np.searchsorted(ext[:, 0], t0, side="right") - 1)
            near_edge = np.min(np.abs(ext[:, 0] - t0)) < L
            assert loc.elements[i] == want or near_edge, (name, t0, i, loc)
    print(f"\n{name}: " + "; ".join(f"query at {t:.3f} s: error {e * 1e3:+.1f} ms ({d * 1e3:.1f} ms)"
                                   for t, e, d in report))


def test_locate_beats_window_grid_matching():
    # matching window against window (the grid phase fixed) errs by up to half a window
    y, sr = load_recording("speech")
    ref = AudioPyramid.temporal(y, sr, frame=FRAME, window=WINDOW, clip=CLIP)
    t0 = 3.2171
    i0 = int(round(t0 * sr))
    q = AudioPyramid.temporal(y[i0:i0 + 2 * sr], sr, frame=FRAME, window=WINDOW, clip=CLIP)
    loc = align.locate(q, ref)
    assert abs(loc.start - t0) <= FRAME
    assert len(loc.coarse_candidates) == 3 and loc.end == pytest.approx(loc.start + 2.0, abs=FRAME)


def test_locate_bad_input():
    y, sr = load_recording("speech16k")
    ref = AudioPyramid.temporal(y, sr, frame=FRAME, window=WINDOW, clip=CLIP)
    other = AudioPyramid.temporal(y[: 2 * sr], sr, frame=0.02, window=WINDOW, clip=CLIP)
    with pytest.raises(PyramidError, match="frames last 0.02 s"):
        align.locate(other, ref)
    mfcc = AudioPyramid.temporal(y[: 2 * sr], sr, frame=FRAME, window=WINDOW, clip=CLIP, feature="mfcc")
    with pytest.raises(PyramidError, match="13 features and pyramid frames 40"):
        align.locate(mfcc, ref)
    with pytest.raises(PyramidError, match="shorter than the recording"):
        align.locate(ref, AudioPyramid.temporal(y[: 2 * sr], sr, frame=FRAME, window=WINDOW, clip=CLIP))
    q = AudioPyramid.temporal(y[: 2 * sr], sr, frame=FRAME, window=WINDOW, clip=CLIP)
    with pytest.raises(PyramidError, match="candidates=0"):
        align.locate(q, ref, candidates=0)
    with pytest.raises(PyramidError, match="block=0"):
        align.locate(q, ref, block=0)
