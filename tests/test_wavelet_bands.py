"""AudioPyramid.wavelet(bands=...): octaves merged into named Hz bands, against PyWavelets'
inverse DWT and a NumPy power spectrum."""
import numpy as np
import pytest
import pywt

from pyramids import AudioPyramid, PyramidError
from pyramids._wavelet_bands import DEFAULT_BANDS, assign_octaves

SR = 44100


def _signal(n=SR // 2, channels=None, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    y = 0.1 * rng.standard_normal(n) + np.sin(2 * np.pi * 60 * t) + 0.5 * np.sin(2 * np.pi * 440 * t) \
        + 0.3 * np.sin(2 * np.pi * 3000 * t) + 0.2 * np.sin(2 * np.pi * 12000 * t)
    return y if channels is None else np.stack([np.roll(y, 7 * c) for c in range(channels)])


def _reference_fractions(sig, sr, bands):
    power = (np.abs(np.fft.rfft(sig, axis=-1)) ** 2).reshape(-1, sig.shape[-1] // 2 + 1).sum(axis=0)
    f = np.fft.rfftfreq(sig.shape[-1], 1 / sr)
    return {k: power[(f >= lo) & (f < hi)].sum() / power.sum() for k, (lo, hi) in bands.items()}


@pytest.mark.parametrize("channels", [None, 2])
@pytest.mark.parametrize("wavelet,mode", [("db4", "symmetric"), ("sym8", "zero"), ("coif2", "reflect")])
def test_band_levels_are_pywavelets_band_signals(channels, wavelet, mode):
    y = _signal(channels=channels)
    levels = 9  # a9 covers 0-43 Hz: every default band receives octaves
    bands = {"sub": (0.0, 100.0), "low": (100.0, 1000.0), "mid": (1000.0, 8000.0), "high": (8000.0, SR / 2)}
    p = AudioPyramid.wavelet(y, SR, wavelet, levels=levels, mode=mode, bands=bands)
    assert p.names == ("high", "mid", "low", "sub") and p.meta["unassigned"] == [] and p.meta["empty_bands"] == []
    coeffs = pywt.wavedec(y, wavelet, mode=mode, level=levels)
    octave_names = [f"d{j}" for j in range(levels, 0, -1)]  # coeffs[1:] order
    total = 0
    for lv in p:
        keep = {0} if f"a{levels}" in lv.meta["octaves"] else set()
        keep |= {1 + octave_names.index(o) for o in lv.meta["octaves"] if o.startswith("d")}
        ref = pywt.waverec([c if i in keep else np.zeros_like(c) for i, c in enumerate(coeffs)], wavelet, mode=mode)
        ref = ref[..., : y.shape[-1]]
        ours = np.moveaxis(lv.data, 0, -1)
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-10 * np.abs(y).max())
        fractions = _reference_fractions(ours, SR, bands)
        assert lv.meta["in_band"] == pytest.approx(fractions[lv.name], abs=1e-12)
        for nb, frac in lv.meta["leakage"].items():
            assert frac == pytest.approx(fractions[nb], abs=1e-12)
        total = total + ours
    # a partition of the octaves: the bands add up to the signal
    np.testing.assert_allclose(total, y, rtol=0, atol=1e-10 * np.abs(y).max())


def test_default_table_and_what_it_reports():
    y = _signal()
    p = AudioPyramid.wavelet(y, SR, "db8", levels=6, bands="default")
    # levels=6: a6 is 0-345 Hz; its overlap with 'low' (245 Hz) beats 'sub' (80 Hz)
    assert p.names == ("high", "mid", "low") and p.meta["empty_bands"] == ["sub"]
    assert p.level(0).meta["hz"] == DEFAULT_BANDS["high"]
    assert p.level(0).meta["octaves"] == ["d1", "d2"]  # 11025-22050 Hz overlaps 'high' most
    low = p.level(2)
    assert low.meta["octaves"] == ["d6", "a6"] and low.meta["octaves_hz"] == (0.0, 689.0625)
    # the 3 kHz tone sits in 'mid': most of mid's energy is in its own range
    assert p.level(1).meta["in_band"] > 0.8 and set(p.level(1).meta["leakage"]) == {"high", "low"}
    assert p.level(0).extents.shape == (y.size, 2) and p.level(0).extents[1, 0] == 1 / SR


def test_octaves_outside_every_band_are_reported():
    groups, unassigned = assign_octaves([(8000, 16000), (4000, 8000), (0, 4000)], {"mid": (1000, 6000)})
    assert groups == {"mid": [1, 2]} and unassigned == [0]
    p = AudioPyramid.wavelet(_signal(), SR, "db4", levels=3, bands={"mid": (1000.0, 6000.0)})
    # d1 (11025-22050 Hz) misses 1000-6000 Hz; d2 (5512-11025) overlaps it by 487.5 Hz and joins
    assert p.meta["unassigned"] == ["d1"] and p.names == ("mid",)
    assert p.level(0).meta["octaves"] == ["d2", "d3", "a3"]


@pytest.mark.parametrize("bands,match", [
    ("seed", "not a band table"),
    ({}, "bands is empty"),
    ({"a": (100, 50)}, "0 <= lo_hz < hi_hz"),
    ({"a": (0, 100), "b": (50, 200)}, "overlap"),
    ({"a": 5}, "must be 'default' or a mapping"),
    ({"a": (0, float("nan"))}, "0 <= lo_hz < hi_hz"),
])
def test_bad_band_tables(bands, match):
    with pytest.raises(PyramidError, match=match):
        AudioPyramid.wavelet(_signal(4096), SR, "db4", levels=3, bands=bands)
