"""Image pyramids."""
from __future__ import annotations

from .core import Pyramid, PyramidError  # noqa: F401

__all__ = ["ImagePyramid"]


class ImagePyramid(Pyramid, modality="image"):
    """A :class:`Pyramid` of the image modality."""
