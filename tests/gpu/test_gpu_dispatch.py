"""The public dsp functions on device arrays: device in, device out, equal to the CPU path.

Each case runs twice on the same input: on NumPy (the CPU kernels) and on a device array (CuPy
on a GPU; under the simulator a NumPy array routed to the GPU kernels by ``simulated_gpu``).
"""
import numpy as np
import pytest

import dsp
from tests.tolerances import assert_close


def _signal(device, dtype, channels=2, seed=0):
    n = device.size(160, 22050 * 4)
    t = np.arange(n) / 8000.0
    y = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.random.default_rng(seed).standard_normal((channels, n))
    return y.astype(dtype)


def _nfft(device):
    return device.size(32, 2048), device.size(8, 512)


CASES = {
    "quantize": lambda d, y: dsp.quantize(y, 0.05),
    "quantize_bits": lambda d, y: dsp.quantize_bits(y, 8),
    "rfft": lambda d, y: dsp.rfft(y),
    "fft": lambda d, y: dsp.fft(y, norm="ortho"),
    "irfft": lambda d, y: dsp.irfft(dsp.rfft(y), n=y.shape[-1]),
    "dct": lambda d, y: dsp.dct(y, type=2, norm="ortho"),
    "stft": lambda d, y: dsp.stft(y, n_fft=_nfft(d)[0], hop_length=_nfft(d)[1]),
    "stft_reflect": lambda d, y: dsp.stft(y, n_fft=_nfft(d)[0], hop_length=_nfft(d)[1], pad_mode="reflect"),
    "istft": lambda d, y: dsp.istft(dsp.stft(y, n_fft=_nfft(d)[0], hop_length=_nfft(d)[1]),
                                    hop_length=_nfft(d)[1], length=y.shape[-1]),
    "power_to_db": lambda d, y: dsp.power_to_db(y**2, ref=np.max, top_db=60.0),
    "amplitude_to_db": lambda d, y: dsp.amplitude_to_db(y, ref=1.0),
    "db_to_power": lambda d, y: dsp.db_to_power(y),
    "magphase": lambda d, y: dsp.magphase(dsp.stft(y, n_fft=_nfft(d)[0], hop_length=_nfft(d)[1]))[0],
    "melspectrogram": lambda d, y: dsp.melspectrogram(y=y, sr=8000, n_fft=_nfft(d)[0], hop_length=_nfft(d)[1],
                                                      n_mels=d.size(8, 128)),
    "mfcc": lambda d, y: dsp.mfcc(y=y, sr=8000, n_fft=_nfft(d)[0], hop_length=_nfft(d)[1],
                                  n_mels=d.size(8, 128), n_mfcc=d.size(5, 20)),
    "wavedec": lambda d, y: dsp.wavedec(y, "db4", mode="symmetric", level=2),
    "wavedec_periodization": lambda d, y: dsp.wavedec(y, "sym3", mode="periodization", level=2),
    "waverec": lambda d, y: dsp.waverec(dsp.wavedec(y, "db2", level=2), "db2"),
    "swt": lambda d, y: [c for pair in dsp.swt(y, "db2", level=2) for c in pair],
    "iswt": lambda d, y: dsp.iswt(dsp.swt(y, "sym3", level=2), "sym3"),
    "resample": lambda d, y: dsp.resample(y, orig_sr=8000, target_sr=6000),
    "resample_irrational": lambda d, y: dsp.resample(y, orig_sr=8000, target_sr=8000 * 2 ** 0.5 / 2),
    "sinc_interpolate": lambda d, y: dsp.sinc_interpolate(y, 8000, np.linspace(0.001, y.shape[-1] / 8000 - 0.001, 37)),
}


@pytest.fixture
def backends_used(monkeypatch):
    """Record every kernel the dsp layer asks the dispatch table for, as (backend, op)."""
    from dsp import _dispatch

    used = []
    real = _dispatch._resolve

    def recording(op, backend):
        used.append((backend, op))
        return real(op, backend)

    # kernel() and kernel_for() look _resolve up in their module on each call
    monkeypatch.setattr(_dispatch, "_resolve", recording)
    return used


@pytest.mark.parametrize("name", sorted(CASES))
def test_device_in_device_out_equals_cpu(device, dtype, name, backends_used):
    fn = CASES[name]
    y = _signal(device, dtype)
    try:
        expected = fn(device, y)
    except AttributeError as exc:  # the CPU function itself has not landed
        pytest.skip(f"dsp has no {exc.name or name}")
    backends_used.clear()
    with device.context():
        got = fn(device, device.put(y))
    assert backends_used, f"{name} reached no kernel"
    assert {b for b, _ in backends_used} == {"gpu"}, f"{name} used {backends_used}"
    expected = expected if isinstance(expected, list) else [expected]
    got = got if isinstance(got, list) else [got]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert device.is_device_array(g), f"{name} returned {type(g)}"
        g = device.get(g)
        assert g.dtype == e.dtype and g.shape == e.shape, (g.dtype, e.dtype, g.shape, e.shape)
        assert_close(g, e, dtype, what=name)
