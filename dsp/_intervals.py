"""Just-intonation interval sets for :func:`dsp.vqt` (``intervals='pythagorean'``, ``'ji3'``,
``'ji5'``, ``'ji7'``), as librosa 0.11's ``pythagorean_intervals`` and ``plimit_intervals``.

A ``p``-limit interval is a product of powers of the given primes, folded into the octave [1, 2).
The set grows greedily from the unison: each step adds, among the neighbours of the chosen
intervals on the lattice of prime exponents (one exponent moved by +-1), the one with the least
total harmonic distance to the chosen set (Tenney's: the log2 of numerator times denominator of
the ratio between two intervals, after cancelling common factors). Ties, up to ``np.isclose``,
go to the simpler interval (smaller ``sum |exponent| log2 prime``), the earliest such neighbour
in the frontier's insertion order, as in librosa.
"""
from __future__ import annotations

import numpy as np
from dsp_kernels.caches import table_cache

__all__ = ["pythagorean_intervals", "plimit_intervals"]


def _fold(log2_ratios):
    """Fractional octave in [0, 1) of each log2 ratio."""
    frac, _ = np.modf(log2_ratios)
    frac[frac < 0] += 1
    return frac


@table_cache(maxsize=32)
def pythagorean_intervals(bins_per_octave: int) -> np.ndarray:
    """``3**k`` for ``k = 0 .. bins_per_octave - 1`` folded into [1, 2), ascending."""
    return np.power(2, np.sort(_fold(np.arange(bins_per_octave) * np.log2(3))))


def _tenney(logs, a, b):
    """Harmonic distance between the intervals with exponent vectors ``a`` and ``b``."""
    a = np.asarray(a)
    b = np.asarray(b)
    a_num, b_num = np.maximum(a, 0), np.maximum(b, 0)
    a_den, b_den = a_num - a, b_num - b
    common = np.minimum(a_num, b_num) - np.maximum(a_den, b_den)
    return np.around(logs.dot(a + b - 2 * common), 6)


@table_cache(maxsize=32)
def plimit_intervals(primes: tuple, bins_per_octave: int) -> np.ndarray:
    """The ``bins_per_octave`` intervals of the greedy ``primes``-limit set, ascending in [1, 2)."""
    logs = np.log2(np.asarray(primes, dtype=np.float64))
    steps = []
    for i in range(len(primes)):
        for sign in (1, -1):
            e = [0] * len(primes)
            e[i] = sign
            steps.append(tuple(e))
    chosen = [tuple([0] * len(primes))]
    frontier = list(steps)
    dist = {}
    while len(chosen) < bins_per_octave:
        best, best_score = 0, np.inf
        for j, cand in enumerate(frontier):
            score = 0.0
            for s in chosen:
                if (s, cand) not in dist:
                    dist[s, cand] = dist[cand, s] = _tenney(logs, cand, s)
                score += dist[s, cand]
            simpler = logs.dot(np.abs(cand)) < logs.dot(np.abs(frontier[best]))
            if score < best_score or (np.isclose(score, best_score) and simpler):
                best, best_score = j, score
        new = frontier.pop(best)
        chosen.append(new)
        for st in steps:
            nxt = tuple(np.add(new, st).tolist())
            if nxt not in chosen and nxt not in frontier:
                frontier.append(nxt)
    return np.power(2, np.sort(_fold(np.asarray(chosen, dtype=float).dot(logs))))
