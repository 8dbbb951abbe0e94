"""Streaming stores (dsp_kernels.cpu.fft.streaming): a block's lanes written into rows with
non-temporal stores shifted onto each row's line grid must equal the plain store bit for bit,
for every row alignment, lane count and row length, and the stft that uses them for outputs
above ``STREAM_FROM`` must equal the one that does not.

The oracle is the plain store (``store_floats``), which tests/test_fft_block.py checks against
NumPy; here every value written is compared, and the values around the rows are checked
untouched. tests/test_boundscheck.py runs the first test again through the checked twin."""
import numpy as np
import pytest
from numba import njit

from dsp_kernels.cpu.fft.block import store_floats, store_pairs
from dsp_kernels.cpu.fft.simd import lanes_for
from dsp_kernels.cpu.fft import streaming
from dsp_kernels.cpu.fft.streaming import PREV_LINES, stream_fits, stream_lanes


@njit
def _stream(P, n_floats, dst, o0, ostride, pstride=0, odd=0):
    W = 64 // P.itemsize
    prev = np.empty(PREV_LINES * W, dtype=P.dtype)
    rows = np.empty(2 * W, dtype=np.int64)
    if not stream_fits(dst):
        return False
    if pstride == 0:  # the lanes one after another
        pstride, odd = 2 * W, W
    stream_lanes(P, pstride, odd, n_floats, dst, o0, ostride, prev, rows[:W], rows[W:])
    return True


@njit
def _plain(P, n_floats, dst, o0, ostride, pstride=0, odd=0):
    W = 64 // P.itemsize
    if pstride == 0:
        store_floats(P, n_floats, W, dst, o0, ostride)
    else:
        store_pairs(P, pstride, odd, n_floats, W, dst, o0, ostride)


@pytest.mark.parametrize("n_floats, lane_len", [(2050, 2082), (1026, 1058), (402, 402), (4098, 4130),
                                                (2049, 2081), (37, 48), (34, 34), (5, 16), (2, 2),
                                                (2048, 2080), (40, 72)])
@pytest.mark.parametrize("split", [False, True])
def test_stream_lanes_equals_the_plain_store_at_every_alignment(dtype, n_floats, lane_len, split):
    # lane_len: the values per lane that P holds (the blocked FFT pads them from PAD_FROM on;
    # 402 = 2 * 201 is n_fft 400's unpadded lanes, so the last tiles go by plain stores); odd
    # n_floats: an odd n_fft's rows (n_fft + 1 values); 5 and 2: rows too short for a whole line;
    # 2048 and 40: rows of whole lines, fewer than W values after their tiles. split: real and
    # imaginary parts in two halves of P (the stft's in-place bins, block_bins.rfft_lanes_bins),
    # against store_pairs of the same layout; else the lanes one after another
    W = lanes_for(dtype)
    rng = np.random.default_rng(n_floats)
    P = rng.standard_normal(lane_len * W).astype(dtype)
    layout = (W, (lane_len // 2) * W) if split else (0, 0)
    for ostride in (n_floats, n_floats + 3):  # contiguous rows, and a gap between rows
        for shift in range(W):  # where the first row starts within a 64-byte line
            size = 2 * W + W * ostride + 2 * W
            want = np.full(size + W, -7.0, dtype=dtype)
            got = want.copy()
            # the same element offset from a 64-byte boundary in both arrays
            a = (-want.ctypes.data % 64) // want.itemsize
            b = (-got.ctypes.data % 64) // got.itemsize
            dw, dg = want[a:a + size], got[b:b + size]
            o0 = W + shift
            _plain(P, n_floats, dw, o0, ostride, *layout)
            assert _stream(P, n_floats, dg, o0, ostride, *layout)
            assert np.array_equal(dg, dw), (ostride, shift)
            assert np.all(dg[:o0] == -7.0) and np.all(dg[o0 + (W - 1) * ostride + n_floats:] == -7.0)


def test_stream_fits_refuses_a_destination_not_aligned_to_its_elements():
    raw = np.zeros(6 * 64, dtype=np.uint8)
    off = (-raw.ctypes.data % 64) + 1  # one byte past a line boundary
    dst = raw[off:off + 4 * 64].view(np.float32)
    assert not dst.flags.aligned
    assert not _stream(np.zeros(16 * 32, np.float32), 16, dst, 0, 16)


@pytest.mark.parametrize("n_fft, hop, seconds", [(2048, 512, 4.0), (1024, 256, 2.0), (400, 160, 3.0),
                                                 (4096, 1024, 6.0), (512, 100, 1.0), (401, 100, 1.0),
                                                 (2025, 512, 3.0)])
def test_stft_with_streaming_stores_equals_without(monkeypatch, dtype, n_fft, hop, seconds):
    import dsp

    y = np.random.default_rng(n_fft).standard_normal((2, int(22050 * seconds))).astype(dtype)
    monkeypatch.setattr(streaming, "STREAM_FROM", 1 << 62)
    plain = dsp.stft(y, n_fft=n_fft, hop_length=hop)
    monkeypatch.setattr(streaming, "STREAM_FROM", 0)
    streamed = dsp.stft(y, n_fft=n_fft, hop_length=hop)
    assert np.array_equal(streamed, plain)


def test_a_long_stft_by_default_equals_the_plain_store(monkeypatch):
    # 60 s at 22.05 kHz, n_fft 2048: a 20 MB output, above the default STREAM_FROM
    import dsp

    y = np.random.default_rng(60).standard_normal(60 * 22050).astype(np.float32)
    default = dsp.stft(y, n_fft=2048, hop_length=512)
    assert default.nbytes >= streaming.STREAM_FROM
    monkeypatch.setattr(streaming, "STREAM_FROM", 1 << 62)
    assert np.array_equal(default, dsp.stft(y, n_fft=2048, hop_length=512))


@pytest.mark.parametrize("rows, n", [(64, 2048), (35, 1024), (82, 400), (17, 4096)])
def test_batched_rfft_with_streaming_stores_equals_without(monkeypatch, dtype, rows, n):
    # at least PARALLEL_MIN_SAMPLES values: the parallel kernel, the one that streams
    import dsp
    from dsp_kernels.cpu.fft.batched import PARALLEL_MIN_SAMPLES

    assert rows * n >= PARALLEL_MIN_SAMPLES

    x = np.random.default_rng(rows).standard_normal((rows, n)).astype(dtype)
    monkeypatch.setattr(streaming, "STREAM_FROM", 1 << 62)
    plain = dsp.rfft(x, axis=-1)
    monkeypatch.setattr(streaming, "STREAM_FROM", 0)
    assert np.array_equal(dsp.rfft(x, axis=-1), plain)


@njit
def _one_line(src, s0, dst, d0):
    streaming.stream_vector(src, s0, dst, d0)


def test_stream_vector_writes_one_whole_line_from_any_source_offset(dtype):
    # the lines where one contiguous row ends and the next begins are written by it, read from
    # the scratch at any offset; the checked twin (NUMBA_BOUNDSCHECK) refuses what would fault
    W = lanes_for(dtype)
    src = np.arange(4 * W, dtype=dtype)
    raw = np.full(8 * W, -7.0, dtype=dtype)
    for s0 in (0, 1, W - 1, 3 * W):
        dst = raw.copy()
        b = (-dst.ctypes.data % 64) // dst.itemsize  # the first element that starts a line
        _one_line(src, s0, dst, b + W)
        want = np.full_like(dst, -7.0)
        want[b + W:b + 2 * W] = src[s0:s0 + W]
        assert np.array_equal(dst, want), s0
    check = streaming._stream_vector_checked
    dst = raw.copy()
    b = (-dst.ctypes.data % 64) // dst.itemsize
    with pytest.raises(IndexError, match="64-byte line"):
        check(src, 0, dst, b + 1)
    with pytest.raises(IndexError, match="outside"):
        check(src, 3 * W + 1, dst, b)
