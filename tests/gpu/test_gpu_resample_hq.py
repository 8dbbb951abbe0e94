"""GPU twins of the half-band decimator and of the shifted polyphase stage ('hq' resampling)
against the CPU kernels, and dsp.resample(quality='hq') end to end on the device."""
import numpy as np

from tests.tolerances import assert_close


def test_halfband_and_shifted_polyphase_twins_match_cpu(device, dtype):
    from dsp.resampling import _halfband_taps, _polyphase_table
    from dsp_kernels.cpu import resample as cpu
    from dsp_kernels.gpu import resample as gpu

    x = np.random.default_rng(9).standard_normal((2, device.size(120, 200_000))).astype(dtype)
    taps = _halfband_taps(44100, 16000.0, "hq", np.dtype(dtype).str)
    shift = len(taps) + 1
    n1 = shift + x.shape[1] // 2 + len(taps) + 1
    ref = cpu.halfband(x, taps, shift, n1)
    assert_close(device.get(gpu.halfband(device.put(x), taps, shift, n1)), ref, dtype, what="halfband")
    table = _polyphase_table(320, 441, "hq", np.dtype(dtype).str)
    n_out = -(-x.shape[1] * 16000 // 44100)
    assert_close(device.get(gpu.polyphase(device.put(ref), table, 320, 441, n_out, shift)),
                 cpu.polyphase(ref, table, 320, 441, n_out, shift), dtype, what="polyphase shift")


def test_resample_hq_on_device(device, dtype):
    import dsp

    x = np.random.default_rng(10).standard_normal(device.size(150, 300_000)).astype(dtype)
    ours = device.get(dsp.resample(device.put(x), orig_sr=44100, target_sr=16000, quality="hq"))
    assert_close(ours, dsp.resample(x, orig_sr=44100, target_sr=16000, quality="hq"), dtype)


def test_fir_full_twin_matches_cpu_fast_convolution(device, dtype):
    # the cascade's sharp stage: the GPU's direct sum against the CPU's overlap-save
    from dsp.resampling import _cascade
    from dsp_kernels.cpu import resample_fft as cpu
    from dsp_kernels.gpu import resample as gpu

    c = _cascade(22050, 16000, "hq", np.dtype(dtype).str)
    for n in (3, device.size(150, 100_000)):
        x = np.random.default_rng(n).standard_normal((2, n)).astype(dtype)
        ref = cpu.fir_full(x, c.taps, c.n_fft, c.spectrum)
        assert ref.shape == (2, n + len(c.taps) - 1)
        assert_close(device.get(gpu.fir_full(device.put(x), c.taps, c.n_fft, c.spectrum)), ref, dtype,
                     what="fir_full")


def test_resample_hq_cascade_on_device(device, dtype):
    import dsp

    x = np.random.default_rng(11).standard_normal((2, device.size(140, 300_000))).astype(dtype)
    ours = device.get(dsp.resample(device.put(x), orig_sr=22050, target_sr=16000, quality="hq"))
    assert_close(ours, dsp.resample(x, orig_sr=22050, target_sr=16000, quality="hq"), dtype)


def test_clip_two_to_one_route_on_device(device, dtype):
    # dsp.resample's route bound to one clip length (dsp._resample_halving.bound_halve) sends
    # device rows to the GPU twin with the separate finiteness check, host rows to the CPU
    # kernel that checks on its pass: the same answers, and NaN refused on both
    import pytest

    import dsp

    x = np.random.default_rng(12).standard_normal(device.size(3_200, 16_000)).astype(dtype)
    ref = dsp.resample(x, orig_sr=16000, target_sr=8000)
    ours = device.get(dsp.resample(device.put(x), orig_sr=16000, target_sr=8000))
    assert_close(ours, ref, dtype)
    x[-1] = np.nan
    with pytest.raises(dsp.DSPError, match="y contains NaN or infinity"):
        dsp.resample(device.put(x), orig_sr=16000, target_sr=8000)
