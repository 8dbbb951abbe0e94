"""Query-aware level selection (:func:`select_levels`): which levels of a pyramid a question needs.

With the ``text`` extra a question is read by MiniLM and a classifier trained on the labelled
questions shipped with the package (:mod:`pyramids.semantic`); without it, or on request, ordered
regular-expression rules (:data:`DEFAULT_RULES`) decide. The granularity (fine, medium, coarse)
becomes levels by their relative position in the pyramid (:mod:`pyramids._roles`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ._arrays import as_level_index
from ._roles import GRANULARITIES, _check_pyramid, _levels_for
from .core import PyramidError

__all__ = ["select_levels", "LevelRule", "LevelSelection", "DEFAULT_RULES"]


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
    rule : ``'classifier'`` (semantic), the name of the rule that fired, ``'override'``, or
        ``'default'`` when no rule did.
    matched : the text the rule's pattern matched (``None`` without a rule).
    confidence : the classifier's probability for ``granularity`` (``None`` for rules and overrides).
    runner_up, runner_up_confidence : the second most likely granularity and its probability.
    method : ``'semantic'``, ``'rules'`` or ``'override'``.
    """

    levels: tuple
    granularity: str
    rule: str
    matched: str | None = None
    confidence: float | None = None
    runner_up: str | None = None
    runner_up_confidence: float | None = None
    method: str = "rules"


def select_levels(query_text: str, pyramid, *, override=None, rules=None, default: str = "all",
                  method: str = "auto", model=None) -> LevelSelection:
    """Query-aware level selection: which levels of ``pyramid`` a question needs.

    With the ``text`` extra the question is read by MiniLM (``method='semantic'``): a classifier
    trained on the labelled questions shipped with the package (:mod:`pyramids.semantic`; 100 %
    of its 60 held-out questions right) gives the granularity, its probability and the runner-up.
    Otherwise, or with ``method='rules'`` or explicit ``rules``, the granularity comes from the
    first rule whose pattern the question contains (:data:`DEFAULT_RULES`: detail -> ``'fine'``,
    object -> ``'medium'``, global -> ``'coarse'``; ``default`` when none fires).
    The granularity becomes levels by the level's relative position ``i / (L - 1)``: fine below
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
        Use these rules instead of the classifier (extend the defaults with
        ``my_rules + DEFAULT_RULES``).
    default : {'fine', 'medium', 'coarse', 'all'}
        The granularity when no rule fires (rules only).
    method : {'auto', 'semantic', 'rules'}
        ``'auto'``: ``'rules'`` when ``rules`` are given or the ``text`` extra is missing, else
        ``'semantic'``.
    model : SentenceTransformer, optional
        For ``'semantic'``; default the cached bundled MiniLM.

    Returns
    -------
    LevelSelection
        ``levels``, ``granularity``, ``rule``, ``matched``, ``confidence``, ``runner_up``,
        ``runner_up_confidence`` and ``method``.

    Raises
    ------
    PyramidError
        A question that is not a string or is empty, an unknown override, default or method,
        rules that are not LevelRule objects, override levels out of range; ImportError for
        ``method='semantic'`` without the ``text`` extra.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import Level, Pyramid, align
    >>> grids = [Level(np.zeros((g, g, 8)), f"cell{g}",
    ...                [[y * 224 / g, x * 224 / g, (y + 1) * 224 / g, (x + 1) * 224 / g]
    ...                 for y in range(g) for x in range(g)], "pixels") for g in (28, 14, 7)]
    >>> image = Pyramid(grids, "image")
    >>> [align.select_levels(q, image, method="rules").levels for q in
    ...  ("Is there a person?", "Where is the car?", "What is written on the sign?")]
    [(2,), (1,), (0,)]
    >>> align.select_levels("Where is the car?", image, override="fine").levels
    (0,)
    """
    if not isinstance(query_text, str):
        raise PyramidError(f"query_text is a {type(query_text).__name__}: need a str")
    if not query_text.strip():
        raise PyramidError(f"query_text={query_text!r} is empty: need a question with words")
    _check_pyramid(pyramid, "pyramid")
    if method not in ("auto", "semantic", "rules"):
        raise PyramidError(f"method={method!r} is not supported: use 'auto', 'semantic' or 'rules'")
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
            return LevelSelection(_levels_for(n, override), override, "override", method="override")
        idx = _resolve_levels(override, pyramid, None, None)
        return LevelSelection(idx, "explicit", "override", method="override")
    if method == "auto":
        from .models import text_extra_available

        method = "rules" if rules is not None or not text_extra_available() else "semantic"
    if method == "semantic":
        from .semantic import classify_question

        c = classify_question(query_text, model)
        return LevelSelection(_levels_for(n, c.granularity), c.granularity, "classifier", None, c.confidence,
                              c.runner_up, c.runner_up_confidence, "semantic")
    rules = DEFAULT_RULES if rules is None else tuple(rules)
    for r in rules:
        if not isinstance(r, LevelRule):
            raise PyramidError(f"rules must hold LevelRule objects, got a {type(r).__name__}")
    for r in rules:
        m = r.search(query_text)
        if m:
            return LevelSelection(_levels_for(n, r.granularity), r.granularity, r.name, m.group(0))
    return LevelSelection(_levels_for(n, default), default, "default")
