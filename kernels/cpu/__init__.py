"""CPU kernels: Numba ``njit`` functions, one module per domain, flags from :mod:`dsp_kernels.config`."""
