"""GPU twins of the feature kernels (issue 18) against the CPU kernels: frame statistics of
signals (rms, zero crossings), of spectrum columns (centroid, bandwidth, roll-off, flatness,
rms from S) and PCEN."""
import numpy as np
import pytest

from tests.tolerances import assert_close


def test_signal_frames_twin(device, dtype):
    from dsp_kernels.cpu import features as cpu
    from dsp_kernels.gpu import features as gpu

    rng = np.random.default_rng(0)
    y = rng.standard_normal((2, device.size(600, 200_000))).astype(dtype)
    y[:, 50:80] = 0.0
    fl, hop = 128, 64
    n_frames = 1 + (y.shape[1] - fl) // hop
    for kind, thr, zp in ((0, 0.0, True), (1, 1e-10, True), (1, 0.5, False)):
        out = device.get(gpu.signal_frames(device.put(y), fl, hop, n_frames, kind, thr, zp))
        ref = cpu.signal_frames(y, fl, hop, n_frames, kind, thr, zp)
        assert_close(out, ref, np.float64, what=f"signal_frames kind {kind}")


@pytest.mark.parametrize("kind,param,amin", [(0, 0.0, 0.0), (1, 2.0, 0.0), (1, 3.0, 1.0), (2, 0.85, 0.0),
                                             (3, 2.0, 1e-10), (4, 64.0, 0.0), (4, 65.0, 1.0)])
def test_column_stats_twin(device, dtype, kind, param, amin):
    from dsp_kernels.cpu import features as cpu
    from dsp_kernels.gpu import features as gpu

    rng = np.random.default_rng(1)
    M = np.abs(rng.standard_normal((device.size(20, 5000), 33))).astype(dtype)
    M[0] = 0.0  # a silent frame
    freq = np.arange(33) * 100.0
    cent = cpu.column_stats(M, freq, 0)
    out = device.get(gpu.column_stats(device.put(M), freq, kind, param, amin, device.put(cent)))
    ref = cpu.column_stats(M, freq, kind, param, amin, cent)
    if kind == 2:
        np.testing.assert_array_equal(out, ref)
    else:
        assert_close(out, ref, np.float64, what=f"column_stats kind {kind}")


@pytest.mark.parametrize("kw", [dict(gain=0.98, bias=2.0, power=0.5), dict(gain=0.5, bias=0.0, power=0.25),
                                dict(gain=0.98, bias=2.0, power=0.0)])
def test_pcen_twin(device, dtype, kw):
    from dsp_kernels.cpu import features as cpu
    from dsp_kernels.gpu import features as gpu

    rng = np.random.default_rng(2)
    S = (np.abs(rng.standard_normal((device.size(6, 512), device.size(40, 2000)))) * 1e3).astype(dtype)
    zi = np.full(S.shape[0], 0.9)
    out, zf = gpu.pcen(device.put(S), device.put(S), zi, 0.05, kw["gain"], kw["bias"], kw["power"], 1e-6)
    ref, zf_ref = cpu.pcen(S, S, zi, 0.05, kw["gain"], kw["bias"], kw["power"], 1e-6)
    assert_close(device.get(out), ref, np.float64, what="pcen")
    assert_close(device.get(zf), zf_ref, np.float64, what="pcen zf")


def test_feature_functions_on_device(device):
    # the public functions from S dispatch to the twins and agree with the CPU path
    import dsp

    rng = np.random.default_rng(3)
    S = np.abs(rng.standard_normal((2, 65, device.size(12, 3000))))
    names = ("spectral_centroid", "spectral_bandwidth", "spectral_rolloff")
    refs = {name: getattr(dsp.feature, name)(S=S, sr=8000) for name in names}
    ref_flat = dsp.feature.spectral_flatness(S=S)
    ref_rms = dsp.feature.rms(S=S, frame_length=128)
    ref_pcen = dsp.pcen(S * 1e3)
    with device.context():
        for name in names:
            out = getattr(dsp.feature, name)(S=device.put(S), sr=8000)
            assert device.is_device_array(out)
            assert_close(device.get(out), refs[name], np.float64, what=name)
        assert_close(device.get(dsp.feature.spectral_flatness(S=device.put(S))), ref_flat, np.float64)
        assert_close(device.get(dsp.feature.rms(S=device.put(S), frame_length=128)), ref_rms, np.float32)
        assert_close(device.get(dsp.pcen(device.put(S * 1e3))), ref_pcen, np.float64)


def test_rms_and_zcr_from_audio_on_device(device, dtype):
    import dsp

    rng = np.random.default_rng(4)
    y = rng.standard_normal((2, device.size(3000, 300_000))).astype(dtype)
    kw = dict(frame_length=256, hop_length=128)
    ref_rms = dsp.feature.rms(y=y, **kw)
    ref_zcr = dsp.feature.zero_crossing_rate(y, **kw)
    with device.context():
        out_rms = dsp.feature.rms(y=device.put(y), **kw)
        out_zcr = dsp.feature.zero_crossing_rate(device.put(y), **kw)
    assert_close(device.get(out_rms), ref_rms, np.float32)
    np.testing.assert_array_equal(device.get(out_zcr), ref_zcr)
