"""The stationary wavelet transform's plan, shared by the CPU and GPU DWT kernels.

Level ``j`` (``step = 2**j``) filters each residue class ``x[r::step]`` circularly,
``cA[i] = sum_k h[k] * xs[(i + F/2 - k) mod m]``: its even outputs are one periodization DWT
level of ``xs`` and its odd outputs the same of ``xs`` rotated by one, so a level is a single
call of a backend's fused analysis kernel on all those rows. The inverse inverts each class
twice (from its even and from its odd samples) and averages the two.

The backends pass their array module (``numpy`` or ``cupy``) and their one-level transforms;
the index bookkeeping below is the same for both.
"""
from __future__ import annotations


def _residue_rows(xp, a, step):
    """(batch, n) -> (batch * step, n / step): row ``b * step + r`` holds ``a[b, r::step]``."""
    nb, n = a.shape
    return xp.ascontiguousarray(a.reshape(nb, n // step, step).transpose(0, 2, 1)).reshape(nb * step, n // step)


def _from_residue_rows(xp, rows, nb, step):
    m = rows.shape[1]
    return xp.ascontiguousarray(rows.reshape(nb, step, m).transpose(0, 2, 1)).reshape(nb, m * step)


def swt(xp, x, level, start_level, analyse):
    """Stationary transform of the rows of ``x`` (batch, n), finest level first.

    ``analyse(rows, L)`` is one periodization analysis level of every row, returning ``(cA, cD)``
    of length ``L``. ``n`` must be a multiple of ``2**(start_level + level)``.

    Returns
    -------
    list of (cA_j, cD_j) for j = start_level + 1 .. start_level + level, each (batch, n)
    """
    nb = x.shape[0]
    out = []
    a = x
    for j in range(start_level, start_level + level):
        step = 1 << j
        rows = _residue_rows(xp, a, step)
        ca2, cd2 = analyse(xp.concatenate([rows, xp.roll(rows, -1, axis=1)]), rows.shape[1] // 2)
        k = rows.shape[0]
        ca = xp.empty_like(rows)
        cd = xp.empty_like(rows)
        ca[:, 0::2], ca[:, 1::2] = ca2[:k], ca2[k:]
        cd[:, 0::2], cd[:, 1::2] = cd2[:k], cd2[k:]
        a = _from_residue_rows(xp, ca, nb, step)
        out.append((a, _from_residue_rows(xp, cd, nb, step)))
    return out


def iswt(xp, ca, details, synthesise):
    """Inverse stationary transform from the coarsest ``ca`` and ``details = [cD_n, ..., cD_1]``.

    ``synthesise(a, d, n)`` is one periodization synthesis level from the first ``n``
    coefficients of each row of ``a`` and ``d``.
    """
    nb = ca.shape[0]
    out = ca
    for idx, d in enumerate(details):
        step = 1 << (len(details) - idx - 1)
        ra = _residue_rows(xp, out, step)
        rd = _residue_rows(xp, d, step)
        k, m = ra.shape
        a2 = xp.ascontiguousarray(xp.concatenate([ra[:, 0::2], ra[:, 1::2]]))
        d2 = xp.ascontiguousarray(xp.concatenate([rd[:, 0::2], rd[:, 1::2]]))
        y = synthesise(a2, d2, m // 2)
        rows = (y[:k] + xp.roll(y[k:], 1, axis=1)) * 0.5
        out = _from_residue_rows(xp, rows.astype(ca.dtype, copy=False), nb, step)
    return out
