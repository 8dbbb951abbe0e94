"""How :class:`pyramids.TextPyramid` pools tokens into sentences, paragraphs and the document, and
the checks of its token-level inputs (embeddings, mask, weights).

Every pooled level pools the *tokens* it covers (see :mod:`pyramids.text`); extents are
character spans. The builders of :mod:`pyramids.text` call :func:`_build` once per text.
"""
from __future__ import annotations

import numpy as np

from dsp.base import all_finite, array_module, is_cupy_array

from .core import Level, PyramidError

POOLINGS = ("mean", "max", "cls", "weighted")


#: every code point that ``str.isspace`` accepts lies below this (U+3000, the ideographic space,
#: is the last; ``tests/test_text_pyramid.py`` checks the rest of Unicode)
_SPACE_LIMIT = 0x3001


#: ``_SPACE_TABLE[c]``: whether code point ``c < _SPACE_LIMIT`` is whitespace; the last entry
#: (where every larger code point is looked up) is False. Built at import (about 1 ms).
_SPACE_TABLE = np.array([chr(c).isspace() for c in range(_SPACE_LIMIT)] + [False])


def _token_starts(text: str, offsets: np.ndarray) -> np.ndarray:
    """Where each token starts once leading whitespace is skipped (SentencePiece-style tokens
    such as ``'▁word'`` often report the space before the word as theirs); a token made only of
    whitespace keeps its own start. ``offsets`` (n, 2) int64 within ``[0, len(text)]``.

    Vectorised over the text's code points (a loop over 20,000 tokens was 13 ms of a 23 ms
    ``from_tokens``): the first non-space position at or after every character, read at each
    token's start."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    space = _SPACE_TABLE[np.minimum(codes, _SPACE_LIMIT)]
    n = len(codes)
    first_word = np.empty(n + 1, dtype=np.int64)  # first non-space index >= i (n: none)
    first_word[:n] = np.where(space, n, np.arange(n))
    first_word[n] = n
    first_word = np.minimum.accumulate(first_word[::-1])[::-1]
    s, e = offsets[:, 0], offsets[:, 1]
    k = first_word[s]
    return np.where(k < e, k, s).astype(offsets.dtype, copy=False)


def _assign(starts: np.ndarray, empty: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """Index of the span holding each token start (``-1`` for none). An empty token (a special
    token given an empty span) may sit on its span's end."""
    lo = spans[:, 0]
    idx = np.searchsorted(lo, starts, side="right") - 1
    ok = idx >= 0
    safe = np.where(ok, idx, 0)
    end = spans[safe, 1]
    ok &= (starts < end) | (empty & (starts <= end))
    return np.where(ok, idx, -1)


def _pool(emb, group: np.ndarray, n_groups: int, pooling: str, weights, xp):
    """Pool the rows of ``emb`` by ``group`` (``-1``: left out); every group must have a row.
    The CuPy path (the CPU one is :func:`_pool_levels`)."""
    keep = np.flatnonzero(group >= 0)
    order = keep[np.argsort(group[keep], kind="stable")]
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    if len(starts) != n_groups:  # every sentence has a token, so every paragraph has one too
        raise PyramidError(f"{n_groups - len(starts)} of {n_groups} groups have no token to pool")
    rows = emb[xp.asarray(order)]
    if pooling == "cls":
        return rows[xp.asarray(starts)]
    if pooling == "max":
        if xp is np:
            return np.maximum.reduceat(rows, starts, axis=0)
        bounds = np.r_[starts, len(order)]
        return xp.stack([rows[a:b].max(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])
    w = np.ones(len(order)) if weights is None else weights[order]
    seg = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(order)]))
    share = w / np.add.reduceat(w, starts)[seg]  # each row's share of its group's mean
    scaled = rows * xp.asarray(share.astype(emb.dtype))[:, None]
    if xp is np:
        return np.add.reduceat(scaled, starts, axis=0)
    bounds = np.r_[starts, len(order)]
    return xp.stack([scaled[a:b].sum(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])


def _pool_levels(emb, group, owner, n_sent, n_para, pooling, weights):
    """Sentence, paragraph and document rows on the CPU, reading the tokens once.

    The tokens are pooled into sentences in one pass (:func:`dsp.segments.segment_sums` /
    ``segment_max``); a paragraph (the document) pools the tokens of its sentences, which is the
    same as pooling the sentences' float64 sums and weight totals (their maxima, their first
    tokens), so the larger levels never touch the tokens again.
    """
    from dsp import segments

    if np.bincount(owner, minlength=n_para).min(initial=1) == 0:
        raise PyramidError("a paragraph has no sentence to pool")
    whole = np.zeros(n_sent, dtype=np.int64)
    if pooling == "cls":  # each group's first token (in token order) that takes part
        idx = np.flatnonzero(group >= 0)
        first = np.full(n_sent, len(group), dtype=np.int64)
        np.minimum.at(first, group[idx], idx)
        para_first = np.full(n_para, len(group), dtype=np.int64)
        np.minimum.at(para_first, owner, first)
        return [emb[first], emb[para_first], emb[[first.min()]]]
    if pooling == "max":
        sent = segments.segment_max(emb, group, n_sent)
        return [sent, segments.segment_max(sent, owner, n_para), segments.segment_max(sent, whole, 1)]
    sums, totals = segments.segment_sums(emb, group, n_sent, weights=weights)
    para_sums, _ = segments.segment_sums(sums, owner, n_para)
    para_totals = np.bincount(owner, weights=totals, minlength=n_para)
    return [(sums / totals[:, None]).astype(emb.dtype),
            (para_sums / para_totals[:, None]).astype(emb.dtype),
            (sums.sum(axis=0, keepdims=True) / totals.sum()).astype(emb.dtype)]


def _describe(text: str, span) -> str:
    s, e = int(span[0]), int(span[1])
    snippet = text[s:e]
    snippet = snippet if len(snippet) <= 40 else snippet[:37] + "..."
    return f"chars [{s}, {e}) {snippet!r}"


def _build(cls, emb, text, tok_ext, sentence_of_token, sentences, paragraphs, owner, pooling, use, weights, meta):
    """Assemble the four levels; ``use`` marks the tokens that take part in pooling."""
    xp = array_module(emb)
    sentences = np.asarray(sentences, dtype=np.float64).reshape(-1, 2)
    paragraphs = np.asarray(paragraphs, dtype=np.float64).reshape(-1, 2)
    owner = np.asarray(owner, dtype=np.int64)
    if weights is not None:
        use = use & (weights > 0)
    group = np.where(use, sentence_of_token, -1)
    counts = np.bincount(group[group >= 0], minlength=len(sentences))
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        k = int(empty[0])
        covered = int(tok_ext[:, 1].max()) if len(tok_ext) else 0
        hint = (
            f"; the tokens end at char {covered}: pass the text they cover (text[:{covered}])"
            if sentences[k, 0] >= covered
            else ("; every token of it is masked out or has zero weight" if weights is not None or not use.all()
                  else "")
        )
        raise PyramidError(f"sentence {k} ({_describe(text, sentences[k])}) has no tokens to pool{hint}")
    doc = np.array([[sentences[0, 0], sentences[-1, 1]]])
    levels = [Level(emb, "token", tok_ext, "chars")]
    if xp is np:
        pooled = _pool_levels(emb, group, owner, len(sentences), len(paragraphs), pooling, weights)
    else:
        para_group = np.where(group >= 0, owner[np.maximum(group, 0)], -1)
        pooled = [_pool(emb, grp, n, pooling, weights, xp) for grp, n in (
            (group, len(sentences)), (para_group, len(paragraphs)), (np.where(group >= 0, 0, -1), 1))]
    for name, rows, ext in zip(("sentence", "paragraph", "document"), pooled, (sentences, paragraphs, doc)):
        levels.append(Level(rows, name, ext, "chars"))
    meta = dict(meta, pooling=pooling, n_chars=len(text))
    try:
        return cls(levels, "text", meta)
    except PyramidError as exc:
        raise PyramidError(f"{exc} (are the token offsets character spans of this text?)") from None


# -- input checks -------------------------------------------------------------------------------
def _as_embeddings(x):
    if not is_cupy_array(x):
        try:
            x = np.asarray(x)
        except Exception as exc:
            raise PyramidError(f"token_embeddings could not be converted to an array: {exc}") from exc
    if x.ndim != 2:
        raise PyramidError(f"token_embeddings has shape {tuple(x.shape)}: need (n_tokens, D)")
    if x.dtype.kind != "f":
        raise PyramidError(f"token_embeddings has dtype {x.dtype}: need floating-point embeddings")
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float32 if x.dtype == np.float16 else np.float64)
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise PyramidError(f"token_embeddings is empty: shape {tuple(x.shape)}")
    if not all_finite(x):
        # an infinite embedding would turn the pooled means into NaN
        raise PyramidError("token_embeddings contains NaN or infinity: need finite embeddings")
    return x


def _as_mask(mask, n):
    if mask is None:
        return np.ones(n, dtype=bool)
    m = np.asarray(mask.get() if is_cupy_array(mask) else mask)
    if m.shape != (n,):
        raise PyramidError(f"mask has shape {m.shape}: need ({n},), one flag per token")
    if m.dtype != bool and not np.isin(m, (0, 1)).all():
        raise PyramidError("mask must be boolean (or 0/1): True marks the tokens to pool")
    return m.astype(bool)


def _as_weights(weights, n, pooling):
    if weights is None:
        if pooling == "weighted":
            raise PyramidError("pooling='weighted' needs weights: one non-negative weight per token")
        return None
    if pooling != "weighted":
        raise PyramidError(f"weights are used only by pooling='weighted', not pooling={pooling!r}")
    try:
        w = np.asarray(weights.get() if is_cupy_array(weights) else weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise PyramidError(f"weights could not be read as numbers: {exc}") from None
    if w.shape != (n,):
        raise PyramidError(f"weights has shape {w.shape}: need ({n},), one weight per token")
    if not np.isfinite(w).all() or (w < 0).any():
        raise PyramidError("weights must be finite and non-negative")
    return w
