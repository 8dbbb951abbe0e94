"""Quantisation: the mid-tread quantiser, bit-depth quantisation, its error and SQNR, PCM I/O.

Conventions
-----------
- Mid-tread rounding everywhere: ``Q(a) = sgn(a) * step * floor(|a| / step + 1/2)``; ties round
  away from zero (``Q(0.5) = 1``, ``Q(-0.5) = -1`` for ``step = 1``).
- Full scale is ``[-1, 1)``: ``n`` bits give the ``2**n`` levels ``k * 2**(1 - n)`` for
  ``k = -2**(n-1) .. 2**(n-1) - 1``. This is how WAV/PCM integers map to floats
  (``int16 / 32768``), so ``from_pcm(to_pcm(y, 16))`` equals ``quantize_bits(y, 16)``.
- PCM containers: 8 bit -> ``uint8`` offset binary (0..255, silence at 128), as in WAV files;
  16 bit -> ``int16``; 24 bit -> ``int32`` holding values in ``[-2**23, 2**23 - 1]``
  (right-aligned, not shifted to the top of the word); 32 bit -> ``int32``.
- Clipping is never silent. ``clip='warn'`` (the default) emits a :class:`ClippingWarning` with
  the number of clipped samples, ``clip='raise'`` raises :class:`DSPError`, ``clip='count'``
  returns ``(result, n_clipped)`` instead of the result alone.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._backend import array_module
from ._dispatch import kernel_for
from ._errors import DSPError
from ._validation import (
    as_float_array, check_axis, check_choice, check_dtype, check_float, check_int, kernel_ready,
)

__all__ = [
    "ClippingWarning",
    "quantize",
    "quantize_bits",
    "quantization_error",
    "sqnr",
    "to_pcm",
    "from_pcm",
]

#: PCM bit depths and their containers; 24-bit samples live in int32.
_PCM_DTYPES = {8: np.dtype(np.uint8), 16: np.dtype(np.int16), 24: np.dtype(np.int32), 32: np.dtype(np.int32)}
_CLIP_MODES = ("warn", "raise", "count")


class ClippingWarning(UserWarning):
    """Samples fell outside full scale and were clipped (see ``clip=`` in :func:`to_pcm`).

    Examples
    --------
    >>> import warnings, numpy as np, dsp
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     pcm = dsp.to_pcm(np.array([0.5, 1.5]), 16)
    >>> caught[0].category.__name__, str(caught[0].message)
    ('ClippingWarning', 'to_pcm(bits=16): 1 of 2 samples were outside full scale [-1, 1) and were clipped')
    """


def _contiguous(x):
    # np.ascontiguousarray would turn a 0-d array into 1-d
    return array_module(x).asarray(x, order="C")


def _report_clipping(result, n_clipped: int, total: int, clip: str, what: str):
    if clip == "count":
        return result, n_clipped
    if n_clipped:
        msg = (f"{what}: {n_clipped} of {total} samples were outside full scale [-1, 1) and "
               "were clipped")
        if clip == "raise":
            raise DSPError(msg + " (clip='raise'); scale y down or pass clip='warn' or 'count'")
        warnings.warn(msg, ClippingWarning, stacklevel=3)
    return result


def quantize(a, step):
    """Mid-tread uniform quantiser ``Q(a) = sgn(a) * step * floor(|a| / step + 1/2)``.

    Exactly this formula, evaluated in float64 (float32 input gives that value rounded to
    float32): ties round away from zero and zero stays zero. No clipping: the quantiser has
    infinitely many levels.

    Parameters
    ----------
    a : np.ndarray [shape=(...)]
        Real floating-point values, finite.
    step : float > 0
        The quantisation step.

    Returns
    -------
    np.ndarray [shape=a.shape]
        Same dtype as ``a`` (float16 becomes float32).

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.quantize(np.array([-1.5, -0.4, 0.5, 1.2, 2.5]), 1.0)
    array([-2., -0.,  1.,  1.,  3.])
    """
    a = as_float_array(a, name="a", min_ndim=0)
    step = check_float("step", step, minimum=0.0, strict_minimum=True)
    if a.size:  # |a| / step must stay finite in a's precision (step=1e-310 would give inf)
        peak = float(array_module(a).abs(a).max())
        if peak / step > float(np.finfo(a.dtype).max):
            raise DSPError(f"step={step!r} is too small for a's magnitude (max |a| = {peak:g}): "
                           f"|a| / step overflows {a.dtype}; need step >= "
                           f"{peak / float(np.finfo(a.dtype).max):.3g}")
    return kernel_for("quantize", a)(_contiguous(a), step)


def _check_bits(n_bits, name="n_bits"):
    return check_int(name, n_bits, minimum=2, maximum=32)


def quantize_bits(y, n_bits: int, *, clip: str = "warn"):
    """Quantise ``y`` to ``n_bits`` over the full scale ``[-1, 1)``.

    The step is ``2**(1 - n_bits)``; values are rounded with :func:`quantize` and then clipped to
    the representable range ``[-1, 1 - step]``, so the result has at most ``2**n_bits`` levels and
    equals ``from_pcm(to_pcm(y, n_bits))`` for PCM bit depths. Inputs in ``[1 - step/2, 1)``
    land on the top level ``1 - step`` (an error up to one step): that is the quantiser's own
    saturation and is not reported; inputs outside ``[-1, 1)`` are clipped and reported.

    Parameters
    ----------
    y : np.ndarray [shape=(...)]
    n_bits : int in [2, 32]
    clip : {'warn', 'raise', 'count'}
        What to do about samples outside full scale: warn with a :class:`ClippingWarning`
        (default), raise :class:`DSPError`, or return ``(y_q, n_clipped)``.

    Returns
    -------
    y_q : np.ndarray [shape=y.shape]
        Same dtype as ``y``. Levels finer than float32's 24-bit mantissa are rounded to float32.
    n_clipped : int
        Only with ``clip='count'``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.quantize_bits(np.array([0.1, -0.3, 0.6, 0.99]), 3)
    array([ 0.  , -0.25,  0.5 ,  0.75])
    >>> dsp.quantize_bits(np.array([0.1, 1.5]), 3, clip='count')
    (array([0.  , 0.75]), 1)
    """
    y = as_float_array(y, min_ndim=0)
    n_bits = _check_bits(n_bits)
    check_choice("clip", clip, _CLIP_MODES)
    step = 2.0 ** (1 - n_bits)
    yq = kernel_for("quantize", y)(_contiguous(y), step)
    # The top level 1 - step in the output dtype: in float32 it rounds up to 1.0 from 26 bits on,
    # so the largest float32 below 1 stands in for it (the result must stay inside [-1, 1)).
    hi = yq.dtype.type(1.0 - step)
    if hi >= 1.0:
        hi = np.nextafter(hi, yq.dtype.type(0.0))
    n_clipped = int(np.count_nonzero((y >= 1.0) | (y < -1.0)))
    if yq.size and (yq.max() > hi or yq.min() < -1.0):
        yq = np.clip(yq, -1.0, hi).astype(yq.dtype, copy=False)
    return _report_clipping(yq, n_clipped, y.size, clip, f"quantize_bits(n_bits={n_bits})")


def quantization_error(a, step):
    """The error ``Q(a) - a`` of the mid-tread quantiser :func:`quantize`.

    For every input ``|Q(a) - a| <= step / 2``.

    Parameters
    ----------
    a : np.ndarray [shape=(...)]
    step : float > 0

    Returns
    -------
    np.ndarray [shape=a.shape]
        Same dtype as ``a``; the difference is taken in float64.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.quantization_error(np.array([0.2, 0.75, -1.1]), 0.5)
    array([-0.2 ,  0.25,  0.1 ])
    """
    a = as_float_array(a, name="a", min_ndim=0)
    q = quantize(a, step)
    return (q.astype(np.float64) - a.astype(np.float64)).astype(a.dtype, copy=False)


def sqnr(y, y_quantized, *, axis=None):
    """Signal-to-quantisation-noise ratio ``10 log10(sum y**2 / sum (y_quantized - y)**2)`` in dB.

    For a full-scale sine quantised to N bits this is close to ``6.02 N + 1.76`` dB.

    Parameters
    ----------
    y : np.ndarray [shape=(...)]
        The original signal.
    y_quantized : np.ndarray [shape=y.shape]
        Its quantised version.
    axis : int or None
        Sum over this axis only (e.g. ``-1`` for one value per channel); None sums over all.

    Returns
    -------
    float or np.ndarray
        float64. ``inf`` where the error is zero, ``-inf`` where ``y`` is silent and the error is
        not, ``nan`` where both are zero.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = 0.99 * np.sin(2 * np.pi * 0.01234 * np.arange(100000))
    >>> round(float(dsp.sqnr(y, dsp.quantize_bits(y, 8))), 1)
    49.7
    """
    y = as_float_array(y, min_ndim=0)
    yq = as_float_array(y_quantized, name="y_quantized", min_ndim=0)
    if y.shape != yq.shape:
        raise DSPError(f"y_quantized has shape {yq.shape}: need y's shape {y.shape}")
    if axis is not None:
        axis = check_axis(axis, y.ndim)
    if (y.size == 0) if axis is None else (y.shape[axis] == 0):  # a ratio of two empty sums
        raise DSPError(f"y has 0 samples{'' if axis is None else f' along axis={axis}'}: "
                       "sqnr needs at least one")
    y64 = y.astype(np.float64)
    err = yq.astype(np.float64) - y64
    signal = np.sum(y64 * y64, axis=axis)
    noise = np.sum(err * err, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 10.0 * np.log10(signal / noise)
    return float(out) if np.ndim(out) == 0 else out


def to_pcm(y, bits: int = 16, *, clip: str = "warn"):
    """Convert float audio on the full scale ``[-1, 1)`` to PCM integers.

    ``round(y * 2**(bits-1))`` with mid-tread rounding (ties away from zero), clipped to the
    integer range. Samples outside ``[-1, 1)`` are clipped and reported; samples in
    ``[1 - 2**-bits, 1)`` round to the largest integer without a report (the quantiser's own
    saturation, as every PCM writer does). 8-bit output is unsigned offset binary (``uint8``, silence = 128) as in WAV;
    24-bit output is right-aligned in ``int32``.

    Parameters
    ----------
    y : np.ndarray [shape=(...)]
        Finite floating-point samples.
    bits : {8, 16, 24, 32}
    clip : {'warn', 'raise', 'count'}
        Samples outside full scale are clipped and reported: a :class:`ClippingWarning` with the
        count (default), a :class:`DSPError`, or ``(pcm, n_clipped)`` returned.

    Returns
    -------
    pcm : np.ndarray [shape=y.shape]
        ``uint8``, ``int16``, ``int32`` (24 bit) or ``int32``.
    n_clipped : int
        Only with ``clip='count'``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.to_pcm(np.array([0.0, 0.5, -1.0, 0.25]), 16)
    array([     0,  16384, -32768,   8192], dtype=int16)
    >>> dsp.to_pcm(np.array([0.0, 2.0]), 8, clip='count')
    (array([128, 255], dtype=uint8), 1)
    """
    y = as_float_array(y, min_ndim=0)
    bits = check_int("bits", bits, minimum=2, maximum=32)
    if bits not in _PCM_DTYPES:
        raise DSPError(f"bits={bits} has no PCM container: use 8, 16, 24 or 32 "
                       "(quantize_bits handles any depth from 2 to 32)")
    check_choice("clip", clip, _CLIP_MODES)
    scale = 2.0 ** (bits - 1)
    ints, n_clipped = kernel_for("to_int", y)(_contiguous(y), scale, -scale, scale - 1.0)
    if bits == 8:
        ints = ints + 128
    pcm = ints.astype(_PCM_DTYPES[bits])
    return _report_clipping(pcm, n_clipped, y.size, clip, f"to_pcm(bits={bits})")


def from_pcm(pcm, bits: int | None = None, *, dtype=np.float32):
    """Convert PCM integers to float audio on the full scale ``[-1, 1)``: ``pcm / 2**(bits-1)``.

    Parameters
    ----------
    pcm : np.ndarray [shape=(...)], integer
        ``uint8`` (8-bit offset binary, as in WAV), ``int8``, ``int16`` or ``int32``.
    bits : {8, 16, 24, 32} or None
        None reads it from the dtype (uint8/int8 -> 8, int16 -> 16, int32 -> 32). 24-bit data
        in an int32 container must say ``bits=24``; values outside 24 bits are then refused.
    dtype : np.float32 or np.float64
        The output dtype (float32 by default, as librosa loads audio).

    Returns
    -------
    np.ndarray [shape=pcm.shape]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.from_pcm(np.array([0, 16384, -32768], dtype=np.int16))
    array([ 0. ,  0.5, -1. ], dtype=float32)
    >>> dsp.from_pcm(np.array([128, 0], dtype=np.uint8))
    array([ 0., -1.], dtype=float32)
    """
    pcm = kernel_ready(array_module(pcm).asarray(pcm))  # read-only: the same compiled kernel
    if pcm.dtype.kind not in "iu":
        raise DSPError(f"pcm has dtype {pcm.dtype}: need PCM integers (uint8, int8, int16 or int32)")
    dtype = check_dtype("dtype", dtype, (np.float32, np.float64))
    natural = {np.dtype(np.uint8): 8, np.dtype(np.int8): 8, np.dtype(np.int16): 16, np.dtype(np.int32): 32}
    if pcm.dtype not in natural:
        raise DSPError(f"pcm has dtype {pcm.dtype}: need uint8, int8, int16 or int32")
    if bits is None:
        bits = natural[pcm.dtype]
    else:
        bits = check_int("bits", bits, minimum=2, maximum=32)
        allowed = (24, 32) if pcm.dtype == np.int32 else (natural[pcm.dtype],)
        if bits not in allowed:
            raise DSPError(f"bits={bits} does not fit pcm's dtype {pcm.dtype}: use bits in {allowed}")
    scale = 2 ** (bits - 1)
    offset = 128 if pcm.dtype == np.uint8 else 0
    if bits == 24 and pcm.size:
        lo, hi = int(pcm.min()), int(pcm.max())
        if lo < -scale or hi > scale - 1:
            raise DSPError(f"pcm holds values in [{lo}, {hi}], outside 24-bit range "
                           f"[{-scale}, {scale - 1}]: is it left-aligned 32-bit data? use bits=32")
    return kernel_for("from_int", pcm)(_contiguous(pcm), offset, scale, dtype)
