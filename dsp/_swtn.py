"""The 2-D and n-D stationary wavelet transforms, PyWavelets-compatible: ``swt2``/``iswt2``,
``swtn``/``iswtn``. Each level applies the 1-D stationary level (``dsp_kernels.stationary``: the
periodization DWT kernel on residue classes) along every axis in turn; the inverse applies the
1-D inverse level along the axes in reverse order, which equals PyWavelets' average over the
``2**len(axes)`` even/odd combinations (the n-D inverse is a tensor product of 1-D ones).
Re-exported by :mod:`dsp.wavelets`.
"""
from __future__ import annotations

import warnings
from itertools import product

import numpy as np

from ._backend import array_module
from ._errors import DSPError
from ._dispatch import kernel_for
from ._wavelet_common import as_data, int_arg, rows, unrows
from ._wavelet_modes import MODES
from ._wavelet_nd import _axes_arg, _wavelets
from ._wavelet_swt import _swt_filters

__all__ = ["swt2", "iswt2", "swtn", "iswtn"]

_PERIODIZATION = MODES["periodization"]


class _ShapeError(DSPError, RuntimeError):
    """Mismatched band shapes within a level (PyWavelets raises RuntimeError there)."""


def _swt_level_axis(x, dec_lo, dec_hi, start, axis):
    """(cA, cD) of stationary level ``start + 1`` along ``axis`` of a real array."""
    x2, lead = rows(x, axis)
    (ca, cd), = kernel_for("swt", x)(x2, dec_lo, dec_hi, 1, start)
    return unrows(ca, lead, axis, False), unrows(cd, lead, axis, False)


def _iswt_level_axis(a, d, rec_lo, rec_hi, step, axis):
    """One inverse stationary level (residue classes of ``step``) along ``axis``."""
    from dsp_kernels.stationary import _from_residue_rows, _residue_rows

    xp = array_module(a)
    a2, lead = rows(a, axis)
    d2, _ = rows(d, axis)
    nb = a2.shape[0]
    ra, rd = _residue_rows(xp, a2, step), _residue_rows(xp, d2, step)
    k = ra.shape[0]
    ae = xp.ascontiguousarray(xp.concatenate([ra[:, 0::2], ra[:, 1::2]]))
    de = xp.ascontiguousarray(xp.concatenate([rd[:, 0::2], rd[:, 1::2]]))
    y = kernel_for("idwt", a, d)(ae, de, rec_lo, rec_hi, _PERIODIZATION)
    out = ((y[:k] + xp.roll(y[k:], 1, axis=1)) * 0.5).astype(a2.dtype, copy=False)
    return unrows(_from_residue_rows(xp, out, nb, step), lead, axis, False)


def swtn(data, wavelet, level, start_level=0, axes=None, trim_approx=False, norm=False):
    """n-dimensional stationary (undecimated) wavelet transform.

    Parameters
    ----------
    data : np.ndarray
        Every transformed axis a multiple of ``2**(start_level + level)`` long.
    wavelet : str, Wavelet, or a sequence (one per axis)
    level : int >= 0
    start_level : int >= 0
    axes : sequence of int or None
    trim_approx : bool
        Return ``[cA_n, {details_n}, ..., {details_1}]`` instead of a dict per level that
        includes its approximation.
    norm : bool
        Filters scaled by ``1/sqrt(2)`` (energy-preserving for orthogonal wavelets).

    Returns
    -------
    list of dict
        Coarsest level first; every array has the shape of ``data``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c = dsp.swtn(np.ones((8, 8)), 'db1', level=2)
    >>> len(c), sorted(c[0]), c[0]['aa'].shape
    (2, ['aa', 'ad', 'da', 'dd'], (8, 8))
    """
    if isinstance(data, np.ndarray) and data.dtype == object:
        raise DSPError("data must be a numeric array-like, got an object array")
    x = as_data(data, "data")
    if x.ndim < 1:
        raise DSPError("data must be at least 1-D, got a 0-d array")
    axes = _axes_arg(axes, x.ndim, "swtn")
    wavelets = _wavelets(wavelet, axes)
    level = int_arg("level", level)
    start_level = int_arg("start_level", start_level, minimum=0)
    if level < 0:
        raise DSPError(f"level={level} is too low: need level >= 0")
    need = 1 << (start_level + level)
    for ax in axes:
        if x.shape[ax] == 0 or x.shape[ax] % need:
            raise DSPError(
                f"data has length {x.shape[ax]} along axis {ax}: level={level} from "
                f"start_level={start_level} needs a positive multiple of {need}"
            )
    if x.dtype.kind == "c":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # warned once below
            re = swtn(x.real.copy(), wavelets, level, start_level, axes, trim_approx, norm)
            im = swtn(x.imag.copy(), wavelets, level, start_level, axes, trim_approx, norm)
        if norm and not all(w.orthogonal for w in wavelets):
            warnings.warn(
                "norm=True, but the wavelets used are not orthogonal: the conditions for energy "
                "preservation are not satisfied.", UserWarning, stacklevel=2,
            )
        out = [re[0] + 1j * im[0]] if trim_approx else []
        for r, i in zip(re[len(out):], im[len(out):]):
            out.append({k: r[k] + 1j * i[k] for k in r})
        return out
    if norm and not all(w.orthogonal for w in wavelets):
        warnings.warn(
            "norm=True, but the wavelets used are not orthogonal: the conditions for energy "
            "preservation are not satisfied.", UserWarning, stacklevel=2,
        )
    filters = [_swt_filters(w, norm, "dec") for w in wavelets]
    top = "a" * len(axes)
    out = []
    a = x
    for j in range(start_level, start_level + level):
        coeffs = [("", a)]
        for ax, (lo, hi) in zip(axes, filters):
            new = []
            for key, c in coeffs:
                ca, cd = _swt_level_axis(c, lo, hi, j, ax)
                new += [(key + "a", ca), (key + "d", cd)]
            coeffs = new
        coeffs = dict(coeffs)
        a = coeffs[top]
        if trim_approx:
            del coeffs[top]
        out.append(coeffs)
    if trim_approx:
        out.append(a)
    return out[::-1]


def iswtn(coeffs, wavelet, axes=None, norm=False):
    """Inverse n-dimensional stationary wavelet transform.

    Parameters
    ----------
    coeffs : list
        As returned by :func:`swtn` (either form of ``trim_approx``).
    wavelet : str, Wavelet, or a sequence (one per axis)
    axes : sequence of int or None
    norm : bool
        As given to :func:`swtn`.

    Returns
    -------
    np.ndarray

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.random.default_rng(0).standard_normal((8, 8))
    >>> np.allclose(dsp.iswtn(dsp.swtn(x, 'db2', level=2), 'db2'), x)
    True
    """
    if not isinstance(coeffs, (list, tuple)) or not coeffs:
        raise DSPError("coeffs must be a non-empty list as returned by swtn")
    trim = not isinstance(coeffs[0], dict)
    levels = list(coeffs[1:]) if trim else list(coeffs)
    if not levels or not all(isinstance(d, dict) and d for d in levels):
        raise DSPError("coeffs must hold one dict of bands per level, as returned by swtn")
    nt = max(len(k) for k in levels[-1])
    top = "a" * nt
    a = as_data(coeffs[0] if trim else coeffs[0][top], "cA")
    if a.dtype.kind == "c":
        def part(f):
            head = [f(a)] if trim else []
            return head + [{k: f(as_data(v, "coeffs")) for k, v in d.items()} for d in levels]
        return iswtn(part(np.real), wavelet, axes, norm) + 1j * iswtn(part(np.imag), wavelet, axes, norm)
    axes = _axes_arg(axes, a.ndim, "iswtn")
    if len(axes) != nt:
        raise DSPError(
            f"axes={axes!r} has {len(axes)} axes but the coefficients come from {nt} transformed axes"
        )
    wavelets = _wavelets(wavelet, axes)
    filters = [_swt_filters(w, norm, "rec") for w in wavelets]
    out = a
    n = len(levels)
    for j, d in enumerate(levels):
        step = 1 << (n - j - 1)
        det = {k: as_data(v, f"coeffs[{j}][{k!r}]") for k, v in d.items() if k != top}
        shapes = {v.shape for v in det.values()} | {out.shape}
        if len(shapes) != 1:
            raise _ShapeError(f"coeffs level {j} has bands of shapes {sorted(shapes)}: all must be equal")
        dtype = np.result_type(out.dtype, *[v.dtype for v in det.values()])
        for ax in axes:
            if out.shape[ax] % (2 * step):
                raise DSPError(
                    f"coefficients have length {out.shape[ax]} along axis {ax}: {n} level(s) need a "
                    f"multiple of {1 << n}"
                )
        bands = {k: v.astype(dtype, copy=False) for k, v in det.items()}
        bands[top] = out.astype(dtype, copy=False)
        for k, (ax, (lo, hi)) in reversed(list(enumerate(zip(axes, filters)))):
            new = {}
            for key in ("".join(p) for p in product("ad", repeat=k)):
                lo_b = bands.get(key + "a")
                hi_b = bands.get(key + "d")
                xp = array_module(lo_b if lo_b is not None else hi_b)
                lo_b = xp.zeros_like(hi_b) if lo_b is None else lo_b
                hi_b = xp.zeros_like(lo_b) if hi_b is None else hi_b
                new[key] = _iswt_level_axis(lo_b, hi_b, lo, hi, step, ax)
            bands = new
        out = bands[""]
    return out


def swt2(data, wavelet, level, start_level=0, axes=(-2, -1), trim_approx=False, norm=False):
    """2-D stationary wavelet transform.

    Parameters
    ----------
    data : np.ndarray [ndim >= 2]
    wavelet : str, Wavelet or a pair
    level : int >= 1
    start_level : int >= 0
    axes : pair of int
    trim_approx : bool
    norm : bool

    Returns
    -------
    list
        ``[(cA_n, (cH_n, cV_n, cD_n)), ..., (cA_1, (cH_1, cV_1, cD_1))]``, or with
        ``trim_approx`` ``[cA_n, (cH_n, cV_n, cD_n), ..., (cH_1, cV_1, cD_1)]``.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> c = dsp.swt2(np.ones((8, 8)), 'db1', level=1)
    >>> c[0][0].shape, len(c[0][1])
    ((8, 8), 3)
    """
    x = as_data(data, "data")
    if x.ndim < 2:
        raise DSPError(f"data has {x.ndim} dimension(s): swt2 needs at least 2")
    axes = _axes_arg(axes, x.ndim, "swt2", count=2)
    c = swtn(x, wavelet, level, start_level, axes, trim_approx, norm)
    out = [c[0]] if trim_approx else []
    for d in c[len(out):]:
        bands = (d["da"], d["ad"], d["dd"])
        out.append(bands if trim_approx else (d["aa"], bands))
    return out


def iswt2(coeffs, wavelet, norm=False, axes=(-2, -1)):
    """Inverse 2-D stationary wavelet transform.

    Parameters
    ----------
    coeffs : list
        As returned by :func:`swt2`.
    wavelet : str, Wavelet or a pair
    norm : bool
    axes : pair of int

    Returns
    -------
    np.ndarray

    Examples
    --------
    >>> import numpy as np, dsp
    >>> x = np.random.default_rng(1).standard_normal((8, 8))
    >>> np.allclose(dsp.iswt2(dsp.swt2(x, 'sym2', level=3), 'sym2'), x)
    True
    """
    if not isinstance(coeffs, (list, tuple)) or not coeffs:
        raise DSPError("coeffs must be a non-empty list as returned by swt2")
    axes = tuple(axes)
    if len(axes) != 2:
        raise DSPError(f"axes={axes!r}: iswt2 expects 2 axes")
    trim = not isinstance(coeffs[0], (tuple, list))
    try:
        if trim:
            nd = [coeffs[0]] + [{"da": h, "ad": v, "dd": d} for h, v, d in coeffs[1:]]
        else:
            nd = [{"aa": a, "da": h, "ad": v, "dd": d} for a, (h, v, d) in coeffs]
    except (TypeError, ValueError):
        raise DSPError("coeffs must be as returned by swt2: (cA, (cH, cV, cD)) per level") from None
    return iswtn(nd, wavelet, axes=axes, norm=norm)
