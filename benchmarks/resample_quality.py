"""Measure resamplers' passband and stopband end to end with single tones (docs/sampling.md).

``python -m benchmarks.resample_quality`` prints, for 44.1 and 22.05 kHz -> 16 kHz in float64,
the largest ``|gain - 1|`` of a unit tone up to 0.8, 0.9 and 0.91 of the new Nyquist (gain: the
amplitude fitted at the tone's frequency, interior only) and the worst stopband leak (the RMS
of what is left of a unit tone, times sqrt 2, from 1.0 of the new Nyquist up to the old one), for
soxr's qualities (librosa's ``soxr_*`` res_types; soxr is a reference here, never a dependency
of dsp) and each of ours.

Examples
--------
>>> from benchmarks.resample_quality import measure
>>> import dsp
>>> row = measure(lambda x, a, b: dsp.resample(x, orig_sr=a, target_sr=b, quality="hq"), 22050, 16000, n_stop=8)
>>> bool(row["pass_0.91"] < 1e-6 and row["stop_db"] < -131)
True
"""
from __future__ import annotations

import numpy as np


def _leak_and_gain(fn, orig, target, f, secs):
    n = int(orig * secs)
    y = fn(np.cos(2 * np.pi * f * np.arange(n) / orig + 0.3), orig, target)
    t = np.arange(y.shape[-1]) / target
    inner = slice(y.shape[-1] // 10, -(y.shape[-1] // 10))
    basis = np.stack([np.cos(2 * np.pi * f * t[inner]), np.sin(2 * np.pi * f * t[inner])], 1)
    coef = np.linalg.lstsq(basis, y[inner], rcond=None)[0]
    return float(np.hypot(*coef)), float(np.sqrt(2 * np.mean(y[inner] ** 2)))


def measure(fn, orig, target, *, secs=1.0, n_pass=60, n_stop=176):
    """``{'pass_0.8', 'pass_0.9', 'pass_0.91': max |gain - 1|, 'stop_db': worst leak in dB}``."""
    nyq = min(orig, target) / 2
    fp = np.concatenate([np.linspace(0.01, 0.8, n_pass // 2), np.linspace(0.8, 0.91, n_pass // 2)])
    gains = np.array([_leak_and_gain(fn, orig, target, r * nyq, secs)[0] for r in fp])
    top = orig / 2 / nyq * 0.999
    fs = np.concatenate([np.linspace(1.0, 1.05, n_stop // 7), np.linspace(1.05, top, n_stop - n_stop // 7)])
    leak = max(_leak_and_gain(fn, orig, target, r * nyq, secs)[1] for r in fs)
    row = {f"pass_{lim}": float(np.max(np.abs(gains[fp <= lim + 1e-9] - 1))) for lim in (0.8, 0.9, 0.91)}
    row["stop_db"] = 20 * np.log10(max(leak, 1e-300))
    return row


def main():
    import soxr

    import dsp

    methods = [(f"soxr {q}", (lambda q: lambda x, a, b: soxr.resample(x, a, b, quality=q))(q))
               for q in ("HQ", "VHQ", "MQ", "LQ")]
    methods += [(f"dsp '{q}'", (lambda q: lambda x, a, b: dsp.resample(x, orig_sr=a, target_sr=b, quality=q))(q))
                for q in ("fast", "high", "hq", "very_high", "best")]
    for orig in (44100, 22050):
        print(f"\n{orig} -> 16000 Hz, float64")
        print("| method | max abs(gain - 1), 0-0.8 | 0-0.9 | 0-0.91 | stopband from 1.0 |")
        print("|---|---|---|---|---|")
        for name, fn in methods:
            r = measure(fn, orig, 16000)
            print(f"| {name} | {r['pass_0.8']:.1e} | {r['pass_0.9']:.1e} | {r['pass_0.91']:.1e} | {r['stop_db']:.1f} dB |")


if __name__ == "__main__":
    main()
