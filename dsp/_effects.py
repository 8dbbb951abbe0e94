"""librosa.effects' silence handling and emphasis filters (``trim``, ``split``, ``preemphasis``,
``deemphasis``) and mu-law companding (``mu_compress``, ``mu_expand``), librosa 0.11 semantics.

Emphasis runs in the signal's own precision, as librosa's coefficients (cast to y's dtype) make
scipy.signal.lfilter do; the recursive de-emphasis is a Numba kernel without fastmath.

CuPy in, CuPy out: ``preemphasis`` and mu-law companding are array arithmetic on the device;
``trim``/``split`` compute the frame RMS and its dB on the device (GPU twins) and decide the
intervals on the host from the small per-frame dB array (``trim`` then slices the device
signal); ``deemphasis``, a sequential recurrence with no GPU twin, copies the signal to the host
and its result back.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module, is_cupy_array
from ._dispatch import kernel
from ._errors import DSPError
from ._validation import as_float_array, check_float, check_int

__all__ = ["trim", "split", "preemphasis", "deemphasis", "mu_compress", "mu_expand"]


def _nonsilent(y, frame_length, hop_length, top_db, ref, aggregate):
    from ._decibel import amplitude_to_db
    from ._features_spectral import rms

    y = as_float_array(y, name="y")
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    top_db = check_float("top_db", top_db)
    mse = rms(y=y, frame_length=frame_length, hop_length=hop_length)
    db = amplitude_to_db(mse[..., 0, :], ref=ref, top_db=None)
    # the interval logic is a scan of one value per frame: on the host
    db = db.get() if is_cupy_array(db) else np.asarray(db)
    if db.ndim > 1:
        db = np.apply_over_axes(aggregate, db, range(db.ndim - 1))
        db = np.squeeze(db, axis=tuple(range(db.ndim - 1)))
    return y, db > -top_db


def trim(y, *, top_db=60, ref=np.max, frame_length=2048, hop_length=512, aggregate=np.max):
    """Trim leading and trailing silence, as ``librosa.effects.trim``.

    A frame is silent when its RMS is ``top_db`` dB or more below ``ref`` (channels are
    combined by ``aggregate`` over their dB values).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
    top_db : float
    ref : float or callable
        The reference amplitude (default the loudest frame's RMS).
    frame_length, hop_length : int > 0
    aggregate : callable
        Combines the channels' dB values per frame.

    Returns
    -------
    y_trimmed : np.ndarray [shape=(..., m)]
    index : np.ndarray [shape=(2,)]
        The kept interval ``[start, end)`` in samples.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.concatenate([np.zeros(8192), np.ones(8192), np.zeros(8192)]).astype(np.float32)
    >>> dsp.effects.trim(y)[1]
    array([ 7680, 17408])
    """
    y, non_silent = _nonsilent(y, frame_length, hop_length, top_db, ref, aggregate)
    nz = np.flatnonzero(non_silent)
    if nz.size > 0:
        start = int(nz[0] * hop_length)
        end = min(y.shape[-1], int((nz[-1] + 1) * hop_length))
    else:
        start, end = 0, 0
    return y[..., start:end], np.asarray([start, end])


def split(y, *, top_db=60, ref=np.max, frame_length=2048, hop_length=512, aggregate=np.max):
    """Non-silent intervals, as ``librosa.effects.split``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
    top_db, ref, frame_length, hop_length, aggregate :
        As :func:`trim`.

    Returns
    -------
    np.ndarray [shape=(m, 2)], int
        ``[start, end)`` sample intervals.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.tile(np.concatenate([np.ones(8192), np.zeros(16384)]), 2).astype(np.float32)
    >>> dsp.effects.split(y)
    array([[    0,  9216],
           [24064, 33792]])
    """
    y, non_silent = _nonsilent(y, frame_length, hop_length, top_db, ref, aggregate)
    edges = [np.flatnonzero(np.diff(non_silent.astype(int))) + 1]
    if non_silent[0]:
        edges.insert(0, np.array([0]))
    if non_silent[-1]:
        edges.append(np.array([len(non_silent)]))
    edges = np.minimum(np.concatenate(edges) * hop_length, y.shape[-1])
    return edges.reshape((-1, 2))


def preemphasis(y, *, coef=0.97, zi=None, return_zf=False):
    """Pre-emphasis ``y[n] - coef y[n-1]``, as ``librosa.effects.preemphasis``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], n >= 2
    coef : float
    zi : number or np.ndarray [shape=(..., 1)] or None
        The state added to the first output (default ``2 y[0] - y[1]``, librosa's).
    return_zf : bool
        Also return the final state ``-coef y[n-1]``.

    Returns
    -------
    y_out : np.ndarray [shape=y.shape], y's dtype
    zf : np.ndarray [shape=(..., 1)], optional

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.effects.preemphasis(np.array([1.0, 2.0, 3.0]), coef=0.5)
    array([1. , 1.5, 2. ])
    """
    y = as_float_array(y, name="y")
    coef = check_float("coef", coef)
    if y.shape[-1] < 2 and zi is None:
        raise DSPError(f"y has {y.shape[-1]} sample(s): the default zi needs at least 2 (or pass zi)")
    xp = array_module(y)
    c = y.dtype.type(coef)
    zi = 2 * y[..., 0:1] - y[..., 1:2] if zi is None else xp.asarray(np.atleast_1d(zi), dtype=y.dtype)
    out = xp.empty_like(y)
    out[..., :1] = y[..., :1] + zi
    out[..., 1:] = y[..., 1:] + (-c) * y[..., :-1]
    if return_zf:
        return out, (-c) * y[..., -1:]
    return out


def deemphasis(y, *, coef=0.97, zi=None, return_zf=False):
    """De-emphasis ``out[n] = y[n] + coef out[n-1]``, the inverse of :func:`preemphasis`, as
    ``librosa.effects.deemphasis``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], n >= 2
    coef : float
    zi : number or np.ndarray [shape=(..., 1)] or None
        The initial state; None: zero state, then the response to :func:`preemphasis`'s
        default initial condition is removed (so ``deemphasis(preemphasis(y)) == y``).
    return_zf : bool

    Returns
    -------
    y_out : np.ndarray [shape=y.shape], y's dtype
    zf : np.ndarray [shape=(..., 1)], optional

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.array([0.5, -1.0, 0.25, 1.0])
    >>> np.allclose(dsp.effects.deemphasis(dsp.effects.preemphasis(y)), y)
    True
    """
    y = as_float_array(y, name="y")
    coef = check_float("coef", coef)
    if is_cupy_array(y):
        # a sequential recurrence (no GPU twin): computed on the host, returned to the device
        import cupy

        res = deemphasis(y.get(), coef=coef, zi=zi.get() if is_cupy_array(zi) else zi, return_zf=return_zf)
        return tuple(cupy.asarray(r) for r in res) if return_zf else cupy.asarray(res)
    n = y.shape[-1]
    lead = y.shape[:-1]
    rows = np.ascontiguousarray(y.reshape(-1, n))
    if zi is None:
        if n < 2:
            raise DSPError(f"y has {n} sample(s): the default zi needs at least 2 (or pass zi)")
        z0 = np.zeros(rows.shape[0], y.dtype)
    else:
        z0 = np.broadcast_to(np.asarray(np.atleast_1d(zi), dtype=y.dtype), lead + (1,)).reshape(-1)
    out, zf = kernel("deemphasis")(rows, coef, z0)
    out = out.reshape(y.shape)
    if zi is None:
        out -= ((2 - coef) * y[..., 0:1] - y[..., 1:2]) / (3 - coef) * (coef ** np.arange(n))
    if return_zf:
        return out, zf.reshape(lead + (1,))
    return out


def mu_compress(x, *, mu=255, quantize=True):
    """mu-law compression, as ``librosa.mu_compress``.

    ``sign(x) log(1 + mu |x|) / log(1 + mu)``; with ``quantize``, the integer bin of that value
    among ``1 + mu`` levels in [-1, 1], centred on 0.

    Parameters
    ----------
    x : np.ndarray or float, values in [-1, 1]
    mu : float > 0
    quantize : bool

    Returns
    -------
    np.ndarray or float; int with ``quantize``

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.mu_compress(np.array([-1.0, -0.01, 0.0, 0.5, 1.0]))
    array([-128,  -29,    0,  112,  127])
    """
    mu = check_float("mu", mu)
    if mu <= 0:
        raise DSPError(f"mu={mu} must be > 0")
    xp = array_module(x)
    x = xp.asarray(x)
    if xp.any(x < -1) or xp.any(x > 1):
        raise DSPError("x has values outside [-1, 1]: mu-law needs -1 <= x <= 1")
    comp = xp.sign(x) * xp.log1p(mu * xp.abs(x)) / np.log1p(mu)
    if quantize:
        return xp.digitize(comp, xp.linspace(-1, 1, num=int(1 + mu), endpoint=True), right=True) - int(mu + 1) // 2
    return comp


def mu_expand(x, *, mu=255.0, quantize=True):
    """mu-law expansion, the inverse of :func:`mu_compress`, as ``librosa.mu_expand``.

    Parameters
    ----------
    x : np.ndarray or float
        Compressed values in [-1, 1], or integer levels with ``quantize``.
    mu : float > 0
    quantize : bool
        ``x`` holds levels in ``[-(mu+1)/2, (mu+1)/2]`` (scaled by ``2 / (1 + mu)`` first).

    Returns
    -------
    np.ndarray or float

    Examples
    --------
    >>> import numpy as np, dsp
    >>> np.round(dsp.mu_expand(np.array([-128, 0, 112, 127])), 3)
    array([-1.   ,  0.   ,  0.498,  0.957])
    """
    mu = check_float("mu", mu)
    if mu <= 0:
        raise DSPError(f"mu={mu} must be > 0")
    xp = array_module(x)
    x = xp.asarray(x)
    if quantize:
        x = x * 2.0 / (1 + mu)
    if xp.any(x < -1) or xp.any(x > 1):
        raise DSPError("x has values outside [-1, 1] (after scaling levels by 2 / (1 + mu)): need -1 <= x <= 1")
    return xp.sign(x) / mu * (xp.power(1 + mu, xp.abs(x)) - 1)
