"""pyramids: one level-indexed API for audio, image and text.

Every builder returns a :class:`Pyramid`: level 0 is the finest, the last the coarsest; ``p[i]``
is level ``i``'s array and ``p.level(i).extents`` says where each of its elements lies (seconds
for audio, pixel boxes for images, character spans for text).

>>> import numpy as np, pyramids
>>> frames = pyramids.Level(np.zeros((4, 8)), "frame", [[0, 1], [1, 2], [2, 3], [3, 4]], "seconds")
>>> clip = pyramids.Level(np.zeros((1, 8)), "clip", [[0, 4]], "seconds")
>>> p = pyramids.Pyramid([frames, clip], "audio")
>>> len(p), p[1].shape, p.level(1).extents.tolist()
(2, (1, 8), [[0.0, 4.0]])
"""
from .core import BoxGrid, Level, Pyramid, PyramidError
from .audio import AudioPyramid
from .image import ImagePyramid
from .text import TextPyramid
from .video import VideoPyramid
from . import align, fusion, sync  # noqa: E402  (cross-modal work, issues 8 and 22)

__all__ = ["Pyramid", "Level", "BoxGrid", "PyramidError", "AudioPyramid", "ImagePyramid", "TextPyramid", "VideoPyramid", "align", "fusion", "sync"]
