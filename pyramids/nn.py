"""PyTorch modules for pyramid fusion and contrastive training (needs ``torch``).

The NumPy functions of :mod:`pyramids.fusion` stay the reference: the modules here compute the
same quantities with autograd, on batches and on any device, and their gradients equal
:mod:`pyramids.fusion`'s analytic ones (``tests/test_nn.py``).

- :class:`InfoNCELoss` - symmetric CLIP loss (:func:`pyramids.fusion.info_nce`), optionally
  with a learnable temperature; ``(N, D)`` or batched ``(B, N, D)`` inputs.
- :class:`HierarchicalInfoNCELoss` - the weighted sum over matched levels
  (:func:`pyramids.fusion.hierarchical_info_nce`).
- :class:`LevelGate` - learnable softmax gate over levels (:func:`pyramids.fusion.level_gate`).
- :class:`CrossAttention` - multi-head cross-attention with learnable projections
  (:func:`pyramids.fusion.cross_attention` with ``w_q, w_k, w_v, w_o``), batched, masked.
- :class:`HybridFusion` - one cross-attention per matched level pair (:func:`pyramids.fusion.hybrid`).
- :class:`MaxSimLoss` - FILIP / ColBERT late interaction: item similarity is the mean over one
  item's tokens of their best cosine among the other item's patches (and the reverse), fed to
  InfoNCE over items; tokens and patches need no one-to-one pairing, only the items do.

Projection matrices follow :mod:`pyramids.fusion`'s convention ``x @ W`` with ``W`` of shape
``(d_in, d_out)``.
"""
from __future__ import annotations

import math

try:
    import torch
    from torch import nn
except ImportError as exc:  # pragma: no cover - exercised only without torch
    raise ImportError("pyramids.nn needs PyTorch: pip install torch (or the 'text' extra)") from exc

from .core import PyramidError

__all__ = ["info_nce", "InfoNCELoss", "HierarchicalInfoNCELoss", "LevelGate", "CrossAttention", "HybridFusion",
           "MaxSimLoss", "maxsim_similarity"]


def _check_pair(a, b):
    if a.shape != b.shape:
        raise PyramidError(f"a has shape {tuple(a.shape)} and b has shape {tuple(b.shape)}: need paired rows")
    if a.ndim not in (2, 3):
        raise PyramidError(f"a has shape {tuple(a.shape)}: need (N, D) or a batch (B, N, D)")


def info_nce(a, b, temperature, normalize: bool = True):
    """Symmetric InfoNCE of paired rows; ``(N, D)`` -> scalar, ``(B, N, D)`` -> mean over B.

    Examples
    --------
    >>> import torch
    >>> a = torch.eye(4, dtype=torch.float64)
    >>> bool(info_nce(a, a, 0.07) < 1e-5)     # orthogonal pairs: the positives dominate
    True
    """
    _check_pair(a, b)
    if normalize:
        a = nn.functional.normalize(a, dim=-1, eps=0.0)
        b = nn.functional.normalize(b, dim=-1, eps=0.0)
    S = a @ b.transpose(-1, -2) / temperature
    target = torch.arange(S.shape[-1], device=S.device)
    flat = S.reshape(-1, S.shape[-1], S.shape[-1])
    loss = 0.0
    for s in flat:
        loss = loss + 0.5 * (nn.functional.cross_entropy(s, target) + nn.functional.cross_entropy(s.T, target))
    return loss / flat.shape[0]


class InfoNCELoss(nn.Module):
    """Symmetric CLIP loss; ``learnable=True`` learns ``log(1 / temperature)`` as CLIP does.

    Examples
    --------
    >>> import torch
    >>> loss = InfoNCELoss(0.07)
    >>> a = torch.randn(8, 16, requires_grad=True)
    >>> loss(a, a.detach() + 0.01).backward()
    >>> a.grad.shape
    torch.Size([8, 16])
    """

    def __init__(self, temperature: float = 0.07, *, learnable: bool = False, normalize: bool = True):
        super().__init__()
        if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
            raise PyramidError(f"temperature={temperature!r} must be finite and > 0")
        logit_scale = torch.tensor(math.log(1.0 / temperature), dtype=torch.float64)
        if learnable:
            self.logit_scale = nn.Parameter(logit_scale)
        else:
            self.register_buffer("logit_scale", logit_scale)
        self.normalize = normalize

    @property
    def temperature(self):
        return torch.exp(-self.logit_scale)

    def forward(self, a, b):
        return info_nce(a, b, self.temperature.to(a.dtype), self.normalize)


class HierarchicalInfoNCELoss(nn.Module):
    """``sum_k weights[k] * InfoNCE(levels_a[i_k], levels_b[j_k])`` over level ``pairs``."""

    def __init__(self, pairs, weights=None, temperature: float = 0.07, *, normalize: bool = True):
        super().__init__()
        self.pairs = [tuple(int(v) for v in p) for p in pairs]
        if not self.pairs:
            raise PyramidError("pairs is empty: need at least one (i, j) level pair")
        n = len(self.pairs)
        w = [1.0 / n] * n if weights is None else [float(v) for v in weights]
        if len(w) != n:
            raise PyramidError(f"weights has {len(w)} value(s): need {n} (one per level pair)")
        self.weights = w
        self.temperature = float(temperature)
        self.normalize = normalize

    def forward(self, levels_a, levels_b):
        total = 0.0
        for (i, j), w in zip(self.pairs, self.weights):
            total = total + w * info_nce(levels_a[i], levels_b[j], self.temperature, self.normalize)
        return total


class LevelGate(nn.Module):
    """``combined = sum_l softmax(logits)_l * scores_l``; ``logits`` of shape ``(L,) + shape``."""

    def __init__(self, n_levels: int, shape=()):
        super().__init__()
        if not isinstance(n_levels, int) or n_levels < 1:
            raise PyramidError(f"n_levels={n_levels!r} must be an integer >= 1")
        self.logits = nn.Parameter(torch.zeros((n_levels,) + tuple(shape), dtype=torch.float64))

    def forward(self, scores):
        if scores.shape[0] != self.logits.shape[0]:
            raise PyramidError(f"scores has {scores.shape[0]} levels on axis 0: the gate has {self.logits.shape[0]}")
        z = self.logits.to(scores.dtype)
        z = z.reshape((z.shape[0],) + (1,) * (scores.ndim - z.ndim) + tuple(z.shape[1:]))
        return (torch.softmax(z, dim=0) * scores).sum(dim=0)


class CrossAttention(nn.Module):
    """Multi-head cross-attention with learned projections ``x @ W`` (no biases).

    Parameters
    ----------
    d_query, d_key : int
        Input feature sizes; ``d_value`` defaults to ``d_key``.
    d_model : int
        Projected size of queries, keys and values (divisible by ``n_heads``).
    n_heads : int
    d_out : int, optional
        Output projection size (default ``d_model``).

    ``forward(query (..., n_q, d_query), key (..., n_k, d_key), value=None, mask=None)`` returns
    ``(output (..., n_q, d_out), weights (..., n_heads, n_q, n_k))``.
    """

    def __init__(self, d_query: int, d_key: int, d_model: int, n_heads: int = 1, *, d_value=None, d_out=None,
                 dtype=torch.float32):
        super().__init__()
        if d_model % n_heads:
            raise PyramidError(f"n_heads={n_heads} must divide d_model={d_model}")
        d_value = d_key if d_value is None else d_value
        d_out = d_model if d_out is None else d_out
        self.n_heads = n_heads

        def init(i, o):
            return nn.Parameter(torch.randn(i, o, dtype=dtype) / math.sqrt(i))

        self.w_q, self.w_k, self.w_v, self.w_o = init(d_query, d_model), init(d_key, d_model), init(d_value, d_model), \
            init(d_model, d_out)

    def forward(self, query, key, value=None, mask=None):
        value = key if value is None else value
        q, k, v = query @ self.w_q, key @ self.w_k, value @ self.w_v
        h = self.n_heads

        def heads(x):
            return x.reshape(x.shape[:-1] + (h, x.shape[-1] // h)).transpose(-2, -3)

        qh, kh, vh = heads(q), heads(k), heads(v)
        logits = qh @ kh.transpose(-1, -2) / math.sqrt(qh.shape[-1])
        if mask is not None:
            if not bool(mask.any(dim=-1).all()):
                raise PyramidError("mask leaves a query with no key to attend to")
            logits = logits.masked_fill(~mask.unsqueeze(-3), float("-inf"))
        weights = torch.softmax(logits, dim=-1)
        out = (weights @ vh).transpose(-2, -3)
        out = out.reshape(out.shape[:-2] + (-1,))
        return out @ self.w_o, weights


class HybridFusion(nn.Module):
    """One :class:`CrossAttention` per matched level pair ``(i, j)``: level ``i`` of the query
    pyramid attends to level ``j`` of the context pyramid; ``dims`` gives ``(d_query, d_key)``
    per pair."""

    def __init__(self, pairs, dims, d_model: int, n_heads: int = 1, **kw):
        super().__init__()
        self.pairs = [tuple(p) for p in pairs]
        if len(dims) != len(self.pairs):
            raise PyramidError(f"dims has {len(dims)} entries: need one (d_query, d_key) per pair ({len(self.pairs)})")
        self.blocks = nn.ModuleList(CrossAttention(dq, dk, d_model, n_heads, **kw) for dq, dk in dims)

    def forward(self, levels_q, levels_k, masks=None):
        masks = [None] * len(self.pairs) if masks is None else masks
        return [blk(levels_q[i], levels_k[j], mask=m)[0] for blk, (i, j), m in zip(self.blocks, self.pairs, masks)]


def maxsim_similarity(a, b, mask_a=None, mask_b=None):
    """FILIP / ColBERT late-interaction similarity of every item of ``a`` with every item of ``b``.

    ``a``: ``(B, Na, D)`` token embeddings, ``b``: ``(C, Nb, D)`` patch embeddings (padded; masks
    ``(B, Na)`` / ``(C, Nb)``, True for real elements). ``sim[i, j]`` is the mean over the real
    tokens of item ``i`` of their largest cosine with the real patches of item ``j``.

    Returns
    -------
    torch.Tensor [shape=(B, C)]
    """
    if a.ndim != 3 or b.ndim != 3 or a.shape[-1] != b.shape[-1]:
        raise PyramidError(f"a {tuple(a.shape)} and b {tuple(b.shape)} must be (items, elements, D) with the same D")
    a = nn.functional.normalize(a, dim=-1)
    b = nn.functional.normalize(b, dim=-1)
    s = torch.einsum("ind,jmd->ijnm", a, b)                           # (B, C, Na, Nb)
    if mask_b is not None:
        s = s.masked_fill(~mask_b[None, :, None, :], float("-inf"))
    best = s.max(dim=-1).values                                        # (B, C, Na)
    if mask_a is None:
        return best.mean(dim=-1)
    m = mask_a[:, None, :].to(best.dtype)
    return (torch.where(mask_a[:, None, :], best, torch.zeros_like(best)) * m).sum(-1) / m.sum(-1)


class MaxSimLoss(nn.Module):
    """Token <-> patch contrastive loss without one-to-one element pairs (FILIP).

    Item ``i`` of ``a`` and item ``i`` of ``b`` are a positive pair; their similarity is
    ``(maxsim(a_i -> b_i) + maxsim(b_i -> a_i)) / 2`` (tokens find their best patch and patches
    their best token), and the symmetric cross-entropy over items is taken at ``temperature``.
    """

    def __init__(self, temperature: float = 0.07):
        super().__init__()
        if not (math.isfinite(temperature) and temperature > 0):
            raise PyramidError(f"temperature={temperature!r} must be finite and > 0")
        self.temperature = float(temperature)

    def forward(self, a, b, mask_a=None, mask_b=None):
        if a.shape[0] != b.shape[0]:
            raise PyramidError(f"a has {a.shape[0]} items and b {b.shape[0]}: item i of a pairs with item i of b")
        S = 0.5 * (maxsim_similarity(a, b, mask_a, mask_b) + maxsim_similarity(b, a, mask_b, mask_a).T)
        S = S / self.temperature
        t = torch.arange(S.shape[0], device=S.device)
        return 0.5 * (nn.functional.cross_entropy(S, t) + nn.functional.cross_entropy(S.T, t))
