"""Similarity and retrieval at any level of many pyramids."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dsp.base import array_module

from ._arrays import as_features, as_level_index, is_pyramid, level_features, to_host, xp_of
from ._roles import _check_pyramid
from .core import PyramidError
from .selection import _resolve_levels, select_levels

__all__ = ["similarity", "retrieve", "Hit", "searched_levels", "parents"]


def _query_matrix(query):
    q = as_features(query, "query", min_ndim=1, max_ndim=2)
    single = q.ndim == 1
    q2 = q[None] if single else q
    xp = array_module(q2)
    qn = xp.sqrt((q2 * q2).sum(axis=1, keepdims=True))
    zero = qn == 0
    if single and bool(zero.any()):
        raise PyramidError("query has zero norm: cosine similarity is undefined")
    # in a batch, a zero row (a silent frame) scores 0 everywhere, like a zero element
    return q2 / xp.where(zero, q2.dtype.type(1), qn), single


def _level_matrix(level, level_index):
    """The level's elements as rows ``(n_rows, D)`` and the channel shape kept apart.

    Span levels ``(n, D)`` give ``()``; multichannel span levels ``(n, C..., D)`` (a stereo audio
    level) give rows ordered channel-major and the channel shape ``(C...)``, so channels are
    never folded into features. Pixel levels ``(H, W, ...)`` are ``H * W`` elements.
    """
    data = level.data
    if level.units == "pixels":
        x = level_features(level)
        chans = ()
        x = x.reshape(-1, x.shape[-1])
    elif data.ndim > 2:
        xp = array_module(data)
        chans = tuple(int(c) for c in data.shape[1:-1])
        x = xp.moveaxis(data, 0, -2).reshape(-1, data.shape[-1])
    else:
        x, chans = level_features(level), ()
    if x.shape[-1] == 1:
        raise PyramidError(
            f"level {level_index} ({level.name!r}, data shape {tuple(data.shape)}) has scalar elements: the "
            "cosine similarity of two scalars is only +1 or -1; compare levels of feature vectors "
            "(AudioPyramid.temporal or .mel levels, embeddings), not wavelet coefficients or single values"
        )
    return x, chans


def _cosine_level(qn, level, level_index):
    """``(Q, *channels, n_elements)`` cosines."""
    x, chans = _level_matrix(level, level_index)
    if x.shape[1] != qn.shape[1]:
        raise PyramidError(
            f"query has {qn.shape[1]} features but level {level_index} ({level.name!r}) has "
            f"{x.shape[1]}: compare a query with a level of the same dimension"
        )
    xp = xp_of(qn, x)
    x = as_features(x, f"level {level_index}")
    dtype = np.result_type(qn.dtype, x.dtype)
    x = x.astype(dtype, copy=False)
    norms = xp.sqrt((x * x).sum(axis=1))
    # a silent frame or a padding cell has no direction: it scores 0 rather than failing
    safe = xp.where(norms > 0, norms, dtype.type(1))
    s = (qn.astype(dtype, copy=False) @ x.T) / safe[None, :]
    return s.reshape((qn.shape[0],) + chans + (-1,)) if chans else s


def similarity(query, pyramid, level=None):
    """Cosine similarity of a query with every element of one level, or of every level.

    Parameters
    ----------
    query : np.ndarray [shape=(D,)] or [shape=(Q, D)]
        One query embedding, or Q of them.
    pyramid : Pyramid
        Its levels' features must have dimension ``D`` (a patch grid ``(H, W, D)`` gives
        ``H * W`` elements in row-major order, the order of the level's extents).
    level : int, optional
        One level (negative counts from the coarsest). Default: every level.

    Returns
    -------
    np.ndarray [shape=(n_elements,)] or [shape=(Q, n_elements)], or a list of them per level
        On the pyramid's device. A zero vector has no direction: an element, or a row of a
        batch of queries, with zero norm scores 0 (a single query of zero norm is an error).
        A multichannel level ``(n, C, D)`` (stereo audio) keeps its channels as a leading axis:
        ``(C, n_elements)``, or ``(Q, C, n_elements)``; channels are never folded into features.

    Raises
    ------
    PyramidError
        A query of zero norm or with the wrong dimension, a level out of range, a level whose
        elements are scalars (wavelet coefficients, a grey-level image: cosine would be +-1).

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid, align
    >>> words = Level(np.eye(3), "token", [[0, 3], [4, 7], [8, 11]], "chars")
    >>> doc = Level(np.ones((1, 3)), "document", [[0, 11]], "chars")
    >>> p = Pyramid([words, doc], "text")
    >>> align.similarity(np.array([0.0, 1.0, 0.0]), p, level=0)
    array([0., 1., 0.])
    """
    _check_pyramid(pyramid, "pyramid")
    qn, single = _query_matrix(query)
    if level is not None:
        i = as_level_index(level, len(pyramid))
        s = _cosine_level(qn, pyramid.level(i), i)
        return s[0] if single else s
    out = []
    for i in range(len(pyramid)):
        s = _cosine_level(qn, pyramid.level(i), i)
        out.append(s[0] if single else s)
    return out


class Hit(NamedTuple):
    """One retrieval result: where it is and how well it matches.

    score : the ranking score: the cosine similarity, or the calibrated score (a z-score against
        the level's background, plus ``context`` times the parent's) when a calibration is used.
    pyramid : index of the pyramid in the list given to :func:`retrieve`.
    level : level index; ``name`` is the level's name.
    index : element index within the level (row-major for grids), the row of its extents.
    extent : the element's extent (``[start, end)`` or ``(y0, x0, y1, x1)``) in ``units``.
    cosine : the raw cosine similarity.
    """

    score: float
    pyramid: int
    level: int
    index: int
    extent: tuple
    name: str
    units: str
    cosine: float = float("nan")


def _default_min_level(p) -> int:
    """No bare tokens unless asked: a text pyramid's token level is left out of searches."""
    return 1 if p.modality == "text" and len(p) > 1 and p.level(0).name == "token" else 0


def searched_levels(levels, p, query_text=None, rules=None, min_level="auto", granularity=None) -> tuple:
    """The levels of ``p`` a search visits (see :func:`retrieve`'s ``levels`` and ``min_level``).

    ``granularity`` is the one already read from ``query_text`` for ``levels='auto'`` (a question
    is classified once per search, not once per pyramid).
    """
    n = len(p)
    explicit = not (levels is None or isinstance(levels, str))
    if min_level == "auto":
        floor = 0 if explicit else _default_min_level(p)
    else:
        if isinstance(min_level, (bool, np.bool_)) or not isinstance(min_level, (int, np.integer)):
            raise PyramidError(f"min_level={min_level!r} must be 'auto' or an integer level index")
        floor = as_level_index(min_level, n, "min_level")
    if levels == "auto" and granularity is not None:
        idx = _resolve_levels(granularity, p, None, None)
    else:
        idx = _resolve_levels(levels, p, query_text, rules)
    kept = tuple(i for i in idx if i >= floor)
    if kept:
        return kept
    if levels == "auto":  # the question wants finer levels than allowed: the finest allowed one
        return (floor,)
    raise PyramidError(
        f"levels={levels!r} gives levels {idx} of this {p.modality} pyramid {p.names}, all below "
        f"min_level={floor}: no level of the chosen granularity is searched; pass min_level=0 to "
        "search them (bare tokens included)"
    )


def _as_pyramid_list(pyramids):
    if is_pyramid(pyramids):
        pyramids = [pyramids]
    try:
        pyramids = list(pyramids)
    except TypeError:
        raise PyramidError(f"pyramids is a {type(pyramids).__name__}: need a Pyramid or a sequence of them") from None
    if not pyramids:
        raise PyramidError("pyramids is empty: need at least one Pyramid to search")
    for n, p in enumerate(pyramids):
        _check_pyramid(p, f"pyramids[{n}]")
    return pyramids


def _check_k(k):
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise PyramidError(f"k={k!r} must be an integer >= 1")
    return int(k)


def _granularity_of(levels, query_text, pyramids, rules):
    if levels != "auto":
        return None
    if query_text is None:
        raise PyramidError("levels='auto' needs query_text (the question to read)")
    return select_levels(query_text, pyramids[0], rules=rules).granularity


def retrieve(query, pyramids, k: int = 5, *, levels=None, query_text=None, rules=None, min_level="auto",
             calibration=None, calibrate: bool = True, context: float = 0.0) -> list:
    """The ``k`` best-matching elements across many pyramids and levels, calibrated by default.

    Raw cosines are not comparable across levels (a bare token and a paragraph have different
    score distributions), so a search over several levels ranks calibrated scores: each level's
    cosines standardised against that level's background (:mod:`pyramids.index`). Without a
    ``calibration`` one is built for the collection, the same as
    :class:`pyramids.index.PyramidIndex` builds (:func:`pyramids.index.collection_calibration`);
    for many searches of one collection build the index once instead. A search of a single level
    name (one level, or the same level of every pyramid) ranks identically either way and
    returns raw cosines as scores; ``calibrate=False`` ranks raw cosines always.

    Parameters
    ----------
    query : np.ndarray [shape=(D,)]
        The query embedding (e.g. :func:`pyramids.models.encode_query`).
    pyramids : Pyramid or sequence of Pyramid
        The collection searched (e.g. one text pyramid per document, one image pyramid per image).
    k : int >= 1
        How many hits (fewer if there are fewer elements).
    levels : None, int, sequence of int, str or LevelSelection
        Which levels to search in every pyramid: ``None`` every level; an index (negative counts
        from the coarsest) or indices; ``'fine'``, ``'medium'``, ``'coarse'`` or ``'all'`` (the
        levels with that role, see :func:`select_levels`); ``'auto'`` to let
        :func:`select_levels` read ``query_text`` (once, for every pyramid).
    query_text : str, optional
        The question, for ``levels='auto'``.
    rules : sequence of LevelRule, optional
        Rules for ``levels='auto'`` (default: the semantic classifier, or the default rules
        without the ``text`` extra).
    min_level : 'auto' or int
        Levels below it are not searched unless given by index. ``'auto'``: 1 for a text
        pyramid (no bare tokens), 0 otherwise.
    calibration : pyramids.index.Calibration, optional
        Per-level score standardisation (:func:`pyramids.index.calibrate`); ``Hit.score`` is
        then the calibrated score. Default: the collection's own, built when needed.
    calibrate : bool
        ``True`` (default): rank calibrated scores whenever more than one level name is searched
        or ``context`` is given (building a calibration if none is passed). ``False``: rank raw
        cosines (then ``calibration`` must be None and ``context`` 0).
    context : float
        Add ``context`` times the calibrated score of the element's parent (the element of the
        next coarser level that contains it): a sentence in the right paragraph ranks higher.

    Returns
    -------
    list of Hit
        Best first; ties keep the order (pyramid, level, element).

    Raises
    ------
    PyramidError
        Bad ``k``, levels out of range, levels all below ``min_level``, a query whose dimension
        does not match a searched level, a multichannel level, ``calibrate`` not a bool, or
        ``calibrate=False`` with a ``calibration`` or a ``context``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid, align
    >>> def doc(vectors):
    ...     n = len(vectors)
    ...     sent = Level(np.array(vectors, float), "sentence", [[10 * i, 10 * i + 9] for i in range(n)], "chars")
    ...     whole = Level(np.mean(vectors, axis=0, keepdims=True), "document", [[0, 10 * n]], "chars")
    ...     return Pyramid([sent, whole], "text")
    >>> docs = [doc([[1, 0, 0], [0, 1, 0]]), doc([[0, 0, 1], [0.9, 0.1, 0]])]
    >>> best = align.retrieve(np.array([1.0, 0.0, 0.0]), docs, k=2, levels=0)
    >>> [(h.pyramid, h.index, round(h.score, 3)) for h in best]
    [(0, 0, 1.0), (1, 1, 0.994)]
    """
    pyramids = _as_pyramid_list(pyramids)
    k = _check_k(k)
    qn, single = _query_matrix(query)
    if not single:
        raise PyramidError(f"query has shape {tuple(np.shape(query))}: retrieve takes one query vector (D,)")
    if not isinstance(calibrate, (bool, np.bool_)):
        raise PyramidError(f"calibrate={calibrate!r} must be True or False")
    context = float(context)
    if not calibrate and calibration is not None:
        raise PyramidError("calibrate=False ranks raw cosines: pass no calibration with it")
    if context and not calibrate:
        raise PyramidError(f"context={context} needs a calibration (the parent's score is a calibrated score): "
                           "leave calibrate=True")
    gran = _granularity_of(levels, query_text, pyramids, rules)
    searched = []  # (pyramid, level, cosines)
    for n, p in enumerate(pyramids):
        for i in searched_levels(levels, p, query_text, rules, min_level, gran):
            s = to_host(_cosine_level(qn, p.level(i), i)[0]).astype(np.float64)
            if s.ndim > 1:
                raise PyramidError(
                    f"pyramids[{n}] level {i} ({p.level(i).name!r}) has channels {s.shape[:-1]}: retrieve ranks "
                    "elements, so mix the channels down first (p.map(lambda x: x.mean(axis=1))) or search one"
                )
            searched.append((n, i, s))
    names = {pyramids[n].level(i).name for n, i, _ in searched}
    if calibration is None and calibrate and (len(names) > 1 or context):
        from .index import collection_calibration  # index imports this module

        calibration = collection_calibration(pyramids)
    scores, raws, keys = [], [], []
    for n, i, s in searched:
        p = pyramids[n]
        z = s if calibration is None else calibration.apply(p.level(i).name, s)
        if context and i + 1 < len(p):
            up = to_host(_cosine_level(qn, p.level(i + 1), i + 1)[0]).astype(np.float64)
            z = z + context * calibration.apply(p.level(i + 1).name, up)[parents(p, i)]
        scores.append(z)
        raws.append(s)
        keys.append(np.stack([np.full(s.size, n), np.full(s.size, i), np.arange(s.size)], axis=1))
    return _top_hits(np.concatenate(scores), np.concatenate(raws), np.concatenate(keys), pyramids, k)


def _top_hits(all_s, all_raw, all_k, pyramids, k):
    order = np.argsort(-all_s, kind="stable")[:k]
    hits = []
    for o in order:
        n, i, e = (int(v) for v in all_k[o])
        lv = pyramids[n].level(i)
        hits.append(Hit(float(all_s[o]), n, i, e, tuple(float(v) for v in lv.extents[e]), lv.name, lv.units,
                        float(all_raw[o])))
    return hits


def parents(p, i) -> np.ndarray:
    """For each element of level ``i``, the element of level ``i + 1`` that overlaps it most
    (1-D extents; for pixel boxes, the one containing its centre)."""
    a, b = p.level(i).extents, p.level(i + 1).extents
    if a.shape[1] == 4:
        cy, cx = (a[:, 0] + a[:, 2]) / 2, (a[:, 1] + a[:, 3]) / 2
        inside = ((b[None, :, 0] <= cy[:, None]) & (cy[:, None] < b[None, :, 2])
                  & (b[None, :, 1] <= cx[:, None]) & (cx[:, None] < b[None, :, 3]))
        return inside.argmax(axis=1)
    # overlap of [a0, a1) with [b0, b1); empty spans (special tokens) count by their position
    lo = np.maximum(a[:, None, 0], b[None, :, 0])
    hi = np.minimum(a[:, None, 1], b[None, :, 1])
    ov = hi - lo
    ov = np.where((a[:, None, 1] == a[:, None, 0]) & (b[None, :, 0] <= a[:, None, 0]) & (a[:, None, 0] <= b[None, :, 1]),
                  0.5, ov)
    return ov.argmax(axis=1)
