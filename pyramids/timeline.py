"""Time as the shared axis: which elements of one pyramid fall in which spans of another."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_features, to_host
from ._roles import _check_pyramid
from .core import PyramidError
from .selection import _resolve_levels

__all__ = ["align_in_time", "TimeAlignment"]


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


def align_in_time(audio_pyramid, frame_times, *, levels=None):
    """Which video frames fall into which audio window, at each level, from the extents.

    A frame at time ``t`` belongs to every window ``[start, end)`` with ``start <= t < end``
    (half-open, so a frame on a boundary belongs to the later window only).

    Parameters
    ----------
    audio_pyramid : Pyramid
        A pyramid in seconds (any modality whose extents are time spans).
    frame_times : np.ndarray [shape=(n_frames,)]
        Frame timestamps in seconds (e.g. ``np.arange(n) / fps``), in any order.
    levels : int or sequence of int, optional
        Default: every level.

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
