"""Discrete cosine transforms of types 1, 2 and 3, with SciPy's definitions and norms.

Definitions (``N`` = length of the transformed axis, unnormalised, as ``scipy.fft.dct``)::

    type 1:  y[k] = x[0] + (-1)^k x[N-1] + 2 sum_{n=1}^{N-2} x[n] cos(pi k n / (N-1))
    type 2:  y[k] = 2 sum_{n=0}^{N-1} x[n] cos(pi k (2n+1) / (2N))
    type 3:  y[k] = x[0] + 2 sum_{n=1}^{N-1} x[n] cos(pi (2k+1) n / (2N))

``norm='ortho'`` makes each matrix orthonormal (for type 1, by weighting the end points by
sqrt(2), as SciPy does when ``orthogonalize`` is on, its default with ``'ortho'``);
``norm='forward'`` divides the forward transform by ``2N`` (``2(N-1)`` for type 1), and
``None``/``'backward'`` leaves it unscaled. The inverse of type 2 is type 3 and vice versa, type 1
is its own inverse, and ``idct(x, norm=m)`` is ``dct`` of the inverse type with the mirrored norm.

Short axes (up to ``MATRIX_MAX_LENGTH``, e.g. mel bands) are transformed by a product with a
cosine matrix built once per (type, length, norm) in float64, with the angle reduced exactly in
integers, so every entry is correct to an ulp; longer axes go through our real FFT in
O(n log n) (see :mod:`dsp_kernels.cpu.dct`), in the input's precision, as SciPy does.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ._backend import array_module, backend_of, kernel_module
from ._errors import DSPError
from ._validation import as_float_array, check_axis, check_choice

_NORMS = (None, "backward", "ortho", "forward")
_INVERSE_TYPE = {1: 1, 2: 3, 3: 2}
_MIRRORED_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
#: longest axis transformed by the cosine matrix; longer ones go through the FFT
MATRIX_MAX_LENGTH = 256


@functools.lru_cache(maxsize=16)
def dct_matrix(type: int, n: int, norm: str, n_out: int | None = None) -> np.ndarray:
    """The ``(n_out, n)`` float64 matrix of the DCT of ``type`` with ``norm`` (read-only).

    ``norm`` is ``'backward'``, ``'ortho'`` or ``'forward'``; ``n_out`` keeps only the first
    rows (MFCCs need the first ``n_mfcc`` coefficients).
    """
    n_out = n if n_out is None else n_out
    k = np.arange(n_out, dtype=np.int64)[:, None]
    j = np.arange(n, dtype=np.int64)[None, :]
    if type == 1:
        # angle pi k j / (n-1) = 2 pi (k j mod 2(n-1)) / (2(n-1))
        period = 2 * (n - 1)
        m = (k * j) % period
        c = 2.0 * np.cos(2.0 * np.pi * m / period)
        c[:, 0] = 1.0
        c[:, n - 1] = np.where(k[:, 0] % 2 == 0, 1.0, -1.0)
        if norm == "ortho":
            c[:, 0] *= math.sqrt(2.0)
            c[:, n - 1] *= math.sqrt(2.0)
            scale = np.full(n_out, 0.5 * math.sqrt(2.0 / (n - 1)))
            scale[0] = 0.5 * math.sqrt(1.0 / (n - 1))
            if n_out >= n:
                scale[n - 1] = 0.5 * math.sqrt(1.0 / (n - 1))
            c *= scale[:, None]
        elif norm == "forward":
            c /= period
    else:
        period = 4 * n  # angle pi a / (2n) = 2 pi (a mod 4n) / (4n)
        if type == 2:
            m = (k * (2 * j + 1)) % period
        else:
            m = ((2 * k + 1) * j) % period
        c = 2.0 * np.cos(2.0 * np.pi * m / period)
        if type == 3:
            c[:, 0] = 1.0
        if norm == "ortho":
            if type == 2:
                scale = np.full(n_out, math.sqrt(1.0 / (2.0 * n)))
                scale[0] = math.sqrt(1.0 / (4.0 * n))
                c *= scale[:, None]
            else:
                c[:, 1:] *= math.sqrt(1.0 / (2.0 * n))
                c[:, 0] *= math.sqrt(1.0 / n)
        elif norm == "forward":
            c /= 2 * n
    c.setflags(write=False)
    return c


def _validate(x, type, norm, axis, name):
    if isinstance(type, bool) or type not in (1, 2, 3):
        raise DSPError(f"type={type!r} is not supported: use 1, 2 or 3")
    check_choice("norm", norm, _NORMS)
    x = as_float_array(x, name="x")
    axis = check_axis(axis, x.ndim)
    n = x.shape[axis]
    least = 2 if type == 1 else 1
    if n < least:
        raise DSPError(
            f"x has length {n} along axis={axis}: the type-{type} {name} needs length >= {least}"
        )
    return x, axis, n


@functools.lru_cache(maxsize=64)
def _fft_scales(type: int, n: int, norm: str):
    """(pre, post): the norm as factors on the input and the output of the unnormalised DCT."""
    pre = np.ones(n)
    post = np.ones(n)
    if norm == "forward":
        post[:] = 1.0 / (2 * (n - 1) if type == 1 else 2 * n)
    elif norm == "ortho":
        if type == 1:
            pre[[0, n - 1]] = math.sqrt(2.0)
            post[:] = 0.5 * math.sqrt(2.0 / (n - 1))
            post[[0, n - 1]] = 0.5 * math.sqrt(1.0 / (n - 1))
        elif type == 2:
            post[:] = math.sqrt(1.0 / (2.0 * n))
            post[0] = math.sqrt(1.0 / (4.0 * n))
        else:
            pre[:] = math.sqrt(1.0 / (2.0 * n))
            pre[0] = math.sqrt(1.0 / n)
    pre.setflags(write=False)
    post.setflags(write=False)
    return pre, post


def _run(x, axis, type, norm):
    """DCT of ``type`` with ``norm`` ('backward', 'ortho', 'forward') along ``axis``."""
    n = x.shape[axis]
    kernels = kernel_module(backend_of(x), "dct")
    if n <= MATRIX_MAX_LENGTH:
        return _transform(x, axis, dct_matrix(type, n, norm))
    if not hasattr(kernels, "fft_dct"):
        # a backend without the FFT path: the n x n float64 matrix must stay reasonable
        if n > 4096:
            raise DSPError(
                f"x has length {n} along axis={axis}: on this backend dct/idct support lengths "
                "up to 4096 (move the array to the host for longer axes)"
            )
        return _transform(x, axis, dct_matrix(type, n, norm))
    xp = array_module(x)
    moved = xp.moveaxis(x, axis, -1)
    rows = xp.ascontiguousarray(moved.reshape((-1, n)))
    out = kernels.fft_dct(rows, type, *_fft_scales(type, n, norm))
    return xp.moveaxis(out.reshape(moved.shape), -1, axis)


def _transform(x, axis, matrix):
    kernels = kernel_module(backend_of(x), "dct")
    xp = array_module(x)
    shape = x.shape
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1 :], dtype=np.int64))
    x3 = xp.ascontiguousarray(x).reshape(outer, shape[axis], inner)
    out = kernels.apply_matrix(x3, matrix)
    return out.reshape(shape[:axis] + (matrix.shape[0],) + shape[axis + 1 :])


def dct(x, type=2, norm=None, axis=-1):
    """Discrete cosine transform of type 1, 2 or 3 along ``axis``, as ``scipy.fft.dct``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n, ...)], real
        float32 stays float32, float64 stays float64.
    type : {1, 2, 3}
        Type 1 needs ``n >= 2``.
    norm : {None, 'backward', 'ortho', 'forward'}
        ``None`` and ``'backward'``: unscaled; ``'ortho'``: orthonormal; ``'forward'``: divided
        by ``2n`` (``2(n - 1)`` for type 1).
    axis : int
        The axis transformed.

    Returns
    -------
    y : np.ndarray [shape=x.shape]
        Same dtype as ``x``.

    Notes
    -----
    Axes up to 256 long use a cached float64 cosine matrix (exact to a few ulps); longer axes
    use our real FFT, O(n log n), in the input's precision.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.dct(np.array([1.0, 2.0, 3.0]), norm='ortho').round(4)
    array([ 3.4641, -1.4142,  0.    ])
    """
    x, axis, n = _validate(x, type, norm, axis, "dct")
    norm = "backward" if norm is None else norm
    return _run(x, axis, type, norm)


def idct(x, type=2, norm=None, axis=-1):
    """Inverse discrete cosine transform, as ``scipy.fft.idct``: ``idct(dct(x)) == x``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n, ...)], real
    type : {1, 2, 3}
        The type of the forward transform being inverted.
    norm : {None, 'backward', 'ortho', 'forward'}
        The same ``norm`` as the forward transform: with ``None``/``'backward'`` the inverse
        carries the ``1 / (2n)`` (type 1: ``1 / (2(n - 1))``) factor.
    axis : int

    Returns
    -------
    x : np.ndarray [shape=x.shape]
        Same dtype as the input.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> np.allclose(dsp.idct(dsp.dct(x, type=3), type=3), x)
    True
    """
    x, axis, n = _validate(x, type, norm, axis, "idct")
    norm = "backward" if norm is None else norm
    return _run(x, axis, _INVERSE_TYPE[type], _MIRRORED_NORM[norm])
