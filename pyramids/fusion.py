"""Fusing pyramids of different modalities: early, late and hybrid (cross-attention) fusion, and
the contrastive (CLIP / InfoNCE) loss per level, with analytic gradients.

Three places to fuse:

- :func:`early` concatenates features that are already aligned element by element (an audio
  window and the video frames inside it, see :func:`pyramids.align.align_in_time`).
- :func:`late` combines per-level *scores*: a fixed weighted mean, or a softmax gate over levels
  (:func:`level_gate`), whose gradients are returned so the gate can be learned.
- :func:`hybrid` lets the elements of one pyramid attend to the elements of another at matched
  levels (:func:`pyramids.align.match_levels`) with multi-head scaled dot-product cross-attention
  (:func:`cross_attention`), returning the attention weights.

:func:`info_nce` is the symmetric contrastive loss of CLIP. Its inputs are L2-normalised inside
(``normalize=True``, the CLIP convention) and the returned gradients are with respect to the
*raw* inputs, through the normalisation. :func:`hierarchical_info_nce` sums it over matched levels.

Everything runs on NumPy arrays, and on CuPy arrays when the inputs are CuPy (results stay on the
device; only scalar losses come back to the host as Python floats). float32 in, float32 out.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dsp.base import array_module

from ._arrays import (
    as_features,
    as_matrix,
    check_pairs,
    is_pyramid,
    l2_normalize,
    level_arrays,
    logsumexp,
    result_dtype,
    seq_of_floats,
    softmax,
    xp_of,
)
from ._checks import check_int
from .core import PyramidError

__all__ = [
    "early",
    "late",
    "level_gate",
    "cross_attention",
    "hybrid",
    "info_nce",
    "hierarchical_info_nce",
    "LateFusion",
    "GateResult",
    "Attention",
    "HybridLevel",
    "InfoNCE",
    "HierarchicalInfoNCE",
]


# ---------------------------------------------------------------------------------------------
# early fusion
# ---------------------------------------------------------------------------------------------
def early(*features, weights=None, normalize: bool = False):
    """Early fusion: concatenate features that are aligned element by element.

    Parameters
    ----------
    *features : np.ndarray [shape=(..., d_k)] or [shape=(d_k,)]
        Two or more arrays whose elements correspond: the same leading shape ``(...)`` (``(n,)``
        for a sequence, ``(H, W)`` for a patch grid). A 1-D array (a single global vector, e.g. a
        clip-level embedding) is repeated for every element.
    weights : sequence of float, optional
        One factor per input, applied after normalisation (how much each modality counts in a
        later dot product). Default: all 1.
    normalize : bool
        L2-normalise each input's feature vectors first, so that no modality dominates by scale.

    Returns
    -------
    fused : np.ndarray [shape=(..., sum_k d_k)]
        In the inputs' common dtype (float32 stays float32) and on their device.

    Raises
    ------
    PyramidError
        Fewer than two inputs, leading shapes that differ, zero vectors with ``normalize``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids import fusion
    >>> audio = np.ones((4, 3), np.float32)         # 4 windows, 3 features
    >>> video = np.zeros((4, 5), np.float32)        # the 4 matching frames, 5 features
    >>> clip = np.full(2, 0.5, np.float32)          # one global vector
    >>> fusion.early(audio, video, clip).shape
    (4, 10)
    """
    if len(features) == 1 and isinstance(features[0], (list, tuple)):
        features = tuple(features[0])
    if len(features) < 2:
        raise PyramidError(f"early fusion got {len(features)} input(s): need at least 2")
    feats = [as_features(f, f"features[{k}]") for k, f in enumerate(features)]
    xp = xp_of(*feats)
    if weights is None:
        weights = [1.0] * len(feats)
    weights = seq_of_floats(weights, len(feats), "weights")
    leads = {tuple(f.shape[:-1]) for f in feats if f.ndim > 1}
    if len(leads) > 1:
        raise PyramidError(
            "early fusion needs aligned elements: leading shapes "
            f"{[tuple(f.shape[:-1]) for f in feats]} differ (align them first, e.g. with "
            "align.align_in_time, or pass global vectors as 1-D arrays)"
        )
    lead = leads.pop() if leads else ()
    dtype = result_dtype(*feats)
    parts = []
    for k, (f, w) in enumerate(zip(feats, weights)):
        f = f.astype(dtype, copy=False)
        if normalize:
            f, _ = l2_normalize(f, xp, name=f"features[{k}]")
        if w != 1.0:
            f = f * dtype.type(w)
        parts.append(xp.broadcast_to(f, lead + (f.shape[-1],)))
    return xp.concatenate(parts, axis=-1)


# ---------------------------------------------------------------------------------------------
# late fusion and the level gate
# ---------------------------------------------------------------------------------------------
class GateResult(NamedTuple):
    """What :func:`level_gate` returns.

    combined : the gated scores, ``sum_l w_l * scores_l``, shape ``scores.shape[1:]``.
    weights : the softmax weights over levels, shape ``logits.shape`` (they sum to 1 over axis 0).
    grad_logits : d(sum(upstream * combined)) / d logits, shape ``logits.shape``.
    grad_scores : d(sum(upstream * combined)) / d scores, shape ``scores.shape``.
    """

    combined: object
    weights: object
    grad_logits: object
    grad_scores: object


def _stack_scores(scores, name="scores"):
    if isinstance(scores, (list, tuple)):
        if not scores:
            raise PyramidError(f"{name} is empty: need one score array per level")
        arrs = [as_features(s, f"{name}[{k}]", min_ndim=0) for k, s in enumerate(scores)]
        xp = xp_of(*arrs)
        shapes = {tuple(a.shape) for a in arrs}
        if len(shapes) > 1:
            raise PyramidError(
                f"{name} has levels of shapes {[tuple(a.shape) for a in arrs]}: every level must "
                "score the same candidates (reduce each level first, e.g. max over its elements)"
            )
        dtype = result_dtype(*arrs)
        return xp.stack([a.astype(dtype, copy=False) for a in arrs])
    return as_features(scores, name, min_ndim=1)


def level_gate(scores, logits, upstream=None):
    """Softmax gate over levels: ``combined = sum_l softmax(logits)_l * scores_l``, with gradients.

    Parameters
    ----------
    scores : np.ndarray [shape=(L, ...)] or list of L arrays [shape=(...)]
        One score array per level, all for the same candidates.
    logits : np.ndarray [shape=(L,)] or [shape=(L, ...)]
        Gate logits: one per level, or one per level and candidate (any shape that broadcasts
        against ``scores``, with the level axis first). The softmax runs over axis 0.
    upstream : np.ndarray [shape=scores.shape[1:]], optional
        d(objective)/d(combined) for the backward pass. Default: ones, i.e. the gradients of
        ``combined.sum()``.

    Returns
    -------
    GateResult
        ``combined``, ``weights``, ``grad_logits``, ``grad_scores``. With ``w = softmax(z)`` and
        ``u`` the upstream gradient, ``dJ/dz_m = w_m * (s_m - combined) . u`` (summed over the
        candidate axes that ``z`` is broadcast along) and ``dJ/ds_l = w_l * u``.

    Raises
    ------
    PyramidError
        Empty or ragged scores, logits that do not have one entry per level or do not broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids.fusion import level_gate
    >>> scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])   # 3 levels x 2 candidates
    >>> g = level_gate(scores, logits=np.zeros(3))
    >>> np.allclose(g.combined, scores.mean(axis=0)), np.allclose(g.weights, 1 / 3)
    (True, True)
    """
    s = _stack_scores(scores)
    z = as_features(logits, "logits", min_ndim=1)
    xp = xp_of(s, z)
    if z.shape[0] != s.shape[0]:
        raise PyramidError(
            f"logits has {z.shape[0]} entries along axis 0 but scores has {s.shape[0]} levels: "
            "need one logit per level"
        )
    if z.ndim > s.ndim:
        raise PyramidError(
            f"logits has shape {tuple(z.shape)}, more dimensions than scores {tuple(s.shape)}"
        )
    # logits (L, a, b) against scores (L, ..., a, b): candidate axes line up from the right
    z_b = z.reshape((z.shape[0],) + (1,) * (s.ndim - z.ndim) + tuple(z.shape[1:]))
    try:
        full = np.broadcast_shapes(z_b.shape, s.shape)
    except ValueError:
        raise PyramidError(
            f"logits of shape {tuple(z.shape)} do not broadcast against scores of shape "
            f"{tuple(s.shape)}"
        ) from None
    if full != tuple(s.shape):
        raise PyramidError(
            f"logits of shape {tuple(z.shape)} would enlarge scores of shape {tuple(s.shape)}"
        )
    dtype = result_dtype(s, z)
    s = s.astype(dtype, copy=False)
    z_b = z_b.astype(dtype, copy=False)
    w_b = softmax(z_b, xp, axis=0)
    combined = (w_b * s).sum(axis=0)
    if upstream is None:
        u = xp.ones(combined.shape, dtype)
    else:
        u = as_features(upstream, "upstream", min_ndim=0).astype(dtype, copy=False)
        if tuple(u.shape) != tuple(combined.shape):
            raise PyramidError(
                f"upstream has shape {tuple(u.shape)}: need the combined shape "
                f"{tuple(combined.shape)}"
            )
    grad_scores = w_b * u
    g_full = w_b * (s - combined) * u
    # undo the broadcast of the logits: sum over the axes they were repeated along
    axes = tuple(ax for ax in range(s.ndim) if z_b.shape[ax] == 1 and s.shape[ax] != 1)
    g = g_full.sum(axis=axes, keepdims=True) if axes else g_full
    grad_logits = g.reshape(z.shape)
    weights = w_b.reshape(z.shape)
    return GateResult(combined, weights, grad_logits, xp.broadcast_to(grad_scores, s.shape).copy())


class LateFusion(NamedTuple):
    """What :func:`late` returns: the fused scores and the weights used (over axis 0)."""

    combined: object
    weights: object


def late(scores, weights=None, *, logits=None):
    """Late fusion: a weighted or gated combination of per-level (or per-modality) scores.

    Parameters
    ----------
    scores : np.ndarray [shape=(L, ...)] or list of L arrays [shape=(...)]
        Scores of the same candidates from L levels or modalities (e.g. the best cosine similarity
        of each candidate at each level).
    weights : sequence of L non-negative floats, optional
        Fixed weights, normalised to sum to 1. Default: equal weights (the mean).
    logits : np.ndarray [shape=(L,)] or [shape=(L, ...)], optional
        Gate logits instead of fixed weights: the combination is :func:`level_gate` (softmax over
        levels, per candidate if the logits have candidate axes). Give ``weights`` or ``logits``,
        not both.

    Returns
    -------
    LateFusion
        ``combined`` [shape=scores.shape[1:]] and ``weights`` (the normalised weights, or the
        gate's softmax weights).

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids.fusion import late
    >>> scores = [np.array([0.9, 0.1]), np.array([0.3, 0.5])]   # 2 levels x 2 candidates
    >>> late(scores, weights=[3, 1]).combined
    array([0.75, 0.2 ])
    """
    if weights is not None and logits is not None:
        raise PyramidError("give either weights (fixed) or logits (gated), not both")
    if logits is not None:
        g = level_gate(scores, logits)
        return LateFusion(g.combined, g.weights)
    s = _stack_scores(scores)
    xp = array_module(s)
    n = s.shape[0]
    if weights is None:
        w = np.full(n, 1.0 / n)
    else:
        w = np.asarray(seq_of_floats(weights, n, "weights"), dtype=np.float64)
        if (w < 0).any():
            raise PyramidError(f"weights={list(w)} must be non-negative")
        total = w.sum()
        if total <= 0:
            raise PyramidError(f"weights={list(w)} sum to 0: need a positive total")
        w = w / total
    wx = xp.asarray(w.astype(s.dtype))
    combined = (wx.reshape((n,) + (1,) * (s.ndim - 1)) * s).sum(axis=0)
    return LateFusion(combined, wx)


# ---------------------------------------------------------------------------------------------
# hybrid fusion: cross-attention at matched levels
# ---------------------------------------------------------------------------------------------
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
    pairs = _default_pairs(query_pyramid, context_pyramid, qa, ca, pairs)
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


def _default_pairs(pa, pb, la, lb, pairs):
    if pairs is not None:
        return check_pairs(pairs, len(la), len(lb))
    if is_pyramid(pa) and is_pyramid(pb):
        from .align import match_levels

        return list(match_levels(pa, pb).pairs)
    if len(la) != len(lb):
        raise PyramidError(
            f"the level lists have {len(la)} and {len(lb)} levels: give pairs=[(i, j), ...] "
            "(or pass Pyramids, whose levels align.match_levels can match)"
        )
    return [(i, i) for i in range(len(la))]


# ---------------------------------------------------------------------------------------------
# contrastive loss
# ---------------------------------------------------------------------------------------------
class InfoNCE(NamedTuple):
    """What :func:`info_nce` returns.

    loss : float, the symmetric loss (mean of the a->b and b->a cross-entropies).
    grad_a, grad_b : d loss / d a and d loss / d b, shaped like the inputs (through the L2
        normalisation when ``normalize=True``).
    grad_temperature : float, d loss / d temperature.
    logits : the similarity matrix divided by the temperature, shape ``(N, N)``.
    """

    loss: float
    grad_a: object
    grad_b: object
    grad_temperature: float
    logits: object


def info_nce(a, b, temperature: float = 0.07, *, normalize: bool = True) -> InfoNCE:
    """The symmetric InfoNCE (CLIP) loss of paired embeddings, with analytic gradients.

    Row ``n`` of ``a`` and row ``n`` of ``b`` are a positive pair; every other row is a negative.
    With ``â, b̂`` the L2-normalised rows (when ``normalize``) and ``S = â b̂^T / T``::

        loss = ( mean_n [logsumexp_m S[n, m] - S[n, n]]       # a -> b
               + mean_m [logsumexp_n S[n, m] - S[m, m]] ) / 2  # b -> a

    Gradients: with ``P_r`` the row softmax and ``P_c`` the column softmax of ``S``,
    ``G = (P_r + P_c - 2 I) / (2N)`` is d loss / d S, so ``d loss / d â = G b̂ / T`` and
    ``d loss / d b̂ = G^T â / T``; through the normalisation ``d loss / d a = (g - â (â . g)) / |a|``
    row by row. ``d loss / d T = -sum(G * S) / T``.

    Parameters
    ----------
    a, b : np.ndarray [shape=(N, D)]
        Paired embeddings (a single level's elements; ``(..., D)`` is flattened to ``(N, D)``).
    temperature : float > 0
        CLIP's temperature (0.07 at initialisation in the paper).
    normalize : bool
        L2-normalise the rows inside (cosine similarities, the CLIP convention). The gradients
        are then with respect to the raw inputs. With ``False`` the inputs are used as given.

    Returns
    -------
    InfoNCE
        ``loss`` (float), ``grad_a``, ``grad_b`` (shaped like ``a``, ``b``, same dtype and
        device), ``grad_temperature`` (float), ``logits`` [shape=(N, N)].

    Raises
    ------
    PyramidError
        Shapes that differ, a non-positive temperature, zero rows with ``normalize``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids.fusion import info_nce
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal((8, 16))
    >>> aligned = info_nce(a, a + 0.01 * rng.standard_normal((8, 16)))
    >>> shuffled = info_nce(a, a[::-1])
    >>> aligned.loss < shuffled.loss
    True
    """
    a_in = as_features(a, "a")
    b_in = as_features(b, "b")
    if tuple(a_in.shape) != tuple(b_in.shape):
        raise PyramidError(
            f"a has shape {tuple(a_in.shape)} and b has shape {tuple(b_in.shape)}: info_nce "
            "needs paired rows (the same shape)"
        )
    A, _ = as_matrix(a_in, "a")
    B, _ = as_matrix(b_in, "b")
    xp = xp_of(A, B)
    T = _temperature(temperature)
    dtype = result_dtype(A, B)
    A = A.astype(dtype, copy=False)
    B = B.astype(dtype, copy=False)
    if normalize:
        An, na = l2_normalize(A, xp, name="a")
        Bn, nb = l2_normalize(B, xp, name="b")
    else:
        An, Bn = A, B
    n = A.shape[0]
    invT = dtype.type(1.0 / T)
    S = (An @ Bn.T) * invT
    diag = xp.diagonal(S)
    lse_r = logsumexp(S, xp, axis=1)
    lse_c = logsumexp(S, xp, axis=0)
    loss = 0.5 * (float((lse_r - diag).mean()) + float((lse_c - diag).mean()))
    P_r = xp.exp(S - lse_r[:, None])
    P_c = xp.exp(S - lse_c[None, :])
    G = P_r + P_c
    idx = xp.arange(n)
    G[idx, idx] -= dtype.type(2)
    G *= dtype.type(0.5 / n)
    g_an = (G @ Bn) * invT
    g_bn = (G.T @ An) * invT
    if normalize:
        g_a = (g_an - An * (An * g_an).sum(axis=1, keepdims=True)) / na
        g_b = (g_bn - Bn * (Bn * g_bn).sum(axis=1, keepdims=True)) / nb
    else:
        g_a, g_b = g_an, g_bn
    g_T = -float((G * S).sum()) / T
    return InfoNCE(loss, g_a.reshape(a_in.shape), g_b.reshape(b_in.shape), g_T, S)


def _temperature(t) -> float:
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise PyramidError(f"temperature={t!r} must be a real number") from None
    if not np.isfinite(t) or t <= 0:
        raise PyramidError(f"temperature={t} must be finite and > 0")
    return t


class HierarchicalInfoNCE(NamedTuple):
    """What :func:`hierarchical_info_nce` returns.

    loss : float, ``sum_k weights[k] * level_losses[k]``.
    level_losses : list of float, one per pair.
    grads_a, grads_b : lists with one gradient per level of each pyramid (``None`` for levels in
        no pair; summed over the pairs a level is in), each shaped like its level.
    pairs : the level pairs used.
    weights : the weights used.
    """

    loss: float
    level_losses: list
    grads_a: list
    grads_b: list
    pairs: list
    weights: list


def hierarchical_info_nce(pyr_a, pyr_b, weights=None, *, pairs=None, temperature=0.07,
                          normalize: bool = True) -> HierarchicalInfoNCE:
    """InfoNCE summed over matched levels of two pyramids of paired elements.

    At each matched pair ``(i, j)``, element ``n`` of level ``i`` of ``pyr_a`` and element ``n``
    of level ``j`` of ``pyr_b`` are a positive pair (e.g. a batch of captions and images, each
    embedded at word/patch, sentence/region and document/image scale), and :func:`info_nce` is
    taken over the elements.

    Parameters
    ----------
    pyr_a, pyr_b : Pyramid or list of arrays [shape=(N_l, D_l)]
        Matched levels must hold the same number of elements with the same dimension.
    weights : sequence of float, optional
        One weight per pair. Default: ``1 / n_pairs`` each (the mean over levels).
    pairs : sequence of (i, j), optional
        Default: :func:`pyramids.align.match_levels` for two Pyramids, ``(i, i)`` for two lists of
        equal length.
    temperature : float or sequence of float
        One temperature, or one per pair.
    normalize : bool
        See :func:`info_nce`.

    Returns
    -------
    HierarchicalInfoNCE

    Examples
    --------
    >>> import numpy as np
    >>> from pyramids.fusion import hierarchical_info_nce
    >>> rng = np.random.default_rng(0)
    >>> fine, coarse = rng.standard_normal((8, 16)), rng.standard_normal((8, 4))
    >>> h = hierarchical_info_nce([fine, coarse], [fine, coarse], weights=[0.5, 0.5])
    >>> len(h.level_losses), h.pairs
    (2, [(0, 0), (1, 1)])
    """
    la = level_arrays(pyr_a, "pyr_a")
    lb = level_arrays(pyr_b, "pyr_b")
    pairs = _default_pairs(pyr_a, pyr_b, la, lb, pairs)
    n = len(pairs)
    w = [1.0 / n] * n if weights is None else seq_of_floats(weights, n, "weights")
    temps = seq_of_floats(temperature, n, "temperature")
    grads_a: list = [None] * len(la)
    grads_b: list = [None] * len(lb)
    losses = []
    total = 0.0
    for (i, j), wk, tk in zip(pairs, w, temps):
        r = info_nce(la[i], lb[j], tk, normalize=normalize)
        losses.append(r.loss)
        total += wk * r.loss
        ga = r.grad_a * r.grad_a.dtype.type(wk)
        gb = r.grad_b * r.grad_b.dtype.type(wk)
        grads_a[i] = ga if grads_a[i] is None else grads_a[i] + ga
        grads_b[j] = gb if grads_b[j] is None else grads_b[j] + gb
    return HierarchicalInfoNCE(total, losses, grads_a, grads_b, pairs, list(w))
