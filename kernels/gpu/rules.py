"""The scalar rules of :mod:`dsp_kernels.rules`, compiled as CUDA device functions.

The rules are written once, as plain Python, for both twins (the CPU compiles the same
functions in :mod:`dsp_kernels.cpu.rules`); this module only compiles them. Under Numba's
simulator (``NUMBA_ENABLE_CUDASIM=1``) the device functions run the plain Python.
The array rules (``extended``, ``pad_value``) take a 1-D array: kernels pass a row view ``x[b]``.
``mid_tread`` is compiled with ``math.floor`` (a float on CUDA, which has no ``np.floor``).
``column_stat`` and ``pcen_row`` divide through a device function (their ``_div``; the CPU's is
the vectorisable IEEE division of :mod:`dsp_kernels.cpu.vmath`).
"""
from __future__ import annotations

import math

from numba import cuda

from dsp_kernels import rules

__all__ = ["extended", "pad_value", "mid_tread", "pcm_clipped", "clamp", "abs_pow", "bessel_i0",
           "frame_stat", "flatness_ratio", "column_stat", "pcen_row", "pcen_step", "pcen_compress",
           "onset_flux_frame", "detrend_row", "correlate_at", "symmetric_index", "convolve_at"]

_device = cuda.jit(device=True)

extended = _device(rules.extended)
pad_value = _device(rules.pad_value)
mid_tread = _device(rules.retarget(rules.mid_tread, _floor=math.floor))  # CUDA's floor is float
pcm_clipped = _device(rules.pcm_clipped)
clamp = _device(rules.clamp)
abs_pow = _device(rules.abs_pow)
bessel_i0 = _device(rules.bessel_i0)
frame_stat = _device(rules.frame_stat)


@_device
def _quotient(a, b):
    # the rules' ``_div`` (the CPU rebinds it to an IEEE division that vectorises); a device
    # function rather than operator.truediv, the rebinding the rules' notes describe
    return a / b


flatness_ratio = _device(rules.flatness_ratio)
column_stat = _device(rules.retarget(rules.column_stat, _div=_quotient,
                                     flatness_ratio=flatness_ratio))
pcen_compress = _device(rules.retarget(rules.pcen_compress, _div=_quotient))
pcen_step = _device(rules.pcen_step)
pcen_row = _device(rules.retarget(rules.pcen_row, pcen_step=pcen_step, pcen_compress=pcen_compress))
onset_flux_frame = _device(rules.onset_flux_frame)
detrend_row = _device(rules.detrend_row)
correlate_at = _device(rules.correlate_at)
symmetric_index = _device(rules.symmetric_index)
convolve_at = _device(rules.convolve_at)
