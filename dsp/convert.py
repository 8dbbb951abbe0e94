"""Frame, sample, block and time index conversions with librosa's names and semantics.

A frame index ``f`` starts at sample ``f * hop_length`` (plus ``n_fft // 2`` when ``n_fft`` is
given, the centre of a frame of a ``center=False`` STFT); a sample index ``s`` is at time
``s / sr``; block ``b`` of :func:`dsp.stream` starts at frame ``b * block_length``. As in
librosa, samples -> frames rounds down (``floor``) and times -> samples truncates. Scalars give NumPy scalars (integers
for indices), arrays give arrays of the same shape.
"""
from __future__ import annotations

import numpy as np

from ._errors import DSPError
from ._validation import check_int

__all__ = [
    "frames_to_samples", "samples_to_frames", "frames_to_time", "time_to_frames",
    "samples_to_time", "time_to_samples", "blocks_to_frames", "blocks_to_samples",
    "blocks_to_time", "samples_like", "times_like",
]


def _values(x, name):
    a = np.asanyarray(x)
    if a.dtype.kind not in "iuf" or a.dtype.kind == "b":
        raise DSPError(f"{name} has dtype {a.dtype}: need real numbers")
    return a


def _sr(sr):
    if isinstance(sr, (bool, np.bool_)) or not isinstance(sr, (int, float, np.integer, np.floating)):
        raise DSPError(f"sr={sr!r} must be a number > 0 (Hz)")
    if not np.isfinite(sr) or sr <= 0:
        raise DSPError(f"sr={sr} must be a finite number > 0 (Hz)")
    return sr


def _offset(n_fft):
    return 0 if n_fft is None else check_int("n_fft", n_fft, minimum=1) // 2


def _floor_int(a):
    return np.floor(a).astype(int)


def frames_to_samples(frames, *, hop_length=512, n_fft=None):
    """First sample of each frame: ``frames * hop_length (+ n_fft // 2)``.

    Parameters
    ----------
    frames : int or np.ndarray [shape=(...)]
    hop_length : int > 0
    n_fft : int > 0 or None
        If given, the frame's centre (offset by ``n_fft // 2``) instead of its start.

    Returns
    -------
    int or np.ndarray [shape=frames.shape] of int

    Examples
    --------
    >>> import dsp
    >>> dsp.frames_to_samples([0, 1, 10], hop_length=512)
    array([   0,  512, 5120])
    """
    hop_length = check_int("hop_length", hop_length, minimum=1)
    f = _values(frames, "frames")
    return (f * hop_length + _offset(n_fft)).astype(int)  # truncation, as librosa


def samples_to_frames(samples, *, hop_length=512, n_fft=None):
    """Frame index containing each sample: ``floor((samples - n_fft // 2) / hop_length)``.

    Parameters
    ----------
    samples : int or np.ndarray [shape=(...)]
    hop_length : int > 0
    n_fft : int > 0 or None

    Returns
    -------
    int or np.ndarray [shape=samples.shape] of int

    Examples
    --------
    >>> import dsp
    >>> dsp.samples_to_frames([0, 511, 512, 2000], hop_length=512)
    array([0, 0, 1, 3])
    """
    hop_length = check_int("hop_length", hop_length, minimum=1)
    s = _values(samples, "samples")
    return _floor_int((s - _offset(n_fft)) // hop_length)


def samples_to_time(samples, *, sr=22050):
    """Seconds of each sample index: ``samples / sr``.

    Parameters
    ----------
    samples : int or np.ndarray [shape=(...)]
    sr : number > 0

    Returns
    -------
    float or np.ndarray [shape=samples.shape] of float

    Examples
    --------
    >>> import dsp
    >>> dsp.samples_to_time([0, 11025, 22050], sr=22050)
    array([0. , 0.5, 1. ])
    """
    return _values(samples, "samples") / float(_sr(sr))


def time_to_samples(times, *, sr=22050):
    """Sample index at each time: ``floor(times * sr)``.

    Parameters
    ----------
    times : float or np.ndarray [shape=(...)]
    sr : number > 0

    Returns
    -------
    int or np.ndarray [shape=times.shape] of int

    Examples
    --------
    >>> import dsp
    >>> dsp.time_to_samples([0.0, 0.5, 1.0], sr=22050)
    array([    0, 11025, 22050])
    """
    return (_values(times, "times") * _sr(sr)).astype(int)  # truncation, as librosa


def frames_to_time(frames, *, sr=22050, hop_length=512, n_fft=None):
    """Start (or centre, with ``n_fft``) of each frame in seconds.

    Parameters
    ----------
    frames : int or np.ndarray [shape=(...)]
    sr : number > 0
    hop_length : int > 0
    n_fft : int > 0 or None

    Returns
    -------
    float or np.ndarray [shape=frames.shape] of float

    Examples
    --------
    >>> import dsp
    >>> dsp.frames_to_time([0, 43, 86], sr=22050, hop_length=512)
    array([0.        , 0.99845805, 1.9969161 ])
    """
    return samples_to_time(frames_to_samples(frames, hop_length=hop_length, n_fft=n_fft), sr=sr)


def time_to_frames(times, *, sr=22050, hop_length=512, n_fft=None):
    """Frame index at each time in seconds.

    Parameters
    ----------
    times : float or np.ndarray [shape=(...)]
    sr : number > 0
    hop_length : int > 0
    n_fft : int > 0 or None

    Returns
    -------
    int or np.ndarray [shape=times.shape] of int

    Examples
    --------
    >>> import dsp
    >>> dsp.time_to_frames([0.0, 1.0, 2.0], sr=22050, hop_length=512)
    array([ 0, 43, 86])
    """
    return samples_to_frames(time_to_samples(times, sr=sr), hop_length=hop_length, n_fft=n_fft)


def blocks_to_frames(blocks, *, block_length):
    """First frame of each block of :func:`dsp.stream`: ``blocks * block_length``.

    Parameters
    ----------
    blocks : int or np.ndarray [shape=(...)]
    block_length : int > 0
        Frames per block.

    Returns
    -------
    int or np.ndarray [shape=blocks.shape] of int

    Examples
    --------
    >>> import dsp
    >>> dsp.blocks_to_frames([0, 1, 2], block_length=16)
    array([ 0, 16, 32])
    """
    block_length = check_int("block_length", block_length, minimum=1)
    return (_values(blocks, "blocks") * block_length).astype(int)


def blocks_to_samples(blocks, *, block_length, hop_length):
    """First sample of each block: ``blocks * block_length * hop_length``.

    Parameters
    ----------
    blocks : int or np.ndarray [shape=(...)]
    block_length, hop_length : int > 0

    Returns
    -------
    int or np.ndarray [shape=blocks.shape] of int

    Examples
    --------
    >>> import dsp
    >>> dsp.blocks_to_samples([0, 1, 2], block_length=16, hop_length=512)
    array([    0,  8192, 16384])
    """
    return frames_to_samples(blocks_to_frames(blocks, block_length=block_length), hop_length=hop_length)


def blocks_to_time(blocks, *, block_length, hop_length, sr):
    """Start of each block in seconds.

    Parameters
    ----------
    blocks : int or np.ndarray [shape=(...)]
    block_length, hop_length : int > 0
    sr : number > 0

    Returns
    -------
    float or np.ndarray [shape=blocks.shape] of float

    Examples
    --------
    >>> import dsp
    >>> dsp.blocks_to_time([0, 1, 2], block_length=16, hop_length=512, sr=8192)
    array([0., 1., 2.])
    """
    return samples_to_time(blocks_to_samples(blocks, block_length=block_length, hop_length=hop_length),
                           sr=sr)


def samples_like(X, *, hop_length=512, n_fft=None, axis=-1):
    """First sample of each frame of ``X`` (frames along ``axis``; an int is a frame count).

    Parameters
    ----------
    X : np.ndarray [shape=(..., t)] or int
    hop_length : int > 0
    n_fft : int > 0 or None
    axis : int

    Returns
    -------
    np.ndarray [shape=(t,)] of int

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.samples_like(np.zeros((1025, 4)), hop_length=256)
    array([  0, 256, 512, 768])
    """
    if np.isscalar(X):
        n = check_int("X", X, minimum=0)
    else:
        X = np.asanyarray(X)
        if X.ndim == 0:
            raise DSPError("X is a 0-d array: need a frame count or an array with a frame axis")
        ax = check_int("axis", axis)
        if not -X.ndim <= ax < X.ndim:
            raise DSPError(f"axis={ax} is out of range for X with {X.ndim} dimension(s)")
        n = X.shape[ax]
    return frames_to_samples(np.arange(n), hop_length=hop_length, n_fft=n_fft)


def times_like(X, *, sr=22050, hop_length=512, n_fft=None, axis=-1):
    """Start (or centre, with ``n_fft``) of each frame of ``X`` in seconds.

    Parameters
    ----------
    X : np.ndarray [shape=(..., t)] or int
    sr : number > 0
    hop_length : int > 0
    n_fft : int > 0 or None
    axis : int

    Returns
    -------
    np.ndarray [shape=(t,)] of float

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.times_like(np.zeros((1025, 3)), sr=1024, hop_length=512)
    array([0. , 0.5, 1. ])
    """
    return samples_to_time(samples_like(X, hop_length=hop_length, n_fft=n_fft, axis=axis), sr=sr)
