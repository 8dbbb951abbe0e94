"""librosa.filters' names: ``dsp.filters.mel`` is :func:`dsp.mel_filterbank`,
``dsp.filters.get_window`` is :func:`dsp.get_window`.

Only functions that exist are exported; librosa.filters names we lack raise an AttributeError
saying they are not implemented yet. The list of names is librosa 0.11's.
"""
from ._namespace import not_implemented_getattr
from ._chroma import chroma
from .mel import mel_filterbank as mel
from .windows import get_window

from ._chroma_cqt import cq_to_chroma  # issue 19
from ._cqt_filters import constant_q, wavelet, wavelet_lengths  # issue 19

__all__ = ["mel", "get_window", "chroma", "constant_q", "cq_to_chroma", "wavelet", "wavelet_lengths"]

LIBROSA_NAMES = (
    "chroma", "constant_q", "constant_q_lengths", "cq_to_chroma", "diagonal_filter", "get_window",
    "mel", "mr_frequencies", "semitone_filterbank", "wavelet", "wavelet_lengths",
    "window_bandwidth", "window_sumsquare",
)

__getattr__ = not_implemented_getattr(__name__, "librosa.filters", LIBROSA_NAMES, __all__)
