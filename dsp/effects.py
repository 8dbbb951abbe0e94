"""librosa.effects' names (to be filled by the features work).

Nothing is implemented yet: every librosa.effects name raises an AttributeError saying so. To
add one, import it here and list it in ``__all__`` (its docstring needs an Example).
"""
from ._effects import deemphasis, preemphasis, split, trim
from ._namespace import not_implemented_getattr

__all__: list[str] = ["trim", "split", "preemphasis", "deemphasis"]

LIBROSA_NAMES = (
    "deemphasis", "harmonic", "hpss", "percussive", "pitch_shift", "preemphasis", "remix", "split",
    "time_stretch", "trim",
)

__getattr__ = not_implemented_getattr(__name__, "librosa.effects", LIBROSA_NAMES, __all__)
