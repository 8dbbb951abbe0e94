"""Audio pyramids."""
from __future__ import annotations

from .core import Pyramid, PyramidError  # noqa: F401

__all__ = ["AudioPyramid"]


class AudioPyramid(Pyramid, modality="audio"):
    """A :class:`Pyramid` of the audio modality."""
