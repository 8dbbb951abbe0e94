"""Weighted sums of consecutive lane vectors, the accumulator held in one vector register.

The mel projection of the blocked STFT (``dsp_kernels.cpu.mel``) sums, for each band, its run
of power spectra weighted by the filter: ``out[o + l] = sum_i w[i] * P[(k0 + i - i0) W + l]``
over the W lanes (frames) of a block. Written as a loop over lanes inside the loop over
weights, LLVM keeps the W partial sums in memory, so each multiply-add waits for the store and
the reload of the one before (a quarter of a float64 mel spectrogram's time); W scalar
accumulators stay scalar. :func:`lanes_weighted_sum` is an LLVM intrinsic whose accumulator is
one ``<W x T>`` value. Multiply and add stay two roundings, in ascending ``i`` from zero, as the
loop they replace: the sums are the same bit for bit.

``W`` is the number of ``P`` values in one 64-byte vector (16 float32, 8 float64); the sums are
in ``out``'s dtype (``P`` is widened first when ``out`` is wider), ``w`` has ``out``'s dtype.

:func:`lanes_power2_sum` sums the squared magnitudes of complex lanes instead (bin ``k``'s real
parts at ``P[2kW:]``, imaginary parts at ``P[(2k + 1)W:]``, the blocked FFT's layout), each
``re * re + im * im`` in P's dtype as the separate power pass computed it: the mel projection of
a power spectrogram reads the spectra once and writes no power array (about 5 % of a mel
spectrogram, float32 and float64; the same sums bit for bit).

Checked mode (Numba's bounds checking on, or no JIT, as in :mod:`dsp_kernels.cpu.fft.simd`):
the name is an indexed implementation of the same contract that checks every index.

Examples
--------
>>> import numba, numpy as np
>>> from dsp_kernels.cpu.lanes_sum import lanes_weighted_sum
>>> @numba.njit
... def bins_1_and_2(P, w, out):
...     lanes_weighted_sum(P, 1, w, 0, 2, out, 0)
>>> P = np.arange(4 * 16, dtype=np.float32)       # 4 bins of 16 lanes
>>> out = np.zeros(16, dtype=np.float32)
>>> bins_1_and_2(P, np.array([0.5, 2.0], dtype=np.float32), out)
>>> float(out[3]) == 0.5 * (16 + 3) + 2.0 * (32 + 3)
True
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from dsp_kernels.cpu.fft.simd import CHECKED, VECTOR_BYTES

__all__ = ["lanes_weighted_sum", "lanes_power2_sum"]

_FLOATS = (types.float32, types.float64)


def _types_ok(P, k0, w, i0, i1, out, o) -> bool:
    return (
        all(isinstance(a, types.Array) and a.ndim == 1 and a.layout == 'C' for a in (P, w, out))
        and P.dtype in _FLOATS and out.dtype in _FLOATS and w.dtype == out.dtype
        and out.dtype.bitwidth >= P.dtype.bitwidth
        and all(isinstance(t, types.Integer) for t in (k0, i0, i1, o))
    )


def _weighted_sum_intrinsic(squares: bool):
    """The intrinsic over rows of ``P`` (``squares=False``) or over the squared magnitudes of
    complex lanes (``squares=True``: bin k's real parts at ``P[2kW:]``, imaginary at
    ``P[(2k + 1)W:]``, ``re * re + im * im`` in P's dtype, as ``_lanes_power`` computes them)."""

    @intrinsic
    def weighted_sum(typingctx, P, k0, w, i0, i1, out, o):
        if not _types_ok(P, k0, w, i0, i1, out, o):
            return None
        width = VECTOR_BYTES // (P.dtype.bitwidth // 8)
        sig = types.void(P, k0, w, i0, i1, out, o)

        def codegen(context, builder, signature, args):
            at = signature.args
            p_v, k0_v, w_v, i0_v, i1_v, out_v, o_v = args
            intp = context.get_value_type(types.intp)
            k0_i, i0_i, i1_i, o_i = (context.cast(builder, v, t, types.intp)
                                     for v, t in ((k0_v, at[1]), (i0_v, at[3]), (i1_v, at[4]), (o_v, at[6])))
            p_data = context.make_array(at[0])(context, builder, p_v).data
            w_data = context.make_array(at[2])(context, builder, w_v).data
            out_data = context.make_array(at[5])(context, builder, out_v).data
            pty = context.get_value_type(at[0].dtype)
            aty = context.get_value_type(at[5].dtype)
            pvec = ir.VectorType(pty, width)
            avec = ir.VectorType(aty, width)
            align = at[0].dtype.bitwidth // 8
            zero = ir.Constant(avec, [ir.Constant(aty, 0.0)] * width)
            acc = cgutils.alloca_once_value(builder, zero)  # promoted to a register by mem2reg
            count = builder.sub(i1_i, i0_i)
            with cgutils.for_range(builder, count, intp=intp) as loop:
                i = builder.add(i0_i, loop.index)
                wv = builder.load(builder.gep(w_data, [i]))
                splat = builder.shuffle_vector(
                    builder.insert_element(ir.Constant(avec, ir.Undefined), wv, ir.Constant(ir.IntType(32), 0)),
                    ir.Constant(avec, ir.Undefined), ir.Constant(ir.VectorType(ir.IntType(32), width), [0] * width))
                k = builder.add(k0_i, loop.index)
                if squares:
                    row = builder.mul(k, ir.Constant(intp, 2 * width))
                    re = builder.load(builder.bitcast(builder.gep(p_data, [row]), pvec.as_pointer()), align=align)
                    row = builder.add(row, ir.Constant(intp, width))
                    im = builder.load(builder.bitcast(builder.gep(p_data, [row]), pvec.as_pointer()), align=align)
                    v = builder.fadd(builder.fmul(re, re), builder.fmul(im, im))
                else:
                    row = builder.mul(k, ir.Constant(intp, width))
                    v = builder.load(builder.bitcast(builder.gep(p_data, [row]), pvec.as_pointer()), align=align)
                if aty != pty:
                    v = builder.fpext(v, avec)
                builder.store(builder.fadd(builder.load(acc), builder.fmul(splat, v)), acc)
            optr = builder.bitcast(builder.gep(out_data, [o_i]), avec.as_pointer())
            builder.store(builder.load(acc), optr, align=at[5].dtype.bitwidth // 8)
            return context.get_dummy_value()

        return sig, codegen

    return weighted_sum


_lanes_weighted_sum_simd = _weighted_sum_intrinsic(False)
_lanes_power2_sum_simd = _weighted_sum_intrinsic(True)


def _checked(squares: bool):
    """The indexed, checked contract of ``_weighted_sum_intrinsic(squares)`` (plain Python;
    compiled by an overload for jitted callers, run as is without JIT)."""
    name = "lanes_power2_sum" if squares else "lanes_weighted_sum"

    def weighted_sum(P, k0, w, i0, i1, out, o):
        W = 64 // P.itemsize
        per_bin = 2 * W if squares else W
        for lane in range(W):
            acc = out.dtype.type(0)
            for i in range(i0, i1):
                j = (k0 + i - i0) * per_bin + lane
                if j < 0 or j + (W if squares else 0) >= P.shape[0] or i < 0 or i >= w.shape[0]:
                    raise IndexError(name + ": an index lies outside P or w")
                v = P[j] * P[j] + P[j + W] * P[j + W] if squares else P[j]
                acc += w[i] * v
            if o + lane < 0 or o + lane >= out.shape[0]:
                raise IndexError(name + ": an index lies outside out")
            out[o + lane] = acc

    def indexed(P, k0, w, i0, i1, out, o):
        return weighted_sum(P, k0, w, i0, i1, out, o)

    @overload(indexed)
    def _impl(P, k0, w, i0, i1, out, o):
        if not _types_ok(P, k0, w, i0, i1, out, o):
            return None
        return weighted_sum

    return indexed


_lanes_weighted_sum_indexed = _checked(False)
_lanes_power2_sum_indexed = _checked(True)

#: ``lanes_weighted_sum(P, k0, w, i0, i1, out, o)``: the intrinsic, or its checked indexed twin
#: in CHECKED mode. No bounds checks in the intrinsic: the caller guarantees the ranges.
lanes_weighted_sum = _lanes_weighted_sum_indexed if CHECKED else _lanes_weighted_sum_simd
#: ``lanes_power2_sum(P, k0, w, i0, i1, out, o)``: the same over the squared magnitudes of the
#: complex lanes of ``fft_block.rfft_lanes_spectra``'s layout (the mel projection of a power
#: spectrogram without a separate power pass)
lanes_power2_sum = _lanes_power2_sum_indexed if CHECKED else _lanes_power2_sum_simd
