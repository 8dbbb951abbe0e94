"""Per-channel energy normalisation, ``pcen``, with librosa 0.11's semantics.

The smoother is a one-pole IIR filter along time, sequential per channel/bin and parallel
across them, fused with the per-sample gain and root compression in
:func:`dsp_kernels.cpu.features.pcen` (float64 arithmetic, float64 result as librosa's).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ._backend import array_module
from ._dispatch import kernel, kernel_for
from ._errors import DSPError
from ._validation import as_float_array, check_axis, check_float, check_int

__all__ = ["pcen"]


def pcen(S, *, sr=22050, hop_length=512, gain=0.98, bias=2, power=0.5, time_constant=0.400,
         eps=1e-6, b=None, max_size=1, ref=None, axis=-1, max_axis=None, zi=None, return_zf=False):
    """Per-channel energy normalisation, as ``librosa.pcen``.

    ``M = lfilter([b], [1, b - 1], ref)`` smooths the energy along ``axis`` (from the steady
    state ``zi``), then ``(S / (eps + M) ** gain + bias) ** power - bias ** power``, computed in
    librosa's numerically stable forms (``power = 0``: ``log1p``; ``bias = 0``: exp-log).

    Parameters
    ----------
    S : np.ndarray [shape=(..., d, t)], non-negative
        A magnitude or power spectrogram (complex input is replaced by its magnitude, with a
        warning).
    sr : float > 0
    hop_length : int > 0
    gain : float >= 0
    bias : float >= 0
    power : float >= 0
    time_constant : float > 0
        Seconds; sets ``b`` when ``b`` is None.
    eps : float > 0
    b : float in [0, 1] or None
        The smoother's coefficient.
    max_size : int > 0
        Maximum-filter ``S`` over ``max_size`` bins (along ``max_axis``) to form ``ref``.
    ref : np.ndarray [shape=S.shape] or None
    axis : int
        The time axis.
    max_axis : int or None
        The frequency axis for ``max_size > 1`` (default: the other axis of a 2-D ``S``).
    zi : np.ndarray or None
        The smoother's initial state (shape of ``S`` with 1 along ``axis``); default its steady
        state for a constant input of 1.
    return_zf : bool
        Also return the final state (for streaming).

    Returns
    -------
    P : np.ndarray [shape=S.shape], float64
    zf : np.ndarray, optional

    Raises
    ------
    DSPError
        A negative ``gain``, ``bias`` or ``power``; ``eps`` or ``time_constant`` not > 0;
        ``b`` outside [0, 1]; ``max_size`` not a positive integer; a mismatched ``ref``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> S = np.abs(np.random.default_rng(0).standard_normal((128, 50))) * 2 ** 31
    >>> P = dsp.pcen(S)
    >>> P.shape, P.dtype
    ((128, 50), dtype('float64'))
    """
    S = as_float_array(S, name="S", allow_complex=True)
    power = check_float("power", power, minimum=0.0)
    gain = check_float("gain", gain, minimum=0.0)
    bias = check_float("bias", bias, minimum=0.0)
    eps = check_float("eps", eps, minimum=0.0, strict_minimum=True)
    time_constant = check_float("time_constant", time_constant, minimum=0.0, strict_minimum=True)
    if isinstance(max_size, (bool, np.bool_)) or not isinstance(max_size, (int, np.integer)) or max_size < 1:
        raise DSPError(f"max_size={max_size!r} is not supported: need a positive integer")
    hop_length = check_int("hop_length", hop_length, minimum=1)
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    if b is None:
        t_frames = time_constant * sr / float(hop_length)
        b = (np.sqrt(1 + 4 * t_frames ** 2) - 1) / (2 * t_frames ** 2)
    b = check_float("b", b)
    if not 0 <= b <= 1:
        raise DSPError(f"b={b} is out of range: need 0 <= b <= 1")
    if S.dtype.kind == "c":
        warnings.warn("pcen was called on complex input so phase information will be discarded. "
                      "To suppress this warning, call pcen(np.abs(D)) instead.", stacklevel=2)
        S = np.abs(S)
    if S.size and S.min() < 0:
        raise DSPError("S has negative values: pcen needs a non-negative (magnitude or power) spectrogram")
    ax = check_axis(axis, S.ndim)
    if ref is None:
        if max_size == 1:
            ref = S
        elif S.ndim == 1:
            raise DSPError(f"max_size={max_size} needs a 2-D S: a 1-D input has no frequency axis to max-filter")
        else:
            if max_axis is None:
                if S.ndim != 2:
                    raise DSPError(f"max_size={max_size} with a {S.ndim}-D S needs max_axis")
                max_axis = (1 - ax) % 2
            mx = check_axis(max_axis, S.ndim, name="max_axis")
            lo, hi = max_size // 2, (max_size - 1) // 2
            from numpy.lib.stride_tricks import sliding_window_view

            pad = [(0, 0)] * S.ndim
            pad[mx] = (lo, hi)
            ref = sliding_window_view(np.pad(S, pad, mode="symmetric"), max_size, axis=mx).max(axis=-1)
    else:
        ref = as_float_array(ref, name="ref")
        if ref.shape != S.shape:
            raise DSPError(f"ref has shape {ref.shape}: it must match S's shape {S.shape}")
    xp = array_module(S)
    Sm = xp.moveaxis(S, ax, -1)
    lead, n = Sm.shape[:-1], Sm.shape[-1]
    n_rows = math.prod(lead)
    if zi is None:
        # scipy.signal.lfilter_zi([b], [1, b - 1]): the steady state for a constant 1
        zi_rows = np.full(n_rows, (0.0 - (b - 1.0) * b) / (1.0 + (b - 1.0)))
    else:
        zi = np.asarray(zi.get() if hasattr(zi, "get") else zi, dtype=np.float64)
        try:
            zi_rows = np.broadcast_to(np.moveaxis(zi, ax, -1) if zi.ndim == S.ndim else zi,
                                      lead + (1,)).reshape(-1)
        except ValueError as exc:
            raise DSPError(f"zi has shape {zi.shape}: it must broadcast to {S.shape[:ax] + (1,) + S.shape[ax + 1:]}") from exc
    params = (b, gain, bias, power, eps)
    if (xp is np and S.ndim == 2 and ax == 1 and S.flags.f_contiguous and not S.flags.c_contiguous
            and (ref is S or ref.flags.f_contiguous)):
        # librosa's STFT layout (each frame's bins contiguous): frame by frame on the transpose,
        # bins in SIMD lanes, with no transposed copy (60 s at 22.05 kHz: 13.5 ms with two
        # transposed copies, 7.5 with one, 3.7 now; librosa 38)
        out_t, zf = kernel("pcen_frames")(S.T, ref.T, zi_rows, *params)
        out = out_t.T
        if return_zf:
            return out, zf.reshape(n_rows, 1)
        return out
    rows = xp.ascontiguousarray(Sm.reshape(-1, n))
    # the default reference is S itself: its rows, not a second copy of them (a 60 s STFT
    # magnitude in librosa's layout is a 10 MB transposed copy each)
    ref_rows = rows if ref is S else xp.ascontiguousarray(xp.moveaxis(ref, ax, -1).reshape(-1, n))
    out, zf = kernel_for("pcen", rows)(rows, ref_rows, zi_rows, *params)
    out = xp.moveaxis(out.reshape(lead + (n,)), -1, ax)
    if return_zf:
        return out, xp.moveaxis(zf.reshape(lead + (1,)), -1, ax)
    return out
