"""Cross-modal alignment of pyramids: matched levels, similarity and retrieval at any level,
query-aware level selection, temporal alignment by extents, and audio-driven level of detail.

Level correspondence
--------------------
Pyramids of different modalities meet at *matched levels*:

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

Modules
-------
``pyramids.align`` gathers the public names of the modules that implement them:
:mod:`pyramids.matching` (level matching), :mod:`pyramids.retrieval` (similarity, calibrated
retrieval, the index), :mod:`pyramids.selection` (level selection), :mod:`pyramids.timeline`
(time alignment, search in time) and :mod:`pyramids.lod` (audio-driven level of detail).
"""
from __future__ import annotations

from ._roles import GRANULARITIES, ROLES
from .lod import LevelOfDetail, audio_level_of_detail
from .matching import LevelMatch, match_levels
from .index import Calibration, PyramidIndex, calibrate
from .retrieval import Hit, retrieve, similarity
from .selection import DEFAULT_RULES, LevelRule, LevelSelection, select_levels
from .timeline import Location, TimeAlignment, align_in_time, locate

__all__ = [
    "match_levels",
    "similarity",
    "retrieve",
    "select_levels",
    "align_in_time",
    "locate",
    "audio_level_of_detail",
    "calibrate",
    "PyramidIndex",
    "Calibration",
    "Location",
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
