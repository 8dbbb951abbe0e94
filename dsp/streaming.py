"""Block-wise reading of long audio files in constant memory: ``stream``, as ``librosa.stream``.

Block ``b`` holds the samples of frames ``b * block_length`` to ``(b + 1) * block_length - 1``
of a ``frame_length``/``hop_length`` framing of the whole file, i.e. ``frame_length +
(block_length - 1) * hop_length`` samples starting at sample ``b * block_length * hop_length``;
consecutive blocks overlap by ``frame_length - hop_length`` samples. So per-block STFTs with
``center=False``, ``n_fft=frame_length`` and ``hop_length`` concatenate to the STFT of the whole
file. Only one block is held at a time; the decoder seeks, so ``offset`` costs nothing.
"""
from __future__ import annotations

import numpy as np

from ._errors import DSPError
from ._validation import check_bool, check_float, check_int
from ._sndfile import _frame_range, _name, _sf_open, _wav_data_shortfall
from .audio_io import _check_dtype, _check_source, _check_window, to_mono

__all__ = ["stream"]


def stream(path, *, block_length, frame_length, hop_length, mono=True, offset=0.0, duration=None,
           fill_value=None, dtype=np.float32):
    """Yield overlapping blocks of an audio file at its native rate, as ``librosa.stream``.

    Arguments are checked and the file is opened when ``stream`` is called; samples are read
    as the generator is consumed.

    Parameters
    ----------
    path : str, pathlib.Path or file-like
        A file libsndfile reads (WAV, FLAC, OGG/Vorbis, Opus, MP3, ...).
    block_length : int > 0
        Frames per block.
    frame_length : int > 0
        Samples per frame (the ``n_fft`` of the STFT to tile).
    hop_length : int, 0 < hop_length <= frame_length
    mono : bool
        Mix each block down to the mean of its channels.
    offset : float >= 0
        Seconds to skip (``int(offset * sr)`` frames, by seeking).
    duration : float > 0 or None
        Seconds to read (``int(duration * sr)`` frames); ``None``: to the end.
    fill_value : float or None
        Pad the last block with this value to the full block length; ``None``: the last block
        may be shorter (and shorter than ``frame_length``, as in librosa).
    dtype : {np.float32, np.float64}

    Yields
    ------
    np.ndarray [shape=(frame_length + (block_length - 1) * hop_length,) mono, or (channels, ...)]

    Raises
    ------
    DSPError
        Bad lengths, a missing, empty, truncated or unreadable file, a format only PyAV reads,
        offset past the end, non-positive duration.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf, dsp
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros(10000), 8000, format='WAV')
    >>> _ = buf.seek(0)
    >>> [b.shape for b in dsp.stream(buf, block_length=4, frame_length=2048, hop_length=1024)]
    [(5120,), (5120,), (1808,)]
    """
    block_length = check_int("block_length", block_length, minimum=1)
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    if hop_length > frame_length:
        raise DSPError(f"hop_length={hop_length} is larger than frame_length={frame_length}: need "
                       "hop_length <= frame_length (blocks overlap by frame_length - hop_length)")
    mono = check_bool("mono", mono)
    if fill_value is not None:
        fill_value = check_float("fill_value", fill_value)
    dtype = _check_dtype(dtype)
    offset, duration = _check_window(offset, duration)
    source = _check_source(path)
    f = _sf_open(source)
    if f is None:
        raise DSPError(f"path={_name(source)!r} is not a format libsndfile reads: stream() reads WAV, "
                       "FLAC, OGG/Vorbis, Opus, MP3, AIFF...; decode other containers with dsp.load")
    try:
        where = f"path={_name(source)!r}"
        start, count = _frame_range(offset, duration, f.samplerate, f.frames, where)
        short = _wav_data_shortfall(source)
        if short:
            raise DSPError(f"{where} is truncated: its data chunk is {short} bytes shorter than its "
                           "header says")
    except DSPError:
        f.close()
        raise
    return _blocks(f, where, start, count, block_length, frame_length, hop_length, mono, fill_value, dtype)


def _blocks(f, where, start, count, block_length, frame_length, hop_length, mono, fill_value, dtype):
    block_size = frame_length + (block_length - 1) * hop_length
    with f:
        f.seek(start)
        blocks = f.blocks(blocksize=block_size, overlap=frame_length - hop_length, frames=count,
                          dtype=dtype.name, always_2d=True, fill_value=fill_value)
        try:
            for block in blocks:
                y = block.T
                if y.shape[0] == 1:
                    y = y[0]
                elif mono:
                    y = to_mono(y)
                yield np.ascontiguousarray(y)
        except RuntimeError as exc:  # libsndfile decode errors mid-file
            raise DSPError(f"{where} could not be decoded ({exc}): truncated or corrupt") from exc
