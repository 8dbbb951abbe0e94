"""Streaming (non-temporal) stores of a block's lanes into rows: for outputs far larger than the
caches, such as a long signal's STFT.

Why: a plain store to a line that is not in cache first reads the line (read for ownership), so
writing the 20 MB spectrogram of 60 s of audio moves 40 MB, a copy's worth of traffic, and the
stft kernel waited on it: 2.06-2.10 ms with its stores against 1.24-1.39 ms without, beside
1.18 ms for one copy of the output (2-core Zen 4, two threads, stop 39). A non-temporal store
writes whole lines without reading them and leaves them out of the cache.

The catch is alignment: a non-temporal vector store must cover one whole 64-byte line, aligned.
A frame's row of ``n_fft + 2`` floats starts anywhere within a line (rows of 2050 float32 are
8200 bytes: each starts 8 bytes further into its line than the last), while the in-register
transpose (:func:`dsp_kernels.cpu.fft.simd.transpose_tile`) yields each row's values from a
multiple of ``W`` on. So each row's ``W``-value pieces are shifted to the row's line grid: the
aligned vector at row position ``j = h + k W`` (``h`` values of the row precede its first line
boundary) is the last ``W - h`` values of the tile that holds ``j`` followed by the first ``h``
of the next one (:func:`stream_tile`: a constant two-source shuffle chosen by a switch on ``h``,
one switch per row, so that within a block each always takes the same branch). Where rows
follow one another in memory (the stft's frames), the line in which one row ends and the next
begins is assembled in scratch and streamed whole as well (:func:`stream_vector`); only lines
shared with another block, or with a gap between rows, go by plain stores, and no line is
written by both kinds of store.

:func:`stream_lanes` is :func:`dsp_kernels.cpu.fft.block.store_pairs` for full blocks with this
store; it ends with a sequentially consistent fence (a locked instruction on x86, ``dmb`` on
ARM), which orders the weakly ordered non-temporal stores before whatever reads the output next.
On a machine without AVX-512 LLVM splits the vectors and the stores stay non-temporal where the
target has such stores.

Checked mode (:data:`dsp_kernels.cpu.fft.simd.CHECKED`): :func:`stream_tile` and
:func:`stream_vector` are indexed loops that check every index (and that each line store
starts a line) and :func:`store_fence` does nothing.
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

from dsp_kernels.config import inner_jit
from dsp_kernels.cpu.fft.passes import u64
from dsp_kernels.cpu.fft.simd import CHECKED, _pair_rows, _transpose, pair_at, transpose_pairs

__all__ = ["STREAM_FROM", "PREV_LINES", "stream_lanes", "stream_fits", "stream_tile",
           "stream_vector", "store_fence"]

#: outputs of at least this many bytes are written by streaming stores (the stft, the batched
#: rfft). Measured with the stft (n_fft 2048, two threads, stop 39), plain -> streaming: 1 MB
#: 0.162 -> 0.146 ms, 2.7 MB 0.345 -> 0.301, 5 MB 0.534 -> 0.441, 20 MB 1.90-2.10 -> 1.60-1.77.
#: Below a few MB a plain store leaves the output in cache for the call that reads it next.
STREAM_FROM = 4 << 20
#: lines of ``W`` values :func:`stream_lanes` needs in its scratch ``prev``: ``W + 1`` rows of
#: fewer than ``3 W`` values (a row's end after its tiles, the next row's first tile), W <= 16
PREV_LINES = 51


def _stream_types_ok(P, s0, prev, shifts, dst, starts, off, pstride, odd) -> bool:
    return (
        all(isinstance(a, types.Array) and a.ndim == 1 and a.layout == 'C'
            for a in (P, prev, shifts, dst, starts))
        and P.dtype == prev.dtype == dst.dtype and P.dtype in (types.float32, types.float64)
        and isinstance(shifts.dtype, types.Integer) and isinstance(starts.dtype, types.Integer)
        and all(isinstance(t, types.Integer) for t in (s0, off, pstride, odd))
    )


def _nontemporal(builder, store):
    """Mark an LLVM store non-temporal (x86: ``vmovntps``/``vmovntpd``; it must write a whole
    aligned line)."""
    store.set_metadata("nontemporal", builder.module.add_metadata([ir.Constant(ir.IntType(32), 1)]))


@intrinsic
def _stream_tile_simd(typingctx, P, s0, prev, shifts, dst, starts, off, pstride, odd):
    """One tile of ``W`` lanes by ``W`` values: transposed in registers, each row ``c`` shifted
    onto its line grid and stored by one non-temporal vector store::

        row_c = prev[c W : c W + W] ++ [P[a(r) + c] for r < W]   (the tile's values of lane c)
        dst[starts[c] + off + l] = row_c[shifts[c] + l]          for l < W

    with ``a(r) = s0 + (r // 2) pstride + (r % 2) odd`` (``pstride = 2 W``, ``odd = W``: the
    lanes' rows one after another, ``a(r) = s0 + r W``; ``pstride = W`` and ``odd`` the offset
    of the imaginary parts: a spectrum kept as real and imaginary halves), then
    ``prev[c W : c W + W]`` = the tile's values of lane c (the next tile's ``prev``).
    ``dst``'s elements ``starts[c] + off`` must start 64-byte lines and ``0 <= shifts[c] < W``;
    nothing is checked. Each row has its own switch on its shift, so within a block (where
    the shifts are fixed) every branch goes the same way each time."""
    if not _stream_types_ok(P, s0, prev, shifts, dst, starts, off, pstride, odd):
        return None
    width = 16 if P.dtype == types.float32 else 8
    sig = types.void(P, s0, prev, shifts, dst, starts, off, pstride, odd)

    def codegen(context, builder, signature, args):
        P_v, s0_v, prev_v, sh_v, dst_v, st_v, off_v, ps_v, odd_v = args
        at = signature.args
        intp = context.get_value_type(types.intp)
        cast = lambda v, ty: context.cast(builder, v, ty, types.intp)  # noqa: E731
        s0_i, off_i = cast(s0_v, at[1]), cast(off_v, at[6])
        data = {k: context.make_array(at[i])(context, builder, v).data
                for k, i, v in (("P", 0, P_v), ("prev", 2, prev_v), ("sh", 3, sh_v), ("dst", 4, dst_v),
                                ("st", 5, st_v))}
        vty = ir.VectorType(context.get_value_type(at[0].dtype), width)
        align = at[0].dtype.bitwidth // 8

        def vec_ptr(base, idx):
            return builder.bitcast(builder.gep(base, [idx]), vty.as_pointer())

        ps_i, odd_i = cast(ps_v, at[7]), cast(odd_v, at[8])
        rows = _pair_rows(builder, data["P"], s0_i, ps_i, odd_i, width, vty, align)
        rows = _transpose(builder, rows, width)
        for c in range(width):
            k = ir.Constant(intp, c)
            shift = cast(builder.load(builder.gep(data["sh"], [k])), at[3].dtype)
            start = cast(builder.load(builder.gep(data["st"], [k])), at[5].dtype)
            lo = builder.load(vec_ptr(data["prev"], ir.Constant(intp, c * width)), align=align)
            out_ptr = vec_ptr(data["dst"], builder.add(start, off_i))
            done = builder.append_basic_block(f"row{c}.done")
            # one case per shift: shufflevector needs a constant mask (valignd on AVX-512)
            switch = builder.switch(shift, done)
            for s in range(width):
                case = builder.append_basic_block(f"row{c}.shift{s}")
                switch.add_case(ir.Constant(intp, s), case)
                builder.position_at_end(case)
                mask = ir.Constant(ir.VectorType(ir.IntType(32), width), list(range(s, s + width)))
                line = builder.shuffle_vector(lo, rows[c], mask)
                _nontemporal(builder, builder.store(line, out_ptr, align=64))
                builder.branch(done)
            builder.position_at_end(done)
            builder.store(rows[c], vec_ptr(data["prev"], ir.Constant(intp, c * width)), align=align)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _store_fence_simd(typingctx):
    """A sequentially consistent fence (LLVM lowers it to a locked instruction on x86, ``dmb
    ish`` on ARM), which also orders the weakly ordered non-temporal stores before it."""
    def codegen(context, builder, signature, args):
        builder.fence("seq_cst")
        return context.get_dummy_value()

    return types.void(), codegen


def _vector_types_ok(src, s0, dst, d0) -> bool:
    return (
        all(isinstance(a, types.Array) and a.ndim == 1 and a.layout == 'C' for a in (src, dst))
        and src.dtype == dst.dtype and src.dtype in (types.float32, types.float64)
        and isinstance(s0, types.Integer) and isinstance(d0, types.Integer)
    )


@intrinsic
def _stream_vector_simd(typingctx, src, s0, dst, d0):
    """``dst[d0:d0 + W] = src[s0:s0 + W]`` by one non-temporal store: ``dst[d0]`` starts a
    line, ``src`` may be read at any offset (the line where one row ends and the next begins,
    a run of :func:`stream_lanes`'s scratch)."""
    if not _vector_types_ok(src, s0, dst, d0):
        return None
    width = 64 // (src.dtype.bitwidth // 8)

    def codegen(context, builder, signature, args):
        src_v, s0_v, dst_v, d0_v = args
        at = signature.args
        vty = ir.VectorType(context.get_value_type(at[0].dtype), width)

        def vec_ptr(ary, i, idx):
            data = context.make_array(at[i])(context, builder, ary).data
            at_idx = context.cast(builder, idx, at[i + 1], types.intp)
            return builder.bitcast(builder.gep(data, [at_idx]), vty.as_pointer())

        v = builder.load(vec_ptr(src_v, 0, s0_v), align=at[0].dtype.bitwidth // 8)
        _nontemporal(builder, builder.store(v, vec_ptr(dst_v, 2, d0_v), align=64))
        return context.get_dummy_value()

    return types.void(src, s0, dst, d0), codegen


def _stream_vector_checked(src, s0, dst, d0):
    """The indexed, checked contract of :func:`_stream_vector_simd` (plain Python; compiled by
    the overload below for jitted callers)."""
    w = 64 // src.itemsize
    if s0 < 0 or s0 + w > src.shape[0] or d0 < 0 or d0 + w > dst.shape[0]:
        raise IndexError("stream_vector: the line lies outside src or dst")
    if (dst.ctypes.data + d0 * dst.itemsize) % 64 != 0:  # the store would fault
        raise IndexError("stream_vector: the destination does not start a 64-byte line")
    for k in range(w):
        dst[d0 + k] = src[s0 + k]


def _stream_vector_indexed(src, s0, dst, d0):
    return _stream_vector_checked(src, s0, dst, d0)


@overload(_stream_vector_indexed)
def _stream_vector_indexed_impl(src, s0, dst, d0):
    if not _vector_types_ok(src, s0, dst, d0):
        return None
    return _stream_vector_checked


def _stream_tile_checked(P, s0, prev, shifts, dst, starts, off, pstride, odd):
    """The indexed, checked contract of :func:`_stream_tile_simd` (plain Python; compiled by the
    overload below for jitted callers)."""
    w = 64 // P.itemsize
    rows = [s0 + (r // 2) * pstride + (r % 2) * odd for r in range(w)]
    if min(rows) < 0 or max(rows) + w > P.shape[0]:
        raise IndexError("stream_tile: the tile lies outside P")
    if prev.shape[0] < w * w or shifts.shape[0] < w or starts.shape[0] < w:
        raise IndexError("stream_tile: prev, shifts or starts is too short")
    for c in range(w):
        shift = shifts[c]
        d0 = starts[c] + off
        if shift < 0 or shift >= w:
            raise IndexError("stream_tile: a shift lies outside 0 .. W - 1")
        if d0 < 0 or d0 + w > dst.shape[0]:
            raise IndexError("stream_tile: a row's destination lies outside dst")
        if (dst.ctypes.data + d0 * dst.itemsize) % 64 != 0:  # the store would fault
            raise IndexError("stream_tile: a row's destination does not start a 64-byte line")
        for lane in range(w):
            k = shift + lane
            dst[d0 + lane] = prev[c * w + k] if k < w else P[rows[k - w] + c]
        for r in range(w):
            prev[c * w + r] = P[rows[r] + c]


def _stream_tile_indexed(P, s0, prev, shifts, dst, starts, off, pstride, odd):
    return _stream_tile_checked(P, s0, prev, shifts, dst, starts, off, pstride, odd)


@overload(_stream_tile_indexed)
def _stream_tile_indexed_impl(P, s0, prev, shifts, dst, starts, off, pstride, odd):
    if not _stream_types_ok(P, s0, prev, shifts, dst, starts, off, pstride, odd):
        return None
    return _stream_tile_checked


def _no_fence():
    return None


@overload(_no_fence)
def _no_fence_impl():
    return lambda: None


#: ``stream_tile(P, s0, prev, shifts, dst, starts, off, pstride, odd)``: a tile transposed and
#: stored by
#: shifted non-temporal stores, or its checked indexed twin in :data:`CHECKED` mode
stream_tile = _stream_tile_indexed if CHECKED else _stream_tile_simd
#: ``store_fence()``: orders the non-temporal stores before it (nothing in :data:`CHECKED` mode)
store_fence = _no_fence if CHECKED else _store_fence_simd
#: ``stream_vector(src, s0, dst, d0)``: one line by a non-temporal store (checked twin in
#: :data:`CHECKED` mode)
stream_vector = _stream_vector_indexed if CHECKED else _stream_vector_simd


@inner_jit
def stream_fits(dst):
    """Whether :func:`stream_lanes` may store into ``dst``: its elements are aligned to their
    size, so that some element of each row starts a 64-byte line."""
    return dst.ctypes.data % dst.itemsize == 0


@inner_jit
def stream_lanes(P, pstride, odd, n_floats, dst, o0, ostride, prev, shifts, starts):
    """``dst[o0 + l*ostride + i] = P[p(i) + l]`` for ``i < n_floats`` and all ``W`` lanes, whole
    lines by non-temporal stores (module notes), with ``p(i) = (i // 2) pstride + (i % 2) odd``:
    ``pstride = 2 W, odd = W`` for lanes one after another (``p(i) = i W``, the layout of
    ``block.rfft_lanes_spectra``), ``pstride = W`` for real and imaginary parts in two halves
    ``odd`` apart, ``P`` the whole scratch row (``block_bins.rfft_lanes_bins``). Scratch:
    ``prev`` of :data:`PREV_LINES` ``W`` values, ``shifts`` and ``starts`` of ``W`` int64. The
    caller checks :func:`stream_fits` first, and as for ``block.store_pairs``: rows do not
    overlap (``ostride >= n_floats``), they lie inside ``dst``, and ``P`` holds ``n_floats``
    values per lane.

    Contiguous rows (``ostride == n_floats``: the stft's frames, the batched rfft's rows) share
    a line where one ends and the next begins. Those lines are stored whole too: the ends of
    the rows (from their last tile on) and the starts (their first tile) are transposed into
    ``prev``, each row's end followed by the next row's start, so that every such line is a
    contiguous run there. Only the block's first and last partial lines (none when the block
    starts on a line) go by plain stores, which first read their line from memory. Before,
    each row's head and tail went by plain stores, value by value: measured on the 2-core
    Intel machine, the store alone of the speech front end's blocks (60 s at 16 kHz, n_fft 400,
    two threads, both versions in one process, 200 alternating rounds) 0.62-0.63 -> 0.44-0.47
    ms, of n_fft 2048's 0.42 -> 0.39 ms; a fill of the same lines takes 0.30 ms."""
    W = 64 // P.itemsize
    ps = u64(pstride)
    uo = u64(odd)
    base = dst.ctypes.data // dst.itemsize  # dst's address in elements
    # every row stores the same number of whole lines: the most that all rows have and whose
    # second tile lies inside P (a row with more, or a short P, sends the rest to its tail)
    n_lines = P.shape[0] // (W * W) - 1
    for c in range(W):
        r0 = o0 + c * ostride
        h = (W - (base + r0) % W) % W  # values before the row's first line boundary
        shifts[c] = h
        starts[c] = r0 + h
        n_lines = max(0, min(n_lines, (n_floats - h) // W))
    # rows that follow one another with a whole line each: the lines where one ends and the next
    # begins are runs of prev's rows (below); fewer than 2 W values per row are left after its
    # tiles when P holds n_floats values per lane, as it must (n_lines is then at least
    # n_floats // W - 1); the test keeps within prev's bound (PREV_LINES) whatever P is
    E = n_floats - n_lines * W  # values of a row after its tiles
    S = E + W  # prev's row k: the end of row k - 1, then the start of row k
    joined = ostride == n_floats and n_lines > 0 and E < 2 * W
    if joined:
        # the ends' first W values (n_lines W is even: W is); when E < W, the last W - E of
        # them are past the row's end and land on the next row's start, which the starts'
        # transpose below then writes: it must come second
        transpose_pairs(P, (n_lines * W // 2) * pstride, pstride, odd, prev, S, S)
        for j in range(W, E):
            for c in range(W):
                prev[(c + 1) * S + j] = P[pair_at(n_lines * W + j, ps, uo) + u64(c)]
        transpose_pairs(P, 0, pstride, odd, prev, E, S)  # the starts
    for c in range(W):
        r0 = o0 + c * ostride
        h = shifts[c]
        # the head and the tail, plain stores (their lines are shared with the next rows)
        if not joined or c == 0:
            for i in range(min(h, n_floats)):
                dst[r0 + i] = P[pair_at(i, ps, uo) + u64(c)]
        t0 = h + n_lines * W
        if joined:
            # from the end of row c's tiles on: whole lines, the next row's start included,
            # up to its first line (the last row: up to its last whole line, the block's own)
            stop = starts[c + 1] if c < W - 1 else r0 + n_floats - W + 1
            d0 = r0 + t0
            while d0 < stop:
                stream_vector(prev, (c + 1) * S + d0 - r0 - n_lines * W, dst, d0)
                d0 += W
            t0 = d0 - r0
        if not joined or c == W - 1:
            for i in range(t0, n_floats):
                dst[r0 + i] = P[pair_at(i, ps, uo) + u64(c)]
    if n_lines > 0:
        transpose_pairs(P, 0, pstride, odd, prev, 0, W)
        for t in range(1, n_lines + 1):
            stream_tile(P, (t * W // 2) * pstride, prev, shifts, dst, starts, (t - 1) * W, pstride,
                        odd)
    store_fence()
