"""Short-time Fourier analysis with librosa 0.11's signatures: ``frame``, ``stft``, ``istft``,
``magphase`` and the decibel conversions.

Shapes follow librosa: a signal ``(..., n)`` gives a spectrogram ``(..., 1 + n_fft//2, n_frames)``
(leading axes are channels), float32 gives complex64 and float64 complex128. Each frame's
spectrum is contiguous in memory (for one channel this is librosa's own Fortran layout).

Centre padding (``center=True``) follows librosa 0.11: frame ``t`` covers the samples
``t*hop_length - n_fft//2 .. + n_fft`` of the signal extended by ``pad_mode``; the padding is
computed on the fly, never by copying the signal. The accepted modes are librosa's:
``'constant'`` (the default), ``'edge'``, ``'linear_ramp'``, ``'reflect'``, ``'symmetric'`` and
``'empty'`` (treated as ``'constant'``); ``'wrap'``, ``'maximum'``, ``'mean'``, ``'median'`` and
``'minimum'`` depend on the whole signal and are refused, as librosa does.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
from dsp_kernels.caches import table_cache
from dsp_kernels.shapes import istft_length

from ._backend import array_module, backend_of, is_cupy_array
from ._dispatch import kernel
from ._decibel import amplitude_to_db, db_to_amplitude, db_to_power, magphase, power_to_db
from ._errors import DSPError
from . import _stft_params as stft_params
from ._validation import (
    all_finite, as_float_array, check_allocation, check_axis, check_bool, check_int, not_finite,
)
from .windows import _cached_window

__all__ = [
    "frame", "stft", "istft", "magphase", "power_to_db", "amplitude_to_db", "db_to_power",
    "db_to_amplitude",
]

# ---------------------------------------------------------------------------------------------
# frame


def frame(x, *, frame_length: int, hop_length: int, axis: int = -1, writeable: bool = False,
          subok: bool = False):
    """Slice an array into overlapping frames, as a strided view (librosa.util.frame).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n, ...)]
        Any dtype; it is not copied.
    frame_length : int > 0
    hop_length : int > 0
    axis : int
        The axis to frame: the frames go along it and a new within-frame axis is inserted
        before it (``axis < 0``) or after it (``axis >= 0``).
    writeable : bool
        Whether the view may be written to (frames overlap: writes show up in several frames).
    subok : bool
        Keep ndarray subclasses.

    Returns
    -------
    np.ndarray [shape=(..., frame_length, n_frames) for axis=-1, (n_frames, frame_length, ...)
    for axis=0]
        ``n_frames = 1 + (n - frame_length) // hop_length``.

    Raises
    ------
    DSPError
        ``frame_length`` or ``hop_length`` < 1, or ``x`` shorter than one frame along ``axis``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.frame(np.arange(10), frame_length=4, hop_length=3)
    array([[0, 3, 6],
           [1, 4, 7],
           [2, 5, 8],
           [3, 6, 9]])
    """
    xp = array_module(x)
    if is_cupy_array(x):
        from cupy.lib.stride_tricks import as_strided
    else:
        from numpy.lib.stride_tricks import as_strided

        x = np.asanyarray(x) if subok else np.asarray(x)
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    if x.ndim == 0:
        raise DSPError("x is a scalar: need an array with at least one dimension")
    ax = check_axis(axis, x.ndim)
    n = x.shape[ax]
    if n < frame_length:
        raise DSPError(f"x is too short (n={n} along axis={axis}) for frame_length={frame_length}")
    shape = x.shape[:ax] + (n - frame_length + 1,) + x.shape[ax + 1:] + (frame_length,)
    strides = x.strides + (x.strides[ax],)
    kw = {"writeable": bool(writeable)} if xp is np else {}
    if xp is np and writeable and not x.flags.writeable:
        raise DSPError("writeable=True needs a writeable x")
    view = as_strided(x, shape=shape, strides=strides, **kw)
    view = xp.moveaxis(view, -1, axis - 1 if axis < 0 else ax + 1)
    sl = [slice(None)] * view.ndim
    sl[axis if axis < 0 else ax] = slice(0, None, hop_length)
    return view[tuple(sl)]


# ---------------------------------------------------------------------------------------------
# windows


def _hashable(window) -> bool:
    return isinstance(window, (str, tuple)) or (
        isinstance(window, numbers.Real) and not isinstance(window, (bool, np.bool_))
    )


@table_cache(maxsize=128)
def _padded_window_cached(window, win_length: int, n_fft: int) -> np.ndarray:
    return _pad_center(_cached_window(window, win_length, True, np.float64), n_fft)


def _pad_center(w: np.ndarray, n_fft: int) -> np.ndarray:
    out = np.zeros(n_fft, dtype=np.float64)
    lpad = (n_fft - w.shape[0]) // 2
    out[lpad:lpad + w.shape[0]] = w
    out.flags.writeable = False
    return out


def fft_window(window, win_length: int, n_fft: int) -> np.ndarray:
    """The periodic window of ``win_length`` centred in ``n_fft`` zeros, float64, read-only.

    The analysis window of stft, istft and melspectrogram (not in ``__all__``: not public).
    """
    if _hashable(window):
        try:
            return _padded_window_cached(window, win_length, n_fft)
        except TypeError:  # a tuple holding something unhashable
            pass
    return _pad_center(_cached_window(window, win_length, True, np.float64), n_fft)


def _writable_view(out, shape):
    """``out`` reshaped to ``shape`` without a copy, or None when that is impossible."""
    if not out.flags.c_contiguous or not out.flags.writeable:
        return None
    return out.reshape(shape)


# ---------------------------------------------------------------------------------------------
# stft


def stft(y, *, n_fft: int = 2048, hop_length=None, win_length=None, window="hann",
         center: bool = True, dtype=None, pad_mode: str = "constant", out=None):
    """Short-time Fourier transform, as ``librosa.stft``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], real
        The signal; leading axes are channels. float32 or float64.
    n_fft : int >= 2
        Frame length (FFT size). Any size works; smooth sizes (2^a 3^b 5^c ...) are fastest.
    hop_length : int > 0
        Samples between frames. Default ``win_length // 4``.
    win_length : int, 1 <= win_length <= n_fft
        Window length, default ``n_fft``; a shorter window is centred in the frame.
    window : str, tuple, float, callable or np.ndarray [shape=(win_length,)]
        Any spec of :func:`dsp.get_window`, periodic.
    center : bool
        True: frame ``t`` is centred on sample ``t * hop_length`` (the signal is extended by
        ``n_fft // 2`` samples on each side by ``pad_mode``). False: frame ``t`` starts there.
    dtype : np.complex64 or np.complex128, optional
        Output type; default complex64 for float32 input, complex128 for float64. The transform
        runs in the matching real precision.
    pad_mode : str
        ``'constant'`` (zeros), ``'edge'``, ``'linear_ramp'``, ``'reflect'``, ``'symmetric'`` or
        ``'empty'`` (zeros here).
    out : np.ndarray [shape=(..., 1 + n_fft//2, >= n_frames)], complex, optional
        Written in place (its dtype wins over ``dtype``); when it has more frames than needed,
        the first ``n_frames`` are used and that slice is returned.

    Returns
    -------
    np.ndarray [shape=(..., 1 + n_fft//2, n_frames)], complex
        ``n_frames = 1 + (n + 2*(n_fft//2) - n_fft) // hop_length`` (centred) or
        ``1 + (n - n_fft) // hop_length``.

    Raises
    ------
    DSPError
        Bad lengths, integer/complex/non-finite ``y``, ``center=False`` with ``n < n_fft``,
        an unsupported ``pad_mode``, ``dtype`` or ``out``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> S = dsp.stft(y, n_fft=1024, hop_length=256)
    >>> S.shape, S.dtype
    ((513, 87), dtype('complex64'))
    """
    # NaN and infinity: the kernel finds them from its frames' DC bins when it writes a new
    # array (below); before writing into the caller's ``out`` they are refused first
    y = as_float_array(y, name="y", finite=out is not None)
    n_fft, hop_length, win_length = stft_params.lengths(n_fft, hop_length, win_length)
    center = check_bool("center", center)
    pad_mode = stft_params.check_pad_mode(pad_mode)
    n = y.shape[-1]
    if n == 0:
        raise DSPError("y has 0 samples: need at least one")
    n_frames = stft_params.n_frames(n, n_fft, hop_length, center)
    n_freq = 1 + n_fft // 2
    lead = y.shape[:-1]
    check_allocation(f"n_fft={n_fft}", 2 * n_fft, 8, what="a window and its FFT plan")
    if out is None:
        batch = math.prod(lead)
        check_allocation(f"n_fft={n_fft}, hop_length={hop_length} for {n} samples",
                         batch * n_frames * n_freq, 16 if y.dtype == np.float64 else 8,
                         what="a spectrogram")

    if out is not None:
        stft_params.check_out(out)
        if is_cupy_array(out) != is_cupy_array(y):
            raise DSPError("out must live where y lives (both NumPy or both CuPy)")
        if out.dtype not in (np.complex64, np.complex128):
            raise DSPError(f"out has dtype {out.dtype}: need complex64 or complex128")
        if out.shape[:-1] != lead + (n_freq,) or out.shape[-1] < n_frames:
            raise DSPError(
                f"out.shape={out.shape} does not fit the result shape "
                f"{lead + (n_freq, n_frames)} (the last axis may be longer)"
            )
        real = np.dtype(np.float32) if out.dtype == np.complex64 else np.dtype(np.float64)
    elif dtype is not None:
        real = stft_params.precision(dtype, name="dtype", kind="c")
    else:
        real = y.dtype
    given = y
    if y.dtype != real:
        y = y.astype(real)

    win = fft_window(window, win_length, n_fft)
    backend = backend_of(y)
    stft_kernel = kernel("stft", backend)
    y2, _ = _flatten(y)
    params = dict(n_fft=n_fft, hop_length=hop_length, window=win, center=center, pad_mode=pad_mode)
    if out is not None:
        target = out if out.shape[-1] == n_frames else out[..., :n_frames]
        if backend == "cpu":
            # the kernel writes (batch, n_frames, n_freq) rows: usable when that view is a plain reshape
            rows = _writable_view(np.swapaxes(target, -1, -2), (y2.shape[0], n_frames, n_freq))
            if rows is not None:
                stft_kernel(y2, out=rows, **params)
                return target
        target[...] = stft_kernel(y2, **params).reshape(lead + (n_freq, n_frames))
        return target
    S, finite = stft_kernel(y2, check_finite=True, **params)
    # a narrowing to float32 can overflow: then the caller's own samples decide
    if not finite and (given is y or not all_finite(given)):
        raise not_finite("y")
    return S.reshape(lead + (n_freq, n_frames))


def _flatten(x):
    """``x`` (..., n) as C-contiguous rows (batch, n)."""
    xp = array_module(x)
    return xp.ascontiguousarray(x.reshape((-1, x.shape[-1]))), x.shape[:-1]


# ---------------------------------------------------------------------------------------------
# istft


def istft(stft_matrix, *, hop_length=None, win_length=None, n_fft=None, window="hann",
          center: bool = True, dtype=None, length=None, out=None):
    """Inverse short-time Fourier transform, as ``librosa.istft``.

    Each frame is inverted with a real inverse FFT, windowed and overlap-added; the sum is divided
    by the window's sum-square envelope wherever that exceeds the smallest normal number (so
    ``istft(stft(y))`` returns ``y`` for any window satisfying the NOLA condition).

    Parameters
    ----------
    stft_matrix : np.ndarray [shape=(..., n_freq, n_frames)], complex
        Leading axes are channels.
    hop_length : int > 0
        Default ``win_length // 4``.
    win_length : int, 1 <= win_length <= n_fft
        Default ``n_fft``.
    n_fft : int >= 2
        Default ``2 * (n_freq - 1)``. When ``1 + n_fft//2 != n_freq`` the spectra are cropped
        or zero-extended (as ``np.fft.irfft``).
    window : str, tuple, float, callable or np.ndarray [shape=(win_length,)]
        The analysis window (see :func:`dsp.get_window`).
    center : bool
        Whether the STFT was centred: the first ``n_fft // 2`` samples are then trimmed.
    dtype : np.float32 or np.float64, optional
        Output type; default float32 for complex64, float64 for complex128.
    length : int > 0, optional
        Exact output length: frames past it are not computed, and the output is zero-padded if
        longer than the frames reach.
    out : np.ndarray [shape=(..., n_out)], real, optional
        Written in place (its dtype wins over ``dtype``) and returned.

    Returns
    -------
    np.ndarray [shape=(..., n_out)], real
        ``n_out = length``, or ``n_fft + hop_length * (n_frames - 1)`` less ``2 * (n_fft // 2)``
        when ``center``.

    Raises
    ------
    DSPError
        Non-finite or too-small ``stft_matrix``, bad lengths, ``dtype`` or ``out``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.random.default_rng(0).standard_normal(4000)
    >>> y_hat = dsp.istft(dsp.stft(y, n_fft=512), length=len(y))
    >>> bool(np.allclose(y, y_hat))
    True
    """
    S = as_float_array(stft_matrix, name="stft_matrix", allow_complex=True, min_ndim=2)
    n_freq, n_stft_frames = S.shape[-2], S.shape[-1]
    if n_fft is None:
        if n_freq < 2:
            raise DSPError(
                f"stft_matrix has {n_freq} frequency bin(s): n_fft = 2 * (n_freq - 1) would be "
                f"{2 * (n_freq - 1)}; pass n_fft >= 2"
            )
        n_fft = 2 * (n_freq - 1)
    n_fft, hop_length, win_length = stft_params.lengths(n_fft, hop_length, win_length)
    center = check_bool("center", center)
    if n_stft_frames < 1:
        raise DSPError("stft_matrix has 0 frames: need at least one")
    if length is not None:
        length = check_int("length", length, minimum=1)
        n_out = length
    else:
        n_out = istft_length(n_stft_frames, n_fft, hop_length, center)
    lead = S.shape[:-2]
    check_allocation(f"n_fft={n_fft}", 2 * n_fft, 8, what="a window and its FFT plan")
    check_allocation(f"length={length}" if length is not None else
                     f"n_fft={n_fft}, hop_length={hop_length}",
                     math.prod(lead) * max(n_out, 0), 8, what="an output signal")

    if out is not None:
        stft_params.check_out(out)
        if is_cupy_array(out) != is_cupy_array(S):
            raise DSPError("out must live where stft_matrix lives (both NumPy or both CuPy)")
        if out.dtype not in (np.float32, np.float64):
            raise DSPError(f"out has dtype {out.dtype}: need float32 or float64")
        if out.shape != lead + (n_out,):
            raise DSPError(f"out.shape={out.shape} != the result shape {lead + (n_out,)}")
        real = out.dtype
    elif dtype is not None:
        real = stft_params.precision(dtype, name="dtype", kind="f")
    else:
        real = np.dtype(np.float32) if S.dtype in (np.float32, np.complex64) else np.dtype(np.float64)
    cdt = np.dtype(np.complex64) if real == np.float32 else np.dtype(np.complex128)
    if S.dtype != cdt:
        S = S.astype(cdt)

    win = fft_window(window, win_length, n_fft)
    backend = backend_of(S)
    istft_kernel = kernel("istft", backend)
    S3 = S.reshape((-1, n_freq, n_stft_frames))
    params = dict(n_fft=n_fft, hop_length=hop_length, window=win, center=center, length=length)
    if out is not None:
        if backend == "cpu":
            rows = _writable_view(out, (S3.shape[0], n_out))
            if rows is not None:
                istft_kernel(S3, out=rows, **params)
                return out
        out[...] = istft_kernel(S3, **params).reshape(out.shape)
        return out
    return istft_kernel(S3, **params).reshape(lead + (n_out,))
