"""Cross-modal alignment of pyramids: matched levels, similarity and retrieval at any level,
query-aware level selection, temporal alignment by extents, and audio-driven level of detail.

Level correspondence
--------------------
Pyramids of different modalities meet at *matched levels* (DESIGN.md, "Pyramids"):

==========  ==========================  =================  ======================
role        image                       text               audio
==========  ==========================  =================  ======================
coarse      whole image (7x7 cells)     document           clip (5 s)
medium      regions (14x14 cells)       sentences          windows (0.5 s)
fine        patches (28x28 cells)       words / tokens     frames (25 ms)
==========  ==========================  =================  ======================

Each level gets a *position* in [0, 1], 0 the finest and 1 the coarsest. Two pyramids in the same
units (seconds and seconds, pixels and pixels) are compared by absolute scale (the log of the mean
extent length): the position is only used for roles. Pyramids in different units cannot compare
seconds with characters, so the level's rank ``i / (L - 1)`` is the position. The role of a
position is fine below 1/3, coarse above 2/3, medium in between.

Query-aware level selection
---------------------------
:func:`select_levels` reads a question and picks levels by granularity, with ordered regular
expression rules (:data:`DEFAULT_RULES`, the first match wins): detail questions ("What is written
on the sign?") -> fine levels, object questions ("Where is the car?", "Who designed it?") ->
medium levels, global questions ("Is there a person?", "What is this about?") -> coarse levels,
anything else -> every level. Rules are data: pass your own tuple of :class:`LevelRule`
(e.g. ``(LevelRule('ocr', 'fine', r'\\bocr\\b'),) + DEFAULT_RULES``), or force a choice with
``override``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from dsp._backend import array_module

from ._arrays import (
    as_features,
    as_level_index,
    is_pyramid,
    level_features,
    to_host,
    xp_of,
)
from .core import PyramidError

__all__ = [
    "match_levels",
    "similarity",
    "retrieve",
    "select_levels",
    "align_in_time",
    "audio_level_of_detail",
    "LevelMatch",
    "Hit",
    "LevelRule",
    "LevelSelection",
    "TimeAlignment",
    "LevelOfDetail",
    "DEFAULT_RULES",
    "GRANULARITIES",
    "ROLES",
]

#: Level roles, finest first.
ROLES = ("fine", "medium", "coarse")
#: What :func:`select_levels` can choose (a role, or every level).
GRANULARITIES = ROLES + ("all",)
_THIRD = 1.0 / 3.0
_EDGE = 1e-9  # positions are i / (L - 1): keep 1/3 and 2/3 themselves in 'medium'


def _check_pyramid(p, name: str):
    if not is_pyramid(p):
        raise PyramidError(f"{name} is a {type(p).__name__}: need a pyramids.Pyramid")
    return p


def _rank_positions(n: int) -> np.ndarray:
    if n == 1:
        return np.array([0.5])
    return np.arange(n) / (n - 1)


def _role(position: float) -> str:
    if position < _THIRD - _EDGE:
        return "fine"
    if position > 2 * _THIRD + _EDGE:
        return "coarse"
    return "medium"


def _levels_for(n: int, granularity: str) -> tuple:
    """The levels of an ``n``-level pyramid whose rank position has the given role.

    When no level has that role (a 2-level pyramid has no medium level), the levels nearest the
    role's centre are used.
    """
    if granularity == "all":
        return tuple(range(n))
    pos = _rank_positions(n)
    chosen = tuple(i for i in range(n) if _role(pos[i]) == granularity)
    if chosen:
        return chosen
    centre = {"fine": 0.0, "medium": 0.5, "coarse": 1.0}[granularity]
    d = np.abs(pos - centre)
    return tuple(int(i) for i in np.flatnonzero(d <= d.min() + _EDGE))


# ---------------------------------------------------------------------------------------------
# match_levels
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LevelMatch:
    """The level correspondence found by :func:`match_levels`.

    Attributes
    ----------
    pairs : tuple of (i, j)
        Matched levels, level ``i`` of ``a`` with level ``j`` of ``b``, finest first; one pair
        per level of the shorter pyramid, in order (no crossings).
    roles : tuple of str
        ``'fine'``, ``'medium'`` or ``'coarse'`` for each pair.
    method : str
        ``'scale'`` (absolute log scale, same units) or ``'rank'`` (relative level position).
    table : tuple of dict
        One row per pair: ``role``, ``a`` and ``b`` (level indices), ``a_name``/``b_name``,
        ``a_scale``/``b_scale`` (mean extent, in each pyramid's units), ``a_position``/
        ``b_position`` (0 finest .. 1 coarsest) and ``cost`` (the distance the matching
        minimised for this pair).
    units : tuple of str
        The units of ``a`` and ``b``.
    """

    pairs: tuple
    roles: tuple
    method: str
    table: tuple
    units: tuple = field(default=("", ""))

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __str__(self):
        head = f"{'role':<7} {'a':>3} {'a_name':<12} {'a_scale':>10}   {'b':>3} {'b_name':<12} {'b_scale':>10}"
        lines = [f"level match by {self.method} ({self.units[0]} vs {self.units[1]})", head]
        for r in self.table:
            lines.append(
                f"{r['role']:<7} {r['a']:>3} {r['a_name']:<12} {r['a_scale']:>10.4g}   "
                f"{r['b']:>3} {r['b_name']:<12} {r['b_scale']:>10.4g}"
            )
        return "\n".join(lines)


def _monotone_match(cost: np.ndarray) -> list:
    """Order-preserving one-to-one matching of every row to a distinct column, least total cost.

    ``cost`` is ``(m, n)`` with ``m <= n``; returns ``[(row, col), ...]`` with increasing columns.
    Dynamic programming over (row, column); ties go to the earlier column.
    """
    m, n = cost.shape
    best = np.full((m + 1, n + 1), np.inf)
    best[0, :] = 0.0
    take = np.zeros((m + 1, n + 1), dtype=bool)
    for i in range(1, m + 1):
        for j in range(i, n + 1):
            skip = best[i, j - 1]
            use = best[i - 1, j - 1] + cost[i - 1, j - 1]
            if use < skip - 1e-12:  # on a tie (to rounding) keep the earlier column, the finer level
                best[i, j], take[i, j] = use, True
            else:
                best[i, j] = skip
    pairs = []
    i, j = m, n
    while i > 0:
        if take[i, j] and best[i, j] == best[i - 1, j - 1] + cost[i - 1, j - 1]:
            pairs.append((i - 1, j - 1))
            i -= 1
        j -= 1
    return pairs[::-1]


def match_levels(a, b, *, method: str = "auto") -> LevelMatch:
    """Match the levels of two pyramids: coarse with coarse, medium with medium, fine with fine.

    Parameters
    ----------
    a, b : Pyramid
    method : {'auto', 'scale', 'rank'}
        ``'scale'`` pairs levels whose mean extents are closest on a log scale (needs the same
        units, e.g. two audio pyramids in seconds, or an image and a video frame in pixels).
        ``'rank'`` pairs levels by their relative position ``i / (L - 1)`` in each pyramid (any
        units: text against image). ``'auto'`` uses ``'scale'`` when the units agree, else
        ``'rank'``.

    Returns
    -------
    LevelMatch
        ``pairs``, ``roles``, ``method`` and the ``table`` it used (print it for a readable table).

    Raises
    ------
    PyramidError
        Not pyramids, an unknown method, ``'scale'`` with different units or a zero scale.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid, align
    >>> def lv(name, n, w, units):
    ...     return Level(np.ones((n, 4)), name, [[k * w, (k + 1) * w] for k in range(n)], units)
    >>> text = Pyramid([lv("token", 40, 5, "chars"), lv("sentence", 4, 50, "chars"),
    ...                 lv("paragraph", 2, 100, "chars"), lv("document", 1, 200, "chars")], "text")
    >>> audio = Pyramid([lv("frame", 200, 0.025, "seconds"), lv("window", 10, 0.5, "seconds"),
    ...                  lv("clip", 1, 5.0, "seconds")], "audio")
    >>> m = align.match_levels(audio, text)
    >>> m.method, m.pairs, m.roles
    ('rank', ((0, 0), (1, 1), (2, 3)), ('fine', 'medium', 'coarse'))
    """
    _check_pyramid(a, "a")
    _check_pyramid(b, "b")
    if method not in ("auto", "scale", "rank"):
        raise PyramidError(f"method={method!r} is not supported: use one of 'auto', 'scale', 'rank'")
    units = (a.units, b.units)
    if method == "auto":
        method = "scale" if units[0] == units[1] else "rank"
    sa = np.array(a.scales, dtype=np.float64)
    sb = np.array(b.scales, dtype=np.float64)
    pa, pb = _rank_positions(len(a)), _rank_positions(len(b))
    if method == "scale":
        if units[0] != units[1]:
            raise PyramidError(
                f"method='scale' compares extents, but the pyramids are in {units[0]!r} and "
                f"{units[1]!r}: use method='rank' (or 'auto')"
            )
        if (sa <= 0).any() or (sb <= 0).any():
            raise PyramidError(
                "method='scale' needs every level's mean extent to be > 0: got scales "
                f"{tuple(sa)} and {tuple(sb)}; use method='rank'"
            )
        # rank distance breaks ties between levels of equal scale (a mel pyramid's levels share
        # their frames) in favour of the same relative position
        cost = np.abs(np.log(sa)[:, None] - np.log(sb)[None, :]) + 1e-6 * np.abs(pa[:, None] - pb[None, :])
    else:
        cost = np.abs(pa[:, None] - pb[None, :])
    if len(a) <= len(b):
        pairs = _monotone_match(cost)
        short_pos = pa
        roles = tuple(_role(short_pos[i]) for i, _ in pairs)
    else:
        pairs = [(i, j) for j, i in _monotone_match(cost.T)]
        roles = tuple(_role(pb[j]) for _, j in pairs)
    table = tuple(
        {
            "role": role,
            "a": i,
            "a_name": a.level(i).name,
            "a_scale": float(sa[i]),
            "a_position": float(pa[i]),
            "b": j,
            "b_name": b.level(j).name,
            "b_scale": float(sb[j]),
            "b_position": float(pb[j]),
            "cost": float(cost[i, j]),
        }
        for (i, j), role in zip(pairs, roles)
    )
    return LevelMatch(tuple(pairs), roles, method, table, units)


# ---------------------------------------------------------------------------------------------
# similarity and retrieval
# ---------------------------------------------------------------------------------------------
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


def _resolve_levels(levels, p, query_text, rules):
    n = len(p)
    if levels is None:
        return tuple(range(n))
    if isinstance(levels, str):
        if levels == "auto":
            if query_text is None:
                raise PyramidError("levels='auto' needs query_text (the question to read)")
            return select_levels(query_text, p, rules=rules).levels
        if levels in GRANULARITIES:
            return _levels_for(n, levels)
        raise PyramidError(
            f"levels={levels!r} is not supported: use None, an int, a sequence of ints, 'auto' or "
            f"one of {', '.join(repr(g) for g in GRANULARITIES)}"
        )
    if isinstance(levels, LevelSelection):
        levels = levels.levels
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, (bool, np.bool_)):
        return (as_level_index(levels, n, "levels"),)
    try:
        items = list(levels)
    except TypeError:
        raise PyramidError(f"levels={levels!r} must be None, an int, a sequence of ints or a string") from None
    if not items:
        raise PyramidError("levels is empty: need at least one level")
    return tuple(sorted({as_level_index(v, n, "levels") for v in items}))


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


# ---------------------------------------------------------------------------------------------
# select_levels
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LevelRule:
    """A level-selection rule: when ``pattern`` is found in the question, use ``granularity``.

    Parameters
    ----------
    name : str
        Shown in :class:`LevelSelection` so a choice can be traced to its rule.
    granularity : {'fine', 'medium', 'coarse', 'all'}
    pattern : str
        A regular expression, searched case-insensitively.
    """

    name: str
    granularity: str
    pattern: str

    def __post_init__(self):
        if self.granularity not in GRANULARITIES:
            raise PyramidError(
                f"LevelRule {self.name!r}: granularity={self.granularity!r} is not supported: use one "
                f"of {', '.join(repr(g) for g in GRANULARITIES)}"
            )
        try:
            object.__setattr__(self, "_regex", re.compile(self.pattern, re.IGNORECASE))
        except re.error as exc:
            raise PyramidError(f"LevelRule {self.name!r}: pattern {self.pattern!r} is not a valid regex: {exc}") from None

    def search(self, text: str):
        return self._regex.search(text)


#: The default rules, in priority order (the first match wins): detail cues are the most specific,
#: so they come first ("Is there text written on the sign?" is a detail question).
DEFAULT_RULES = (
    LevelRule(
        "detail",
        "fine",
        r"\b(written|writing|read(s|ing)?|says?|said|spell(ed|ing|s)?|(text|words?|letters?) (on|in|at)|wording|"
        r"letters?|digits?|numbers?|label(ed|led|s)?|license plate|plate number|caption|inscription|quote[sd]?|"
        r"exact(ly)?|precise(ly)?|fine[- ]grained|texture|tiny|small print|details?|detailed)\b",
    ),
    LevelRule(
        "object",
        "medium",
        r"\b(where|which|who|whom|whose|when|why|locate|location|position(ed)?|find|point to|"
        r"how (many|much|big|large|long|far|old)|count|left of|right of|above|below|behind|"
        r"in front of|next to|near|between|what (year|color|colour|kind|type|size|shape))\b",
    ),
    LevelRule(
        "global",
        "coarse",
        r"\b(is there|are there|does (it|this|the \w+) (show|contain|have)|any(thing|one)?|overall|"
        r"summar(y|ise|ize)|about|topic|theme|gist|main (idea|point|subject)|scene|setting|"
        r"in general|genre|mood|describe (the|this) (image|picture|scene|document|text|clip|recording))\b",
    ),
)


@dataclass(frozen=True)
class LevelSelection:
    """What :func:`select_levels` chose, and why.

    levels : tuple of int, finest first.
    granularity : 'fine', 'medium', 'coarse' or 'all'; 'explicit' for levels given by index.
    rule : the name of the rule that fired, ``'override'``, or ``'default'`` when none did.
    matched : the text the rule's pattern matched (``None`` without a rule).
    """

    levels: tuple
    granularity: str
    rule: str
    matched: str | None = None


def select_levels(query_text: str, pyramid, *, override=None, rules=None, default: str = "all") -> LevelSelection:
    """Query-aware level selection: which levels of ``pyramid`` a question needs.

    The question's granularity comes from the first rule in ``rules`` whose pattern it contains
    (:data:`DEFAULT_RULES`: detail -> ``'fine'``, object -> ``'medium'``, global -> ``'coarse'``);
    the granularity becomes levels by the level's relative position ``i / (L - 1)``: fine below
    1/3, coarse above 2/3, medium in between (so a 3-level image pyramid 28/14/7 gives one level
    each, and a 4-level text pyramid token/sentence/paragraph/document gives medium = sentence and
    paragraph). A pyramid without a level of that role uses the levels nearest to it.

    Parameters
    ----------
    query_text : str
        The question.
    pyramid : Pyramid
    override : {'fine', 'medium', 'coarse', 'all'}, int or sequence of int, optional
        Skip the rules: a granularity, or explicit level indices.
    rules : sequence of LevelRule, optional
        Replace the default rules (extend them with ``my_rules + DEFAULT_RULES``).
    default : {'fine', 'medium', 'coarse', 'all'}
        The granularity when no rule fires.

    Returns
    -------
    LevelSelection
        ``levels``, ``granularity``, ``rule`` and ``matched``.

    Raises
    ------
    PyramidError
        A question that is not a string, an unknown override or default, rules that are not
        LevelRule objects, override levels out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid, align
    >>> grids = [Level(np.zeros((g, g, 8)), f"cell{g}",
    ...                [[y * 224 / g, x * 224 / g, (y + 1) * 224 / g, (x + 1) * 224 / g]
    ...                 for y in range(g) for x in range(g)], "pixels") for g in (28, 14, 7)]
    >>> image = Pyramid(grids, "image")
    >>> [align.select_levels(q, image).levels for q in
    ...  ("Is there a person?", "Where is the car?", "What is written on the sign?")]
    [(2,), (1,), (0,)]
    >>> align.select_levels("Where is the car?", image, override="fine").levels
    (0,)
    """
    if not isinstance(query_text, str):
        raise PyramidError(f"query_text is a {type(query_text).__name__}: need a str")
    _check_pyramid(pyramid, "pyramid")
    n = len(pyramid)
    if default not in GRANULARITIES:
        raise PyramidError(
            f"default={default!r} is not supported: use one of {', '.join(repr(g) for g in GRANULARITIES)}"
        )
    if override is not None:
        if isinstance(override, str):
            if override not in GRANULARITIES:
                raise PyramidError(
                    f"override={override!r} is not supported: use one of "
                    f"{', '.join(repr(g) for g in GRANULARITIES)}, a level index or a sequence of them"
                )
            return LevelSelection(_levels_for(n, override), override, "override")
        idx = _resolve_levels(override, pyramid, None, None)
        return LevelSelection(idx, "explicit", "override")
    rules = DEFAULT_RULES if rules is None else tuple(rules)
    for r in rules:
        if not isinstance(r, LevelRule):
            raise PyramidError(f"rules must hold LevelRule objects, got a {type(r).__name__}")
    for r in rules:
        m = r.search(query_text)
        if m:
            return LevelSelection(_levels_for(n, r.granularity), r.granularity, r.name, m.group(0))
    return LevelSelection(_levels_for(n, default), default, "default")


# ---------------------------------------------------------------------------------------------
# temporal alignment
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# audio-driven level of detail
# ---------------------------------------------------------------------------------------------
class LevelOfDetail(NamedTuple):
    """Per-window video level of detail chosen from audio band energies.

    extents : ``(n_windows, 2)`` spans in seconds.
    low_energy, high_energy : ``(n_windows,)`` summed STFT power in the low and high bands.
    ratio : ``high_energy / low_energy`` (``inf`` when the low band is silent and the high not).
    tier : ``(n_windows,)`` int, 0 the coarsest; index into ``frame_rates`` and ``resolutions``.
    frame_rate : ``(n_windows,)`` the chosen video frame rate.
    resolution : ``(n_windows, 2)`` the chosen (width, height).
    silent : ``(n_windows,)`` bool, windows below ``silence_db`` (given tier 0).
    """

    extents: np.ndarray
    low_energy: np.ndarray
    high_energy: np.ndarray
    ratio: np.ndarray
    tier: np.ndarray
    frame_rate: np.ndarray
    resolution: np.ndarray
    silent: np.ndarray


def _band(name, band, nyquist):
    try:
        lo, hi = (float(v) for v in band)
    except (TypeError, ValueError):
        raise PyramidError(f"{name}={band!r} must be a (low_hz, high_hz) pair") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or not 0 <= lo < hi:
        raise PyramidError(f"{name}={band!r} must satisfy 0 <= low_hz < high_hz")
    if hi > nyquist:
        raise PyramidError(f"{name}={band!r} reaches above the Nyquist frequency {nyquist:g} Hz")
    return lo, hi


def audio_level_of_detail(y=None, sr=22050, *, S=None, window: float = 0.5, n_fft: int = 2048,
                          hop_length: int = 512, low_band=(20.0, 200.0), high_band=(2000.0, 8000.0),
                          thresholds=(0.5, 2.0), frame_rates=(15, 30, 60),
                          resolutions=((640, 480), (1280, 720), (1920, 1080)),
                          silence_db: float = -60.0) -> LevelOfDetail:
    """Choose a video frame rate and resolution for each audio window from its band energies.

    Low-frequency audio (speech fundamentals, bass: 20-200 Hz) suggests a static scene; high-
    frequency audio (sibilants, cymbals, transients: 2-8 kHz) suggests fast motion. For each window
    the ratio ``E_high / E_low`` of STFT power in the two bands picks a tier:
    ``tier = #{thresholds <= ratio}``, so with the defaults ratio < 0.5 -> 15 fps 640x480,
    0.5 <= ratio < 2 -> 30 fps 1280x720, ratio >= 2 -> 60 fps 1920x1080. Windows quieter than
    ``silence_db`` below the loudest window get tier 0.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], optional
        Audio; leading axes are channels, whose powers are summed.
    sr : float > 0
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)], optional
        A power spectrogram (``|stft|**2``, centred frames with hop ``hop_length``) instead of
        ``y``; ``n_fft`` is then ``2 * (S.shape[-2] - 1)`` and the duration is taken as
        ``((t - 1) * hop_length + 1) / sr``, just past the last frame's centre.
    window : float > 0
        Window length in seconds; windows tile ``[0, duration)``, the last one may be shorter.
    n_fft, hop_length : int
        The STFT (:func:`dsp.stft`, centred Hann frames); frame ``m`` is at ``m * hop / sr`` s.
    low_band, high_band : (float, float)
        Bands in Hz, half-open ``[low, high)`` over the STFT bin frequencies ``k * sr / n_fft``.
    thresholds : sequence of float, increasing
        Ratio thresholds between tiers (``len(frame_rates) - 1`` of them).
    frame_rates : sequence of float
        Frame rate per tier, coarsest first.
    resolutions : sequence of (int, int)
        (width, height) per tier, coarsest first.
    silence_db : float <= 0
        Windows whose total power is this many dB below the loudest window's are silent.

    Returns
    -------
    LevelOfDetail

    Raises
    ------
    PyramidError
        Neither or both of ``y`` and ``S``, bands outside ``[0, sr/2]`` or with no STFT bin,
        thresholds not increasing or not matching the tiers.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import align
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> hum = np.sin(2 * np.pi * 100 * t)                 # 1 s of 100 Hz
    >>> hiss = np.sin(2 * np.pi * 5000 * t)               # 1 s of 5 kHz
    >>> y = np.concatenate([hum, hiss]).astype(np.float32)
    >>> lod = align.audio_level_of_detail(y, sr, window=1.0)
    >>> lod.frame_rate.tolist(), lod.tier.tolist()
    ([15, 60], [0, 2])
    """
    from dsp._validation import check_float, check_int
    from dsp._errors import DSPError

    try:
        sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
        window = check_float("window", window, minimum=0.0, strict_minimum=True)
        hop_length = check_int("hop_length", hop_length, minimum=1)
        silence_db = check_float("silence_db", silence_db, maximum=0.0)
    except DSPError as exc:
        raise PyramidError(str(exc)) from None
    if (y is None) == (S is None):
        raise PyramidError("audio_level_of_detail needs exactly one of y (audio) or S (a power spectrogram)")
    # every parameter is checked before the STFT runs
    n_tiers = len(frame_rates)
    if n_tiers < 1 or len(resolutions) != n_tiers:
        raise PyramidError(
            f"frame_rates has {len(frame_rates)} entries and resolutions {len(resolutions)}: need "
            "the same number (>= 1), one per tier"
        )
    try:
        th = np.asarray(thresholds, dtype=np.float64).ravel()
        res = np.asarray(resolutions, dtype=np.int64)
        rates = np.asarray(frame_rates, dtype=np.float64)
    except (TypeError, ValueError):
        raise PyramidError(
            f"thresholds={thresholds!r}, frame_rates={frame_rates!r} and resolutions={resolutions!r} "
            "must be numbers (resolutions: (width, height) pairs)"
        ) from None
    if th.size != n_tiers - 1:
        raise PyramidError(
            f"thresholds has {th.size} value(s): need {n_tiers - 1} (one between each pair of tiers)"
        )
    if th.size and (not np.isfinite(th).all() or (th < 0).any() or (np.diff(th) <= 0).any()):
        raise PyramidError(f"thresholds={th.tolist()} must be non-negative, finite and increasing")
    if res.shape != (n_tiers, 2):
        raise PyramidError(f"resolutions has shape {res.shape}: need ({n_tiers}, 2) (width, height) pairs")
    if (rates == rates.round()).all():
        rates = rates.astype(np.int64)
    nyq = sr / 2
    lo_b = _band("low_band", low_band, nyq)
    hi_b = _band("high_band", high_band, nyq)
    if S is None:
        y = as_features(y, "y", min_ndim=1)
        try:
            n_fft = check_int("n_fft", n_fft, minimum=2)
        except DSPError as exc:
            raise PyramidError(str(exc)) from None
    else:
        P = as_features(S, "S", min_ndim=2)
        if P.shape[-2] < 2:
            raise PyramidError(f"S has {P.shape[-2]} frequency bin(s) on axis -2: need at least 2")
        if bool((P < 0).any()):
            raise PyramidError("S has negative values: need a power spectrogram |stft|**2")
        n_fft = 2 * (P.shape[-2] - 1)
    freqs = np.arange(n_fft // 2 + 1) * (sr / n_fft)
    bins = []
    for name, (lo, hi) in (("low_band", lo_b), ("high_band", hi_b)):
        sel = np.flatnonzero((freqs >= lo) & (freqs < hi))
        if sel.size == 0:
            raise PyramidError(
                f"{name}=({lo:g}, {hi:g}) Hz contains no STFT bin (bins are {sr / n_fft:.4g} Hz apart): "
                "widen the band or raise n_fft"
            )
        bins.append((int(sel[0]), int(sel[-1]) + 1))

    if S is None:
        from dsp.spectral import stft

        D = stft(y, n_fft=n_fft, hop_length=hop_length, center=True)
        P = D.real * D.real + D.imag * D.imag
        n_samples = y.shape[-1]
    else:
        n_samples = (P.shape[-1] - 1) * hop_length + 1
    P = P.reshape((-1,) + P.shape[-2:]).sum(axis=0)  # channels' powers add
    energies = [to_host(P[b0:b1].sum(axis=0)).astype(np.float64) for b0, b1 in bins]
    total = to_host(P.sum(axis=0)).astype(np.float64)

    duration = n_samples / sr
    n_win = max(1, int(np.ceil(duration / window - 1e-9)))
    starts = np.arange(n_win) * window
    ends = np.minimum(starts + window, duration)
    frame_t = np.arange(P.shape[1]) * (hop_length / sr)
    win, fr = _frames_in_spans(starts, ends, frame_t)
    low = np.bincount(win, weights=energies[0][fr], minlength=n_win)
    high = np.bincount(win, weights=energies[1][fr], minlength=n_win)
    tot = np.bincount(win, weights=total[fr], minlength=n_win)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(low > 0, high / np.where(low > 0, low, 1.0), np.where(high > 0, np.inf, 0.0))
    tier = np.searchsorted(th, ratio, side="right")
    peak = tot.max()
    silent = tot <= peak * 10.0 ** (silence_db / 10.0) if peak > 0 else np.ones(n_win, bool)
    tier = np.where(silent, 0, tier)
    return LevelOfDetail(np.stack([starts, ends], axis=1), low, high, ratio, tier, rates[tier], res[tier], silent)
