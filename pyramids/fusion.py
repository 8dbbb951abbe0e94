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

Modules
-------
``pyramids.fusion`` holds early and late fusion and gathers the public names of
:mod:`pyramids.attention` (cross-attention, hybrid fusion) and :mod:`pyramids.contrastive`
(InfoNCE); import them from here.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dsp.base import array_module

from ._arrays import as_features, l2_normalize, result_dtype, seq_of_floats, softmax, xp_of
from .attention import Attention, HybridLevel, cross_attention, hybrid
from .contrastive import HierarchicalInfoNCE, InfoNCE, hierarchical_info_nce, info_nce
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
