"""1-D wavelet operations: wavedec/waverec db4 level 5 of 60 s and of a batch of 1 s signals,
against PyWavelets; on the GPU, of the clip batch against PyWavelets on the host.

Examples
--------
>>> from benchmarks.ops.wavelets import coeff_lengths
>>> coeff_lengths(1000, 2)  # PyWavelets' db4 'symmetric' lengths, coarsest first
[255, 255, 503]
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..registry import GpuPeer, GpuTwin, Impl, Op, dsp_name

WAVELET, LEVEL = "db4", 5
FILTER_LEN = 8  # db4


def coeff_lengths(n: int, level: int, filter_len: int = FILTER_LEN) -> list[int]:
    """PyWavelets' 'symmetric' output lengths, coarsest first: [cA_n, cD_n, ..., cD_1]."""
    from dsp_kernels.shapes import MODES, dwt_len  # the one DWT length rule

    lens = []
    for _ in range(level):
        n = dwt_len(n, filter_len, MODES["symmetric"])
        lens.append(n)
    return [lens[-1]] + lens[::-1]


def _wavedec_gpu() -> GpuTwin:
    def call(f, x, s):
        return f(x, WAVELET, level=s.level)

    def reference(h, s):
        import pywt

        return pywt.wavedec(h, WAVELET, level=s.level)

    def p_pywt(inp, s, dev):
        import pywt

        y = inp["y"]
        return lambda: pywt.wavedec(y, WAVELET, level=s.level)

    return GpuTwin(
        "wavedec", "wavedec db4 level 5 of the batch, float32", call, reference=reference,
        ref_label="pywt.wavedec (float64) of the first clips",
        peers=(GpuPeer("pywt (host)", p_pywt, ("pywt",), note="PyWavelets on the CPU"),))


def _waverec_gpu() -> GpuTwin:
    def call(f, c, s):
        return f(c, WAVELET)

    def prepare(x, dev, s):
        import dsp

        with dev.context():
            return dsp.wavedec(x, WAVELET, level=s.level)

    def prepare_cpu(x, s):
        import dsp

        return dsp.wavedec(x, WAVELET, level=s.level)

    def reference(h, s):
        import pywt

        return pywt.waverec(pywt.wavedec(h, WAVELET, level=s.level), WAVELET)

    def p_pywt(inp, s, dev):
        import pywt

        c = pywt.wavedec(inp["y"], WAVELET, level=s.level)
        return lambda: pywt.waverec(c, WAVELET)

    return GpuTwin(
        "waverec", "waverec db4 of the batch's level-5 coefficients, float32", call,
        prepare=prepare, prepare_cpu=prepare_cpu, reference=reference,
        ref_label="pywt.waverec(pywt.wavedec(.)) (float64) of the first clips",
        peers=(GpuPeer("pywt (host)", p_pywt, ("pywt",), note="PyWavelets on the CPU"),))


def wavelet_ops() -> list[Op]:
    def setup_long(p):
        return {"y": data.music(p.seconds, 22050, np.float64)}

    def setup_batch(p):
        return {"y": data.music(p.batch_seconds, 22050, np.float64, channels=p.batch, seed=3)}

    def coeffs_setup(base):
        # random coefficients of PyWavelets' lengths: the inverse costs the same as for real ones
        def setup(p):
            y = base(p)["y"]
            rng = np.random.default_rng(2)
            shape = y.shape[:-1]
            return {"c": [rng.standard_normal(shape + (m,)) for m in coeff_lengths(y.shape[-1], LEVEL)]}
        return setup

    def make_dec_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.wavedec(y, WAVELET, level=LEVEL)

    def make_dec_pywt(inp):
        import pywt

        y = inp["y"]
        return lambda: pywt.wavedec(y, WAVELET, level=LEVEL)

    def make_rec_ours(inp):
        import dsp

        c = inp["c"]
        return lambda: dsp.waverec(c, WAVELET)

    def make_rec_pywt(inp):
        import pywt

        c = inp["c"]
        return lambda: pywt.waverec(c, WAVELET)

    def ref_dec(inp):
        import pywt

        return pywt.wavedec(inp["y"], WAVELET, level=LEVEL)

    def ref_rec(inp):
        import pywt

        return pywt.waverec(inp["c"], WAVELET)

    def dec(name, title, setup, quick, latency, params, gpu=None):
        return Op(name, "wavedec", title, setup,
                  [Impl("dsp", make_dec_ours, ours=dsp_name("wavedec")),
                   Impl("pywt", make_dec_pywt, requires=("pywt",))],
                  ref_dec, "pywt.wavedec (float64)", quick=quick, latency=latency, params=params,
                  gpu=gpu)

    def rec(name, title, setup, quick, latency, params, gpu=None):
        return Op(name, "waverec", title, setup,
                  [Impl("dsp", make_rec_ours, ours=dsp_name("waverec")),
                   Impl("pywt", make_rec_pywt, requires=("pywt",))],
                  ref_rec, "pywt.waverec (float64)", quick=quick, latency=latency, params=params,
                  gpu=gpu)

    p_long = lambda p: {"seconds": p.seconds, "sr": 22050, "wavelet": WAVELET, "level": LEVEL,
                        "mode": "symmetric", "dtype": "float64"}
    p_batch = lambda p: {"batch": p.batch, "seconds": p.batch_seconds, "sr": 22050,
                         "wavelet": WAVELET, "level": LEVEL, "mode": "symmetric", "dtype": "float64"}
    return [
        dec("wavedec", "wavedec db4 level 5, 60 s @ 22.05 kHz, float64", setup_long, True, True,
            p_long, gpu=_wavedec_gpu()),
        rec("waverec", "waverec db4 level 5, 60 s @ 22.05 kHz, float64", coeffs_setup(setup_long),
            False, True, p_long, gpu=_waverec_gpu()),
        dec("wavedec_batch", "wavedec db4 level 5, batch of 64 x 1 s, float64", setup_batch, False,
            False, p_batch),
        rec("waverec_batch", "waverec db4 level 5, batch of 64 x 1 s, float64",
            coeffs_setup(setup_batch), False, False, p_batch),
    ]
