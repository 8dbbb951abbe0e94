"""Mel operations: melspectrogram and mfcc with librosa's defaults, against librosa, a torch
STFT + dense mel product, and torchaudio on the GPU.

Examples
--------
>>> from benchmarks.ops import mel
>>> [(op.name, op.gpu.fn) for op in mel.mel_ops()]
[('melspectrogram', 'melspectrogram'), ('mfcc', 'mfcc')]
"""
from __future__ import annotations

import numpy as np

from ..registry import GpuPeer, GpuTwin, Impl, Op, dsp_name
from .common import (
    music_setup, torch_cuda, torch_stft, torch_tensor, torch_window, torchaudio_mel_kwargs,
)

SR = 22050
_TORCHAUDIO = ("torch", "torchaudio")


def _mel_gpu() -> GpuTwin:
    def call(f, x, s):
        return f(y=x, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop, n_mels=s.n_mels)

    def reference(h, s):
        import librosa

        return librosa.feature.melspectrogram(y=h, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop,
                                              n_mels=s.n_mels)

    def p_matmul(inp, s, dev):
        import librosa
        import torch

        yt = torch_cuda(inp["y"])
        w = torch_window(s.n_fft, np.float32, "cuda")
        mel = torch.from_numpy(librosa.filters.mel(sr=s.sr, n_fft=s.n_fft, n_mels=s.n_mels)).cuda()
        return lambda: mel @ (torch_stft(yt, s.n_fft, s.hop, w).abs() ** 2)

    def p_torchaudio(inp, s, dev):
        import torchaudio

        yt = torch_cuda(inp["y"])
        t = torchaudio.transforms.MelSpectrogram(**torchaudio_mel_kwargs(s)).cuda()
        return lambda: t(yt)

    return GpuTwin(
        "melspectrogram", "melspectrogram of the batch, float32", call, reference=reference,
        ref_label="librosa melspectrogram (float64) of the first clips",
        peers=(GpuPeer("torch.stft+mel matmul (cuda)", p_matmul, ("torch", "librosa"), "torch"),
               GpuPeer("torchaudio MelSpectrogram (cuda)", p_torchaudio, _TORCHAUDIO, "torch")))


def _mfcc_gpu() -> GpuTwin:
    def call(f, x, s):
        return f(y=x, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop, n_mels=s.n_mels, n_mfcc=s.n_mfcc)

    def reference(h, s):
        import librosa

        return librosa.feature.mfcc(y=h, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop,
                                    n_mels=s.n_mels, n_mfcc=s.n_mfcc)

    def p_torchaudio(inp, s, dev):
        import torchaudio

        yt = torch_cuda(inp["y"])
        kw = torchaudio_mel_kwargs(s)
        t = torchaudio.transforms.MFCC(sample_rate=kw.pop("sample_rate"), n_mfcc=s.n_mfcc,
                                       dct_type=2, norm="ortho", log_mels=False, melkwargs=kw).cuda()
        return lambda: t(yt)

    return GpuTwin(
        "mfcc", "mfcc of the batch, float32", call, reference=reference,
        ref_label="librosa mfcc (float64) of the first clips",
        peers=(GpuPeer("torchaudio MFCC (cuda)", p_torchaudio, _TORCHAUDIO, "torch"),))


def mel_ops() -> list[Op]:
    def make_mel_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.melspectrogram(y=y, sr=SR)

    def make_mel_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.feature.melspectrogram(y=y, sr=SR)

    def make_mel_torch(inp):
        import librosa
        import torch

        yt = torch_tensor(inp["y"])
        w = torch_window(2048, np.float32)
        mel = torch.from_numpy(librosa.filters.mel(sr=SR, n_fft=2048))

        def run():
            S = torch_stft(yt, 2048, 512, w).abs() ** 2
            return mel @ S

        return run

    def ref_mel(inp):
        import librosa

        return librosa.feature.melspectrogram(y=inp["y"].astype(np.float64), sr=SR)

    def make_mfcc_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.mfcc(y=y, sr=SR)

    def make_mfcc_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.feature.mfcc(y=y, sr=SR)

    def ref_mfcc(inp):
        import librosa

        return librosa.feature.mfcc(y=inp["y"].astype(np.float64), sr=SR)

    params = lambda p: {"seconds": p.seconds, "sr": SR, "n_fft": 2048, "hop_length": 512,
                        "n_mels": 128, "dtype": "float32"}
    mel = Op(
        "melspectrogram", "melspectrogram", "mel spectrogram, 60 s @ 22.05 kHz, librosa defaults",
        music_setup,
        [Impl("dsp", make_mel_ours, ours=dsp_name("melspectrogram")),
         Impl("librosa", make_mel_librosa, requires=("librosa",)),
         Impl("torch.stft+mel matmul", make_mel_torch, requires=("torch", "librosa"),
              note="torch.stft, |.|^2, then a dense (128 x 1025) mel matrix product")],
        ref_mel, "librosa melspectrogram (float64)", quick=True, params=params, gpu=_mel_gpu(),
    )
    mfcc = Op(
        "mfcc", "mfcc", "MFCC (20), 60 s @ 22.05 kHz, librosa defaults",
        music_setup,
        [Impl("dsp", make_mfcc_ours, ours=dsp_name("mfcc")),
         Impl("librosa", make_mfcc_librosa, requires=("librosa",))],
        ref_mfcc, "librosa mfcc (float64)", quick=True, params=params, gpu=_mfcc_gpu(),
    )
    return [mel, mfcc]
