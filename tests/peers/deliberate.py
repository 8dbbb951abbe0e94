"""The reviewed list of peer tests that fail against our functions on purpose, each with its reason.

Keys are the peer suite (see :data:`peer_runner.SUITES`); patterns are pytest node ids relative to
the peer package's folder, with ``fnmatch`` wildcards only where one reason covers a parametrised
family. A failure not matched here fails ``tests/peers/test_peer_suites.py``.
"""

DELIBERATE: dict[str, dict[str, str]] = {
    "pywt": {
        "tests/test__pywt.py::test_compare_downcoef_coeffs": (
            "bior3.1 (symmetric mode), the first and last detail coefficients of a 16-sample "
            "signal: exactly 0 in exact arithmetic (the antisymmetric high-pass meets the mirrored "
            "samples); PyWavelets' downcoef sums to 0.0, our vectorised kernel (fused multiply-add, "
            "reassociated sums: kernels/config.py FASTMATH) to -1.2e-18 and -2.9e-18, 1e-18 of "
            "the signal's scale, which an rtol-only assert_allclose against 0.0 cannot accept"),
    },
    "pywt.Wavelet": {},
    "numpy.fft": {},
    "scipy.fft": {},
    "scipy.signal.windows": {},
}
