"""Plans of our CPU FFT: factorisation, twiddle tables, Bluestein chirps, cached per (n, dtype).

A plan (:class:`FFTPlan`) is a flat NamedTuple of arrays and ints, so it is an ordinary argument
of an njit function; its Numba type depends only on the dtype and on whether its passes are all
of power-of-two radix (:class:`Pow2Plan`, a subclass), so one compiled kernel serves every n of
a kind. Plans are built here in plain Python (twiddles correctly rounded through
:func:`_sincos_2pi`) and cached with ``@table_cache`` (``dsp.clear_caches()`` empties them).
The transforms that read them are :mod:`dsp_kernels.cpu.fft.transforms` (the njit API) and
:mod:`dsp_kernels.cpu.fft.batched` (the batched entry functions).

- ``get_fft_plan(n, dtype)``: plan of the n-point complex transform.
- ``get_rfft_plan(n, dtype)``: plan of the n-point real transform (rfft and irfft).
- ``make_work(plan)``: scratch for one thread, from plain Python.

dtype float32 or float64 picks the working precision of the twiddles and the arithmetic.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.fft.plans import get_rfft_plan, make_work
>>> plan = get_rfft_plan(12, np.float32)
>>> plan.n, plan.cn, plan.bluestein, plan.consts.dtype.name
(12, 6, 0, 'float32')
>>> make_work(plan).shape[0]
2
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dsp_kernels.caches import table_cache
from dsp_kernels.cpu.fft.radix_orders import _factorize, _largest_prime, _next_smooth, real_pass_order
from dsp_kernels.cpu.fft.exact_tables import (  # noqa: F401  (_sincos_2pi re-exported)
    LONG_DOUBLE_SPECTRUM_MAX,
    _LD,
    _dft_long_double,
    _sincos_2pi,
)

__all__ = ["FFTPlan", "Pow2Plan", "SplitFusedPlan", "SplitFusedMixedPlan", "SPLIT_FUSED", "CPlan", "RPlan", "get_fft_plan",
           "get_rfft_plan", "make_work", "MAX_DIRECT_PRIME"]

MAX_DIRECT_PRIME = 31


class FFTPlan(NamedTuple):
    """Plan of an n-point complex or real transform (see the module docstring).

    One flat NamedTuple type for complex and real plans: Numba cannot hand nested tuples of
    arrays to a ``prange`` body, and a single type means a single compiled kernel per dtype.
    """

    n: int  # transform size (the real length for real plans)
    real: int  # 1 for a real-transform plan
    odd: int  # real plans: 1 when n is odd (the core then runs a full n-point complex DFT)
    cn: int  # size of the complex core: n (complex), n/2 (real, even n) or n (real, odd n)
    bluestein: int  # 1 when the core goes through Bluestein's chirp-z convolution of size m
    m: int  # size of the Stockham executor (cn, or the smooth convolution size)
    factors: np.ndarray  # int64 radices of the m-point Stockham passes, in order
    tw_off: np.ndarray  # int64 offset of each pass's twiddles in tw_re/tw_im
    tw_re: np.ndarray  # per-pass twiddles exp(-2 pi i p k / len), contiguous per pass
    tw_im: np.ndarray
    root_off: np.ndarray  # int64 offset of each pass's r-th roots of unity (generic radix)
    roots_re: np.ndarray
    roots_im: np.ndarray
    bw_re: np.ndarray  # Bluestein chirp exp(-i pi k^2 / cn), k < cn
    bw_im: np.ndarray
    bf_re: np.ndarray  # DFT of the conjugate chirp filter, divided by m
    bf_im: np.ndarray
    rw_re: np.ndarray  # real plans, even n: exp(-2 pi i k / n), k = 0..n/2
    rw_im: np.ndarray
    consts: np.ndarray  # butterfly constants in the working dtype
    scales: np.ndarray  # [1, 1/n, 1/sqrt(n)] in the working dtype
    work_len: int  # length of the scratch rows


#: the same type serves both kinds of plan
CPlan = RPlan = FFTPlan


class Pow2Plan(FFTPlan):
    """An :class:`FFTPlan` whose Stockham passes are all of radix 2, 4 or 8 (``m`` a power of two).

    The same fields; only the class differs, and with it the Numba type: a kernel compiled for
    a ``Pow2Plan`` contains the three power-of-two passes and not the odd ones (3, 5, generic),
    which were half of the code of a cold power-of-two stft (see
    :func:`dsp_kernels.cpu.fft.passes.stockham`). A kernel that meets both kinds of plan is
    compiled once per kind.
    """

    __slots__ = ()


class SplitFusedPlan(Pow2Plan):
    """A real :class:`Pow2Plan` (even ``n``) whose last pass has radix 4 and ``m >= 8``.

    Its blocked transform runs that pass fused with the split into the real transform's bins
    (:mod:`dsp_kernels.cpu.fft.last_post`); the class, and with it the Numba type, tells a
    kernel which of the two paths to compile, so each compiles one of them (both paths in one
    kernel cost a cold stft 1.5-2.5 s more).
    """

    __slots__ = ()


class SplitFusedMixedPlan(FFTPlan):
    """A real plan of mixed radices (even ``n``, ``m`` a multiple of 8) whose last pass has
    radix 4: the :class:`SplitFusedPlan` path for sizes such as the speech front end's 400
    points (``[2, 5, 5, 4]``), its passes before the last run by the general driver."""

    __slots__ = ()


#: the plan classes whose blocked real transform fuses the last pass with the split
SPLIT_FUSED = (SplitFusedPlan, SplitFusedMixedPlan)


class BluesteinPlan(FFTPlan):
    """A plan whose core is Bluestein's convolution (``bluestein == 1``), of mixed radices; its
    own type, so that the blocked real transform compiles the convolution
    (:mod:`~dsp_kernels.cpu.fft.bluestein_block`) only into the kernels that meet one."""

    __slots__ = ()


class BluesteinPow2Plan(Pow2Plan):
    """:class:`BluesteinPlan` whose convolution size ``m`` is a power of two."""

    __slots__ = ()


#: the plan classes of Bluestein's convolution
BLUESTEIN = (BluesteinPlan, BluesteinPow2Plan)

#: the radices of a :class:`Pow2Plan` (what ``_factorize`` makes of a power of two)
POW2_RADICES = (2, 4, 8)


def _real_classed(plan: FFTPlan) -> FFTPlan:
    """An even real plan as a :class:`SplitFusedPlan` (power of two) or a
    :class:`SplitFusedMixedPlan` when its passes allow (the one place that decides)."""
    if (plan.odd == 0 and plan.bluestein == 0 and plan.m >= 8 and plan.m % 8 == 0
            and int(plan.factors[-1]) == 4):
        if type(plan) is Pow2Plan:
            return SplitFusedPlan(*plan)
        if type(plan) is FFTPlan:
            return SplitFusedMixedPlan(*plan)
    return plan


def _classed(plan: FFTPlan) -> FFTPlan:
    """``plan`` as a :class:`Pow2Plan` when its passes allow (the one place that decides)."""
    if all(int(r) in POW2_RADICES for r in plan.factors):
        return Pow2Plan(*plan)
    return plan


# ---------------------------------------------------------------------------------------------
# plans (plain Python, cached)


_CONSTS = np.array(
    [
        0.5,
        np.sqrt(3.0) / 2.0,  # sin(2 pi / 3)
        np.cos(2 * np.pi / 5),
        np.cos(4 * np.pi / 5),
        np.sin(2 * np.pi / 5),
        np.sin(4 * np.pi / 5),
        np.sqrt(0.5),
        1.0,
        0.0,
        # radix 7 (passes_odd._pass7): cos and sin of 2 pi k / 7, k = 1, 2, 3
        np.cos(2 * np.pi / 7),
        np.cos(4 * np.pi / 7),
        np.cos(6 * np.pi / 7),
        np.sin(2 * np.pi / 7),
        np.sin(4 * np.pi / 7),
        np.sin(6 * np.pi / 7),
    ]
)


def _scales(n: int, dt) -> np.ndarray:
    return np.array([1.0, 1.0 / n, 1.0 / np.sqrt(n)], dtype=dt)


def _stockham_tables(m: int, dt: np.dtype, factors: list[int] | None = None):
    if factors is None:
        factors = _factorize(m) if m > 1 else []
    tw_re, tw_im, tw_off, roots_re, roots_im, root_off = [], [], [0], [], [], [0]
    ncur = m
    for r in factors:
        mm = ncur // r
        p = np.arange(mm)[:, None]
        k = np.arange(1, r)[None, :]
        c, s = _sincos_2pi(-(p * k).ravel(), ncur, dt)
        tw_re.append(c)
        tw_im.append(s)
        tw_off.append(tw_off[-1] + mm * (r - 1))
        c, s = _sincos_2pi(-np.arange(r), r, dt)
        roots_re.append(c)
        roots_im.append(s)
        root_off.append(root_off[-1] + r)
        ncur = mm
    cat = lambda parts: np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros(0), dtype=dt)
    return (
        np.array(factors, dtype=np.int64),
        np.array(tw_off, dtype=np.int64),
        cat(tw_re),
        cat(tw_im),
        np.array(root_off, dtype=np.int64),
        cat(roots_re),
        cat(roots_im),
    )


@table_cache(maxsize=256)
def _fft_plan_cached(n: int, dtype_name: str) -> CPlan:
    dt = np.dtype(dtype_name)
    empty = np.zeros(0, dtype=dt)
    consts = _CONSTS.astype(dt)
    if n <= 1 or _largest_prime(n) <= MAX_DIRECT_PRIME:
        tables = _stockham_tables(max(n, 1), dt)
        return _classed(FFTPlan(n, 0, 0, n, 0, max(n, 1), *tables, empty, empty, empty, empty,
                                empty, empty, consts, _scales(n, dt), max(n, 1)))
    # Bluestein: X_k = w_k sum_j (x_j w_j) conj(w_{k-j}), w_k = exp(-i pi k^2 / n), a circular
    # convolution of smooth size m >= 2n - 1. k^2 is reduced mod 2n in integers for accuracy.
    m = _next_smooth(2 * n - 1)
    k = np.arange(n, dtype=np.int64)
    q = (k * k) % (2 * n)
    c, s = _sincos_2pi(-q, 2 * n, np.float64)
    w = c + 1j * s
    # the filter's spectrum is computed once: in long double up to LONG_DOUBLE_SPECTRUM_MAX
    # points (its float64 rounding cost up to about 2 ulp in round trips), else by our float64
    # transform
    if m <= LONG_DOUBLE_SPECTRUM_MAX:
        c, s = _sincos_2pi(q, 2 * n, _LD)
        filt = np.zeros(m, dtype=np.clongdouble)
        filt[:n] = c + 1j * s
        filt[m - n + 1:] = filt[1:n][::-1]
        spec = (_dft_long_double(filt[None])[0] / m).astype(np.complex128)
    else:
        filt = np.zeros(m, dtype=np.complex128)
        filt[:n] = np.conj(w)
        filt[m - n + 1:] = np.conj(w[1:])[::-1]
        # the njit transform of this package, imported here because it imports this module
        from dsp_kernels.cpu.fft.transforms import fft_into

        fplan = _fft_plan_cached(m, "float64")
        spec = np.empty(m, dtype=np.complex128)
        fft_into(fplan, filt, spec, make_work(fplan), False)
        spec /= m
    tables = _stockham_tables(m, dt)
    c = lambda a: np.ascontiguousarray(a, dtype=dt)
    plan = _classed(FFTPlan(n, 0, 0, n, 1, m, *tables, c(w.real), c(w.imag), c(spec.real),
                            c(spec.imag), empty, empty, consts, _scales(n, dt), m))
    return (BluesteinPow2Plan if isinstance(plan, Pow2Plan) else BluesteinPlan)(*plan)


#: the working precision's name for each dtype a plan is asked for (a dtype's ``.name`` costs
#: about 1 us, a tenth of a small call's set-up)
_PRECISION = {np.dtype(d): ("float32" if np.dtype(d) in (np.float32, np.complex64) else "float64")
              for d in (np.float32, np.complex64, np.float64, np.complex128)}


def _precision(dtype) -> str:
    """'float32' for float32/complex64, 'float64' for anything else (float64, complex128)."""
    return _PRECISION.get(np.dtype(dtype), "float64")


def get_fft_plan(n: int, dtype=np.float64) -> FFTPlan:
    """Plan of the n-point complex transform; dtype float32/complex64 or float64/complex128."""
    return _fft_plan_cached(int(n), _precision(dtype))


@table_cache(maxsize=256)
def _rfft_plan_cached(n: int, dtype_name: str) -> RPlan:
    dt = np.dtype(dtype_name)
    if n % 2 == 1:
        cp = _fft_plan_cached(n, dtype_name)
        return cp._replace(real=1, odd=1)
    cp = _fft_plan_cached(n // 2, dtype_name)
    # a Bluestein plan's convolution keeps its complex plan's order
    order = None if cp.bluestein else real_pass_order(cp.factors, cp.m, type(cp) is Pow2Plan)
    if order is not None:
        tables = _stockham_tables(cp.m, dt, order)
        cp = cp._replace(**dict(zip(("factors", "tw_off", "tw_re", "tw_im", "root_off",
                                     "roots_re", "roots_im"), tables)))
    c, s = _sincos_2pi(-np.arange(n // 2 + 1), n, dt)
    return _real_classed(cp._replace(n=n, real=1, odd=0, rw_re=c, rw_im=s, scales=_scales(n, dt)))


def get_rfft_plan(n: int, dtype=np.float64) -> FFTPlan:
    """Plan of the n-point real transform (rfft and irfft); dtype float32 or float64."""
    return _rfft_plan_cached(int(n), _precision(dtype))


def make_work(plan) -> np.ndarray:
    """Scratch for one thread (two buffers of real and imaginary parts, the plan's dtype)."""
    return np.zeros((2, 2 * plan.work_len), dtype=plan.consts.dtype)

