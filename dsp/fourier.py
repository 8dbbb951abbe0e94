"""The discrete Fourier transform: the DFT matrix (the definition, for teaching and testing) and
our own FFT (mixed-radix Stockham and Bluestein, in the ``kernels/cpu/fft/`` package) with numpy.fft's
conventions.

Conventions, as in ``numpy.fft``: the forward transform is X_k = sum_j x_j exp(-2 pi i jk / n);
``n`` crops or zero-pads the input along ``axis``; ``norm`` puts the 1/n factor on the inverse
(``'backward'``, the default), on the forward transform (``'forward'``), or 1/sqrt(n) on both
(``'ortho'``). As in NumPy 2, precision is kept: float32 input gives complex64 (and irfft of
complex64 gives float32), float64 gives complex128; integer and boolean input is computed in
float64, and ``out=`` receives the result (:mod:`dsp._numpy_policy`).
"""
from __future__ import annotations

import math

import numpy as np

from ._backend import array_module
from ._dispatch import kernel_for
from ._errors import DSPError
from ._numpy_policy import fft_input, write_out
from ._validation import as_float_array, check_allocation, check_axis, check_choice, check_float, check_int, complex_dtype

__all__ = ["dft_matrix", "dft", "idft", "fft", "ifft", "rfft", "irfft", "fft_frequencies"]

_NORMS = (None, "backward", "ortho", "forward")


# ---------------------------------------------------------------------------------------------
# the definition: matrix-vector products


def dft_matrix(n, *, dtype=np.complex128) -> np.ndarray:
    """The n x n DFT matrix W with W[j, k] = exp(-2 pi i j k / n).

    ``X = W @ x`` is the DFT of ``x``; ``W.conj() @ X / n`` inverts it, since W W^H = n I.
    The phase is reduced as ``(j k) mod n`` in integers before scaling, so large n stay accurate.

    Parameters
    ----------
    n : int > 0
    dtype : complex64 or complex128

    Returns
    -------
    W : np.ndarray [shape=(n, n)]

    Examples
    --------
    >>> import numpy as np, dsp
    >>> W = dsp.dft_matrix(4)
    >>> np.round(W.real).astype(int)
    array([[ 1,  1,  1,  1],
           [ 1,  0, -1,  0],
           [ 1, -1,  1, -1],
           [ 1,  0, -1,  0]])
    """
    n = check_int("n", n, minimum=1)
    dt = np.dtype(dtype)
    if dt not in (np.complex64, np.complex128):
        raise DSPError(f"dtype={dt} is not supported: use complex64 or complex128")
    _check_dense(n, dt, f"n={n}")
    j = np.arange(n, dtype=np.int64)
    phase = (-2.0 * np.pi / n) * (np.outer(j, j) % n)
    return (np.cos(phase) + 1j * np.sin(phase)).astype(dt)


#: the largest n of the dense DFT (:func:`dft_matrix`, :func:`dft`, :func:`idft`): its n x n
#: complex128 matrix is 1 GiB; beyond, use :func:`fft`
DFT_MAX_N = 8192


def _check_dense(n, dt, cause):
    if n > DFT_MAX_N:
        raise DSPError(
            f"{cause} is too large for the dense DFT: its {n} x {n} matrix would need "
            f"{n * n * np.dtype(dt).itemsize / 2**30:.1f} GiB (the limit is n <= {DFT_MAX_N}); "
            "use dsp.fft, which needs O(n) memory"
        )


def _dft_input(x, name, axis, real_only=False):
    x = as_float_array(x, name=name, allow_complex=not real_only)
    axis = check_axis(axis, x.ndim)
    return x, axis


def dft(x, *, axis=-1):
    """DFT by its definition, the matrix-vector product ``W @ x`` (O(n^2); use :func:`fft`).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)], real or complex
    axis : int
        The axis to transform.

    Returns
    -------
    X : np.ndarray [shape=(..., n)], complex64 for float32/complex64 input, else complex128

    Examples
    --------
    >>> import numpy as np, dsp
    >>> np.allclose(dsp.dft([1.0, 2.0, 3.0]), np.fft.fft([1.0, 2.0, 3.0]))
    True
    """
    x, axis = _dft_input(x, "x", axis)
    xp = array_module(x)
    cdt = complex_dtype(x.dtype)
    _check_dense(x.shape[axis], cdt, f"x with {x.shape[axis]} samples along axis={axis}")
    if x.shape[axis] == 0:
        raise DSPError(f"x has 0 samples along axis={axis}: the DFT needs at least 1")
    W = xp.asarray(dft_matrix(x.shape[axis], dtype=cdt))
    # (..., n) @ W^T == W @ x per row; W is symmetric
    return xp.moveaxis(xp.matmul(xp.moveaxis(x, axis, -1).astype(cdt), W), -1, axis)


def idft(X, *, axis=-1):
    """Inverse DFT by its definition, ``W.conj() @ X / n``.

    Parameters
    ----------
    X : np.ndarray [shape=(..., n)], real or complex
    axis : int

    Returns
    -------
    x : np.ndarray [shape=(..., n)], complex

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.array([1.0, -2.0, 0.5, 4.0])
    >>> np.allclose(dsp.idft(dsp.dft(x)).real, x)
    True
    """
    X, axis = _dft_input(X, "X", axis)
    xp = array_module(X)
    cdt = complex_dtype(X.dtype)
    n = X.shape[axis]
    _check_dense(n, cdt, f"X with {n} values along axis={axis}")
    if n == 0:
        raise DSPError(f"X has 0 values along axis={axis}: the inverse DFT needs at least 1")
    W = xp.asarray(dft_matrix(n, dtype=cdt).conj())
    out = xp.matmul(xp.moveaxis(X, axis, -1).astype(cdt), W) / cdt.type(n)
    return xp.moveaxis(out.astype(cdt), -1, axis)


def fft_frequencies(*, sr=22050, n_fft=2048) -> np.ndarray:
    """Centre frequencies of the ``1 + n_fft // 2`` bins of a real FFT (as ``librosa.fft_frequencies``).

    Parameters
    ----------
    sr : float > 0
        Sampling rate.
    n_fft : int > 0
        FFT size.

    Returns
    -------
    freqs : np.ndarray [shape=(1 + n_fft // 2,)], float64, from 0 to sr/2 (n_fft even)

    Examples
    --------
    >>> import dsp
    >>> dsp.fft_frequencies(sr=8000, n_fft=8)
    array([   0., 1000., 2000., 3000., 4000.])
    """
    sr = check_float("sr", sr, minimum=0.0, strict_minimum=True)
    n_fft = check_int("n_fft", n_fft, minimum=1)
    # sr / n_fft computed as numpy's rfftfreq does (1 / (n * d), d = 1/sr), so librosa's values match bit for bit
    val = 1.0 / (n_fft * (1.0 / sr))
    return np.arange(0, n_fft // 2 + 1, dtype=int) * val


# ---------------------------------------------------------------------------------------------
# the FFT


def _prepare(a, n, axis, norm, *, real_in, name="a"):
    """Validate, move ``axis`` last and flatten the leading axes: (batch, size) C-contiguous."""
    check_choice("norm", norm, _NORMS)
    a = as_float_array(a, name=name, allow_complex=not real_in)
    axis = check_axis(axis, a.ndim)
    if n is not None:
        n = check_int("n", n, minimum=1)
    xp = array_module(a)
    moved = xp.moveaxis(a, axis, -1)
    lead = moved.shape[:-1]
    if n is not None:  # the padded input and the complex output: refused before allocating
        check_allocation(f"n={n}", math.prod(lead) * (n + 2), complex_dtype(a.dtype).itemsize,
                         what="a transform")
    return xp, moved.reshape((math.prod(lead), moved.shape[-1])), lead, axis, n


def _fit(xp, x2, size):
    """Crop or zero-pad the rows of ``x2`` to ``size`` (numpy.fft's ``n``)."""
    have = x2.shape[-1]
    if have == size:
        return xp.ascontiguousarray(x2)
    if have > size:
        return xp.ascontiguousarray(x2[:, :size])
    out = xp.zeros((x2.shape[0], size), dtype=x2.dtype)
    out[:, :have] = x2
    return out


def _scale(norm, n, inverse) -> float:
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if (norm == "forward") != bool(inverse):
        return 1.0 / n
    return 1.0


def _need_points(n, origin=""):
    if n < 1:
        if origin == " (the input's length along axis)":  # name what the user passed
            raise DSPError("a has 0 values along axis: the transform needs at least 1 (or pass n >= 1)")
        raise DSPError(f"n={n}{origin} is too small: the transform needs n >= 1 points")


def _finish(xp, out2, lead, axis):
    return xp.moveaxis(out2.reshape(lead + out2.shape[-1:]), -1, axis)


def _complex_transform(a, n, axis, norm, inverse):
    xp, x2, lead, axis, n = _prepare(a, n, axis, norm, real_in=False)
    size = x2.shape[-1] if n is None else n
    _need_points(size, "" if n is not None else " (the input's length along axis)")
    x2 = _fit(xp, x2.astype(complex_dtype(x2.dtype), copy=False), size)
    out = kernel_for("fft", x2)(x2, bool(inverse), _scale(norm, size, inverse))
    return _finish(xp, out, lead, axis)


def fft(a, n=None, axis=-1, norm=None, out=None):
    """Discrete Fourier transform of a real or complex signal (our FFT; numpy.fft.fft's conventions).

    Parameters
    ----------
    a : np.ndarray [shape=(..., n_in, ...)], float or complex
    n : int > 0 or None
        Length of the transform: the input is cropped or zero-padded along ``axis``.
        None uses the input's length.
    axis : int
        The axis to transform.
    norm : {None, 'backward', 'ortho', 'forward'}
        None and 'backward' leave the forward transform unscaled.
    out : np.ndarray or None
        Write the result into this array (of the result's shape; numpy.fft's ``out``).

    Returns
    -------
    X : np.ndarray [shape=(..., n, ...)]; complex64 for float32/complex64 input, else complex128

    Examples
    --------
    >>> import numpy as np, dsp
    >>> X = dsp.fft(np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32))
    >>> X
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j], dtype=complex64)
    """
    return write_out(out, _complex_transform(fft_input(a, n, axis), n, axis, norm, False))


def ifft(a, n=None, axis=-1, norm=None, out=None):
    """Inverse discrete Fourier transform (our FFT; numpy.fft.ifft's conventions).

    Parameters
    ----------
    a : np.ndarray [shape=(..., n_in, ...)], complex or float
    n : int > 0 or None
        Length of the transform (crop or zero-pad along ``axis``).
    axis : int
    norm : {None, 'backward', 'ortho', 'forward'}
        None and 'backward' scale the inverse by 1/n.
    out : np.ndarray or None
        Write the result into this array (of the result's shape; numpy.fft's ``out``).

    Returns
    -------
    x : np.ndarray [shape=(..., n, ...)], complex

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> np.allclose(dsp.ifft(dsp.fft(x)), x)
    True
    """
    return write_out(out, _complex_transform(fft_input(a, n, axis), n, axis, norm, True))


def rfft(a, n=None, axis=-1, norm=None, out=None):
    """Real-input FFT: the ``n // 2 + 1`` non-negative frequency bins (numpy.fft.rfft's conventions).

    Computed through the half-length complex transform (n even) and any length works.

    Parameters
    ----------
    a : np.ndarray [shape=(..., n_in, ...)], real
    n : int > 0 or None
        Length of the transform (crop or zero-pad along ``axis``).
    axis : int
    norm : {None, 'backward', 'ortho', 'forward'}
    out : np.ndarray or None
        Write the result into this array (of the result's shape; numpy.fft's ``out``).

    Returns
    -------
    X : np.ndarray [shape=(..., n // 2 + 1, ...)], complex64 for float32 input, else complex128

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.cos(2 * np.pi * 2 * np.arange(8) / 8).astype(np.float32)
    >>> np.round(np.abs(dsp.rfft(y)), 3)
    array([0., 0., 4., 0., 0.], dtype=float32)
    """
    xp, x2, lead, axis, n = _prepare(fft_input(a, n, axis), n, axis, norm, real_in=True)
    size = x2.shape[-1] if n is None else n
    _need_points(size, "" if n is not None else " (the input's length along axis)")
    x2 = _fit(xp, x2, size)
    return write_out(out, _finish(xp, kernel_for("rfft", x2)(x2, _scale(norm, size, False)), lead, axis))


def irfft(a, n=None, axis=-1, norm=None, out=None):
    """Inverse of :func:`rfft`: a real signal of length n from its ``n // 2 + 1`` bins.

    As in numpy, n defaults to ``2 * (m - 1)`` for m input bins, the input is cropped or
    zero-padded to ``n // 2 + 1`` bins, and the imaginary parts of the DC bin (and of the
    Nyquist bin, n even) are ignored.

    Parameters
    ----------
    a : np.ndarray [shape=(..., m, ...)], complex or real
    n : int > 0 or None
        Length of the output.
    axis : int
    norm : {None, 'backward', 'ortho', 'forward'}
    out : np.ndarray or None
        Write the result into this array (of the result's shape; numpy.fft's ``out``).

    Returns
    -------
    y : np.ndarray [shape=(..., n, ...)], float32 for complex64/float32 input, else float64

    Examples
    --------
    >>> import numpy as np, dsp
    >>> y = np.array([0.5, -1.0, 2.0, 0.25, 3.0], dtype=np.float32)
    >>> np.allclose(dsp.irfft(dsp.rfft(y), n=5), y, atol=1e-6)
    True
    """
    xp, x2, lead, axis, n = _prepare(fft_input(a, n, axis), n, axis, norm, real_in=False)
    if n is None:
        n = 2 * (x2.shape[-1] - 1)
        _need_points(n, f" (the default 2 * (m - 1) for m={x2.shape[-1]} input bins)")
    x2 = _fit(xp, x2.astype(complex_dtype(x2.dtype), copy=False), n // 2 + 1)
    return write_out(out, _finish(xp, kernel_for("irfft", x2)(x2, n, _scale(norm, n, True)), lead, axis))
