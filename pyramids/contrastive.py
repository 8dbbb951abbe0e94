"""The contrastive (CLIP / InfoNCE) loss of paired embeddings, per level and summed over matched
levels of two pyramids, with analytic gradients.

:func:`info_nce` L2-normalises its inputs inside (``normalize=True``, the CLIP convention) and
returns gradients with respect to the *raw* inputs, through the normalisation;
:func:`hierarchical_info_nce` sums it over matched levels. Part of :mod:`pyramids.fusion`, which
re-exports every public name here (import them from there). Runs on NumPy and CuPy arrays; the
scalar losses come back to the host as Python floats.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import (
    as_features,
    as_matrix,
    default_pairs,
    l2_normalize,
    level_arrays,
    logsumexp,
    result_dtype,
    seq_of_floats,
    xp_of,
)
from .core import PyramidError

__all__ = ["info_nce", "hierarchical_info_nce", "InfoNCE", "HierarchicalInfoNCE"]


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
    pairs = default_pairs(pyr_a, pyr_b, la, lb, pairs)
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
