"""The blocked transforms' njit contracts (kernels/cpu/fft/block.py, inverse_block.py), against
numpy.fft: W frames at once and partial blocks, frames read at a stride and an offset, spectra
with missing bins, scratch full of NaN (every value read must be written first), and nothing
written outside the target rows. Tolerances: tests/tolerances.py."""
import numpy as np
import pytest
from numba import njit

from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.cpu.fft.block import (
    PAD_FROM, alloc_block_work, block_lanes, block_row, rfft_lanes, store_lane_runs, store_pairs,
)
from dsp_kernels.cpu.fft.block_bins import rfft_lanes_bins
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes
from dsp_kernels.cpu.fft.plans import (
    BluesteinPlan, BluesteinPow2Plan, FFTPlan, Pow2Plan, SplitFusedMixedPlan, SplitFusedPlan, get_fft_plan,
)
from dsp_kernels.cpu.fft.passes import _pass2, _pass4, _pass8
from dsp_kernels.cpu.fft.passes_lanes import pass2_lanes, pass4_lanes, pass8_lanes
from dsp_kernels.cpu.fft.simd import lanes_for
from naive import naive_stockham_pass
from tolerances import assert_close

SIZES = [1, 2, 3, 8, 15, 16, 30, 32, 48, 64, 100, 255, 256, 400, 441, 480, 512, 882, 1024, 1280, 1536, 2048, 8192, 16384]
# even, odd, below and above W; every even power of two from 16 takes the fused last pass
# (plans.SplitFusedPlan), 64 and 256 with their radix-2 pass moved first, 8192 with its last
# two radix-8 passes made three radix-4 ones; 48, 400, 480, 1280 and 1536 take it with mixed
# radices (plans.SplitFusedMixedPlan)


@njit
def _forward(plan, src, s0, sstride, B, window, outf, o0, ostride, scale):
    work = alloc_block_work(plan)
    work[:] = np.nan
    rfft_lanes(plan, src, s0, sstride, B, window, outf, o0, ostride, work, scale)


@njit
def _inverse(plan, srcf, s0, sstride, B, m, outf, o0, ostride, scale):
    work = alloc_block_work(plan)
    work[:] = np.nan
    irfft_lanes(plan, srcf, s0, sstride, B, m, outf, o0, ostride, work, scale)


@njit
def _store_runs(P, M, B, dst, m0, n_out):
    store_lane_runs(P, M, B, dst, m0, n_out)


@njit
def _scratch_layout(plan):
    work = alloc_block_work(plan)
    return work.ctypes.data % 64, work.shape[0], work.shape[1], block_row(plan), block_lanes(plan, work)


@pytest.mark.parametrize("n", [8, 400, 2 * PAD_FROM - 2, 2 * PAD_FROM, 4096])
def test_block_scratch_is_aligned_and_holds_w_lanes(n, dtype):
    """Every allocation starts on a 64-byte boundary (Numba's allocator gives 32), holds two
    rows of ``2 * block_row * W`` values, at least the ``n/2 + 1`` bins per lane, and the lane
    count read back from its shape is W; rows from ``PAD_FROM`` on carry 16 more values."""
    plan = get_rfft_plan(n, dtype)
    W = lanes_for(dtype)
    for _ in range(8):  # allocations land at different offsets
        misalign, rows, cols, R, lanes = _scratch_layout(plan)
        assert (misalign, rows, cols, lanes) == (0, 2, 2 * R * W, W)
    assert R == plan.work_len + (17 if plan.work_len >= PAD_FROM else 1)
    assert R >= n // 2 + 1


@pytest.mark.parametrize("n, factors", [
    (24, None), (48, [2, 3, 4]), (400, [2, 5, 5, 4]), (480, [4, 3, 5, 4]), (1280, [4, 8, 5, 4]),
    (1536, [3, 8, 8, 4]), (3072, None), (1000, None),
])
def test_mixed_radix_real_plans_with_a_radix_4_end_in_it(n, factors, dtype):
    """Which mixed-radix real plans take the fused last pass (radix_orders._mixed_real_order): those
    with a radix-4 pass and m a multiple of 8 (24: m = 12; 3072: no 4 among [8, 8, 8, 3]; 1000:
    m = 500, not a multiple of 8); the complex plan of the same m keeps its order."""
    plan = get_rfft_plan(n, dtype)
    assert isinstance(plan, SplitFusedMixedPlan) == (factors is not None)
    cplan = get_fft_plan(plan.m, dtype)
    assert type(cplan) is FFTPlan
    if factors is not None:
        assert [int(r) for r in plan.factors] == factors
        assert sorted(int(r) for r in cplan.factors) == sorted(factors)
    else:
        assert [int(r) for r in plan.factors] == [int(r) for r in cplan.factors]


@pytest.mark.parametrize("n, factors", [
    (8, None), (16, [2, 4]), (32, [4, 4]), (64, [2, 4, 4]), (256, [2, 4, 4, 4]),
    (400, None), (512, [4, 4, 4, 4]), (2048, [4, 8, 8, 4]), (8192, [4, 8, 8, 4, 4]),
    (4096, [8, 8, 8, 4]), (16384, [4, 8, 8, 8, 4]),
])
def test_even_power_of_two_real_plans_end_in_radix_4_and_are_one_type(n, factors, dtype):
    """Which real plans take the fused last pass (radix_orders._real_order and plans._real_classed): every
    even power of two from 16 points, reordered to end in radix 4 so that kernels meeting several
    sizes compile one type; the complex plans keep their own order and class."""
    plan = get_rfft_plan(n, dtype)
    assert isinstance(plan, SplitFusedPlan) == (factors is not None)
    if factors is not None:
        assert [int(r) for r in plan.factors] == factors
        cplan = get_fft_plan(plan.m, dtype)
        assert type(cplan) is Pow2Plan
        assert int(np.prod(factors)) == plan.m == cplan.m


def test_real_plans_never_start_with_radix_8_when_a_smaller_radix_can():
    """The first pass has span 1, where a radix-8 pass pays its loop's bookkeeping for every
    vector (radix_orders._no_radix_8_first): no even 7-smooth real plan from 16 to 16384
    points whose passes before the last hold a radix below 8 starts with radix 8 (where the
    complex plan does, the smallest of them took its place); each keeps the complex plan's
    radices (or, for a fused plan, 8 x 8 as 4 x 4 x 4) and a fused plan's last pass is 4."""
    seen = set()
    # every even 7-smooth size (the plans' radices; other primes go last or to Bluestein)
    sizes = sorted({2 ** a * 3 ** b * 5 ** c * 7 ** d for a in range(1, 15) for b in range(9)
                    for c in range(7) for d in range(5)} & set(range(16, 16385)))
    for n in sizes:
        plan = get_rfft_plan(n, np.float32)
        if plan.bluestein:
            continue
        f = [int(r) for r in plan.factors]
        c = [int(r) for r in get_fft_plan(plan.m, np.float32).factors]
        assert np.prod(f) == plan.m
        assert sorted(f) == sorted(c) or (sorted(f + [8, 8]) == sorted(c + [4, 4, 4]))
        head = f[:-1]
        if head and min(head) < 8:
            assert f[0] != 8, (n, f)
            if c[0] == 8:  # moved off the first pass: the smallest radix took its place
                assert f[0] == min(head), (n, f)
                seen.add(f[0])
        if isinstance(plan, (SplitFusedPlan, SplitFusedMixedPlan)):
            assert f[-1] == 4
    assert seen >= {3, 4, 5}


def _block_sizes(W):
    return [W, W - 3, 1]


#: sizes whose core is Bluestein's convolution (plans.BLUESTEIN): odd primes (37, 257, 1031;
#: 509's convolution size is 1024, a BluesteinPow2Plan) and twice a prime (74 = 2 * 37)
BLUESTEIN_SIZES = [37, 74, 257, 509, 1031]


@pytest.mark.parametrize("n", SIZES + BLUESTEIN_SIZES)
def test_rfft_lanes_matches_numpy(n, dtype):
    W = lanes_for(dtype)
    rng = np.random.default_rng(n)
    hop = max(1, n // 3)  # overlapping frames, as in an STFT
    nb = n // 2 + 1
    window = rng.uniform(0.5, 1.5, n).astype(dtype)
    for B in _block_sizes(W):
        y = rng.standard_normal(5 + (B - 1) * hop + n + 4).astype(dtype)
        out = np.full((B, nb + 3), np.nan, np.result_type(dtype, np.complex64))
        _forward(get_rfft_plan(n, dtype), y, 5, hop, B, window, out.view(dtype).reshape(-1), 2,
                 2 * (nb + 3), np.dtype(dtype).type(1.0))
        frames = np.stack([y[5 + l * hop: 5 + l * hop + n] for l in range(B)]).astype(np.float64)
        ref = np.fft.rfft(frames * window, axis=-1)
        assert_close(out[:, 1:1 + nb], ref, dtype, what=f"n={n} B={B}")
        assert np.isnan(out[:, 0]).all() and np.isnan(out[:, 1 + nb:]).all()


@njit
def _forward_bins(plan, src, s0, sstride, B, window, outf, o0, ostride, scale):
    work = alloc_block_work(plan)
    work[:] = np.nan
    row, pstride, odd = rfft_lanes_bins(plan, src, s0, sstride, B, window, work, scale)
    store_pairs(work[row], pstride, odd, 2 * (plan.n // 2 + 1), B, outf, o0, ostride)
    return row, pstride, odd


@pytest.mark.parametrize("n", SIZES + BLUESTEIN_SIZES)
def test_rfft_lanes_bins_in_either_layout_equal_rfft_lanes(n, dtype):
    # the stft's path: a fused plan's bins stay in the passes' row 0 (real parts, then imaginary
    # parts), the others in rfft_lanes_spectra's layout in row 1; stored through store_pairs,
    # they must equal rfft_lanes (whose values the test above checks against NumPy) within the
    # dtype's tolerance: the in-place helpers are other code, and LLVM may contract their sums
    # otherwise (bins n/4 and 3n/4 differ in the last bit, more so under NUMBA_BOUNDSCHECK),
    # and write nothing outside the rows
    W = lanes_for(dtype)
    rng = np.random.default_rng(n + 1)
    hop = max(1, n // 3)
    nb = n // 2 + 1
    window = rng.uniform(0.5, 1.5, n).astype(dtype)
    plan = get_rfft_plan(n, dtype)
    for B in _block_sizes(W):
        y = rng.standard_normal(5 + (B - 1) * hop + n + 4).astype(dtype)
        args = (plan, y, 5, hop, B, window)
        rest = (2, 2 * (nb + 3), np.dtype(dtype).type(1.0))
        want = np.full((B, nb + 3), np.nan, np.result_type(dtype, np.complex64))
        got = want.copy()
        _forward(*args, want.view(dtype).reshape(-1), *rest)
        layout = _forward_bins(*args, got.view(dtype).reshape(-1), *rest)
        fused = isinstance(plan, (SplitFusedPlan, SplitFusedMixedPlan))
        assert layout == ((0, W, block_row(plan) * W) if fused else (1, 2 * W, W))
        assert_close(got[:, 1:1 + nb], want[:, 1:1 + nb], dtype, what=f"n={n} B={B}")
        assert np.isnan(got[:, 0]).all() and np.isnan(got[:, 1 + nb:]).all()


@pytest.mark.parametrize("n", SIZES)
def test_irfft_lanes_matches_numpy(n, dtype):
    W = lanes_for(dtype)
    rng = np.random.default_rng(n)
    nh = n // 2 + 1
    for B in _block_sizes(W):
        for m in sorted({nh, max(1, nh - 3)}):
            # 2 spare bins per row; frame l starts one bin into its row
            X = (rng.standard_normal((B, nh + 2)) + 1j * rng.standard_normal((B, nh + 2)))
            X = X.astype(np.result_type(dtype, np.complex64))
            out = np.full((B, n + 5), np.nan, dtype)
            _inverse(get_rfft_plan(n, dtype), X.view(dtype).reshape(-1), 2, 2 * (nh + 2), B, m,
                     out.reshape(-1), 1, n + 5, np.dtype(dtype).type(1.0 / n))
            ref = np.fft.irfft(X[:, 1:1 + m].astype(np.complex128), n=n, axis=-1)
            assert_close(out[:, 1:n + 1], ref, dtype, what=f"n={n} B={B} m={m}")
            assert np.isnan(out[:, 0]).all() and np.isnan(out[:, n + 1:]).all()


@pytest.mark.parametrize("M, lanes_unused, last", [
    (506, 0, 410),  # a 1 s clip's 2:1 group: whole tiles up to the short block's 400th value
    (506, 0, 506),  # every block whole: tiles throughout
    (506, 3, 200),  # fewer lanes than W, the last short: element by element
    (37, 0, 36),  # runs not a multiple of W, the last block one short
    (506, 0, 3),  # the last block shorter than one tile
    (20, 0, 1),
    (40, 0, 32),  # the short block's run a whole number of tiles (16 and 8 lanes)
    (30, -1, 7),  # one lane (B = 1; -1 stands for W - 1 unused)
])
def test_store_lane_runs_writes_each_lanes_run_and_nothing_past_n_out(M, lanes_unused, last, dtype):
    """An overlap-save group's outputs: the first ``M`` values of lane ``l`` at
    ``dst[m0 + l M:]``, the last lane's run cut at ``n_out``; every other value untouched
    (against a loop over the lanes layout ``P[i W + l]``)."""
    W = lanes_for(dtype)
    B = 1 if lanes_unused == -1 else W - lanes_unused
    m0 = 7
    n_out = m0 + (B - 1) * M + last
    P = np.random.default_rng(M + B).standard_normal(M * W + W).astype(dtype)
    dst = np.full(n_out + 40, np.nan, dtype)
    _store_runs(P, M, B, dst[:n_out], m0, n_out)
    ref = np.full_like(dst, np.nan)
    for l in range(B):
        for i in range(M):
            if m0 + l * M + i < n_out:
                ref[m0 + l * M + i] = P[i * W + l]
    np.testing.assert_array_equal(dst, ref)


@pytest.mark.parametrize("n,cls", [(37, BluesteinPlan), (74, BluesteinPlan), (1031, BluesteinPlan),
                                   (509, BluesteinPow2Plan)])
def test_bluestein_plans_are_their_own_type(n, cls, dtype):
    """Plans of Bluestein's convolution have a class of their own (the blocked transform compiles
    the convolution only for them), keeping the power-of-two driver when ``m`` allows it."""
    plan = get_rfft_plan(n, dtype)
    assert type(plan) is cls and plan.bluestein == 1
    assert isinstance(plan, Pow2Plan) == (cls is BluesteinPow2Plan)


@njit
def _lane_pass(r, x, y, M, twr, twi, s, mm, consts):
    if r == 8:
        pass8_lanes(x, y, M, twr, twi, 0, s, mm, consts)
    elif r == 4:
        pass4_lanes(x, y, M, twr, twi, 0, s, mm)
    else:
        pass2_lanes(x, y, M, twr, twi, 0, s, mm)


@njit
def _scalar_pass(r, x, y, M, twr, twi, s, mm, L, consts):
    if r == 8:
        _pass8(x, y, M, twr, twi, 0, s, mm, L, consts)
    elif r == 4:
        _pass4(x, y, M, twr, twi, 0, s, mm, L)
    else:
        _pass2(x, y, M, twr, twi, 0, s, mm, L)


@pytest.mark.parametrize("r", [2, 4, 8])
@pytest.mark.parametrize("s, mm", [(1, 1), (1, 5), (2, 3), (8, 2)])
def test_lane_passes_and_scalar_passes_are_the_stockham_pass(r, s, mm, dtype):
    """passes_lanes (one vector of W lanes per operand; span 1 without an inner loop) and the
    scalar passes in lanes against the pass's definition (tests/naive.py), with arbitrary
    twiddles; nothing past the pass's m W values is written."""
    W = lanes_for(dtype)
    m = s * r * mm
    M = m * W + 3 * W  # room past the pass's values, which must stay untouched
    rng = np.random.default_rng(r * 100 + s * 10 + mm)
    x = rng.standard_normal(2 * M).astype(dtype)
    tw = np.exp(-2j * np.pi * rng.random((r - 1) * mm))
    twr, twi = tw.real.astype(dtype), tw.imag.astype(dtype)
    consts = get_fft_plan(8, dtype).consts  # consts[6] = sqrt(1/2), the radix-8 rotation
    ref = naive_stockham_pass(x, M, twr.astype(np.float64) + 1j * twi, 0, r, s, mm, W)
    for name, run in (("lanes", lambda y: _lane_pass(r, x, y, M, twr, twi, s, mm, consts)),
                      ("scalar", lambda y: _scalar_pass(r, x, y, M, twr, twi, s, mm, W, consts))):
        y = np.full(2 * M, np.nan, dtype)
        run(y)
        core = np.r_[0:m * W, M:M + m * W]
        assert_close(y[core], ref[core], dtype, what=f"radix-{r} {name} pass")
        assert np.isnan(np.delete(y, core)).all(), f"{name} pass wrote past its values"
