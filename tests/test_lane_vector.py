"""The explicit lane vectors (kernels/cpu/fft/lane_vector.py): loads and stores move exactly one
64-byte vector, the arithmetic is NumPy's element by element, narrowing scalars are refused, and
in checked mode a vector outside its array raises IndexError. Also run by the boundscheck pass
(tests/test_boundscheck.py), where load and store are the checked twins."""
import numba
import numpy as np
import pytest

from dsp_kernels.config import jit
from dsp_kernels.cpu.fft import lane_vector
from dsp_kernels.cpu.fft.lane_vector import load, store
from dsp_kernels.cpu.fft.simd import CHECKED, lanes_for


@jit
def _move(src, i, dst, j):
    store(dst, j, load(src, i))


@pytest.mark.parametrize("i, j", [(0, 0), (3, 21), (17, 1)])
def test_load_then_store_moves_one_vector_and_nothing_else(dtype, i, j):
    w = lanes_for(dtype)
    src = np.random.default_rng(0).standard_normal(i + w + 5).astype(dtype)
    dst = np.full(j + w + 7, -7.0, dtype=dtype)
    before = dst.copy()
    _move(src, i, dst, j)
    np.testing.assert_array_equal(dst[j:j + w], src[i:i + w])
    outside = np.ones(dst.size, bool)
    outside[j:j + w] = False
    np.testing.assert_array_equal(dst[outside], before[outside])


@jit
def _ops(x, y, out, s):
    """One operation per output row: each result is a single IEEE operation (nothing for
    fastmath's contraction or reassociation to change)."""
    a = load(x, 0)
    b = load(y, 0)
    store(out[0], 0, a + b)
    store(out[1], 0, a - b)
    store(out[2], 0, a * b)
    store(out[3], 0, -a)
    store(out[4], 0, a * s)
    store(out[5], 0, s - a)
    store(out[6], 0, a + 3)
    store(out[7], 0, s)  # a scalar stored to every lane


def test_arithmetic_is_numpys_element_by_element_with_scalars_broadcast(dtype):
    w = lanes_for(dtype)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(w).astype(dtype)
    y = rng.standard_normal(w).astype(dtype)
    x[0], y[0] = np.inf, 1.0  # special values pass through as in NumPy
    x[1] = np.nan
    scalar = np.dtype(dtype).type
    s = scalar(0.625)
    out = np.zeros((8, w), dtype=dtype)
    _ops(x, y, out, s)
    with np.errstate(invalid="ignore"):
        expected = [x + y, x - y, x * y, -x, x * s, s - x, x + scalar(3), np.full(w, s, dtype)]
    for k, e in enumerate(expected):
        np.testing.assert_array_equal(out[k], e, err_msg=f"operation {k}")


def test_a_float64_scalar_with_float32_vectors_is_refused():
    # it would silently narrow the scalar; Numba's own scalar code would widen the vector
    @numba.njit
    def widen(x):
        return store(x, 0, load(x, 0) * 0.1)

    with pytest.raises(numba.core.errors.TypingError):
        widen(np.zeros(16, np.float32))


def test_python_twins_check_the_range_and_move_one_vector(dtype):
    # what NUMBA_DISABLE_JIT=1 runs: NumPy arrays of W values, every range checked
    w = lanes_for(dtype)
    x = np.arange(w + 4, dtype=dtype)
    v = lane_vector._load_checked(x, 2)
    np.testing.assert_array_equal(v, x[2:2 + w])
    lane_vector._store_checked(x, 4, v * 2)
    np.testing.assert_array_equal(x[4:4 + w], 2 * np.arange(2, 2 + w, dtype=dtype))
    with pytest.raises(IndexError):
        lane_vector._load_checked(x, 5)
    with pytest.raises(IndexError):
        lane_vector._store_checked(x, -1, v)


@pytest.mark.skipif(not CHECKED, reason="load and store are the checked twins only under "
                                        "NUMBA_BOUNDSCHECK=1 (tests/test_boundscheck.py runs this)")
@pytest.mark.parametrize("i, j", [(1, 0), (0, 1), (-1, 0), (0, -3)])
def test_checked_twins_raise_for_a_vector_outside_the_array(i, j):
    w = lanes_for(np.float32)
    with pytest.raises(IndexError):
        _move(np.zeros(w, np.float32), i, np.zeros(w, np.float32), j)
