"""pyramids.AudioPyramid.scalogram: octave levels of |cwt| (dsp.cwt, checked against PyWavelets
in tests/test_cwt.py), Hz bands, pooled frames and their extents."""
import numpy as np
import pytest

import dsp
from pyramids import AudioPyramid
from pyramids.core import PyramidError


def test_scalogram_levels_bands_and_values():
    sr = 8000
    y = np.random.default_rng(0).standard_normal((2, 4000))
    p = AudioPyramid.scalogram(y, sr, fmax=2000.0, fmin=125.0, bins_per_octave=6, hop_length=100)
    assert p.names == ("oct0", "oct1", "oct2", "oct3")
    assert [p.level(k).meta["hz"] for k in range(4)] == [(1000.0, 2000.0), (500.0, 1000.0), (250.0, 500.0),
                                                         (125.0, 250.0)]
    assert p[0].shape == (40, 2, 6)
    assert p.level(0).extents[-1].tolist() == [0.4875, 0.5]
    freqs = 2000.0 / 2 ** (np.arange(6) / 6)
    c, f = dsp.cwt(y[1], dsp.central_frequency("cmor1.5-1.0") * sr / freqs, "cmor1.5-1.0", 1 / sr, "fft")
    ref = np.abs(c)[:, 300:400].mean(axis=1)[::-1]
    assert np.max(np.abs(p[0][3, 1] - ref)) <= 1e-12
    assert p.level(0).meta["frequencies"] == tuple(float(v) for v in f[::-1])
    # a 1 kHz tone lands in the octave whose band holds 1 kHz
    tone = np.sin(2 * np.pi * 1000 * np.arange(sr) / sr)
    q = AudioPyramid.scalogram(tone, sr, fmax=2000.0, fmin=250.0, bins_per_octave=4)
    assert int(np.argmax([q[k].mean() for k in range(len(q))])) == 1


def test_scalogram_errors():
    with pytest.raises(PyramidError):
        AudioPyramid.scalogram(np.ones(800), 8000, wavelet="db2")
    with pytest.raises(PyramidError):
        AudioPyramid.scalogram(np.ones(800), 8000, fmin=3000.0, fmax=2000.0)
