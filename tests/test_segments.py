"""dsp.segments.segment_sums / segment_max against the loop oracle tests/naive.py:naive_group_pool
(means, maxima), over sorted and unsorted groups, rows left out, weights, both dtypes."""
import numpy as np
import pytest

import dsp
from tests.naive import naive_group_pool
from tests.tolerances import assert_close


def _case(dtype, sorted_groups, seed=0):
    rng = np.random.default_rng(seed)
    n, d, g = 157, 7, 11
    x = rng.standard_normal((n, d)).astype(dtype)
    group = np.sort(rng.integers(0, g, n)) if sorted_groups else rng.integers(0, g, n)
    group[rng.random(n) < 0.15] = -1  # rows that take no part
    group[:g] = np.arange(g) if not sorted_groups else group[:g]
    for k in range(g):  # every group holds a row
        if not (group == k).any():
            group[np.flatnonzero(group == -1)[0]] = k
    if sorted_groups:
        kept = group >= 0
        group[kept] = np.sort(group[kept])
    return x, group, g


@pytest.mark.parametrize("sorted_groups", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_segment_sums_is_the_group_mean(dtype, sorted_groups, weighted):
    x, group, g = _case(dtype, sorted_groups)
    w = np.random.default_rng(1).random(len(x)) if weighted else None
    sums, totals = dsp.segments.segment_sums(x, group, g, weights=w)
    assert sums.dtype == np.float64 and sums.shape == (g, x.shape[1]) and totals.shape == (g,)
    ref = naive_group_pool(x, group, g, "weighted" if weighted else "mean", weights=w)
    # accumulated in float64 from the dtype's values: exact to float64 rounding either way
    assert_close(sums / totals[:, None], ref, np.float64, what="segment mean")
    expect_totals = np.bincount(group[group >= 0], weights=None if w is None else w[group >= 0], minlength=g)
    np.testing.assert_allclose(totals, expect_totals, rtol=1e-12)


@pytest.mark.parametrize("sorted_groups", [True, False])
def test_segment_max(dtype, sorted_groups):
    x, group, g = _case(dtype, sorted_groups, seed=2)
    out = dsp.segments.segment_max(x, group, g)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, naive_group_pool(x, group, g, "max").astype(dtype))


def test_empty_groups_and_no_rows():
    x = np.ones((3, 2))
    sums, totals = dsp.segments.segment_sums(x, np.array([0, 0, 2]), 4)
    assert totals.tolist() == [2.0, 0.0, 1.0, 0.0] and sums[1].tolist() == [0.0, 0.0]
    sums, totals = dsp.segments.segment_sums(x, np.full(3, -1), 2)
    assert totals.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("call,match", [
    (lambda: dsp.segments.segment_sums(np.ones(4), np.zeros(4, int), 1), "x has 1 dimension"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2, 1)), np.zeros(4, int), 1), "need \\(n_rows, n_columns\\)"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2)), np.zeros(3, int), 1), "group has shape"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2)), np.zeros(4), 1), "need integer group"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2)), np.array([0, 1, 2, -2]), 3), "need -1 \\(no group\\)"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2)), np.array([0, 1, 2, 3]), 3), "n_groups=3"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2)), np.zeros(4, int), -1), "n_groups"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2)), np.zeros(4, int), 1, weights=np.ones(3)), "weights has shape"),
    (lambda: dsp.segments.segment_sums(np.ones((4, 2)), np.zeros(4, int), 1, weights=-np.ones(4)), "non-negative"),
    (lambda: dsp.segments.segment_sums(np.full((4, 2), np.nan), np.zeros(4, int), 1), "x"),
    (lambda: dsp.segments.segment_max(np.ones((4, 2)), np.zeros(4, int), 2), "group 1 has no row"),
])
def test_bad_input(call, match):
    with pytest.raises(dsp.DSPError, match=match):
        call()
