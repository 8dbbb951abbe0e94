"""Reference counting in the kernels' helpers (dsp_kernels.subroutine).

Helpers compiled into the kernels (inner_jit, noalias_jit) go without Numba's reference counting:
each reference taken or dropped is an atomic add on an array's count, and the counts of the
arrays both threads share (the plan's tables, the window, the signal) moved between the cores on
every block. Helpers that allocate or return arrays (scratch_jit) keep it. These tests hold the
three rules that make that safe: a plain helper takes no references, may not return arrays, and
may not receive new arrays from a refcounted one; and the kernels built on them neither leak
nor free early (Numba's own allocation counters balance).
"""
from __future__ import annotations

import numba
import numpy as np
import pytest
from numba.core.caching import NullCache
from numba.core.runtime import rtsys
from tolerances import assert_close


#: under NUMBA_BOUNDSCHECK every helper keeps reference counting (kernels/subroutine.py)
needs_plain_helpers = pytest.mark.skipif(bool(numba.config.BOUNDSCHECK),
                                         reason="NUMBA_BOUNDSCHECK: every helper is refcounted")


@pytest.fixture
def nrt_stats():
    """Numba's allocation counters, on for the test (normally set by NUMBA_NRT_STATS at start)."""
    from numba.core.runtime import _nrt_python

    was_on = _nrt_python.memsys_stats_enabled()
    _nrt_python.memsys_enable_stats()
    yield rtsys.get_allocation_stats
    if not was_on:
        _nrt_python.memsys_disable_stats()


def _clone(func):
    import types

    return types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__,
                              func.__closure__)


def _refcount_calls(helper):
    """NRT_incref/NRT_decref calls in the compiled helper's own function."""
    (cres,) = helper.compiled.values()
    ir = str(cres.library._final_module)
    name = cres.fndesc.mangled_name
    body = ir[ir.index('define '):]
    body = next(part for part in body.split("\ndefine ") if name in part.splitlines()[0])
    return body.count("@NRT_incref") + body.count("@NRT_decref")


@needs_plain_helpers
def test_plain_helpers_take_no_references_and_refcounted_ones_do():
    """The FFT's general pass driver through the decorators the kernels use: as an
    ``inner_jit`` helper it takes no references; its ``scratch_jit`` twin takes and drops them
    (the plan's tables, each pass's row views)."""
    from dsp_kernels.config import inner_jit, jit, scratch_jit
    from dsp_kernels.cpu.fft import passes
    from dsp_kernels.cpu.fft.plans import get_fft_plan, make_work

    plain = inner_jit(_clone(passes._stockham_any))
    counted = scratch_jit(_clone(passes._stockham_any))

    @jit
    def call_both(plan, w1, w2):
        plain(plan, w1, None)  # None: one transform (an integer L means transforms in lanes)
        counted(plan, w2, None)

    call_both._cache = NullCache()
    n = 60  # radices 4, 3, 5
    plan = get_fft_plan(n, np.float64)
    w1 = make_work(plan)
    w1[0, :n] = np.arange(n)
    w2 = w1.copy()
    call_both(plan, w1, w2)
    half = w1.shape[1] // 2
    ref = np.fft.fft(np.arange(n))  # the test's oracle only, not the library's code
    assert_close(w1[0, :n] + 1j * w1[0, half:half + n], ref, np.float64, what="60-point FFT")
    assert np.array_equal(w1, w2)
    assert _refcount_calls(plain) == 0
    assert _refcount_calls(counted) > 0, "the refcounted twin no longer counts: the test lost its contrast"


@needs_plain_helpers
def test_a_plain_helper_may_not_return_arrays():
    """Returned, an array is a reference its caller owns, which a helper without counts never
    took: Numba refuses a new array or a view; the argument itself it lets through, and the
    subroutine refuses that."""
    from dsp_kernels.config import jit
    from dsp_kernels.subroutine import subroutine

    @subroutine
    def itself(x):
        return x

    @subroutine
    def second_half(x):
        return x[x.shape[0] // 2:]

    @jit
    def caller_itself(x):
        return itself(x).sum()

    @jit
    def caller_half(x):
        return second_half(x).sum()

    for caller in (caller_itself, caller_half):
        caller._cache = NullCache()
    with pytest.raises(Exception, match="must be a refcounted subroutine"):
        caller_itself(np.arange(4.0))
    with pytest.raises(Exception, match="returning of array"):
        caller_half(np.arange(4.0))


@needs_plain_helpers
@pytest.mark.parametrize("source", ["refcounted helper", "jit function compiled earlier"])
def test_a_plain_helper_may_not_take_new_arrays(source):
    """New arrays handed to a helper without counts would never be dropped: from a refcounted
    helper, or from a jitted function that was compiled (with counting) before the helper and
    whose compiled version the helper would reuse."""
    from dsp_kernels.config import jit, scratch_jit
    from dsp_kernels.subroutine import subroutine

    if source == "refcounted helper":
        @scratch_jit
        def zeros(n):
            return np.zeros(n)
    else:
        @jit
        def zeros(n):
            return np.zeros(n)

        zeros._cache = NullCache()
        assert zeros(3).tolist() == [0.0, 0.0, 0.0]  # compiled here, with reference counting

    @subroutine
    def uses_zeros(n):
        return zeros(n).sum()

    @jit
    def caller(n):
        return uses_zeros(n)

    caller._cache = NullCache()
    with pytest.raises(Exception, match="without reference counting"):
        caller(3)


def test_scratch_helpers_allocate_and_free_under_plain_callers(nrt_stats):
    from dsp_kernels.config import jit, scratch_jit
    from dsp_kernels.subroutine import subroutine

    @scratch_jit
    def scratch(n):
        return np.ones(n)

    @subroutine
    def total(a, k):
        v = a[k:]
        return v.sum()

    @jit
    def caller(n, reps):
        s = 0.0
        for r in range(reps):
            a = scratch(n)
            s += total(a, r % n)
        return s

    caller._cache = NullCache()
    caller(4, 1)
    before = nrt_stats()
    assert caller(4, 100) == sum(4 - r % 4 for r in range(100))
    after = nrt_stats()
    allocs, frees = after.alloc - before.alloc, after.free - before.free
    assert allocs == frees == 100
    assert after.mi_alloc - before.mi_alloc == after.mi_free - before.mi_free


@pytest.mark.parametrize("n_fft, hop, shape", [(400, 160, (16000 * 3,)), (2048, 512, (2, 22050)),
                                               (257, 64, (8000,))])
def test_the_kernels_allocations_balance(n_fft, hop, shape, nrt_stats):
    """Whole operations over the helpers: every allocation Numba's runtime made during the calls
    is freed by their end (a helper that kept or dropped one reference too many would show
    here, or crash), and the results are librosa's."""
    import librosa

    import dsp

    y = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    n = shape[-1]

    def run():
        S = dsp.stft(y, n_fft=n_fft, hop_length=hop)
        x = dsp.istft(S, hop_length=hop, n_fft=n_fft, length=n)
        M = dsp.feature.melspectrogram(y=y, sr=16000, n_fft=n_fft, hop_length=hop)
        # the other blocked kernels over stft_block_spectra, and the cqt's halvings
        dsp.feature.chroma_stft(y=y, sr=16000, n_fft=n_fft, hop_length=hop)
        dsp.feature.spectral_contrast(y=y, sr=16000, n_fft=n_fft, hop_length=hop)
        if n_fft == 400:
            dsp.cqt(y, sr=16000, hop_length=256)
        return S, x, M

    run()  # compiled, and every cache filled
    before = nrt_stats()
    for _ in range(2):
        S, x, M = run()
    after = nrt_stats()
    assert after.alloc - before.alloc == after.free - before.free
    assert after.mi_alloc - before.mi_alloc == after.mi_free - before.mi_free
    assert after.alloc > before.alloc, "no allocation counted: the check lost its subject"
    y64 = y.astype(np.float64)
    assert_close(S, librosa.stft(y64, n_fft=n_fft, hop_length=hop), np.float32, what="stft")
    assert_close(x, librosa.istft(librosa.stft(y64, n_fft=n_fft, hop_length=hop), hop_length=hop,
                                  n_fft=n_fft, length=n), np.float32, what="istft")
    assert_close(M, librosa.feature.melspectrogram(y=y64, sr=16000, n_fft=n_fft, hop_length=hop),
                 np.float32, what="melspectrogram")
