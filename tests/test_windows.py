"""dsp.get_window against scipy.signal.get_window and librosa.filters.get_window."""
import warnings

import numpy as np
import pytest
import scipy.signal
import scipy.special
import librosa

import dsp
from dsp import DSPError
from dsp.windows import _cached_window, bessel_i0

SPECS = [
    "hann", "hamming", "blackman", "blackmanharris", "nuttall", "flattop", "cosine", "bartlett",
    "triang", "boxcar", "rectangular", "rect", "ones", "tukey", ("tukey", 0.25), ("tukey", 0.0),
    ("tukey", 1.0), ("gaussian", 7), ("gaussian", 0.5), ("kaiser", 8.6), ("kaiser", 0.0),
    ("kaiser", 14.0), 5.0, ("general_hamming", 0.6), "hann_periodic", "hann_symmetric",
    "barthann", "bohman", "parzen", "lanczos", "sinc", "exponential", ("exponential", None, 3.0), "taylor",
    ("taylor", 6, 45.0), ("taylor", 3, 20.0, False), ("general_gaussian", 1.5, 7.0), ("ggs", 0.5, 2.0),
    ("general_cosine", (0.5, 0.5)), ("general_cosine", (0.3635819, 0.4891775, 0.1365995, 0.0106411)),
    ("dpss", 0.5),
]
LENGTHS = [1, 2, 3, 4, 7, 64, 513, 2048]


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("fftbins", [True, False])
def test_matches_scipy(spec, fftbins):
    for n in LENGTHS:
        ours = dsp.get_window(spec, n, fftbins=fftbins)
        ref = scipy.signal.get_window(spec, n, fftbins=fftbins)
        assert ours.dtype == np.float64 and ours.shape == (n,)
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12, err_msg=f"{spec} n={n}")


def test_exponential_with_center_is_periodic_only():
    # SciPy's exponential window takes a center only when it is not symmetric
    for n in LENGTHS:
        ref = scipy.signal.get_window(("exponential", 2.5, 0.7), n, fftbins=True)
        np.testing.assert_allclose(dsp.get_window(("exponential", 2.5, 0.7), n), ref, rtol=0, atol=1e-12)
    with pytest.raises(DSPError, match="center=2.5 is periodic only"):
        dsp.get_window(("exponential", 2.5, 0.7), 8, fftbins=False)


@pytest.mark.parametrize("at", [30.0, 50.0, 100.0, -60.0])
@pytest.mark.parametrize("fftbins", [True, False])
def test_chebwin_matches_scipy(at, fftbins):
    # The Chebyshev window is ill-conditioned in float64 (its DFT samples reach 10**(at/20) and
    # cancel): at n = 2048 SciPy and we differ by ~1e-10, and against a 40-digit evaluation SciPy
    # is off by 7.6e-11 and we by 1.5e-11. Up to n = 129 both agree to 1e-12.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's advice about at < 45 dB
        for n in [1, 2, 3, 4, 5, 7, 8, 64, 65, 128, 129]:
            ref = scipy.signal.get_window(("chebwin", at), n, fftbins=fftbins)
            ours = dsp.get_window(("cheb", at), n, fftbins=fftbins)
            np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12, err_msg=f"n={n}")


@pytest.mark.parametrize("nw", [2.0, 3.5, 10.0])
@pytest.mark.parametrize("fftbins", [True, False])
def test_dpss_matches_scipy(nw, fftbins):
    for n in [n for n in LENGTHS if nw < n / 2]:
        ref = scipy.signal.get_window(("dpss", nw), n, fftbins=fftbins)
        np.testing.assert_allclose(dsp.get_window(("dpss", nw), n, fftbins=fftbins), ref, rtol=0, atol=1e-12)


def test_kaiser_bessel_derived_matches_scipy():
    for beta in (0.0, 4.0, 4 * np.pi):
        for n in [2, 4, 64, 512, 2048]:
            ref = scipy.signal.get_window(("kaiser_bessel_derived", beta), n, fftbins=False)
            np.testing.assert_allclose(dsp.get_window(("kbd", beta), n, fftbins=False), ref, rtol=0, atol=1e-12)
    with pytest.raises(DSPError, match="defined only as a symmetric window"):
        dsp.get_window(("kbd", 4.0), 64)
    with pytest.raises(DSPError, match="Nx=7, fftbins=False"):
        dsp.get_window(("kbd", 4.0), 7, fftbins=False)


def test_general_cosine_accepts_a_list_of_coefficients():
    ref = scipy.signal.get_window(("general_cosine", [0.42, 0.5, 0.08]), 33)
    np.testing.assert_allclose(dsp.get_window(("general_cosine", [0.42, 0.5, 0.08]), 33), ref, rtol=0, atol=1e-12)


def test_hanning_alias_is_hann():
    np.testing.assert_array_equal(dsp.get_window("hanning", 16), dsp.get_window("hann", 16))


def test_matches_librosa_callable_and_array():
    n = 32
    for spec in ["hann", ("gaussian", 4.0), scipy.signal.windows.hamming, np.hanning(n), list(np.ones(n))]:
        ref = librosa.filters.get_window(spec, n)
        np.testing.assert_allclose(dsp.get_window(spec, n), ref, rtol=0, atol=1e-12)


def test_bessel_i0_matches_scipy():
    x = np.concatenate([np.linspace(0, 60, 601), [1e-8, 123.4]])
    np.testing.assert_allclose(bessel_i0(x), scipy.special.i0(x), rtol=1e-14)


def test_cached_window_read_only_and_dtype():
    w = _cached_window("hann", 512, True, np.float32)
    assert w.dtype == np.float32 and not w.flags.writeable
    assert _cached_window("hann", 512, True, np.float32) is w
    np.testing.assert_allclose(w, scipy.signal.get_window("hann", 512), atol=1e-7)
    # get_window hands out a writable copy, never the cached table
    g = dsp.get_window("hann", 512)
    g[0] = 5.0
    assert dsp.get_window("hann", 512)[0] == 0.0


def test_cached_window_normalises_equivalent_specs():
    assert _cached_window(("gaussian", 7), 10) is _cached_window(("gauss", 7.0), 10)


@pytest.mark.parametrize(
    "spec, n, match",
    [
        ("nope", 8, "unknown window name 'nope'"),
        (("gaussian",), 8, "needs its parameter std"),
        (("general_gaussian", 1.0), 8, "needs its parameters p, sig"),
        (("general_gaussian", 1.0, 0.0), 8, "sig=0.0 must be > 0"),
        (("general_cosine", []), 8, r"a=\[\] must be a non-empty sequence"),
        (("general_cosine", "x"), 8, "a='x' must be a non-empty sequence"),
        (("exponential", None, -1.0), 8, "tau=-1.0 must be > 0"),
        (("taylor", 0), 8, "nbar=0 must be an integer >= 1"),
        (("taylor", 4, -3.0), 8, "sll=-3.0 must be >= 0"),
        (("taylor", 4, 30.0, "yes"), 8, "norm='yes' must be True or False"),
        ("chebwin", 8, "'chebwin' needs its parameter at"),
        (("chebwin", np.inf), 8, "at=inf must be finite"),
        ("dpss", 8, "'dpss' needs its parameter NW"),
        (("dpss", 4.0), 8, "NW=4.0 must be > 0 and < Nx / 2"),
        (("dpss", -1.0), 8, "NW=-1.0 must be > 0"),
        ("gaussian", 8, "needs its parameter std"),
        (("gaussian", 0.0), 8, "std=0.0 must be > 0"),
        (("gaussian", "x"), 8, "std='x' must be a real number"),
        (("hann", 3), 8, "takes 0 parameter"),
        (("tukey", 1.5), 8, "alpha=1.5 must be in"),
        ((3, "hann"), 8, "must start with the window's name"),
        ((), 8, "must start with the window's name"),
        (float("nan"), 8, "Kaiser beta and must be finite"),
        (True, 8, "is not a window"),
        ({"hann": 1}, 8, "is not a window"),
        (np.ones(7), 8, r"shape \(7,\): need a 1-D window of length n=8"),
        (np.ones((2, 4)), 8, "need a 1-D window"),
        (np.array([1.0, np.nan]), 2, "NaN or infinity"),
        (lambda n: np.ones(n + 1), 8, r"window\(8\) returned has shape \(9,\)"),
        (lambda n: 1 / 0, 8, "raised ZeroDivisionError"),
    ],
)
def test_bad_window_spec(spec, n, match):
    with pytest.raises(DSPError, match=match):
        dsp.get_window(spec, n)


@pytest.mark.parametrize("n, match", [(0, "Nx=0 is too small"), (-3, "Nx=-3 is too small"),
                                      (4.0, "Nx=4.0 must be an integer"), (True, "must be an integer")])
def test_bad_length(n, match):
    with pytest.raises(DSPError, match=match):
        dsp.get_window("hann", n)
