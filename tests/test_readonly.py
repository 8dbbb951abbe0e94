"""Read-only inputs reach the same compiled kernels as writable ones (issue 15).

Numba types a read-only array apart from a writable one, so a memory-mapped file or an array
handed over by another library used to compile every kernel a second time (istft: 35 s, which
looked like a hang). ``dsp._validation.kernel_ready`` normalises the array at the dsp -> kernel
boundary. For every public function that takes arrays: call it with writable input, then with the
same input read-only; no kernel dispatcher may gain a signature, and the results are equal.
"""
import sys

import numba
import numpy as np
import pytest

import dsp
import pyramids

_rng = np.random.default_rng(0)
Y = _rng.standard_normal(2048).astype(np.float32)
Y2 = _rng.standard_normal((2, 1024))
S = dsp.stft(Y, n_fft=256, hop_length=64)
CA, CD = dsp.dwt(Y, "db2")
SWT = dsp.swt(Y[:1024], "db2", level=2)
PCM = (Y * 1000).astype(np.int16)
IMG = _rng.random((32, 32))


def _ro(a):
    if isinstance(a, (list, tuple)):
        return type(a)(_ro(v) for v in a)
    if isinstance(a, np.ndarray):
        a = a.copy()
        a.flags.writeable = False
    return a


# name -> (function, array arguments, other keyword arguments)
CALLS = {
    "sinc_interpolate": (dsp.sinc_interpolate, (Y, 100.0, np.array([0.5, 1.25])), {}),
    "quantize": (dsp.quantize, (Y, 0.1), {}),
    "quantize_bits": (dsp.quantize_bits, (Y, 8), {}),
    "quantization_error": (dsp.quantization_error, (Y, 0.1), {}),
    "sqnr": (dsp.sqnr, (Y, Y + 0.01), {}),
    "to_pcm": (dsp.to_pcm, (np.clip(Y, -1, 0.99),), {}),
    "from_pcm": (dsp.from_pcm, (PCM,), {}),
    "dft": (dsp.dft, (Y[:64],), {}),
    "idft": (dsp.idft, (S[:, 0],), {}),
    "fft": (dsp.fft, (Y,), {}),
    "ifft": (dsp.ifft, (S[:, 0].copy(),), {}),
    "rfft": (dsp.rfft, (Y2,), {}),
    "irfft": (dsp.irfft, (np.ascontiguousarray(S.T),), {}),
    "resample rational": (dsp.resample, (Y,), dict(orig_sr=8000, target_sr=16000)),
    "resample any ratio": (dsp.resample, (Y,), dict(orig_sr=8000.5, target_sr=16000)),
    "resample hq cascade": (dsp.resample, (Y,), dict(orig_sr=44100, target_sr=16000, quality="hq")),
    "stft": (dsp.stft, (Y,), dict(n_fft=256, hop_length=64)),
    "istft frame-major": (dsp.istft, (S,), dict(hop_length=64)),
    "istft bin-major": (dsp.istft, (np.ascontiguousarray(S),), dict(hop_length=64)),
    "magphase": (dsp.magphase, (S,), {}),
    "power_to_db": (dsp.power_to_db, (np.abs(S) ** 2,), {}),
    "amplitude_to_db": (dsp.amplitude_to_db, (np.abs(S),), {}),
    "db_to_power": (dsp.db_to_power, (Y,), {}),
    "db_to_amplitude": (dsp.db_to_amplitude, (Y,), {}),
    "melspectrogram y": (lambda y: dsp.melspectrogram(y=y, sr=8000, n_fft=256, hop_length=64), (Y,), {}),
    "melspectrogram S": (lambda s: dsp.melspectrogram(S=s, sr=8000, n_fft=256), (np.abs(S) ** 2,), {}),
    "mfcc": (lambda y: dsp.mfcc(y=y, sr=8000, n_fft=256, hop_length=64), (Y,), {}),
    "dct": (dsp.dct, (Y2,), {}),
    "idct": (dsp.idct, (Y2,), {}),
    "dwt": (dsp.dwt, (Y, "db2"), {}),
    "idwt": (dsp.idwt, (CA, CD, "db2"), {}),
    "wavedec": (dsp.wavedec, (Y, "db2"), dict(level=3)),
    "waverec": (dsp.waverec, (dsp.wavedec(Y, "db2", level=3), "db2"), {}),
    "swt": (dsp.swt, (Y[:1024], "db2"), dict(level=2)),
    "iswt": (dsp.iswt, (SWT, "db2"), {}),
    "AudioPyramid.mel": (lambda y: pyramids.AudioPyramid.mel(y, 8000, n_fft=256, hop_length=64), (Y,), {}),
    "ImagePyramid.gaussian": (lambda im: pyramids.ImagePyramid.gaussian(im, 3), (IMG,), {}),
}


def _dispatchers():
    out = []
    for name, mod in list(sys.modules.items()):
        if name.startswith("dsp_kernels.") and mod is not None:
            for obj in vars(mod).values():
                if isinstance(obj, numba.core.dispatcher.Dispatcher):
                    out.append(obj)
    return out


def _signatures():
    return {id(d): (d, len(d.signatures)) for d in _dispatchers()}


def _equal(a, b):
    if isinstance(a, (list, tuple)):
        return all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, pyramids.Pyramid):
        return len(a) == len(b) and all(np.array_equal(a[i], b[i]) for i in range(len(a)))
    return np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_read_only_input_uses_the_writable_kernels(name):
    fn, args, kw = CALLS[name]
    ref = fn(*args, **kw)
    before = _signatures()
    out = fn(*_ro(args), **kw)
    after = _signatures()
    grown = [d.py_func.__qualname__ for key, (d, n) in after.items()
             if n > before.get(key, (d, 0))[1]]
    assert not grown, f"{name}: read-only input compiled {grown} again"
    assert _equal(out, ref)
