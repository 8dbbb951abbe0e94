"""librosa.feature's names: ``dsp.feature.melspectrogram`` is :func:`dsp.melspectrogram`, etc.

Only functions that exist are exported; librosa.feature names we lack raise an AttributeError
saying they are not implemented yet. The list of names is librosa 0.11's.
"""
from ._namespace import not_implemented_getattr
from ._features_spectral import (
    poly_features, rms, spectral_bandwidth, spectral_centroid, spectral_contrast, spectral_flatness,
    spectral_rolloff, zero_crossing_rate,
)
from . import _inverse as inverse  # librosa.feature.inverse: mel_to_stft, mel_to_audio, ...
from ._beat import tempo, tempogram
from ._tempo_fourier import fourier_tempogram
from ._chroma import chroma_stft
from ._delta import delta, stack_memory
from .mel import melspectrogram, mfcc
from ._chroma_cqt import chroma_cens, chroma_cqt  # issue 19

__all__ = ["melspectrogram", "mfcc"]
__all__ += [
    "rms", "zero_crossing_rate", "spectral_centroid", "spectral_bandwidth", "spectral_rolloff",
    "spectral_flatness", "spectral_contrast", "poly_features", "delta", "stack_memory",
    "chroma_stft", "tempo", "tempogram", "fourier_tempogram", "chroma_cqt", "chroma_cens",
]

LIBROSA_NAMES = (
    "chroma_cens", "chroma_cqt", "chroma_stft", "chroma_vqt", "delta", "fourier_tempogram",
    "melspectrogram", "mfcc", "poly_features", "rms", "spectral_bandwidth", "spectral_centroid",
    "spectral_contrast", "spectral_flatness", "spectral_rolloff", "stack_memory", "tempo",
    "tempogram", "tempogram_ratio", "tonnetz", "zero_crossing_rate",
    "inverse",  # librosa.feature.inverse: mel_to_stft, mel_to_audio, mfcc_to_mel, mfcc_to_audio
)

__getattr__ = not_implemented_getattr(__name__, "librosa.feature", LIBROSA_NAMES, __all__)
