"""Level matching across pyramids (:func:`match_levels`): coarse with coarse, fine with fine.

Two pyramids in the same units are compared by absolute scale (the log of the mean extent);
pyramids in different units by relative level position ``i / (L - 1)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._roles import _check_pyramid, _rank_positions, _role
from .core import PyramidError

__all__ = ["match_levels", "LevelMatch"]


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
    unmatched : (tuple of int, tuple of int)
        Levels of ``a`` and of ``b`` with no counterpart (only with ``max_ratio``: their scale
        is more than ``max_ratio`` away from any level they could be paired with).
    """

    pairs: tuple
    roles: tuple
    method: str
    table: tuple
    units: tuple = field(default=("", ""))
    unmatched: tuple = field(default=((), ()))

    def counterpart(self, i: int, side: str = "a"):
        """The level of the other pyramid matched with level ``i`` of ``side`` (``'a'`` or
        ``'b'``), or ``None``: no counterpart."""
        if side not in ("a", "b"):
            raise PyramidError(f"side={side!r} is not supported: use 'a' or 'b'")
        k = 0 if side == "a" else 1
        for pair in self.pairs:
            if pair[k] == i:
                return pair[1 - k]
        return None

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
        for side, levels in zip("ab", self.unmatched):
            if levels:
                lines.append(f"no counterpart in the other pyramid for {side} level(s) {list(levels)}")
        return "\n".join(lines)


def _partial_match(cost: np.ndarray, tol: float) -> list:
    """Order-preserving one-to-one matching that pairs as many levels as possible with
    ``cost <= tol`` (then the least total cost); the others stay unpaired."""
    m, n = cost.shape
    cnt = np.zeros((m + 1, n + 1), dtype=np.int64)
    tot = np.zeros((m + 1, n + 1))
    move = np.zeros((m + 1, n + 1), dtype=np.int8)  # 0: skip row, 1: skip column, 2: pair
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            opts = [(cnt[i - 1, j], -tot[i - 1, j], 0), (cnt[i, j - 1], -tot[i, j - 1], 1)]
            if cost[i - 1, j - 1] <= tol:
                opts.append((cnt[i - 1, j - 1] + 1, -(tot[i - 1, j - 1] + cost[i - 1, j - 1]), 2))
            c, t, mv = max(opts, key=lambda o: (o[0], o[1] + 1e-12 * (o[2] == 2)))
            cnt[i, j], tot[i, j], move[i, j] = c, -t, mv
    pairs, i, j = [], m, n
    while i > 0 and j > 0:
        if move[i, j] == 2:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif move[i, j] == 0:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


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


def match_levels(a, b, *, method: str = "auto", max_ratio=None) -> LevelMatch:
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
    max_ratio : float > 1, optional
        With ``'scale'``: levels are paired only when their mean extents are within this factor
        of each other; a level with no such partner has no counterpart (``unmatched``) instead
        of being forced into a pair. (An audio frame of 25 ms has no counterpart among the
        sentences of a transcript in seconds.) Default: every level of the shorter pyramid is
        paired.

    Returns
    -------
    LevelMatch
        ``pairs``, ``roles``, ``method`` and the ``table`` it used (print it for a readable table).

    Raises
    ------
    PyramidError
        Not pyramids, an unknown method, ``'scale'`` with different units or a zero scale,
        ``max_ratio`` not > 1 or used without ``'scale'``.

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
    if max_ratio is not None:
        try:
            max_ratio = float(max_ratio)
        except (TypeError, ValueError):
            raise PyramidError(f"max_ratio={max_ratio!r} must be a number > 1") from None
        if not np.isfinite(max_ratio) or max_ratio <= 1:
            raise PyramidError(f"max_ratio={max_ratio!r} must be a finite number > 1 (a factor between scales)")
        if method != "scale":
            raise PyramidError(
                f"max_ratio compares scales, but the match is by {method!r} ({units[0]} vs {units[1]}): "
                "use it with pyramids in the same units"
            )
        pairs = _partial_match(cost, np.log(max_ratio) + 1e-6)
        roles = tuple(_role(pa[i]) if len(a) <= len(b) else _role(pb[j]) for i, j in pairs)
        unmatched = (tuple(i for i in range(len(a)) if i not in {p[0] for p in pairs}),
                     tuple(j for j in range(len(b)) if j not in {p[1] for p in pairs}))
    elif len(a) <= len(b):
        pairs = _monotone_match(cost)
        short_pos = pa
        roles = tuple(_role(short_pos[i]) for i, _ in pairs)
    else:
        pairs = [(i, j) for j, i in _monotone_match(cost.T)]
        roles = tuple(_role(pb[j]) for _, j in pairs)
    if max_ratio is None:
        unmatched = ((), ())
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
    return LevelMatch(tuple(pairs), roles, method, table, units, unmatched)
