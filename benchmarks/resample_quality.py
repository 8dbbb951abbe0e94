"""Measure resamplers' passband and stopband end to end with single tones (docs/sampling.md).

``python -m benchmarks.resample_quality`` prints, for 44.1 and 22.05 kHz -> 16 kHz in float64,
the largest ``|gain - 1|`` of a unit tone up to 0.8, 0.9 and 0.91 of the new Nyquist (gain: the
amplitude fitted at the tone's frequency, interior only) and the worst stopband leak (the RMS
of what is left of a unit tone, times sqrt 2, from 1.0 of the new Nyquist up to the old one), for
soxr's qualities (librosa's ``soxr_*`` res_types; soxr is a reference here, never a dependency
of dsp) and each of ours; then the shipped 44.1 kHz chirp loaded at 16 kHz by each filter against
the analytic chirp (:func:`chirp_table`: why ``load_clips``' parity column reads 1e-1).

Examples
--------
>>> from benchmarks.resample_quality import measure
>>> import dsp
>>> def hq(x, a, b):
...     return dsp.resample(x, orig_sr=a, target_sr=b, quality="hq")
>>> row = measure(hq, 22050, 16000, n_stop=8)
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


def chirp_table():
    """Rows ``(name, [peak error in dB per region])`` for benchmarks/data/chirp_44k.wav at 16 kHz.

    The clip is ``0.5 sin(2 pi (50 t + 17950 t^2 / 8))`` (50 Hz - 18 kHz in 4 s, 16-bit with
    dither). Regions by the chirp's frequency: up to 0.8, 0.9 and 0.91 of the new Nyquist (error
    against the analytic chirp), 0.91 - 1.0 (against soxr VHQ: the transition band has no
    single right answer) and from 1.0 (against zero: the stopband), relative to 0.5.
    """
    import librosa

    import dsp

    from . import data

    path = str(data.DATA / "chirp_44k.wav")
    t = np.arange(64000) / 16000
    chirp = 0.5 * np.sin(2 * np.pi * (50 * t + 17950 / 8 * t * t))
    f = 50 + 17950 / 4 * t
    outs = {f"dsp '{q}'": dsp.load(path, sr=16000, res_type=q, dtype=np.float64)[0]
            for q in ("high", "hq", "best")}
    for rt in ("soxr_hq", "soxr_vhq"):
        outs[f"librosa {rt}"] = librosa.load(path, sr=16000, res_type=rt, dtype=np.float64)[0]
    vhq = outs["librosa soxr_vhq"]
    regions = [(f <= 6400) & (t > 0.05), (f <= 7200) & (t > 0.05), (f <= 7280) & (t > 0.05),
               (f > 7280) & (f < 8000), (f >= 8000) & (t < 3.7)]
    refs = [chirp, chirp, chirp, vhq, np.zeros_like(chirp)]
    rows = []
    for name, y in outs.items():
        errs = [float(np.max(np.abs(y - r)[m])) / 0.5 for m, r in zip(regions, refs)]
        rows.append((name, [20 * np.log10(e) if e > 0 else -np.inf for e in errs]))
    return rows


def main():
    import soxr

    import dsp

    methods = [(f"soxr {q}", (lambda q: lambda x, a, b: soxr.resample(x, a, b, quality=q))(q))
               for q in ("HQ", "VHQ", "MQ", "LQ")]
    def ours(q):
        return lambda x, a, b: dsp.resample(x, orig_sr=a, target_sr=b, quality=q)

    methods += [(f"dsp '{q}'", ours(q)) for q in ("fast", "high", "hq", "very_high", "best")]
    for orig in (44100, 22050):
        print(f"\n{orig} -> 16000 Hz, float64")
        print("| method | max abs(gain - 1), 0-0.8 | 0-0.9 | 0-0.91 | stopband from 1.0 |")
        print("|---|---|---|---|---|")
        for name, fn in methods:
            r = measure(fn, orig, 16000)
            cols = [f"{r[k]:.1e}" for k in ("pass_0.8", "pass_0.9", "pass_0.91")]
            print(f"| {name} | " + " | ".join(cols) + f" | {r['stop_db']:.1f} dB |")
    print("\nchirp_44k.wav at 16 kHz: peak error / 0.5 by the chirp's frequency (of the new Nyquist)")
    print("| filter | 0-0.8 | 0-0.9 | 0-0.91 | 0.91-1.0 vs soxr_vhq | from 1.0 |")
    print("|---|---|---|---|---|---|")
    for name, errs in chirp_table():
        print(f"| {name} | " + " | ".join(f"{e:.0f} dB" for e in errs) + " |")


if __name__ == "__main__":
    main()
