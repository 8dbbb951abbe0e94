"""Parity tolerances, stated once per dtype.

``RTOL[dtype]`` bounds ``max|ours - ref| / max|ref|`` (relative to the reference's peak) unless a
test states another norm. float32 results are compared with float64 references computed from
the same float32 input, so the bound covers our own rounding, not the input's.
"""
import numpy as np

# The numbers are stated once, in the package, where ``dsp-pyramids compare`` reports against them.
from dsp.compare.tolerances import RTOL  # noqa: E402  {float32: 1e-5, float64: 1e-10, complex: same}


def peak_relative_error(ours, ref) -> float:
    """``max|ours - ref| / max|ref|`` (``max|ours - ref|`` when ref is all zeros)."""
    ours = np.asarray(ours)
    ref = np.asarray(ref)
    assert ours.shape == ref.shape, f"shape {ours.shape} != reference shape {ref.shape}"
    scale = np.max(np.abs(ref)) if ref.size else 0.0
    err = np.max(np.abs(ours.astype(np.complex128) - ref.astype(np.complex128))) if ref.size else 0.0
    return float(err / scale) if scale > 0 else float(err)


def assert_close(ours, ref, dtype, *, rtol=None, what=""):
    """Assert the peak-relative error is within the dtype's tolerance."""
    tol = RTOL[np.dtype(dtype)] if rtol is None else rtol
    err = peak_relative_error(ours, ref)
    assert err <= tol, f"{what} peak-relative error {err:.3e} > {tol:.1e} ({np.dtype(dtype)})"
