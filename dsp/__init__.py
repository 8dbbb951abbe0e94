"""dsp: signal processing written from first principles, on Numba (CPU) and CUDA (GPU).

Plain functions with librosa's and PyWavelets' signatures: a NumPy array runs the CPU kernels and
returns NumPy; a CuPy array runs the GPU kernels and returns CuPy. CuPy is imported only when a
CuPy array arrives.

>>> import numpy as np, dsp
>>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
>>> dsp.stft(y).shape
(1025, 44)
"""
import sys as _sys

from dsp_kernels.threading_layer import configure as _select_threading_layer

from ._errors import DSPError

# Numba's threading layer is chosen once per process, by whatever first starts its pool, and
# ``numba.set_num_threads`` starts it too: choosing TBB here (it imports numba, about 0.1 s)
# keeps ``import dsp; numba.set_num_threads(1)`` on the fork-safe layer instead of GNU OpenMP
_select_threading_layer()
from .sampling import *  # noqa: F401,F403
from .quantization import *  # noqa: F401,F403
from .fourier import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403
from .resampling import *  # noqa: F401,F403
from .spectral import *  # noqa: F401,F403
from .mel import *  # noqa: F401,F403
from .constantq import *  # noqa: F401,F403  (issue 19: constant-Q and variable-Q transforms)
from .wavelets import *  # noqa: F401,F403
from .convert import *  # noqa: F401,F403
from .notes import *  # noqa: F401,F403
from .audio_io import *  # noqa: F401,F403
from .streaming import *  # noqa: F401,F403
from . import effects, display, feature, filters, util  # librosa's namespaces  # noqa: F401,E402
from . import beat, onset  # noqa: F401,E402  (issue 18: librosa.beat, librosa.onset)
# issue 18: the feature functions librosa also has at its top level
from ._chroma import estimate_tuning, piptrack, pitch_tuning  # noqa: E402
from ._pcen import pcen  # noqa: E402
from ._effects import mu_compress, mu_expand  # noqa: E402
from ._inverse import griffinlim  # noqa: E402
from ._tempo_fourier import fourier_tempo_frequencies, tempo_frequencies  # noqa: E402
# the global state in one place: settings (dsp.options.using(gpu_fft=...)) and table caches
from . import base, options  # noqa: E402
from . import segments, transform  # noqa: E402,F401  (pooling rows over groups; scikit-image's pyramid_reduce)
from .options import clear_caches  # noqa: E402

_FEATURES_TOP_LEVEL = ["estimate_tuning", "piptrack", "pitch_tuning", "pcen", "mu_compress", "mu_expand",
                       "griffinlim", "tempo_frequencies", "fourier_tempo_frequencies"]

def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("dsp-pyramids")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


__version__ = _version()

# Module names never equal a public function's name, so the star imports above are not shadowed.
_PUBLIC_MODULES = ("sampling", "quantization", "fourier", "windows", "resampling", "spectral", "mel", "constantq", "wavelets",
                   "convert", "notes", "audio_io", "streaming")
__all__ = ["DSPError", "clear_caches"] + [
    name for module in _PUBLIC_MODULES for name in _sys.modules[f"{__name__}.{module}"].__all__
] + _FEATURES_TOP_LEVEL
