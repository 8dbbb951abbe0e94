"""Stockham passes shared by the single-transform and the blocked (lane-interleaved) FFT.

Data: ``L`` interleaved transforms of length m, element i of lane l at ``i * L + l`` (L = 1 for a
single transform), real parts at ``[0, M)`` and imaginary parts at ``[M, 2M)`` of one buffer. A pass of radix r, with s the product of the radices already done and
mm = m / (s r), reads groups at ``(s p + j s mm) L`` and writes ``(s (r p + k)) L``; for fixed p
both are runs of ``s L`` contiguous values, which is the innermost loop: contiguous, independent,
so LLVM vectorises it (the data of one butterfly in every lane). Outputs end in natural order
(Stockham autosort), no bit reversal.

Indices are unsigned (uint64): with signed indices Numba adds negative-index wraparound, which
LLVM sees as an indirect access and refuses to vectorise.
"""
from __future__ import annotations

import numba
import numpy as np

from dsp_kernels.config import jit, noalias_jit

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
        i1 = i0 + g
        i2 = i1 + g
        i3 = i2 + g
        o0 = four * p * run
        o1 = o0 + run
        o2 = o1 + run
        o3 = o2 + run
        for u in range(run):
            a0r = x[i0 + u]
            a0i = x[M + i0 + u]
            a1r = x[i1 + u]
            a1i = x[M + i1 + u]
            a2r = x[i2 + u]
            a2i = x[M + i2 + u]
            a3r = x[i3 + u]
            a3i = x[M + i3 + u]
            t0r = a0r + a2r
            t0i = a0i + a2i
            t1r = a0r - a2r
            t1i = a0i - a2i
            t2r = a1r + a3r
            t2i = a1i + a3i
            t3r = a1i - a3i  # (a1 - a3) * (-i)
            t3i = a3r - a1r
            y[o0 + u] = t0r + t2r
            y[M + o0 + u] = t0i + t2i
            br = t1r + t3r
            bi = t1i + t3i
            y[o1 + u] = br * w1r - bi * w1i
            y[M + o1 + u] = br * w1i + bi * w1r
            br = t0r - t2r
            bi = t0i - t2i
            y[o2 + u] = br * w2r - bi * w2i
            y[M + o2 + u] = br * w2i + bi * w2r
            br = t1r - t3r
            bi = t1i - t3i
            y[o3 + u] = br * w3r - bi * w3i
            y[M + o3 + u] = br * w3i + bi * w3r



@noalias_jit
def _pass8(x, y, M_, twr, twi, off_, s_, mm_, L_, consts):
    rt = consts[6]  # sqrt(1/2)
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    g = run * mm
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
        i2 = i1 + g
        i3 = i2 + g
        i4 = i3 + g
        i5 = i4 + g
        i6 = i5 + g
        i7 = i6 + g
        o0 = eight * p * run
        o1 = o0 + run
        o2 = o1 + run
        o3 = o2 + run
        o4 = o3 + run
        o5 = o4 + run
        o6 = o5 + run
        o7 = o6 + run
        for u in range(run):
            a0r = x[i0 + u]
            a0i = x[M + i0 + u]
            a1r = x[i1 + u]
            a1i = x[M + i1 + u]
            a2r = x[i2 + u]
            a2i = x[M + i2 + u]
            a3r = x[i3 + u]
            a3i = x[M + i3 + u]
            a4r = x[i4 + u]
            a4i = x[M + i4 + u]
            a5r = x[i5 + u]
            a5i = x[M + i5 + u]
            a6r = x[i6 + u]
            a6i = x[M + i6 + u]
            a7r = x[i7 + u]
            a7i = x[M + i7 + u]
            # E = DFT4(a0, a2, a4, a6), F = DFT4(a1, a3, a5, a7)
            t0r = a0r + a4r
            t0i = a0i + a4i
            t1r = a0r - a4r
            t1i = a0i - a4i
            t2r = a2r + a6r
            t2i = a2i + a6i
            t3r = a2i - a6i
            t3i = a6r - a2r
            e0r = t0r + t2r
            e0i = t0i + t2i
            e1r = t1r + t3r
            e1i = t1i + t3i
            e2r = t0r - t2r
            e2i = t0i - t2i
            e3r = t1r - t3r
            e3i = t1i - t3i
            t0r = a1r + a5r
            t0i = a1i + a5i
            t1r = a1r - a5r
            t1i = a1i - a5i
            t2r = a3r + a7r
            t2i = a3i + a7i
            t3r = a3i - a7i
            t3i = a7r - a3r
            f0r = t0r + t2r
            f0i = t0i + t2i
            f1r = t1r + t3r
            f1i = t1i + t3i
            f2r = t0r - t2r
            f2i = t0i - t2i
            f3r = t1r - t3r
            f3i = t1i - t3i
            # F_k times exp(-i pi k / 4)
            g1r = rt * (f1r + f1i)
            g1i = rt * (f1i - f1r)
            g2r = f2i
            g2i = -f2r
            g3r = rt * (f3i - f3r)
            g3i = -rt * (f3r + f3i)
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


@noalias_jit
def _pass3(x, y, M_, twr, twi, off_, s_, mm_, L_, consts):
    half = consts[0]
    s3 = consts[1]
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    g = run * mm
    two = u64(2)
    three = u64(3)
    for p in range(mm):
        t = off + two * p
        w1r = twr[t]
        w1i = twi[t]
        w2r = twr[t + u64(1)]
        w2i = twi[t + u64(1)]
        i0 = p * run
        i1 = i0 + g
        i2 = i1 + g
        o0 = three * p * run
        o1 = o0 + run
        o2 = o1 + run
        for u in range(run):
            a0r = x[i0 + u]
            a0i = x[M + i0 + u]
            a1r = x[i1 + u]
            a1i = x[M + i1 + u]
            a2r = x[i2 + u]
            a2i = x[M + i2 + u]
            t1r = a1r + a2r
            t1i = a1i + a2i
            t2r = a0r - half * t1r
            t2i = a0i - half * t1i
            ur = s3 * (a1i - a2i)  # -i sin(2 pi / 3) (a1 - a2)
            ui = s3 * (a2r - a1r)
            y[o0 + u] = a0r + t1r
            y[M + o0 + u] = a0i + t1i
            br = t2r + ur
            bi = t2i + ui
            y[o1 + u] = br * w1r - bi * w1i
            y[M + o1 + u] = br * w1i + bi * w1r
            br = t2r - ur
            bi = t2i - ui
            y[o2 + u] = br * w2r - bi * w2i
            y[M + o2 + u] = br * w2i + bi * w2r


@noalias_jit
def _pass5(x, y, M_, twr, twi, off_, s_, mm_, L_, consts):
    c1 = consts[2]
    c2 = consts[3]
    s1 = consts[4]
    s2 = consts[5]
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    g = run * mm
    four = u64(4)
    five = u64(5)
    for p in range(mm):
        t = off + four * p
        w1r = twr[t]
        w1i = twi[t]
        w2r = twr[t + u64(1)]
        w2i = twi[t + u64(1)]
        w3r = twr[t + u64(2)]
        w3i = twi[t + u64(2)]
        w4r = twr[t + u64(3)]
        w4i = twi[t + u64(3)]
        i0 = p * run
        i1 = i0 + g
        i2 = i1 + g
        i3 = i2 + g
        i4 = i3 + g
        o0 = five * p * run
        o1 = o0 + run
        o2 = o1 + run
        o3 = o2 + run
        o4 = o3 + run
        for u in range(run):
            a0r = x[i0 + u]
            a0i = x[M + i0 + u]
            a1r = x[i1 + u]
            a1i = x[M + i1 + u]
            a2r = x[i2 + u]
            a2i = x[M + i2 + u]
            a3r = x[i3 + u]
            a3i = x[M + i3 + u]
            a4r = x[i4 + u]
            a4i = x[M + i4 + u]
            b1r = a1r + a4r
            b1i = a1i + a4i
            d1r = a1r - a4r
            d1i = a1i - a4i
            b2r = a2r + a3r
            b2i = a2i + a3i
            d2r = a2r - a3r
            d2i = a2i - a3i
            y[o0 + u] = a0r + b1r + b2r
            y[M + o0 + u] = a0i + b1i + b2i
            # y1,4 = A -/+ iU ; y2,3 = B -/+ iV
            Ar = a0r + c1 * b1r + c2 * b2r
            Ai = a0i + c1 * b1i + c2 * b2i
            Ur = s1 * d1r + s2 * d2r
            Ui = s1 * d1i + s2 * d2i
            Br = a0r + c2 * b1r + c1 * b2r
            Bi = a0i + c2 * b1i + c1 * b2i
            Vr = s2 * d1r - s1 * d2r
            Vi = s2 * d1i - s1 * d2i
            br = Ar + Ui
            bi = Ai - Ur
            y[o1 + u] = br * w1r - bi * w1i
            y[M + o1 + u] = br * w1i + bi * w1r
            br = Br + Vi
            bi = Bi - Vr
            y[o2 + u] = br * w2r - bi * w2i
            y[M + o2 + u] = br * w2i + bi * w2r
            br = Br - Vi
            bi = Bi + Vr
            y[o3 + u] = br * w3r - bi * w3i
            y[M + o3 + u] = br * w3i + bi * w3r
            br = Ar - Ui
            bi = Ai + Ur
            y[o4 + u] = br * w4r - bi * w4i
            y[M + o4 + u] = br * w4i + bi * w4r


@noalias_jit
def _pass_generic(x, y, M_, twr, twi, off_, s_, mm_, L_, r_, rr, ri, roff_, consts):
    """Any odd radix r (7, 11, ... up to MAX_DIRECT_PRIME) by the direct sum over pairs (float64
    plans; float32 plans use :func:`_pass_generic_direct`).

    Inputs j and r - j meet conjugate roots, so with the pair sums s_j = a_j + a_{r-j} and
    differences d_j = a_j - a_{r-j} (j = 1..h, h = (r-1)/2) the outputs k and r - k share
    A_k = a_0 + sum_j cos(2 pi jk/r) s_j and B_k = -sum_j sin(2 pi jk/r) d_j:
    X_k = A_k + i B_k, X_{r-k} = A_k - i B_k. Half the multiplications of the plain sum, and
    less rounding: with the same (correctly rounded) tables, ifft(fft(x)) of 300 seeded signals
    of prime length 13-31 went from up to 5.0 ulp (plain sum) to 3.1 ulp.
    ``rr``/``ri`` hold cos and -sin of 2 pi j / r. ``x`` (the pass's source, dead after it) is
    overwritten with the pair sums and differences.
    """
    zero = consts[8]
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    r = u64(r_)
    roff = u64(roff_)
    g = run * mm
    one = u64(1)
    h = (r - one) // u64(2)
    for p in range(mm):
        t = off + (r - one) * p
        i0 = p * run
        o0 = r * p * run
        for j in range(one, h + one):
            ij = i0 + j * g
            ic = i0 + (r - j) * g
            for u in range(run):
                ar = x[ij + u]
                ai = x[M + ij + u]
                br = x[ic + u]
                bi = x[M + ic + u]
                x[ij + u] = ar + br
                x[M + ij + u] = ai + bi
                x[ic + u] = ar - br
                x[M + ic + u] = ai - bi
        for u in range(run):
            y[o0 + u] = x[i0 + u]
            y[M + o0 + u] = x[M + i0 + u]
        for j in range(one, h + one):
            ij = i0 + j * g
            for u in range(run):
                y[o0 + u] += x[ij + u]
                y[M + o0 + u] += x[M + ij + u]
        for k in range(one, h + one):
            ok = o0 + k * run
            oc = o0 + (r - k) * run
            for u in range(run):
                y[ok + u] = x[i0 + u]
                y[M + ok + u] = x[M + i0 + u]
                y[oc + u] = zero
                y[M + oc + u] = zero
            idx = k
            for j in range(one, h + one):
                cr = rr[roff + idx]
                ci = ri[roff + idx]
                ij = i0 + j * g
                ic = i0 + (r - j) * g
                for u in range(run):
                    y[ok + u] += cr * x[ij + u]
                    y[M + ok + u] += cr * x[M + ij + u]
                    y[oc + u] += ci * x[ic + u]
                    y[M + oc + u] += ci * x[M + ic + u]
                idx += k
                if idx >= r:
                    idx -= r
            w1r = twr[t + k - one]
            w1i = twi[t + k - one]
            w2r = twr[t + r - k - one]
            w2i = twi[t + r - k - one]
            for u in range(run):
                Ar = y[ok + u]
                Ai = y[M + ok + u]
                Br = y[oc + u]
                Bi = y[M + oc + u]
                pr = Ar - Bi  # A + i B
                pi = Ai + Br
                qr = Ar + Bi  # A - i B
                qi = Ai - Br
                y[ok + u] = pr * w1r - pi * w1i
                y[M + ok + u] = pr * w1i + pi * w1r
                y[oc + u] = qr * w2r - qi * w2i
                y[M + oc + u] = qr * w2i + qi * w2r


@noalias_jit
def _pass_generic_direct(x, y, M_, twr, twi, off_, s_, mm_, L_, r_, rr, ri, roff_, consts):
    """Any radix r by the plain direct sum (O(r^2) per butterfly), for float32 plans.

    The paired sum (:func:`_pass_generic`) is the more accurate on average, but in float32 its
    worst small bins are worse: log-mel frames of n_fft = 551 = 19 * 29 on three 2 s segments of
    tests/data/speech_en.wav erred by 1.6e-5, 1.1e-5, 2.6e-5 of the peak dB against 6.9e-6,
    9.3e-6, 1.2e-5 with this sum (tests/test_pyramid_audio.py bounds the first at 1e-5).
    """
    zero = consts[8]
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    r = u64(r_)
    roff = u64(roff_)
    g = run * mm
    one = u64(1)
    for p in range(mm):
        t = off + (r - one) * p
        i0 = p * run
        o0 = r * p * run
        for k in range(r):
            ok = o0 + k * run
            for u in range(run):
                y[ok + u] = zero
                y[M + ok + u] = zero
            idx = u64(0)
            for j in range(r):
                cr = rr[roff + idx]
                ci = ri[roff + idx]
                ij = i0 + j * g
                for u in range(run):
                    ar = x[ij + u]
                    ai = x[M + ij + u]
                    y[ok + u] += ar * cr - ai * ci
                    y[M + ok + u] += ar * ci + ai * cr
                idx += k
                if idx >= r:
                    idx -= r
            if k > 0:
                wr = twr[t + k - one]
                wi = twi[t + k - one]
                for u in range(run):
                    ar = y[ok + u]
                    ai = y[M + ok + u]
                    y[ok + u] = ar * wr - ai * wi
                    y[M + ok + u] = ar * wi + ai * wr


@jit
def stockham(plan, work, L):
    """Forward m-point DFT of the L interleaved signals in work row 0, in place.

    ``work`` has two rows (the ping-pong buffers); in each, the real parts occupy the first half
    and the imaginary parts the second (each half holds at least m * L values). One array per
    buffer, not separate re/im arrays: with fewer distinct base pointers LLVM's runtime alias
    checks pass and the vectorised loop runs.
    """
    M = work.shape[1] // 2
    m = plan.m
    factors = plan.factors
    src = 0
    # np.int64, not the literal 1: a literal would be typed Literal[int](1) on the first pass and
    # int64 after unification, and every pass function would be compiled twice (measured: 9 of
    # the first stft's compilations were such duplicates)
    s = np.int64(1)
    ncur = m
    for st in range(factors.shape[0]):
        r = factors[st]
        mm = ncur // r
        off = plan.tw_off[st]
        x = work[src]
        y = work[1 - src]
        if r == 4:
            _pass4(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, L)
        elif r == 8:
            _pass8(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, L, plan.consts)
        elif r == 2:
            _pass2(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, L)
        elif r == 3:
            _pass3(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, L, plan.consts)
        elif r == 5:
            _pass5(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, L, plan.consts)
        elif plan.consts.itemsize == 8:
            _pass_generic(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, L, r,
                          plan.roots_re, plan.roots_im, plan.root_off[st], plan.consts)
        else:
            _pass_generic_direct(x, y, M, plan.tw_re, plan.tw_im, off, s, mm, L, r,
                                 plan.roots_re, plan.roots_im, plan.root_off[st], plan.consts)
        src = 1 - src
        s *= r
        ncur = mm
    if src != 0:
        w0 = work[0]
        w1 = work[1]
        n = m * L
        for i in range(n):
            w0[i] = w1[i]
            w0[M + i] = w1[M + i]
