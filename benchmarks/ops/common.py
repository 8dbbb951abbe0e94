"""Inputs and peer helpers that several domains' operations share: the music and speech signals,
torch tensors, windows and STFT, librosa-style framing.

Examples
--------
>>> import numpy as np
>>> from benchmarks.ops.common import framed_windowed
>>> framed_windowed(np.ones(16, np.float32), 8, 4).shape  # centred frames of 8, hop 4
(5, 8)
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..registry import Profile


def music_setup(p: Profile) -> dict:
    """``p.seconds`` of music at 22.05 kHz, float32: the input of most CPU operations."""
    return {"y": data.music(p.seconds, 22050, np.float32)}


def speech16k_setup(p: Profile) -> dict:
    """``p.seconds`` of the 16 kHz speech clip, tiled, float32."""
    return {"y": data.tiled_clip("speech16k", p.seconds, np.float32)[0]}


def torch_tensor(x, device="cpu"):
    import torch

    return torch.from_numpy(np.ascontiguousarray(x)).to(device)


def torch_window(n_fft, dtype, device="cpu"):
    import torch

    tdtype = torch.float64 if np.dtype(dtype) == np.float64 else torch.float32
    return torch.hann_window(n_fft, periodic=True, dtype=tdtype, device=device)


def torch_stft(y, n_fft, hop, window):
    """torch.stft with librosa's defaults (centred, zero padding), complex output."""
    import torch

    return torch.stft(y, n_fft, hop_length=hop, window=window, center=True, pad_mode="constant",
                      return_complex=True)


def framed_windowed(y, n_fft, hop):
    """librosa's centred, zero-padded frames times a periodic Hann window: (n_frames, n_fft)."""
    n = np.arange(n_fft)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)).astype(y.dtype)
    padded = np.pad(y, (n_fft // 2, n_fft // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return np.ascontiguousarray(frames * window)


def torch_cuda(x):
    """A host array as a torch tensor on the CUDA device (GPU peers)."""
    return torch_tensor(x, "cuda")


def torchaudio_mel_kwargs(s) -> dict:
    """torchaudio's MelSpectrogram arguments that match librosa's defaults at sizes ``s``."""
    return dict(sample_rate=s.sr, n_fft=s.n_fft, hop_length=s.hop, n_mels=s.n_mels, center=True,
                pad_mode="constant", power=2.0, norm="slaney", mel_scale="slaney")
