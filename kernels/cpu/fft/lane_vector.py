"""One 64-byte vector of a block's lanes as a Numba value: explicit loads, stores and arithmetic.

A blocked FFT (:mod:`dsp_kernels.cpu.fft.block`) keeps ``W`` transforms side by side, value ``i``
of lane ``l`` at ``i W + l``, with ``W`` the values in one 64-byte vector (16 float32, 8
float64: :func:`dsp_kernels.cpu.fft.simd.lanes_for`). A butterfly over all lanes is then one
vector per operand. Written as a loop over ``l < W``, LLVM vectorises it, but each of the loop's
trips is the whole loop: the vectoriser's set-up (twiddles broadcast and spilled, one base
pointer per array view reloaded from the stack, the checks for a remainder) ran once per
butterfly. The fused last pass (:mod:`~dsp_kernels.cpu.fft.last_post`, 16 loads and 16 stores a
butterfly pair) spent more time there than in its arithmetic: 4.8 us a block of 16 frames of
2048 points against 3.0 us written with the vectors here, bit for bit the same (2-core Zen 4,
stop 53). A constant ``W`` does not help: LLVM then unrolls the lane loop and leaves it scalar
(``block.block_lanes``).

Here a vector is a value of its own Numba type, :class:`LaneVector` (an LLVM ``<W x float>``):
:func:`load` and :func:`store` move one between an array and registers, and ``+``, ``-``, ``*``
and unary ``-`` work on vectors and on a vector with a scalar (the scalar is broadcast). The
arithmetic carries the kernels' fastmath flags (:data:`dsp_kernels.config.FASTMATH`), so code
written for scalars (``butterflies.dft4_values``, ``last_post.split_bin``) compiles unchanged for
vectors and gives what LLVM's own vectorisation of it gave. A scalar operand takes the
vector's dtype: integers and float32 with either dtype, float64 with float64 vectors only (a
float64 scalar with float32 vectors is refused at compile time, as it would silently narrow).

On a machine without AVX-512 LLVM splits each vector into two or four narrower ones; the code
stays correct.

Checked mode (:data:`dsp_kernels.cpu.fft.simd.CHECKED`: ``NUMBA_BOUNDSCHECK=1`` or
``NUMBA_DISABLE_JIT=1``): :func:`load` and :func:`store` check that ``[i, i + W)`` lies inside
the array and raise ``IndexError`` if not; without it the caller guarantees that range. Under
``NUMBA_DISABLE_JIT=1`` a vector is a NumPy array of ``W`` values.

njit API
--------
``load(arr, i)``
    ``arr[i:i + W]`` as a vector (``arr`` 1-D, C-contiguous, float32 or float64; ``i`` an
    integer).
``store(arr, i, v)``
    ``arr[i:i + W] = v`` (``v`` a vector, or a scalar stored to every lane).

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.config import jit
>>> from dsp_kernels.cpu.fft.lane_vector import load, store
>>> @jit
... def axpy(a, x, y):
...     for i in range(0, x.shape[0], 16):
...         store(y, i, load(x, i) * a + load(y, i))
>>> x = np.arange(32, dtype=np.float32)
>>> y = np.ones(32, dtype=np.float32)
>>> axpy(np.float32(2.0), x, y)
>>> bool(np.array_equal(y, 2 * np.arange(32, dtype=np.float32) + 1))
True
"""
from __future__ import annotations

import operator

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, models, overload, register_model

from dsp_kernels.config import FASTMATH
from dsp_kernels.cpu.fft.simd import CHECKED, VECTOR_BYTES

#: LLVM's names of the kernels' fastmath flags, set on every vector instruction
_FLAGS = tuple(sorted(FASTMATH))


class LaneVector(types.Type):
    """The Numba type of one 64-byte vector of ``dtype`` values (float32 or float64)."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.width = VECTOR_BYTES // (dtype.bitwidth // 8)
        super().__init__(name=f"LaneVector({dtype} x {self.width})")


@register_model(LaneVector)
class _LaneVectorModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        element = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.VectorType(element, fe_type.width))


def _array_ok(arr, i) -> bool:
    return (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"
            and arr.dtype in (types.float32, types.float64) and isinstance(i, types.Integer))


def _pointer(context, builder, arr_type, arr, i_type, i, vector_type):
    """The address of ``arr[i]`` as a pointer to ``vector_type``."""
    data = context.make_array(arr_type)(context, builder, arr).data
    index = context.cast(builder, i, i_type, types.intp)
    return builder.bitcast(builder.gep(data, [index]), vector_type.as_pointer())


@intrinsic
def _load_simd(typingctx, arr, i):
    if not _array_ok(arr, i):
        return None
    vt = LaneVector(arr.dtype)

    def codegen(context, builder, signature, args):
        lt = context.get_value_type(vt)
        ptr = _pointer(context, builder, signature.args[0], args[0], signature.args[1], args[1], lt)
        return builder.load(ptr, align=vt.dtype.bitwidth // 8)

    return vt(arr, i), codegen


def _storable(arr, i, v) -> bool:
    """Whether ``v`` may be stored to ``arr``: a vector of its dtype, or a scalar that fits."""
    if not _array_ok(arr, i):
        return False
    vt = LaneVector(arr.dtype)
    return v == vt or (not isinstance(v, LaneVector) and _scalar_ok(v, vt))


@intrinsic
def _store_simd(typingctx, arr, i, v):
    if not _storable(arr, i, v):
        return None
    vt = LaneVector(arr.dtype)

    def codegen(context, builder, signature, args):
        value = _operand(context, builder, args[2], signature.args[2], vt)
        ptr = _pointer(context, builder, signature.args[0], args[0], signature.args[1], args[1],
                       value.type)
        builder.store(value, ptr, align=arr.dtype.bitwidth // 8)
        return context.get_dummy_value()

    return types.void(arr, i, v), codegen


def _check_range(arr, i, what):
    w = VECTOR_BYTES // arr.itemsize
    if i < 0 or i + w > arr.shape[0]:
        raise IndexError(f"lane vector {what}: values [i, i + W) lie outside the array")


def _load_checked(arr, i):
    """:func:`load` in checked mode (plain Python under ``NUMBA_DISABLE_JIT=1``)."""
    _check_range(arr, i, "load")
    return arr[i:i + VECTOR_BYTES // arr.itemsize].copy()


def _store_checked(arr, i, v):
    """:func:`store` in checked mode (plain Python under ``NUMBA_DISABLE_JIT=1``)."""
    _check_range(arr, i, "store")
    arr[i:i + VECTOR_BYTES // arr.itemsize] = v


@overload(_load_checked)
def _load_checked_impl(arr, i):
    if not _array_ok(arr, i):
        return None
    w = VECTOR_BYTES // (arr.dtype.bitwidth // 8)

    def impl(arr, i):
        j = np.int64(i)  # an unsigned index below zero wraps to a huge one: caught as too large
        if j < 0 or j + w > arr.shape[0]:
            raise IndexError("lane vector load: values [i, i + W) lie outside the array")
        return _load_simd(arr, i)

    return impl


@overload(_store_checked)
def _store_checked_impl(arr, i, v):
    if not _storable(arr, i, v):
        return None
    w = VECTOR_BYTES // (arr.dtype.bitwidth // 8)

    def impl(arr, i, v):
        j = np.int64(i)
        if j < 0 or j + w > arr.shape[0]:
            raise IndexError("lane vector store: values [i, i + W) lie outside the array")
        _store_simd(arr, i, v)

    return impl


#: ``load(arr, i)``: ``arr[i:i + W]`` as a :class:`LaneVector`
load = _load_checked if CHECKED else _load_simd
#: ``store(arr, i, v)``: ``arr[i:i + W] = v`` (a vector, or a scalar to every lane)
store = _store_checked if CHECKED else _store_simd


def _scalar_ok(scalar, vt) -> bool:
    """Whether a scalar of Numba type ``scalar`` may meet vectors of ``vt`` (no narrowing)."""
    if isinstance(scalar, types.Integer):
        return True
    return isinstance(scalar, types.Float) and scalar.bitwidth <= vt.dtype.bitwidth


def _operand(context, builder, value, ty, vt):
    """``value`` as a vector of ``vt``: itself, or a scalar broadcast to every lane."""
    if isinstance(ty, LaneVector):
        return value
    lt = context.get_value_type(vt)
    scalar = context.cast(builder, value, ty, vt.dtype)
    lane0 = ir.Constant(ir.IntType(32), 0)
    first = builder.insert_element(ir.Constant(lt, ir.Undefined), scalar, lane0)
    zeros = ir.Constant(ir.VectorType(ir.IntType(32), vt.width), [0] * vt.width)
    return builder.shuffle_vector(first, ir.Constant(lt, ir.Undefined), zeros)


def _binary(instruction):
    """An intrinsic applying the LLVM float ``instruction`` to two vectors, or a vector and a
    scalar in either order."""

    @intrinsic
    def apply(typingctx, a, b):
        vt = a if isinstance(a, LaneVector) else b
        if not isinstance(vt, LaneVector):
            return None
        for t in (a, b):
            if t != vt and not _scalar_ok(t, vt):
                return None

        def codegen(context, builder, signature, args):
            x = _operand(context, builder, args[0], signature.args[0], vt)
            y = _operand(context, builder, args[1], signature.args[1], vt)
            return getattr(builder, instruction)(x, y, flags=_FLAGS)

        return vt(a, b), codegen

    return apply


_add = _binary("fadd")
_sub = _binary("fsub")
_mul = _binary("fmul")


@intrinsic
def _neg(typingctx, a):
    if not isinstance(a, LaneVector):
        return None

    def codegen(context, builder, signature, args):
        return builder.fneg(args[0], flags=_FLAGS)

    return a(a), codegen


def _any_vector(*tys) -> bool:
    return any(isinstance(t, LaneVector) for t in tys)


@overload(operator.add)
def _add_impl(a, b):
    if _any_vector(a, b):
        return lambda a, b: _add(a, b)


@overload(operator.sub)
def _sub_impl(a, b):
    if _any_vector(a, b):
        return lambda a, b: _sub(a, b)


@overload(operator.mul)
def _mul_impl(a, b):
    if _any_vector(a, b):
        return lambda a, b: _mul(a, b)


@overload(operator.neg)
def _neg_impl(a):
    if _any_vector(a):
        return lambda a: _neg(a)
