"""Similarity and retrieval at any level of many pyramids."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dsp._backend import array_module

from ._arrays import as_features, as_level_index, is_pyramid, level_features, to_host, xp_of
from ._roles import _check_pyramid
from .core import PyramidError
from .selection import _resolve_levels

__all__ = ["similarity", "retrieve", "Hit"]


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


def _cosine_level(qn, level, level_index):
    x = level_features(level)
    x = x.reshape(-1, x.shape[-1])
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
    return (qn.astype(dtype, copy=False) @ x.T) / safe[None, :]


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

    Raises
    ------
    PyramidError
        A query of zero norm or with the wrong dimension, a level out of range.

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

    score : cosine similarity.
    pyramid : index of the pyramid in the list given to :func:`retrieve`.
    level : level index; ``name`` is the level's name.
    index : element index within the level (row-major for grids), the row of its extents.
    extent : the element's extent (``[start, end)`` or ``(y0, x0, y1, x1)``) in ``units``.
    """

    score: float
    pyramid: int
    level: int
    index: int
    extent: tuple
    name: str
    units: str


def retrieve(query, pyramids, k: int = 5, *, levels=None, query_text=None, rules=None) -> list:
    """The ``k`` best-matching elements across many pyramids and levels, by cosine similarity.

    Parameters
    ----------
    query : np.ndarray [shape=(D,)]
        The query embedding.
    pyramids : Pyramid or sequence of Pyramid
        The collection searched (e.g. one text pyramid per document, one image pyramid per image).
    k : int >= 1
        How many hits (fewer if there are fewer elements).
    levels : None, int, sequence of int, str or LevelSelection
        Which levels to search in every pyramid: ``None`` every level; an index (negative counts
        from the coarsest) or indices; ``'fine'``, ``'medium'``, ``'coarse'`` or ``'all'`` (the
        levels with that role, see :func:`select_levels`); ``'auto'`` to let
        :func:`select_levels` read ``query_text`` for each pyramid.
    query_text : str, optional
        The question, for ``levels='auto'``.
    rules : sequence of LevelRule, optional
        Rules for ``levels='auto'`` (default :data:`DEFAULT_RULES`).

    Returns
    -------
    list of Hit
        Best first; ties keep the order (pyramid, level, element).

    Raises
    ------
    PyramidError
        Bad ``k``, levels out of range, a query whose dimension does not match a searched level.

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
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise PyramidError(f"k={k!r} must be an integer >= 1")
    qn, single = _query_matrix(query)
    if not single:
        raise PyramidError(f"query has shape {tuple(np.shape(query))}: retrieve takes one query vector (D,)")
    scores, keys = [], []
    for n, p in enumerate(pyramids):
        for i in _resolve_levels(levels, p, query_text, rules):
            s = to_host(_cosine_level(qn, p.level(i), i)[0]).astype(np.float64)
            scores.append(s)
            keys.append(np.stack([np.full(s.size, n), np.full(s.size, i), np.arange(s.size)], axis=1))
    all_s = np.concatenate(scores)
    all_k = np.concatenate(keys)
    order = np.argsort(-all_s, kind="stable")[:k]
    hits = []
    for o in order:
        n, i, e = (int(v) for v in all_k[o])
        lv = pyramids[n].level(i)
        hits.append(Hit(float(all_s[o]), n, i, e, tuple(float(v) for v in lv.extents[e]), lv.name, lv.units))
    return hits
