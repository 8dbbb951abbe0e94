"""A warm call compiles nothing.

Each public operation, called a second time with arguments of the same types, must not enter
Numba's compiler. A dispatch that depends on a value rather than a type (``numba.literally`` on
an argument, a Python literal that is typed ``Literal[int]`` on one path and ``int64`` on
another) goes through the compile path on every call: tens of milliseconds where microseconds
are due, which no correctness test sees (it happened to ``power_to_db`` on 2026-12-01: 33 ms a
call instead of 0.2 ms). Numba's event API reports every compilation that starts, so the check
is exact, not a timing.
"""
from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from numba.core import event

import dsp


class _Compilations(event.Listener):
    def __init__(self):
        self.started = []

    def on_start(self, ev):
        self.started.append(f"{ev.data.get('dispatcher')} {ev.data.get('args')}")

    def on_end(self, ev):
        pass


def _wav(y):
    buf = io.BytesIO()
    sf.write(buf, np.stack([y, y[::-1]], axis=1), 22050, format="WAV", subtype="PCM_16")
    buf.seek(0)
    return buf


CASES = {
    "stft": lambda y: dsp.stft(y, n_fft=512, hop_length=128),
    "istft": lambda y: dsp.istft(dsp.stft(y, n_fft=512, hop_length=128), hop_length=128),
    "istft uncentred": lambda y: dsp.istft(dsp.stft(y, n_fft=512, hop_length=128, center=False),
                                           hop_length=128, center=False),
    "melspectrogram": lambda y: dsp.melspectrogram(y=y, sr=22050, n_fft=512, hop_length=128),
    "mfcc": lambda y: dsp.mfcc(y=y, sr=22050, n_fft=512, hop_length=128),
    "power_to_db": lambda y: dsp.power_to_db(np.abs(y) + 0.1),
    "amplitude_to_db": lambda y: dsp.amplitude_to_db(np.abs(dsp.stft(y, n_fft=512))),
    "db_to_power": lambda y: dsp.db_to_power(y),
    "rfft": lambda y: dsp.irfft(dsp.rfft(y.reshape(4, -1))),
    "resample": lambda y: dsp.resample(y, orig_sr=22050, target_sr=16000),
    "resample hq": lambda y: dsp.resample(y, orig_sr=44100, target_sr=16000, res_type="soxr_hq"),
    "wavedec": lambda y: dsp.waverec(dsp.wavedec(y, "db4", level=3), "db4"),
    "onset_strength": lambda y: dsp.onset.onset_strength(y=y, sr=22050, n_fft=512, hop_length=128),
    "load": lambda y: dsp.load(_wav(y), sr=16000, dtype=y.dtype),
    "resample arbitrary": lambda y: dsp.resample(y, orig_sr=22050, target_sr=16001.5),
    "resample long 2:1": lambda y: dsp.resample(np.resize(y, 70_000), orig_sr=44100, target_sr=22050),
    "spectral_centroid": lambda y: dsp.feature.spectral_centroid(y=y, sr=22050),
    "spectral_contrast": lambda y: dsp.feature.spectral_contrast(y=y, sr=22050),
    "chroma_stft": lambda y: dsp.feature.chroma_stft(y=y, sr=22050),
    "cqt": lambda y: dsp.cqt(y, sr=22050),
    "pcen": lambda y: dsp.pcen(np.abs(dsp.stft(y, n_fft=512))),
    "beat_track": lambda y: dsp.beat.beat_track(y=y, sr=22050),
    "dwt2": lambda y: dsp.idwt2(dsp.dwt2(y.reshape(64, 128), "db2"), "db2"),
    "cwt": lambda y: dsp.cwt(y[:2048], [1, 2, 4], "morl"),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(CASES))
def test_second_call_compiles_nothing(name, dtype):
    y = (0.5 * np.random.default_rng(0).standard_normal(8192)).astype(dtype)
    call = CASES[name]
    call(y)  # compiles, or loads from the kernel cache
    seen = _Compilations()
    with event.install_listener("numba:compile", seen):
        call(y)
    assert seen.started == [], f"{name} ({np.dtype(dtype)}) compiled again when warm: {seen.started}"
