"""librosa.util's names: ``dsp.util.frame`` is :func:`dsp.frame`.

Only functions that exist are exported; librosa.util names we lack raise an AttributeError
saying they are not implemented yet. The list of names is librosa 0.11's public functions.
"""
from ._namespace import not_implemented_getattr
from ._util import localmax, localmin, normalize, peak_pick
from .spectral import frame

__all__ = ["frame", "normalize", "localmax", "localmin", "peak_pick"]

LIBROSA_NAMES = (
    "abs2", "axis_sort", "buf_to_float", "count_unique", "cyclic_gradient", "dtype_c2r",
    "dtype_r2c", "ex", "example", "example_info", "expand_to", "fill_off_diagonal", "find_files",
    "fix_frames", "fix_length", "frame", "index_to_slice", "is_positive_int", "is_unique",
    "list_examples", "localmax", "localmin", "match_events", "match_intervals", "nnls",
    "normalize", "pad_center", "peak_pick", "phasor", "shear", "softmask", "sparsify_rows",
    "stack", "sync", "tiny", "valid_audio", "valid_int", "valid_intervals",
)

__getattr__ = not_implemented_getattr(__name__, "librosa.util", LIBROSA_NAMES, __all__)
