"""The parameter checks shared by ``stft``, ``istft`` and ``melspectrogram``.

Each returns the normalised value or raises :class:`dsp.DSPError` naming the parameter, the value
and what is accepted (the vocabulary of :mod:`dsp._validation`). The frame count itself is the
bottom layer's (:func:`dsp_kernels.shapes.stft_n_frames`), as the kernels use it.
"""
from __future__ import annotations

import warnings

import numpy as np

from dsp_kernels.shapes import stft_n_frames

from ._backend import is_cupy_array
from ._errors import DSPError
from ._validation import check_dtype, check_int

#: pad modes librosa 0.11's stft accepts with center=True
PAD_MODES = ("constant", "edge", "linear_ramp", "reflect", "symmetric", "empty")
#: modes NumPy's pad has that depend on the whole signal: librosa.stft refuses them too
WHOLE_SIGNAL_MODES = ("wrap", "maximum", "mean", "median", "minimum")


def lengths(n_fft, hop_length, win_length) -> tuple[int, int, int]:
    """``(n_fft, hop_length, win_length)`` checked, with librosa's defaults for the None ones.

    ``win_length`` defaults to ``n_fft``, ``hop_length`` to ``win_length // 4``.

    >>> lengths(2048, None, None)
    (2048, 512, 2048)
    """
    n_fft = check_int("n_fft", n_fft, minimum=2)
    if win_length is None:
        win_length = n_fft
    win_length = check_int("win_length", win_length, minimum=1)
    if win_length > n_fft:
        raise DSPError(f"win_length={win_length} is larger than n_fft={n_fft}: need win_length <= n_fft")
    if hop_length is None:
        hop_length = win_length // 4
        if hop_length < 1:
            raise DSPError(
                f"hop_length defaults to win_length // 4 = 0 for win_length={win_length}: "
                "pass hop_length >= 1"
            )
    hop_length = check_int("hop_length", hop_length, minimum=1)
    return n_fft, hop_length, win_length


def check_pad_mode(pad_mode) -> str:
    """One of :data:`PAD_MODES` (the whole-signal modes are refused with a reason)."""
    if isinstance(pad_mode, str) and pad_mode in WHOLE_SIGNAL_MODES:
        raise DSPError(
            f"pad_mode={pad_mode!r} is not supported: it depends on the whole signal (librosa.stft "
            f"refuses it too); use one of {', '.join(repr(m) for m in PAD_MODES)}"
        )
    if not isinstance(pad_mode, str) or pad_mode not in PAD_MODES:
        raise DSPError(
            f"pad_mode={pad_mode!r} is not supported: use one of {', '.join(repr(m) for m in PAD_MODES)}"
        )
    return pad_mode


def n_frames(n: int, n_fft: int, hop_length: int, center: bool, *, stacklevel: int = 3) -> int:
    """Frames of a signal of ``n`` samples (``n >= 1`` checked by the caller).

    Centred, a frame longer than the signal only warns (as librosa); uncentred, it raises.
    ``stacklevel`` points the warning at the public function's caller.
    """
    if center and n_fft > n:
        warnings.warn(f"n_fft={n_fft} is too large for input signal of length={n}", stacklevel=stacklevel)
    if not center and n < n_fft:
        raise DSPError(
            f"n_fft={n_fft} is too large for center=False analysis of a signal of length "
            f"{n}: need at least n_fft samples, or center=True"
        )
    return stft_n_frames(n, n_fft, hop_length, center)


def precision(dtype, *, name: str, kind: str) -> np.dtype:
    """float32/float64 for a ``dtype`` argument that must be complex (kind 'c') or real ('f')."""
    accepted = (np.complex64, np.complex128) if kind == "c" else (np.float32, np.float64)
    dt = check_dtype(name, dtype, accepted)
    return np.dtype(np.float32) if dt in (np.complex64, np.float32) else np.dtype(np.float64)


def check_out(out) -> None:
    """``out`` must be a writable NumPy or CuPy array."""
    if not (isinstance(out, np.ndarray) or is_cupy_array(out)):
        raise DSPError(f"out must be a NumPy or CuPy array, got {type(out).__name__}")
    if isinstance(out, np.ndarray) and not out.flags.writeable:
        raise DSPError("out is read-only: need a writable array")
