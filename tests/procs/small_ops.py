"""Child script: a few public functions on small inputs, saved to an .npz (argv[1]).

Used by tests/test_numba_robustness.py under NUMBA_DISABLE_JIT=1 and with damaged caches.
Prints every warning's message on its own line, prefixed with 'WARNING:'.
"""
import sys
import warnings

import numpy as np

import dsp


def compute(only=None):
    rng = np.random.default_rng(0)
    y = rng.standard_normal(2048).astype(np.float32)
    out = {}
    if only in (None, "db"):
        out["power_to_db"] = dsp.power_to_db(np.abs(y) + 0.1)
    if only is None:
        out["stft"] = dsp.stft(y, n_fft=256, hop_length=64)
        out["istft"] = dsp.istft(out["stft"], hop_length=64, n_fft=256, length=y.size)
        out["melspectrogram"] = dsp.melspectrogram(y=y, sr=8000, n_fft=256, hop_length=128, n_mels=16)
        out["mfcc"] = dsp.mfcc(y=y, sr=8000, n_fft=256, hop_length=128, n_mels=16, n_mfcc=8)
        out["rfft"] = dsp.rfft(y[:1000])
        out["dct"] = dsp.dct(y[:100].astype(np.float64))
        out["wavedec"] = np.concatenate(dsp.wavedec(y, "db2", level=3))
        out["resample"] = dsp.resample(y, orig_sr=8000, target_sr=6000)
    return out


if __name__ == "__main__":
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = compute(sys.argv[2] if len(sys.argv) > 2 else None)
    for w in caught:
        if "dsp:" in str(w.message):
            print("WARNING:", str(w.message).replace("\n", " "))
    np.savez(sys.argv[1], **results)
    print("OK", len(results))
