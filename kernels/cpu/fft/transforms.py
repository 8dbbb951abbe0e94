"""Our own FFT: mixed-radix Stockham for smooth sizes, Bluestein for the rest, real transforms
through the half-length complex trick. Numba kernels, any length n >= 1.

Two layers live here.

**Plain-Python entry functions** (what ``dsp.fourier`` calls through
the dispatch table ``dsp/_dispatch.py``; a GPU twin has the same names and signatures). They take
validated, C-contiguous 2-D arrays ``(batch, n)`` and transform every row, in parallel:

- ``fft(x, inverse, scale)``: complex ``(batch, n)`` -> complex ``(batch, n)``.
- ``rfft(x, scale)``: real ``(batch, n)`` -> complex ``(batch, n//2 + 1)``.
- ``irfft(X, n, scale)``: complex ``(batch, n//2 + 1)`` -> real ``(batch, n)``.

``scale`` multiplies the *unnormalised* sum (``fft``/``rfft``: exp(-2 pi i jk/n);
``fft(inverse=True)``/``irfft``: exp(+2 pi i jk/n)), so numpy's norm modes are chosen by the caller.

**The njit API**, for other kernels that need an FFT inside their own Numba loops (STFT, mel,
DCT). The plan is a NamedTuple of arrays and ints, so it is an ordinary argument of an njit
function; its Numba type depends only on the dtype, so one compiled kernel serves every n.

- ``plan = get_rfft_plan(n, dtype)`` (cached on ``(n, dtype)``; dtype float32 or float64 picks
  the working precision of the twiddles and the arithmetic). Any n >= 1.
- ``work = make_work(plan)``: scratch, a 2-D array of the working dtype (treat it as opaque).
  Allocate one per thread (per block of frames), never one per frame. Inside njit code use
  ``alloc_work(plan)``.
- ``rfft_into(plan, x, out, work)``: ``x`` real 1-D of length n (any 1-D array, a slice is fine),
  ``out`` complex 1-D of length n//2 + 1. Unnormalised forward transform (``np.fft.rfft``).
- ``irfft_into(plan, X, out, work)``: ``X`` complex of length n//2 + 1, ``out`` real of length n.
  Includes the 1/n factor (``np.fft.irfft``); the imaginary parts of X[0] (and of X[n/2], n even)
  are ignored, as numpy does.
- ``plan = get_fft_plan(n, dtype)``, ``work = make_work(plan)``,
  ``fft_into(plan, x, out, work, inverse)``: complex x and out of length n. ``inverse=False`` is
  ``np.fft.fft``; ``inverse=True`` is ``np.fft.ifft`` (the 1/n factor included).
- ``rfft_scaled_into(plan, x, out, work, scale)`` and ``irfft_scaled_into(...)`` take an explicit
  factor instead of the defaults (e.g. 1/sqrt(n) for 'ortho').

For many frames, ``dsp_kernels.cpu.fft.block`` transforms ``W`` frames at once (16 float32 or 8
float64), SIMD across the frames, moving them in and out of lanes with in-register transposes:
``bwork = alloc_block_work(plan)`` once per thread, then
``rfft_lanes(plan, src, s0, sstride, B, window, outf, o0, ostride, bwork, scale)`` (see that
module). The batched entry ``rfft`` and the STFT use it; single-threaded it runs at 0.5-1.2x
pocketfft's time for n = 400..4096. Its inverse, ``dsp_kernels.cpu.fft.inverse_block.irfft_lanes``, serves
the batched ``irfft`` and the inverse STFT. Only for plans with ``plan.bluestein == 0`` (n whose
half has no prime factor above ``MAX_DIRECT_PRIME``); use ``rfft_into`` otherwise.

``x`` and ``out`` must not be views of ``work``. ``out`` may be complex64 or complex128 whatever
the plan's dtype (the value is converted on store), but matching dtypes avoid the conversion.

Use inside a parallel kernel (allocate the scratch per block of frames, not per frame)::

    from dsp_kernels.config import pjit
    from dsp_kernels.cpu.fft import get_rfft_plan, alloc_work, rfft_into
    import numba

    @pjit
    def my_kernel(plan, frames, out, n_blocks):  # frames (n_frames, n), out (n_frames, n//2+1)
        n_frames = frames.shape[0]
        n_blocks = min(n_frames, n_blocks)
        for b in numba.prange(n_blocks):
            work = alloc_work(plan)              # once per block
            for t in range(b * n_frames // n_blocks, (b + 1) * n_frames // n_blocks):
                rfft_into(plan, frames[t], out[t], work)

    my_kernel(get_rfft_plan(2048, np.float32), frames, out, 4 * numba.get_num_threads())

Two Numba constraints shape this pattern: pass the plan as its own argument (a plan nested in
another tuple cannot enter a ``prange`` body), and compute the number of blocks in Python
(``numba.get_num_threads()`` called inside a kernel makes it uncacheable). From plain Python,
``make_work(plan)`` gives the same scratch as ``alloc_work``.

Numba's cache does not track calls across files: a kernel elsewhere that calls these functions
keeps the code it was compiled with until its own file changes (clear ``__pycache__`` after
changing this module).
"""
from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from dsp_kernels.caches import table_cache
from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.fft.passes import stockham

__all__ = [
    "FFTPlan", "CPlan", "RPlan", "get_fft_plan", "get_rfft_plan", "make_work", "alloc_work",
    "fft_into", "rfft_into", "irfft_into", "fft_scaled_into", "rfft_scaled_into",
    "irfft_scaled_into", "fft", "rfft", "irfft",
]

#: prime factors up to this are done by direct butterflies; larger ones send n to Bluestein
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


# ---------------------------------------------------------------------------------------------
# plans (plain Python, cached)


def _factorize(n: int) -> list[int]:
    """Radices for n: the power of two as 8s and 4s (fewest passes, no lone 2 when avoidable),
    then 3, 5 and other primes."""
    k = 0
    while n % 2 == 0:
        n //= 2
        k += 1
    if k == 1:
        twos = [2]
    elif k % 3 == 0:
        twos = [8] * (k // 3)
    elif k % 3 == 2:
        twos = [8] * (k // 3) + [4]
    else:  # k = 3j + 1 >= 4: two 4s rather than an 8 and a 2
        twos = [8] * (k // 3 - 1) + [4, 4]
    out = list(twos)
    p = 3
    while n > 1:
        if p * p > n:
            out.append(n)
            break
        while n % p == 0:
            out.append(p)
            n //= p
        p += 2
    return out


def _largest_prime(n: int) -> int:
    return max([x for x in _factorize(n) if x not in (4, 8)] + [2 if n % 2 == 0 else 1])


def _next_smooth(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n."""
    best = 1
    while best < n:
        best *= 2
    p5 = 1
    while p5 < 2 * n:
        p35 = p5
        while p35 < 2 * n:
            v = p35
            while v < n:
                v *= 2
            best = min(best, v)
            p35 *= 3
        p5 *= 5
    return best


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
    ]
)


#: long double (x87 extended on x86-64 Linux: 64-bit significand) for the tables; pi to its
#: precision (np.pi is a double)
_LD = np.longdouble
_PI_LD = 4 * np.arctan(_LD(1))


def _sincos_2pi(q, N: int, dt) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of 2 pi q / N for integers q (any sign) and N >= 1, rounded to dtype dt.

    Every twiddle, root and chirp table comes from here. ``np.cos(-2 * np.pi * q / N)`` in
    float64 errs by up to 5 ulp of 1 (the angle, up to 2 pi, is itself rounded to an ulp of 4-8);
    that error went straight into every butterfly. Here q is reduced exactly, in integers, to
    the first octant (angle pi c / (2 D) <= pi/4, with the symmetries of cos and sin restoring
    the others), and the small angle is evaluated in long double, then rounded once to ``dt``:
    correctly rounded except for rare near-ties, where the error is at most 2^-11 ulp above half
    an ulp (checked against mpmath in tests/test_fft.py). Where long double is plain double
    (MSVC, Apple arm64) the octant reduction
    alone bounds the error by about 1 ulp. Exact values (0, +-1, +-sqrt(1/2) pairs) come out
    exact and conjugate symmetry (q and N - q) holds bit for bit.

    Parameters
    ----------
    q : array_like of int
        Numerators of the phase (integers, any sign).
    N : int
        Denominator of the phase, N >= 1.
    dt : numpy dtype
        Dtype of the result (float32 or float64).

    Returns
    -------
    cos, sin : ndarray
        ``cos(2 pi q / N)`` and ``sin(2 pi q / N)``, of ``q``'s shape and dtype ``dt``.
    """
    q = np.asarray(q, dtype=np.int64) % N  # angle 2 pi q / N = pi b / D, b = 2q in [0, 2D)
    D = np.int64(N)
    b = 2 * q
    sin_sign = np.where(b > D, _LD(-1), _LD(1))  # theta > pi: 2 pi - theta, sin flips
    b = np.where(b > D, 2 * D - b, b)  # theta in [0, pi]
    cos_sign = np.where(2 * b > D, _LD(-1), _LD(1))  # theta > pi/2: pi - theta, cos flips
    b = np.where(2 * b > D, D - b, b)  # theta in [0, pi/2]
    swap = 4 * b > D  # theta > pi/4: cos and sin of pi/2 - theta
    c = np.where(swap, D - 2 * b, 2 * b)  # theta = pi c / (2 D), in [0, pi/4]
    th = _PI_LD * c.astype(_LD) / (2 * _LD(D))
    ct = np.cos(th)
    st = np.sin(th)
    cos = (cos_sign * np.where(swap, st, ct)).astype(dt)
    sin = (sin_sign * np.where(swap, ct, st)).astype(dt)
    return cos, sin


#: Bluestein filters of up to this many points get their spectrum in long double (about 0.2 s of
#: planning at the limit); larger ones through our float64 transform
LONG_DOUBLE_SPECTRUM_MAX = 1 << 16


def _dft_long_double(x: np.ndarray) -> np.ndarray:
    """Forward DFT of every row of ``x`` (batch, n), in long double (plan tables only).

    Decimation in time by the smallest factor of n, vectorised over the rows with NumPy, roots
    from :func:`_sincos_2pi`. O(n log n) for the smooth sizes it serves, slow in absolute terms.

    Parameters
    ----------
    x : ndarray of clongdouble, shape (batch, n)
        The rows to transform.

    Returns
    -------
    ndarray of clongdouble, shape (batch, n)
        ``sum_j x[:, j] exp(-2 pi i jk / n)``.
    """
    B, n = x.shape
    if n == 1:
        return x.copy()
    r = next(p for p in range(2, n + 1) if n % p == 0)
    L = n // r
    # Y[:, q] = DFT_L(x[:, q::r]); X[k1 + L k2] = sum_q exp(-2 pi i q k1 / n) Y[:, q, k1] w_r^(q k2)
    Y = _dft_long_double(x.reshape(B, L, r).transpose(0, 2, 1).reshape(B * r, L)).reshape(B, r, L)
    c, s = _sincos_2pi(-(np.arange(r)[:, None] * np.arange(L)[None, :]), n, _LD)
    T = Y * (c + 1j * s)
    cr, sr = _sincos_2pi(-np.arange(r), r, _LD)
    wr = cr + 1j * sr
    out = np.empty((B, r, L), dtype=T.dtype)
    for k2 in range(r):
        acc = T[:, 0, :].copy()
        for q in range(1, r):
            acc = acc + T[:, q, :] * wr[(q * k2) % r]
        out[:, k2, :] = acc
    return out.reshape(B, n)


def _scales(n: int, dt) -> np.ndarray:
    return np.array([1.0, 1.0 / n, 1.0 / np.sqrt(n)], dtype=dt)


def _stockham_tables(m: int, dt: np.dtype):
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
        return FFTPlan(n, 0, 0, n, 0, max(n, 1), *tables, empty, empty, empty, empty,
                       empty, empty, consts, _scales(n, dt), max(n, 1))
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
        fplan = _fft_plan_cached(m, "float64")
        spec = np.empty(m, dtype=np.complex128)
        fft_into(fplan, filt, spec, make_work(fplan), False)
        spec /= m
    tables = _stockham_tables(m, dt)
    c = lambda a: np.ascontiguousarray(a, dtype=dt)
    return FFTPlan(n, 0, 0, n, 1, m, *tables, c(w.real), c(w.imag), c(spec.real), c(spec.imag),
                   empty, empty, consts, _scales(n, dt), m)


def get_fft_plan(n: int, dtype=np.float64) -> FFTPlan:
    """Plan of the n-point complex transform; dtype float32/complex64 or float64/complex128."""
    dt = np.dtype(dtype)
    dt = np.dtype(np.float32) if dt in (np.float32, np.complex64) else np.dtype(np.float64)
    return _fft_plan_cached(int(n), dt.name)


@table_cache(maxsize=256)
def _rfft_plan_cached(n: int, dtype_name: str) -> RPlan:
    dt = np.dtype(dtype_name)
    if n % 2 == 1:
        cp = _fft_plan_cached(n, dtype_name)
        return cp._replace(real=1, odd=1)
    cp = _fft_plan_cached(n // 2, dtype_name)
    c, s = _sincos_2pi(-np.arange(n // 2 + 1), n, dt)
    return cp._replace(n=n, real=1, odd=0, rw_re=c, rw_im=s, scales=_scales(n, dt))


def get_rfft_plan(n: int, dtype=np.float64) -> FFTPlan:
    """Plan of the n-point real transform (rfft and irfft); dtype float32 or float64."""
    dt = np.dtype(dtype)
    dt = np.dtype(np.float32) if dt in (np.float32, np.complex64) else np.dtype(np.float64)
    return _rfft_plan_cached(int(n), dt.name)


def make_work(plan) -> np.ndarray:
    """Scratch for one thread (two buffers of real and imaginary parts, the plan's dtype)."""
    return np.zeros((2, 2 * plan.work_len), dtype=plan.consts.dtype)


@jit
def _cfft_core(plan, work):
    """Forward n-point DFT of the data in work row 0 (re, then im at M), in place."""
    M = work.shape[1] // 2  # imaginary parts start here
    if plan.bluestein == 0:
        stockham(plan, work, 1)
        return
    n = plan.cn
    m = plan.m
    zero = plan.consts[8]
    bwr = plan.bw_re
    bwi = plan.bw_im
    for k in range(n):
        xr = work[0, k]
        xi = work[0, M + k]
        work[0, k] = xr * bwr[k] - xi * bwi[k]
        work[0, M + k] = xr * bwi[k] + xi * bwr[k]
    for k in range(n, m):
        work[0, k] = zero
        work[0, M + k] = zero
    stockham(plan, work, 1)
    # pointwise product with the filter's spectrum, conjugated so that the forward pass that
    # follows computes the inverse transform (conj(F(conj z)) = unnormalised inverse)
    bfr = plan.bf_re
    bfi = plan.bf_im
    for k in range(m):
        xr = work[0, k]
        xi = work[0, M + k]
        work[0, k] = xr * bfr[k] - xi * bfi[k]
        work[0, M + k] = -(xr * bfi[k] + xi * bfr[k])
    stockham(plan, work, 1)
    for k in range(n):
        xr = work[0, k]
        xi = -work[0, M + k]
        work[0, k] = xr * bwr[k] - xi * bwi[k]
        work[0, M + k] = xr * bwi[k] + xi * bwr[k]


# ---------------------------------------------------------------------------------------------
# the njit API


@jit
def alloc_work(plan):
    """Scratch for one thread, allocated inside njit code (same as ``make_work``)."""
    return np.zeros((2, 2 * plan.work_len), dtype=plan.consts.dtype)


@jit
def fft_scaled_into(plan, x, out, work, inverse, scale):
    """out = scale * sum_j x_j exp(-/+ 2 pi i jk / n) (sign + when inverse)."""
    M = work.shape[1] // 2  # imaginary parts start here
    n = plan.n
    sg = plan.consts[7]
    if inverse:
        sg = -sg
    for j in range(n):
        v = x[j]
        work[0, j] = v.real
        work[0, M + j] = sg * v.imag
    _cfft_core(plan, work)
    sc = plan.consts[7] * scale
    scs = sg * sc
    for k in range(n):
        out[k] = complex(work[0, k] * sc, work[0, M + k] * scs)


@jit
def fft_into(plan, x, out, work, inverse):
    """np.fft.fft (inverse=False) or np.fft.ifft, 1/n included (inverse=True)."""
    if inverse:
        fft_scaled_into(plan, x, out, work, True, plan.scales[1])
    else:
        fft_scaled_into(plan, x, out, work, False, plan.scales[0])


@jit
def rfft_scaled_into(plan, x, out, work, scale):
    """out[k] = scale * sum_j x_j exp(-2 pi i jk / n), k = 0..n//2."""
    M = work.shape[1] // 2  # imaginary parts start here
    n = plan.n
    cp = plan
    sc = plan.consts[7] * scale
    if plan.odd == 1:
        zero = cp.consts[8]
        for j in range(n):
            work[0, j] = x[j]
            work[0, M + j] = zero
        _cfft_core(cp, work)
        for k in range(n // 2 + 1):
            out[k] = complex(work[0, k] * sc, work[0, M + k] * sc)
        return
    h = n // 2
    for j in range(h):
        work[0, j] = x[2 * j]
        work[0, M + j] = x[2 * j + 1]
    _cfft_core(cp, work)
    half = cp.consts[0] * sc
    z0r = work[0, 0]
    z0i = work[0, M + 0]
    out[0] = complex((z0r + z0i) * sc, 0.0)
    out[h] = complex((z0r - z0i) * sc, 0.0)
    wr = plan.rw_re
    wi = plan.rw_im
    for k in range(1, h):
        ar = work[0, k]
        ai = work[0, M + k]
        br = work[0, h - k]
        bi = -work[0, M + h - k]
        er = ar + br
        ei = ai + bi
        # O = (Z_k - conj Z_{h-k}) / i
        o_r = ai - bi
        o_i = br - ar
        xr = er + o_r * wr[k] - o_i * wi[k]
        xi = ei + o_r * wi[k] + o_i * wr[k]
        out[k] = complex(xr * half, xi * half)


@jit
def rfft_into(plan, x, out, work):
    """np.fft.rfft of x (length n) into out (length n//2 + 1)."""
    rfft_scaled_into(plan, x, out, work, plan.scales[0])


@jit
def irfft_scaled_into(plan, X, out, work, scale):
    """out = scale * (unnormalised inverse real transform of the Hermitian half X)."""
    M = work.shape[1] // 2  # imaginary parts start here
    n = plan.n
    cp = plan
    sc = cp.consts[7] * scale
    zero = cp.consts[8]
    if plan.odd == 1:
        nh = n // 2
        work[0, 0] = X[0].real
        work[0, M + 0] = zero
        for k in range(1, nh + 1):
            v = X[k]
            # conjugated input: the forward core then yields the conjugate of the inverse
            work[0, k] = v.real
            work[0, M + k] = -v.imag
            work[0, n - k] = v.real
            work[0, M + n - k] = v.imag
        _cfft_core(cp, work)
        for j in range(n):
            out[j] = work[0, j] * sc
        return
    h = n // 2
    wr = plan.rw_re
    wi = plan.rw_im
    x0 = X[0].real
    xh = X[h].real
    # Z_k = E_k + i O_k, with E_k = X_k + conj X_{h-k}, O_k = (X_k - conj X_{h-k}) conj(w^k);
    # stored conjugated so the forward core computes the inverse.
    work[0, 0] = x0 + xh
    work[0, M + 0] = -(x0 - xh)
    for k in range(1, h):
        a = X[k]
        b = X[h - k]
        ar = a.real
        ai = a.imag
        br = b.real
        bi = -b.imag
        er = ar + br
        ei = ai + bi
        dr = ar - br
        di = ai - bi
        # (d) * conj(w^k)
        o_r = dr * wr[k] + di * wi[k]
        o_i = di * wr[k] - dr * wi[k]
        zr = er - o_i
        zi = ei + o_r
        work[0, k] = zr
        work[0, M + k] = -zi
    _cfft_core(cp, work)
    for j in range(h):
        out[2 * j] = work[0, j] * sc
        out[2 * j + 1] = -work[0, M + j] * sc


@jit
def irfft_into(plan, X, out, work):
    """np.fft.irfft of X (length n//2 + 1) into out (length n), 1/n included."""
    irfft_scaled_into(plan, X, out, work, plan.scales[1])


# ---------------------------------------------------------------------------------------------
# batched entry functions: rows in parallel, one scratch per block of rows

from dsp_kernels.cpu.fft.block import alloc_block_work, rfft_lanes  # noqa: E402
from dsp_kernels.cpu.fft.inverse_block import irfft_lanes  # noqa: E402


@pjit
def _fft_rows(plan, x, out, inverse, scale, n_blocks):
    rows = x.shape[0]
    nb = min(rows, n_blocks)
    for b in numba.prange(nb):
        work = alloc_work(plan)
        for t in range(b * rows // nb, (b + 1) * rows // nb):
            fft_scaled_into(plan, x[t], out[t], work, inverse, scale)


@pjit
def _rfft_rows(plan, x, out, outf, scale, n_blocks):
    rows = x.shape[0]
    if plan.bluestein == 0:
        # W rows at a time through the blocked (SIMD across rows) transform
        n = plan.n
        W = 64 // plan.consts.itemsize
        n_lane_blocks = (rows + W - 1) // W
        nb = min(n_lane_blocks, n_blocks)
        src = x.reshape(x.size)
        nbins = n // 2 + 1
        for b in numba.prange(nb):
            work = alloc_block_work(plan)
            ones = np.ones(n, dtype=x.dtype)
            for c in range(b * n_lane_blocks // nb, (b + 1) * n_lane_blocks // nb):
                B = min(W, rows - c * W)
                rfft_lanes(plan, src, c * W * n, n, B, ones, outf, c * W * 2 * nbins,
                           2 * nbins, work, scale)
        return
    nb = min(rows, n_blocks)
    for b in numba.prange(nb):
        work = alloc_work(plan)
        for t in range(b * rows // nb, (b + 1) * rows // nb):
            rfft_scaled_into(plan, x[t], out[t], work, scale)


@pjit
def _irfft_rows(plan, X, Xf, out, scale, n_blocks):
    rows = X.shape[0]
    if plan.bluestein == 0:
        # W rows at a time through the blocked inverse (SIMD across rows)
        n = plan.n
        W = 64 // plan.consts.itemsize
        m = X.shape[1]
        n_lane_blocks = (rows + W - 1) // W
        nb = min(n_lane_blocks, n_blocks)
        dst = out.reshape(out.size)
        for b in numba.prange(nb):
            work = alloc_block_work(plan)
            for c in range(b * n_lane_blocks // nb, (b + 1) * n_lane_blocks // nb):
                B = min(W, rows - c * W)
                irfft_lanes(plan, Xf, c * W * 2 * m, 2 * m, B, m, dst, c * W * n, n, work,
                            scale)
        return
    nb = min(rows, n_blocks)
    for b in numba.prange(nb):
        work = alloc_work(plan)
        for t in range(b * rows // nb, (b + 1) * rows // nb):
            irfft_scaled_into(plan, X[t], out[t], work, scale)


# Small batches run serially: starting the thread pool costs more than they do (and far more on
# a loaded machine).


@jit
def _fft_rows_serial(plan, x, out, inverse, scale):
    work = alloc_work(plan)
    for t in range(x.shape[0]):
        fft_scaled_into(plan, x[t], out[t], work, inverse, scale)


@jit
def _rfft_rows_serial(plan, x, out, outf, scale):
    rows = x.shape[0]
    n = plan.n
    W = 64 // plan.consts.itemsize
    if plan.bluestein == 0 and rows >= W:
        bwork = alloc_block_work(plan)
        ones = np.ones(n, dtype=x.dtype)
        src = x.reshape(x.size)
        nbins = n // 2 + 1
        for c in range(0, rows, W):
            B = min(W, rows - c)
            rfft_lanes(plan, src, c * n, n, B, ones, outf, c * 2 * nbins, 2 * nbins, bwork,
                       scale)
        return
    work = alloc_work(plan)
    for t in range(x.shape[0]):
        rfft_scaled_into(plan, x[t], out[t], work, scale)


@jit
def _irfft_rows_serial(plan, X, Xf, out, scale):
    rows = X.shape[0]
    n = plan.n
    W = 64 // plan.consts.itemsize
    if plan.bluestein == 0 and rows >= W:
        bwork = alloc_block_work(plan)
        m = X.shape[1]
        dst = out.reshape(out.size)
        for c in range(0, rows, W):
            B = min(W, rows - c)
            irfft_lanes(plan, Xf, c * 2 * m, 2 * m, B, m, dst, c * n, n, bwork, scale)
        return
    work = alloc_work(plan)
    for t in range(rows):
        irfft_scaled_into(plan, X[t], out[t], work, scale)


#: below this many samples in a batch (rows * n) the rows are done serially
PARALLEL_MIN_SAMPLES = 1 << 15


def _parallel(rows: int, n: int) -> bool:
    return rows >= 2 and rows * n >= PARALLEL_MIN_SAMPLES


def _n_blocks() -> int:
    # a few blocks per thread balance the load; each block allocates its scratch once
    return 4 * numba.get_num_threads()


def _kernel_ready(x: np.ndarray) -> np.ndarray:
    # a read-only array is another Numba type (another compilation): copy it instead
    x = np.ascontiguousarray(x)
    return x if x.flags.writeable else x.copy()


def fft(x: np.ndarray, inverse: bool, scale: float) -> np.ndarray:
    """Complex transform of every row of ``x`` (batch, n), times ``scale``."""
    x = _kernel_ready(x)
    n = x.shape[-1]
    out = np.empty(x.shape, dtype=x.dtype)
    if x.shape[0] and n:
        plan = get_fft_plan(n, x.dtype)
        sc = plan.consts.dtype.type(scale)
        if _parallel(x.shape[0], n):
            _fft_rows(plan, x, out, bool(inverse), sc, _n_blocks())
        else:
            _fft_rows_serial(plan, x, out, bool(inverse), sc)
    return out


def rfft(x: np.ndarray, scale: float) -> np.ndarray:
    """Real transform of every row of ``x`` (batch, n) -> (batch, n//2 + 1), times ``scale``."""
    x = _kernel_ready(x)
    n = x.shape[-1]
    cdt = np.complex64 if x.dtype == np.float32 else np.complex128
    out = np.empty((x.shape[0], n // 2 + 1), dtype=cdt)
    if x.shape[0] and n:
        plan = get_rfft_plan(n, x.dtype)
        sc = plan.consts.dtype.type(scale)
        outf = out.view(x.dtype).reshape(-1)  # the blocked path writes re, im as floats
        if _parallel(x.shape[0], n):
            _rfft_rows(plan, x, out, outf, sc, _n_blocks())
        else:
            _rfft_rows_serial(plan, x, out, outf, sc)
    return out


def irfft(X: np.ndarray, n: int, scale: float) -> np.ndarray:
    """Inverse real transform of every row of ``X`` (batch, n//2 + 1) -> (batch, n), times scale."""
    X = _kernel_ready(X)
    rdt = np.float32 if X.dtype == np.complex64 else np.float64
    out = np.empty((X.shape[0], n), dtype=rdt)
    if X.shape[0] and n:
        plan = get_rfft_plan(n, rdt)
        sc = plan.consts.dtype.type(scale)
        Xf = X.view(rdt).reshape(-1)  # the blocked path reads re, im as floats
        if _parallel(X.shape[0], n):
            _irfft_rows(plan, X, Xf, out, sc, _n_blocks())
        else:
            _irfft_rows_serial(plan, X, Xf, out, sc)
    return out
