"""Text pyramids."""
from __future__ import annotations

from .core import Pyramid, PyramidError  # noqa: F401

__all__ = ["TextPyramid"]


class TextPyramid(Pyramid, modality="text"):
    """A :class:`Pyramid` of the text modality."""
