"""Bluestein's chirp-z transform of ``W`` frames at once, SIMD across the frames (lanes).

For sizes whose complex core has a prime factor above ``MAX_DIRECT_PRIME`` (a prime ``n_fft``
such as 4099, or twice one), the core is a circular convolution of smooth size ``m >= 2 cn -
1`` (:mod:`dsp_kernels.cpu.fft.plans`): chirp, transform, filter, transform, chirp. Frame by
frame (``transforms._cfft_core``) each transform runs on one signal, whose early passes have
runs of one value; here the ``W`` frames of a block go through the same steps in the lane
layout of :mod:`dsp_kernels.cpu.fft.block`, so every pass is one SIMD operation per
butterfly. ``block._spectra_bluestein`` strings them together for the blocked real transform.

Rows: ``w0`` holds the real parts and ``w1`` the imaginary parts, element ``k`` of lane ``l``
at ``k W + l`` (``W = lanes``), both at least ``m W`` long.

njit API
--------
``chirp_in(w0, w1, bw_re, bw_im, cn, m, lanes)``
    elements ``k < cn`` times the chirp ``bw[k]``, elements ``cn .. m - 1`` zero.
``filter_conj(w0, w1, bf_re, bf_im, m, lanes)``
    elements times the filter's spectrum ``bf[k]``, conjugated: the forward transform that
    follows then computes the (conjugated) inverse, as in ``transforms._cfft_core``.
``chirp_out(w0, w1, bw_re, bw_im, cn, lanes)``
    the conjugate of elements ``k < cn`` times ``bw[k]``: the transform's outputs ``k < cn``.
"""
from __future__ import annotations

from dsp_kernels.config import inline_jit, noalias_jit
from dsp_kernels.cpu.fft.passes import u64


@inline_jit
def _times(w0, w1, c_re, c_im, count, lanes, conj_in, conj_out):
    """Elements ``k < count`` of every lane times ``c[k]``, the element conjugated first when
    ``conj_in`` and the product after when ``conj_out`` (the three steps below differ only
    there). Inlined into each step with its flags as constants, so the branches fold away and
    each loop stays one plain vectorised product, the same operations as written out apart."""
    W = u64(lanes)
    for k in range(count):
        cr = c_re[k]
        ci = c_im[k]
        a = u64(k) * W
        for l in range(W):
            xr = w0[a + l]
            xi = -w1[a + l] if conj_in else w1[a + l]
            v = xr * ci + xi * cr
            w0[a + l] = xr * cr - xi * ci
            w1[a + l] = -v if conj_out else v


@noalias_jit
def chirp_in(w0, w1, bw_re, bw_im, cn, m, lanes):
    _times(w0, w1, bw_re, bw_im, cn, lanes, False, False)
    zero = bw_re[0] * 0
    for i in range(u64(cn) * u64(lanes), u64(m) * u64(lanes)):
        w0[i] = zero
        w1[i] = zero


@noalias_jit
def filter_conj(w0, w1, bf_re, bf_im, m, lanes):
    _times(w0, w1, bf_re, bf_im, m, lanes, False, True)


@noalias_jit
def chirp_out(w0, w1, bw_re, bw_im, cn, lanes):
    _times(w0, w1, bw_re, bw_im, cn, lanes, True, False)
