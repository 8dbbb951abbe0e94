"""Time as the shared axis: which elements of one pyramid fall in which spans of another."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_features, as_level_index, is_pyramid, to_host
from ._roles import _check_pyramid
from .core import PyramidError
from .selection import _resolve_levels

__all__ = ["align_in_time", "TimeAlignment", "locate", "Location"]


class TimeAlignment(NamedTuple):
    """Which frames fall into which window of one level (:func:`align_in_time`).

    level, name : the level.
    extents : ``(n_windows, 2)`` window spans ``[start, end)`` in seconds.
    frames : list of ``n_windows`` int arrays, the indices of the frame times in each window
        (ascending).
    window_of_frame : ``(n_frames,)`` int array: the window containing each frame (if windows
        overlap, the one whose centre is nearest the frame; ties to the earlier window), or -1.
    """

    level: int
    name: str
    extents: np.ndarray
    frames: list
    window_of_frame: np.ndarray

    def mask(self) -> np.ndarray:
        """``(n_windows, n_frames)`` boolean membership, e.g. a mask for
        :func:`pyramids.fusion.cross_attention` from audio windows to video frames."""
        m = np.zeros((len(self.frames), self.window_of_frame.size), dtype=bool)
        for w, f in enumerate(self.frames):
            m[w, f] = True
        return m


def _frames_in_spans(starts, ends, t):
    """Pairs (window, frame) with ``starts[w] <= t[f] < ends[w]``, grouped by window."""
    order = np.argsort(starts, kind="stable")
    s_sorted = starts[order]
    longest = float((ends - starts).max()) if starts.size else 0.0
    # only windows starting in (t - longest, t] can contain t
    lo = np.searchsorted(s_sorted, t - longest, side="left")
    hi = np.searchsorted(s_sorted, t, side="right")
    counts = hi - lo
    total = int(counts.sum())
    frame_idx = np.repeat(np.arange(t.size), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    win_idx = order[np.repeat(lo, counts) + offsets]
    keep = (starts[win_idx] <= t[frame_idx]) & (t[frame_idx] < ends[win_idx])
    return win_idx[keep], frame_idx[keep]


def align_in_time(audio_pyramid, frame_times, *, levels=None, other_level: int = 0):
    """Which video frames fall into which audio window, at each level, from the extents.

    A frame at time ``t`` belongs to every window ``[start, end)`` with ``start <= t < end``
    (half-open, so a frame on a boundary belongs to the later window only).

    Parameters
    ----------
    audio_pyramid : Pyramid
        A pyramid in seconds (any modality whose extents are time spans).
    frame_times : np.ndarray [shape=(n_frames,)], or Pyramid
        Frame timestamps in seconds (e.g. ``np.arange(n) / fps``), in any order; or another
        pyramid in seconds (a :class:`~pyramids.VideoPyramid`, a text pyramid with word timings
        from :meth:`~pyramids.TextPyramid.from_transcript`), whose elements at ``other_level``
        are placed by the centres of their extents.
    levels : int or sequence of int, optional
        Default: every level.
    other_level : int
        The level of ``frame_times`` when it is a pyramid.

    Returns
    -------
    list of TimeAlignment
        One per requested level, finest first.

    Raises
    ------
    PyramidError
        A pyramid not in seconds, frame times that are not a finite 1-D array, levels out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid, align
    >>> win = Level(np.zeros((4, 2)), "window", [[0, .5], [.5, 1], [1, 1.5], [1.5, 2]], "seconds")
    >>> clip = Level(np.zeros((1, 2)), "clip", [[0, 2]], "seconds")
    >>> p = Pyramid([win, clip], "audio")
    >>> t = np.arange(8) / 4.0                          # 4 fps
    >>> a = align.align_in_time(p, t)
    >>> [f.tolist() for f in a[0].frames], a[1].frames[0].tolist()
    ([[0, 1], [2, 3], [4, 5], [6, 7]], [0, 1, 2, 3, 4, 5, 6, 7])
    """
    _check_pyramid(audio_pyramid, "audio_pyramid")
    if audio_pyramid.units != "seconds":
        raise PyramidError(
            f"audio_pyramid has units {audio_pyramid.units!r}: align_in_time needs extents in 'seconds'"
        )
    if is_pyramid(frame_times):
        if frame_times.units != "seconds":
            raise PyramidError(
                f"frame_times is a pyramid in {frame_times.units!r}: need one in 'seconds' (text needs word "
                "timings: TextPyramid.from_transcript or pyramids.sync.text_in_seconds)"
            )
        ext = frame_times.level(as_level_index(other_level, len(frame_times), "other_level")).extents
        frame_times = 0.5 * (ext[:, 0] + ext[:, 1])
    t = to_host(as_features(frame_times, "frame_times", min_ndim=1, max_ndim=1)).astype(np.float64)
    if t.size == 0:
        raise PyramidError("frame_times is empty: need at least one frame time")
    idx = _resolve_levels(levels, audio_pyramid, None, None)
    out = []
    for i in idx:
        lv = audio_pyramid.level(i)
        ext = lv.extents
        starts, ends = ext[:, 0], ext[:, 1]
        win, fr = _frames_in_spans(starts, ends, t)
        order = np.lexsort((fr, win))
        win, fr = win[order], fr[order]
        bounds = np.searchsorted(win, np.arange(ext.shape[0] + 1))
        frames = [fr[bounds[w]:bounds[w + 1]] for w in range(ext.shape[0])]
        # a frame in several windows goes to the nearest centre (ties: earlier window)
        best = np.full(t.size, -1, dtype=np.int64)
        dist = np.abs(0.5 * (starts[win] + ends[win]) - t[fr])
        pick = np.lexsort((win, dist, fr))
        fr_p, win_p = fr[pick], win[pick]
        first = np.ones(fr_p.size, dtype=bool)
        first[1:] = fr_p[1:] != fr_p[:-1]
        best[fr_p[first]] = win_p[first]
        out.append(TimeAlignment(i, lv.name, ext, frames, best))
    return out


# ---------------------------------------------------------------------------------------------
# search in time
# ---------------------------------------------------------------------------------------------
class Location(NamedTuple):
    """Where :func:`locate` found the query.

    start, end : seconds in the searched pyramid's time (``end = start + the query's duration``).
    score : mean cosine of the query's frames with the aligned frames (after centring).
    frame : index of the searched pyramid's frame where the query starts.
    elements : for every level of the searched pyramid, finest first, the index of the element
        that holds ``start`` (with overlapping windows, the last one starting at or before it).
    coarse_candidates : the starts (seconds) the coarse pass kept for refinement.
    """

    start: float
    end: float
    score: float
    frame: int
    elements: tuple
    coarse_candidates: tuple


def _frames_matrix(p, name):
    lv = p.level(0)
    if lv.units != "seconds":
        raise PyramidError(f"{name} has units {lv.units!r}: locate searches pyramids in 'seconds'")
    x = to_host(lv.data).astype(np.float64)
    return x.reshape(x.shape[0], -1), lv.extents


def _unit(x):
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(n > 0, n, 1.0)


def locate(query, pyramid, *, block=None, candidates: int = 3, centre: bool = True) -> Location:
    """Find a query recording inside a longer one, coarse to fine, at any grid phase.

    ``query`` and ``pyramid`` are pyramids of the same builder and parameters (e.g.
    :meth:`pyramids.AudioPyramid.temporal` with the same ``frame`` and features): their level 0
    holds per-frame features. A query cut at an arbitrary time starts between the searched
    pyramid's window boundaries, so its windows match none of the searched windows exactly. The
    coarse pass therefore compares the query's blocks of ``block`` frames with the searched
    frames pooled over a *sliding* block (every frame offset, i.e. every phase), keeps the
    ``candidates`` best starts (at least a block apart), and the fine pass scores every
    frame offset within one block of each by the mean cosine of the aligned frames.

    Parameters
    ----------
    query, pyramid : Pyramid
        In seconds, level 0 with one feature vector per frame (same frame length). A
        multichannel frame ``(C, D)`` is compared on all its channels at once.
    block : int, optional
        Frames per coarse block; default the query's window length in frames (its level 1
        scale over its frame length), or the whole query when it has fewer than two windows.
    candidates : int >= 1
        Coarse starts refined at the frame level.
    centre : bool
        Subtract the searched pyramid's mean frame first (cosines then compare deviations from
        the recording's average, which log-mel features need).

    Returns
    -------
    Location

    Raises
    ------
    PyramidError
        Pyramids not in seconds, frames of different feature sizes or lengths, a query longer
        than the searched recording.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import AudioPyramid, align
    >>> rng = np.random.default_rng(0)
    >>> sr = 8000
    >>> y = rng.standard_normal(4 * sr).astype(np.float32) * np.repeat(rng.random(80), sr // 20)
    >>> ref = AudioPyramid.temporal(y, sr, frame=0.025, window=0.25, clip=1.0)
    >>> q = AudioPyramid.temporal(y[13370:13370 + sr], sr, frame=0.025, window=0.25, clip=1.0)
    >>> loc = align.locate(q, ref)
    >>> round(loc.start, 3), round(13370 / sr, 3)
    (1.675, 1.671)
    """
    _check_pyramid(query, "query")
    _check_pyramid(pyramid, "pyramid")
    Fq, eq = _frames_matrix(query, "query")
    Fr, er = _frames_matrix(pyramid, "pyramid")
    if Fq.shape[1] != Fr.shape[1]:
        raise PyramidError(f"query frames have {Fq.shape[1]} features and pyramid frames {Fr.shape[1]}: build both "
                           "with the same features")
    lq, lr = float(np.mean(eq[:, 1] - eq[:, 0])), float(np.mean(er[:, 1] - er[:, 0]))
    if abs(lq - lr) > 1e-6 * max(lq, lr):
        raise PyramidError(f"query frames last {lq:g} s and pyramid frames {lr:g} s: build both with the same frame")
    m, n = len(Fq), len(Fr)
    if m > n:
        raise PyramidError(f"query has {m} frames and pyramid {n}: the query must be shorter than the recording")
    if isinstance(candidates, bool) or not isinstance(candidates, (int, np.integer)) or candidates < 1:
        raise PyramidError(f"candidates={candidates!r} must be an integer >= 1")
    if centre:
        mu = Fr.mean(axis=0)
        Fq, Fr = Fq - mu, Fr - mu
    if block is None:
        block = int(round(query.level(1).scale / lq)) if len(query) > 1 else m
        block = block if 2 * block <= m else m
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or not 1 <= block <= m:
        raise PyramidError(f"block={block!r} must be an integer in [1, {m}] (frames of the query)")
    n_off = n - m + 1
    # coarse: the query's blocks against sliding block means of the recording (every phase)
    nb = m // block
    Qb = _unit(Fq[: nb * block].reshape(nb, block, -1).mean(axis=1))
    c = np.vstack([np.zeros((1, Fr.shape[1])), np.cumsum(Fr, axis=0)])
    Rb = _unit((c[block:] - c[:-block]) / block)                     # (n - block + 1, D)
    S = Qb @ Rb.T                                                     # (nb, n - block + 1)
    coarse = np.array([S[np.arange(nb), s + block * np.arange(nb)].mean() for s in range(n_off)])
    picks = []
    for s in np.argsort(-coarse, kind="stable"):
        if all(abs(int(s) - p) >= block for p in picks):
            picks.append(int(s))
        if len(picks) == candidates:
            break
    # fine: every frame offset within a block of each candidate
    Qf, Rf = _unit(Fq), _unit(Fr)
    best, best_score = picks[0], -np.inf
    for p in picks:
        for s in range(max(0, p - block), min(n_off, p + block + 1)):
            score = float(np.einsum("ij,ij->", Qf, Rf[s:s + m]) / m)
            if score > best_score + 1e-12:
                best, best_score = s, score
    start = float(er[best, 0])
    elements = []
    for lv in pyramid.levels:
        ext = lv.extents
        elements.append(int(max(np.searchsorted(ext[:, 0], start + 1e-9, side="right") - 1, 0)))
    return Location(start, start + float(eq[-1, 1] - eq[0, 0]), best_score, best, tuple(elements),
                    tuple(float(er[p, 0]) for p in picks))
