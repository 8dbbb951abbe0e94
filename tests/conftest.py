"""Shared fixtures: real recordings shipped in tests/data, and dtype parametrisation."""
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
RECORDINGS = {
    "speech": "speech_en.wav",  # 22.05 kHz mono speech
    "speech16k": "speech_en_16k.wav",  # 16 kHz mono speech
    "chord": "chord_22k.wav",  # 22.05 kHz plucked chord
    "chirp": "chirp_44k.wav",  # 44.1 kHz, 50 Hz - 18 kHz
    "stereo": "stereo_22k.wav",  # 22.05 kHz stereo
}


def load_recording(name: str, dtype=np.float32):
    """Return ``(y, sr)`` for a recording in tests/data; stereo comes as shape (2, n)."""
    import soundfile as sf

    y, sr = sf.read(DATA / RECORDINGS[name], dtype="float64", always_2d=True)
    y = y.T if y.shape[1] > 1 else y[:, 0]
    return np.ascontiguousarray(y, dtype=dtype), sr


@pytest.fixture(params=[np.float32, np.float64], ids=["f32", "f64"])
def dtype(request):
    return np.dtype(request.param)


@pytest.fixture(scope="session")
def recording():
    return load_recording
