"""The signal-extension modes of the DWT and its output lengths, written down once.

Every kernel (CPU and GPU) receives a mode as its integer id from :data:`MODES`; the ids are
PyWavelets' ``pywt.Modes`` values, so code that stores them keeps working.

Extension table
---------------
A signal ``x[0..N-1]`` is read at any integer index ``k``; inside ``[0, N)`` it is ``x[k]``. Outside,
the mode says what the filter sees (the rule applies as often as needed, so filters longer than
the signal are handled):

==============  ==  ===========================================  ===============================
mode            id  rule for k outside [0, N)                     picture (N = 4: a b c d)
==============  ==  ===========================================  ===============================
zero             0  0                                            ``0 0 | a b c d | 0 0``
symmetric        1  half-sample mirror, period 2N                 ``b a | a b c d | d c``
constant         2  x[0] left, x[N-1] right                       ``a a | a b c d | d d``
smooth           3  first-order extrapolation from the two edge   ``a-2(b-a) a-(b-a) | ... |``
                    samples (N = 1: constant)                     ``d+(d-c) d+2(d-c)``
periodic         4  x[k mod N]                                    ``c d | a b c d | a b``
periodization    5  x[k mod P] with P = N rounded up to even, the ``... d | a b c d | a b`` (odd N:
                    odd sample count padded by repeating x[N-1]    ``a b c`` -> ``a b c c``)
reflect          6  whole-sample mirror, period 2N-2 (N > 1)      ``c b | a b c d | c b``
antisymmetric    7  half-sample mirror with sign flip, period 4N  ``-b -a | a b c d | -d -c``
antireflect      8  whole-sample point mirror about the edge      ``2a-c 2a-b | a b c d |``
                    sample: x[-j] = 2x[0] - x[j], and             ``2d-c 2d-b``
                    x[k + 2N-2] = x[k] + 2(x[N-1] - x[0])
==============  ==  ===========================================  ===============================

Forward transform (analysis)
----------------------------
With the decomposition filters ``h`` (low) and ``g`` (high) of even length ``F``:

* every mode but periodization: ``L = floor((N + F - 1) / 2)`` and
  ``cA[o] = sum_j h[j] * X[2o + 1 - j]`` for ``o = 0..L-1`` (a full convolution of the extended
  signal, every second sample, starting with the second);
* periodization: ``L = ceil(N / 2)`` and ``cA[o] = sum_j h[j] * X[2o + F/2 - j]`` on the periodic
  signal of period ``P = 2L``.

``cD`` is the same with ``g``.

Inverse transform (synthesis)
-----------------------------
With the reconstruction filters ``h'``, ``g'`` and ``n`` coefficients of each kind:

* every mode but periodization (the extension mode plays no part; the result is the "valid" part
  of the upsampled convolution): ``N' = 2n - F + 2`` and
  ``y[m] = sum_k cA[k] h'[m + F - 2 - 2k] + cD[k] g'[m + F - 2 - 2k]`` (taps outside ``[0, F)``
  are zero). ``N' <= 0`` means the coefficients are too short for the wavelet.
* periodization: ``N' = 2n`` and the same sum with offset ``F/2 - 1`` taken circularly:
  ``y[m] = sum_k cA[k] h'[(m + F/2 - 1 - 2k) mod 2n] + ...`` (every tap congruent mod ``2n``).

``waverec`` applies the inverse level by level; when the approximation is one longer than the
detail of the next level (odd lengths in the forward transform), its last sample is dropped.
"""
from __future__ import annotations

import warnings

from ._errors import DSPError, DSPTypeError

from dsp_kernels.shapes import MODES, NEEDS_TWO_SAMPLES, PERIODIZATION, dwt_len, idwt_len
from dsp_kernels.shapes import dwt_max_level as max_level

#: old MATLAB-style names PyWavelets still accepts, with a DeprecationWarning
_ALIASES = {"zpd": "zero", "cpd": "constant", "sym": "symmetric", "ppd": "periodic", "sp1": "smooth", "per": "periodization"}
_NAMES = {v: k for k, v in MODES.items()}


def mode_id(mode) -> int:
    """Return the integer id of ``mode`` (a name from :data:`MODES` or an id)."""
    if isinstance(mode, bool):
        pass
    elif isinstance(mode, int) and mode in _NAMES:
        return int(mode)
    elif isinstance(mode, str):
        if mode in MODES:
            return MODES[mode]
        if mode in _ALIASES:
            new = _ALIASES[mode]
            warnings.warn(
                f"mode={mode!r} is the old name of {new!r}; use {new!r}",
                DeprecationWarning,
                stacklevel=3,
            )
            return MODES[new]
    accepted = ", ".join(repr(m) for m in MODES)
    if not isinstance(mode, (str, int)) or isinstance(mode, bool):  # PyWavelets: TypeError
        raise DSPTypeError(
            f"mode={mode!r} is a {type(mode).__name__}: need a mode name (one of {accepted}) "
            "or PyWavelets' integer mode id"
        )
    raise DSPError(f"mode={mode!r} is not a signal-extension mode: use one of {accepted}")


def mode_name(mode_id_: int) -> str:
    return _NAMES[mode_id_]
