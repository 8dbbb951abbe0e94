"""The tempo functions and the MFCC inversion on the device path (CuPy in, CuPy out) against their
CPU results: tempogram, tempo, fourier_tempogram, plp, mfcc_to_mel, mfcc_to_audio.

The CPU results are themselves tested against librosa (tests/test_onset_beat.py, tests/test_plp.py,
tests/test_inverse.py); here the device path must reproduce them within the dtype's tolerance.
Sizes are tiny under the simulator: every FFT runs there one simulated CUDA thread at a time."""
import numpy as np
import pytest

from tests.tolerances import assert_close


def _pulses(device, period, dtype=np.float64):
    """An onset envelope with a pulse every ``period`` frames plus a little noise."""
    n = device.size(72, 4000)
    env = np.zeros(n)
    env[::period] = 1.0
    env += 0.05 * np.random.default_rng(period).random(n)
    return env.astype(dtype)


@pytest.mark.parametrize("center", [True, False])
def test_tempogram_on_device(device, dtype, center):
    import dsp

    env = np.stack([_pulses(device, 8, dtype), _pulses(device, 6, dtype)])
    win = device.size(16, 384)
    ref = dsp.feature.tempogram(onset_envelope=env, win_length=win, center=center)
    with device.context():
        out = dsp.feature.tempogram(onset_envelope=device.put(env), win_length=win, center=center)
    assert device.is_device_array(out)
    assert out.shape == ref.shape and out.dtype == ref.dtype
    assert_close(device.get(out), ref, dtype, what="tempogram")


def test_tempo_on_device(device):
    import dsp

    env = np.stack([_pulses(device, 11), _pulses(device, 7)])
    sr, hop = 22050, 512
    ac = device.size(16, 384) * hop / sr  # ac_size giving the test's win_length
    for aggregate in (np.mean, None):
        ref = dsp.feature.tempo(onset_envelope=env, sr=sr, hop_length=hop, ac_size=ac, aggregate=aggregate)
        with device.context():
            out = dsp.feature.tempo(onset_envelope=device.put(env), sr=sr, hop_length=hop, ac_size=ac,
                                    aggregate=aggregate)
        assert device.is_device_array(out)
        np.testing.assert_array_equal(device.get(out), ref)  # argmax over the same values


def test_fourier_tempogram_and_plp_on_device(device, dtype):
    import dsp

    env = _pulses(device, 8, dtype)
    win = device.size(16, 384)
    ref = dsp.feature.fourier_tempogram(onset_envelope=env, win_length=win)
    ref_plp = dsp.beat.plp(onset_envelope=env, win_length=win, tempo_min=None, tempo_max=None)
    ref_band = dsp.beat.plp(onset_envelope=env, win_length=win, tempo_min=60, tempo_max=400)
    with device.context():
        out = dsp.feature.fourier_tempogram(onset_envelope=device.put(env), win_length=win)
        out_plp = dsp.beat.plp(onset_envelope=device.put(env), win_length=win, tempo_min=None, tempo_max=None)
        out_band = dsp.beat.plp(onset_envelope=device.put(env), win_length=win, tempo_min=60, tempo_max=400)
    for o in (out, out_plp, out_band):
        assert device.is_device_array(o)
    assert out.dtype == ref.dtype and out_plp.dtype == ref_plp.dtype
    assert_close(device.get(out), ref, dtype, what="fourier_tempogram")
    assert_close(device.get(out_plp), ref_plp, dtype, what="plp")
    assert_close(device.get(out_band), ref_band, dtype, what="plp tempo band")


def test_lexicographic_max_is_numpys_complex_max():
    """plp divides by NumPy's (lexicographic) max of complex numbers, as librosa does; the
    explicit form used on both paths must be that order, ties in the real part included."""
    from dsp._tempo_fourier import _lexicographic_max

    z = np.array([[0, -3 + 4j, 1 - 1j, 1 + 2j], [0, -3 + 4j, -1j, 0]]).T
    np.testing.assert_array_equal(_lexicographic_max(np, z, axis=0), z.max(axis=0, keepdims=True))


@pytest.mark.parametrize("lifter", [0, 3])
def test_mfcc_inversion_on_device(device, dtype, lifter, monkeypatch):
    import dsp

    rng = np.random.default_rng(lifter)
    mfcc = (rng.standard_normal((2, 13, device.size(6, 200))) * 10).astype(dtype)
    n_mels = device.size(16, 128)
    ref = dsp.feature.inverse.mfcc_to_mel(mfcc, n_mels=n_mels, lifter=lifter)
    with device.context():
        out = dsp.feature.inverse.mfcc_to_mel(device.put(mfcc), n_mels=n_mels, lifter=lifter)
    assert device.is_device_array(out) and out.dtype == ref.dtype
    assert_close(device.get(out), ref, dtype, what="mfcc_to_mel")

    # mel_to_audio draws Griffin-Lim's initial phases from a fresh default_rng(): seed it so that
    # both paths start from the same phases
    seeded = np.random.default_rng
    monkeypatch.setattr(np.random, "default_rng", lambda seed=None: seeded(7 if seed is None else seed))
    kw = dict(n_mels=n_mels, lifter=lifter, sr=8000, n_fft=device.size(32, 2048), n_iter=2)
    ref_y = dsp.feature.inverse.mfcc_to_audio(mfcc[0], **kw)
    with device.context():
        out_y = dsp.feature.inverse.mfcc_to_audio(device.put(mfcc[0]), **kw)
    assert device.is_device_array(out_y) and out_y.shape == ref_y.shape and out_y.dtype == ref_y.dtype
    # mel_to_audio returns float32 by default (dtype=np.float32, as librosa): its tolerance applies
    assert_close(device.get(out_y), ref_y, ref_y.dtype, what="mfcc_to_audio")
