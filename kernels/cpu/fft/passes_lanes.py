"""The radix-2, 4 and 8 Stockham passes of a blocked FFT, one 64-byte vector of lanes per operand.

A blocked FFT (:mod:`dsp_kernels.cpu.fft.block`) runs ``W`` transforms side by side, ``W`` the
values in one 64-byte vector, so each butterfly of :mod:`~dsp_kernels.cpu.fft.passes` is one
vector per operand, and a pass of span ``s`` has ``s`` of them in each group. The scalar passes
leave the vectors to LLVM's loop vectoriser, whose set-up (twiddles broadcast and spilled, the
remainder checks) then runs for every group: at span 1 a group is a single vector, and the
set-up cost as much as the butterfly. Here each butterfly is written with
:mod:`~dsp_kernels.cpu.fft.lane_vector` and a pass of span 1 has no inner loop at all. Same
formulas, same order of operations. Measured on the 2-core Zen 4 machine, one block of 16
frames of 2048 points (float32, one thread): the first pass (radix 4, span 1) 2.8 -> 2.4 us,
the radix-8 pass at span 4 3.1 -> 2.8 us, at span 32 level; a radix-8 first pass (4096 points)
10.1 -> 5.6 us (stop 53).

The drivers of :mod:`~dsp_kernels.cpu.fft.passes` call these when the transforms are in lanes
(an integer ``L``, which must be ``W``); single transforms (``L`` None) keep the scalar passes,
chosen while typing (``passes.pow2_pass``).

njit API
--------
``pass2_lanes(x, y, M, twr, twi, off, s, mm)``, ``pass4_lanes(...)``, ``pass8_lanes(..., consts)``
    one pass from row ``x`` to row ``y`` (each holding real parts at ``[0, M)`` and imaginary
    parts at ``[M, 2M)``), with the scalar passes' arguments less ``L``.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.fft.plans import get_fft_plan
>>> from dsp_kernels.config import jit
>>> from dsp_kernels.cpu.fft.passes_lanes import pass4_lanes
>>> plan = get_fft_plan(4, np.float32)
>>> @jit
... def dft4_of_lanes(x, y, plan):
...     pass4_lanes(x, y, x.shape[0] // 2, plan.tw_re, plan.tw_im, plan.tw_off[0], 1, 1)
>>> sig = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)  # 16 lanes
>>> x = np.concatenate([sig.ravel(), np.zeros(64, np.float32)])  # real, imaginary parts
>>> y = np.empty_like(x)
>>> dft4_of_lanes(x, y, plan)
>>> z = (y[:64] + 1j * y[64:]).reshape(4, 16)
>>> bool(np.allclose(z, np.fft.fft(sig, axis=0), atol=1e-5))
True
"""
from __future__ import annotations

import numba

from dsp_kernels.config import inner_jit, noalias_jit
from dsp_kernels.cpu.fft.butterflies import dft4_lanes, eighth_turns
from dsp_kernels.cpu.fft.lane_vector import load, store

u64 = numba.uint64


@inner_jit
def _twiddled(y, M, o, br, bi, wr, wi):
    """Store ``(br + i bi) (wr + i wi)`` at ``o`` (real parts) and ``M + o`` (imaginary)."""
    store(y, o, br * wr - bi * wi)
    store(y, M + o, br * wi + bi * wr)


@inner_jit
def _butterfly2(x, y, M, i0, g, o, run, twr, twi, t):
    ar = load(x, i0)
    ai = load(x, M + i0)
    br = load(x, i0 + g)
    bi = load(x, M + i0 + g)
    store(y, o, ar + br)
    store(y, M + o, ai + bi)
    _twiddled(y, M, o + run, ar - br, ai - bi, twr[t], twi[t])


@inner_jit
def _butterfly4(x, y, M, i0, g, o, run, twr, twi, t):
    z0r, z0i, z1r, z1i, z2r, z2i, z3r, z3i = dft4_lanes(x, M, i0, g)
    store(y, o, z0r)
    store(y, M + o, z0i)
    _twiddled(y, M, o + run, z1r, z1i, twr[t], twi[t])
    _twiddled(y, M, o + u64(2) * run, z2r, z2i, twr[t + u64(1)], twi[t + u64(1)])
    _twiddled(y, M, o + u64(3) * run, z3r, z3i, twr[t + u64(2)], twi[t + u64(2)])


@inner_jit
def _butterfly8(x, y, M, i0, g, o, run, twr, twi, t, rt):
    # E = DFT4(a0, a2, a4, a6), F = DFT4(a1, a3, a5, a7), as passes._pass8
    e0r, e0i, e1r, e1i, e2r, e2i, e3r, e3i = dft4_lanes(x, M, i0, g + g)
    f0r, f0i, f1r, f1i, f2r, f2i, f3r, f3i = dft4_lanes(x, M, i0 + g, g + g)
    g1r, g1i, g2r, g2i, g3r, g3i = eighth_turns(f1r, f1i, f2r, f2i, f3r, f3i, rt)
    store(y, o, e0r + f0r)
    store(y, M + o, e0i + f0i)
    _twiddled(y, M, o + run, e1r + g1r, e1i + g1i, twr[t], twi[t])
    _twiddled(y, M, o + u64(2) * run, e2r + g2r, e2i + g2i, twr[t + u64(1)], twi[t + u64(1)])
    _twiddled(y, M, o + u64(3) * run, e3r + g3r, e3i + g3i, twr[t + u64(2)], twi[t + u64(2)])
    _twiddled(y, M, o + u64(4) * run, e0r - f0r, e0i - f0i, twr[t + u64(3)], twi[t + u64(3)])
    _twiddled(y, M, o + u64(5) * run, e1r - g1r, e1i - g1i, twr[t + u64(4)], twi[t + u64(4)])
    _twiddled(y, M, o + u64(6) * run, e2r - g2r, e2i - g2i, twr[t + u64(5)], twi[t + u64(5)])
    _twiddled(y, M, o + u64(7) * run, e3r - g3r, e3i - g3i, twr[t + u64(6)], twi[t + u64(6)])


@inner_jit
def _geometry(x, M_, off_, s_, mm_):
    """A pass's unsigned geometry: ``W`` lanes, span ``s``, the row half ``M``, ``mm`` groups,
    the twiddles' offset, a group's run ``s W`` and the distance ``g = s W mm`` between a
    butterfly's inputs."""
    W = u64(64 // x.itemsize)
    s = u64(s_)
    mm = u64(mm_)
    return W, s, u64(M_), mm, u64(off_), s * W, s * W * mm


@noalias_jit
def pass2_lanes(x, y, M_, twr, twi, off_, s_, mm_):
    W, s, M, mm, off, run, g = _geometry(x, M_, off_, s_, mm_)
    two = u64(2)
    if s == 1:  # one vector a group: no inner loop (its set-up would run for every group)
        for p in range(mm):
            _butterfly2(x, y, M, p * W, g, two * p * W, W, twr, twi, off + p)
    else:
        for p in range(mm):
            for k in range(s):
                _butterfly2(x, y, M, p * run + k * W, g, two * p * run + k * W, run, twr, twi,
                            off + p)


@noalias_jit
def pass4_lanes(x, y, M_, twr, twi, off_, s_, mm_):
    W, s, M, mm, off, run, g = _geometry(x, M_, off_, s_, mm_)
    three = u64(3)
    four = u64(4)
    if s == 1:
        for p in range(mm):
            _butterfly4(x, y, M, p * W, g, four * p * W, W, twr, twi, off + three * p)
    else:
        for p in range(mm):
            for k in range(s):
                _butterfly4(x, y, M, p * run + k * W, g, four * p * run + k * W, run, twr, twi,
                            off + three * p)


@noalias_jit
def pass8_lanes(x, y, M_, twr, twi, off_, s_, mm_, consts):
    rt = consts[6]  # sqrt(1/2)
    W, s, M, mm, off, run, g = _geometry(x, M_, off_, s_, mm_)
    seven = u64(7)
    eight = u64(8)
    if s == 1:
        for p in range(mm):
            _butterfly8(x, y, M, p * W, g, eight * p * W, W, twr, twi, off + seven * p, rt)
    else:
        for p in range(mm):
            for k in range(s):
                _butterfly8(x, y, M, p * run + k * W, g, eight * p * run + k * W, run, twr, twi,
                            off + seven * p, rt)
