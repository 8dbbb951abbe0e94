"""The scalar rules of :mod:`dsp_kernels.rules`, compiled for the CPU.

The rules are written once, as plain Python, for both twins; this module only compiles them.
The small arithmetic rules are inlined into their callers at Numba's IR level
(``inline='always'``), so they take the calling kernel's flags: inside an exact kernel
(:data:`dsp_kernels.config.exact_jit`) no fastmath reaches them. The two index rules with many
branches keep the project's flags and are left to LLVM to inline where that pays: ``extended``
is an ordinary kernel, ``pad_value`` a subroutine of the frame loaders
(:func:`dsp_kernels.config.inner_jit`: called from Python it runs as Python).

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.rules import extended
>>> from dsp_kernels.shapes import MODES
>>> extended(np.array([1.0, 2.0, 3.0]), 3, 4, MODES["periodic"])
2.0
"""
from __future__ import annotations

import functools

import numba

from dsp_kernels import rules
from dsp_kernels.config import inner_jit, jit
from dsp_kernels.cpu.vmath import vdiv, vexp, vlog

__all__ = ["extended", "pad_value", "mid_tread", "pcm_clipped", "clamp", "abs_pow", "bessel_i0",
           "frame_stat", "flatness_ratio", "column_stat", "pcen_row", "pcen_step",
           "pcen_smooth", "pcen_compress", "onset_flux_frame", "detrend_row", "correlate_at",
           "symmetric_index", "convolve_at"]

_inline = functools.partial(numba.njit, inline="always")

extended = jit(rules.extended)
#: a subroutine, compiled into the frame loaders (no entry point or library of its own: 0.1 s of a
#: cold stft); a copy of the rule, so that the plain-Python rule itself stays unregistered
pad_value = inner_jit(rules.retarget(rules.pad_value))
mid_tread = _inline(rules.mid_tread)
pcm_clipped = _inline(rules.pcm_clipped)
clamp = _inline(rules.clamp)
abs_pow = _inline(rules.abs_pow)
bessel_i0 = _inline(rules.bessel_i0)
frame_stat = _inline(rules.frame_stat)
flatness_ratio = _inline(rules.flatness_ratio)
# log, exp and division as the vectorisable kernels/cpu/vmath (rules.py, _log); a rule that
# calls another rule gets that rule's compiled twin
column_stat = _inline(rules.retarget(rules.column_stat, _log=vlog, _div=vdiv,
                                     flatness_ratio=flatness_ratio))
pcen_compress = _inline(rules.retarget(rules.pcen_compress, _log=vlog, _exp=vexp, _div=vdiv))
pcen_step = _inline(rules.pcen_step)
pcen_row = _inline(rules.retarget(rules.pcen_row, pcen_step=pcen_step, pcen_compress=pcen_compress))
pcen_smooth = _inline(rules.retarget(rules.pcen_smooth, pcen_step=pcen_step))
onset_flux_frame = _inline(rules.onset_flux_frame)
detrend_row = _inline(rules.detrend_row)
correlate_at = _inline(rules.correlate_at)
symmetric_index = _inline(rules.symmetric_index)
convolve_at = _inline(rules.convolve_at)
