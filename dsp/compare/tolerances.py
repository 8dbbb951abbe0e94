"""The project's stated parity tolerances and its documented differences from the references.

``RTOL[dtype]`` bounds the peak-relative error ``max|ours - ref| / max|ref|`` of a result computed
from input of that dtype (complex results take their real dtype's bound). These are the numbers the
test suite holds every function to (``tests/tolerances.py`` takes them from here), so a compare
report and the tests state one tolerance.

``KNOWN`` lists, per feature and input dtype, the documented reasons a result may lie outside that
bound, with the docs page that measures it. :func:`explain` picks the one that applies to a run.

Examples
--------
>>> import numpy as np
>>> from dsp.compare.tolerances import tolerance, explain
>>> tolerance("mfcc", np.float32)
1e-05
>>> explain("mfcc", np.float32, {"power": 1.0}).docs
'docs/mel.md'
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

__all__ = ["RTOL", "KNOWN", "Known", "tolerance", "explain"]

RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}
RTOL[np.dtype(np.complex64)] = RTOL[np.dtype(np.float32)]
RTOL[np.dtype(np.complex128)] = RTOL[np.dtype(np.float64)]


class Known(NamedTuple):
    """A documented difference: when it applies, what it is, where it is measured."""

    feature: str
    dtypes: tuple          # input dtypes it concerns
    applies: Callable      # (params: dict, context: dict) -> bool
    reason: str
    docs: str              # the page (and section) that measures it


def _always(params, context):
    return True


def _resampled(params, context):
    # the file's own rate differs from the requested one: each library resampled with its own filter
    return bool(context.get("resampled"))


KNOWN = (
    Known("mfcc", ("float32",), _always,
          "float32 audio is transformed in float32 here, while librosa multiplies float32 frames by a "
          "float64 window and so runs its FFT in float64; the dB scale magnifies the float32 FFT's "
          "rounding in bins far below a frame's peak (up to 5e-5 of the largest coefficient with "
          "power=1, 3e-7 with power=2). Pass --dtype float64 when those bins matter.",
          "docs/mel.md"),
    Known("melspectrogram", ("float32",), _always,
          "a band that projects little of the spectrum's energy is bounded relative to what it projects, "
          "not to the spectrogram's peak (float32 FFT rounding summed over the band's bins).",
          "docs/mel.md#float32-accuracy-of-a-band-that-projects-little-energy"),
    Known("load", ("float32", "float64"), _resampled,
          "the file's rate differs from sr, so each library resampled with its own filter: ours is "
          "res_type='high' by default (soxr_hq maps to 'hq'), librosa's is soxr; the two differ "
          "by the filters' passband ripple and stopband, largest near the new Nyquist frequency.",
          "docs/porting.md (resampling table) and docs/sampling.md"),
    Known("cqt", ("float32", "float64"), _always,
          "below the top octave both libraries halve the signal's rate; librosa's resampler (soxr) and "
          "ours treat the signal's ends differently, so the frames near the ends differ (up to 3.5e-3 of "
          "the peak over the tested grid) while the interior frames agree within 4.3e-6.",
          "docs/cqt.md (accuracy, point 2)"),
)


def tolerance(feature: str, dtype) -> float:
    """The stated peak-relative bound for ``feature`` on input of ``dtype``.

    Parameters
    ----------
    feature : str
        A compare feature name (every feature is held to its dtype's bound).
    dtype : np.dtype-like
        The input's dtype (float32, float64, or their complex types).

    Returns
    -------
    float
    """
    return RTOL[np.dtype(dtype)]


def explain(feature: str, dtype, params: dict, context: dict | None = None) -> Known | None:
    """The documented difference that covers ``feature`` on ``dtype`` input with ``params``, or None."""
    name = np.dtype(dtype).name
    for k in KNOWN:
        if k.feature == feature and name in k.dtypes and k.applies(params, context or {}):
            return k
    return None
