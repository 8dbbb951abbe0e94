"""librosa.onset's names: ``dsp.onset.onset_strength``, ``onset_strength_multi``, ``onset_detect``,
``onset_backtrack``.

Only functions that exist are exported; librosa.onset names we lack raise an AttributeError
saying they are not implemented yet. The list of names is librosa 0.11's.
"""
from ._namespace import not_implemented_getattr
from ._onset import onset_backtrack, onset_detect, onset_strength, onset_strength_multi

__all__ = ["onset_strength", "onset_strength_multi", "onset_detect", "onset_backtrack"]

LIBROSA_NAMES = ("onset_backtrack", "onset_detect", "onset_strength", "onset_strength_multi")

__getattr__ = not_implemented_getattr(__name__, "librosa.onset", LIBROSA_NAMES, __all__)
