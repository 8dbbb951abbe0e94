"""librosa.display's names (to be filled by the features work).

Nothing is implemented yet: every librosa.display name raises an AttributeError saying so. To
add one, import it here and list it in ``__all__`` (its docstring needs an Example). matplotlib
must stay an optional import: ``import dsp`` imports this module.
"""
from ._display import cmap, specshow, waveshow
from ._namespace import not_implemented_getattr

__all__: list[str] = ["specshow", "waveshow", "cmap"]

LIBROSA_NAMES = (
    "specshow", "waveshow", "cmap", "TimeFormatter", "NoteFormatter", "FJSFormatter",
    "LogHzFormatter", "ChromaFormatter", "ChromaSvaraFormatter", "ChromaFJSFormatter",
    "TonnetzFormatter", "AdaptiveWaveplot",
)

__getattr__ = not_implemented_getattr(__name__, "librosa.display", LIBROSA_NAMES, __all__)
