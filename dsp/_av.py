"""PyAV (FFmpeg) decoding for containers libsndfile cannot read: M4A/AAC, video files' audio.

Optional: installed with the ``av`` extra. Only decoding is delegated; sample-format conversion
to float is done here and resampling by :func:`dsp.resample` (PyAV's resampler is never used).
"""
from __future__ import annotations

import numpy as np

from ._errors import DSPError

#: integer sample formats -> (offset, divisor) to reach [-1, 1)
_INT_SCALE = {"u8": (128.0, 128.0), "s16": (0.0, 32768.0), "s32": (0.0, 2147483648.0),
              "s64": (0.0, 9223372036854775808.0)}


def _import_av(source):
    try:
        import av  # noqa: F401
    except ImportError:
        name = source if isinstance(source, str) else getattr(source, "name", repr(source))
        raise DSPError(
            f"path={name!r} is not a format libsndfile reads (it reads WAV, FLAC, OGG/Vorbis, Opus, "
            "MP3, AIFF, ...). Containers such as M4A/AAC, MP4, MKV or WebM need PyAV: install the "
            "'av' extra (pip install 'dsp-pyramids[av]')"
        ) from None
    return av


def _open(source):
    av = _import_av(source)
    name = source if isinstance(source, str) else getattr(source, "name", repr(source))
    try:
        container = av.open(source, "r")
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise DSPError(f"path={name!r} could not be opened by libsndfile or PyAV ({exc}): the file "
                       "is unreadable, corrupt or not audio") from exc
    if not container.streams.audio:
        container.close()
        raise DSPError(f"path={name!r} has no audio stream: need a file with audio")
    return container, container.streams.audio[0], name


def _frames(stream, container):
    """Number of frames at the stream's rate, from the stream's or the container's duration."""
    rate = stream.rate
    if stream.duration is not None and stream.time_base is not None:
        return int(round(stream.duration * stream.time_base * rate))
    if container.duration is not None:
        return int(round(container.duration / 1_000_000 * rate))
    return None


def info(source):
    """``(sr_native, n_frames)`` from the container's header (``n_frames`` may be estimated)."""
    container, stream, name = _open(source)
    with container:
        n = _frames(stream, container)
        if n is None:
            raise DSPError(f"path={name!r} does not state its duration")
        return int(stream.rate), n


def _to_float(frame, dtype):
    """A decoded frame as ``(channels, samples)`` floats on the full scale."""
    fmt = frame.format
    a = frame.to_ndarray()
    if not fmt.is_planar:
        a = a.reshape(-1, len(frame.layout.channels)).T
    base = fmt.name.rstrip("p")
    if base in _INT_SCALE:
        off, div = _INT_SCALE[base]
        return ((a.astype(np.float64) - off) / div).astype(dtype)
    return a.astype(dtype, copy=False)


def read(source, offset, duration, dtype, frame_range):
    """Decode ``(y (channels, n), sr_native)``; ``frame_range`` is the loader's offset rule."""
    container, stream, name = _open(source)
    with container:
        sr_native = int(stream.rate)
        n_total = _frames(stream, container)
        start, count = frame_range(offset, duration, sr_native,
                                   n_total if n_total is not None else start_guess(offset, sr_native),
                                   f"path={name!r}")
        if start and stream.time_base is not None:
            # seek to the key frame at or before the offset; decoding then skips to the sample
            container.seek(int(start / sr_native / stream.time_base), stream=stream, backward=True)
        stop = None if count < 0 else start + count
        if n_total is not None:
            stop = n_total if stop is None else min(stop, n_total)
        chunks, pos = [], None
        try:
            for frame in container.decode(stream):
                if pos is None:
                    pos = (int(round(frame.pts * frame.time_base * sr_native))
                           if frame.pts is not None and frame.time_base is not None else 0)
                a = _to_float(frame, dtype)
                lo, hi = max(start - pos, 0), a.shape[1] if stop is None else min(a.shape[1], stop - pos)
                if hi > lo:
                    chunks.append(a[:, lo:hi])
                pos += a.shape[1]
                if stop is not None and pos >= stop:
                    break
        except av_errors() as exc:
            raise DSPError(f"path={name!r} could not be decoded ({exc}): truncated or corrupt") from exc
    if not chunks:
        raise DSPError(f"path={name!r} decoded to 0 samples from offset={offset}: nothing to load")
    return np.concatenate(chunks, axis=1), sr_native


def start_guess(offset, sr_native):
    # no stated duration: let the offset check pass and find the end by decoding
    return int(offset * sr_native) + 1


def av_errors():
    import av

    return (av.error.FFmpegError,)
