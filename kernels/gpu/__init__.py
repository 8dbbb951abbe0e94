"""GPU kernels: numba.cuda kernels on CuPy arrays, plus cuFFT/cuBLAS through CuPy.

Importing a module of this package imports numba.cuda (and CuPy where it is installed); nothing
outside this package imports it until a CuPy array reaches :mod:`dsp`. Every kernel also runs
under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).
"""
