"""Time as the shared axis between text, audio and video.

- :func:`text_in_seconds` turns a text pyramid's character spans into seconds from word timings
  (a transcript with word start/end times, as ASR tools emit), and
  :meth:`pyramids.TextPyramid.from_transcript` builds such a pyramid from the words directly.
- :func:`overlap_in_time` says how many seconds each element of one level shares with each
  element of another, so sentences pair with audio windows or video shots by time, not by rank.
- :func:`sync_beats` finds the offset that best lines up music beats with video cuts.

Music-video synchronisation needs beat times. The features issue builds ``beat_track``; until it
lands, :func:`sync_beats` takes the beat times explicitly (from any beat tracker).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import is_pyramid
from ._checks import check_float
from .core import Level, Pyramid, PyramidError

__all__ = ["text_in_seconds", "transcript_text", "overlap_in_time", "sync_beats", "beat_times", "BeatSync"]


def _word_times(word_times, n, name="word_times"):
    try:
        t = np.asarray(word_times, dtype=np.float64)
    except (TypeError, ValueError):
        raise PyramidError(f"{name} must be numbers: (start, end) seconds per word") from None
    if t.shape != (n, 2):
        raise PyramidError(f"{name} has shape {t.shape}: need ({n}, 2), one (start, end) in seconds per word")
    if not np.isfinite(t).all() or (t < 0).any():
        raise PyramidError(f"{name} must be finite and non-negative seconds")
    bad = np.flatnonzero(t[:, 1] < t[:, 0])
    if bad.size:
        i = int(bad[0])
        raise PyramidError(f"{name}[{i}]={t[i].tolist()} ends before it starts: timings must be increasing")
    bad = np.flatnonzero(t[1:, 0] < t[:-1, 1] - 1e-9)
    if bad.size:
        i = int(bad[0]) + 1
        raise PyramidError(
            f"{name}[{i}] starts at {t[i, 0]:g} s, before word {i - 1} ends ({t[i - 1, 1]:g} s): word "
            "timings must be increasing and not overlap"
        )
    return t


def text_in_seconds(pyramid, word_spans, word_times) -> Pyramid:
    """The same text pyramid with extents in seconds, from word timings.

    Character positions map to time piecewise linearly through the knots ``(word start char,
    word start time)`` and ``(word end char, word end time)``: a sentence (trimmed to its first
    and last word) spans exactly from its first word's start to its last word's end; a token
    inside a word gets the matching share of the word's time; a gap between words maps onto the
    pause between them.

    Parameters
    ----------
    pyramid : TextPyramid
        In ``'chars'`` (e.g. :meth:`~pyramids.TextPyramid.from_text` of the transcript).
    word_spans : array_like [shape=(n_words, 2)]
        Each word's character span ``[start, end)`` in the text, increasing.
    word_times : array_like [shape=(n_words, 2)]
        Each word's ``(start, end)`` in seconds, increasing and not overlapping.

    Returns
    -------
    Pyramid
        The same levels and data, ``units='seconds'``; ``meta['time_source'] = 'word timings'``.

    Raises
    ------
    PyramidError
        A pyramid not in chars, shapes that do not match, timings that are not increasing (or
        overlap), word spans that are not increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import TextPyramid, sync
    >>> text = "Hello there. Bye now."
    >>> spans = [(0, 5), (6, 12), (13, 16), (17, 21)]
    >>> p = TextPyramid.from_tokens(np.eye(4), text, spans)
    >>> t = sync.text_in_seconds(p, spans, [(0.5, 0.9), (1.0, 1.4), (3.0, 3.2), (3.3, 3.8)])
    >>> t.units, t.level(1).extents.tolist()
    ('seconds', [[0.5, 1.4], [3.0, 3.8]])
    """
    if not is_pyramid(pyramid) or pyramid.units != "chars":
        raise PyramidError("pyramid must be a text pyramid in 'chars' (e.g. TextPyramid.from_text of the transcript)")
    try:
        spans = np.asarray(word_spans, dtype=np.float64)
    except (TypeError, ValueError):
        raise PyramidError("word_spans must be (start, end) character positions") from None
    if spans.ndim != 2 or spans.shape[1] != 2 or spans.shape[0] == 0:
        raise PyramidError(f"word_spans has shape {spans.shape}: need (n_words, 2), n_words >= 1")
    times = _word_times(word_times, spans.shape[0])
    knots_c = spans.ravel()
    if (np.diff(knots_c) < 0).any():
        raise PyramidError("word_spans must be increasing and not overlap: [start, end) per word, in text order")
    knots_t = times.ravel()
    # repeated character knots (a word ending where the next starts) keep the later time
    levels = []
    for lv in pyramid.levels:
        ext = np.interp(lv.extents, knots_c, knots_t)
        levels.append(Level(lv.data, lv.name, ext, "seconds", lv.meta))
    return Pyramid(levels, pyramid.modality, dict(pyramid.meta, time_source="word timings"))


def transcript_text(words, *, paragraph_gap=None):
    """The text of a transcript and each word's character span.

    Parameters
    ----------
    words : sequence of (word, start, end) or of dicts with keys ``'word'``, ``'start'``, ``'end'``
    paragraph_gap : float, optional
        A pause of at least this many seconds between two words starts a new paragraph.

    Returns
    -------
    text : str
    spans : np.ndarray [shape=(n_words, 2)]
    times : np.ndarray [shape=(n_words, 2)]
    """
    try:
        items = list(words)
    except TypeError:
        raise PyramidError(f"words is a {type(words).__name__}: need a sequence of (word, start, end)") from None
    if not items:
        raise PyramidError("words is empty: need at least one (word, start, end)")
    toks, times = [], []
    for i, w in enumerate(items):
        if isinstance(w, dict):
            try:
                w = (w["word"], w["start"], w["end"])
            except KeyError as exc:
                raise PyramidError(f"words[{i}] has no {exc.args[0]!r}: need keys 'word', 'start', 'end'") from None
        try:
            word, s, e = w
        except (TypeError, ValueError):
            raise PyramidError(f"words[{i}]={w!r} must be (word, start, end)") from None
        if not isinstance(word, str) or not word.strip():
            raise PyramidError(f"words[{i}] has word {word!r}: need a non-empty string")
        toks.append(word.strip())
        times.append((s, e))
    t = _word_times(times, len(toks), "words' times")
    gap = None if paragraph_gap is None else check_float("paragraph_gap", paragraph_gap, minimum=0.0, strict_minimum=True)
    parts, spans, pos = [], [], 0
    for i, w in enumerate(toks):
        if i:
            sep = "\n\n" if gap is not None and t[i, 0] - t[i - 1, 1] >= gap else " "
            parts.append(sep)
            pos += len(sep)
        parts.append(w)
        spans.append((pos, pos + len(w)))
        pos += len(w)
    return "".join(parts), np.asarray(spans, dtype=np.int64), t


def overlap_in_time(a, b, level_a: int = 0, level_b: int = 0) -> np.ndarray:
    """Seconds shared by each element of ``a.level(level_a)`` and each of ``b.level(level_b)``.

    Returns
    -------
    np.ndarray [shape=(n_a, n_b)]
        ``max(0, min(end_a, end_b) - max(start_a, start_b))``; normalise rows for weights.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid, sync
    >>> a = Pyramid([Level(np.ones((2, 1)), "sentence", [[0, 1.5], [1.5, 3]], "seconds")], "text")
    >>> b = Pyramid([Level(np.ones((3, 1)), "window", [[0, 1], [1, 2], [2, 3]], "seconds")], "audio")
    >>> sync.overlap_in_time(a, b).tolist()
    [[1.0, 0.5, 0.0], [0.0, 0.5, 1.0]]
    """
    for name, p in (("a", a), ("b", b)):
        if not is_pyramid(p) or p.units != "seconds":
            raise PyramidError(f"{name} must be a pyramid in 'seconds' (text needs word timings: text_in_seconds)")
    ea, eb = a.level(level_a).extents, b.level(level_b).extents
    return np.maximum(0.0, np.minimum(ea[:, None, 1], eb[None, :, 1]) - np.maximum(ea[:, None, 0], eb[None, :, 0]))


class BeatSync(NamedTuple):
    """What :func:`sync_beats` found: add ``offset`` seconds to the cut times to line them up
    with the beats; ``score`` is the fraction of cuts within ``tolerance`` of a beat after the
    shift; ``matches`` pairs (cut index, beat index); ``residual`` their mean |time difference|."""

    offset: float
    score: float
    matches: tuple
    residual: float


def sync_beats(beat_times, cut_times, *, max_offset: float = 2.0, tolerance: float = 0.05) -> BeatSync:
    """The time offset that best aligns video cuts with music beats.

    Every offset that puts some cut exactly on some beat (``beat - cut`` within ``max_offset``)
    is a candidate; the one matching the most cuts within ``tolerance`` wins (ties: the smallest
    mean residual, then the smallest shift, since regular beats make the offset ambiguous
    modulo the beat period), and is then refined to the mean difference of its matched pairs.

    Parameters
    ----------
    beat_times : array_like [shape=(n_beats,)]
        Seconds, increasing (from a beat tracker; the features issue's ``beat_track`` once it
        exists).
    cut_times : array_like [shape=(n_cuts,)]
        Seconds, increasing (e.g. ``VideoPyramid.meta['cut_times']``).
    max_offset : float > 0
    tolerance : float > 0

    Returns
    -------
    BeatSync

    Raises
    ------
    PyramidError
        Empty or non-increasing times, a bad ``max_offset`` or ``tolerance``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import sync
    >>> beats = np.arange(0, 10, 0.5)                     # 120 bpm
    >>> cuts = beats[[2, 5, 9, 14]] - 0.23                # the video is 0.23 s early
    >>> r = sync.sync_beats(beats, cuts)
    >>> round(r.offset, 3), r.score
    (0.23, 1.0)
    """
    out = []
    for name, v in (("beat_times", beat_times), ("cut_times", cut_times)):
        try:
            x = np.asarray(v, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise PyramidError(f"{name} must be numbers (seconds)") from None
        if x.size == 0:
            raise PyramidError(f"{name} is empty: need at least one time")
        if not np.isfinite(x).all():
            raise PyramidError(f"{name} contains NaN or infinity")
        if (np.diff(x) <= 0).any():
            i = int(np.flatnonzero(np.diff(x) <= 0)[0]) + 1
            raise PyramidError(f"{name}[{i}]={x[i]:g} is not after {name}[{i - 1}]={x[i - 1]:g}: times must be increasing")
        out.append(x)
    beats, cuts = out
    max_offset = check_float("max_offset", max_offset, minimum=0.0, strict_minimum=True)
    tolerance = check_float("tolerance", tolerance, minimum=0.0, strict_minimum=True)
    diffs = (beats[None, :] - cuts[:, None]).ravel()
    cands = np.unique(np.round(diffs[np.abs(diffs) <= max_offset], 9))
    if cands.size == 0:
        return BeatSync(0.0, 0.0, (), float("nan"))

    def evaluate(off):
        shifted = cuts + off
        j = np.clip(np.searchsorted(beats, shifted), 1, beats.size - 1) if beats.size > 1 else np.zeros(cuts.size, int)
        if beats.size > 1:
            j = np.where(np.abs(beats[j - 1] - shifted) <= np.abs(beats[j] - shifted), j - 1, j)
        d = beats[j] - shifted
        ok = np.abs(d) <= tolerance
        return int(ok.sum()), float(np.abs(d[ok]).mean()) if ok.any() else np.inf, j, ok, d

    # regular beats make the offset ambiguous modulo the beat period: among equally good
    # offsets (count, then residual to 1 ns) the smallest shift wins
    scored = [(o, *evaluate(o)[:2]) for o in cands]
    best = max(scored, key=lambda r: (r[1], -round(r[2], 9), -abs(r[0])))[0]
    n, _, j, ok, d = evaluate(best)
    refined = float(best + d[ok].mean()) if ok.any() else float(best)
    n2, res, j2, ok2, _ = evaluate(refined)
    if n2 >= n:
        best, n, res, j, ok = refined, n2, res, j2, ok2
    else:
        res = evaluate(best)[1]
    matches = tuple((int(c), int(b)) for c, b in zip(np.flatnonzero(ok), j[ok]))
    return BeatSync(float(best), n / cuts.size, matches, float(res))


def beat_times(y, sr, **kwargs) -> np.ndarray:
    """Beat times in seconds from audio, through ``dsp``'s ``beat_track`` (librosa's signature:
    ``beat_track(y=, sr=, units='time')``) once the features issue provides it.

    Raises
    ------
    PyramidError
        While ``dsp`` has no ``beat_track``: pass beat times from any tracker to :func:`sync_beats`.
    """
    import importlib

    import dsp

    track = getattr(dsp, "beat_track", None)
    if track is None:
        try:
            track = getattr(importlib.import_module("dsp.beat"), "beat_track", None)
        except ImportError:
            track = None
    if track is None:
        raise PyramidError(
            "dsp has no beat_track yet (the features issue builds it): pass beat times from any beat "
            "tracker to sync_beats(beat_times, cut_times)"
        )
    out = track(y=y, sr=sr, units="time", **kwargs)
    return np.asarray(out[1] if isinstance(out, tuple) else out, dtype=np.float64)
