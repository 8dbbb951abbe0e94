"""Benchmark operations of issue 20: wavedec2/waverec2 of one large float32 image and of a batch
of small ones (db4, level 4), cwt (morl, 128 scales, 60 s at 8 kHz, method 'fft') and a full
WaveletPacket decomposition to level 6 of 60 s, against PyWavelets; and on the GPU (``make
gpu-check``) dwt2 (:func:`dwt2_op`, GPU-only) and wavedec2 of a batch of images and cwt of the
batch of clips (the twins of wavedec2 and cwt). Registered in :func:`benchmarks.ops.catalogue`."""
from __future__ import annotations

import numpy as np

from ..registry import GpuPeer, GpuTwin, Impl, Op, dsp_name

WAVELET, LEVEL = "db4", 4


def _flat(x) -> np.ndarray:
    """Every array of a wavedec2 structure (or an image), flattened and concatenated."""
    if isinstance(x, (list, tuple)):
        return np.concatenate([_flat(v) for v in x]) if len(x) else np.zeros(0)
    return np.asarray(x).ravel()


def wavelet2d_ops():
    def side(p):
        return 2048 if p.name == "full" else max(128, p.image)  # db4 level 4 needs 128

    def batch(p):
        return (64, 256) if p.name == "full" else (max(2, p.batch), max(128, min(256, p.image)))

    def setup_image(p):
        n = side(p)
        return {"x": np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)}

    def setup_batch(p):
        b, n = batch(p)
        return {"x": np.random.default_rng(1).standard_normal((b, n, n)).astype(np.float32)}

    def with_coeffs(base):
        def setup(p):
            import pywt

            inp = base(p)
            inp["c"] = pywt.wavedec2(inp["x"], WAVELET, level=LEVEL)
            return inp
        return setup

    def dec_ours(inp):
        import dsp

        x = inp["x"]
        return lambda: dsp.wavedec2(x, WAVELET, level=LEVEL)

    def dec_pywt(inp):
        import pywt

        x = inp["x"]
        return lambda: pywt.wavedec2(x, WAVELET, level=LEVEL)

    def rec_ours(inp):
        import dsp

        c = inp["c"]
        return lambda: dsp.waverec2(c, WAVELET)

    def rec_pywt(inp):
        import pywt

        c = inp["c"]
        return lambda: pywt.waverec2(c, WAVELET)

    def ref_dec(inp):
        import pywt

        return pywt.wavedec2(inp["x"].astype(np.float64), WAVELET, level=LEVEL)

    def ref_rec(inp):
        import pywt

        return pywt.waverec2([np.asarray(inp["c"][0], np.float64)]
                             + [tuple(np.asarray(b, np.float64) for b in d) for d in inp["c"][1:]], WAVELET)

    def op(name, family, title, setup, ours, peer, ref, params, gpu=None):
        return Op(name, family, title, setup,
                  [Impl("dsp", ours, ours=dsp_name(family), view=_flat),
                   Impl("pywt", peer, requires=("pywt",), view=_flat)],
                  # the reference flattened as the implementations' views are (a wavedec2 result
                  # is a list of differently shaped bands: to_numpy cannot concatenate it)
                  lambda inp: _flat(ref(inp)), f"pywt.{family} (float64)", params=params, latency=False,
                  gpu=gpu)

    p_img = lambda p: {"image": f"{side(p)}x{side(p)}", "wavelet": WAVELET, "level": LEVEL, "dtype": "float32"}
    p_bat = lambda p: {"batch": batch(p)[0], "image": f"{batch(p)[1]}x{batch(p)[1]}", "wavelet": WAVELET,
                       "level": LEVEL, "dtype": "float32"}
    def setup_audio(p):
        n = int(8000 * p.seconds)
        return {"y": np.random.default_rng(2).standard_normal(n)}

    scales = np.geomspace(1, 256, 128)

    def cwt_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.cwt(y, scales, "morl", method="fft")[0]

    def cwt_pywt(inp):
        import pywt

        y = inp["y"]
        return lambda: pywt.cwt(y, scales, "morl", method="fft")[0]

    def wp_leaves(mod):
        def make(inp):
            y = inp["y"]

            def run():
                wp = mod().WaveletPacket(y, "db4", "symmetric", maxlevel=6)
                return [n.data for n in wp.get_level(6, "natural")]
            return run
        return make

    def _pywt():
        import pywt

        return pywt

    def _ours():
        import dsp

        return dsp

    p_cwt = lambda p: {"seconds": p.seconds, "sr": 8000, "scales": 128, "wavelet": "morl", "method": "fft"}
    p_wp = lambda p: {"seconds": p.seconds, "sr": 8000, "wavelet": "db4", "level": 6}
    extra = [
        Op("cwt", "cwt", "cwt morl, 128 scales, 60 s @ 8 kHz, method 'fft', float64", setup_audio,
           [Impl("dsp", cwt_ours, ours=dsp_name("cwt")), Impl("pywt", cwt_pywt, requires=("pywt",))],
           lambda inp: cwt_pywt(inp)(), "pywt.cwt (float64)", params=p_cwt, latency=False,
           gpu=_cwt_twin()),
        Op("wavelet_packet", "wavelet_packet", "WaveletPacket db4, full decomposition to level 6, 60 s @ 8 kHz",
           setup_audio, [Impl("dsp", wp_leaves(_ours), ours=dsp_name("WaveletPacket"), view=_flat),
                         Impl("pywt", wp_leaves(_pywt), requires=("pywt",), view=_flat)],
           lambda inp: wp_leaves(_pywt)(inp)(), "pywt.WaveletPacket (float64)", params=p_wp, latency=False),
    ]
    return extra + [
        op("wavedec2", "wavedec2", "wavedec2 db4 level 4, one 2048x2048 float32 image", setup_image,
           dec_ours, dec_pywt, ref_dec, p_img, gpu=_wavedec2_twin()),
        op("waverec2", "waverec2", "waverec2 db4 level 4, one 2048x2048 float32 image",
           with_coeffs(setup_image), rec_ours, rec_pywt, ref_rec, p_img),
        op("wavedec2_batch", "wavedec2", "wavedec2 db4 level 4, batch of 64 256x256 float32 images",
           setup_batch, dec_ours, dec_pywt, ref_dec, p_bat),
        op("waverec2_batch", "waverec2", "waverec2 db4 level 4, batch of 64 256x256 float32 images",
           with_coeffs(setup_batch), rec_ours, rec_pywt, ref_rec, p_bat),
    ]


def dwt2_op() -> Op:
    """dwt2 db4 of a batch of images on the GPU (no CPU benchmark: wavedec2 covers the CPU)."""

    def call(f, x, s):
        return f(x, "db4")

    def reference(h, s):
        import pywt

        cA, (cH, cV, cD) = pywt.dwt2(h, "db4")
        return [cA, cH, cV, cD]

    def p_pywt(inp, s, dev):
        import pywt

        x = inp["y"]
        return lambda: pywt.dwt2(x, "db4")

    return Op("dwt2", "dwt2", "dwt2", lambda p: {}, [], gpu=GpuTwin(
        "dwt2", "dwt2 db4 of 256 512x512 images, float32", call, images=True, reference=reference,
        ref_label="pywt.dwt2 (float64) of the first images",
        peers=(GpuPeer("pywt (host)", p_pywt, ("pywt",), note="PyWavelets on the CPU"),)))


def _wavedec2_level(s) -> int:
    return LEVEL if s.side >= 128 else 1  # the simulator's 16x16 images hold one db4 level


def _wavedec2_twin() -> GpuTwin:
    """wavedec2 db4 of the batch of images on the GPU (both axes: the middle one through the n-D
    kernel, the last through the row kernel), against PyWavelets on the host."""

    def call(f, x, s):
        return f(x, WAVELET, level=_wavedec2_level(s))

    def reference(h, s):
        import pywt

        return pywt.wavedec2(h, WAVELET, level=_wavedec2_level(s))

    def p_pywt(inp, s, dev):
        import pywt

        x = inp["y"]
        return lambda: pywt.wavedec2(x, WAVELET, level=_wavedec2_level(s))

    return GpuTwin("wavedec2", f"wavedec2 {WAVELET} level {LEVEL} of 256 512x512 images, float32", call,
                   images=True, reference=reference, ref_label="pywt.wavedec2 (float64) of the first images",
                   peers=(GpuPeer("pywt (host)", p_pywt, ("pywt",), note="PyWavelets on the CPU"),))


def _cwt_setup(s):
    """(scales, precision, samples): 16 scales from 1 to 128 on whole clips on the GPU; under the
    simulator, which runs every CUDA thread as Python, two small scales, a 256-point wavelet and
    the first 128 samples (one 256-point FFT per row: about a second per call)."""
    if s.name == "simulated":
        return np.array([1.0, 2.0]), 8, 128
    return np.geomspace(1, 128, 16), 12, None


def _cwt_twin() -> GpuTwin:
    """cwt morl (method 'fft': cuFFT plus our kernels) of the batch of clips on the GPU. Results are
    viewed clips first, so that the first rows are the first clips. No host peer: PyWavelets takes
    minutes on this batch; its float64 result on the first clips is the reference."""

    def call(f, x, s):
        scales, precision, samples = _cwt_setup(s)
        return f(x[:, :samples], scales, "morl", method="fft", precision=precision)[0].swapaxes(0, 1)

    def reference(h, s):
        import pywt

        scales, precision, samples = _cwt_setup(s)
        return pywt.cwt(h[:, :samples], scales, "morl", method="fft", precision=precision)[0].swapaxes(0, 1)

    return GpuTwin("cwt", "cwt morl, 16 scales from 1 to 128, method 'fft', of 256 ten-second clips, float32",
                   call, reference=reference, ref_label="pywt.cwt (float64) of the first clips")
