"""Inversion with librosa 0.11's signatures: ``griffinlim`` (fast Griffin-Lim on our stft/istft),
``mel_to_stft`` (non-negative least squares), ``mel_to_audio``, ``mfcc_to_mel``, ``mfcc_to_audio``.

``mel_to_stft`` solves ``min ||A X - M||^2, X >= 0`` (A the mel filterbank) by accelerated
projected gradient (FISTA) from the clipped pseudo-inverse solution, as librosa starts its
L-BFGS-B; the problem is underdetermined, so solutions differ between solvers: what is promised
is a residual no worse than librosa's (tested), not equal values.

CuPy in, CuPy out: Griffin-Lim's stft/istft run on their GPU twins and its phase updates are
device arithmetic (the random initial phases are drawn on the host, from the same generator as
for NumPy input, and uploaded once); the NNLS iterations are device matmuls, with the small
filterbank's pseudo-inverse and norm taken on the host.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ._backend import array_module
from ._errors import DSPError
from ._validation import as_float_array, check_float, check_int

__all__ = ["griffinlim", "mel_to_stft", "mel_to_audio", "mfcc_to_mel", "mfcc_to_audio"]


def griffinlim(S, *, n_iter=32, hop_length=None, win_length=None, n_fft=None, window="hann",
               center=True, dtype=None, length=None, pad_mode="constant", momentum=0.99,
               init="random", random_state=None):
    """Phase reconstruction by fast Griffin-Lim, as ``librosa.griffinlim``.

    Alternates :func:`dsp.istft` and :func:`dsp.stft`, keeping the given magnitudes and the
    rebuilt phases, with the momentum term of Perraudin et al. (2013).

    Parameters
    ----------
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)], non-negative
        Magnitudes.
    n_iter : int > 0
    hop_length, win_length, n_fft, window, center, pad_mode :
        The STFT's parameters (``n_fft`` default ``2 (S.shape[-2] - 1)``).
    dtype : np.dtype or None
        The output's real dtype (default from S).
    length : int or None
        Output length.
    momentum : float >= 0
        (> 1 warns: may be unstable.)
    init : {'random', None}
        Random phases, or zero phases.
    random_state : None, int, np.random.RandomState or np.random.Generator
        The phases' generator (an int seeds ``np.random.RandomState``, as librosa).

    Returns
    -------
    np.ndarray [shape=(..., n)]

    Raises
    ------
    DSPError
        ``n_iter < 1``, ``momentum < 0``, an unknown ``init`` or ``random_state``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> S = np.abs(dsp.stft(y))
    >>> y_hat = dsp.griffinlim(S, n_iter=8, random_state=0, length=len(y))
    >>> y_hat.shape, y_hat.dtype
    ((22050,), dtype('float32'))
    """
    from .spectral import istft, stft

    S = as_float_array(S, name="S", min_ndim=2)
    n_iter = check_int("n_iter", n_iter, minimum=1)
    momentum = check_float("momentum", momentum)
    if momentum > 1:
        warnings.warn(f"Griffin-Lim with momentum={momentum} > 1 can be unstable. Proceed with caution!",
                      stacklevel=2)
    elif momentum < 0:
        raise DSPError(f"momentum={momentum} must be >= 0")
    if init not in ("random", None):
        raise DSPError(f"init={init!r} is not supported: use 'random' or None")
    if random_state is None:
        rng = np.random.default_rng()
    elif isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        rng = np.random.RandomState(seed=int(random_state))
    elif isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        rng = random_state
    else:
        raise DSPError(f"random_state={random_state!r} is not supported: use None, an int, a "
                       "np.random.RandomState or a np.random.Generator")
    if n_fft is None:
        n_fft = 2 * (S.shape[-2] - 1)
    xp = array_module(S)
    cdt = np.complex64 if S.dtype == np.float32 else np.complex128
    angles = xp.empty(S.shape, dtype=cdt)
    eps = np.finfo(angles.dtype).tiny
    if init == "random":
        angles[:] = xp.asarray(np.exp(1j * (2 * np.pi * rng.random(size=S.shape))))
    else:
        angles[:] = 1.0
    angles *= S
    stft_kw = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center)
    rebuilt = tprev = inverse = None
    scale = momentum / (1 + momentum)
    if xp is np and (dtype is None or np.dtype(dtype) == S.dtype) and S.ndim >= 2:
        out = _griffinlim_cpu(S, angles, n_iter, scale, eps, length, pad_mode, stft_kw)
        if out is not None:
            return out
    for _ in range(n_iter):
        inverse = istft(angles, dtype=dtype, length=length, out=inverse, **stft_kw)
        rebuilt = stft(inverse, pad_mode=pad_mode, out=rebuilt, **stft_kw)
        angles[:] = rebuilt
        if tprev is not None:
            angles -= scale * tprev
        angles /= xp.abs(angles) + eps
        angles *= S
        rebuilt, tprev = tprev, rebuilt
    return istft(angles, dtype=dtype, length=length, out=inverse, **stft_kw)


def _griffinlim_cpu(S, angles, n_iter, scale, eps, length, pad_mode, stft_kw):
    """griffinlim's iterations on the CPU kernels: the spectra kept frame-major (the STFT
    kernel's own layout, written in place), the phase update one fused pass
    (``phase_update``), the checks of stft/istft done once, on the first round. None when the
    rebuilt spectrogram does not have S's shape (the caller's loop then reports it)."""
    from . import _stft_params as stft_params
    from ._dispatch import kernel
    from .spectral import fft_window, istft, stft

    lead, (n_bins, T) = S.shape[:-2], S.shape[-2:]
    batch = math.prod(lead)
    Sf = np.ascontiguousarray(np.swapaxes(S.reshape(batch, n_bins, T), 1, 2))
    A = np.ascontiguousarray(np.swapaxes(angles.reshape(batch, n_bins, T), 1, 2))
    inverse = istft(np.swapaxes(A, 1, 2).reshape(S.shape), length=length, **stft_kw)
    rebuilt = stft(inverse, pad_mode=pad_mode, **stft_kw)
    if rebuilt.shape != S.shape:
        return None
    n_fft, hop, win_length = stft_params.lengths(stft_kw["n_fft"], stft_kw["hop_length"],
                                                 stft_kw["win_length"])
    win = fft_window(stft_kw["window"], win_length, n_fft)
    common = dict(n_fft=n_fft, hop_length=hop, window=win, center=stft_kw["center"])
    ist, st, update = kernel("istft"), kernel("stft"), kernel("phase_update")
    inv2 = inverse.reshape(batch, -1)
    R = np.ascontiguousarray(np.swapaxes(rebuilt.reshape(batch, n_bins, T), 1, 2))
    P = np.empty_like(R)
    for it in range(n_iter):
        if it:
            ist(np.swapaxes(A, 1, 2), length=length, out=inv2, **common)
            st(inv2, pad_mode=pad_mode, out=R, **common)
        update(A.reshape(-1), R.reshape(-1), P.reshape(-1) if it else None, scale, Sf.reshape(-1),
               eps)
        R, P = P, R
    ist(np.swapaxes(A, 1, 2), length=length, out=inv2, **common)
    return inverse


def _nnls(A, B, n_iter=60, tol=1e-8):
    """FISTA for ``min ||A X - B||_F^2, X >= 0`` from the clipped pseudo-inverse, in float64."""
    xp = array_module(B)
    A64 = np.asarray(A, dtype=np.float64)  # the filterbank: a small host table
    B64 = B.astype(np.float64)
    X = xp.clip(xp.matmul(xp.asarray(np.linalg.pinv(A64)), B64), 0, None)
    L = np.linalg.norm(A64, 2) ** 2
    if L == 0:
        return X
    Y, t = X.copy(), 1.0
    A_dev = xp.asarray(A64)
    At = A_dev.T
    for _ in range(n_iter):
        G = xp.matmul(At, xp.matmul(A_dev, Y) - B64)
        X_new = xp.maximum(Y - G / L, 0.0)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        Y = X_new + ((t - 1) / t_new) * (X_new - X)
        change = float(xp.max(xp.abs(X_new - X)))
        X, t = X_new, t_new
        if change <= tol * max(float(xp.max(X)), 1e-300):
            break
    return X


def mel_to_stft(M, *, sr=22050, n_fft=2048, power=2.0, **kwargs):
    """Approximate STFT magnitudes from a mel spectrogram, as ``librosa.feature.inverse.mel_to_stft``.

    Non-negative least squares against the mel filterbank, then the ``power``-th root.

    Parameters
    ----------
    M : np.ndarray [shape=(..., n_mels, t)], non-negative
    sr : float > 0
    n_fft : int > 1
    power : float > 0
    **kwargs :
        :func:`dsp.mel_filterbank`'s ``fmin``, ``fmax``, ``htk``, ``norm``.

    Returns
    -------
    np.ndarray [shape=(..., 1 + n_fft // 2, t)], M's dtype

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)
    >>> S = dsp.feature.inverse.mel_to_stft(dsp.melspectrogram(y=y, sr=22050))
    >>> S.shape
    (1025, 44)
    """
    from .mel import mel_filterbank

    M = as_float_array(M, name="M", min_ndim=2)
    power = check_float("power", power, minimum=0.0, strict_minimum=True)
    if M.size and M.min() < 0:
        raise DSPError("M has negative values: need a non-negative mel spectrogram")
    A = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=M.shape[-2], dtype=M.dtype, **kwargs)
    lead, (n_mels, t) = M.shape[:-2], M.shape[-2:]
    xp = array_module(M)
    B = xp.moveaxis(M, -2, 0).reshape(n_mels, -1)
    X = _nnls(A, B).astype(M.dtype)
    X = xp.moveaxis(X.reshape((A.shape[1],) + lead + (t,)), 0, -2)
    return xp.power(X, 1.0 / power, out=X)


def mel_to_audio(M, *, sr=22050, n_fft=2048, hop_length=None, win_length=None, window="hann",
                 center=True, pad_mode="constant", power=2.0, n_iter=32, length=None,
                 dtype=np.float32, **kwargs):
    """Audio from a mel spectrogram (NNLS then Griffin-Lim), as ``librosa.feature.inverse.mel_to_audio``.

    Parameters
    ----------
    M : np.ndarray [shape=(..., n_mels, t)]
    sr, n_fft, power, **kwargs :
        As :func:`mel_to_stft`.
    hop_length, win_length, window, center, pad_mode, n_iter, length, dtype :
        As :func:`griffinlim`.

    Returns
    -------
    np.ndarray [shape=(..., n)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)
    >>> dsp.feature.inverse.mel_to_audio(dsp.melspectrogram(y=y, sr=22050), n_iter=4).shape
    (22016,)
    """
    S = mel_to_stft(M, sr=sr, n_fft=n_fft, power=power, **kwargs)
    return griffinlim(S, n_iter=n_iter, hop_length=hop_length, win_length=win_length, n_fft=n_fft,
                      window=window, center=center, dtype=dtype, length=length, pad_mode=pad_mode)


def mfcc_to_mel(mfcc, *, n_mels=128, dct_type=2, norm="ortho", ref=1.0, lifter=0):
    """Mel power spectrogram from MFCCs, as ``librosa.feature.inverse.mfcc_to_mel``.

    Undo the lifter, inverse DCT to ``n_mels`` bands, then dB to power.

    Parameters
    ----------
    mfcc : np.ndarray [shape=(..., n_mfcc, t)]
    n_mels : int > 0
    dct_type : {1, 2, 3}
    norm : {None, 'ortho'}
    ref : float
    lifter : float >= 0

    Returns
    -------
    np.ndarray [shape=(..., n_mels, t)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)
    >>> dsp.feature.inverse.mfcc_to_mel(dsp.mfcc(y=y, sr=22050)).shape
    (128, 44)
    """
    from ._dct import idct
    from ._decibel import db_to_power

    mfcc = as_float_array(mfcc, name="mfcc", min_ndim=2)
    n_mels = check_int("n_mels", n_mels, minimum=1)
    lifter = check_float("lifter", lifter)
    if lifter > 0:
        idx = np.arange(1, 1 + mfcc.shape[-2], dtype=mfcc.dtype)[:, None]
        sine = 1 + lifter * 0.5 * np.sin(np.pi * idx / lifter)
        if np.any(np.abs(sine) < np.finfo(sine.dtype).eps):
            warnings.warn("lifter array includes critical values that may invoke underflow.", UserWarning, stacklevel=2)
        mfcc = mfcc / array_module(mfcc).asarray(sine + np.finfo(mfcc.dtype).tiny)
    elif lifter != 0:
        raise DSPError(f"lifter={lifter} must be >= 0")
    logmel = idct(mfcc, axis=-2, type=dct_type, norm=norm, n=n_mels)
    return db_to_power(logmel, ref=ref)


def mfcc_to_audio(mfcc, *, n_mels=128, dct_type=2, norm="ortho", ref=1.0, lifter=0, **kwargs):
    """Audio from MFCCs (:func:`mfcc_to_mel` then :func:`mel_to_audio`), as
    ``librosa.feature.inverse.mfcc_to_audio``.

    Parameters
    ----------
    mfcc : np.ndarray [shape=(..., n_mfcc, t)]
    n_mels, dct_type, norm, ref, lifter :
        As :func:`mfcc_to_mel`.
    **kwargs :
        :func:`mel_to_audio`'s parameters.

    Returns
    -------
    np.ndarray [shape=(..., n)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)
    >>> dsp.feature.inverse.mfcc_to_audio(dsp.mfcc(y=y, sr=22050), n_iter=4).shape
    (22016,)
    """
    M = mfcc_to_mel(mfcc, n_mels=n_mels, dct_type=dct_type, norm=norm, ref=ref, lifter=lifter)
    return mel_to_audio(M, **kwargs)
