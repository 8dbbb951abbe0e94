"""Analysis windows as the CPU kernels take them: C-contiguous, in the working dtype.

The windows that reach the kernels are the cached, read-only ones of ``dsp.spectral.fft_window``
(float64). A float32 transform used to cast its window on every call, and the frame geometry
then searched the copy for its non-zero support (``dsp_kernels.shapes.window_support``): about
2.5 us of a 1 s clip's 30 us set-up. :func:`kernel_window` keeps one read-only cast per cached
window, so the support is found once too (it is memoised for immutable windows).

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.windows import kernel_window
>>> w = np.hanning(8); w.flags.writeable = False
>>> a = kernel_window(w, np.float32)
>>> a.dtype.name, a is kernel_window(w, np.float32), a.flags.writeable
('float32', True, False)
"""
from __future__ import annotations

import numpy as np

from dsp_kernels import shapes
from dsp_kernels.caches import register

__all__ = ["kernel_window"]

_CASTS: dict = {}
register(f"{__name__}._CASTS", _CASTS.clear, _CASTS.__len__)
register("dsp_kernels.shapes.SUPPORTS", shapes.SUPPORTS.clear, shapes.SUPPORTS.__len__)


def kernel_window(window, dtype) -> np.ndarray:
    """``window`` as a C-contiguous array of ``dtype``.

    An immutable window (read-only and owning its data) gets the same read-only cast on every
    call, held here with its source (so no other array can take the source's id); any other
    window is converted afresh, as ``np.ascontiguousarray`` does.
    """
    dtype = np.dtype(dtype)
    if window.dtype == dtype and window.flags.c_contiguous:
        return window
    if window.flags.writeable or window.base is not None:
        return np.ascontiguousarray(window, dtype=dtype)
    key = (id(window), dtype.char)
    hit = _CASTS.get(key)
    if hit is not None and hit[0] is window:
        return hit[1]
    cast = np.ascontiguousarray(window, dtype=dtype)
    cast.flags.writeable = False
    if len(_CASTS) >= 64:
        _CASTS.clear()
    _CASTS[key] = (window, cast)
    return cast
