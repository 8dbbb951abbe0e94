"""Compute kernels. ``dsp_kernels.cpu``: Numba ``njit``; ``dsp_kernels.gpu``: numba.cuda + CuPy.

Kernels know nothing of defaults or user-facing errors: :mod:`dsp` validates and picks one.
Nothing is compiled or imported from CUDA/CuPy when this package is imported.
"""
