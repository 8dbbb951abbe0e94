"""dsp: signal processing written from first principles, on Numba (CPU) and CUDA (GPU).

Plain functions with librosa's and PyWavelets' signatures: a NumPy array runs the CPU kernels and
returns NumPy; a CuPy array runs the GPU kernels and returns CuPy. CuPy is imported only when a
CuPy array arrives.

>>> import numpy as np, dsp
>>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
>>> dsp.stft(y).shape
(1025, 44)
"""
from ._errors import DSPError
from .sampling import *  # noqa: F401,F403
from .quantize import *  # noqa: F401,F403
from .fourier import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403
from .resample import *  # noqa: F401,F403
from .spectral import *  # noqa: F401,F403
from .mel import *  # noqa: F401,F403
from .wavelets import *  # noqa: F401,F403

from . import sampling, quantize, fourier, windows, resample, spectral, mel, wavelets  # noqa: E402

__version__ = "0.1.0"

__all__ = ["DSPError"] + [
    name
    for module in (sampling, quantize, fourier, windows, resample, spectral, mel, wavelets)
    for name in module.__all__
]
