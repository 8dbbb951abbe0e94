"""Tempo and beats with librosa 0.11's semantics: ``tempogram``, ``tempo``, ``beat_track``.

The tempo is the argmax over lags of the time-averaged, max-normalised autocorrelation tempogram
of the onset envelope plus a log-normal prior around ``start_bpm``; the beats come from the
dynamic-programming tracker in :mod:`dsp_kernels.cpu.beat`. Autocorrelations use our FFT: on
the CPU the fused kernels of :mod:`dsp_kernels.cpu.tempo` (the default tempo averages power
spectra and never stores the tempogram), on the GPU CuPy's FFTs over framed rows.
"""
from __future__ import annotations

import math

import numpy as np
from dsp_kernels.shapes import autocorr_fft_size

from ._backend import array_module, is_cupy_array
from ._dispatch import kernel, kernel_for
from ._errors import DSPError
from ._tempo_fourier import tempo_frequencies
from ._util import normalize
from ._validation import as_float_array, check_float, check_int

__all__ = ["tempogram", "tempo", "beat_track"]


def _envelope(y, sr, onset_envelope, hop_length, **kw):
    if onset_envelope is None:
        if y is None:
            raise DSPError("need y (audio) or onset_envelope: both are None")
        from ._onset import onset_strength

        return onset_strength(y=y, sr=sr, hop_length=hop_length, **kw)
    return as_float_array(onset_envelope, name="onset_envelope")


def _padded(env, win_length, center, xp):
    """The envelope as the tempogram frames it: centred, padded by ``win_length // 2`` frames of
    linear ramps to 0 (in the envelope's dtype, as librosa pads it)."""
    if center:
        pad = [(0, 0)] * (env.ndim - 1) + [(win_length // 2, win_length // 2)]
        env = xp.pad(env, pad, mode="linear_ramp", end_values=0)
    if env.shape[-1] < win_length:
        raise DSPError(f"onset_envelope has {env.shape[-1]} frames: need at least win_length={win_length}")
    return env


def _window(window, win_length):
    from .windows import get_window

    return np.asarray(get_window(window, win_length, fftbins=True), dtype=np.float64)


def _frame_source(env, win_length, center, window):
    """What the CPU autocorrelation kernels read (:mod:`dsp_kernels.cpu.tempo`): ``(src, w,
    n_frames, n_fft)``, frame ``t`` of channel ``r`` being ``src[r, t:t + n_fft] * w`` with ``w``
    the window zero-padded to ``n_fft``, so that ``src`` is the padded envelope followed by zeros."""
    n = env.shape[-1]
    padded = _padded(env, win_length, center, np)
    if not np.all(np.isfinite(padded)):
        raise DSPError("onset_envelope contains NaN or infinity: need finite values")
    n_frames = n if center else padded.shape[-1] - win_length + 1
    n_fft = autocorr_fft_size(win_length)
    src = np.zeros((math.prod(env.shape[:-1]), n_frames - 1 + n_fft))
    used = min(padded.shape[-1], src.shape[-1])
    src[:, :used] = padded.reshape(src.shape[0], -1)[:, :used]
    w = np.zeros(n_fft)
    w[:win_length] = _window(window, win_length)
    return src, w, n_frames, n_fft


def _mean_tempogram(env, win_length):
    """``tempogram(onset_envelope=env, win_length=win_length).mean(axis=-1, keepdims=True)``
    (NumPy, default centring, Hann window and inf-norm) without the tempogram: the CPU kernel
    averages the frames' normalised power spectra and inverts once (:mod:`dsp_kernels.cpu.tempo`)."""
    src, w, n_frames, n_fft = _frame_source(env, win_length, True, "hann")
    mean = kernel("tempo_mean_autocorrelation")(src, w, n_frames, n_fft, win_length)
    return mean.reshape(env.shape[:-1] + (win_length, 1))


def tempogram(*, y=None, sr=22050, onset_envelope=None, hop_length=512, win_length=384, center=True,
              window="hann", norm=np.inf):
    """Local autocorrelation of the onset envelope, as ``librosa.feature.tempogram``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    onset_envelope : np.ndarray [shape=(..., m)] or None
        Default :func:`dsp.onset.onset_strength` of ``y``.
    hop_length : int > 0
    win_length : int > 0
        Lags (frames) per autocorrelation window.
    center : bool
        Pad the envelope by ``win_length // 2`` (linear ramps to 0) so that window ``t`` is
        centred on frame ``t``.
    window : str, tuple, float, callable or np.ndarray
        The window applied before autocorrelating (:func:`dsp.get_window`).
    norm : float or None
        Per-frame normalisation over lags (:func:`dsp.util.normalize`).

    Returns
    -------
    np.ndarray [shape=(..., win_length, m)], float64

    Examples
    --------
    >>> import numpy as np, dsp
    >>> env = np.tile([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 50)
    >>> tg = dsp.feature.tempogram(onset_envelope=env, win_length=64)
    >>> tg.shape, int(tg[1:, 250].argmax()) + 1
    ((64, 500), 10)
    """
    win_length = check_int("win_length", win_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    env = _envelope(y, sr, onset_envelope, hop_length)
    xp = array_module(env)  # CuPy in, CuPy out: framing, window and FFTs stay on the device
    n = env.shape[-1]
    if xp is np and n > 0:
        # one fused kernel per block of frames: window, FFT, power, inverse FFT and inf-norm
        # in registers and scratch, written straight into the (lags, frames) layout
        src, w, n_frames, n_fft = _frame_source(env, win_length, center, window)
        inf_norm = norm is not None and not isinstance(norm, (bool, np.bool_)) and norm == np.inf
        ac = kernel("tempogram_autocorrelations")(src, w, n_frames, n_fft, win_length, inf_norm)
        ac = ac.reshape(env.shape[:-1] + ac.shape[-2:])
        return ac if inf_norm else normalize(ac, norm=norm, axis=-2)
    env = _padded(env, win_length, center, xp)
    from .spectral import frame

    frames = frame(env, frame_length=win_length, hop_length=1)
    if center:
        frames = frames[..., :n]
    w = xp.asarray(_window(window, win_length))
    n_pad = autocorr_fft_size(win_length)
    # one frame per row, windowed straight into its zero-padded FFT buffer: the transforms run on
    # contiguous rows with no transposed or padded copies, and the power spectrum is formed in
    # place (X * conj(X) is |X|**2 + 0j exactly)
    lead = frames.shape[:-2] + (frames.shape[-1],)
    rows = xp.zeros((math.prod(lead), n_pad), dtype=np.float64)
    xp.multiply(xp.swapaxes(frames, -1, -2).reshape(rows.shape[0], win_length), w, out=rows[:, :win_length])
    # the buffers are ours and finite: the FFT kernels are called without re-validating them
    spec = kernel_for("rfft", rows)(rows, 1.0)
    parts = spec.view(np.float64).reshape(spec.shape + (2,))
    xp.square(parts, out=parts)  # (re**2, im**2) in place, then |X|**2 + 0j
    parts[..., 0] += parts[..., 1]
    parts[..., 1] = 0.0
    ac = kernel_for("irfft", spec)(spec, n_pad, 1.0 / n_pad)[:, :win_length]
    ac = normalize(ac.reshape(lead + (win_length,)), norm=norm, axis=-1)
    return xp.swapaxes(ac, -1, -2)


def tempo(*, y=None, sr=22050, onset_envelope=None, tg=None, hop_length=512, start_bpm=120,
          std_bpm=1.0, ac_size=8.0, max_tempo=320.0, aggregate=np.mean, prior=None):
    """Tempo (beats per minute) from the onset autocorrelation, as ``librosa.feature.tempo``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    onset_envelope : np.ndarray [shape=(..., m)] or None
    tg : np.ndarray [shape=(..., n_lags, m)] or None
        A precomputed tempogram.
    hop_length : int > 0
    start_bpm : float > 0
        Centre of the log-normal prior.
    std_bpm : float > 0
        Its width, in octaves.
    ac_size : float > 0
        Autocorrelation window, seconds.
    max_tempo : float or None
        Tempi at or above it are excluded.
    aggregate : callable or None
        Reduction of the tempogram over time (None: one tempo per frame).
    prior : object with ``logpdf`` or None
        A scipy.stats distribution over BPM replacing the log-normal prior.

    Returns
    -------
    np.ndarray [shape=(..., 1) or (..., m)], float64

    Raises
    ------
    DSPError
        ``start_bpm <= 0`` and the tempogram's errors.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> sr, hop = 22050, 512
    >>> env = np.zeros(1000); env[::22] = 1.0        # an onset every 22 frames: 117.45 BPM
    >>> np.round(dsp.feature.tempo(onset_envelope=env, sr=sr, hop_length=hop), 2)
    array([117.45])
    """
    start_bpm = check_float("start_bpm", start_bpm, minimum=0.0, strict_minimum=True)
    std_bpm = check_float("std_bpm", std_bpm, minimum=0.0, strict_minimum=True)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    if tg is None:
        ac_size = check_float("ac_size", ac_size, minimum=0.0, strict_minimum=True)
        win_length = int(int(ac_size * sr) // hop_length)
        if win_length < 1:
            raise DSPError(f"ac_size={ac_size} s is shorter than one hop ({hop_length / sr:.4g} s)")
        env = _envelope(y, sr, onset_envelope, hop_length)
        if aggregate is np.mean and not is_cupy_array(env) and env.shape[-1] > 0:
            # the mean alone: no tempogram is stored (the same values up to rounding)
            tg = _mean_tempogram(env, win_length)
            aggregate = None
        else:
            tg = tempogram(onset_envelope=env, sr=sr, hop_length=hop_length, win_length=win_length)
    else:
        tg = as_float_array(tg, name="tg", min_ndim=2)
        win_length = tg.shape[-2]
    if aggregate is not None:
        tg = aggregate(tg, axis=-1, keepdims=True)
    bpms = tempo_frequencies(win_length, hop_length=hop_length, sr=sr)
    with np.errstate(divide="ignore"):
        if prior is None:
            logprior = -0.5 * ((np.log2(bpms) - np.log2(start_bpm)) / std_bpm) ** 2
        else:
            logprior = prior.logpdf(bpms)
    if max_tempo is not None:
        max_idx = int(np.argmax(bpms < check_float("max_tempo", max_tempo)))
        logprior[:max_idx] = -np.inf
    # the prior is a host vector of win_length values; the argmax runs where tg lives
    xp = array_module(tg)
    best = xp.argmax(xp.log1p(1e6 * tg) + xp.asarray(logprior)[:, None], axis=-2)
    return xp.take(xp.asarray(bpms), best)


def beat_track(*, y=None, sr=22050, onset_envelope=None, hop_length=512, start_bpm=120.0,
               tightness=100, trim=True, bpm=None, prior=None, units="frames", sparse=True):
    """Dynamic-programming beat tracker, as ``librosa.beat.beat_track``.

    The tempo (``bpm``, default :func:`tempo`) sets the expected spacing; beats maximise the
    onset strength around them minus ``tightness`` times the squared log-deviation of each gap
    from it (Ellis 2007); weak beats at the ends are trimmed (``trim``).

    With CuPy input the onset strength runs on the device and the tracker on the host (a
    sequential dynamic programme on one value per frame); the results are NumPy.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    onset_envelope : np.ndarray [shape=(..., m)] or None
        Default: :func:`dsp.onset.onset_strength` of ``y`` with ``aggregate=np.median``.
    hop_length : int > 0
    start_bpm : float > 0
    tightness : float > 0
    trim : bool
    bpm : float or np.ndarray or None
        A tempo (or one per frame) instead of estimating it.
    prior : scipy.stats distribution or None
    units : {'frames', 'samples', 'time'}
    sparse : bool
        True: beat positions (1-D envelopes only); False: a boolean array like the envelope.

    Returns
    -------
    tempo : np.ndarray [shape=(..., 1)] or float
    beats : np.ndarray

    Raises
    ------
    DSPError
        ``bpm`` or ``tightness`` not positive, an unknown ``units``, ``sparse`` with a
        multichannel envelope, neither ``y`` nor ``onset_envelope``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> sr = 22050
    >>> y = np.zeros(10 * sr, dtype=np.float32)
    >>> y[::sr // 2] = 1.0                              # a click every 0.5 s: 120 BPM
    >>> bpm, beats = dsp.beat.beat_track(y=y, sr=sr)
    >>> np.round(bpm, 2), beats[:5]
    (array([117.45]), array([ 22,  44,  65,  87, 108]))
    """
    if units not in ("frames", "samples", "time"):
        raise DSPError(f"units={units!r} is not supported: use 'frames', 'samples' or 'time'")
    hop_length = check_int("hop_length", hop_length, minimum=1)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    tightness = check_float("tightness", tightness)
    if tightness <= 0:
        raise DSPError(f"tightness={tightness} must be > 0")
    if onset_envelope is None:
        env = _envelope(y, sr, None, hop_length, aggregate=np.median)
    else:
        env = as_float_array(onset_envelope, name="onset_envelope")
    if is_cupy_array(env):
        # the tracker is a sequential dynamic programme (no GPU twin): the onset strength is
        # computed on the device, its per-frame envelope (small) is tracked on the host
        env = env.get()
    if sparse and env.ndim != 1:
        raise DSPError(f"sparse=True needs a 1-D onset envelope, got {env.ndim} dimensions: pass "
                       "sparse=False or a mono signal")
    if not env.any():
        if sparse:
            return 0.0, np.array([], dtype=int)
        return np.zeros(env.shape[:-1]), np.zeros_like(env, dtype=bool)
    if bpm is None:
        bpm = tempo(onset_envelope=env, sr=sr, hop_length=hop_length, start_bpm=start_bpm, prior=prior)
    b = np.atleast_1d(np.asarray(bpm, dtype=np.float64))
    if np.any(b <= 0):
        raise DSPError(f"bpm={bpm} must be > 0")
    b = b.reshape(b.shape + (1,) * (env.ndim - b.ndim))
    if b.shape[-1] not in (1, env.shape[-1]):
        raise DSPError(f"bpm has shape {np.shape(bpm)}: it must hold one tempo or one per frame "
                       f"of the envelope {env.shape}")
    fpb = np.round(float(sr) / hop_length * 60.0 / b)
    normed = env / (env.std(ddof=1, axis=-1, keepdims=True) + np.finfo(env.dtype).tiny)
    n = env.shape[-1]
    rows = np.ascontiguousarray(normed.reshape(-1, n), dtype=np.float64)
    fpb_rows = np.ascontiguousarray(np.broadcast_to(fpb, env.shape[:-1] + fpb.shape[-1:]).reshape(rows.shape[0], -1))
    tight32 = float(np.float32(tightness))  # librosa's kernel takes tightness as float32
    beats = kernel("beat_track")(rows, fpb_rows, tight32, bool(trim)).reshape(env.shape)
    if not sparse:
        return bpm, beats
    frames = np.flatnonzero(beats)
    if units == "samples":
        return bpm, frames * hop_length
    if units == "time":
        from .convert import frames_to_time

        return bpm, frames_to_time(frames, sr=sr, hop_length=hop_length)
    return bpm, frames
