"""Our own FFT: mixed-radix Stockham for smooth sizes, Bluestein for the rest, real transforms
through the half-length complex trick. Numba kernels, any length n >= 1.

This module is **the njit API**, for other kernels that need an FFT inside their own Numba
loops (STFT, mel, DCT). The plans live in :mod:`dsp_kernels.cpu.fft.plans` (re-exported here);
the plain-Python batched entry functions ``fft``/``rfft``/``irfft`` that ``dsp.fourier``
dispatches to live in :mod:`dsp_kernels.cpu.fft.batched`. The plan is a NamedTuple of arrays
and ints, so it is an ordinary argument of an njit function; its Numba type depends only on the
dtype, so one compiled kernel serves every n.

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
module). The batched entry ``rfft`` (:mod:`dsp_kernels.cpu.fft.batched`) and the STFT use it; single-threaded it runs at 0.5-1.2x
pocketfft's time for n = 400..4096; for sizes of Bluestein's convolution (a prime factor above
``MAX_DIRECT_PRIME``) it runs the convolution in the lanes too. Its inverse,
``dsp_kernels.cpu.fft.inverse_block.irfft_lanes``, serves the batched ``irfft`` and the inverse
STFT, only for plans with ``plan.bluestein == 0``; use ``irfft_into`` otherwise.

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

import numpy as np

from dsp_kernels.config import inline_jit, inner_jit, scratch_jit
from dsp_kernels.cpu.fft.bluestein_block import chirp_in, chirp_out, filter_conj
from dsp_kernels.cpu.fft.passes import stockham_call
from dsp_kernels.cpu.fft.plans import (  # noqa: F401  (re-exported: plans were defined here)
    MAX_DIRECT_PRIME,
    CPlan,
    FFTPlan,
    RPlan,
    _sincos_2pi,
    get_fft_plan,
    get_rfft_plan,
    make_work,
)

__all__ = [
    "FFTPlan", "CPlan", "RPlan", "get_fft_plan", "get_rfft_plan", "make_work", "alloc_work",
    "fft_into", "rfft_into", "irfft_into", "fft_scaled_into", "rfft_scaled_into",
    "irfft_scaled_into",
]

@inner_jit
def _cfft_core(plan, work):
    """Forward n-point DFT of the data in work row 0 (re, then im at M), in place."""
    M = work.shape[1] // 2  # imaginary parts start here
    one = np.int64(1)  # not the literal 1: a Literal[int] L compiles every pass a second time
    if plan.bluestein == 0:
        stockham_call(plan, work, None)  # None: one transform, not lanes (passes.pow2_pass)
        return
    # the convolution's steps are those of the blocked transform (fft/bluestein_block.py), on
    # one signal: lanes = 1
    w0 = work[0, :M]
    w1 = work[0, M:]
    chirp_in(w0, w1, plan.bw_re, plan.bw_im, plan.cn, plan.m, one)
    stockham_call(plan, work, None)
    # the product with the filter's spectrum is conjugated so that the forward pass that
    # follows computes the inverse transform (conj(F(conj z)) = unnormalised inverse)
    filter_conj(w0, w1, plan.bf_re, plan.bf_im, plan.m, one)
    stockham_call(plan, work, None)
    chirp_out(w0, w1, plan.bw_re, plan.bw_im, plan.cn, one)


# ---------------------------------------------------------------------------------------------
# the njit API


@scratch_jit
def alloc_work(plan):
    """Scratch for one thread, allocated inside njit code (same as ``make_work``)."""
    return np.zeros((2, 2 * plan.work_len), dtype=plan.consts.dtype)


@inner_jit
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


@inline_jit
def fft_into(plan, x, out, work, inverse):
    """np.fft.fft (inverse=False) or np.fft.ifft, 1/n included (inverse=True)."""
    if inverse:
        fft_scaled_into(plan, x, out, work, True, plan.scales[1])
    else:
        fft_scaled_into(plan, x, out, work, False, plan.scales[0])


@inner_jit
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


@inline_jit
def rfft_into(plan, x, out, work):
    """np.fft.rfft of x (length n) into out (length n//2 + 1)."""
    rfft_scaled_into(plan, x, out, work, plan.scales[0])


@inner_jit
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


@inline_jit
def irfft_into(plan, X, out, work):
    """np.fft.irfft of X (length n//2 + 1) into out (length n), 1/n included."""
    irfft_scaled_into(plan, X, out, work, plan.scales[1])
