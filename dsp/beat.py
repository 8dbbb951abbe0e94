"""librosa.beat's names: ``dsp.beat.beat_track`` and ``dsp.beat.tempo`` (librosa 0.11 keeps
``tempo`` there as an alias of ``librosa.feature.tempo``).

Only functions that exist are exported; librosa.beat names we lack raise an AttributeError
saying they are not implemented yet.
"""
from ._beat import beat_track, tempo
from ._tempo_fourier import plp
from ._namespace import not_implemented_getattr

__all__ = ["beat_track", "plp", "tempo"]

LIBROSA_NAMES = ("beat_track", "plp", "tempo")

__getattr__ = not_implemented_getattr(__name__, "librosa.beat", LIBROSA_NAMES, __all__)
