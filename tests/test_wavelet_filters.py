"""dsp.Wavelet and dsp.wavelist against PyWavelets, and the filters against wavelet theory."""
import numpy as np
import pytest

import dsp
from dsp import DSPError

pywt = pytest.importorskip("pywt")

ALL = pywt.wavelist(kind="discrete")


def test_wavelist_matches_pywavelets():
    assert dsp.wavelist(kind="discrete") == ALL
    assert dsp.wavelist() == pywt.wavelist()
    assert dsp.wavelist(kind="continuous") == pywt.wavelist(kind="continuous")
    assert dsp.families() == pywt.families()
    assert dsp.families(short=False) == pywt.families(short=False)
    for fam in dsp.families():
        for kind in ("all", "discrete", "continuous"):
            assert dsp.wavelist(fam, kind=kind) == pywt.wavelist(fam, kind=kind), (fam, kind)
    # every continuous name is one cwt accepts
    for name in dsp.wavelist(kind="continuous"):
        assert dsp.ContinuousWavelet(name).name == name


@pytest.mark.parametrize("name", ALL)
def test_filters_and_properties_match_pywavelets(name):
    ours, ref = dsp.Wavelet(name), pywt.Wavelet(name)
    for a, b in zip(ours.filter_bank, ref.filter_bank):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    for a, b in zip(ours.inverse_filter_bank, ref.inverse_filter_bank):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    for attr in (
        "name", "family_name", "short_family_name", "orthogonal", "biorthogonal", "symmetry",
        "vanishing_moments_psi", "vanishing_moments_phi", "dec_len", "rec_len",
    ):
        assert getattr(ours, attr) == getattr(ref, attr), attr


@pytest.mark.parametrize("name", [n for n in ALL if n != "dmey"])
def test_filters_are_perfect_reconstruction_pairs(name):
    """sum_k dec_lo[k] rec_lo[k + 2m] = delta(m) (biorthogonality); sums are sqrt(2)."""
    w = dsp.Wavelet(name)
    dl, dh, rl, rh = (np.array(f) for f in w.filter_bank)
    # the published symlet and CDF 4.4 tables hold about 11-12 digits (PyWavelets' too)
    tol = 1e-10 if w.short_family_name in ("sym", "bior", "rbio") else 1e-12
    assert abs(dl.sum() - np.sqrt(2)) < tol and abs(rl.sum() - np.sqrt(2)) < tol
    assert abs(dh.sum()) < tol and abs(rh.sum()) < tol
    full = np.convolve(dl, rl)  # lowpass product filter: centre tap 1, even lags 0
    centre = len(dl) - 1
    lags = full[centre % 2 :: 2]
    expected = np.zeros_like(lags)
    expected[centre // 2] = 1.0
    np.testing.assert_allclose(lags, expected, rtol=0, atol=tol)


def _daubechies(order, dps=60):
    """Daubechies' minimum-phase scaling filter by spectral factorisation, in mpmath."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(dps):
        p = [mp.binomial(order - 1 + k, k) for k in range(order)]
        roots = mp.polyroots(p[::-1], maxsteps=400, extraprec=4 * dps) if order > 1 else []
        poly = [mp.mpf(1)]
        for y in roots:  # y = sin^2(w/2) = (2 - z - 1/z) / 4: keep the root inside the unit circle
            c = 1 - 2 * y
            z = c - mp.sqrt(c * c - 1)
            if abs(z) > 1:
                z = 1 / z
            poly = [a - z * b for a, b in zip(poly + [0], [0] + poly)]
        for _ in range(order):  # the zeros at z = -1
            poly = [a + b for a, b in zip(poly + [0], [0] + poly)]
        total = sum(poly)
        return np.array([float(mp.re(c) * mp.sqrt(2) / mp.re(total)) for c in poly])


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6, 8, 10, 12])
def test_daubechies_table_equals_spectral_factorisation(order):
    np.testing.assert_allclose(dsp.Wavelet(f"db{order}").rec_lo, _daubechies(order), rtol=0, atol=1e-15)


def test_vanishing_moments_of_the_tables():
    k = np.arange(80, dtype=np.float64)
    for name in ("db4", "db10", "sym8", "coif3"):
        w = dsp.Wavelet(name)
        dh = np.array(w.dec_hi)
        kk = k[: len(dh)] - len(dh) / 2  # centred, to keep the moments well scaled
        for p in range(w.vanishing_moments_psi):
            assert abs(np.sum(dh * kk**p)) < 1e-9 * np.sum(np.abs(dh * kk**p)) + 1e-12, (name, p)


def test_custom_wavelet_from_filter_bank():
    ref = pywt.Wavelet("db3")
    ours = dsp.Wavelet("mine", filter_bank=ref.filter_bank)
    assert ours.name == "mine" and ours.filter_bank == tuple(list(f) for f in ref.filter_bank)
    assert not ours.orthogonal and not ours.biorthogonal  # as PyWavelets: unknown until set
    ours.orthogonal = True
    assert ours.orthogonal
    # objects with a filter_bank attribute, and odd lengths padded with a zero, as PyWavelets does
    from_obj = dsp.Wavelet("obj", filter_bank=ref)
    assert from_obj.dec_lo == list(ref.dec_lo)
    odd = dsp.Wavelet("odd", filter_bank=[[1, 2, 3]] * 4)
    assert odd.dec_lo == pywt.Wavelet("odd", filter_bank=[[1, 2, 3]] * 4).dec_lo == [1.0, 2.0, 3.0, 0.0]
    x = np.random.default_rng(0).standard_normal(21)
    for a, b in zip(dsp.dwt(x, ours, "smooth"), pywt.dwt(x, ref, "smooth")):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    # a pywt.Wavelet is accepted wherever a wavelet is
    np.testing.assert_allclose(dsp.dwt(x, ref)[0], pywt.dwt(x, ref)[0], rtol=0, atol=1e-12)


def test_wavelet_errors():
    with pytest.raises(DSPError, match="'db39' is not a built-in wavelet"):
        dsp.Wavelet("db39")
    with pytest.raises(DSPError, match="'morl' is a continuous wavelet"):
        dsp.Wavelet("morl")
    with pytest.raises(DSPError, match="name=3 must be a string"):
        dsp.Wavelet(3)
    with pytest.raises(DSPError, match="filter_bank has 3 filters: need four"):
        dsp.Wavelet("x", filter_bank=[[1, 2]] * 3)
    with pytest.raises(DSPError, match="must be four filters"):
        dsp.Wavelet("x", filter_bank=5)
    with pytest.raises(DSPError, match="rec_hi is empty"):
        dsp.Wavelet("x", filter_bank=[[1, 2], [1, 2], [1, 2], []])
    with pytest.raises(DSPError, match=r"lengths \[3, 2, 3, 3\]: all four must have the same length"):
        dsp.Wavelet("x", filter_bank=[[1, 2, 3], [1, 2], [1, 2, 3], [1, 2, 3]])
    with pytest.raises(DSPError, match="dec_lo contains NaN"):
        dsp.Wavelet("x", filter_bank=[[1, np.nan], [1, 2], [1, 2], [1, 2]])
    with pytest.raises(DSPError, match="dec_hi must be a 1-D sequence of real numbers"):
        dsp.Wavelet("x", filter_bank=[[1, 2], [[1, 2]], [1, 2], [1, 2]])
    with pytest.raises(DSPError, match="family='foo' is not a wavelet family"):
        dsp.wavelist("foo")
    with pytest.raises(DSPError, match="kind='cont' is not supported"):
        dsp.wavelist(kind="cont")
    with pytest.raises(DSPError, match="wavelet=3.5 must be a wavelet name"):
        dsp.dwt(np.ones(8), 3.5)
