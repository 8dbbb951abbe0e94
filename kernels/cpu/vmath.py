"""Vectorisable float64 ``log`` and ``exp`` for the CPU kernels.

Numba compiles ``math.log``/``math.exp`` to calls into the C library, one value at a time: a
loop over a spectrum that takes a logarithm per bin (spectral flatness) or a power per sample
(PCEN's gain) runs at the speed of those calls, while NumPy's own ufuncs use SIMD versions. These
two functions are plain arithmetic on the bits of the float (a bitcast, integer shifts, a
polynomial), which LLVM vectorises like any other loop body. The CPU twin of the feature rules
substitutes them for ``math.log``/``math.exp`` (:func:`dsp_kernels.rules.retarget`); the GPU
keeps CUDA's own.

``vlog(x)``
    ``log(x)`` for float64 ``x``: a few ulp for every positive normal or subnormal ``x``;
    ``log(0) = -inf``, ``log(inf) = inf``, NaN for NaN and negative ``x``.
``vexp(x)``
    ``exp(x)`` for ``-708.39 <= x <= 709.78``, relative error below 1e-15 for ``|x| <= 10``,
    growing to 3e-14 at ``|x| = 700`` (the caller's fast-math flags may merge the two-part
    reduction by ln 2); ``inf`` above, 0 below (results that would be subnormal, under
    ``2.2e-308``, are flushed to 0), NaN for NaN.
``vdiv(a, b)``
    ``a / b`` as the IEEE division (no ZeroDivisionError check, whose branch keeps Numba's loops
    scalar): ``inf`` or NaN for a zero ``b``.

Both accept any real scalar (an integer or float32 is widened to float64 first). With
``NUMBA_DISABLE_JIT=1`` (or bounds checking on, as :mod:`dsp_kernels.cpu.fft.simd`) they are
``math.log``/``math.exp``.

Examples
--------
>>> import math
>>> from dsp_kernels.cpu.vmath import vexp, vlog
>>> abs(vlog(10.0) - math.log(10.0)) < 1e-15, abs(vexp(1.5) / math.exp(1.5) - 1) < 1e-15
(True, True)
"""
from __future__ import annotations

import functools
import math
import operator

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["vlog", "vexp", "vdiv"]

_inline = functools.partial(numba.njit, inline="always", fastmath={"contract", "nsz"})


@intrinsic
def _bits(typingctx, x):
    """The int64 with the bits of the float64 ``x``."""
    if x != types.float64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, i):
    """The float64 with the bits of the int64 ``i``."""
    if i != types.int64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _div(typingctx, a, b):
    """``a / b`` as IEEE division: Numba's ``/`` checks for a zero divisor (to raise
    ZeroDivisionError), and that branch keeps LLVM from vectorising the loop."""
    if a != types.float64 or b != types.float64:
        return None

    def codegen(context, builder, sig, args):
        return builder.fdiv(args[0], args[1])

    return types.float64(types.float64, types.float64), codegen


_LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that k * _LN2_HI is exact for |k| < 2^11
_LN2_LO = 1.90821492927058770002e-10
_LOG2E = 1.4426950408889634
_SQRT2 = 1.4142135623730951
_MANT = np.int64(0x000FFFFFFFFFFFFF)
_ONE = np.int64(0x3FF0000000000000)
_TINY = 2.2250738585072014e-308


def _vlog(x):
    x = np.float64(x)
    # subnormals: scale into the normal range first (a select, not a branch)
    sub = x < _TINY
    xs = x * 18014398509481984.0 if sub else x  # 2^54
    bits = _bits(xs)
    e = (bits >> 52) - 1023
    if sub:
        e -= 54
    m = _from_bits((bits & _MANT) | _ONE)  # the mantissa, in [1, 2)
    if m > _SQRT2:
        m *= 0.5
        e += 1
    # log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: the odd series to s^19
    f = m - 1.0
    s = _div(f, 2.0 + f)
    z = s * s
    r = z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (1.0 / 11 + z * (
        1.0 / 13 + z * (1.0 / 15 + z * (1.0 / 17 + z * (1.0 / 19)))))))))
    ef = np.float64(e)
    out = ef * _LN2_HI + (2.0 * s + 2.0 * s * r + ef * _LN2_LO)
    if x == 0.0:
        out = -math.inf
    if not x >= 0.0:  # negative or NaN
        out = math.nan
    if x == math.inf:
        out = math.inf
    return out


def _vdiv(a, b):
    return _div(np.float64(a), np.float64(b))


def _vexp(x):
    x = np.float64(x)
    xc = min(max(x, -708.3964185322641), 709.782712893384)
    kf = np.floor(xc * _LOG2E + 0.5)
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO  # |r| <= ln2 / 2
    # Taylor to r^13 (the next term is below 5e-18 relative)
    p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (
        1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (
            1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (
                1.0 / 6227020800)))))))))))))
    # times 2^k: k added to p's exponent field (p in [0.7, 1.42] and k in [-1022, 1024] keep
    # it in range; a multiplication by 2^k would overflow for k = 1024)
    out = _from_bits(_bits(p) + (np.int64(kf) << 52))
    if x > 709.782712893384:
        out = math.inf
    if x < -708.3964185322641:
        out = 0.0
    if x != x:
        out = x
    return out


if numba.config.DISABLE_JIT or numba.config.BOUNDSCHECK:
    vlog = math.log
    vexp = math.exp
    vdiv = operator.truediv
else:
    vlog = _inline(_vlog)
    vexp = _inline(_vexp)
    vdiv = _inline(_vdiv)
