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
    assert kernel(key, x * 2, plan, 3) == 3 * 20 + 12  # the remembered entry point, new values


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
