"""Work done in child processes and threads: each function returns a digest-able array.

Importable by name (``procs.workers``) so that spawn and forkserver children can unpickle the
functions; the tests put ``tests/`` on the child's ``PYTHONPATH``.
"""
import numpy as np

import dsp

SR = 22050


def signal(seed: int = 0, seconds: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(int(SR * seconds)).astype(np.float32)


def op(name: str, seed: int = 0, variant: int = 0) -> np.ndarray:
    """One public function on a seeded signal; ``variant`` changes its parameters."""
    y = signal(seed)
    if name == "stft":
        return dsp.stft(y, n_fft=512 * (1 + variant % 3), hop_length=128 + 32 * variant)
    if name == "istft":
        S = dsp.stft(y, n_fft=1024, hop_length=256 + 64 * (variant % 2))
        return dsp.istft(S, hop_length=256 + 64 * (variant % 2), length=y.size)
    if name == "melspectrogram":
        return dsp.melspectrogram(y=y, sr=SR, n_mels=64 + 16 * (variant % 3))
    if name == "mfcc":
        return dsp.mfcc(y=y, sr=SR, n_mfcc=13 + variant % 7)
    if name == "wavedec":
        return np.concatenate(dsp.wavedec(y, ("db4", "sym5", "coif2")[variant % 3], level=4))
    if name == "resample":
        # 11025: the exact 2:1 by fast convolution (two groups of blocks: the parallel kernel),
        # its kernel called through a typing key; variant 4: a 1 s clip at 16 kHz -> 8 kHz, one
        # group, the serial kernel on this thread's kept scratch (dsp_kernels.thread_scratch)
        if variant % 5 == 4:
            return dsp.resample(y[:16000], orig_sr=16000, target_sr=8000)
        return dsp.resample(y, orig_sr=SR, target_sr=(16000, 8000, 44100, 11025)[variant % 5])
    raise ValueError(name)


OPS = ("stft", "istft", "melspectrogram", "mfcc", "wavedec", "resample")


def all_ops(seed: int = 0) -> list:
    """Every op once; what a forked or spawned worker computes."""
    return [op(name, seed) for name in OPS]


class MelDataset:
    """A map-style dataset (torch's protocol) whose items are log-mel spectrograms."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dsp.melspectrogram(y=signal(i), sr=SR)
