"""Timing: warm-up, then alternating rounds in one process, then medians, spreads and paired ratios.

Every implementation of an operation is timed in the same process on the same input. A round calls
each implementation once (its *sample*), in an order that changes from round to round, so slow
drifts of a shared machine (other jobs, frequency scaling) hit every implementation alike. The
orders form a Williams design (:func:`round_orders`): every implementation directly follows every
other equally often, so what one call leaves behind for the next (torch's OpenMP threads spinning
for about 10 ms after each call, OpenBLAS's likewise, caches filled with its own data) falls on
every implementation alike. A plain rotation kept the neighbours fixed: the implementation listed
after the last one always ran right after it (ours, right after torch, in every round). Ratios are
taken per round (ours/peer in the same round) and their median is reported, which is more robust on
a noisy machine than the ratio of two medians (also reported).

A sample of a very fast call repeats it ``number`` times (calibrated after warm-up so a sample lasts
at least ``min_sample_s``) and reports the mean per call. The calibration takes the fastest of the
warm-up calls: a single one is no estimate when the second call still loads something (ours
loads its finiteness kernel from the disk cache on the second call of a fresh process: 4.8 ms
against 35 us for a 1 s clip's resampling, which made its samples two calls each and their
spread 130 %, stop 39). GPU calls are synchronised before the clock
starts and before it stops, so a sample covers the work, not just its launch.
"""
from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


#: warm-up calls stop early once they have taken this long in all (seconds)
WARMUP_BUDGET_S = 0.5


@dataclass
class Timed:
    """One implementation ready to time: a zero-argument call and an optional device sync."""

    name: str
    fn: Callable[[], Any]
    sync: Callable[[], None] | None = None
    before: Callable[[], Any] | None = None  # untimed, right before every call
    number: int = 1
    samples: list[float] = field(default_factory=list)
    warm_s: float = math.nan
    error: str | None = None


def round_orders(k: int) -> list[list[int]]:
    """Orders of ``range(k)`` for successive rounds, balanced for carry-over (a Williams design).

    Over the ``k`` orders (``2 k`` when ``k`` is odd) each of the ``k (k - 1)`` ordered pairs
    ``(a, b)`` occurs exactly once (twice) as "``b`` directly after ``a``", and every index once
    (twice) in every position. For odd ``k`` each order is followed by its mirror, so any even
    number of rounds has "``b`` after ``a``" as often as "``a`` after ``b``" (the bench's 15
    rounds are not always whole cycles). Between rounds the harness runs ``gc.collect()``.

    >>> round_orders(4)
    [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]]
    """
    first, lo, hi = [0], 1, k - 1
    while len(first) < k:  # 0, 1, k - 1, 2, k - 2, ...: successive differences all distinct mod k
        if len(first) % 2:
            first.append(lo)
            lo += 1
        else:
            first.append(hi)
            hi -= 1
    orders = [[(i + shift) % k for i in first] for shift in range(k)]
    if k % 2:  # odd k: the mirrored orders supply the pairs the first k miss
        orders = [o for order in orders for o in (order, order[::-1])]
    return orders


def _run(t: Timed, number: int) -> float:
    if t.before is not None:
        return _run_after(t, number)
    sync = t.sync
    if sync is not None:
        sync()
    start = time.perf_counter()
    for _ in range(number):
        t.fn()
    if sync is not None:
        sync()
    return (time.perf_counter() - start) / number


def _run_after(t: Timed, number: int) -> float:
    """Mean time of ``number`` calls, each right after ``t.before()``, which is off the clock."""
    total = 0.0
    for _ in range(number):
        t.before()
        if t.sync is not None:
            t.sync()
        start = time.perf_counter()
        t.fn()
        if t.sync is not None:
            t.sync()
        total += time.perf_counter() - start
    return total / number


def summarize(samples) -> dict:
    """Median, quartiles, extremes and the relative spread ((q3 - q1) / median) of samples (seconds)."""
    a = np.asarray(samples, dtype=np.float64)
    if a.size == 0:
        return {"median_s": None, "q1_s": None, "q3_s": None, "min_s": None, "max_s": None,
                "spread": None, "n": 0}
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return {
        "median_s": float(med),
        "q1_s": float(q1),
        "q3_s": float(q3),
        "min_s": float(a.min()),
        "max_s": float(a.max()),
        "spread": float((q3 - q1) / med) if med > 0 else None,
        "n": int(a.size),
    }


def paired_ratio(ours, peer) -> dict:
    """Per-round ratios ours/peer: their median and quartiles, plus the ratio of the medians."""
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(peer, dtype=np.float64)
    n = min(a.size, b.size)
    if n == 0 or np.any(b[:n] <= 0):
        return {"ratio": None, "ratio_q1": None, "ratio_q3": None, "ratio_of_medians": None}
    r = a[:n] / b[:n]
    q1, med, q3 = np.percentile(r, [25, 50, 75])
    return {
        "ratio": float(med),
        "ratio_q1": float(q1),
        "ratio_q3": float(q3),
        "ratio_of_medians": float(np.median(a) / np.median(b)),
    }


def time_alternating(
    impls: list[Timed],
    *,
    repeat: int,
    warmup: int = 1,
    min_sample_s: float = 0.005,
    budget_s: float | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> list[Timed]:
    """Warm up every implementation, then time ``repeat`` alternating rounds.

    Warm-up is a first call and then ``max(warmup, 1)`` calls (fewer once they take
    :data:`WARMUP_BUDGET_S` in all); the fastest of those sets ``number``.

    An implementation that raises during warm-up is marked with ``error`` and left out of the rounds
    (the others still run). ``budget_s`` caps the rounds so that one slow operation cannot eat the
    run: the number of rounds shrinks (to no fewer than 3) when ``repeat`` rounds would exceed it.
    """
    live: list[Timed] = []
    for t in impls:
        if on_progress:
            on_progress(f"warm-up {t.name}")
        try:
            _run(t, 1)  # the first call: compilation, loading, first-touch of caches
            warm = math.inf
            spent = 0.0
            for _ in range(max(warmup, 1)):
                took = _run(t, 1)
                warm, spent = min(warm, took), spent + took
                if spent > WARMUP_BUDGET_S:  # long calls: one or two warm-ups tell enough
                    break
        except Exception as exc:  # a broken implementation is reported, never fatal
            t.error = f"{type(exc).__name__}: {exc}"
            continue
        t.warm_s = warm
        t.number = max(1, math.ceil(min_sample_s / warm)) if warm > 0 else 1
        live.append(t)

    rounds = repeat
    if budget_s is not None and live:
        per_round = sum(t.warm_s * t.number for t in live)
        if per_round > 0:
            rounds = max(min(3, repeat), min(repeat, int(budget_s / per_round)))

    orders = round_orders(len(live)) if live else []
    was_enabled = gc.isenabled()
    try:
        for r in range(rounds):
            if on_progress:
                on_progress(f"round {r + 1}/{rounds}")
            gc.collect()
            gc.disable()
            for j in orders[r % len(orders)] if orders else ():
                t = live[j]
                try:
                    t.samples.append(_run(t, t.number))
                except Exception as exc:
                    t.error = f"{type(exc).__name__}: {exc}"
            if was_enabled:
                gc.enable()
    finally:
        if was_enabled:
            gc.enable()
    return impls
