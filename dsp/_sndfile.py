"""soundfile (libsndfile) decoding for :mod:`dsp.audio_io` and :mod:`dsp.streaming`.

Frame arithmetic follows librosa.load: ``offset``/``duration`` in seconds become
``int(offset * sr_native)`` and ``int(duration * sr_native)`` frames. libsndfile quietly shortens
a WAV whose data chunk was cut; :func:`_wav_data_shortfall` reads the header to report it.
"""
from __future__ import annotations

import os
import struct

import numpy as np

from . import _av
from ._dispatch import kernel_for
from ._errors import DSPError


def _frame_range(offset, duration, sr_native, n_total, where):
    """``(start, count)`` in frames (librosa's rounding); ``count`` is -1 for 'to the end'."""
    if n_total == 0:
        raise DSPError(f"{where} is empty (0 samples): nothing to load")
    start = int(offset * sr_native)
    if start >= n_total:
        raise DSPError(f"offset={offset} is past the end of {where} ({n_total / sr_native:.6g} s): "
                       f"need 0 <= offset < {n_total / sr_native:.6g}")
    count = -1
    if duration is not None:
        count = int(duration * sr_native)
        if count == 0:
            raise DSPError(f"duration={duration} is shorter than one sample at {sr_native} Hz: "
                           f"need duration >= {1 / sr_native:.3g} s")
    return start, count


# ----------------------------------------------------------------------------------------------
# soundfile


def _wav_data_shortfall(path):
    """Bytes missing from a RIFF/WAVE file's data chunk (libsndfile quietly shortens such files)."""
    if not isinstance(path, str):
        return 0
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0
        size = os.fstat(fh.fileno()).st_size
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            cid, clen = struct.unpack("<4sI", fh.read(8))
            if cid == b"data":
                # 0 and 0xFFFFFFFF mark a stream whose length was never written: nothing to check
                if clen in (0, 0xFFFFFFFF):
                    return 0
                return max(0, pos + 8 + clen - size)
            pos += 8 + clen + (clen & 1)
    return 0


def _sf_open(source):
    """An open ``soundfile.SoundFile``, or None when libsndfile does not know the format."""
    import soundfile as sf

    try:
        return sf.SoundFile(source)
    except sf.LibsndfileError as exc:
        if hasattr(source, "seek"):
            source.seek(0)
        if "Format not recognised" in str(exc) or "unknown format" in str(exc).lower():
            return None
        raise DSPError(f"path={_name(source)!r} could not be decoded ({exc}): the file is unreadable "
                       "or corrupt") from exc


def _name(source):
    return source if isinstance(source, str) else getattr(source, "name", repr(source))


def _sf_read(f, source, offset, duration, dtype):
    where = f"path={_name(source)!r}"
    sr_native = f.samplerate
    start, count = _frame_range(offset, duration, sr_native, f.frames, where)
    short = _wav_data_shortfall(source)
    if short:
        raise DSPError(f"{where} is truncated: its data chunk is {short} bytes shorter than its header "
                       "says; re-encode or repair the file")
    expected = f.frames - start if count < 0 else min(count, f.frames - start)
    # PCM is read as libsndfile's integers and scaled by our kernel: libsndfile's own float
    # conversion costs 5x the integer read, and the samples come out bit-identical (the scale is
    # a power of two; test_audio_io checks against librosa.load)
    pcm = _PCM_READS.get(f.subtype) if f.format in _LOSSLESS_FORMATS else None
    frames = np.empty((expected, f.channels), dtype=pcm[0] if pcm else dtype)
    out = np.empty((f.channels, expected), dtype=dtype) if pcm else frames.T  # librosa's view

    def convert(lo, hi):
        if pcm:
            kernel_for("pcm_rows", frames)(frames[lo:hi], pcm[1], out[:, lo:hi])

    segments = _segments(source, f.format, start, expected)
    try:
        if len(segments) == 1:
            if start:
                f.seek(start)
            got = [f.read(expected, dtype=frames.dtype.name, always_2d=True, out=frames).shape[0]]
            convert(0, expected)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(len(segments)) as pool:
                got = list(pool.map(lambda seg: _read_segment(source, seg, start, frames, convert),
                                    segments))
    except RuntimeError as exc:
        raise DSPError(f"{where} could not be decoded past frame {start} ({exc}): the file is "
                       "truncated or corrupt") from exc
    if sum(got) < expected:
        raise DSPError(f"{where} is truncated: {sum(got)} of {expected} frames could be decoded")
    return out, sr_native  # (channels, n)


#: subtype -> (the integer dtype libsndfile reads it into, the bits that are full scale there);
#: libsndfile left-aligns 24-bit samples in int32 and widens 8-bit ones to int16
_PCM_READS = {"PCM_S8": (np.int16, 16), "PCM_U8": (np.int16, 16), "PCM_16": (np.int16, 16),
              "PCM_24": (np.int32, 32), "PCM_32": (np.int32, 32)}


#: lossless formats: their seeks are sample-exact (long files are decoded in parallel segments)
#: and their integer subtypes are read as integers (_PCM_READS)
_LOSSLESS_FORMATS = frozenset({"WAV", "WAVEX", "FLAC", "AIFF", "W64", "RF64", "CAF"})
#: frames per parallel segment, at least
_SEGMENT_FRAMES = 1 << 20


def _segments(source, fmt, start, expected):
    """``[(lo, hi), ...]`` frame ranges (relative to ``start``) decoded by separate threads.

    Several handles on one file decode independent stretches (libsndfile releases the GIL
    through cffi); the result is sample-identical to one sequential read because these formats
    are lossless and seek exactly. File-like objects and lossy codecs (whose decoders carry
    state across frames) are read in one piece.
    """
    if not isinstance(source, str) or fmt not in _LOSSLESS_FORMATS:
        return [(0, expected)]
    import numba

    k = int(min(numba.get_num_threads(), os.cpu_count() or 1, 8, expected // _SEGMENT_FRAMES))
    if k < 2:
        return [(0, expected)]
    bounds = [expected * i // k for i in range(k + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def _read_segment(path, seg, start, frames, convert):
    import soundfile as sf

    lo, hi = seg
    with sf.SoundFile(path) as g:
        g.seek(start + lo)
        got = g.read(hi - lo, dtype=frames.dtype.name, always_2d=True, out=frames[lo:hi]).shape[0]
    convert(lo, hi)  # in this thread: the conversion of long files runs in parallel too
    return got


def _decode(source, offset, duration, dtype):
    """``(y (channels, n), sr_native)`` from soundfile, else PyAV."""
    f = _sf_open(source)
    if f is not None:
        with f:
            return _sf_read(f, source, offset, duration, dtype)
    return _av.read(source, offset, duration, dtype, _frame_range)
