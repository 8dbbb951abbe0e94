"""Scalar rules both twins compute, written once as plain Python.

Each function here is one formula that the CPU and the GPU kernels must agree on: the DWT signal
extension, the STFT pad rule, mid-tread rounding and the PCM clip rule, ``|z| ** p``, the
Bessel-I0 series, and the per-row rules of the features (a frame's mean square or zero-crossing
rate, a spectrum's centroid, bandwidth, flatness or energy, PCEN, the onset flux of a frame and
onset_strength's detrending filter) and one entry of a full convolution (the CWT's). Nothing
here is compiled at import: each twin compiles the functions for its own target,
:mod:`dsp_kernels.cpu.rules` with ``numba.njit`` (inlined into the calling kernel, so the
caller's fastmath flags apply) and :mod:`dsp_kernels.gpu.rules` with ``cuda.jit(device=True)``. Called from Python they are the reference the tests compare with.

Writing rules for both targets
------------------------------
Only what Numba compiles on the CPU and on CUDA alike: scalars, ``math``, ``abs``/``min``/
``max``, ``np.float64`` to widen (Numba's ``float()`` keeps a float32 a float32), integer ``//``
and ``%`` (Python semantics on both targets: a non-negative remainder for a positive divisor)
and indexing of a 1-D array argument (the GPU passes a row view ``x[b]``). Where the targets
differ, a rule calls a module-level name that each twin rebinds with :func:`retarget`
(``_floor``: ``np.floor`` on the CPU, where ``math.floor`` returns an int that overflows;
``math.floor`` on CUDA, which has no ``np.floor`` and returns a float). A rule does not call
another rule directly (a plain Python function is not callable from compiled code); should one
need to, the twin rebinds that name to its compiled version the same way.

Examples
--------
>>> import numpy as np
>>> from dsp_kernels import rules
>>> rules.mid_tread(-2.5, 1.0), rules.pcm_clipped(32767.75, -32768.0, 32767.0)
(np.float64(-3.0), False)
>>> float(rules.extended(np.array([1.0, 2.0, 3.0]), 3, -1, rules.MODES["symmetric"]))
1.0
"""
from __future__ import annotations

import math
import operator
import types

import numpy as np

from dsp_kernels.shapes import MODES, PAD_MODES

__all__ = [
    "MODES", "PAD_MODES", "extended", "pad_value", "mid_tread", "pcm_clipped", "clamp", "abs_pow",
    "bessel_i0", "frame_stat", "flatness_ratio", "column_stat", "pcen_row", "pcen_step",
    "pcen_smooth", "pcen_compress", "onset_flux_frame", "detrend_row", "correlate_at",
    "symmetric_index", "convolve_at", "retarget",
]

# ids as module constants: both compilers freeze a global int into the code
_ZERO = MODES["zero"]
_SYMMETRIC = MODES["symmetric"]
_CONSTANT = MODES["constant"]
_SMOOTH = MODES["smooth"]
_PERIODIC = MODES["periodic"]
_PERIODIZATION = MODES["periodization"]
_REFLECT = MODES["reflect"]
_ANTISYMMETRIC = MODES["antisymmetric"]

_PAD_CONSTANT = PAD_MODES["constant"]
_PAD_EDGE = PAD_MODES["edge"]
_PAD_RAMP = PAD_MODES["linear_ramp"]
_PAD_REFLECT = PAD_MODES["reflect"]

#: float floor (rebound per target by :func:`retarget`; NumPy's keeps inf and NaN in Python)
_floor = np.floor
#: log, exp and division inside the feature rules' loops: the CPU rebinds them to the
#: vectorisable :mod:`dsp_kernels.cpu.vmath` (libm's calls, and Numba's division with its
#: ZeroDivisionError branch, keep a loop scalar); CUDA keeps its own
_log = math.log
_exp = math.exp
_div = operator.truediv


def retarget(rule, **names):
    """``rule`` with the module-level ``names`` rebound (same code, same file and line): how a
    twin substitutes its own primitive (``_floor=math.floor`` on CUDA) before compiling."""
    return types.FunctionType(rule.__code__, {**rule.__globals__, **names}, rule.__name__,
                              rule.__defaults__, rule.__closure__)


def extended(x, n, k, mode):
    """``x[k]`` for any integer ``k``: the 1-D row ``x`` (``n`` samples) extended by DWT ``mode``
    (PyWavelets' rules, tabled in :mod:`dsp._wavelet_modes`), as float64."""
    if 0 <= k < n:
        return np.float64(x[k])
    if mode == _ZERO:
        return 0.0
    if mode == _CONSTANT:
        return np.float64(x[0]) if k < 0 else np.float64(x[n - 1])
    if mode == _SYMMETRIC:
        m = k % (2 * n)
        return np.float64(x[m]) if m < n else np.float64(x[2 * n - 1 - m])
    if mode == _PERIODIC:
        return np.float64(x[k % n])
    if mode == _PERIODIZATION:
        m = k % (n + (n & 1))  # odd n: the padded sample repeats x[n-1]
        return np.float64(x[min(m, n - 1)])
    if mode == _ANTISYMMETRIC:  # period 2n: the signal, then its negated mirror image
        m = k % (2 * n)
        return np.float64(x[m]) if m < n else -np.float64(x[2 * n - 1 - m])
    if n == 1:  # smooth, reflect, antireflect of one sample: constant
        return np.float64(x[0])
    x0 = np.float64(x[0])
    xl = np.float64(x[n - 1])
    if mode == _SMOOTH:
        if k < 0:
            return x0 + k * (np.float64(x[1]) - x0)
        return xl + (k - n + 1) * (xl - np.float64(x[n - 2]))
    period = 2 * n - 2
    q = k // period
    m = k - q * period
    if mode == _REFLECT:
        return np.float64(x[m]) if m < n else np.float64(x[period - m])
    # antireflect: each whole period adds 2 (x[n-1] - x[0])
    v = np.float64(x[m]) if m < n else 2.0 * xl - np.float64(x[period - m])
    return v + q * 2.0 * (xl - x0)


def symmetric_index(k, n):
    """The index in ``[0, n)`` that position ``k`` reads under the half-sample symmetric border
    ``d c b a | a b c d | d c b a`` (period ``2n``: PyWavelets' 'symmetric', np.pad's
    'symmetric', scipy.ndimage's and scikit-image's 'reflect'), for any integer ``k``."""
    m = k % (2 * n)
    return m if m < n else 2 * n - 1 - m


def pad_value(y, i, lo, hi, mode, ramp):
    """The value position ``i`` (outside ``[lo, hi)``) of the 1-D ``y`` reads under STFT pad
    ``mode`` (a :data:`PAD_MODES` code; the rules are tabled in :mod:`dsp_kernels.cpu.framing`);
    ``ramp`` is the pad width of ``linear_ramp``."""
    n = hi - lo
    if mode == _PAD_CONSTANT:
        return 0.0
    if mode == _PAD_EDGE:
        return np.float64(y[lo]) if i < lo else np.float64(y[hi - 1])
    if mode == _PAD_RAMP:
        if i < lo:
            k = i - (lo - ramp)  # 0 at the outermost padded sample
            return np.float64(y[lo]) * k / ramp
        d = i - hi  # 0 next to the signal
        return np.float64(y[hi - 1]) * (ramp - 1 - d) / ramp
    if mode == _PAD_REFLECT:  # mirror without repeating the edge, period 2 (n - 1)
        if n == 1:
            return np.float64(y[lo])
        p = 2 * (n - 1)
        r = (i - lo) % p
        if r >= n:
            r = p - r
        return np.float64(y[lo + r])
    p = 2 * n  # symmetric: mirror repeating the edge, period 2 n
    r = (i - lo) % p
    if r >= n:
        r = p - 1 - r
    return np.float64(y[lo + r])


def mid_tread(v, step):
    """Mid-tread quantisation, ties away from zero: ``sgn(v) step floor(|v| / step + 1/2)``
    (float64; a zero keeps its sign, a NaN stays NaN). With ``step = 1`` it is the rounding of
    scaled samples to PCM integers (``|v| / 1`` is exact)."""
    q = step * _floor(abs(v) / step + 0.5)
    return -q if v < 0 else (q if v > 0 else v)


def pcm_clipped(v, lo, hi):
    """Whether the scaled sample ``v`` lies outside full scale ``[lo, hi + 1)`` (PCM integers
    ``lo .. hi``). The top half step ``[hi + 1/2, hi + 1)`` rounds past ``hi`` and saturates onto
    it, but it is inside full scale (the input was below 1.0), so it is not counted; ``[lo - 1/2,
    lo)`` rounds onto ``lo`` yet is below full scale (the input was below -1.0), so it is."""
    return v >= hi + 1.0 or v < lo


def clamp(r, lo, hi):
    """``r`` limited to ``[lo, hi]``."""
    if r > hi:
        return hi
    if r < lo:
        return lo
    return r


def abs_pow(re, im, power):
    """``|re + i im| ** power`` from the squared magnitude, the common powers 2 and 1 spared the
    general ``pow``."""
    p = re * re + im * im
    if power == 2.0:
        return p
    if power == 1.0:
        return math.sqrt(p)
    return p ** (0.5 * power)


def bessel_i0(x):
    """Modified Bessel function of the first kind, order 0, by its power series
    ``I0(x) = sum_k ((x/2)^k / k!)^2`` (float64). Every term is positive, so the sum has no
    cancellation; the loop stops when the next term no longer changes the sum (about
    ``x + 20`` terms). Overflows above ``x ~ 713``."""
    q = 0.25 * x * x
    term = 1.0
    total = 1.0
    k = 0.0
    while term > total * 1e-17:
        k += 1.0
        term *= q / (k * k)
        total += term
    return total


def frame_stat(y, s, frame_length, kind, threshold, zero_pos):
    """Over the frame ``y[s:s + frame_length]`` of the 1-D ``y``: the mean square (``kind == 0``,
    RMS's square) or the zero-crossing rate (otherwise; ``|v| <= threshold`` counts as 0, and
    with ``zero_pos`` 0 is positive, else it is a sign of its own), as float64."""
    if kind == 0:
        # over a view of the frame: indexing y[s + i] with a start of unknown sign keeps a
        # negative-index check in the loop, which stops it vectorising (7x slower on the CPU)
        frame = y[s:s + frame_length]
        acc = 0.0
        for i in range(frame_length):
            v = np.float64(frame[i])
            acc += v * v
        return acc / frame_length
    count = 0
    prev = np.float64(y[s])
    if abs(prev) <= threshold:
        prev = 0.0
    for i in range(s + 1, s + frame_length):
        v = np.float64(y[i])
        if abs(v) <= threshold:
            v = 0.0
        if zero_pos:
            if (v < 0.0) != (prev < 0.0):
                count += 1
        else:
            a = 1 if v > 0.0 else (-1 if v < 0.0 else 0)
            b = 1 if prev > 0.0 else (-1 if prev < 0.0 else 0)
            if a != b:
                count += 1
        prev = v
    return count / frame_length


#: below this a spectrum's total counts as 1 (librosa's ``tiny`` guard)
_TINY64 = np.float64(np.finfo(np.float64).tiny)


def flatness_ratio(slog, s, n):
    """Spectral flatness from the sums over ``n`` bins of ``log v`` (``slog``) and of ``v``
    (``s``): the geometric mean over the arithmetic mean, ``exp(slog / n) / (s / n)``."""
    return math.exp(slog / n) / (s / n)


def column_stat(m, freq, kind, param, amin, c):
    """One statistic of the spectrum ``m`` (1-D, real) over the bin frequencies ``freq``, as
    float64: kind 0 the centroid ``sum(f m) / sum(|m|)``; kind 1 the ``param``-th root of
    ``sum(m / sum|m| |f - c|^param)`` (``amin > 0``: not normalised); kind 2 the roll-off, the
    first ``f`` whose running sum of ``m`` reaches ``param`` of the total (NaN if none); kind 3
    the flatness ``exp(mean log v) / mean v`` of ``v = max(amin, m^param)``; otherwise (kind 4)
    the energy ``2 sum(w m^2) / param^2``, the first bin (and the last where ``amin == 0``)
    weighted 1/2.

    Kind 2 must be compiled without reassociation: its total and its running sum are the same
    sequential sum, so that the last running sum equals the total (a roll-off of 1 finds the top
    bin); a vectorised total would differ from it in the last bits."""
    n = m.shape[0]
    if kind == 2:
        tot = 0.0
        for k in range(n):
            tot += np.float64(m[k])
        thr = param * tot
        run = 0.0
        for k in range(n):
            run += np.float64(m[k])
            if not run < thr:
                return freq[k]
        return math.nan
    if kind == 0 or kind == 1:
        tot = 0.0
        acc = 0.0
        if kind == 1 and amin > 0.0:
            tot = 1.0
        else:
            for k in range(n):
                v = np.float64(m[k])
                tot += abs(v)
                acc += freq[k] * v
            if tot < _TINY64:
                tot = 1.0
        if kind == 0:
            return acc / tot
        acc = 0.0
        # the common p = 2 spelled out: a run-time ``** param`` is a scalar pow call per bin
        if param == 2.0:
            for k in range(n):
                d = freq[k] - c
                acc += _div(np.float64(m[k]), tot) * (d * d)
        else:
            for k in range(n):
                acc += _div(np.float64(m[k]), tot) * abs(freq[k] - c) ** param
        return acc ** (1.0 / param)
    if kind == 3:
        slog = 0.0
        s = 0.0
        # one loop per case of the power: a branch inside the loop keeps it scalar
        if param == 1.0:
            for k in range(n):
                v = max(amin, np.float64(m[k]))
                slog += _log(v)
                s += v
        elif param == 2.0:
            for k in range(n):
                v = np.float64(m[k])
                v = max(amin, v * v)
                slog += _log(v)
                s += v
        else:
            for k in range(n):
                v = max(amin, np.float64(m[k]) ** param)
                slog += _log(v)
                s += v
        return flatness_ratio(slog, s, n)
    acc = 0.0
    for k in range(n):
        v = abs(np.float64(m[k]))
        v = v * v
        if k == 0 or (k == n - 1 and amin == 0.0):
            v *= 0.5
        acc += v
    return 2.0 * acc / (param * param)


def pcen_row(S, ref, z, b, gain, bias, power, eps, out):
    """PCEN of the 1-D row ``S`` into ``out`` (float64), its smoother run on ``ref`` from the
    filter state ``z``; returns the final state. The smoother steps are :func:`pcen_step`; the
    gain and compression are :func:`pcen_compress`."""
    # the recurrence alone first (sequential), its values parked in ``out``; the per-sample
    # arithmetic then runs as a separate loop that vectorises
    for i in range(S.shape[0]):
        out[i], z = pcen_step(ref[i], z, b)
    pcen_compress(S, out, gain, bias, power, eps)
    return z


def pcen_step(r, z, b):
    """One step of PCEN's smoother, scipy.signal.lfilter's transposed direct form II of
    ``[b], [1, b - 1]``: the value ``r`` and the state ``z`` give ``(smoothed, next state)``."""
    sm = b * np.float64(r) + z
    return sm, -((b - 1.0) * sm)


def pcen_smooth(ref, z, b, out):
    """One time step of the smoother for several channels at once: channel ``k`` (value
    ``ref[k]``, state ``z[k]``, updated in place) leaves its smoothed energy in ``out[k]``.
    Independent channels side by side: SIMD lanes or overlapping dependency chains, where one
    channel's recurrence alone (:func:`pcen_row`) waits on each step."""
    for k in range(ref.shape[0]):
        out[k], z[k] = pcen_step(ref[k], z[k], b)


def pcen_compress(S, out, gain, bias, power, eps):
    """PCEN's gain and root compression: ``out[i]`` holds the smoothed energy of ``S[i]`` and
    becomes ``(S / (eps + out) ** gain + bias) ** power - bias ** power`` (float64), in
    librosa's stable forms; the branches on the parameters sit outside the loops."""
    if power == 0.5 and bias > 0.0:
        # the default: bias^p expm1(p log1p(x)) = sqrt(bias) (sqrt(1 + x) - 1), written
        # x / (sqrt(1 + x) + 1) to keep small x exact; eps^-gain (1 + sm/eps)^-gain taken as
        # (eps + sm)^-gain
        rb = math.sqrt(bias)
        ib = 1.0 / bias
        for i in range(S.shape[0]):
            x = np.float64(S[i]) * _exp(-gain * _log(eps + out[i])) * ib
            out[i] = rb * _div(x, math.sqrt(1.0 + x) + 1.0)
        return
    log_eps = math.log(eps)
    for i in range(S.shape[0]):
        smooth = math.exp(-gain * (log_eps + math.log1p(out[i] / eps)))
        s = np.float64(S[i])
        if power == 0.0:
            out[i] = math.log1p(s * smooth)
        elif bias == 0.0:
            out[i] = math.exp(power * (math.log(s) + math.log(smooth))) if s > 0.0 else 0.0
        else:
            out[i] = bias ** power * math.expm1(power * math.log1p(s * smooth / bias))


def onset_flux_frame(prev, cur, max_size):
    """librosa's mean positive spectral flux of one frame, as float64: the mean over bins ``k`` of
    ``max(0, cur[k] - ref[k])``, ``ref[k]`` the maximum of the 1-D spectrum ``prev`` over bins
    ``k - max_size//2 .. k + (max_size - 1)//2`` clipped to the spectrum (scipy.ndimage's
    'reflect' edge only repeats values inside that window, so clipping is the same)."""
    n = cur.shape[0]
    lo_w = max_size // 2
    hi_w = (max_size - 1) // 2
    acc = 0.0
    for k in range(n):
        ref = np.float64(prev[k])
        if max_size > 1:
            for j in range(max(0, k - lo_w), min(n, k + hi_w + 1)):
                ref = max(ref, np.float64(prev[j]))
        d = np.float64(cur[k]) - ref
        if d > 0.0:
            acc += d
    return acc / n


def detrend_row(x):
    """onset_strength's DC filter ``(1 - z^-1) / (1 - 0.99 z^-1)`` in place on the 1-D float64
    ``x`` from zero state: ``y[n] = x[n] - x[n-1] + 0.99 y[n-1]`` (a sequential recurrence)."""
    prev_x = 0.0
    prev_y = 0.0
    for i in range(x.shape[0]):
        v = x[i]
        y = v - prev_x + 0.99 * prev_y
        prev_x = v
        prev_y = y
        x[i] = y


def correlate_at(x, c, i):
    """``sum_j c[j] x[i + j]`` over the 1-D filter ``c`` (float64 sums): one output of delta's
    Savitzky-Golay correlation of the padded row ``x``."""
    acc = 0.0
    for j in range(c.shape[0]):
        acc += c[j] * np.float64(x[i + j])
    return acc


def convolve_at(x, h, k):
    """``sum_j x[j] h[k - j]`` over the ``j`` where both exist (float64 sums): entry ``k`` of the
    full convolution of the 1-D row ``x`` and the 1-D filter ``h``; one output of the CWT's
    per-scale convolution (:mod:`dsp_kernels.cpu.cwt`)."""
    n = x.shape[0]
    lo = max(0, k - h.shape[0] + 1)
    hi = min(n, k + 1)
    acc = 0.0
    for j in range(lo, hi):
        acc += np.float64(x[j]) * np.float64(h[k - j])
    return acc
