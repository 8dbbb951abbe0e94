"""Video pyramids: frames -> shots -> scenes, with extents in seconds.

Shot boundaries are found by histogram scene-cut detection: each frame's colour histogram
(``bins`` per channel, normalised to sum 1) is compared with the previous frame's by total
variation distance ``d = 0.5 * sum |h_t - h_{t-1}|`` (0: the same colours, 1: disjoint); a cut is
where ``d`` exceeds ``cut_threshold``. A hard cut changes the colour distribution at once, while
motion inside a shot moves pixels without changing their histogram much, which is why histograms
(and not pixel differences) are the classic detector. Scenes group shots by recurrence (the
scene transition graph idea of Yeung and Yeo): shot ``j`` *links back* to an earlier shot ``i``
(at most ``scene_window`` shots before) when their mean histograms are within ``scene_threshold``;
shots spanned by a link belong to one scene. A dialogue cut as shot / reverse shot / shot /
reverse shot (A B A B) is therefore one scene, and a new scene starts where no link crosses.

Every frame's spatial Gaussian pyramid is available through :meth:`VideoPyramid.frame_pyramid`.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_float, check_int
from .core import Level, Pyramid, PyramidError

__all__ = ["VideoPyramid", "frame_histograms", "detect_cuts"]


def _as_frames(frames):
    try:
        x = np.asarray(frames)
    except Exception as exc:
        raise PyramidError(f"frames could not be converted to an array: {exc}") from None
    if x.ndim not in (3, 4):
        raise PyramidError(f"frames has shape {x.shape}: need (n_frames, H, W) or (n_frames, H, W, channels)")
    if x.shape[0] == 0:
        raise PyramidError(f"frames has shape {x.shape}: a video with zero frames has nothing to index")
    if x.shape[1] == 0 or x.shape[2] == 0:
        raise PyramidError(f"frames has shape {x.shape}: frames must have at least one pixel")
    if x.dtype.kind not in "uif":
        raise PyramidError(f"frames has dtype {x.dtype}: need real pixel values")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise PyramidError("frames contains NaN or infinity")
    return x if x.ndim == 4 else x[..., None]


def frame_histograms(frames, bins: int = 8, value_range=None) -> np.ndarray:
    """Per-frame colour histograms, ``bins`` per channel, each channel's histogram summing to 1/C.

    Parameters
    ----------
    frames : np.ndarray [shape=(T, H, W)] or [shape=(T, H, W, C)]
    bins : int >= 2
    value_range : (float, float), optional
        Default ``(0, 256)`` for integer frames, ``(0, 1)`` for float frames.

    Returns
    -------
    np.ndarray [shape=(T, C * bins)]
        float64; each row sums to 1.

    Examples
    --------
    >>> import numpy as np
    >>> h = frame_histograms(np.zeros((2, 4, 4, 3), np.uint8), bins=4)
    >>> h.shape, h[0].tolist()[:4], float(h[0].sum())
    ((2, 12), [0.3333333333333333, 0.0, 0.0, 0.0], 1.0)
    """
    x = _as_frames(frames)
    bins = check_int("bins", bins, minimum=2)
    lo, hi = value_range if value_range is not None else ((0.0, 256.0) if x.dtype.kind in "ui" else (0.0, 1.0))
    t, _, _, c = x.shape
    idx = np.clip(((x.astype(np.float64) - lo) / (hi - lo) * bins).astype(np.int64), 0, bins - 1)
    idx = idx.reshape(t, -1, c) + bins * np.arange(c)
    out = np.zeros((t, c * bins))
    for k in range(t):
        out[k] = np.bincount(idx[k].ravel(), minlength=c * bins)
    return out / out.sum(axis=1, keepdims=True)


def detect_cuts(frames=None, *, histograms=None, bins: int = 8, cut_threshold: float = 0.4,
                min_shot: int = 1) -> np.ndarray:
    """Shot boundaries: the frames that start a new shot (frame 0 excluded).

    Parameters
    ----------
    frames : np.ndarray [shape=(T, H, W[, C])], optional
    histograms : np.ndarray [shape=(T, B)], optional
        Instead of ``frames`` (e.g. from :func:`frame_histograms`).
    bins : int
    cut_threshold : float in (0, 1)
        Total variation distance between consecutive histograms above which a cut is declared.
    min_shot : int >= 1
        Shortest shot in frames: a cut closer than this to the previous one is dropped (flashes).

    Returns
    -------
    np.ndarray [shape=(n_cuts,)]
        int64 frame indices, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> v = np.concatenate([np.zeros((5, 8, 8)), np.ones((5, 8, 8))])   # black, then white
    >>> detect_cuts(v).tolist()
    [5]
    """
    if (frames is None) == (histograms is None):
        raise PyramidError("detect_cuts needs exactly one of frames or histograms")
    h = frame_histograms(frames, bins) if histograms is None else np.asarray(histograms, dtype=np.float64)
    if h.ndim != 2 or h.shape[0] == 0:
        raise PyramidError(f"histograms has shape {h.shape}: need (n_frames, n_bins) with n_frames >= 1")
    thr = check_float("cut_threshold", cut_threshold, minimum=0.0, strict_minimum=True)
    if thr >= 1:
        raise PyramidError(f"cut_threshold={thr} must be < 1 (a total variation distance lies in [0, 1])")
    min_shot = check_int("min_shot", min_shot, minimum=1)
    d = 0.5 * np.abs(np.diff(h, axis=0)).sum(axis=1)
    cuts, last = [], 0
    for t in np.flatnonzero(d > thr) + 1:
        if t - last >= min_shot:
            cuts.append(int(t))
            last = int(t)
    return np.asarray(cuts, dtype=np.int64)


def _pool(x, bounds):
    return np.stack([x[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])


class VideoPyramid(Pyramid, modality="video"):
    """A :class:`Pyramid` of a video: ``'frame'``, ``'shot'`` and ``'scene'`` levels, extents in
    seconds. ``meta['cuts']`` holds the shot boundaries (frame indices), ``meta['fps']`` the rate."""

    __slots__ = ("_frames",)

    @classmethod
    def from_frames(cls, frames, fps, *, features=None, bins: int = 8, cut_threshold: float = 0.4,
                    scene_threshold: float = 0.25, scene_window: int = 3, min_shot: int = 1,
                    keep_frames: bool = True) -> "VideoPyramid":
        """Frames -> shots (between detected cuts) -> scenes (runs of similar-looking shots).

        Parameters
        ----------
        frames : np.ndarray [shape=(T, H, W)] or [shape=(T, H, W, C)]
            uint8 (0..255) or float (0..1) pixels.
        fps : float > 0
            Frame ``t`` covers ``[t / fps, (t + 1) / fps)`` seconds.
        features : np.ndarray [shape=(T, D)], optional
            Per-frame features for the levels (e.g. an image encoder's frame embeddings); shots
            and scenes are their means. Default: the colour histograms used for cut detection.
        bins, cut_threshold, min_shot : as in :func:`detect_cuts`.
        scene_threshold : float in [0, 1)
            Two shots look alike when the total variation distance between their mean
            histograms is at most this.
        scene_window : int >= 1
            How many shots back a shot may link to.
        keep_frames : bool
            Keep the frames for :meth:`frame_pyramid` (``meta`` does not hold them; they are not saved).

        Returns
        -------
        VideoPyramid

        Raises
        ------
        PyramidError
            A video with zero frames, frames that are not (T, H, W[, C]), a bad fps, features
            whose row count is not the number of frames, thresholds out of range.

        Examples
        --------
        >>> import numpy as np
        >>> red, blue = np.zeros((8, 8, 3)), np.zeros((8, 8, 3))
        >>> red[..., 0], blue[..., 2] = 1, 1
        >>> frames = np.stack([red] * 6 + [blue] * 4 + [red] * 5)
        >>> v = VideoPyramid.from_frames(frames, fps=5)
        >>> v.names, v.shapes[:2], v.meta["cuts"]
        (('frame', 'shot', 'scene'), ((15, 24), (3, 24)), (6, 10))
        >>> v.level(1).extents.tolist()
        [[0.0, 1.2], [1.2, 2.0], [2.0, 3.0]]
        """
        x = _as_frames(frames)
        fps = check_float("fps", fps, minimum=0.0, strict_minimum=True)
        scene_threshold = check_float("scene_threshold", scene_threshold, minimum=0.0)
        if scene_threshold >= 1:
            raise PyramidError(f"scene_threshold={scene_threshold} must be < 1")
        hist = frame_histograms(x, bins)
        t = x.shape[0]
        if features is None:
            feats = hist
        else:
            feats = np.asarray(features, dtype=np.float64)
            if feats.ndim != 2 or feats.shape[0] != t:
                raise PyramidError(f"features has shape {feats.shape}: need ({t}, D), one row per frame")
        cuts = detect_cuts(histograms=hist, cut_threshold=cut_threshold, min_shot=min_shot)
        sb = np.r_[0, cuts, t]
        shot_hist = _pool(hist, sb)
        n_shots = len(sb) - 1
        scene_window = check_int("scene_window", scene_window, minimum=1)
        joined = np.zeros(n_shots, dtype=bool)  # joined[k]: shot k is in the scene of shot k - 1
        for j in range(1, n_shots):
            for i in range(max(0, j - scene_window), j):
                if 0.5 * np.abs(shot_hist[j] - shot_hist[i]).sum() <= scene_threshold:
                    joined[i + 1:j + 1] = True
        scene_starts = [k for k in range(n_shots) if not joined[k]]
        cb = np.r_[sb[scene_starts], t]
        f_ext = np.stack([np.arange(t), np.arange(1, t + 1)], axis=1) / fps
        levels = [
            Level(feats, "frame", f_ext, "seconds", {"seconds": 1 / fps}),
            Level(_pool(feats, sb), "shot", np.stack([sb[:-1], sb[1:]], axis=1) / fps, "seconds"),
            Level(_pool(feats, cb), "scene", np.stack([cb[:-1], cb[1:]], axis=1) / fps, "seconds"),
        ]
        meta = dict(builder="from_frames", fps=fps, cuts=tuple(int(c) for c in cuts),
                    cut_times=tuple(float(c / fps) for c in cuts), frame_shape=tuple(x.shape[1:]))
        p = cls(levels, "video", meta)
        p._frames = x if keep_frames else None
        return p

    def frame_pyramid(self, t: int, levels: int = 3, **kwargs):
        """Frame ``t``'s spatial Gaussian pyramid (:meth:`pyramids.ImagePyramid.gaussian`).

        Raises
        ------
        PyramidError
            ``t`` out of range, or a pyramid built with ``keep_frames=False`` (or loaded from disk).
        """
        from .image import ImagePyramid

        x = getattr(self, "_frames", None)
        if x is None:
            raise PyramidError("this video pyramid does not hold its frames (keep_frames=False, or loaded/sliced)")
        t = check_int("t", t, minimum=-x.shape[0])
        if t >= x.shape[0]:
            raise PyramidError(f"t={t} is out of range for a video of {x.shape[0]} frames")
        frame = x[t]
        if frame.shape[-1] == 1:
            return ImagePyramid.gaussian(frame[..., 0].astype(np.float64), levels, **kwargs)
        return ImagePyramid.gaussian(frame.astype(np.float64), levels, channel_axis=-1, **kwargs)

