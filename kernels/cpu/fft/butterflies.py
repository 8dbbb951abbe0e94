"""The 4-point DFT that the radix-4 and radix-8 passes and the fused last pass are built from,
for scalars (one lane at a time) and for whole vectors of lanes.

:func:`dft4_values` is plain arithmetic, so the same source compiles for scalars and for
:class:`~dsp_kernels.cpu.fft.lane_vector.LaneVector` operands: :func:`dft4` reads one lane's
four points, :func:`dft4_lanes` every lane's at once. :func:`eighth_turns` is the rotation
a radix-8 butterfly applies between its two 4-point DFTs.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.fft.butterflies import dft4_values
>>> z = dft4_values(1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0, 0.0)
>>> np.allclose(np.array(z[0::2]) + 1j * np.array(z[1::2]), np.fft.fft([1, 2, 3, 4]))
True
"""
from __future__ import annotations

from dsp_kernels.config import inner_jit
from dsp_kernels.cpu.fft.lane_vector import load


@inner_jit
def dft4_values(a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i):
    """The 4-point DFT of a_0 .. a_3 (real and imaginary parts): Z_0 .. Z_3 as eight values."""
    t0r = a0r + a2r
    t0i = a0i + a2i
    t1r = a0r - a2r
    t1i = a0i - a2i
    t2r = a1r + a3r
    t2i = a1i + a3i
    t3r = a1i - a3i  # (a1 - a3) * (-i)
    t3i = a3r - a1r
    return (t0r + t2r, t0i + t2i, t1r + t3r, t1i + t3i,
            t0r - t2r, t0i - t2i, t1r - t3r, t1i - t3i)


@inner_jit
def dft4(x, M, i0, g, u):
    """The 4-point DFT of ``x[i0 + j g + u]`` (real parts; imaginary parts ``M`` further),
    ``j < 4``: Z_0 .. Z_3 as eight values (re, im, ...). The radix-4 passes' butterfly before its
    twiddles, and the fused last pass of :mod:`~dsp_kernels.cpu.fft.last_post`."""
    i1 = i0 + g
    i2 = i1 + g
    i3 = i2 + g
    return dft4_values(x[i0 + u], x[M + i0 + u], x[i1 + u], x[M + i1 + u],
                       x[i2 + u], x[M + i2 + u], x[i3 + u], x[M + i3 + u])


@inner_jit
def eighth_turns(f1r, f1i, f2r, f2i, f3r, f3i, rt):
    """``F_k exp(-i pi k / 4)`` for ``k = 1, 2, 3`` (``rt = sqrt(1/2)``): the radix-8 butterfly's
    rotation of the DFT of its odd inputs before the last combination, as six values (re, im,
    ...). For scalars (``passes._pass8``) and lane vectors (``passes_lanes``) alike."""
    return (rt * (f1r + f1i), rt * (f1i - f1r), f2i, -f2r, rt * (f3i - f3r), -rt * (f3r + f3i))


@inner_jit
def dft4_lanes(x, M, i0, g):
    """:func:`dft4` of every lane at once: the 4-point DFT of the vectors at ``x[i0 + j g]``
    (real parts; imaginary parts ``M`` further), ``j < 4``, as eight vectors."""
    i1 = i0 + g
    i2 = i1 + g
    i3 = i2 + g
    return dft4_values(load(x, i0), load(x, M + i0), load(x, i1), load(x, M + i1),
                       load(x, i2), load(x, M + i2), load(x, i3), load(x, M + i3))
