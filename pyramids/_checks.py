"""dsp's public checks (:mod:`dsp.base`), raising :class:`PyramidError` so that every bad input to
a pyramid builder is a PyramidError (still a DSPError) with dsp's wording."""
from __future__ import annotations

from dsp import base

from ._errors import as_pyramid_error

__all__ = ["check_int", "check_float", "check_choice", "as_float_array", "signal_and_rate"]

check_int = as_pyramid_error()(base.check_int)
check_float = as_pyramid_error()(base.check_float)
check_choice = as_pyramid_error()(base.check_choice)
as_float_array = as_pyramid_error()(base.as_float_array)


def signal_and_rate(y, sr):
    """``(y, sr)`` checked: ``y`` a floating array kept on its device, ``sr`` a float > 0."""
    return as_float_array(y, name="y"), check_float("sr", sr, minimum=0.0, strict_minimum=True)
