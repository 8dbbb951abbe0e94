"""Audio files in and out: ``load``, ``get_duration``, ``get_samplerate``, ``to_mono``, ``write``.

Decoding is done by libraries made for it: ``soundfile`` (libsndfile: WAV, FLAC, OGG/Vorbis,
Opus, MP3, AIFF, ...) and, for containers libsndfile cannot read (M4A/AAC, the audio track of a
video), PyAV when the ``av`` extra is installed (``pip install 'dsp-pyramids[av]'``). Both are
imported on first use, never by ``import dsp``. Resampling is always ours (:func:`dsp.resample`);
the decoders only deliver samples at the file's own rate.

Semantics follow ``librosa.load`` (0.11): ``offset`` and ``duration`` in seconds select frames
``int(offset * sr_native)`` to ``int(offset * sr_native) + int(duration * sr_native)``, found
by seeking; integer PCM is scaled to ``[-1, 1)`` by the decoder (so the samples are bit-identical
to librosa's at the native rate); stereo is returned channels-first, and mono mixdown is the mean
of the channels. Unlike librosa, nothing half-read is returned silently: an empty file, an offset
past the end, a non-positive duration and a file whose data stops before its header says are
each a :class:`dsp.DSPError`.
"""
from __future__ import annotations

import math
import os

import numpy as np
from dsp_kernels.shapes import istft_length

from . import _av
from ._errors import DSPError
from ._sndfile import _decode, _frame_range, _sf_open
from ._validation import as_float_array, check_bool, check_choice, check_dtype, check_float
from .quantization import to_pcm
from .resampling import _quality_for, resample

__all__ = ["load", "get_duration", "get_samplerate", "to_mono", "write"]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


# ----------------------------------------------------------------------------------------------
# argument checks


def _check_source(path):
    """``path`` as str (file-like objects pass through); missing files and folders refused."""
    if hasattr(path, "read"):
        return path
    if isinstance(path, (str, os.PathLike)):
        p = os.fspath(path)
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        if not os.path.exists(p):
            raise DSPError(f"path={p!r} does not exist: need an audio file (or a file-like object)")
        if os.path.isdir(p):
            raise DSPError(f"path={p!r} is a directory: need an audio file")
        return p
    raise DSPError(f"path={path!r} is not supported: need a str, a pathlib.Path, a file-like object, "
                   "or a decoded (y, sr) pair")


def _check_sr(sr, *, allow_none):
    if sr is None and allow_none:
        return None
    if isinstance(sr, (bool, np.bool_)) or not isinstance(sr, (int, float, np.integer, np.floating)):
        raise DSPError(f"sr={sr!r} is not supported: need a number > 0 (Hz)"
                       + (" or None to keep the file's rate" if allow_none else ""))
    if not math.isfinite(float(sr)) or sr <= 0:
        raise DSPError(f"sr={sr} must be a finite number > 0 (Hz)"
                       + (" or None to keep the file's rate" if allow_none else ""))
    return sr


def _check_dtype(dtype):
    return check_dtype("dtype", dtype, _FLOAT_DTYPES)


def _check_window(offset, duration):
    offset = check_float("offset", offset, minimum=0.0)
    if duration is not None:
        duration = check_float("duration", duration, minimum=0.0, strict_minimum=True)
    return offset, duration


# ----------------------------------------------------------------------------------------------
# public


def to_mono(y):
    """Mix down to mono: the mean over every axis but the last, as ``librosa.to_mono``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,) or (..., n)]
        Real float audio, channels leading.

    Returns
    -------
    np.ndarray [shape=(n,)]
        Same dtype; a 1-D input is returned as is.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.to_mono(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    array([0.5, 0.5], dtype=float32)
    """
    y = as_float_array(y)
    if y.ndim == 1:
        return y
    rows = y.reshape((-1, y.shape[-1]))
    if rows.shape[0] > 7:  # numpy sums 8 or more pairwise: leave those to it
        return np.mean(y, axis=tuple(range(y.ndim - 1)))
    # Row by row, in order, then one division: the arithmetic np.mean does for a few channels
    # (bit-identical to librosa's), without its slow reduction across the frames' interleaved
    # channels (10x on a decoded (channels, n) view)
    out = rows[0] + rows[1] if rows.shape[0] > 1 else rows[0].copy()
    for c in range(2, rows.shape[0]):
        out += rows[c]
    out /= rows.shape[0]
    return out


def load(path, *, sr=22050, mono=True, offset=0.0, duration=None, dtype=np.float32, res_type="high"):
    """Read an audio file into a float array, as ``librosa.load``.

    Parameters
    ----------
    path : str, pathlib.Path, file-like, or (np.ndarray, sr)
        An audio file, an open binary file, or an already decoded ``(y, sr)`` pair (channels
        first), which goes through the same offset/duration/mono/resampling steps.
    sr : number > 0 or None
        Target rate; ``None`` keeps the file's own. Resampled with :func:`dsp.resample`.
    mono : bool
        Mix the channels down to their mean.
    offset : float >= 0
        Start reading this many seconds in (``int(offset * sr_native)`` frames, by seeking).
    duration : float > 0 or None
        Read at most this many seconds (``int(duration * sr_native)`` frames); ``None``: to the end.
    dtype : {np.float32, np.float64}
    res_type : str
        Resampling filter, our names ('fast', 'high', 'hq', 'very_high', 'best') or librosa's
        ('soxr_hq' -> 'hq', 'kaiser_best', ...), mapped as :func:`dsp.resample` documents.
        The default 'high' is cheaper than librosa's default soxr_hq (100 dB of stopband against
        its 131); ``res_type='soxr_hq'`` matches or beats soxr HQ on every measured figure.

    Returns
    -------
    y : np.ndarray [shape=(n,) mono or (channels, n)]
    sr : number
        The rate of ``y``: ``sr`` if given, else the file's.

    Raises
    ------
    DSPError
        Missing file, directory, unreadable, truncated or empty file, a container needing the
        ``av`` extra, offset past the end, non-positive duration, ``sr <= 0``, non-float dtype.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf, dsp
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros((8000, 2), np.float32), 8000, format='WAV', subtype='PCM_16')
    >>> _ = buf.seek(0)
    >>> y, sr = dsp.load(buf, sr=None, mono=False, offset=0.5)
    >>> y.shape, sr
    ((2, 4000), 8000)
    """
    sr = _check_sr(sr, allow_none=True)
    _quality_for("high", res_type)  # refused up front, whether or not this file needs resampling
    mono = check_bool("mono", mono)
    dtype = _check_dtype(dtype)
    offset, duration = _check_window(offset, duration)
    if isinstance(path, tuple):
        if len(path) != 2:
            raise DSPError(f"path is a tuple of {len(path)} items: a decoded input must be (y, sr)")
        y, sr_native = path
        sr_native = _check_sr(sr_native, allow_none=False)
        y = as_float_array(y).astype(dtype, copy=False)  # any leading (channel) axes are kept
        start, count = _frame_range(offset, duration, sr_native, y.shape[-1], "the decoded input")
        y = y[..., start:] if count < 0 else y[..., start:start + count]
    else:
        y, sr_native = _decode(_check_source(path), offset, duration, dtype)
        if y.shape[0] == 1:  # a mono file is (n,), as librosa's
            y = y[0]
    if mono and y.ndim > 1:
        y = to_mono(y)
    if sr is None:
        sr = sr_native
    elif sr != sr_native:
        y = resample(y, orig_sr=sr_native, target_sr=sr, res_type=res_type)
    return np.ascontiguousarray(y, dtype=dtype), sr


def get_samplerate(path):
    """The sampling rate of an audio file, read from its header, as ``librosa.get_samplerate``.

    Parameters
    ----------
    path : str, pathlib.Path or file-like

    Returns
    -------
    int

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf, dsp
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros(100), 44100, format='FLAC')
    >>> _ = buf.seek(0)
    >>> dsp.get_samplerate(buf)
    44100
    """
    source = _check_source(path)
    f = _sf_open(source)
    if f is not None:
        with f:
            return int(f.samplerate)
    return _av.info(source)[0]


def get_duration(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, center=True, path=None):
    """Duration in seconds of a file, a signal or a spectrogram, as ``librosa.get_duration``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : number > 0
        Rate of ``y`` or ``S`` (ignored for ``path``).
    S : np.ndarray [shape=(..., d, t)] or None
        A spectrogram: ``n_fft + hop_length * (t - 1)`` samples, less ``2 * (n_fft // 2)``
        when ``center``.
    n_fft, hop_length : int > 0
    center : bool
    path : str, pathlib.Path, file-like or None
        Read the length from the file's header (nothing is decoded).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.get_duration(y=np.zeros(33075, np.float32), sr=22050)
    1.5
    """
    if path is not None:
        source = _check_source(path)
        f = _sf_open(source)
        if f is not None:
            with f:
                return f.frames / f.samplerate
        sr_native, frames = _av.info(source)
        return frames / sr_native
    sr = _check_sr(sr, allow_none=False)
    if y is not None:
        return as_float_array(y).shape[-1] / float(sr)
    if S is None:
        raise DSPError("get_duration needs one of path=, y= or S=")
    S = np.asarray(S)
    if S.ndim < 2:
        raise DSPError(f"S has {S.ndim} dimension(s): need a spectrogram (..., bins, frames)")
    for name, value in (("n_fft", n_fft), ("hop_length", hop_length)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise DSPError(f"{name}={value!r} must be an integer >= 1")
    return istft_length(S.shape[-1], n_fft, hop_length, center) / float(sr)


_PCM_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32}


def write(path, y, sr, subtype=None, *, format=None, clip="warn"):
    """Write float audio to a WAV/FLAC/OGG file through soundfile; PCM quantisation is ours.

    PCM subtypes are produced by :func:`dsp.to_pcm` (mid-tread rounding, clipping reported, never
    silent); 'FLOAT' and 'DOUBLE' store the samples unchanged.

    Parameters
    ----------
    path : str, pathlib.Path or file-like
        The format follows the extension unless ``format`` is given.
    y : np.ndarray [shape=(n,) or (channels, n)]
        Float samples on the full scale ``[-1, 1)``, channels first.
    sr : int > 0
    subtype : str or None
        soundfile's subtype ('PCM_16', 'PCM_24', 'FLOAT', ...); default the format's (PCM_16 for
        WAV and FLAC).
    format : str or None
        soundfile's format name ('WAV', 'FLAC', 'OGG', ...).
    clip : {'warn', 'raise', 'count'}
        As :func:`dsp.to_pcm`: warn with the count, raise (nothing is written), or return it.

    Returns
    -------
    None, or the number of clipped samples with ``clip='count'``.

    Examples
    --------
    >>> import io, numpy as np, dsp
    >>> buf = io.BytesIO()
    >>> dsp.write(buf, np.array([0.0, 0.5, 2.0]), 8000, format='WAV', clip='count')
    1
    """
    import soundfile as sf

    y = as_float_array(y)
    if y.ndim > 2:
        raise DSPError(f"y has shape {y.shape}: need (n,) or (channels, n)")
    sr = _check_sr(sr, allow_none=False)
    if float(sr) != int(sr):
        raise DSPError(f"sr={sr} must be a whole number of Hz for an audio file")
    check_choice("clip", clip, ("warn", "raise", "count"))
    if not hasattr(path, "write"):
        path = os.fspath(path)
    fmt = format
    if fmt is None:
        ext = os.path.splitext(path)[1][1:].upper() if isinstance(path, str) else ""
        fmt = {"OPUS": "OGG", "OGA": "OGG", "AIF": "AIFF"}.get(ext, ext)
        if fmt not in sf.available_formats():
            raise DSPError(f"path={path!r}: cannot tell the format from its name; pass format= "
                           "(e.g. 'WAV', 'FLAC', 'OGG')")
        if ext == "OPUS" and subtype is None:
            subtype = "OPUS"
    fmt = str(fmt).upper()
    if subtype is None:
        subtype = sf.default_subtype(fmt)
    if not sf.check_format(fmt, subtype):
        raise DSPError(f"subtype={subtype!r} is not supported for format={fmt!r}: use one of "
                       f"{sorted(sf.available_subtypes(fmt))}")
    data = y.T
    n_clipped = 0
    bits = _PCM_BITS.get(subtype.upper())
    if bits is not None:
        pcm, n_clipped = to_pcm(data, bits, clip="count")
        if n_clipped and clip != "count":  # report as to_pcm would, before anything is written
            to_pcm(data, bits, clip=clip)
        # soundfile takes integers left-aligned in int16/int32 and keeps the top bits
        data = ((pcm.astype(np.int16) - 128) << 8) if bits == 8 else pcm
        data = (data.astype(np.int32) << 8) if bits == 24 else data
    sf.write(path, data, int(sr), subtype=subtype, format=fmt)
    return n_clipped if clip == "count" else None
