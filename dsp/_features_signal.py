"""Frame statistics of the signal with librosa 0.11's signatures: ``rms`` (from ``y`` or a
spectrogram ``S``) and ``zero_crossing_rate``, returned as ``(..., 1, n_frames)``.

The per-frame arithmetic runs in float64 in :mod:`dsp_kernels.cpu.features` (``signal_frames``,
``column_stats``); re-exported by :mod:`dsp._features_spectral` and :mod:`dsp.feature`.
"""
from __future__ import annotations

import numpy as np

from ._dispatch import kernel_for
from ._errors import DSPError
from ._validation import as_float_array, check_choice, check_dtype, check_float, check_int
from ._features_common import _NP_PAD_MODES, _rows

__all__ = ["rms", "zero_crossing_rate"]


def rms(*, y=None, S=None, frame_length=2048, hop_length=512, center=True, pad_mode="constant",
        dtype=np.float32):
    """Root-mean-square energy per frame, as ``librosa.feature.rms``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; with ``center`` it is padded by ``frame_length // 2`` on each side (``pad_mode``,
        any of numpy.pad's modes, as librosa).
    S : np.ndarray [shape=(..., 1 + frame_length // 2, t)] or None
        A spectrogram (complex or magnitude) to use instead: the energy is the Parseval sum of
        its squared magnitudes, halving the DC and (for even ``frame_length``) Nyquist bins.
    frame_length : int > 0
    hop_length : int > 0
    center : bool
    pad_mode : str
    dtype : np.dtype
        Output type (float32 by default, as librosa).

    Returns
    -------
    np.ndarray [shape=(..., 1, t)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.ones(4096, dtype=np.float32)
    >>> r = dsp.feature.rms(y=y, frame_length=1024, hop_length=512, center=False)
    >>> r.shape, float(r[0, 0])
    ((1, 7), 1.0)
    """
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    out_dtype = check_dtype("dtype", dtype)
    if out_dtype.kind not in "fc":
        raise DSPError(f"dtype={out_dtype} is not supported: use a floating dtype such as float32")
    if y is not None:
        y = as_float_array(y, name="y")
        check_choice("pad_mode", pad_mode, _NP_PAD_MODES)
        if center:
            pad = [(0, 0)] * (y.ndim - 1) + [(frame_length // 2, frame_length // 2)]
            y = np.pad(y, pad, mode="constant" if pad_mode == "empty" else pad_mode)
        n = y.shape[-1]
        if n < frame_length:
            raise DSPError(f"y has {n} samples (after padding): need at least frame_length={frame_length}")
        n_frames = 1 + (n - frame_length) // hop_length
        lead = y.shape[:-1]
        y2 = np.ascontiguousarray(y.reshape(-1, n))
        power = kernel_for("signal_frames", y2)(y2, frame_length, hop_length, n_frames, 0)
        return np.sqrt(power).reshape(lead + (1, n_frames)).astype(out_dtype, copy=False)
    if S is None:
        raise DSPError("rms needs y (audio) or S (a spectrogram): both are None")
    S = as_float_array(S, name="S", allow_complex=True, min_ndim=2)
    if S.shape[-2] != frame_length // 2 + 1:
        raise DSPError(
            f"frame_length={frame_length} does not match S.shape[-2]={S.shape[-2]}: need "
            f"frame_length = {2 * S.shape[-2] - 2} or {2 * S.shape[-2] - 1}"
        )
    if S.dtype.kind == "c":  # |S| in float64, so that float32 rounding of |S| is not squared
        S = np.sqrt(np.square(S.real, dtype=np.float64) + np.square(S.imag, dtype=np.float64))
    M, lead, t = _rows(S)
    power = kernel_for("column_stats", M)(M, np.zeros(M.shape[1]), 4, float(frame_length), float(frame_length % 2))
    return np.sqrt(power).reshape(lead + (1, t)).astype(out_dtype, copy=False)


def zero_crossing_rate(y, *, frame_length=2048, hop_length=512, center=True, **kwargs):
    """Fraction of sign changes per frame, as ``librosa.feature.zero_crossing_rate``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Audio; with ``center`` it is padded by ``frame_length // 2`` edge samples on each side.
    frame_length : int > 0
    hop_length : int > 0
    center : bool
    **kwargs :
        librosa.zero_crossings' ``threshold`` (1e-10: smaller magnitudes count as 0),
        ``ref_magnitude`` (a number or a callable of ``|y|`` scaling the threshold),
        ``zero_pos`` (True: 0 counts as positive; False: 0 is its own sign) and ``pad``
        (whether each frame's first sample counts as a crossing, default False).

    Returns
    -------
    np.ndarray [shape=(..., 1, t)], float64

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.tile([1.0, -1.0], 2048)
    >>> float(dsp.feature.zero_crossing_rate(y, center=False)[0, 0])
    0.99951171875
    """
    y = as_float_array(y, name="y")
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    unknown = sorted(set(kwargs) - {"threshold", "ref_magnitude", "zero_pos", "pad", "axis"})
    if unknown:
        raise DSPError(f"unexpected keyword argument(s) {', '.join(unknown)}: accepted are "
                       "threshold, ref_magnitude, zero_pos, pad")
    if kwargs.get("axis", -2) != -2:
        raise DSPError(f"axis={kwargs['axis']!r} is not supported: the frames' axis is -2")
    threshold = kwargs.get("threshold", 1e-10)
    threshold = 0.0 if threshold is None else check_float("threshold", threshold)
    ref = kwargs.get("ref_magnitude", None)
    if center:
        pad = [(0, 0)] * (y.ndim - 1) + [(frame_length // 2, frame_length // 2)]
        y = np.pad(y, pad, mode="edge")
    n = y.shape[-1]
    if n < frame_length:
        raise DSPError(f"y has {n} samples (after padding): need at least frame_length={frame_length}")
    if callable(ref):
        n_frames0 = 1 + (n - frame_length) // hop_length
        used = y[..., : (n_frames0 - 1) * hop_length + frame_length]
        threshold = threshold * float(ref(np.abs(used)))
    elif ref is not None:
        threshold = threshold * check_float("ref_magnitude", ref)
    n_frames = 1 + (n - frame_length) // hop_length
    lead = y.shape[:-1]
    y2 = np.ascontiguousarray(y.reshape(-1, n))
    z = kernel_for("signal_frames", y2)(y2, frame_length, hop_length, n_frames, 1, threshold,
                              bool(kwargs.get("zero_pos", True)))
    if kwargs.get("pad", False):
        z += 1.0 / frame_length
    return z.reshape(lead + (1, n_frames))
