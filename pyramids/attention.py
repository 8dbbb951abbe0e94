"""Hybrid fusion: multi-head cross-attention of one pyramid's elements over another's, at matched
levels (:func:`hybrid`), built on :func:`cross_attention`.

Part of :mod:`pyramids.fusion`, which re-exports every public name here (import them from there).
Runs on NumPy arrays, and on CuPy arrays when the inputs are CuPy; float32 in, float32 out.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dsp.base import array_module

from ._arrays import as_features, as_matrix, default_pairs, level_arrays, result_dtype, softmax, xp_of
from ._checks import check_int
from .core import PyramidError

__all__ = ["cross_attention", "hybrid", "Attention", "HybridLevel"]


class Attention(NamedTuple):
    """What :func:`cross_attention` returns.

    output : the attended values, shape ``query.shape[:-1] + (d_out,)``.
    weights : attention weights, shape ``(n_heads, n_query, n_key)`` (elements flattened in
        row-major order); every row sums to 1.
    """

    output: object
    weights: object


def _projection(w, d_in, name, xp, dtype):
    if w is None:
        return None
    w = as_features(w, name, min_ndim=2, max_ndim=2)
    if w.shape[0] != d_in:
        raise PyramidError(
            f"{name} has shape {tuple(w.shape)}: its first axis must match the input's feature "
            f"dimension {d_in}"
        )
    if array_module(w) is not xp:
        raise PyramidError(f"{name} is on another device than the inputs")
    return w.astype(dtype, copy=False)


def cross_attention(query, key, value=None, *, n_heads: int = 1, w_q=None, w_k=None, w_v=None,
                    w_o=None, mask=None):
    """Multi-head scaled dot-product cross-attention of ``query`` elements over ``key`` elements.

    ``softmax(Q_h K_h^T / sqrt(d_h)) V_h`` for each head ``h``, where the projected features are
    split into ``n_heads`` contiguous blocks of ``d_h = d / n_heads`` features; the heads' outputs
    are concatenated (and projected by ``w_o`` if given).

    Parameters
    ----------
    query : np.ndarray [shape=(..., d_q)]
        Elements that ask (e.g. text tokens, or a single query vector of shape ``(d_q,)``).
    key : np.ndarray [shape=(..., d_k)]
        Elements attended to (e.g. image patches ``(H, W, d_k)``, flattened row-major).
    value : np.ndarray [shape=(..., d_v)], optional
        Values, one per key element. Default: ``key``.
    n_heads : int
        Number of heads; must divide the projected query/key dimension and the value dimension.
    w_q, w_k, w_v, w_o : np.ndarray [shape=(d_in, d_out)], optional
        Projection matrices (learned elsewhere). Without ``w_q``/``w_k`` the query and key
        dimensions must be equal.
    mask : np.ndarray of bool [shape=(n_query, n_key)], optional
        True where attending is allowed (e.g. from :func:`pyramids.align.align_in_time`); every
        query must be allowed at least one key.

    Returns
    -------
    Attention
        ``output`` [shape=query.shape[:-1] + (d_out,)] and ``weights``
        [shape=(n_heads, n_query, n_key)], rows summing to 1.

    Raises
    ------
    PyramidError
        Mismatched dimensions, a head count that does not divide them, a bad mask.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids.fusion import cross_attention
    >>> rng = np.random.default_rng(0)
    >>> text = rng.standard_normal((5, 8))          # 5 tokens
    >>> patches = rng.standard_normal((4, 4, 8))    # a 4x4 patch grid
    >>> att = cross_attention(text, patches, n_heads=2)
    >>> att.output.shape, att.weights.shape
    ((5, 8), (2, 5, 16))
    >>> bool(np.allclose(att.weights.sum(axis=-1), 1))
    True
    """
    q, q_lead = as_matrix(query, "query")
    k, _ = as_matrix(key, "key")
    v, _ = (k, None) if value is None else as_matrix(value, "value")
    xp = xp_of(q, k, v)
    if v.shape[0] != k.shape[0]:
        raise PyramidError(
            f"value has {v.shape[0]} elements but key has {k.shape[0]}: need one value per key"
        )
    n_heads = check_int("n_heads", n_heads, minimum=1)
    dtype = result_dtype(q, k, v)
    q, k, v = (a.astype(dtype, copy=False) for a in (q, k, v))
    wq = _projection(w_q, q.shape[1], "w_q", xp, dtype)
    wk = _projection(w_k, k.shape[1], "w_k", xp, dtype)
    wv = _projection(w_v, v.shape[1], "w_v", xp, dtype)
    if wq is not None:
        q = q @ wq
    if wk is not None:
        k = k @ wk
    if wv is not None:
        v = v @ wv
    if q.shape[1] != k.shape[1]:
        raise PyramidError(
            f"query features ({q.shape[1]}) and key features ({k.shape[1]}) differ: give "
            "projections w_q/w_k to a common dimension"
        )
    d, dv = q.shape[1], v.shape[1]
    if d % n_heads or dv % n_heads:
        raise PyramidError(
            f"n_heads={n_heads} must divide the query/key dimension {d} and the value dimension {dv}"
        )
    nq, nk = q.shape[0], k.shape[0]
    dh, dvh = d // n_heads, dv // n_heads
    qh = q.reshape(nq, n_heads, dh).transpose(1, 0, 2)
    kh = k.reshape(nk, n_heads, dh).transpose(1, 0, 2)
    vh = v.reshape(nk, n_heads, dvh).transpose(1, 0, 2)
    logits = (qh @ kh.transpose(0, 2, 1)) * dtype.type(1.0 / np.sqrt(dh))
    if mask is not None:
        m = mask if array_module(mask) is xp else xp.asarray(mask)
        if m.dtype != np.bool_:
            raise PyramidError(f"mask has dtype {m.dtype}: need a boolean array")
        if tuple(m.shape) != (nq, nk):
            raise PyramidError(f"mask has shape {tuple(m.shape)}: need (n_query, n_key) = ({nq}, {nk})")
        if not bool(m.any(axis=1).all()):
            raise PyramidError("mask leaves a query with no key to attend to")
        logits = xp.where(m[None], logits, dtype.type(-np.inf))
    weights = softmax(logits, xp, axis=-1)
    out = (weights @ vh).transpose(1, 0, 2).reshape(nq, dv)
    if w_o is not None:
        wo = _projection(w_o, dv, "w_o", xp, dtype)
        out = out @ wo
    return Attention(out.reshape(q_lead + (out.shape[-1],)), weights)


class HybridLevel(NamedTuple):
    """One matched level of :func:`hybrid`: the pair ``(i, j)`` and its :class:`Attention`."""

    pair: tuple
    output: object
    weights: object


def hybrid(query_pyramid, context_pyramid, *, pairs=None, n_heads: int = 1, residual: bool = False,
           **projections) -> list:
    """Hybrid (mid) fusion: cross-attention from one pyramid to another at matched levels.

    For each matched pair ``(i, j)``, the elements of ``query_pyramid`` level ``i`` attend over
    the elements of ``context_pyramid`` level ``j`` (:func:`cross_attention`).

    Parameters
    ----------
    query_pyramid, context_pyramid : Pyramid or list of arrays
        Level arrays ``(..., d)``; patch grids ``(H, W, d)`` are flattened row-major.
    pairs : sequence of (i, j), optional
        The matched levels. Default: :func:`pyramids.align.match_levels` for two Pyramids, or
        ``(i, i)`` for two lists of equal length.
    n_heads : int
        Heads per attention.
    residual : bool
        Add the query features to the attended output (needs equal dimensions), the usual
        transformer residual.
    **projections
        ``w_q``, ``w_k``, ``w_v``, ``w_o`` passed to :func:`cross_attention` (shared by all levels).

    Returns
    -------
    list of HybridLevel
        ``pair``, ``output`` [shape=query level shape[:-1] + (d_out,)], ``weights``
        [shape=(n_heads, n_query, n_key)] per matched pair, finest first.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids.fusion import hybrid
    >>> rng = np.random.default_rng(0)
    >>> text = [rng.standard_normal((12, 8)), rng.standard_normal((3, 8))]      # tokens, sentences
    >>> image = [rng.standard_normal((4, 4, 8)), rng.standard_normal((2, 2, 8))]  # fine, coarse
    >>> [(h.pair, h.output.shape, h.weights.shape) for h in hybrid(text, image, n_heads=2)]
    [((0, 0), (12, 8), (2, 12, 16)), ((1, 1), (3, 8), (2, 3, 4))]
    """
    unknown = set(projections) - {"w_q", "w_k", "w_v", "w_o"}
    if unknown:
        raise PyramidError(f"unknown keyword(s) {sorted(unknown)}: projections are w_q, w_k, w_v, w_o")
    qa = level_arrays(query_pyramid, "query_pyramid")
    ca = level_arrays(context_pyramid, "context_pyramid")
    pairs = default_pairs(query_pyramid, context_pyramid, qa, ca, pairs)
    out = []
    for i, j in pairs:
        att = cross_attention(qa[i], ca[j], n_heads=n_heads, **projections)
        o = att.output
        if residual:
            qx = as_features(qa[i], f"query level {i}")
            if tuple(qx.shape) != tuple(o.shape):
                raise PyramidError(
                    f"residual=True needs the output shape {tuple(o.shape)} to equal the query "
                    f"level {i} shape {tuple(qx.shape)}"
                )
            o = o + qx.astype(o.dtype, copy=False)
        out.append(HybridLevel((i, j), o, att.weights))
    return out
