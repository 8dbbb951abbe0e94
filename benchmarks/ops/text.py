"""Text operations: the text pyramid of ``pyramids`` from token embeddings (token -> sentence ->
paragraph -> document) against NumPy mean pooling over known spans and sentence-transformers'
pooling layer.

Examples
--------
>>> from benchmarks.ops.text import text_ops
>>> [i.name for i in text_ops()[0].impls][:2]
['pyramids', 'numpy mean pooling']
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..registry import Impl, Op, to_numpy


def text_ops() -> list[Op]:
    dim = 384

    def setup(p):
        text, offsets, sentences, paragraphs = data.document(p.tokens)
        rng = np.random.default_rng(4)
        emb = rng.standard_normal((offsets.shape[0], dim)).astype(np.float32)
        return {"emb": emb, "text": text, "offsets": offsets, "sentences": sentences,
                "paragraphs": paragraphs}

    def make_ours(inp):
        import pyramids

        emb, text, offsets = inp["emb"], inp["text"], inp["offsets"]
        return lambda: pyramids.TextPyramid.from_tokens(emb, text, offsets)

    def view_ours(p):
        for i in range(len(p)):
            if getattr(p.level(i), "name", None) == "sentence":
                return to_numpy(p[i])
        return to_numpy(p[1])

    def make_numpy(inp):
        emb, s, para = inp["emb"], inp["sentences"], inp["paragraphs"]

        def pool(spans):
            sums = np.add.reduceat(emb, spans[:, 0], axis=0)
            return sums / (spans[:, 1] - spans[:, 0])[:, None].astype(emb.dtype)

        def run():
            return pool(s), pool(para), emb.mean(axis=0, keepdims=True)

        return run

    def make_st(inp):
        import torch

        try:
            from sentence_transformers.sentence_transformer.modules import Pooling
        except ImportError:
            from sentence_transformers.models import Pooling
        emb, s = inp["emb"], inp["sentences"]
        lengths = s[:, 1] - s[:, 0]
        padded = np.zeros((len(s), int(lengths.max()), emb.shape[1]), dtype=emb.dtype)
        mask = np.zeros(padded.shape[:2], dtype=np.int64)
        for k, (a, b) in enumerate(s):
            padded[k, : b - a] = emb[a:b]
            mask[k, : b - a] = 1
        features = {"token_embeddings": torch.from_numpy(padded),
                    "attention_mask": torch.from_numpy(mask)}
        pooling = Pooling(emb.shape[1], pooling_mode="mean")

        def run():
            with torch.no_grad():
                return pooling(dict(features))["sentence_embedding"]

        return run

    def reference(inp):
        emb = inp["emb"].astype(np.float64)
        return np.stack([emb[a:b].mean(axis=0) for a, b in inp["sentences"]])

    def make_segment_sums(inp):
        import dsp

        emb, s = inp["emb"], inp["sentences"]
        group = np.full(len(emb), -1)
        for k, (a, b) in enumerate(s):  # the generator's token spans of each sentence
            group[a:b] = k

        def run():
            sums, totals = dsp.segments.segment_sums(emb, group, len(s))
            return (sums / totals[:, None]).astype(emb.dtype)

        return run

    # the peers and the declaration both operations share; they differ in what ours does
    peers = [Impl("numpy mean pooling", make_numpy, view=lambda out: out[0],
                  note="np.add.reduceat over known spans (segmentation given for free)"),
             Impl("sentence-transformers Pooling", make_st,
                  requires=("torch", "sentence_transformers"), heavy=True,
                  note="sentence level only, on a pre-padded batch with an attention mask (padding untimed)")]
    shared = dict(reference=reference, ref_label="float64 mean of each generated sentence's tokens",
                  quick=True,
                  params=lambda p: {"tokens": p.tokens, "dim": dim, "pooling": "mean", "dtype": "float32"})
    return [
        Op("text_pooling_sentences", "text_pooling",
           "sentence mean pooling of 20k token embeddings (384-d), segmentation given", setup,
           [Impl("dsp.segments.segment_sums", make_segment_sums, ours="dsp.segments.segment_sums",
                 note="token -> sentence index given; float64 accumulation, float32 out"), *peers],
           notes=["the pooling alone, as sentence-transformers' Pooling does it; text_pooling times "
                  "the whole pyramid (segmentation of the text and three pooled levels)"], **shared),
        Op("text_pooling", "text_pooling",
           "text pyramid from 20k token embeddings (384-d): token -> sentence -> paragraph -> document",
           setup,
           [Impl("pyramids", make_ours, ours="pyramids:TextPyramid.from_tokens", view=view_ours,
                 note="includes sentence and paragraph segmentation of the text"), *peers],
           notes=["parity compares the sentence level; it needs our segmentation to find the "
                  "generator's sentences"], **shared),
    ]
