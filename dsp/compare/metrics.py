"""The errors a compare report states, and where the worst one lies.

* peak-relative: ``max|ours - ref| / max|ref|`` (the norm of the project's tolerances);
* RMS-relative: ``sqrt(mean|ours - ref|**2) / sqrt(mean|ref|**2)``;
* the worst element: its index, its bin and frame (spectral layouts), sample (signals) or level and
  coefficient (wavelet lists), and its time in seconds.

Both errors are computed in float64/complex128 from the two results as returned. When the reference
is all zeros the absolute error is reported instead (as ``tests/tolerances.py`` does).

Examples
--------
>>> import numpy as np
>>> from dsp.compare.metrics import errors
>>> ref = np.ones((3, 4)); ours = ref.copy(); ours[1, 2] += 0.5
>>> e = errors(ours, ref, layout="frames", sr=100.0, hop_length=10, center=True, n_fft=40)
>>> e["peak_rel"], e["worst_bin"], e["worst_frame"], e["worst_time_s"], e["worst"]
(0.5, 1, 2, 0.2, 'bin 1, frame 2')
"""
from __future__ import annotations

import numpy as np

from .._errors import DSPError

__all__ = ["errors", "frame_time", "difference"]


def frame_time(frame: int, *, sr: float, hop_length: int, center: bool, n_fft: int | None) -> float:
    """Time (s) of a frame's centre: ``frame * hop / sr``, plus half a window when not centred."""
    t = frame * hop_length
    if not center and n_fft:
        t += n_fft / 2
    return float(t / sr)


def _flat(x) -> np.ndarray:
    return np.asarray(x).astype(np.complex128 if np.iscomplexobj(x) else np.float64, copy=False)


def difference(ours, ref) -> tuple:
    """``(|ours - ref|, |ref|)`` as float64 arrays of the common shape (refused if shapes differ)."""
    o, r = np.asarray(ours), np.asarray(ref)
    if o.shape != r.shape:
        raise DSPError(f"our result has shape {o.shape}, the reference's {r.shape}: they cannot be compared")
    return np.abs(_flat(o) - _flat(r)), np.abs(_flat(r))


def _ratios(d: np.ndarray, a: np.ndarray) -> tuple:
    peak = float(a.max()) if a.size else 0.0
    worst = float(d.max()) if d.size else 0.0
    rms_ref = float(np.sqrt(np.mean(a ** 2))) if a.size else 0.0
    rms_d = float(np.sqrt(np.mean(d ** 2))) if d.size else 0.0
    return (worst / peak if peak > 0 else worst), (rms_d / rms_ref if rms_ref > 0 else rms_d)


def errors(ours, ref, *, layout: str, sr: float, hop_length: int | None = None, center: bool = True,
           n_fft: int | None = None) -> dict:
    """Errors of ``ours`` against ``ref`` and where the worst element lies.

    Parameters
    ----------
    ours, ref : np.ndarray, or lists of np.ndarray for layout 'coeffs'
        'frames': shape (..., bins, frames); 'samples': (..., n); 'coeffs': PyWavelets' list
        ``[cA_n, cD_n, ..., cD_1]`` along the last axis.
    layout : {'frames', 'samples', 'coeffs'}
    sr : float
        The input's sampling rate.
    hop_length, center, n_fft :
        The frame geometry ('frames' only).

    Returns
    -------
    dict
        ``peak_rel``, ``rms_rel``, ``worst_index`` (tuple into the array, for 'coeffs' into the
        level), ``worst_bin``, ``worst_frame`` (or None), ``worst_time_s`` and ``worst`` (a label).
    """
    if layout == "coeffs":
        if len(ours) != len(ref):
            raise DSPError(f"our decomposition has {len(ours)} arrays, the reference's {len(ref)}")
        pairs = [difference(o, r) for o, r in zip(ours, ref)]
        d = np.concatenate([p[0].ravel() for p in pairs])
        a = np.concatenate([p[1].ravel() for p in pairs])
        peak_rel, rms_rel = _ratios(d, a)
        level = int(np.argmax([p[0].max() if p[0].size else -1.0 for p in pairs]))
        idx = np.unravel_index(int(np.argmax(pairs[level][0])), pairs[level][0].shape)
        n = len(ours) - 1  # levels; element i decimates by 2**n (i = 0) or 2**(n - i + 1)
        step = 2 ** (n if level == 0 else n - level + 1)
        name = f"cA{n}" if level == 0 else f"cD{n - level + 1}"
        return {"peak_rel": peak_rel, "rms_rel": rms_rel, "worst_index": tuple(int(i) for i in idx),
                "worst_bin": None, "worst_frame": None, "worst_time_s": float(idx[-1] * step / sr),
                "worst": f"{name}[{int(idx[-1])}]"}
    d, a = difference(ours, ref)
    peak_rel, rms_rel = _ratios(d, a)
    if d.size == 0:
        return {"peak_rel": peak_rel, "rms_rel": rms_rel, "worst_index": (), "worst_bin": None,
                "worst_frame": None, "worst_time_s": None, "worst": "empty"}
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(d)), d.shape))
    channel = f"channel {idx[0]}, " if len(idx) > (2 if layout == "frames" else 1) else ""
    if layout == "frames":
        if hop_length is None:
            raise DSPError("layout='frames' needs hop_length for the worst frame's time")
        t = frame_time(idx[-1], sr=sr, hop_length=hop_length, center=center, n_fft=n_fft)
        return {"peak_rel": peak_rel, "rms_rel": rms_rel, "worst_index": idx, "worst_bin": idx[-2],
                "worst_frame": idx[-1], "worst_time_s": t, "worst": f"{channel}bin {idx[-2]}, frame {idx[-1]}"}
    if layout == "samples":
        return {"peak_rel": peak_rel, "rms_rel": rms_rel, "worst_index": idx, "worst_bin": None,
                "worst_frame": None, "worst_time_s": float(idx[-1] / sr), "worst": f"{channel}sample {idx[-1]}"}
    raise DSPError(f"layout={layout!r} is not supported: use 'frames', 'samples' or 'coeffs'")
