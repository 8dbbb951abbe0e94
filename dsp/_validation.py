"""Validation shared by every public function and both backends.

Every check raises :class:`dsp.DSPError` with the parameter's name, the value received and what
is accepted. Kernels never validate; they trust what these helpers hand them.
"""
from __future__ import annotations

import math
import numbers
import os
import sys
from typing import Any, Callable, Iterable

import numpy as np

from ._backend import array_module, is_cupy_array
from ._dispatch import kernel
from ._errors import DSPError


def as_float_array(
    x,
    *,
    name: str = "y",
    allow_complex: bool = False,
    finite: bool = True,
    min_ndim: int = 1,
):
    """Convert ``x`` to a floating array, keeping its precision and its device.

    float32 and float64 are kept, float16 becomes float32, complex input is accepted only where
    ``allow_complex``. Integer and boolean input is refused: integer audio has a scale (PCM) that
    must be stated, so the message points to :func:`dsp.from_pcm`. CuPy arrays stay CuPy.
    Big-endian input keeps its precision (``'>f4'`` -> float32). Read-only input is copied once
    (:func:`kernel_ready`) so that it reaches the same compiled kernels as writable input;
    masked arrays with masked samples and torch tensors that require grad are refused
    (:func:`to_numpy`).

    Parameters
    ----------
    x : array_like
    name : str
        The parameter's name, for messages.
    allow_complex : bool
    finite : bool
        Refuse NaN and infinity.
    min_ndim : int
        The least number of dimensions.

    Returns
    -------
    np.ndarray or cupy.ndarray
        float32, float64, complex64 or complex128.
    """
    if type(x) is np.ndarray and (x.dtype is _F32 or x.dtype is _F64):
        # the usual call (a clip in a data loader): a native float32/float64 NumPy array needs
        # none of the conversions. Each costs a hundred nanoseconds or more, and a call whose
        # Python has gone cold (after other libraries ran) pays far more: 3.3 -> 2.2 us warm
        # for a 1 s clip
        xp = np
    else:
        xp = array_module(x)
        x = _floating(x, name, allow_complex)
    if x.ndim < min_ndim:
        raise DSPError(f"{name} has {x.ndim} dimension(s): need at least {min_ndim}")
    if finite and x.size and not _all_finite(x, xp):
        raise not_finite(name)
    return kernel_ready(x)


def not_finite(name: str) -> DSPError:
    """The error for an input ``name`` that holds NaN or infinity (raised by
    :func:`as_float_array`, :func:`check_finite`, and kernels' callers that check on the way)."""
    return DSPError(f"{name} contains NaN or infinity: need finite values")


def all_finite(x) -> bool:
    """Whether every value of the NumPy or CuPy array ``x`` is finite (True when it is empty):
    the check :func:`as_float_array` makes, by the toolkit's kernel where one applies (a 30 MB
    float32 array: 1 ms against 3 ms for ``np.isfinite(x).all()``, which first writes a mask).

    Examples
    --------
    >>> import numpy as np
    >>> from dsp.base import all_finite
    >>> all_finite(np.ones(4, np.float32)), all_finite(np.array([1.0, np.inf]))
    (True, False)
    """
    return not x.size or _all_finite(x, array_module(x))


def check_finite(x, name: str = "y") -> None:
    """Refuse NaN and infinity in the NumPy or CuPy array ``x`` (what ``as_float_array(x,
    finite=True)`` checks, for a caller that converted with ``finite=False`` first)."""
    if not all_finite(x):
        raise not_finite(name)


def _floating(x, name: str, allow_complex: bool):
    """``x`` as an array of a dtype the kernels take (the conversions of :func:`as_float_array`)."""
    if not is_cupy_array(x):
        x = to_numpy(x, name)
    dt = x.dtype
    if not dt.isnative:  # big-endian data keeps its precision: '>f4' -> float32
        x = x.astype(dt.newbyteorder("="))
        dt = x.dtype
    if dt.kind in "iu":
        raise DSPError(
            f"{name} has integer dtype {dt}: audio must be floating point. "
            f"Convert PCM samples with dsp.from_pcm({name}) (or {name}.astype(np.float32) "
            "if the values are already on the intended scale)"
        )
    if dt.kind == "b":
        raise DSPError(f"{name} has boolean dtype: need a floating-point array")
    if dt.kind == "c":
        if not allow_complex:
            raise DSPError(f"{name} is complex ({dt}): need a real floating-point array")
        if dt != np.complex64 and dt != np.complex128:
            x = x.astype(np.complex128)
    elif dt.kind == "f":
        if dt == np.float16:
            x = x.astype(np.float32)
        elif dt != np.float32 and dt != np.float64:  # longdouble
            x = x.astype(np.float64)
    else:
        raise DSPError(f"{name} has dtype {dt}: need a floating-point array")
    return x


#: NumPy's native float32 and float64 dtypes (``x.dtype is`` one of them for almost every array)
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)

#: arrays of at least this many values are checked by the compiled kernel (shorter ones gain
#: less than a microsecond)
_COMPILED_FROM = 4096


def _all_finite(x, xp) -> bool:
    """Whether every value of ``x`` is finite.

    Complex values are checked as the real numbers they are made of, through a real view of the
    memory when it is one block (C or Fortran order): NumPy's complex ``isfinite`` took 1.3 ms on
    a 60 s complex64 spectrogram, the real one on the same bytes 0.5 ms (a fifth of a 2-thread
    istft). Other layouts check the real and imaginary parts apart (1.0 ms there).
    """
    if x.dtype.kind == "c":
        real = x.real.dtype
        if x.flags.c_contiguous:
            x = x.reshape(-1).view(real)
        elif x.flags.f_contiguous:
            x = x.T.reshape(-1).view(real)
        else:
            return bool(xp.isfinite(x.real).all()) and bool(xp.isfinite(x.imag).all())
    if x.size >= _COMPILED_FROM and xp is np and "dsp_kernels.config" in sys.modules:
        # the compiled check (dsp_kernels.cpu.finite: 2x faster, nothing allocated) once a CPU
        # kernel has been loaded (each imports dsp_kernels.config): a first call validates before
        # its kernels exist and is not made to compile this one too, and a NumPy-only function
        # never loads the kernels for it
        flags = x.flags
        if flags.writeable and (flags.c_contiguous or flags.f_contiguous):
            flat = x if x.ndim == 1 else x.reshape(-1) if flags.c_contiguous else x.T.reshape(-1)
            return kernel("all_finite", "cpu")(flat)
    return bool(xp.isfinite(x).all())


def to_numpy(x, name: str) -> np.ndarray:
    """``np.asarray(x)`` for any array-like, refusing what would lose information silently.

    A masked array with masked samples is refused (its mask would be dropped, as librosa's
    ``valid_audio`` refuses it); a torch tensor that requires grad is refused with a pointer to
    ``.detach()``; ragged nested lists and objects NumPy cannot convert raise DSPError.
    """
    if isinstance(x, np.ma.MaskedArray):
        if np.ma.is_masked(x):
            raise DSPError(
                f"{name} is a masked array with masked samples: the mask would be ignored; "
                f"fill them first ({name}.filled(0.0)) or drop them"
            )
        x = x.data
    if getattr(x, "requires_grad", False) is True and type(x).__module__.startswith("torch"):
        raise DSPError(
            f"{name} is a torch tensor with requires_grad=True: call {name}.detach() "
            "(the result would not be differentiable)"
        )
    try:
        x = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise DSPError(f"{name} could not be converted to an array: {exc}") from exc
    if x.dtype == object:
        raise DSPError(f"{name} could not be converted to a numeric array (it holds Python objects)")
    return x


def kernel_ready(x):
    """``x`` as the compiled kernels are compiled for: writable NumPy arrays.

    Numba types a read-only array differently from a writable one, so a read-only input (a
    memory-mapped file, an array handed over by another library, a broadcast view) would compile
    every kernel a second time (about 35 s for istft). Such input is copied once here, keeping its
    memory layout; writable arrays and CuPy arrays pass through untouched.
    """
    if isinstance(x, np.ndarray) and not x.flags.writeable:
        x = x.copy(order="K")
    return x


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not POSIX
        return 1 << 62


#: the largest single array, in bytes, that a parameter may make a function allocate: 64 GiB, or
#: the machine's physical memory if smaller; the environment variable ``DSP_MAX_ALLOC_BYTES``
#: replaces the 64 GiB. Parameters implying more (``n_fft=2**40``, ``n_mels=2**31``, a dense DFT
#: matrix of 100,000 points) raise DSPError before anything is allocated.
MAX_ALLOC_BYTES = min(int(os.environ.get("DSP_MAX_ALLOC_BYTES", 1 << 36)), _physical_memory())


def _format_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} EiB"  # pragma: no cover


def check_allocation(cause: str | Callable[[], str], n_items, itemsize: int, *, what: str = "an array",
                     hint: str = "") -> None:
    """Refuse, before allocating, an array of ``n_items`` values of ``itemsize`` bytes above
    :data:`MAX_ALLOC_BYTES`.

    ``cause`` names the parameters responsible (``"n_fft=1099511627776"``), or is a function
    returning that text (formatting it costs a small call about 1 us; it is needed only to
    refuse); the message states the size the array would need and the ceiling.
    """
    nbytes = float(n_items) * float(itemsize)
    if nbytes > MAX_ALLOC_BYTES:
        if callable(cause):
            cause = cause()
        raise DSPError(
            f"{cause} would need {what} of {_format_bytes(nbytes)}, more than the "
            f"{_format_bytes(MAX_ALLOC_BYTES)} ceiling (dsp's MAX_ALLOC_BYTES: 64 GiB or the "
            f"physical memory; DSP_MAX_ALLOC_BYTES overrides)" + (f"; {hint}" if hint else "")
        )


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, refusing bools, floats and values out of range."""
    # a plain int skips the ABC checks (about 1 us of every small call's validation)
    if type(value) is not int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise DSPError(f"{name}={value!r} must be an integer")
        value = int(value)
    if minimum is not None and value < minimum:
        raise DSPError(f"{name}={value} is too small: need {name} >= {minimum}")
    if maximum is not None and value > maximum:
        raise DSPError(f"{name}={value} is too large: need {name} <= {maximum}")
    return value


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """Return ``value`` as a finite float within range.

    ``strict_minimum`` makes ``minimum`` exclusive (e.g. ``sr > 0``). A 0-d NumPy array of a real
    dtype (``np.array(8000)``) counts as its scalar, as it does for librosa.
    """
    if type(value) is not float and type(value) is not int:  # plain numbers skip the ABC checks
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value[()]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise DSPError(f"{name}={value!r} must be a real number")
    value = float(value)
    if not math.isfinite(value):
        raise DSPError(f"{name}={value} must be finite")
    if minimum is not None:
        if strict_minimum and value <= minimum:
            raise DSPError(f"{name}={value} must be > {minimum}")
        if not strict_minimum and value < minimum:
            raise DSPError(f"{name}={value} must be >= {minimum}")
    if maximum is not None and value > maximum:
        raise DSPError(f"{name}={value} must be <= {maximum}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool, refusing anything but True/False (1, 'yes', None...)."""
    if not isinstance(value, (bool, np.bool_)):
        raise DSPError(f"{name}={value!r} must be True or False")
    return bool(value)


def check_dtype(name: str, value: Any, accepted: Iterable[Any] | None = None) -> np.dtype:
    """Return ``value`` as a NumPy dtype, one of ``accepted`` when given.

    >>> check_dtype("dtype", "float32", (np.float32, np.float64))
    dtype('float32')
    """
    accepted = None if accepted is None else tuple(np.dtype(d) for d in accepted)

    def names():  # only for a message: a dtype's name costs about 1 us
        return "" if accepted is None else " or ".join(d.name for d in accepted)

    try:
        dt = np.dtype(value)
    except TypeError as exc:
        raise DSPError(f"{name}={value!r} is not a dtype" + (f": use {names()}" if accepted else "")) from exc
    if accepted is not None and dt not in accepted:
        raise DSPError(f"{name}={dt.name} is not supported: use {names()}")
    return dt


def check_rate(name: str, value: Any) -> float:
    """Return a sampling rate (Hz) as a finite float > 0."""
    if type(value) is not float and type(value) is not int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise DSPError(f"{name}={value!r} must be a positive number (Hz)")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise DSPError(f"{name}={value} must be a finite number > 0 (Hz)")
    return value


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        accepted = ", ".join(repr(c) for c in choices)
        raise DSPError(f"{name}={value!r} is not supported: use one of {accepted}")
    return value


def check_axis(axis: Any, ndim: int, *, name: str = "axis") -> int:
    """Normalise a possibly negative ``axis`` for an array of ``ndim`` dimensions."""
    axis = check_int(name, axis)
    if not -ndim <= axis < ndim:
        raise DSPError(f"{name}={axis} is out of range for an array with {ndim} dimension(s)")
    return axis % ndim


def complex_dtype(real_dtype) -> np.dtype:
    """complex64 for float32, complex128 for float64 (and for complex input, itself)."""
    dt = np.dtype(real_dtype)
    if dt.kind == "c":
        return dt
    return np.dtype(np.complex64) if dt == np.float32 else np.dtype(np.complex128)


def real_dtype(dtype) -> np.dtype:
    """float32 for float32/complex64, float64 for float64/complex128."""
    dt = np.dtype(dtype)
    return np.dtype(np.float32) if dt in (np.float32, np.complex64) else np.dtype(np.float64)


def flatten_leading(x, axis: int = -1):
    """Move ``axis`` last and collapse the others into one batch axis, C-contiguous.

    Returns the 2-D array ``(batch, n)`` and the leading shape needed to undo it with
    ``out.reshape(lead + out.shape[1:])``. Works for NumPy and CuPy.
    """
    if (type(x) is np.ndarray and x.ndim == 1 and type(axis) is int and axis in (0, -1)
            and x.flags.c_contiguous):
        # one clip, the loader's usual call: a view, 1 us cheaper than the general path
        return x[None], ()
    xp = array_module(x)
    axis = check_axis(axis, x.ndim)
    if axis != x.ndim - 1:  # (moveaxis costs a few microseconds: a small clip's call notices)
        x = xp.moveaxis(x, axis, -1)
    lead = x.shape[:-1]
    batch = math.prod(lead)  # explicit: reshape(-1, 0) is ambiguous
    return xp.ascontiguousarray(x.reshape((batch, x.shape[-1]))), lead
