"""Calibrated multi-level retrieval over many pyramids.

Cosine scores are not comparable across levels: a query scores differently against bare tokens,
sentences and whole documents, so ranking raw cosines over several levels lets one level win
for the wrong reason (in the issue that asked for this, single tokens took 5 of 15 top hits).
The calibration used here is a per-level standardisation against a background sample:

    z = (cos(q, x) - mean_l) / std_l

where ``mean_l`` and ``std_l`` are the mean and standard deviation of the cosines between a
background set of queries and every element of levels named ``l`` in the collection. The
background is either queries you pass (e.g. :func:`pyramids.models.encode_query` of typical
questions; :func:`question_background` embeds the questions shipped with the package) or, by
default, a random sample of the collection's own elements. A z-score says how unusual a match is
for its level, which is comparable across levels and across collections.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_features, level_features, to_host
from .core import PyramidError
from .retrieval import _as_pyramid_list, _check_k, _default_min_level, retrieve, searched_levels

__all__ = ["Calibration", "calibrate", "collection_calibration", "PyramidIndex", "question_background"]


class Calibration(NamedTuple):
    """Per-level score statistics: ``stats[name] = (mean, std)`` of background cosines.

    Examples
    --------
    >>> import numpy as np
    >>> c = Calibration({"sentence": (0.2, 0.1)})
    >>> c.apply("sentence", np.array([0.2, 0.4])).tolist()
    [0.0, 2.0]
    """

    stats: dict

    def apply(self, name: str, scores) -> np.ndarray:
        """``(scores - mean) / std`` for level ``name``."""
        if name not in self.stats:
            raise PyramidError(
                f"the calibration has no statistics for level {name!r}: it knows {sorted(self.stats)}; "
                "calibrate on a collection with that level"
            )
        mu, sd = self.stats[name]
        return (np.asarray(scores, dtype=np.float64) - mu) / sd


def _unit_rows(x):
    x = np.asarray(to_host(x), dtype=np.float64)
    x = x.reshape(-1, x.shape[-1])
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(n > 0, n, 1.0)


def calibrate(pyramids, background=None, *, levels=None, min_level="auto", n_background: int = 256,
              seed: int = 0, statistic: str = "max") -> Calibration:
    """Per-level cosine statistics of a background sample of queries against a collection.

    Parameters
    ----------
    pyramids : Pyramid or sequence of Pyramid
    background : np.ndarray [shape=(Q, D)], optional
        Background queries. Default: ``n_background`` elements drawn at random from the searched
        levels of the collection (an element is not compared with itself).
    levels, min_level : as in :func:`pyramids.align.retrieve` (which levels get statistics).
    n_background : int
        Size of the default background sample.
    seed : int
        Seed of the default sample.
    statistic : {'max', 'all'}
        ``'max'`` (default): the statistics of each background query's *best* cosine in each
        pyramid's level, so a level with many elements (thousands of tokens) is not favoured
        because its maximum is high by chance; ``'all'``: of every (query, element) cosine.

    Returns
    -------
    Calibration
        ``(mean, std)`` per level name; a std of 0 (a constant level) is replaced by 1.

    Raises
    ------
    PyramidError
        An empty collection, a background of the wrong dimension.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid
    >>> rng = np.random.default_rng(0)
    >>> p = Pyramid([Level(rng.standard_normal((50, 8)), "sentence", [[i, i + 1] for i in range(50)], "chars"),
    ...              Level(rng.standard_normal((5, 8)), "paragraph", [[10 * i, 10 * i + 10] for i in range(5)], "chars")],
    ...             "text")
    >>> sorted(calibrate(p).stats)
    ['paragraph', 'sentence']
    """
    pyramids = _as_pyramid_list(pyramids)
    if statistic not in ("max", "all"):
        raise PyramidError(f"statistic={statistic!r} is not supported: use 'max' or 'all'")
    per_name: dict = {}
    for p in pyramids:
        for i in searched_levels(levels if levels != "auto" else None, p, None, None, min_level):
            per_name.setdefault(p.level(i).name, []).append(_unit_rows(level_features(p.level(i))))
    mats = {name: np.concatenate(ms) for name, ms in per_name.items()}
    groups = {name: np.repeat(np.arange(len(ms)), [len(m) for m in ms]) for name, ms in per_name.items()}
    if background is None:
        # one sample per feature dimension (levels of another dimension, e.g. mel128 and mel40,
        # cannot meet the same queries); a single dimension draws exactly one sample
        bgs = {}
        for d in dict.fromkeys(m.shape[1] for m in mats.values()):
            pool = np.concatenate([m for m in mats.values() if m.shape[1] == d])
            rng = np.random.default_rng(seed)
            pick = rng.choice(len(pool), size=min(int(n_background), len(pool)), replace=False)
            bgs[d] = pool[pick]
    else:
        bg = _unit_rows(as_features(background, "background", min_ndim=1, max_ndim=2))
        bgs = {m.shape[1]: bg for m in mats.values()}
    stats = {}
    for name, m in mats.items():
        bg = bgs[m.shape[1]]
        if m.shape[1] != bg.shape[1]:
            raise PyramidError(
                f"background has {bg.shape[1]} features but level {name!r} has {m.shape[1]}: use queries "
                "embedded in the pyramids' space"
            )
        s = bg @ m.T
        if background is None:  # leave out self-matches (cosine 1 of an element with itself)
            s = np.where(np.isclose(s, 1.0, atol=1e-9), np.nan, s)
        if statistic == "max":  # the best match of each background query in each pyramid
            g = groups[name]
            s = np.stack([np.nanmax(np.where(np.isnan(s[:, g == j]), -np.inf, s[:, g == j]), axis=1)
                          for j in range(int(g.max()) + 1)], axis=1)
        s = s[np.isfinite(s)].ravel()
        sd = float(s.std()) if s.size > 1 else 0.0
        stats[name] = (float(s.mean()) if s.size else 0.0, sd if sd > 0 else 1.0)
    return Calibration(stats)


def collection_calibration(pyramids, background=None, *, n_background: int = 256, seed: int = 0,
                           statistic: str = "max") -> Calibration:
    """The calibration of a whole collection: :func:`calibrate` over every level (``min_level=0``).

    The one definition behind :class:`PyramidIndex` and the default of
    :func:`pyramids.align.retrieve`, so that ``retrieve(q, docs)`` and
    ``PyramidIndex(docs).search(q)`` score alike. Parameters as in :func:`calibrate`.

    Returns
    -------
    Calibration
        ``(mean, std)`` for every level name of the collection.
    """
    return calibrate(pyramids, background, min_level=0, n_background=n_background, seed=seed,
                     statistic=statistic)


def question_background(model=None) -> np.ndarray:
    """Embeddings of the 264 questions shipped with the package (:mod:`pyramids.semantic`), a
    background of real questions for :func:`calibrate` (``text`` extra)."""
    from .models import encode_query
    from .semantic import question_set

    return encode_query([q for q, *_ in question_set()], model)


class PyramidIndex:
    """Many pyramids searched together with calibrated, comparable scores.

    Parameters
    ----------
    pyramids : Pyramid or sequence of Pyramid
        E.g. ``TextPyramid.from_texts(documents)``.
    background : np.ndarray [shape=(Q, D)], optional
        Background queries for :func:`calibrate` (default: a sample of the collection).
    min_level : 'auto' or int
        Default for :meth:`search` (``'auto'``: no bare tokens in text pyramids).

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid
    >>> rng = np.random.default_rng(0)
    >>> docs = [Pyramid([Level(rng.standard_normal((6, 8)), "sentence", [[i, i + 1] for i in range(6)], "chars"),
    ...                  Level(rng.standard_normal((2, 8)), "paragraph", [[0, 3], [3, 6]], "chars")], "text")
    ...         for _ in range(3)]
    >>> index = PyramidIndex(docs)
    >>> hit = index.search(np.asarray(docs[2][0][4]), k=1)[0]
    >>> hit.pyramid, hit.name, hit.index
    (2, 'sentence', 4)
    """

    def __init__(self, pyramids, *, background=None, min_level="auto", n_background: int = 256, seed: int = 0,
                 statistic: str = "max"):
        self.pyramids = _as_pyramid_list(pyramids)
        self.min_level = min_level
        self.calibration = collection_calibration(self.pyramids, background, n_background=n_background, seed=seed,
                                                  statistic=statistic)

    def __len__(self):
        return len(self.pyramids)

    def search(self, query, k: int = 5, *, levels=None, query_text=None, rules=None, min_level=None,
               calibrated: bool = True, context: float = 0.0) -> list:
        """The ``k`` best elements of the collection (see :func:`pyramids.align.retrieve`).

        ``query`` is an embedding, or a string when ``pyramids.models`` can embed it (the
        default model; it is then also the question for ``levels='auto'``). ``calibrated=False``
        ranks raw cosines. ``context`` adds the parent's calibrated score.
        """
        if isinstance(query, str):
            from .models import encode_query

            query_text = query if query_text is None else query_text
            query = encode_query(query)
        _check_k(k)
        return retrieve(query, self.pyramids, k, levels=levels, query_text=query_text, rules=rules,
                        min_level=self.min_level if min_level is None else min_level,
                        calibration=self.calibration if calibrated else None, calibrate=bool(calibrated),
                        context=context)

    @staticmethod
    def default_min_level(p) -> int:
        return _default_min_level(p)
