"""The pyramids' error and the one path by which a dsp error becomes one.

Every bad input to a pyramid function is a :class:`PyramidError`. Much of the checking is dsp's
(:mod:`dsp.base` checks, dsp transforms refusing a wavelet or a mode): :func:`as_pyramid_error`
turns the :class:`dsp.DSPError` those raise into a :class:`PyramidError` with the same message,
keeping the original as ``__cause__``. It is the only place that conversion is written.
"""
from __future__ import annotations

import contextlib

from dsp.base import DSPError

__all__ = ["PyramidError", "as_pyramid_error"]


class PyramidError(DSPError):
    """Bad input to a pyramid: empty levels, extents that do not match the elements, NaN data,
    levels not ordered fine to coarse, text offsets outside the text, and so on.

    A subclass of :class:`dsp.DSPError` (hence of ``ValueError``).
    """


@contextlib.contextmanager
def as_pyramid_error(prefix: str = ""):
    """Re-raise a :class:`dsp.DSPError` from the block as a :class:`PyramidError`.

    A PyramidError passes through unchanged. Usable as a ``with`` block or as a decorator.

    Parameters
    ----------
    prefix : str
        Put before the message (e.g. ``'levels=5: '``, to say which pyramid parameter led a
        dsp call astray).

    Examples
    --------
    >>> from dsp.base import check_int
    >>> try:
    ...     with as_pyramid_error():
    ...         check_int("levels", 0, minimum=1)
    ... except PyramidError as exc:
    ...     print(exc)
    levels=0 is too small: need levels >= 1
    """
    try:
        yield
    except PyramidError:
        raise
    except DSPError as exc:
        raise PyramidError(f"{prefix}{exc}") from exc
