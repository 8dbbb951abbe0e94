"""dsp's validation helpers, raising :class:`PyramidError` so that every bad input to a pyramid
builder is a PyramidError (still a DSPError) with dsp's wording."""
from __future__ import annotations

import functools

from dsp._errors import DSPError
from dsp import _validation

from .core import PyramidError

__all__ = ["check_int", "check_float", "check_choice"]


def _as_pyramid_error(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PyramidError:
            raise
        except DSPError as exc:
            raise PyramidError(str(exc)) from None

    return wrapper


check_int = _as_pyramid_error(_validation.check_int)
check_float = _as_pyramid_error(_validation.check_float)
check_choice = _as_pyramid_error(_validation.check_choice)


as_float_array = _as_pyramid_error(_validation.as_float_array)
__all__.append("as_float_array")
