"""Stockham passes shared by the single-transform and the blocked (lane-interleaved) FFT.

Data: ``L`` interleaved transforms of length m, element i of lane l at ``i * L + l`` (L = 1 for a
single transform), real parts at ``[0, M)`` and imaginary parts at ``[M, 2M)`` of one buffer. A pass of radix r, with s the product of the radices already done and
mm = m / (s r), reads groups at ``(s p + j s mm) L`` and writes ``(s (r p + k)) L``; for fixed p
both are runs of ``s L`` contiguous values, which is the innermost loop: contiguous, independent,
so LLVM vectorises it (the data of one butterfly in every lane). Outputs end in natural order
(Stockham autosort), no bit reversal.

Indices are unsigned (uint64): with signed indices Numba adds negative-index wraparound, which
LLVM sees as an indirect access and refuses to vectorise.

This module holds the driver (:func:`stockham`) and the power-of-two passes (radix 2, 4, 8); the
odd radices (3, 5, 7, generic) are in :mod:`dsp_kernels.cpu.fft.passes_odd`. For transforms in
lanes (``L = W``, a blocked FFT) the driver calls the power-of-two passes of
:mod:`dsp_kernels.cpu.fft.passes_lanes` instead, written one 64-byte vector per operand; the
4-point DFT both build on is in :mod:`dsp_kernels.cpu.fft.butterflies`. The driver is chosen
by the plan's type: a plan of power-of-two passes (:class:`~dsp_kernels.cpu.fft.plans.Pow2Plan`)
compiles only the passes it can reach.
"""
from __future__ import annotations

import numba
import numpy as np

from numba import types
from numba.extending import intrinsic

from dsp_kernels.config import inline_jit, inner_jit, noalias_jit
from dsp_kernels.cpu.fft.butterflies import dft4, eighth_turns
from dsp_kernels.cpu.fft.passes_lanes import pass2_lanes, pass4_lanes, pass8_lanes
from dsp_kernels.cpu.fft.passes_odd import _pass3, _pass5, _pass7, _pass_generic, _pass_generic_direct
from dsp_kernels.cpu.fft.plans import Pow2Plan
from dsp_kernels.subroutine import typed_call

u64 = numba.uint64


@noalias_jit
def _pass2(x, y, M_, twr, twi, off_, s_, mm_, L_):
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    g = run * mm
    for p in range(mm):
        w1r = twr[off + p]
        w1i = twi[off + p]
        i0 = p * run
        i1 = i0 + g
        o0 = (p + p) * run
        o1 = o0 + run
        for u in range(run):
            ar = x[i0 + u]
            ai = x[M + i0 + u]
            br = x[i1 + u]
            bi = x[M + i1 + u]
            y[o0 + u] = ar + br
            y[M + o0 + u] = ai + bi
            dr = ar - br
            di = ai - bi
            y[o1 + u] = dr * w1r - di * w1i
            y[M + o1 + u] = dr * w1i + di * w1r


@noalias_jit
def _pass4(x, y, M_, twr, twi, off_, s_, mm_, L_):
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    g = run * mm
    three = u64(3)
    four = u64(4)
    for p in range(mm):
        t = off + three * p
        w1r = twr[t]
        w1i = twi[t]
        w2r = twr[t + u64(1)]
        w2i = twi[t + u64(1)]
        w3r = twr[t + u64(2)]
        w3i = twi[t + u64(2)]
        i0 = p * run
        o0 = four * p * run
        o1 = o0 + run
        o2 = o1 + run
        o3 = o2 + run
        for u in range(run):
            z0r, z0i, z1r, z1i, z2r, z2i, z3r, z3i = dft4(x, M, i0, g, u)
            y[o0 + u] = z0r
            y[M + o0 + u] = z0i
            y[o1 + u] = z1r * w1r - z1i * w1i
            y[M + o1 + u] = z1r * w1i + z1i * w1r
            y[o2 + u] = z2r * w2r - z2i * w2i
            y[M + o2 + u] = z2r * w2i + z2i * w2r
            y[o3 + u] = z3r * w3r - z3i * w3i
            y[M + o3 + u] = z3r * w3i + z3i * w3r


@noalias_jit
def _pass8(x, y, M_, twr, twi, off_, s_, mm_, L_, consts):
    rt = consts[6]  # sqrt(1/2)
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    g = run * mm
    gg = g + g  # E reads inputs 0, 2, 4, 6 and F inputs 1, 3, 5, 7
    seven = u64(7)
    eight = u64(8)
    for p in range(mm):
        t = off + seven * p
        w1r = twr[t]
        w1i = twi[t]
        w2r = twr[t + u64(1)]
        w2i = twi[t + u64(1)]
        w3r = twr[t + u64(2)]
        w3i = twi[t + u64(2)]
        w4r = twr[t + u64(3)]
        w4i = twi[t + u64(3)]
        w5r = twr[t + u64(4)]
        w5i = twi[t + u64(4)]
        w6r = twr[t + u64(5)]
        w6i = twi[t + u64(5)]
        w7r = twr[t + u64(6)]
        w7i = twi[t + u64(6)]
        i0 = p * run
        i1 = i0 + g
        o0 = eight * p * run
        o1 = o0 + run
        o2 = o1 + run
        o3 = o2 + run
        o4 = o3 + run
        o5 = o4 + run
        o6 = o5 + run
        o7 = o6 + run
        for u in range(run):
            # E = DFT4(a0, a2, a4, a6), F = DFT4(a1, a3, a5, a7)
            e0r, e0i, e1r, e1i, e2r, e2i, e3r, e3i = dft4(x, M, i0, gg, u)
            f0r, f0i, f1r, f1i, f2r, f2i, f3r, f3i = dft4(x, M, i1, gg, u)
            g1r, g1i, g2r, g2i, g3r, g3i = eighth_turns(f1r, f1i, f2r, f2i, f3r, f3i, rt)
            y[o0 + u] = e0r + f0r
            y[M + o0 + u] = e0i + f0i
            br = e1r + g1r
            bi = e1i + g1i
            y[o1 + u] = br * w1r - bi * w1i
            y[M + o1 + u] = br * w1i + bi * w1r
            br = e2r + g2r
            bi = e2i + g2i
            y[o2 + u] = br * w2r - bi * w2i
            y[M + o2 + u] = br * w2i + bi * w2r
            br = e3r + g3r
            bi = e3i + g3i
            y[o3 + u] = br * w3r - bi * w3i
            y[M + o3 + u] = br * w3i + bi * w3r
            br = e0r - f0r
            bi = e0i - f0i
            y[o4 + u] = br * w4r - bi * w4i
            y[M + o4 + u] = br * w4i + bi * w4r
            br = e1r - g1r
            bi = e1i - g1i
            y[o5 + u] = br * w5r - bi * w5i
            y[M + o5 + u] = br * w5i + bi * w5r
            br = e2r - g2r
            bi = e2i - g2i
            y[o6 + u] = br * w6r - bi * w6i
            y[M + o6 + u] = br * w6i + bi * w6r
            br = e3r - g3r
            bi = e3i - g3i
            y[o7 + u] = br * w7r - bi * w7i
            y[M + o7 + u] = br * w7i + bi * w7r


@inline_jit
def _copy_back(work, src, n):
    """The result to work row 0 when the last pass wrote row 1."""
    if src != 0:
        M = work.shape[1] // 2
        w0 = work[0]
        w1 = work[1]
        for i in range(n):
            w0[i] = w1[i]
            w0[M + i] = w1[M + i]


def _pow2_pass_one(r, x, y, M, plan, off, s, mm, L):
    """One radix-2, 4 or 8 pass of a single transform (``L`` None): the scalar passes."""
    one = np.int64(1)  # not the literal 1: see pow2_passes
    if r == 8:
        _pass8(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, one, plan.consts)
    elif r == 4:
        _pass4(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, one)
    else:
        _pass2(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, one)


def _pow2_pass_lanes(r, x, y, M, plan, off, s, mm, L):
    """One radix-2, 4 or 8 pass of ``L = W`` transforms in lanes: :mod:`passes_lanes`."""
    if L != 64 // x.itemsize:
        raise ValueError("transforms in lanes: L must be the lanes of one 64-byte vector")
    if r == 8:
        pass8_lanes(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, plan.consts)
    elif r == 4:
        pass4_lanes(x, y, M, plan.tw_re, plan.tw_im, off, s, mm)
    else:
        pass2_lanes(x, y, M, plan.tw_re, plan.tw_im, off, s, mm)


_pow2_one_core = inner_jit(_pow2_pass_one)
_pow2_lanes_core = inner_jit(_pow2_pass_lanes)


@intrinsic
def _call_pow2_pass(typingctx, r, x, y, M, plan, off, s, mm, L):
    # a single transform is L = None, transforms in lanes an integer L: a property of the type,
    # so a kernel compiles one set of passes (both sets cost a cold stft about 1 s more)
    core = _pow2_one_core if isinstance(L, types.NoneType) else _pow2_lanes_core
    return typed_call(typingctx, core, (r, x, y, M, plan, off, s, mm, L))


def _pow2_pass_python(r, x, y, M, plan, off, s, mm, L):
    """:func:`_call_pow2_pass` as plain Python: ``L`` None or 1 is a single transform."""
    core = _pow2_pass_one if L is None or L == 1 else _pow2_pass_lanes
    core(r, x, y, M, plan, off, s, mm, L)


@intrinsic
def _lane_count(typingctx, L):
    """``L`` as an int64, 1 for None (a single transform)."""
    def codegen(context, builder, signature, args):
        if isinstance(signature.args[0], types.NoneType):
            return context.get_constant(types.int64, 1)
        return context.cast(builder, args[0], signature.args[0], types.int64)

    if isinstance(L, (types.NoneType, types.Integer)):
        return types.int64(L), codegen
    return None


#: ``pow2_pass(r, x, y, M, plan, off, s, mm, L)``: one radix-2, 4 or 8 pass from row ``x`` to row
#: ``y``, the scalar passes for a single transform (``L`` None) and the vector passes of
#: :mod:`~dsp_kernels.cpu.fft.passes_lanes` for ``L = W`` transforms in lanes
pow2_pass = _pow2_pass_python if numba.config.DISABLE_JIT else _call_pow2_pass
#: ``lane_count(L)``: how many transforms, 1 for ``L`` None
lane_count = (lambda L: 1 if L is None else L) if numba.config.DISABLE_JIT else _lane_count


@inline_jit
def pow2_passes(plan, work, L, src, n_passes):
    """The first ``n_passes`` of a :class:`~dsp_kernels.cpu.fft.plans.Pow2Plan`'s passes, from
    work row ``src``; returns the row holding the result."""
    M = work.shape[1] // 2
    factors = plan.factors
    # np.int64, not the literal 1: a literal would be typed Literal[int](1) on the first pass and
    # int64 after unification, and every pass function would be compiled twice (measured: 9 of
    # the first stft's compilations were such duplicates)
    s = np.int64(1)
    ncur = plan.m
    for st in range(n_passes):
        r = factors[st]
        mm = ncur // r
        off = plan.tw_off[st]
        pow2_pass(r, work[src], work[1 - src], M, plan, off, s, mm, L)
        src = 1 - src
        s *= r
        ncur = mm
    return src


def _stockham_pow2(plan, work, L):
    """The driver of :func:`stockham` for a :class:`~dsp_kernels.cpu.fft.plans.Pow2Plan`: only
    the radix-8, 4 and 2 passes are reachable, so only they are compiled."""
    src = pow2_passes(plan, work, L, 0, plan.factors.shape[0])
    _copy_back(work, src, plan.m * lane_count(L))


@inline_jit
def any_passes(plan, work, L, src, n_passes):
    """The first ``n_passes`` of any plan's passes (every radix), from work row ``src``;
    returns the row holding the result (:func:`pow2_passes` for the other plans)."""
    M = work.shape[1] // 2
    factors = plan.factors
    s = np.int64(1)  # not a literal: see pow2_passes
    ncur = plan.m
    n_lanes = lane_count(L)  # the odd passes take the count
    for st in range(n_passes):
        r = factors[st]
        mm = ncur // r
        off = plan.tw_off[st]
        x = work[src]
        y = work[1 - src]
        if r == 4 or r == 8 or r == 2:
            pow2_pass(r, x, y, M, plan, off, s, mm, L)
        elif r == 3:
            _pass3(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, n_lanes, plan.consts)
        elif r == 5:
            _pass5(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, n_lanes, plan.consts)
        elif r == 7:
            _pass7(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, n_lanes, plan.consts)
        elif plan.consts.itemsize == 8:
            _pass_generic(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, n_lanes, r,
                          plan.roots_re, plan.roots_im, plan.root_off[st], plan.consts)
        else:
            _pass_generic_direct(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, n_lanes, r,
                                 plan.roots_re, plan.roots_im, plan.root_off[st], plan.consts)
        src = 1 - src
        s *= r
        ncur = mm
    return src


def _stockham_any(plan, work, L):
    """The driver of :func:`stockham` for any plan: every radix."""
    src = any_passes(plan, work, L, 0, plan.factors.shape[0])
    _copy_back(work, src, plan.m * lane_count(L))


def stockham(plan, work, L):
    """Forward m-point DFT of the L interleaved signals in work row 0, in place.

    ``L`` is None (or 1 here) for one transform, and ``W`` (the values in one 64-byte vector)
    for a block of transforms in lanes; jitted code passes None for one transform, which
    selects the scalar passes while typing (:data:`pow2_pass`). ``work`` has two rows (the
    ping-pong buffers); in each, the real parts occupy the first half and the imaginary parts
    the second (each half holds at least m * L values). One array per buffer, not separate
    re/im arrays: with fewer distinct base pointers LLVM's runtime alias checks pass and the
    vectorised loop runs.

    Jitted code calls :data:`stockham_call`, which picks the driver by the plan's type: a
    :class:`~dsp_kernels.cpu.fft.plans.Pow2Plan` reaches only the radix-2, 4 and 8 passes.
    This plain-Python entry runs the general driver.

    Examples
    --------
    >>> import numpy as np
    >>> from dsp_kernels.cpu.fft.plans import get_fft_plan, make_work
    >>> plan = get_fft_plan(8, np.float64)
    >>> work = make_work(plan)
    >>> work[0, :8] = 1.0  # real parts of a constant signal, imaginary parts zero
    >>> stockham(plan, work, None)
    >>> float(work[0, 0]), float(abs(work[0, 1:8]).max())
    (8.0, 0.0)
    """
    _stockham_any(plan, work, L)


# The drivers are subroutines (dsp_kernels.subroutine), called through an intrinsic that picks one
# by the plan's type while typing and emits the call into the caller's own IR. An overload wrapper
# (what this was) is a library of its own, compiled once per set of caller flags (a parfor body
# has other flags than its kernel), and each copy was optimised and emitted with the whole driver
# linked in again: 0.27 s apiece of a cold stft. Not inline="always": inlining at several sites
# of one function (_cfft_core) trips Numba's IR scope checks.
_pow2_driver = inner_jit(_stockham_pow2)
_any_driver = inner_jit(_stockham_any)


@intrinsic
def _call_driver(typingctx, plan, work, L):
    # the pass set is a property of the plan's type: one rule, decided in plans._classed
    cls = getattr(plan, "instance_class", None)
    driver = _pow2_driver if isinstance(cls, type) and issubclass(cls, Pow2Plan) else _any_driver
    return typed_call(typingctx, driver, (plan, work, L))


def _head_pow2(plan, work, L, src):
    """All but the last pass of a :class:`~dsp_kernels.cpu.fft.plans.Pow2Plan` from row ``src``."""
    pow2_passes(plan, work, L, src, plan.factors.shape[0] - 1)


def _head_any(plan, work, L, src):
    """All but the last pass of any plan from row ``src``."""
    any_passes(plan, work, L, src, plan.factors.shape[0] - 1)


_head_pow2_driver = inner_jit(_head_pow2)
_head_any_driver = inner_jit(_head_any)


@intrinsic
def _call_head(typingctx, plan, work, L, src):
    cls = getattr(plan, "instance_class", None)
    driver = _head_pow2_driver if isinstance(cls, type) and issubclass(cls, Pow2Plan) else _head_any_driver
    return typed_call(typingctx, driver, (plan, work, L, src))


#: all but the last of a plan's passes from work row ``src`` (the fused last pass of
#: :mod:`dsp_kernels.cpu.fft.last_post` follows), the driver picked by the plan's type as for
#: :data:`stockham_call`
head_passes_call = _head_any_driver if numba.config.DISABLE_JIT else _call_head

#: what jitted code calls: the intrinsic above; with ``NUMBA_DISABLE_JIT=1`` (kernels run as plain
#: Python, where an intrinsic cannot be called) the general driver itself
stockham_call = _any_driver if numba.config.DISABLE_JIT else _call_driver
