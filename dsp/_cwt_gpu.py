""":func:`dsp.cwt` on CuPy arrays: every scale in one kernel call, CuPy in, CuPy out.

:func:`dsp._cwt.cwt` validates its arguments and hands device data here. Each scale's filter is
the CPU path's (the integrated wavelet sampled at ``j / (scale * step)``, reversed), with the
``-sqrt(scale) * diff`` and the centring cut folded in: the first difference of a full
convolution is the full convolution with the filter's first difference (one tap longer), and
the kept ``n`` entries start ``len(filter) // 2`` into it. The filters go to the
``cwt_conv``/``cwt_fft`` kernels as one packed bank (contract: ``kernels/cwt_plan.py``).
"""
from __future__ import annotations

import math

import numpy as np

from ._backend import array_module
from ._dispatch import kernel_for
from ._errors import DSPError


def scale_bank(int_psi, grid, scales, name, precision):
    """``(taps, starts, offsets)``: every scale's filter packed end to end (float64, complex128
    for a complex ``int_psi``), ``starts`` (S + 1,) their offsets in ``taps`` and ``offsets`` (S,)
    where each filter's kept entries start.

    ``int_psi`` and ``grid`` are the integrated wavelet and its points, in the dtypes the CPU path
    uses; a scale whose filter has fewer than 2 taps raises :class:`dsp.DSPError`.

    >>> import numpy as np
    >>> taps, starts, offsets = scale_bank(np.linspace(0, 1, 5), np.linspace(-2, 2, 5), [1.0], 'x', 2)
    >>> taps.tolist(), starts.tolist(), offsets.tolist()
    ([-1.0, 0.25, 0.25, 0.25, 0.25, -0.0], [0, 6], [2])
    """
    step = grid[1] - grid[0]
    taps, offsets = [], []
    for s in scales:
        # the CPU path's sampling of the integrated wavelet at this scale (dsp/_cwt.py)
        j = (np.arange(s * (grid[-1] - grid[0]) + 1) / (s * step)).astype(int)
        j = j[j < int_psi.size]
        filt = int_psi[j][::-1]
        if filt.size < 2:
            raise DSPError(f"scale {s} is too small for wavelet {name!r} (precision={precision})")
        wide = filt.astype(np.complex128 if filt.dtype.kind == "c" else np.float64)
        taps.append(-math.sqrt(s) * np.diff(wide, prepend=0, append=0))
        offsets.append(filt.size // 2)
    starts = np.zeros(len(taps) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([t.size for t in taps])
    return np.concatenate(taps), starts, np.array(offsets, dtype=np.int64)


def cwt_device(x, scales, int_psi, grid, name, method, axis, precision):
    """The coefficients of :func:`dsp.cwt` for device data ``x`` (validated; ``axis`` in range,
    -1 for 1-D data), shape ``(len(scales),) + x.shape`` with the transformed axis where it was;
    complex when ``int_psi`` (the conjugated wavelet of a complex family) or ``x`` is."""
    xp = array_module(x)
    taps, starts, offsets = scale_bank(int_psi, grid, scales, name, precision)
    xm = xp.moveaxis(x, axis, -1)
    lead, n = xm.shape[:-1], xm.shape[-1]
    rows = xp.ascontiguousarray(xm.reshape(-1, n))
    if method == "conv":
        y = kernel_for("cwt_conv", rows)(rows, taps, starts, offsets)
    else:
        y = kernel_for("cwt_fft", rows)(rows, taps, starts, offsets)
    out = y.reshape((len(scales),) + lead + (n,))
    return xp.moveaxis(out, -1, axis if axis < 0 else axis + 1) if x.ndim > 1 else out
