"""dsp_kernels.entry.KeyedEntry: a dispatcher called through the entry point of the overload a
key first used, the same results as the dispatcher, and refusal of a key that does not
determine the argument types (checked mode, on in the tests)."""
import numpy as np
import pytest
from numba import njit

import dsp_kernels.entry as entry
from dsp_kernels.cpu.fft import get_rfft_plan
from dsp_kernels.entry import KeyedEntry


@njit
def _scaled_sum(x, plan, k):
    return x.sum() * k + plan.n


def test_keyed_calls_match_the_dispatcher_and_take_the_entry_point(dtype):
    kernel = KeyedEntry(_scaled_sum)
    plan = get_rfft_plan(12, dtype)
    x = np.arange(5, dtype=dtype)
    key = (x.dtype.char, type(plan))
    assert kernel(key, x, plan, 2) == _scaled_sum(x, plan, 2) == 32
    point, sig = kernel._entries[key]
    assert sig == tuple(_scaled_sum.typeof_pyval(a) for a in (x, plan, 2))
    taken = []

    def spy(*args):
        taken.append(len(args))
        return point(*args)

    kernel._entries[key] = (spy, sig)
    assert kernel(key, x * 2, plan, 3) == 3 * 20 + 12  # the remembered entry point, new values
    assert taken == [3]


def test_a_key_that_does_not_determine_the_types_is_refused(monkeypatch):
    monkeypatch.setattr(entry, "VERIFY", True)
    kernel = KeyedEntry(_scaled_sum)
    plan32, plan64 = get_rfft_plan(8, np.float32), get_rfft_plan(8, np.float64)
    kernel("same", np.ones(3, np.float32), plan32, 1)
    with pytest.raises(TypeError, match="does not determine the types"):
        kernel("same", np.ones(3), plan64, 1)


def test_types_numba_converts_are_dispatched_every_time():
    """An int where the overload was compiled for a float matches no overload exactly: the key
    remembers nothing and the dispatcher converts on every call."""
    f = njit("float64(float64)")(lambda v: v * 2.0)
    kernel = KeyedEntry(f)
    assert kernel("k", 3) == 6.0
    assert kernel._entries["k"] is None
    assert kernel("k", 4) == 8.0


def test_the_halving_kernel_keys_writeable_and_read_only_input_apart(dtype):
    """cqt_halve's key tells a read-only input from a writable one (Numba types them apart):
    both calls give the same samples, and the checked mode finds the key sufficient."""
    from dsp._resample_halving import block_size, halving_filter
    from dsp_kernels.cpu.cqt import cqt_halve

    assert entry.VERIFY  # set by conftest.py for the whole suite
    x = np.random.default_rng(0).standard_normal((1, 16000)).astype(dtype)
    n_fft = block_size(8000, "high", dtype)
    taps, fold = halving_filter("high", 1.0, np.dtype(dtype).str, n_fft)
    writable = cqt_halve(x, taps, n_fft, fold)
    x.flags.writeable = False
    np.testing.assert_array_equal(cqt_halve(x, taps, n_fft, fold), writable)
