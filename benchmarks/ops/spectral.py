"""Spectral operations: stft (music and the 16 kHz speech front end), istft, rfft of a batch and of
one long signal, cqt and chroma_cqt; against librosa, torch, scipy.fft and numpy.fft.

Examples
--------
>>> from benchmarks.ops import spectral
>>> [op.name for op in spectral.stft_ops()], spectral.stft_ops()[0].gpu.fn
(['stft', 'stft_speech'], 'stft')
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..registry import GpuPeer, GpuTwin, Impl, Op, dsp_name
from .common import (
    framed_windowed, music_setup, speech16k_setup, torch_cuda, torch_stft, torch_tensor,
    torch_window,
)

_CUPYX = ("cupy", "cupyx.scipy.signal")


# --------------------------------------------------------------------------------------------
# stft


def _stft_gpu() -> GpuTwin:
    def call(f, x, s):
        return f(x, n_fft=s.n_fft, hop_length=s.hop)

    def reference(h, s):
        import librosa

        return librosa.stft(h, n_fft=s.n_fft, hop_length=s.hop)

    def p_torch(inp, s, dev):
        yt = torch_cuda(inp["y"])
        w = torch_window(s.n_fft, np.float32, "cuda")
        return lambda: torch_stft(yt, s.n_fft, s.hop, w)

    def p_cupyx(inp, s, dev):
        import cupyx.scipy.signal

        yd = dev.put(inp["y"])
        return lambda: cupyx.scipy.signal.stft(yd, fs=s.sr, window="hann", nperseg=s.n_fft,
                                               noverlap=s.n_fft - s.hop, axis=-1)

    return GpuTwin(
        "stft", "stft of the batch, n_fft 2048, hop 512, float32", call, reference=reference,
        ref_label="librosa.stft (float64) of the first clips",
        peers=(GpuPeer("torch.stft (cuda)", p_torch, ("torch",), "torch"),
               GpuPeer("cupyx.scipy.signal.stft", p_cupyx, _CUPYX, "cupy", comparable=False,
                       note="scipy's scaling and padding, not librosa's")))


def _stft_op(name, title, *, sr, n_fft, hop, setup, quick, floor, latency=True, gpu=None):
    def make_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.stft(y, n_fft=n_fft, hop_length=hop)

    def make_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.stft(y, n_fft=n_fft, hop_length=hop)

    def make_torch(inp):
        yt = torch_tensor(inp["y"])
        w = torch_window(n_fft, inp["y"].dtype)
        return lambda: torch_stft(yt, n_fft, hop, w)

    def make_floor(inp):
        import scipy.fft

        frames = framed_windowed(inp["y"], n_fft, hop)
        return lambda: scipy.fft.rfft(frames, axis=-1, workers=2)

    def reference(inp):
        import librosa

        return librosa.stft(inp["y"].astype(np.float64), n_fft=n_fft, hop_length=hop)

    impls = [
        Impl("dsp", make_ours, ours=dsp_name("stft")),
        Impl("librosa", make_librosa, requires=("librosa",)),
        Impl("torch", make_torch, requires=("torch",), note="torch.stft, CPU, pad_mode constant"),
    ]
    if floor:
        impls.append(Impl("scipy.fft floor", make_floor, requires=("scipy",), comparable=False,
                          note="scipy.fft.rfft(workers=2) on pre-framed, windowed data: the FFT-only floor"))
    return Op(
        name, "stft", title, setup, impls, reference, "librosa.stft (float64)", quick=quick,
        latency=latency, gpu=gpu,
        params=lambda p: {"seconds": p.seconds, "sr": sr, "n_fft": n_fft, "hop_length": hop,
                          "dtype": "float32"},
    )


def stft_ops() -> list[Op]:
    return [
        _stft_op("stft", "stft, 60 s @ 22.05 kHz, n_fft 2048, hop 512, float32", sr=22050,
                 n_fft=2048, hop=512, setup=music_setup, quick=True, floor=True, gpu=_stft_gpu()),
        _stft_op("stft_speech", "speech front end: stft, 60 s of speech @ 16 kHz, n_fft 400, hop 160",
                 sr=16000, n_fft=400, hop=160, setup=speech16k_setup, quick=False, floor=False,
                 latency=False),
    ]


# --------------------------------------------------------------------------------------------
# istft


def _istft_gpu() -> GpuTwin:
    def call(f, S, s):
        return f(S, hop_length=s.hop, n_fft=s.n_fft, length=int(round(s.seconds * s.sr)))

    def prepare(x, dev, s):  # istft's input: our spectrogram, made on the device
        import dsp

        with dev.context():
            return dsp.stft(x, n_fft=s.n_fft, hop_length=s.hop)

    def prepare_cpu(x, s):
        import dsp

        return dsp.stft(x, n_fft=s.n_fft, hop_length=s.hop)

    def reference(h, s):  # a round trip reconstructs the signal
        return h

    def p_torch(inp, s, dev):
        import torch

        yt = torch_cuda(inp["y"])
        w = torch_window(s.n_fft, np.float32, "cuda")
        S = torch_stft(yt, s.n_fft, s.hop, w)
        n = yt.shape[-1]
        return lambda: torch.istft(S, s.n_fft, hop_length=s.hop, window=w, center=True, length=n)

    def p_cupyx(inp, s, dev):
        import cupyx.scipy.signal

        yd = dev.put(inp["y"])
        _, _, Z = cupyx.scipy.signal.stft(yd, fs=s.sr, window="hann", nperseg=s.n_fft,
                                          noverlap=s.n_fft - s.hop, axis=-1)
        return lambda: cupyx.scipy.signal.istft(Z, fs=s.sr, window="hann", nperseg=s.n_fft,
                                                noverlap=s.n_fft - s.hop)

    return GpuTwin(
        "istft", "istft of the batch's spectrogram, float32", call, prepare=prepare,
        prepare_cpu=prepare_cpu, reference=reference,
        ref_label="the signal itself (round trip through our stft, first clips)",
        peers=(GpuPeer("torch.istft (cuda)", p_torch, ("torch",), "torch"),
               GpuPeer("cupyx.scipy.signal.istft", p_cupyx, _CUPYX, "cupy", comparable=False,
                       note="scipy's scaling and padding")))


def istft_op() -> Op:
    n_fft, hop = 2048, 512

    def setup(p):
        y = data.music(p.seconds, 22050, np.float32)
        return {"S": data.numpy_stft(y, n_fft, hop), "n": y.size}

    def make_ours(inp):
        import dsp

        S, n = inp["S"], inp["n"]
        return lambda: dsp.istft(S, hop_length=hop, length=n)

    def make_librosa(inp):
        import librosa

        S, n = inp["S"], inp["n"]
        return lambda: librosa.istft(S, hop_length=hop, length=n)

    def make_torch(inp):
        import torch

        St = torch_tensor(inp["S"])
        w = torch_window(n_fft, np.float32)
        n = inp["n"]
        return lambda: torch.istft(St, n_fft, hop_length=hop, window=w, center=True, length=n)

    def reference(inp):
        import librosa

        return librosa.istft(inp["S"].astype(np.complex128), hop_length=hop, length=inp["n"])

    return Op(
        "istft", "istft", "inverse STFT, 60 s @ 22.05 kHz, n_fft 2048, hop 512, complex64",
        setup,
        [Impl("dsp", make_ours, ours=dsp_name("istft")),
         Impl("librosa", make_librosa, requires=("librosa",)),
         Impl("torch", make_torch, requires=("torch",), note="torch.istft, CPU")],
        reference, "librosa.istft (complex128)", quick=True, gpu=_istft_gpu(),
        params=lambda p: {"seconds": p.seconds, "sr": 22050, "n_fft": n_fft, "hop_length": hop,
                          "dtype": "complex64"},
    )


# --------------------------------------------------------------------------------------------
# cqt (issue 19): librosa's defaults on 60 s of music, and chroma_cqt from audio; the GPU twin


def cqt_op() -> Op:
    def make_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.cqt(y, sr=22050)

    def make_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.cqt(y, sr=22050)

    def reference(inp):
        import librosa

        return librosa.cqt(inp["y"].astype(np.float64), sr=22050)

    def call(f, x, s):
        return f(x, sr=s.sr, hop_length=s.cqt_hop or s.hop, n_bins=s.cqt_bins, fmin=s.cqt_fmin)

    # the peak-relative difference includes the end frames, where librosa's resampler (soxr)
    # and ours treat the boundary differently (docs/cqt.md: up to 3.5e-3 there, 4.3e-6 inside)
    return Op(
        "cqt", "cqt", "cqt, 60 s @ 22.05 kHz, librosa defaults (84 bins, hop 512), float32",
        music_setup,
        [Impl("dsp", make_ours, ours=dsp_name("cqt")),
         Impl("librosa", make_librosa, requires=("librosa",))],
        reference, "librosa.cqt (float64 input)",
        params=lambda p: {"seconds": p.seconds, "sr": 22050, "hop_length": 512, "n_bins": 84},
        notes=["parity includes the end frames, where the two resamplers differ (docs/cqt.md)"],
        gpu=GpuTwin("cqt", "cqt of the batch, float32", call),
    )


def chroma_cqt_op() -> Op:
    def make_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.feature.chroma_cqt(y=y, sr=22050)

    def make_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.feature.chroma_cqt(y=y, sr=22050)

    def reference(inp):
        import librosa

        return librosa.feature.chroma_cqt(y=inp["y"].astype(np.float64), sr=22050)

    return Op(
        "chroma_cqt", "cqt", "chroma_cqt, 60 s @ 22.05 kHz, librosa defaults, float32",
        music_setup,
        [Impl("dsp", make_ours, ours="dsp.feature.chroma_cqt"),
         Impl("librosa", make_librosa, requires=("librosa",))],
        reference, "librosa.feature.chroma_cqt (float64 input)", latency=False,
        params=lambda p: {"seconds": p.seconds, "sr": 22050, "hop_length": 512},
    )


# --------------------------------------------------------------------------------------------
# FFT


def rfft_ops() -> list[Op]:
    def setup_batch(p):
        rng = np.random.default_rng(1)
        return {"x": rng.standard_normal((p.rfft_rows, p.rfft_n)).astype(np.float32)}

    def setup_long(p):
        return {"x": data.music(p.seconds, 22050, np.float32)}

    def make_ours(inp):
        import dsp

        x = inp["x"]
        return lambda: dsp.rfft(x, axis=-1)

    def make_scipy(inp):
        import scipy.fft

        x = inp["x"]
        return lambda: scipy.fft.rfft(x, axis=-1, workers=2)

    def make_numpy(inp):
        x = inp["x"]
        return lambda: np.fft.rfft(x, axis=-1)

    def reference(inp):
        return np.fft.rfft(inp["x"].astype(np.float64), axis=-1)

    impls = lambda: [
        Impl("dsp", make_ours, ours=dsp_name("rfft")),
        Impl("scipy.fft", make_scipy, requires=("scipy",), note="workers=2"),
        Impl("numpy.fft", make_numpy),
    ]
    batch = Op("rfft", "rfft", "rfft of a batch of rows, float32", setup_batch, impls(),
               reference, "numpy.fft.rfft (float64)", quick=True,
               params=lambda p: {"rows": p.rfft_rows, "n": p.rfft_n, "dtype": "float32"})
    long = Op("rfft_long", "rfft", "rfft of one 60 s signal (n = 1,323,000 = 2^3 3^3 5^3 7^2), float32",
              setup_long, impls(), reference, "numpy.fft.rfft (float64)", latency=False,
              params=lambda p: {"n": int(round(p.seconds * 22050)), "dtype": "float32"})
    return [batch, long]
