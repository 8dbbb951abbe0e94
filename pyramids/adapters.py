"""Encoder adapters: plug an embedding model in and get pyramids in its space.

An adapter is any object with some of these methods (a :class:`typing.Protocol`, nothing to
inherit):

``encode_text(text: str) -> Encoded``
    Token embeddings ``(n_tokens, D)`` with their character spans ``(n_tokens, 2)``
    (``units='chars'``), e.g. a CLIP/SigLIP text tower's last hidden states with the fast
    tokenizer's ``offset_mapping``.
``encode_image(image) -> Encoded``
    Patch embeddings on their grid ``(H', W', D)`` with ``meta['patch_size']`` (pixels per
    patch, ``units='pixels'``), e.g. a ViT's output tokens without the class token.
``encode_audio(y, sr) -> Encoded``
    Frame embeddings ``(n_frames, D)`` with their spans in seconds ``(n_frames, 2)``
    (``units='seconds'``), e.g. a CLAP or wav2vec2 frame sequence.

:func:`text_pyramid`, :func:`image_pyramid` and :func:`audio_pyramid` turn those into
pyramids (token -> sentence -> paragraph -> document, patch grids, frame -> window -> clip);
:func:`pyramids_from` builds several at once and checks that they share one embedding space
(the same ``D``). :class:`MiniLMAdapter` is the built-in text adapter (the bundled MiniLM).
"""
from __future__ import annotations

from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from .core import Level, Pyramid, PyramidError

__all__ = ["Encoded", "EncoderAdapter", "MiniLMAdapter", "text_pyramid", "image_pyramid", "audio_pyramid",
           "pyramids_from"]


class Encoded(NamedTuple):
    """An encoder's output: ``embeddings``, their ``extents`` (``None`` for a patch grid, whose
    boxes come from ``meta['patch_size']``), ``units`` and ``meta``."""

    embeddings: object
    extents: object
    units: str
    meta: dict = {}


@runtime_checkable
class EncoderAdapter(Protocol):
    """What :func:`pyramids_from` calls; an adapter implements the modalities it supports."""

    def encode_text(self, text: str) -> Encoded: ...

    def encode_image(self, image) -> Encoded: ...

    def encode_audio(self, y, sr: float) -> Encoded: ...


def _call(adapter, method, *args):
    fn = getattr(adapter, method, None)
    if fn is None:
        raise PyramidError(f"adapter {type(adapter).__name__} has no {method}(): it cannot encode this modality")
    out = fn(*args)
    if not isinstance(out, Encoded):
        raise PyramidError(f"{type(adapter).__name__}.{method}() returned a {type(out).__name__}: need an Encoded")
    return out


def text_pyramid(adapter, text: str):
    """A :class:`~pyramids.TextPyramid` of ``text`` from the adapter's token embeddings.

    Tokens with empty spans (special tokens) stay in the token level and are left out of pooling,
    unless the adapter's ``meta['mask']`` says which tokens to pool (MiniLM pools its
    ``[CLS]``/``[SEP]`` too, as its own mean pooling does).
    """
    from .text import TextPyramid

    enc = _call(adapter, "encode_text", text)
    if enc.units != "chars":
        raise PyramidError(f"encode_text returned units={enc.units!r}: need 'chars' (character spans)")
    return TextPyramid.from_tokens(enc.embeddings, text, np.asarray(enc.extents).astype(np.int64),
                                   mask=enc.meta.get("mask"))


def image_pyramid(adapter, image, grids=None):
    """An :class:`~pyramids.ImagePyramid` from the adapter's patch grid, pooled to ``grids``
    (default: the patch grid, then halved while it stays >= 1 cell, at most 3 levels)."""
    from .image import ImagePyramid

    enc = _call(adapter, "encode_image", image)
    feats = np.asarray(enc.embeddings)
    if feats.ndim != 3:
        raise PyramidError(f"encode_image returned embeddings of shape {feats.shape}: need a (H', W', D) patch grid")
    if grids is None:
        g, grids = min(feats.shape[:2]), []
        while g >= 1 and len(grids) < 3:
            grids.append(g)
            g //= 2
    return ImagePyramid.patches(feats, grids=tuple(grids), patch_size=enc.meta.get("patch_size"))


def audio_pyramid(adapter, y, sr, *, window: float = 0.5, clip: float = 5.0):
    """An audio pyramid from the adapter's frame embeddings: frames -> windows -> clips, each
    window (clip) the mean of the frames that start in it; extents the unions of what is pooled."""
    enc = _call(adapter, "encode_audio", y, sr)
    if enc.units != "seconds":
        raise PyramidError(f"encode_audio returned units={enc.units!r}: need 'seconds'")
    F = np.asarray(enc.embeddings)
    ext = np.asarray(enc.extents, dtype=np.float64)
    levels = [Level(F, "frame", ext, "seconds")]
    for name, span in (("window", window), ("clip", clip)):
        prev = levels[-1]
        group = np.floor(prev.extents[:, 0] / span + 1e-9).astype(np.int64)
        cuts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        bounds = np.r_[cuts, len(group)]
        data = np.stack([prev.data[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])
        e = np.stack([prev.extents[bounds[:-1], 0], prev.extents[bounds[1:] - 1, 1]], axis=1)
        levels.append(Level(data, name, e, "seconds", {"seconds": span}))
    return Pyramid(levels, "audio", dict(builder="adapter", adapter=type(adapter).__name__))


def pyramids_from(adapter, *, text=None, image=None, audio=None, sr=None) -> dict:
    """Pyramids of the given inputs from one adapter, checked to share one embedding space.

    Returns
    -------
    dict
        ``{'text': ..., 'image': ..., 'audio': ...}`` for the inputs given.

    Raises
    ------
    PyramidError
        No input, audio without ``sr``, an adapter missing the method a modality needs, or
        embedding sizes that differ between modalities (they would not be comparable).

    Examples
    --------
    >>> import numpy as np
    >>> class Toy:                                   # a 4-dimensional space for images only
    ...     def encode_image(self, image):
    ...         h, w = image.shape[0] // 8, image.shape[1] // 8
    ...         patches = image[:h * 8, :w * 8].reshape(h, 8, w, 8).mean(axis=(1, 3))
    ...         return Encoded(np.stack([patches, patches ** 2, -patches, np.ones_like(patches)], -1), None,
    ...                        "pixels", {"patch_size": 8})
    >>> p = pyramids_from(Toy(), image=np.random.default_rng(0).random((64, 64)))["image"]
    >>> p.names, p.shapes[0]
    (('cell8', 'cell4', 'cell2'), (8, 8, 4))
    """
    out = {}
    if text is not None:
        out["text"] = text_pyramid(adapter, text)
    if image is not None:
        out["image"] = image_pyramid(adapter, image)
    if audio is not None:
        if sr is None:
            raise PyramidError("audio needs sr (its sample rate)")
        out["audio"] = audio_pyramid(adapter, audio, sr)
    if not out:
        raise PyramidError("pyramids_from needs at least one of text=, image=, audio=")
    dims = {m: int(p[0].shape[-1]) for m, p in out.items()}
    if len(set(dims.values())) > 1:
        raise PyramidError(
            f"the adapter's embeddings have different sizes per modality {dims}: one space needs one "
            "embedding size (project them, as CLIP's towers do)"
        )
    return out


class MiniLMAdapter:
    """The built-in text adapter: the bundled all-MiniLM-L6-v2 (``text`` extra), run on each
    sentence as :meth:`pyramids.TextPyramid.from_text` does. It encodes text only."""

    def __init__(self, model=None):
        from .models import get_model

        self.model = get_model(model)

    def encode_text(self, text: str) -> Encoded:
        from . import _segment
        from .models import embed_sentences

        sentences, _, _ = _segment.segment(text)
        if not sentences:
            raise PyramidError("text has no sentences: it is empty or only whitespace")
        emb, ext, _ = embed_sentences(self.model, text, sentences, 32)
        return Encoded(emb, ext, "chars", {"model": "all-MiniLM-L6-v2", "mask": np.ones(len(emb), bool)})
