"""Explicit SIMD helpers for the CPU kernels: an in-register transpose of a square tile.

LLVM vectorises the FFT passes by itself once it knows the buffers do not alias
(``dsp_kernels.config.noalias_jit``), but it cannot turn a transpose between "rows" (frames) and
"lanes" (the blocked FFT's layout) into shuffles: from scalar code it emits one load and one
store per element. :func:`transpose_tile` loads ``W`` vectors, transposes them with
``log2(W)`` rounds of two-source shuffles and stores ``W`` vectors, where ``W`` is the number of
values in one 64-byte vector (16 float32 or 8 float64). On a machine without AVX-512 LLVM splits
each vector into two or four narrower ones; the code stays correct.

The intrinsics do no bounds checking: the caller guarantees that every row it touches,
``[s0 + i*sstride, s0 + i*sstride + W)`` in ``src`` and ``[d0 + i*dstride, ... + W)`` in ``dst``
for ``i < W``, lies inside the array.

Checked mode: when Numba's bounds checking is on (``NUMBA_BOUNDSCHECK=1`` at import, see
:data:`CHECKED`), the public names :func:`transpose_tile`, :func:`transpose_pairs`,
:func:`frames_to_lanes` and :func:`frames_to_lanes_split` are plain indexed implementations of
the same contracts that check every index (negative ones included) and raise ``IndexError``;
the boundscheck pass of the test suite (``tests/test_boundscheck.py``) runs the kernels
through them.
"""
from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

#: True when Numba checks array bounds, or runs Python without JIT (NUMBA_DISABLE_JIT=1, where an
#: intrinsic cannot run): the intrinsics are replaced by checked indexed loops
CHECKED = bool(numba.config.BOUNDSCHECK) or bool(numba.config.DISABLE_JIT)

from dsp_kernels.config import inner_jit, jit

#: bytes in one SIMD vector (AVX-512); narrower machines split it
VECTOR_BYTES = 64


def lanes_for(dtype) -> int:
    """Values per 64-byte vector: 16 for float32, 8 for float64."""
    return VECTOR_BYTES // np.dtype(dtype).itemsize


def _masks(width: int, h: int) -> tuple[list[int], list[int]]:
    """Shuffle masks of the round that swaps bit ``h`` of the row index with bit ``h`` of the
    column index (rows ``i`` and ``i + h``: lanes 0..W-1 are ``a``, W..2W-1 are ``b``)."""
    lo, hi = [], []
    for c in range(width):
        base = (c // (2 * h)) * 2 * h
        off = c - base
        if off < h:
            lo.append(base + off)
            hi.append(base + h + off)
        else:
            lo.append(width + base + off - h)
            hi.append(width + base + off)
    return lo, hi


def _tile_types_ok(src, s0, sstride, dst, d0, dstride) -> bool:
    return (
        isinstance(src, types.Array) and isinstance(dst, types.Array)
        and src.ndim == 1 and dst.ndim == 1 and src.dtype == dst.dtype
        and src.layout == 'C' and dst.layout == 'C'  # the pointer is indexed with stride 1
        and src.dtype in (types.float32, types.float64)
        and all(isinstance(t, types.Integer) for t in (s0, sstride, d0, dstride))
    )


def _pair_rows(builder, data, s0, pstride, odd, width, vty, align):
    """Load ``width`` vectors, row ``r`` from element ``s0 + (r // 2) pstride + (r % 2) odd`` of
    ``data`` (intp values): the interleaved layout with ``pstride = 2 W, odd = W`` (row r at
    ``s0 + r W``), or real and imaginary parts in two halves ``odd`` apart (``pstride = W``)."""
    intp = s0.type
    rows = []
    for r in range(width):
        idx = builder.add(s0, builder.mul(pstride, ir.Constant(intp, r // 2)))
        if r % 2:
            idx = builder.add(idx, odd)
        rows.append(builder.load(builder.bitcast(builder.gep(data, [idx]), vty.as_pointer()),
                                 align=align))
    return rows


def _tile_transpose_ir(context, builder, signature, args, width, pstride, odd):
    """The body of both tile transposes: ``args`` are ``(src, s0, ..., dst, d0, dstride)`` (the
    destination's three last), ``pstride`` and ``odd`` intp values."""
    at = signature.args
    n = len(args)
    cast = lambda k: context.cast(builder, args[k], at[k], types.intp)  # noqa: E731
    vty = ir.VectorType(context.get_value_type(at[0].dtype), width)
    align = at[0].dtype.bitwidth // 8
    src_data = context.make_array(at[0])(context, builder, args[0]).data
    dst_data = context.make_array(at[n - 3])(context, builder, args[n - 3]).data
    rows = _pair_rows(builder, src_data, cast(1), pstride, odd, width, vty, align)
    rows = _transpose(builder, rows, width)
    d0, dstride = cast(n - 2), cast(n - 1)
    for c in range(width):
        idx = builder.add(d0, builder.mul(dstride, ir.Constant(d0.type, c)))
        builder.store(rows[c], builder.bitcast(builder.gep(dst_data, [idx]), vty.as_pointer()),
                      align=align)
    return context.get_dummy_value()


@intrinsic
def _transpose_tile_simd(typingctx, src, s0, sstride, dst, d0, dstride):
    """``dst[d0 + c*dstride + r] = src[s0 + r*sstride + c]`` for ``r, c < W``.

    ``src`` and ``dst`` are C-contiguous 1-D arrays of one float dtype; the offsets and strides
    are in elements. ``W = lanes_for(dtype)``. :func:`transpose_pairs` with ``pstride =
    2 sstride`` and ``odd = sstride``.
    """
    if not _tile_types_ok(src, s0, sstride, dst, d0, dstride):
        return None
    width = 16 if src.dtype == types.float32 else 8

    def codegen(context, builder, signature, args):
        ss = context.cast(builder, args[2], signature.args[2], types.intp)
        return _tile_transpose_ir(context, builder, signature, args, width, builder.add(ss, ss), ss)

    return types.void(src, s0, sstride, dst, d0, dstride), codegen


def _pairs_types_ok(src, s0, pstride, odd, dst, d0, dstride) -> bool:
    return _tile_types_ok(src, s0, pstride, dst, d0, dstride) and isinstance(odd, types.Integer)


@intrinsic
def _transpose_pairs_simd(typingctx, src, s0, pstride, odd, dst, d0, dstride):
    """``dst[d0 + c*dstride + r] = src[s0 + (r // 2)*pstride + (r % 2)*odd + c]`` for
    ``r, c < W``: :func:`transpose_tile` of a tile whose rows alternate between two runs (the
    real and the imaginary parts of a spectrum kept in two halves, ``pstride = W``)."""
    if not _pairs_types_ok(src, s0, pstride, odd, dst, d0, dstride):
        return None
    width = 16 if src.dtype == types.float32 else 8

    def codegen(context, builder, signature, args):
        ps, od = (context.cast(builder, args[k], signature.args[k], types.intp) for k in (2, 3))
        return _tile_transpose_ir(context, builder, signature, args, width, ps, od)

    return types.void(src, s0, pstride, odd, dst, d0, dstride), codegen


def _transpose_pairs_checked(src, s0, pstride, odd, dst, d0, dstride):
    """The indexed, checked contract of :func:`_transpose_pairs_simd` and
    :func:`_transpose_tile_simd` (plain Python; compiled by the overloads below for jitted
    callers, run as is under ``NUMBA_DISABLE_JIT=1``)."""
    w = 64 // src.itemsize
    tile = np.empty((w, w), dtype=src.dtype)  # loaded first, as the intrinsic does
    for r in range(w):
        for c in range(w):
            i = s0 + (r // 2) * pstride + (r % 2) * odd + c
            if i < 0 or i >= src.shape[0]:
                raise IndexError("tile transpose: a source index lies outside src")
            tile[r, c] = src[i]
    for c in range(w):
        for r in range(w):
            o = d0 + c * dstride + r
            if o < 0 or o >= dst.shape[0]:
                raise IndexError("tile transpose: a destination index lies outside dst")
            dst[o] = tile[r, c]


def _transpose_pairs_indexed(src, s0, pstride, odd, dst, d0, dstride):
    """The checked twin of :func:`_transpose_pairs_simd`."""
    return _transpose_pairs_checked(src, s0, pstride, odd, dst, d0, dstride)


@overload(_transpose_pairs_indexed)
def _transpose_pairs_indexed_impl(src, s0, pstride, odd, dst, d0, dstride):
    if not _pairs_types_ok(src, s0, pstride, odd, dst, d0, dstride):
        return None
    return _transpose_pairs_checked


def _transpose_tile_indexed(src, s0, sstride, dst, d0, dstride):
    """The checked twin of :func:`_transpose_tile_simd`."""
    return _transpose_pairs_indexed(src, s0, 2 * sstride, sstride, dst, d0, dstride)


@overload(_transpose_tile_indexed)
def _transpose_tile_indexed_impl(src, s0, sstride, dst, d0, dstride):
    if not _tile_types_ok(src, s0, sstride, dst, d0, dstride):
        return None
    return _transpose_tile_indexed


#: ``transpose_tile(src, s0, sstride, dst, d0, dstride)``: the in-register tile transpose, or its
#: checked indexed twin in :data:`CHECKED` mode
transpose_tile = _transpose_tile_indexed if CHECKED else _transpose_tile_simd
#: ``transpose_pairs(src, s0, pstride, odd, dst, d0, dstride)``: a tile transpose whose source
#: rows alternate between two runs, or its checked indexed twin in :data:`CHECKED` mode
transpose_pairs = _transpose_pairs_indexed if CHECKED else _transpose_pairs_simd


@inner_jit
def pair_at(i, ps, uo):
    """Where value ``i`` of lane 0 lies in lanes laid out as :func:`transpose_pairs` reads them:
    ``(i // 2) ps + (i % 2) uo`` (unsigned: ``ps`` and ``uo`` are ``numba.uint64``)."""
    return numba.uint64(i // 2) * ps + numba.uint64(i % 2) * uo


@jit
def transpose_tile_checked(src, s0, sstride, dst, d0, dstride):
    """:func:`transpose_tile` after checking that every row touched lies inside the arrays
    (for tests and for callers whose geometry is not proven elsewhere)."""
    w = 64 // src.itemsize
    last_src = s0 + (w - 1) * sstride if sstride >= 0 else s0
    first_src = s0 if sstride >= 0 else s0 + (w - 1) * sstride
    last_dst = d0 + (w - 1) * dstride if dstride >= 0 else d0
    first_dst = d0 if dstride >= 0 else d0 + (w - 1) * dstride
    if first_src < 0 or last_src + w > src.shape[0] or first_dst < 0 or last_dst + w > dst.shape[0]:
        raise IndexError("transpose_tile: a row lies outside its array")
    transpose_tile(src, s0, sstride, dst, d0, dstride)


def _lanes_types_ok(src, s0, sstride, window, j0, dst0, dst1, d0) -> bool:
    # float32 samples under a float64 window are widened on the way (exactly)
    return (
        all(isinstance(a, types.Array) and a.ndim == 1 and a.layout == 'C'
            for a in (src, window, dst0, dst1))
        and window.dtype == dst0.dtype == dst1.dtype
        and window.dtype in (types.float32, types.float64)
        and (src.dtype == window.dtype or (src.dtype == types.float32 and window.dtype == types.float64))
        and all(isinstance(t, types.Integer) for t in (s0, sstride, j0, d0))
    )


def _frames_to_lanes_factory(split: bool):
    @intrinsic
    def frames_to_lanes(typingctx, src, s0, sstride, window, j0, dst0, dst1, d0):
        if not _lanes_types_ok(src, s0, sstride, window, j0, dst0, dst1, d0):
            return None
        width = 16 if window.dtype == types.float32 else 8
        sig = types.void(src, s0, sstride, window, j0, dst0, dst1, d0)

        def codegen(context, builder, signature, args):
            src_v, s0_v, ss_v, win_v, j0_v, dst0_v, dst1_v, d0_v = args
            at = signature.args
            intp = context.get_value_type(types.intp)
            s0_i = context.cast(builder, s0_v, at[1], types.intp)
            ss_i = context.cast(builder, ss_v, at[2], types.intp)
            j0_i = context.cast(builder, j0_v, at[4], types.intp)
            d0_i = context.cast(builder, d0_v, at[7], types.intp)
            data = [context.make_array(at[k])(context, builder, args[k]).data for k in (0, 3, 5, 6)]
            src_d, win_d, dst0_d, dst1_d = data
            fty = context.get_value_type(at[3].dtype)
            vty = ir.VectorType(fty, width)
            align = at[3].dtype.bitwidth // 8
            sty = ir.VectorType(context.get_value_type(at[0].dtype), width)
            base = builder.add(s0_i, j0_i)
            rows = []
            for r in range(width):
                idx = builder.add(base, builder.mul(ss_i, ir.Constant(intp, r)))
                ptr = builder.bitcast(builder.gep(src_d, [idx]), sty.as_pointer())
                row = builder.load(ptr, align=at[0].dtype.bitwidth // 8)
                rows.append(row if sty == vty else builder.fpext(row, vty))
            rows = _transpose(builder, rows, width)
            wptr = builder.bitcast(builder.gep(win_d, [j0_i]), vty.as_pointer())
            wvec = builder.load(wptr, align=align)
            zeros = ir.Constant(ir.VectorType(ir.IntType(32), width), [0] * width)
            for c in range(width):
                g = builder.extract_element(wvec, ir.Constant(ir.IntType(32), c))
                gv = builder.shuffle_vector(
                    builder.insert_element(ir.Constant(vty, ir.Undefined), g,
                                           ir.Constant(ir.IntType(32), 0)),
                    ir.Constant(vty, ir.Undefined), zeros)
                v = builder.fmul(rows[c], gv)
                if split:
                    dst, k = (dst0_d, c // 2) if c % 2 == 0 else (dst1_d, c // 2)
                else:
                    dst, k = dst0_d, c
                idx = builder.add(d0_i, ir.Constant(intp, k * width))
                ptr = builder.bitcast(builder.gep(dst, [idx]), vty.as_pointer())
                builder.store(v, ptr, align=align)
            return context.get_dummy_value()

        return sig, codegen

    return frames_to_lanes


def _transpose(builder, rows, width):
    """The W x W transpose of W vectors: log2(W) rounds, each swapping one bit of the row index
    with the same bit of the column index."""
    h = width // 2
    while h >= 1:
        lo, hi = _masks(width, h)
        mlo = ir.Constant(ir.VectorType(ir.IntType(32), width), lo)
        mhi = ir.Constant(ir.VectorType(ir.IntType(32), width), hi)
        new = list(rows)
        for r in range(width):
            if r & h:
                continue
            new[r] = builder.shuffle_vector(rows[r], rows[r + h], mlo)
            new[r + h] = builder.shuffle_vector(rows[r], rows[r + h], mhi)
        rows = new
        h //= 2
    return rows


def _indexed_lanes_factory(split: bool):
    """The checked twin of ``_frames_to_lanes_factory(split)`` (jitted callers only)."""
    def checked(src, s0, sstride, window, j0, dst0, dst1, d0):
        """Plain Python: compiled by the overload for jitted callers, run as is without JIT."""
        w = 64 // window.itemsize
        for c in range(w):
            jw = j0 + c
            if jw < 0 or jw >= window.shape[0]:
                raise IndexError("frames_to_lanes: a window index lies outside window")
            k = c // 2 if split else c
            for r in range(w):
                i = s0 + j0 + r * sstride + c
                if i < 0 or i >= src.shape[0]:
                    raise IndexError("frames_to_lanes: a source index lies outside src")
                o = d0 + k * w + r
                v = src[i] * window[jw]
                if split and c % 2 == 1:
                    if o < 0 or o >= dst1.shape[0]:
                        raise IndexError("frames_to_lanes: an index lies outside dst1")
                    dst1[o] = v
                else:
                    if o < 0 or o >= dst0.shape[0]:
                        raise IndexError("frames_to_lanes: an index lies outside dst0")
                    dst0[o] = v

    def frames_to_lanes_indexed(src, s0, sstride, window, j0, dst0, dst1, d0):
        return checked(src, s0, sstride, window, j0, dst0, dst1, d0)

    @overload(frames_to_lanes_indexed)
    def _impl(src, s0, sstride, window, j0, dst0, dst1, d0):
        if not _lanes_types_ok(src, s0, sstride, window, j0, dst0, dst1, d0):
            return None
        return checked

    return frames_to_lanes_indexed


#: ``frames_to_lanes_split(src, s0, sstride, window, j0, dst0, dst1, d0)``: samples ``j0 + c``
#: (``c < W``) of the W frames ``src[s0 + r*sstride + ...]``, times ``window[j0 + c]``, stored as
#: lane vectors: even ``c`` at ``dst0[d0 + (c//2) W]``, odd ``c`` at ``dst1[d0 + (c//2) W]`` (the
#: pairs of samples of a real FFT's half-length complex input). ``j0`` must be even. ``W`` and
#: the arithmetic are the window's dtype; float32 samples under a float64 window are widened
#: first (exact). No bounds checks: the caller guarantees the ranges (the :data:`CHECKED` twin
#: checks them).
frames_to_lanes_split = _indexed_lanes_factory(True) if CHECKED else _frames_to_lanes_factory(True)
#: the same with every sample to ``dst0[d0 + c W]`` (``dst1`` unused): odd-length real FFTs.
frames_to_lanes = _indexed_lanes_factory(False) if CHECKED else _frames_to_lanes_factory(False)
