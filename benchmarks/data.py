"""Benchmark inputs: the real clips shipped in benchmarks/data and deterministic synthetic signals.

Everything here is NumPy (plus soundfile for the WAV clips) so a child process can rebuild the exact
same input before it imports the library it measures.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
CLIPS = {
    "speech": "speech_en.wav",  # 22.05 kHz mono speech
    "speech16k": "speech_en_16k.wav",  # 16 kHz mono speech
    "chord": "chord_22k.wav",  # 22.05 kHz plucked chord
    "chirp": "chirp_44k.wav",  # 44.1 kHz sweep
    "stereo": "stereo_22k.wav",  # 22.05 kHz stereo
}


@lru_cache(maxsize=None)
def _read_clip(name: str) -> tuple[np.ndarray, int]:
    import soundfile as sf

    y, sr = sf.read(DATA / CLIPS[name], dtype="float64", always_2d=True)
    y = y.T if y.shape[1] > 1 else y[:, 0]
    y.setflags(write=False)
    return y, int(sr)


def clip(name: str, dtype=np.float32) -> tuple[np.ndarray, int]:
    """``(y, sr)`` of a shipped clip; stereo comes as shape (2, n)."""
    y, sr = _read_clip(name)
    return np.ascontiguousarray(y, dtype=dtype), sr


def tiled_clip(name: str, seconds: float, dtype=np.float32) -> tuple[np.ndarray, int]:
    """A shipped clip repeated (and cut) to ``seconds`` long: real audio at benchmark length."""
    y, sr = _read_clip(name)
    n = int(round(seconds * sr))
    reps = -(-n // y.shape[-1])
    return np.ascontiguousarray(np.tile(y, reps)[..., :n], dtype=dtype), sr


def music(seconds: float, sr: int = 22050, dtype=np.float32, *, channels: int = 0, seed: int = 0):
    """A deterministic music-like signal: harmonic notes with decaying envelopes, a glide and noise.

    ``channels=0`` gives shape (n,); ``channels=c`` gives (c, n) with independent notes per row.
    Peak amplitude stays below 1.
    """
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sr))
    rows = max(channels, 1)
    t = np.arange(n) / sr
    out = np.empty((rows, n), dtype=np.float64)
    note = max(int(0.25 * sr), 1)
    for r in range(rows):
        f0 = 110.0 * 2 ** (rng.integers(0, 36, size=-(-n // note)) / 12)
        f = np.repeat(f0, note)[:n]
        phase = 2 * np.pi * np.cumsum(f) / sr
        env = np.exp(-3.0 * ((np.arange(n) % note) / sr))
        sig = sum(np.sin(k * phase) / k for k in (1, 2, 3, 5)) * env
        sig += 0.2 * np.sin(2 * np.pi * (200 + 1800 * (t / max(seconds, 1e-9))) * t)
        sig += 0.02 * rng.standard_normal(n)
        out[r] = sig
    out *= 0.9 / max(np.max(np.abs(out)), 1e-12)
    out = out.astype(dtype)
    return out if channels else out[0]


def tones(freqs, amps, seconds: float, sr: float, dtype=np.float64) -> np.ndarray:
    """A sum of sines sampled analytically at ``sr`` (the resampling ground truth)."""
    t = np.arange(int(round(seconds * sr))) / sr
    y = np.zeros_like(t)
    for f, a in zip(freqs, amps):
        y += a * np.sin(2 * np.pi * f * t + 0.1 * f / 1000.0)
    return y.astype(dtype)


RESAMPLE_TONES = ((220.0, 1000.0, 2500.0, 4400.0, 6000.0), (0.3, 0.2, 0.2, 0.1, 0.1))


def image(size: int, seed: int = 0) -> np.ndarray:
    """A deterministic grayscale float64 image in [0, 1]: smooth shapes, edges and fine texture."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / max(size, 1)
    img = 0.5 + 0.25 * np.sin(12 * xx) * np.cos(9 * yy)
    img += 0.2 * ((xx - 0.5) ** 2 + (yy - 0.4) ** 2 < 0.05)
    img += 0.1 * ((xx > 0.7) & (yy > 0.6))
    img += 0.05 * rng.standard_normal((size, size))
    return np.clip(img, 0.0, 1.0)


_WORDS = (
    "the a signal filter wave sound image pyramid level token sentence model frequency time "
    "spectrum energy window frame sample rate noise music voice tone scale band coarse fine "
    "audio video text embedding vector mean pool align fuse query retrieve learn train data "
    "fast slow small large bright dark quiet loud early late first last every each"
).split()


def document(n_tokens: int, seed: int = 0):
    """A synthetic document tokenised into words and punctuation.

    Returns ``(text, offsets, sentences, paragraphs)``: ``offsets`` is (n_tokens, 2) character spans
    [start, end); ``sentences`` and ``paragraphs`` are (k, 2) token-index spans [start, end), the
    segmentation the generator used (a baseline's pooling gets it for free).
    """
    rng = np.random.default_rng(seed)
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    paragraphs: list[tuple[int, int]] = []
    pos = 0
    para_start = 0
    while len(offsets) < n_tokens:
        if parts:
            sep = "\n\n" if rng.random() < 0.2 else " "
            if sep == "\n\n":
                paragraphs.append((para_start, len(offsets)))
                para_start = len(offsets)
            parts.append(sep)
            pos += len(sep)
        s_start = len(offsets)
        n_words = int(rng.integers(4, 20))
        for w in range(n_words):
            word = _WORDS[int(rng.integers(len(_WORDS)))]
            if w == 0:
                word = word.capitalize()
            else:
                parts.append(" ")
                pos += 1
            parts.append(word)
            offsets.append((pos, pos + len(word)))
            pos += len(word)
        mark = ".?!"[int(rng.integers(3))]
        parts.append(mark)
        offsets.append((pos, pos + 1))
        pos += 1
        sentences.append((s_start, len(offsets)))
    paragraphs.append((para_start, len(offsets)))
    text = "".join(parts)
    return (
        text,
        np.asarray(offsets, dtype=np.int64),
        np.asarray(sentences, dtype=np.int64),
        np.asarray(paragraphs, dtype=np.int64),
    )



def numpy_stft(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """A plain NumPy STFT (centred, zero padded, periodic Hann), shape (n_fft//2 + 1, n_frames).

    Only builds inputs for the inverse transforms, so that setting up an istft benchmark imports
    nothing beyond NumPy.
    """
    n = np.arange(n_fft)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)).astype(y.dtype)
    padded = np.pad(y, (n_fft // 2, n_fft // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    spec = np.fft.rfft(frames * window, axis=-1).T
    return np.ascontiguousarray(spec.astype(np.result_type(y.dtype, np.complex64)))
