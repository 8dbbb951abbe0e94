"""Resampling: 44.1 kHz -> 16 kHz of tones on the CPU (librosa's soxr_hq, scipy's resample_poly),
22.05 kHz -> 16 kHz of the clip batch on the GPU (torchaudio, cupyx's resample_poly).

Examples
--------
>>> from benchmarks.ops.resample import resample_op
>>> op = resample_op()
>>> op.name, [i.name for i in op.impls][0], op.gpu.fn
('resample', 'dsp', 'resample')
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..registry import GpuPeer, GpuTwin, Impl, Op, dsp_name, peak_relative_error
from .common import torch_cuda


def _resample_gpu() -> GpuTwin:
    def call(f, x, s):
        return f(x, orig_sr=s.sr, target_sr=16000)

    def p_torchaudio(inp, s, dev):
        import torchaudio.functional as F

        yt = torch_cuda(inp["y"])
        return lambda: F.resample(yt, s.sr, 16000)

    def p_cupyx(inp, s, dev):
        import math

        import cupyx.scipy.signal

        g = math.gcd(s.sr, 16000)
        yd = dev.put(inp["y"])
        return lambda: cupyx.scipy.signal.resample_poly(yd, 16000 // g, s.sr // g, axis=-1)

    return GpuTwin(
        "resample", "resample 22.05 -> 16 kHz of the batch, float32", call,
        ref_label="our CPU path (cpu_vs_gpu)",
        peers=(GpuPeer("torchaudio resample (cuda)", p_torchaudio, ("torch", "torchaudio"),
                       "torch", comparable=False, note="a different filter"),
               GpuPeer("cupyx.scipy.signal.resample_poly", p_cupyx, ("cupy", "cupyx.scipy.signal"),
                       "cupy", comparable=False, note="a different filter")))


def resample_op() -> Op:
    orig, target = 44100, 16000
    freqs, amps = data.RESAMPLE_TONES

    def setup(p):
        return {"y": data.tones(freqs, amps, p.seconds, orig, np.float32), "seconds": p.seconds}

    def make_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.resample(y, orig_sr=orig, target_sr=target)

    def preset(quality):
        def make(inp):
            import dsp

            y = inp["y"]
            return lambda: dsp.resample(y, orig_sr=orig, target_sr=target, quality=quality)
        return make

    def make_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.resample(y, orig_sr=orig, target_sr=target, res_type="soxr_hq")

    def make_poly(inp):
        import scipy.signal

        y = inp["y"]
        return lambda: scipy.signal.resample_poly(y, 160, 441)

    def reference(inp):
        return data.tones(freqs, amps, inp["seconds"], target, np.float64)

    def compare(out, ref):
        # filters differ at the edges by design: judge the interior against the analytic tones
        n = min(out.shape[-1], ref.shape[-1])
        trim = max(n // 50, 1)
        if n <= 2 * trim:
            trim = 0
        return peak_relative_error(out[..., trim:n - trim], ref[..., trim:n - trim])

    return Op(
        "resample", "resample", "resample 44.1 kHz -> 16 kHz, 60 s of tones, float32",
        setup,
        [Impl("dsp", make_ours, ours=dsp_name("resample")),
         Impl("librosa soxr_hq", make_librosa, requires=("librosa", "soxr")),
         # each preset's speed next to its quality (parity column: the analytic tones); docs/sampling.md
         # has the measured passband and stopband of each and of soxr_hq
         Impl("dsp quality='hq'", preset("hq"),
              note="soxr_hq's measured figures or better on each (librosa's soxr_hq maps here)"),
         Impl("dsp quality='fast'", preset("fast")),
         Impl("dsp quality='very_high'", preset("very_high")),
         Impl("dsp quality='best'", preset("best")),
         Impl("scipy resample_poly", make_poly, requires=("scipy",))],
        reference, "the tones sampled analytically at 16 kHz (interior, 2% trimmed each end)",
        compare=compare, quick=True, gpu=_resample_gpu(),
        params=lambda p: {"seconds": p.seconds, "orig_sr": orig, "target_sr": target,
                          "dtype": "float32", "tones_hz": list(freqs)},
    )
