"""GPU twins of the onset and delta kernels (onset_flux, detrend, correlate_rows) against the CPU
kernels, and the public functions (onset_strength, onset_strength_multi, onset_detect, delta)
on the device path against their CPU results."""
import numpy as np
import pytest

from tests.tolerances import assert_close


@pytest.mark.parametrize("lag,max_size", [(1, 1), (2, 3), (1, 4)])
def test_onset_flux_twin(device, dtype, lag, max_size):
    from dsp_kernels.cpu import features as cpu
    from dsp_kernels.gpu import features as gpu

    rng = np.random.default_rng(5)
    S = rng.standard_normal((2, device.size(12, 2000), device.size(9, 128))).astype(dtype)
    out = device.get(gpu.onset_flux(device.put(S), lag, max_size))
    assert_close(out, cpu.onset_flux(S, lag, max_size), np.float64, what="onset_flux")


def test_detrend_twin(device):
    from dsp_kernels.cpu import features as cpu
    from dsp_kernels.gpu import features as gpu

    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, device.size(50, 5000))) + 4.0
    out = device.get(gpu.detrend(device.put(x.copy())))
    assert_close(out, cpu.detrend(x.copy()), np.float64, what="detrend")


def test_correlate_rows_twin(device, dtype):
    from dsp_kernels.cpu import features as cpu
    from dsp_kernels.gpu import features as gpu

    rng = np.random.default_rng(7)
    n = device.size(30, 4000)
    xp = rng.standard_normal((3, n + 8)).astype(dtype)
    c = rng.standard_normal(9)
    out = gpu.correlate_rows(device.put(xp), c, n, xp.dtype)
    assert out.dtype == dtype
    assert_close(device.get(out), cpu.correlate_rows(xp, c, n, xp.dtype), dtype, what="correlate_rows")


@pytest.mark.parametrize("kw", [dict(), dict(lag=2, max_size=3, detrend=True),
                                dict(max_size=3, aggregate=np.median, center=False)])
def test_onset_strength_from_S_on_device(device, dtype, kw):
    import dsp

    rng = np.random.default_rng(8)
    S = (rng.standard_normal((2, device.size(10, 128), device.size(16, 2000))) * 10).astype(dtype)
    ref = dsp.onset.onset_strength(S=S, **kw)
    ref_multi = dsp.onset.onset_strength_multi(S=S, channels=[0, 3, 7, 10], **kw)
    with device.context():
        out = dsp.onset.onset_strength(S=device.put(S), **kw)
        out_multi = dsp.onset.onset_strength_multi(S=device.put(S), channels=[0, 3, 7, 10], **kw)
    assert device.is_device_array(out) and device.is_device_array(out_multi)
    assert out.dtype == ref.dtype and out.shape == ref.shape
    assert_close(device.get(out), ref, dtype, what="onset_strength")
    assert_close(device.get(out_multi), ref_multi, dtype, what="onset_strength_multi")


def test_onset_strength_and_detect_from_audio_on_device(device):
    import dsp

    y = np.zeros(device.size(2048, 4 * 22050))
    y[device.size([700, 1500], [22050, 66150])] = 1.0
    kw = dict(sr=8000, n_fft=256, hop_length=64, n_mels=16)
    ref = dsp.onset.onset_strength(y=y, **kw)
    with device.context():
        out = dsp.onset.onset_strength(y=device.put(y), **kw)
        onsets = dsp.onset.onset_detect(onset_envelope=out, sr=8000, hop_length=64)
    assert device.is_device_array(out)
    assert_close(device.get(out), ref, np.float64, what="onset_strength from y")
    assert isinstance(onsets, np.ndarray)  # the picking runs on the host
    np.testing.assert_array_equal(onsets, dsp.onset.onset_detect(onset_envelope=ref, sr=8000, hop_length=64))


@pytest.mark.parametrize("kw", [dict(), dict(width=5, order=2, mode="nearest")])
def test_delta_on_device(device, dtype, kw):
    import dsp

    rng = np.random.default_rng(9)
    data = rng.standard_normal((2, 5, device.size(20, 3000))).astype(dtype)
    ref = dsp.feature.delta(data, **kw)
    with device.context():
        out = dsp.feature.delta(device.put(data), **kw)
    assert device.is_device_array(out) and out.dtype == ref.dtype
    assert_close(device.get(out), ref, dtype, what="delta")


def test_beat_track_from_a_device_envelope(device):
    # the dynamic programme runs on the host from the device envelope (documented)
    import dsp

    sr, hop = 4000, 64
    y = np.zeros(device.size(8 * sr, 30 * sr))
    y[::sr // 2] = 1.0  # 120 BPM clicks
    env = dsp.onset.onset_strength(y=y, sr=sr, hop_length=hop, n_fft=256, n_mels=16)
    ref_bpm, ref_beats = dsp.beat.beat_track(onset_envelope=env, sr=sr, hop_length=hop)
    # the tempo is passed in: estimating it from a device envelope runs the tempogram's FFTs,
    # which the simulator executes thread by thread (minutes); tempo on CuPy is not built yet
    with device.context():
        bpm, beats = dsp.beat.beat_track(onset_envelope=device.put(env), sr=sr, hop_length=hop,
                                         bpm=float(np.ravel(ref_bpm)[0]))
    assert isinstance(beats, np.ndarray) and ref_beats.size > 4
    np.testing.assert_array_equal(beats, ref_beats)
