"""The reviewed list of peer tests that fail against our functions on purpose, each with its reason.

Keys are the peer suite (see :data:`peer_runner.SUITES`); patterns are pytest node ids relative to
the peer package's folder, with ``fnmatch`` wildcards only where one reason covers a parametrised
family. A failure not matched here fails ``tests/peers/test_peer_suites.py``.
"""

DELIBERATE: dict[str, dict[str, str]] = {
    "pywt": {
        # (issue 20) test__pywt.py::test_compare_downcoef_coeffs and test_multidim.py::
        # test_dwtn_axes compared PyWavelets' own downcoef/dwtn with our wavedec/dwt (ulp-level
        # differences); both sides are routed to ours now, so they pass and left this list
    },
    "pywt.Wavelet": {},
    "pywt.packets": {},
    "numpy.fft": {
        "fft/tests/test_pocketfft.py::TestFFT1D::test_identity_long_short*[[]longdouble[]]": (
            "long double: NumPy computes in long double and returns clongdouble; our kernels are "
            "float32/float64, so long double input is computed (and returned) in float64"),
    },
    "scipy.fft": {},
    "scipy.signal.windows": {
        "signal/tests/test_windows.py::TestGetWindow::test_kaiser_float[[]numpy[]]": (
            "asks for bit equality between get_window(7.2, 64) and SciPy's own kaiser(): our "
            "Kaiser window uses our I0 (its power series, dsp.windows.bessel_i0), SciPy's the "
            "Cephes Chebyshev expansion; they differ by up to 3 ulp (38 of 64 samples)"),
        "signal/tests/test_windows.py::TestGetWindow::test_general_cosine[[]numpy[]]": (
            "('general_cosine', [0.5, 0.3, 0.2]) with a plain list: SciPy 1.17 refuses lists "
            "here (it wants an array of the xp namespace); we accept any sequence of "
            "coefficients, as SciPy did before and as librosa users write them"),
        "signal/tests/test_windows.py::TestGetWindow::test_invalid_inputs[[]numpy[]]": (
            "every bad input in it is refused by ours with a ValueError (DSPError), but the test "
            "anchors on SciPy's own sentences (^'kaiser' must have parameters, ^Window dpss must "
            "have one, ...) where ours say e.g. \"window='kaiser': 'kaiser' needs its parameter "
            "beta: pass a tuple such as ('kaiser', beta)\"; and, as above, a plain list of "
            "general_cosine coefficients is accepted"),
    },
}
