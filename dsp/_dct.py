"""Discrete cosine transforms of types 1, 2 and 3, with SciPy's definitions and norms.

Definitions (``N`` = length of the transformed axis, unnormalised, as ``scipy.fft.dct``)::

    type 1:  y[k] = x[0] + (-1)^k x[N-1] + 2 sum_{n=1}^{N-2} x[n] cos(pi k n / (N-1))
    type 2:  y[k] = 2 sum_{n=0}^{N-1} x[n] cos(pi k (2n+1) / (2N))
    type 3:  y[k] = x[0] + 2 sum_{n=1}^{N-1} x[n] cos(pi (2k+1) n / (2N))

Every variant is ``post * DCT(pre * x)`` with two weight vectors: the norm's overall scale (1 for
``None``/``'backward'``; ``1/(2N)``, type 1 ``1/(2(N-1))``, for ``'forward'``; ``1/sqrt(2N)``,
type 1 ``1/sqrt(2(N-1))``, for ``'ortho'``) times SciPy's ``orthogonalize`` weights (on by default
with ``'ortho'`` only): type 1 multiplies ``x[0]`` and ``x[N-1]`` by sqrt(2) and divides ``y[0]``
and ``y[N-1]`` by it, type 2 divides ``y[0]`` by sqrt(2), type 3 multiplies ``x[0]`` by sqrt(2).
With ``'ortho'`` and the weights, each matrix is orthonormal. The inverse of type 2 is type 3 and vice versa, type 1
is its own inverse, and ``idct(x, norm=m)`` is ``dct`` of the inverse type with the mirrored norm.

Short axes (up to ``MATRIX_MAX_LENGTH``, e.g. mel bands) are transformed by a product with a
cosine matrix built once per (type, length, norm) in float64, with the angle reduced exactly in
integers, so every entry is correct to an ulp; longer axes go through our real FFT in
O(n log n) (see :mod:`dsp_kernels.cpu.dct`), in the input's precision, as SciPy does.
"""
from __future__ import annotations

import math

import numpy as np

from dsp_kernels.caches import table_cache

from ._backend import array_module, backend_of, is_cupy_array
from ._dispatch import has_kernel, kernel_for
from ._errors import DSPError
from ._validation import as_float_array, check_axis, check_choice, check_int

_NORMS = (None, "backward", "ortho", "forward")
_INVERSE_TYPE = {1: 1, 2: 3, 3: 2}
_MIRRORED_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
#: longest axis transformed by the cosine matrix; longer ones go through the FFT
MATRIX_MAX_LENGTH = 256


@table_cache(maxsize=64)
def _scales(type: int, n: int, norm: str, orth: bool):
    """(pre, post): the norm and the orthogonalize weights on the input and on the output."""
    if norm == "forward":
        scale = 1.0 / (2 * (n - 1) if type == 1 else 2 * n)
    elif norm == "ortho":
        scale = 1.0 / math.sqrt(2.0 * (n - 1) if type == 1 else 2.0 * n)
    else:
        scale = 1.0
    pre = np.ones(n)
    post = np.full(n, scale)
    if orth:
        r2 = math.sqrt(2.0)
        if type == 1:
            pre[[0, n - 1]] = r2
            post[[0, n - 1]] = scale / r2
        elif type == 2:
            post[0] = scale / r2
        else:
            pre[0] = r2
    pre.setflags(write=False)
    post.setflags(write=False)
    return pre, post


@table_cache(maxsize=16)
def dct_matrix(type: int, n: int, norm: str, n_out: int | None = None, orth: bool | None = None) -> np.ndarray:
    """The ``(n_out, n)`` float64 matrix of the DCT of ``type`` with ``norm`` (read-only).

    ``norm`` is ``'backward'``, ``'ortho'`` or ``'forward'``; ``n_out`` keeps only the first
    rows (MFCCs need the first ``n_mfcc`` coefficients); ``orth`` is SciPy's ``orthogonalize``
    (None: on for ``'ortho'`` only).
    """
    n_out = n if n_out is None else n_out
    orth = (norm == "ortho") if orth is None else bool(orth)
    k = np.arange(n_out, dtype=np.int64)[:, None]
    j = np.arange(n, dtype=np.int64)[None, :]
    if type == 1:
        # angle pi k j / (n-1) = 2 pi (k j mod 2(n-1)) / (2(n-1))
        period = 2 * (n - 1)
        c = 2.0 * np.cos(2.0 * np.pi * ((k * j) % period) / period)
        c[:, 0] = 1.0
        c[:, n - 1] = np.where(k[:, 0] % 2 == 0, 1.0, -1.0)
    else:
        period = 4 * n  # angle pi a / (2n) = 2 pi (a mod 4n) / (4n)
        m = (k * (2 * j + 1)) % period if type == 2 else ((2 * k + 1) * j) % period
        c = 2.0 * np.cos(2.0 * np.pi * m / period)
        if type == 3:
            c[:, 0] = 1.0
    pre, post = _scales(type, n, norm, orth)
    c = post[:n_out, None] * c * pre[None, :]
    c.setflags(write=False)
    return c


def _validate(x, type, n, axis, norm, workers, orthogonalize, name):
    if isinstance(type, bool) or type not in (1, 2, 3):
        raise DSPError(f"type={type!r} is not supported: use 1, 2 or 3")
    check_choice("norm", norm, _NORMS)
    if workers is not None:
        check_int("workers", workers)  # accepted as SciPy does; our kernels choose their threads
    if orthogonalize is not None and not isinstance(orthogonalize, (bool, np.bool_)):
        raise DSPError(f"orthogonalize={orthogonalize!r} must be None, True or False")
    x = scipy_fft_input(x)
    axis = check_axis(axis, x.ndim)
    least = 2 if type == 1 else 1
    if n is not None:
        n = check_int("n", n)
        if n < least:
            raise DSPError(f"n={n} is too small: the type-{type} {name} needs n >= {least}")
        x = _crop_or_pad(x, n, axis)
    length = x.shape[axis]
    if length < least:
        raise DSPError(
            f"x has length {length} along axis={axis}: the type-{type} {name} needs length >= {least}"
        )
    norm = "backward" if norm is None else norm
    orth = (norm == "ortho") if orthogonalize is None else bool(orthogonalize)
    return x, axis, norm, orth


def scipy_fft_input(x):
    """SciPy's dtype policy: integers and booleans in float64, float16 in float32, complex kept."""
    if not is_cupy_array(x):
        try:
            x = np.asarray(x)
        except Exception as exc:  # ragged lists and the like
            raise DSPError(f"x could not be converted to an array: {exc}") from exc
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    return as_float_array(x, name="x", allow_complex=True)


def _crop_or_pad(x, n, axis):
    have = x.shape[axis]
    if have >= n:
        return x[(slice(None),) * axis + (slice(0, n),)]
    xp = array_module(x)
    shape = list(x.shape)
    shape[axis] = n
    out = xp.zeros(tuple(shape), dtype=x.dtype)
    out[(slice(None),) * axis + (slice(0, have),)] = x
    return out


def _run(x, axis, type, norm, orth):
    """DCT of ``type`` with ``norm`` ('backward', 'ortho', 'forward') along ``axis``; complex
    input is transformed as its real and imaginary parts (the transform is real)."""
    if x.dtype.kind == "c":
        return _run(x.real, axis, type, norm, orth) + 1j * _run(x.imag, axis, type, norm, orth)
    n = x.shape[axis]
    if n <= MATRIX_MAX_LENGTH:
        return _transform(x, axis, dct_matrix(type, n, norm, None, orth))
    if not has_kernel("fft_dct", backend_of(x)):
        # a backend without the FFT path: the n x n float64 matrix must stay reasonable
        if n > 4096:
            raise DSPError(
                f"x has length {n} along axis={axis}: on this backend dct/idct support lengths "
                "up to 4096 (move the array to the host for longer axes)"
            )
        return _transform(x, axis, dct_matrix(type, n, norm, None, orth))
    xp = array_module(x)
    moved = xp.moveaxis(x, axis, -1)
    rows = xp.ascontiguousarray(moved.reshape((-1, n)))
    out = kernel_for("fft_dct", rows)(rows, type, *_scales(type, n, norm, orth))
    return xp.moveaxis(out.reshape(moved.shape), -1, axis)


def _transform(x, axis, matrix):
    xp = array_module(x)
    shape = x.shape
    outer = math.prod(shape[:axis])
    inner = math.prod(shape[axis + 1 :])
    x3 = xp.ascontiguousarray(x).reshape(outer, shape[axis], inner)
    out = kernel_for("apply_matrix", x3)(x3, matrix)
    return out.reshape(shape[:axis] + (matrix.shape[0],) + shape[axis + 1 :])


def dct(x, type=2, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, orthogonalize=None):
    """Discrete cosine transform of type 1, 2 or 3 along ``axis``, as ``scipy.fft.dct``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n, ...)]
        float32 stays float32, float64 stays float64; integers are computed in float64 and
        complex input as its real and imaginary parts (SciPy's policy).
    type : {1, 2, 3}
        Type 1 needs ``n >= 2``.
    n : int or None
        Length of the transform: ``x`` is cropped or zero-padded along ``axis``.
    axis : int
        The axis transformed.
    norm : {None, 'backward', 'ortho', 'forward'}
        ``None`` and ``'backward'``: unscaled; ``'ortho'``: orthonormal; ``'forward'``: divided
        by ``2n`` (``2(n - 1)`` for type 1).
    overwrite_x : bool
        Accepted for SciPy's signature; ``x`` is never overwritten.
    workers : int or None
        Accepted for SciPy's signature; our kernels choose their threads.
    orthogonalize : bool or None
        SciPy's orthogonalized variant (see the module notes); None means ``norm == 'ortho'``.

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
    x, axis, norm, orth = _validate(x, type, n, axis, norm, workers, orthogonalize, "dct")
    return _run(x, axis, type, norm, orth)


def idct(x, type=2, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, orthogonalize=None):
    """Inverse discrete cosine transform, as ``scipy.fft.idct``: ``idct(dct(x)) == x``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n, ...)]
    type : {1, 2, 3}
        The type of the forward transform being inverted.
    n : int or None
        Length of the transform (crop or zero-pad along ``axis``).
    axis : int
    norm : {None, 'backward', 'ortho', 'forward'}
        The same ``norm`` as the forward transform: with ``None``/``'backward'`` the inverse
        carries the ``1 / (2n)`` (type 1: ``1 / (2(n - 1))``) factor.
    overwrite_x, workers : accepted for SciPy's signature (see :func:`dct`)
    orthogonalize : bool or None
        As given to the forward transform.

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
    x, axis, norm, orth = _validate(x, type, n, axis, norm, workers, orthogonalize, "idct")
    return _run(x, axis, _INVERSE_TYPE[type], _MIRRORED_NORM[norm], orth)
