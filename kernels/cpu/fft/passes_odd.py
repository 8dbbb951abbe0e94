"""Stockham passes of odd radix: 3, 5, 7 and any prime up to ``MAX_DIRECT_PRIME`` (generic).

The passes the driver :func:`dsp_kernels.cpu.fft.passes.stockham` calls for the odd factors of
a plan; the data layout, index rules and the reason for unsigned indices are those of
:mod:`dsp_kernels.cpu.fft.passes` (whose radix-2, 4 and 8 passes sit beside the driver).
``_pass_generic`` pairs inputs j and r - j (float64 plans); ``_pass_generic_direct`` sums all r
terms directly (float32 plans, whose worst small bins are better that way).
"""
from __future__ import annotations

import numba

from dsp_kernels.config import noalias_jit

# unsigned indices, as in passes.py: signed ones get wraparound checks that block vectorisation
u64 = numba.uint64


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
def _pass7(x, y, M_, twr, twi, off_, s_, mm_, L_, consts):
    """Radix 7 in registers, as :func:`_pass5`: with the pair sums ``s_j = a_j + a_{7-j}`` and
    differences ``d_j = a_j - a_{7-j}`` (j = 1..3), outputs k and 7 - k share
    ``A_k = a_0 + sum_j cos(2 pi jk/7) s_j`` and ``U_k = sum_j sin(2 pi jk/7) d_j``:
    ``X_k = A_k - i U_k``, ``X_{7-k} = A_k + i U_k``. The generic pass it replaces kept its
    sums in the output rows (a load and a store per term): 882- and 441-point STFTs (20 and
    10 ms at 44.1 kHz, radices 3, 3, 7, 7) ran at 2.6 us a frame against 1.25 us for 1024.
    ``consts[9:15]`` hold cos and sin of 2 pi / 7, 4 pi / 7 and 6 pi / 7."""
    c1 = consts[9]
    c2 = consts[10]
    c3 = consts[11]
    s1 = consts[12]
    s2 = consts[13]
    s3 = consts[14]
    run = u64(s_) * u64(L_)
    M = u64(M_)
    mm = u64(mm_)
    off = u64(off_)
    g = run * mm
    six = u64(6)
    seven = u64(7)
    for p in range(mm):
        t = off + six * p
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
        i0 = p * run
        i1 = i0 + g
        i2 = i1 + g
        i3 = i2 + g
        i4 = i3 + g
        i5 = i4 + g
        i6 = i5 + g
        o0 = seven * p * run
        o1 = o0 + run
        o2 = o1 + run
        o3 = o2 + run
        o4 = o3 + run
        o5 = o4 + run
        o6 = o5 + run
        for u in range(run):
            a0r = x[i0 + u]
            a0i = x[M + i0 + u]
            a1r = x[i1 + u]
            a1i = x[M + i1 + u]
            a6r = x[i6 + u]
            a6i = x[M + i6 + u]
            a2r = x[i2 + u]
            a2i = x[M + i2 + u]
            a5r = x[i5 + u]
            a5i = x[M + i5 + u]
            a3r = x[i3 + u]
            a3i = x[M + i3 + u]
            a4r = x[i4 + u]
            a4i = x[M + i4 + u]
            p1r = a1r + a6r
            p1i = a1i + a6i
            d1r = a1r - a6r
            d1i = a1i - a6i
            p2r = a2r + a5r
            p2i = a2i + a5i
            d2r = a2r - a5r
            d2i = a2i - a5i
            p3r = a3r + a4r
            p3i = a3i + a4i
            d3r = a3r - a4r
            d3i = a3i - a4i
            y[o0 + u] = a0r + p1r + p2r + p3r
            y[M + o0 + u] = a0i + p1i + p2i + p3i
            # k = 1: cos c1 c2 c3, sin s1 s2 s3; k = 2: c2 c3 c1, s2 -s3 -s1; k = 3: c3 c1 c2,
            # s3 -s1 s2 (jk mod 7, and sin(2 pi (7 - m) / 7) = -sin(2 pi m / 7))
            Ar = a0r + c1 * p1r + c2 * p2r + c3 * p3r
            Ai = a0i + c1 * p1i + c2 * p2i + c3 * p3i
            Ur = s1 * d1r + s2 * d2r + s3 * d3r
            Ui = s1 * d1i + s2 * d2i + s3 * d3i
            br = Ar + Ui
            bi = Ai - Ur
            y[o1 + u] = br * w1r - bi * w1i
            y[M + o1 + u] = br * w1i + bi * w1r
            br = Ar - Ui
            bi = Ai + Ur
            y[o6 + u] = br * w6r - bi * w6i
            y[M + o6 + u] = br * w6i + bi * w6r
            Ar = a0r + c2 * p1r + c3 * p2r + c1 * p3r
            Ai = a0i + c2 * p1i + c3 * p2i + c1 * p3i
            Ur = s2 * d1r - s3 * d2r - s1 * d3r
            Ui = s2 * d1i - s3 * d2i - s1 * d3i
            br = Ar + Ui
            bi = Ai - Ur
            y[o2 + u] = br * w2r - bi * w2i
            y[M + o2 + u] = br * w2i + bi * w2r
            br = Ar - Ui
            bi = Ai + Ur
            y[o5 + u] = br * w5r - bi * w5i
            y[M + o5 + u] = br * w5i + bi * w5r
            Ar = a0r + c3 * p1r + c1 * p2r + c2 * p3r
            Ai = a0i + c3 * p1i + c1 * p2i + c2 * p3i
            Ur = s3 * d1r - s1 * d2r + s2 * d3r
            Ui = s3 * d1i - s1 * d2i + s2 * d3i
            br = Ar + Ui
            bi = Ai - Ur
            y[o3 + u] = br * w3r - bi * w3i
            y[M + o3 + u] = br * w3i + bi * w3r
            br = Ar - Ui
            bi = Ai + Ur
            y[o4 + u] = br * w4r - bi * w4i
            y[M + o4 + u] = br * w4i + bi * w4r


@noalias_jit
def _pass_generic(x, y, M_, twr, twi, off_, s_, mm_, L_, r_, rr, ri, roff_, consts):
    """Any odd radix r (11, 13, ... up to MAX_DIRECT_PRIME) by the direct sum over pairs (float64
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
