"""Onset detection with librosa 0.11's semantics: ``onset_strength``, ``onset_detect``,
``onset_backtrack``.

``onset_strength`` from audio is one fused mel spectrogram (float32 audio is transformed in
float64 and rounded to float32, as librosa's float64 window makes it do), dB scaling, and one
kernel for the positive spectral flux against a maximum-filtered reference, averaged over bins.

CuPy in, CuPy out: on the device the mel spectrogram, the dB, the flux (``onset_flux``) and the
detrending filter (``detrend``, one thread per row) run on the GPU twins; a custom ``ref``,
``aggregate`` or ``channels`` runs as CuPy arithmetic. ``onset_detect``'s peak picking is a
sequential scan: the (small, per-frame) envelope goes to the host for it.
"""
from __future__ import annotations

import numpy as np

from ._backend import array_module, is_cupy_array
from ._dispatch import kernel, kernel_for
from ._errors import DSPError
from ._validation import as_float_array, check_float, check_int

__all__ = ["onset_strength", "onset_strength_multi", "onset_detect", "onset_backtrack"]


def _positive_int(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DSPError(f"{name}={value!r} is not supported: need a positive integer")
    return int(value)


def _mel_db(y, sr, n_fft, hop_length, kwargs):
    from ._decibel import power_to_db
    from .mel import _mel_from_audio, melspectrogram

    y = as_float_array(y, name="y", finite=False)  # its dtype; the mel call checks the values
    kwargs.setdefault("fmax", 0.5 * sr)
    # the STFT keywords with melspectrogram's own defaults (its signature is their one place)
    stft_kw = [kwargs.pop(k, melspectrogram.__kwdefaults__[k])
               for k in ("win_length", "window", "center", "pad_mode", "power")]
    # float32 audio transformed in float64 (the module note), converted inside the mel call
    M = _mel_from_audio(y, sr, n_fft, hop_length, *stft_kw, kwargs, transform_dtype=np.float64)
    if y.dtype == np.float32:
        M = M.astype(np.result_type(np.float32, kwargs.get("dtype", np.float32)))
    return power_to_db(M)


def _channel_slices(channels, n):
    """librosa.util.sync's slices: ``slice`` objects as given, or the spans between sorted
    boundaries (those past ``n`` dropped; 0 and n are not added)."""
    if channels is None:
        return [slice(None)]
    channels = list(channels)
    if all(isinstance(c, slice) for c in channels):
        return channels
    try:
        b = np.asarray(channels, dtype=int)
    except (TypeError, ValueError) as exc:
        raise DSPError(f"channels={channels!r} must be slices or integer bin boundaries") from exc
    if np.any(b < 0):
        raise DSPError(f"channels={channels!r} has a negative boundary: need bin indices >= 0")
    b = np.unique(b[b <= n])  # boundaries past the last bin are dropped, as librosa.util.fix_frames does
    if b.size < 2:
        raise DSPError(f"channels={channels!r} gives no band: need at least two distinct boundaries")
    return [slice(int(a), int(c)) for a, c in zip(b[:-1], b[1:])]


def _max_filter_bins(S, max_size, xp):
    """``S`` maximum-filtered over ``max_size`` bins (axis -2) with scipy.ndimage's 'reflect'
    edges (numpy's 'symmetric'), as the maximum of ``max_size`` shifted views: plain array
    arithmetic, so it stays where ``S`` lives (NumPy or CuPy)."""
    if max_size == 1:
        return S
    lo, hi = max_size // 2, (max_size - 1) // 2
    padded = xp.pad(S, [(0, 0)] * (S.ndim - 2) + [(lo, hi), (0, 0)], mode="symmetric")
    n = S.shape[-2]
    ref = padded[..., 0:n, :]
    for j in range(1, max_size):
        ref = xp.maximum(ref, padded[..., j:j + n, :])
    return ref


def onset_strength(*, y=None, sr=22050, S=None, lag=1, max_size=1, ref=None, detrend=False,
                   center=True, feature=None, aggregate=None, **kwargs):
    """Spectral-flux onset strength envelope, as ``librosa.onset.onset_strength``.

    :func:`onset_strength_multi` with a single channel spanning all bins; see it for the
    parameters.

    Returns
    -------
    np.ndarray [shape=(..., t)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.zeros(22050, dtype=np.float32); y[11025:11125] = 1.0
    >>> env = dsp.onset.onset_strength(y=y, sr=22050)
    >>> env.shape, int(env.argmax())
    ((44,), 22)
    """
    if aggregate is False:
        raise DSPError("aggregate=False is not supported by onset_strength: pass a callable or None")
    return onset_strength_multi(y=y, sr=sr, S=S, lag=lag, max_size=max_size, ref=ref, detrend=detrend,
                                center=center, feature=feature, aggregate=aggregate, channels=None,
                                **kwargs)[..., 0, :]


def onset_strength_multi(*, y=None, sr=22050, S=None, lag=1, max_size=1, ref=None, detrend=False,
                         center=True, feature=None, aggregate=None, channels=None, **kwargs):
    """Spectral-flux onset strength per band of bins, as ``librosa.onset.onset_strength_multi``.

    ``mean_k max(0, S[k, t] - ref[k, t - lag])`` with ``S`` the dB mel spectrogram and ``ref``
    ``S`` maximum-filtered over ``max_size`` bins (SuperFlux); the envelope is shifted right by
    ``lag`` (plus ``n_fft // (2 hop_length)`` frames when ``center``) so that it lines up with
    the frames.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    S : np.ndarray [shape=(..., d, t)] or None
        A (log-power) spectrogram instead of ``y``.
    lag : int > 0
    max_size : int > 0
    ref : np.ndarray [shape=S.shape] or None
        The reference spectrum (default: ``S`` maximum-filtered).
    detrend : bool
        Remove the DC component with ``(1 - z^-1) / (1 - 0.99 z^-1)``.
    center : bool
    feature : callable or None
        Spectrogram function of ``(y=, sr=, n_fft=, hop_length=, **kwargs)``, default
        :func:`dsp.melspectrogram` (with ``fmax = sr / 2``).
    aggregate : callable or None
        Reduction over bins (``np.mean`` by default: a fused kernel).
    channels : list of slices or of int bin boundaries, or None
        The bands to aggregate separately (None: all bins in one).
    **kwargs :
        ``n_fft`` (2048), ``hop_length`` (512) and the feature's parameters.

    Returns
    -------
    np.ndarray [shape=(..., n_channels, t)]

    Raises
    ------
    DSPError
        ``lag`` or ``max_size`` not a positive integer, ``aggregate=False``, a ``ref`` of
        another shape, bad ``channels``, neither ``y`` nor ``S``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.zeros(22050, dtype=np.float32); y[11025:11125] = 1.0
    >>> env = dsp.onset.onset_strength_multi(y=y, sr=22050, channels=[0, 32, 64, 96, 128])
    >>> env.shape, int(env[0].argmax())
    ((4, 44), 22)
    """
    if aggregate is False:
        raise DSPError("aggregate=False is not supported: pass a callable or None")
    lag = _positive_int("lag", lag)
    max_size = _positive_int("max_size", max_size)
    n_fft = check_int("n_fft", kwargs.pop("n_fft", 2048), minimum=2)
    hop_length = check_int("hop_length", kwargs.pop("hop_length", 512), minimum=1)
    if S is None:
        if y is None:
            raise DSPError("onset_strength needs y (audio) or S (a spectrogram): both are None")
        sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
        if feature is None:
            S = _mel_db(y, sr, n_fft, hop_length, kwargs)
        else:
            from ._decibel import power_to_db

            S = feature(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, **kwargs)
            S = power_to_db(array_module(S).abs(S))
    else:
        S = as_float_array(S, name="S")
    xp = array_module(S)
    S = xp.atleast_2d(S)
    T = S.shape[-1]
    if T <= lag:
        raise DSPError(f"S has {T} frame(s): lag={lag} needs more than {lag}")
    if ref is not None:
        ref = as_float_array(ref, name="ref")
        if ref.shape != S.shape:
            raise DSPError(f"ref has shape {ref.shape}: it must match S's shape {S.shape}")
    lead = S.shape[:-2]
    if ref is None and aggregate is None and channels is None:
        if xp is np and max_size == 1 and S.shape[-2] > 0:
            # the default: the same sums along S's own rows (dsp_kernels.cpu.onset_mean)
            S3 = np.ascontiguousarray(S.reshape((-1,) + S.shape[-2:]))
            env = kernel("onset_mean_flux")(S3, lag)
        else:
            rows = xp.ascontiguousarray(xp.swapaxes(S, -1, -2).reshape((-1, T, S.shape[-2])))
            env = kernel_for("onset_flux", rows)(rows, lag, max_size)
        env = env.reshape(lead + (1, T - lag)).astype(S.dtype, copy=False)
    else:
        if ref is None:
            ref = _max_filter_bins(S, max_size, xp)
        if (aggregate is np.median and channels is None and xp is np and S.shape[-2] > 0
                and ref.dtype == S.dtype and S.dtype in (np.float32, np.float64)):
            # beat_track's envelope: one pass per frame and a selection, not np.median's
            # partial sort of the whole difference array (dsp_kernels.cpu.onset_median)
            S3 = S.reshape((-1,) + S.shape[-2:])
            ref3 = ref.reshape(S3.shape)
            env = kernel("onset_median_flux")(S3, ref3, lag).reshape(lead + (1, T - lag))
            return _finish_envelope(env, lag, n_fft, hop_length, center, detrend, T, xp)
        diff = xp.maximum(0.0, S[..., lag:] - ref[..., :-lag])
        agg = xp.mean if aggregate is None else aggregate
        env = xp.stack([agg(diff[..., sl, :], axis=-2) for sl in _channel_slices(channels, S.shape[-2])], axis=-2)
    return _finish_envelope(env, lag, n_fft, hop_length, center, detrend, T, xp)


def _finish_envelope(env, lag, n_fft, hop_length, center, detrend, T, xp):
    """librosa's padding of the aggregated flux to the frames' timing, its optional DC filter
    and the trim to ``T`` frames."""
    pad = lag + (n_fft // (2 * hop_length) if center else 0)
    env = xp.pad(env, [(0, 0)] * (env.ndim - 1) + [(pad, 0)], mode="constant")
    if detrend:
        rows = xp.ascontiguousarray(env.reshape(-1, env.shape[-1]), dtype=np.float64)
        env = kernel_for("detrend", rows)(rows).reshape(env.shape)
    if center:
        env = env[..., :T]
    return env


def onset_backtrack(events, energy):
    """Move each onset back to the preceding local minimum of ``energy``, as
    ``librosa.onset.onset_backtrack``.

    Parameters
    ----------
    events : np.ndarray [shape=(m,)], int
        Onset frames.
    energy : np.ndarray [shape=(n,)]
        The envelope to search (e.g. the onset strength or an RMS curve).

    Returns
    -------
    np.ndarray [shape=(m,)], int

    Examples
    --------
    >>> import numpy as np, dsp
    >>> e = np.array([3, 2, 1, 2, 5, 4, 3, 4, 9, 1.0])
    >>> dsp.onset.onset_backtrack(np.array([4, 8]), e)
    array([2, 6])
    """
    events = np.asarray(events)
    energy = np.asarray(energy)
    if energy.ndim != 1:
        raise DSPError(f"energy has {energy.ndim} dimensions: need a 1-D envelope")
    minima = np.flatnonzero((energy[1:-1] <= energy[:-2]) & (energy[1:-1] < energy[2:])) + 1
    minima = np.unique(np.concatenate(([0], minima)))
    if events.size == 0:
        return np.zeros(0, dtype=minima.dtype)
    pos = np.searchsorted(minima, events, side="right") - 1
    return minima[np.maximum(pos, 0)]


def onset_detect(*, y=None, sr=22050, onset_envelope=None, hop_length=512, backtrack=False,
                 energy=None, units="frames", normalize=True, sparse=True, **kwargs):
    """Onsets as peaks of the onset strength, as ``librosa.onset.onset_detect``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    sr : float > 0
    onset_envelope : np.ndarray [shape=(..., m)] or None
        Precomputed :func:`onset_strength`.
    hop_length : int > 0
    backtrack : bool
        Roll each onset back to the preceding minimum of ``energy`` (needs ``sparse``).
    energy : np.ndarray or None
        Default: the onset envelope.
    units : {'frames', 'samples', 'time'}
    normalize : bool
        Scale the envelope to [0, 1] first.
    sparse : bool
        True: onset positions (1-D input only); False: a boolean array.
    **kwargs :
        :func:`dsp.util.peak_pick`'s parameters; defaults 30 ms / 100 ms windows,
        ``delta=0.07``.

    Returns
    -------
    np.ndarray
        Frames (int), samples (int) or seconds (float); or a boolean mask. Always NumPy: with
        CuPy input the onset strength is computed on the device and its envelope (one value per
        frame) is copied to the host for the peak picking, a sequential scan.

    Raises
    ------
    DSPError
        Neither ``y`` nor ``onset_envelope``, an unknown ``units``, ``backtrack`` without
        ``sparse``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.zeros(2 * 22050, dtype=np.float32)
    >>> y[[11025, 33075]] = 1.0
    >>> dsp.onset.onset_detect(y=y, sr=22050)
    array([22, 65])
    """
    if units not in ("frames", "samples", "time"):
        raise DSPError(f"units={units!r} is not supported: use 'frames', 'samples' or 'time'")
    hop_length = check_int("hop_length", hop_length, minimum=1)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    if backtrack and not sparse:
        raise DSPError("backtrack=True needs sparse=True: onsets are moved one by one")
    if onset_envelope is None:
        if y is None:
            raise DSPError("onset_detect needs y (audio) or onset_envelope: both are None")
        onset_envelope = onset_strength(y=y, sr=sr, hop_length=hop_length)
    env = as_float_array(onset_envelope, name="onset_envelope", finite=False)
    if is_cupy_array(env):
        # peak picking is a sequential, data-dependent scan (no GPU twin): the per-frame envelope
        # (small) goes to the host; the onsets come back as NumPy arrays
        env = env.get()
    if normalize:
        env = env - np.min(env, keepdims=True, axis=-1)
        env /= np.max(env, keepdims=True, axis=-1) + np.finfo(env.dtype).tiny
    if not env.any() or not np.all(np.isfinite(env)):
        return np.array([], dtype=int) if sparse else np.zeros_like(env, dtype=bool)
    kwargs.setdefault("pre_max", 0.03 * sr // hop_length)
    kwargs.setdefault("post_max", 0.00 * sr // hop_length + 1)
    kwargs.setdefault("pre_avg", 0.10 * sr // hop_length)
    kwargs.setdefault("post_avg", 0.10 * sr // hop_length + 1)
    kwargs.setdefault("wait", 0.03 * sr // hop_length)
    kwargs.setdefault("delta", 0.07)
    from ._util import peak_pick

    onsets = peak_pick(env, sparse=sparse, axis=-1, **kwargs)
    if backtrack:
        onsets = onset_backtrack(onsets, env if energy is None else energy)
    if sparse:
        if units == "samples":
            onsets = onsets * hop_length
        elif units == "time":
            from .convert import frames_to_time

            onsets = frames_to_time(onsets, sr=sr, hop_length=hop_length)
    return onsets
