"""The bottom layer: facts about shapes, lengths and mode ids that dsp, both twins and the
benchmarks share, written once.

This module imports nothing from the project and nothing but the standard library and NumPy, so
every layer may import it (``dsp`` -> ``dsp_kernels.shapes`` <- ``dsp_kernels.cpu`` /
``dsp_kernels.gpu`` / ``pyramids`` / ``benchmarks``). It holds plain Python: the numbers a kernel
receives (mode ids, pad codes, an :class:`StftGeometry`) and the length rules every caller must
agree on. Validation and error messages belong to :mod:`dsp`; this module assumes valid input.

Examples
--------
>>> from dsp_kernels.shapes import stft_n_frames, istft_length, dwt_len, MODES
>>> stft_n_frames(22050, 2048, 512, center=True)
44
>>> istft_length(44, 2048, 512, center=True)
22016
>>> dwt_len(1000, 8, MODES["symmetric"])
503
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "MODES", "PERIODIZATION", "NEEDS_TWO_SAMPLES", "dwt_len", "idwt_len", "dwt_max_level",
    "PAD_MODES", "StftGeometry", "stft_geometry", "stft_n_frames", "istft_length",
    "istft_frames", "window_support", "autocorr_fft_size", "halving_block_outputs",
]

# --------------------------------------------------------------------------------------------
# DWT signal-extension modes (the rules behind each id are tabled in dsp/_wavelet_modes.py)
# --------------------------------------------------------------------------------------------

#: mode name -> integer id passed to the kernels (PyWavelets' ``pywt.Modes`` numbering)
MODES = {
    "zero": 0,
    "symmetric": 1,
    "constant": 2,
    "smooth": 3,
    "periodic": 4,
    "periodization": 5,
    "reflect": 6,
    "antisymmetric": 7,
    "antireflect": 8,
}
PERIODIZATION = MODES["periodization"]
#: modes that need at least two samples (their mirror has no second sample otherwise)
NEEDS_TWO_SAMPLES = (MODES["reflect"], MODES["antireflect"])


def dwt_len(data_len: int, filter_len: int, mode: int) -> int:
    """Coefficients of each kind one DWT level makes from ``data_len`` samples.

    ``ceil(N / 2)`` for periodization, ``floor((N + F - 1) / 2)`` for every other mode.
    """
    if mode == PERIODIZATION:
        return (data_len + 1) // 2
    return (data_len + filter_len - 1) // 2


def idwt_len(coeff_len: int, filter_len: int, mode: int) -> int:
    """Samples one inverse DWT level makes from ``coeff_len`` coefficients of each kind.

    ``2 n`` for periodization, ``2 n - F + 2`` otherwise; zero or negative when the coefficients
    are too short for the filter.
    """
    if mode == PERIODIZATION:
        return 2 * coeff_len
    return 2 * coeff_len - filter_len + 2


def dwt_max_level(data_len: int, filter_len: int) -> int:
    """``floor(log2(data_len / (filter_len - 1)))``, or 0 when the signal is shorter than that.

    The deepest level at which at least one coefficient is free of boundary effects.
    """
    if filter_len <= 1 or data_len < filter_len - 1:
        return 0
    # exact integer form of floor(log2(a / b)): the largest L with b * 2**L <= a
    level = 0
    while (filter_len - 1) << (level + 1) <= data_len:
        level += 1
    return level


# --------------------------------------------------------------------------------------------
# STFT framing (librosa 0.11's geometry; the padding rules are tabled in kernels/cpu/framing.py)
# --------------------------------------------------------------------------------------------

#: pad-mode name -> code the frame loaders take, on the CPU and the GPU alike
PAD_MODES = {"constant": 0, "empty": 0, "edge": 1, "linear_ramp": 2, "reflect": 3, "symmetric": 4}


class StftGeometry(NamedTuple):
    """The framing of one signal length as librosa 0.11 does it (all ints, passable to Numba).

    ``half`` is the centre padding (``n_fft // 2`` or 0); frames ``t < start_k`` read left padding;
    with ``whole == 0``, frames ``t >= tail_k`` pad from the slice ``y[post_lo:]`` (librosa pads
    head and tail separately); ``[wlo, whi)`` is the window's non-zero support.
    """

    n_fft: int
    hop: int
    n: int
    center: int
    mode: int
    half: int
    start_k: int
    tail_k: int
    whole: int
    post_lo: int
    wlo: int
    whi: int
    n_frames: int


def stft_n_frames(n: int, n_fft: int, hop_length: int, center: bool) -> int:
    """librosa's frame count: ``1 + (n + 2 (n_fft // 2) - n_fft) // hop`` centred, else without
    the padding. Below 1 means the signal is too short for one frame."""
    padded = n + 2 * (n_fft // 2) if center else n
    return 1 + (padded - n_fft) // hop_length


def istft_length(n_frames: int, n_fft: int, hop_length: int, center: bool) -> int:
    """Samples the inverse STFT of ``n_frames`` frames yields when no ``length`` is given:
    ``n_fft + hop (n_frames - 1)``, less the centre padding ``2 (n_fft // 2)`` when centred."""
    return n_fft + hop_length * (n_frames - 1) - (2 * (n_fft // 2) if center else 0)


def istft_frames(n_stft_frames: int, *, n_fft: int, hop_length: int, center: bool,
                 length: int | None) -> tuple[int, int]:
    """librosa's ``(frames used, output length)`` for an inverse STFT: with ``length``, only the
    ``ceil(padded / hop)`` frames that reach into ``length`` samples (plus the centre padding);
    without, every frame and :func:`istft_length`."""
    if length:
        padded = length + 2 * (n_fft // 2) if center else length
        return min(n_stft_frames, -(-padded // hop_length)), length
    return n_stft_frames, istft_length(n_stft_frames, n_fft, hop_length, center)


#: supports of immutable windows (read-only, owning their data: the cached analysis windows
#: and their casts), by identity. Finding one costs about 2 us, a tenth of the set-up of a
#: small call; each entry holds its window, so no other array can take its id. Registered
#: with dsp.clear_caches by dsp_kernels.cpu.windows.
SUPPORTS: dict = {}


def window_support(window: np.ndarray) -> tuple[int, int]:
    """``(wlo, whi)``: the window is zero outside ``[wlo, whi)`` (``(0, 0)`` if all zero)."""
    hit = SUPPORTS.get(id(window))
    if hit is not None and hit[0] is window:
        return hit[1]
    nz = np.flatnonzero(window)
    support = (0, 0) if nz.size == 0 else (int(nz[0]), int(nz[-1]) + 1)
    if not window.flags.writeable and window.base is None:
        if len(SUPPORTS) >= 64:
            SUPPORTS.clear()
        SUPPORTS[id(window)] = (window, support)
    return support


def stft_geometry(n: int, n_fft: int, hop_length: int, center: bool, pad_mode: str,
                  window: np.ndarray | None = None) -> StftGeometry:
    """The :class:`StftGeometry` of a length-``n`` signal (parameters already validated:
    ``stft_n_frames(...) >= 1``). ``window`` (length ``n_fft``) only serves to skip the samples
    it zeroes; the GPU passes none."""
    half = n_fft // 2 if center else 0
    wlo, whi = (0, n_fft) if window is None else window_support(window)
    start_k = tail_k = whole = post_lo = 0
    if center:
        # librosa: head frames are those that need left padding, tail frames start at tail_k
        start_k = -(-half // hop_length)
        tail_k = (n + half - n_fft) // hop_length + 1
        whole = 1 if tail_k <= start_k else 0
        post_lo = 0 if whole else tail_k * hop_length - half
    return StftGeometry(n_fft, hop_length, n, int(bool(center)), PAD_MODES[pad_mode], half,
                        start_k, tail_k, whole, post_lo, wlo, whi,
                        stft_n_frames(n, n_fft, hop_length, center))


# --------------------------------------------------------------------------------------------
# autocorrelation by FFT (the tempogram and tempo of dsp._beat, on either device)
# --------------------------------------------------------------------------------------------


def autocorr_fft_size(win_length: int) -> int:
    """FFT size for the linear autocorrelation of ``win_length`` samples: ``2 m`` with ``m`` the
    smallest 5-smooth number ``>= win_length``.

    Any size ``>= 2 win_length - 1`` gives the same lags ``0 .. win_length - 1`` (librosa uses
    ``2 win_length - 1`` itself). An even size whose half has only the factors 2, 3 and 5 keeps
    the real transform on the CPU engine's half-length trick and blocked passes (no Bluestein):
    384 lags -> 768 points, where the next power of two (1024) costs about 1.7 times as much.

    >>> autocorr_fft_size(384), autocorr_fft_size(7)
    (768, 16)
    """
    m = max(1, int(win_length))
    while True:
        r = m
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return 2 * m
        m += 1


# --------------------------------------------------------------------------------------------
# decimation by 2 by fast convolution (dsp._resample_halving, the cqt_halve kernels)
# --------------------------------------------------------------------------------------------


def halving_block_outputs(n_fft: int, n_taps: int) -> int:
    """Outputs of one block of the decimating overlap-save: a block of ``n_fft`` samples, its
    spectrum folded onto ``n_fft / 2`` bins and inverted there, keeps ``n_fft / 2 - n_taps // 2
    + 1`` outputs; the rest is the filter's wrap-around.

    >>> halving_block_outputs(4096, 270)
    1914
    """
    return n_fft // 2 - n_taps // 2 + 1
