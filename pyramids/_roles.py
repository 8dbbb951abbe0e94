"""Level roles shared by the cross-modal modules: a level's relative position in its pyramid
(0 finest .. 1 coarsest) and the role it gives (fine below 1/3, coarse above 2/3, medium between).
"""
from __future__ import annotations

import numpy as np

from ._arrays import is_pyramid
from .core import PyramidError

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
