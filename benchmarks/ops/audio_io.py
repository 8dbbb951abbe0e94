"""Audio-in operations: file on disk -> float array at 16 kHz (``dsp.load`` vs ``librosa.load``).

Two operations in the ``load`` family:

* ``load_clips``: every clip shipped in benchmarks/data (22.05 and 44.1 kHz, mono and stereo)
  loaded to 16 kHz mono. Real recordings have no analytic truth: the parity column is a
  cross-check against ``librosa.load(res_type='soxr_vhq')`` in float64 (interiors, 1% trimmed
  per clip), not a quality measure; the resampling quality is judged on ``load_flac``. Its
  largest difference (1.4e-1 with 'high', 4e-2 with 'hq' and with librosa's own soxr_hq) is the
  44.1 kHz chirp (50 Hz - 18 kHz in 4 s) crossing 0.91 - 1.0 of the new Nyquist
  (7.3 - 8 kHz, 1.6 - 1.8 s in): the transition band, where every filter differs by design.
  Against the analytic chirp, in its passband and stopband, each filter is at the file's own
  16-bit noise (docs/sampling.md, "load_clips' parity"; ``python -m benchmarks.resample_quality``
  prints those numbers).
* ``load_flac``: a generated FLAC of tones (10 minutes at 44.1 kHz in the full profile, shorter
  in the others) loaded to 16 kHz; parity against the tones sampled analytically at 16 kHz.

A fair comparison is at equal or better resampling quality: ours runs with
``res_type='soxr_hq'``, librosa's default name, which maps to our 'hq' (passband 0 - 0.91 of the
new Nyquist within 3e-7, stopband >= 131 dB; soxr HQ measures 1.0e-3 and 130.6 dB), and, as a
second row, with our default 'high' (flat to 1e-5 up to 0.9, but only >= 100 dB of stopband:
cheaper, not equal quality). librosa runs with its default (soxr_hq). The FLAC is written once
per length into the temporary directory and reused (children rebuild the same path).
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

from .. import data
from ..registry import Impl, Op, dsp_name, peak_relative_error

TARGET = 16000
FLAC_SR = 44100


def _flac_seconds(p) -> float:
    return 600.0 if p.name == "full" else p.seconds


def _flac_path(seconds: float) -> str:
    """A deterministic FLAC of tones, written on first use (in chunks: constant memory)."""
    import soundfile as sf

    path = os.path.join(tempfile.gettempdir(), f"dsp-bench-tones-{int(seconds * 1000)}ms.flac")
    if not os.path.exists(path):
        tmp = path + f".{os.getpid()}.part"
        n, chunk = int(round(seconds * FLAC_SR)), FLAC_SR * 30
        with sf.SoundFile(tmp, "w", samplerate=FLAC_SR, channels=1, subtype="PCM_24", format="FLAC") as f:
            for start in range(0, n, chunk):
                f.write(_tones(np.arange(start, min(n, start + chunk)) / FLAC_SR))
        os.replace(tmp, path)
    return path


def _tones(t):
    freqs, amps = data.RESAMPLE_TONES
    y = np.zeros_like(t)
    for f, a in zip(freqs, amps):
        y += a * np.sin(2 * np.pi * f * t + 0.1 * f / 1000.0)
    return y


def _impls(paths_key):
    def ours(res_type):
        def make(inp):
            import dsp

            paths = inp[paths_key]
            return lambda: [dsp.load(p, sr=TARGET, res_type=res_type)[0] for p in paths]
        return make

    def make_librosa(inp):
        import librosa

        paths = inp[paths_key]
        return lambda: [librosa.load(p, sr=TARGET)[0] for p in paths]

    return [
        Impl("dsp res_type='soxr_hq'", ours("soxr_hq"), ours=dsp_name("load"),
             note="librosa's default name, mapped to our 'hq': at least soxr HQ's passband and stopband"),
        Impl("dsp (default 'high')", ours("high"),
             note="our default: flatter passband, 100 dB stopband (below soxr HQ's 131 dB)"),
        Impl("librosa.load (soxr_hq)", make_librosa, requires=("librosa", "soxr")),
    ]


def load_ops() -> list[Op]:
    def setup_clips(p):
        return {"paths": [str(data.DATA / name) for name in data.CLIPS.values()]}

    def setup_flac(p):
        return {"flac": [_flac_path(_flac_seconds(p))], "seconds": _flac_seconds(p)}

    def reference(inp):
        n = int(np.ceil(round(inp["seconds"] * FLAC_SR) * TARGET / FLAC_SR))
        return _tones(np.arange(n) / TARGET)

    def compare(out, ref):
        out = np.asarray(out)
        trim = max(ref.shape[-1] // 50, 1)
        return peak_relative_error(out[..., trim:-trim], ref[..., trim:-trim])

    def reference_clips(inp):
        import librosa

        return [librosa.load(p, sr=TARGET, res_type="soxr_vhq", dtype=np.float64)[0] for p in inp["paths"]]

    def compare_clips(out, refs):
        out, pieces, pos = np.asarray(out), [], 0
        for r in refs:
            trim = max(r.shape[-1] // 100, 1)
            pieces.append((out[pos + trim:pos + r.shape[-1] - trim], r[trim:-trim]))
            pos += r.shape[-1]
        assert pos == out.shape[-1], (pos, out.shape)
        return peak_relative_error(np.concatenate([a for a, _ in pieces]), np.concatenate([b for _, b in pieces]))

    clips = Op("load_clips", "load",
               "load + resample to 16 kHz mono: the 5 shipped clips (WAV), ours with res_type='soxr_hq' "
               "(= 'hq', equal or better quality than librosa's default)",
               setup_clips, _impls("paths"), reference_clips,
               "cross-check: librosa.load(res_type='soxr_vhq') in float64 (not a truth: the chirp's "
               "transition band differs by design; see load_flac and docs/sampling.md)",
               compare=compare_clips, quick=True,
               params=lambda p: {"clips": list(data.CLIPS.values()), "target_sr": TARGET})
    flac = Op("load_flac", "load",
              "load + resample to 16 kHz: a generated FLAC of tones at 44.1 kHz (10 min in full), ours with "
              "res_type='soxr_hq' (= 'hq')",
              setup_flac, _impls("flac"), reference,
              "the tones sampled analytically at 16 kHz (interior, 2% trimmed each end)",
              compare=lambda out, ref: compare(out, ref), quick=False,
              params=lambda p: {"seconds": _flac_seconds(p), "orig_sr": FLAC_SR, "target_sr": TARGET,
                                "subtype": "PCM_24"})
    return [clips, flac]
