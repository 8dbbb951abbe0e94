"""The operation registry: what is timed, against which peers, on which input, checked against what.

An :class:`Op` builds its input with NumPy only (``setup``), so a fresh child process can rebuild it
before importing the library it measures. Each :class:`Impl` is *made* from that input: ``make``
imports its library, does the untimed preparation (tensors, windows, framed data) and returns the
zero-argument call that is timed. Ours is included only when ``dsp``/``pyramids`` has the function
(``ours`` names it), a peer only when its modules are installed (``requires``); anything missing is
reported, never fatal.

Parity is the peak-relative error ``max|ours - ref| / max|ref|`` against a reference computed in
float64 where the reference library allows it (``reference``), for ours and for every comparable
peer, so the table shows how far each implementation is from the same truth.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from dsp_kernels.shapes import MODES, dwt_len

from . import data


# --------------------------------------------------------------------------------------------
# profiles: input sizes and effort


@dataclass(frozen=True)
class Profile:
    name: str
    seconds: float  # long signals
    batch: int  # rows of the short-signal batch (wavedec)
    batch_seconds: float
    rfft_rows: int
    rfft_n: int
    image: int  # side of the square image
    tokens: int  # tokens in the text document
    gpu_batch: int  # GPU section: clips in the batch
    gpu_seconds: float
    repeat: int  # alternating rounds
    budget_s: float  # per operation, caps the rounds
    memory: str  # peak memory of 'all' implementations, 'ours' only, or 'none'
    # first-call latency: 'all' (ours cold and warm, the first comparable peer warm), 'ours' (ours
    # cold and warm), 'ours-warm' (ours with the installed cache only: no compilation), 'none'
    latency: str
    # operations whose fresh-process measurements run (None: every one); when none of them is
    # selected, the first selected operation stands in, so the code path is always exercised
    memory_ops: tuple[str, ...] | None
    latency_ops: tuple[str, ...] | None
    heavy: bool = True  # include peers whose import alone takes seconds


PROFILES = {
    "full": Profile("full", 60.0, 64, 1.0, 2048, 2048, 1024, 20000, 256, 10.0,
                    repeat=15, budget_s=12.0, memory="all", latency="all",
                    memory_ops=None, latency_ops=None),
    # about a minute: short inputs, our memory everywhere, warm-cache latency of stft only, no
    # peer whose import alone takes seconds
    "quick": Profile("quick", 10.0, 16, 1.0, 512, 2048, 512, 4000, 16, 2.0,
                     repeat=5, budget_s=2.0, memory="ours", latency="ours-warm",
                     memory_ops=None, latency_ops=("stft",), heavy=False),
    # for the test suite: tiny inputs, every code path once, seconds of work beyond compilation
    "tiny": Profile("tiny", 1.0, 4, 0.25, 16, 512, 64, 300, 4, 0.5,
                    repeat=2, budget_s=0.5, memory="all", latency="ours",
                    memory_ops=("image_pyramid",), latency_ops=("image_pyramid",), heavy=False),
}


# --------------------------------------------------------------------------------------------
# registry types


def to_numpy(x) -> np.ndarray:
    """NumPy view of a NumPy, CuPy or torch result (lists and tuples are concatenated on the last axis)."""
    if isinstance(x, (list, tuple)):
        return np.concatenate([to_numpy(v) for v in x], axis=-1)
    if hasattr(x, "detach"):  # torch
        return x.detach().cpu().numpy()
    if type(x).__module__.partition(".")[0] == "cupy":
        return x.get()
    return np.asarray(x)


@dataclass
class Impl:
    """One implementation of an operation."""

    name: str
    make: Callable[[dict], Callable[[], Any]]
    requires: tuple[str, ...] = ()  # importable modules (checked without importing them)
    ours: str | None = None  # dotted public name, e.g. 'dsp.stft': marks our implementation
    view: Callable[[Any], np.ndarray] = to_numpy  # its output as the reference's layout
    comparable: bool = True  # False: different output by design (e.g. an FFT-only floor)
    gpu: str | None = None  # 'cupy' or 'torch': sync the device around each sample
    note: str = ""
    heavy: bool = False  # seconds of import (sentence-transformers): only in the full profile

    @property
    def is_ours(self) -> bool:
        return self.ours is not None


@dataclass
class Op:
    name: str
    family: str  # what --only also matches (e.g. 'stft' selects stft and stft_speech)
    title: str
    setup: Callable[[Profile], dict]
    impls: list[Impl]
    reference: Callable[[dict], Any] | None = None
    ref_label: str = ""
    compare: Callable[[np.ndarray, np.ndarray], float] | None = None
    params: Callable[[Profile], dict] = lambda p: {}
    quick: bool = False  # in the --quick subset
    device: str = "cpu"
    latency: bool = True  # measure first-call latency (families share kernels: once is enough)
    parity_rows: int | None = None  # compare only the first rows (big GPU batches)
    notes: list[str] = field(default_factory=list)

    @property
    def ours(self) -> Impl | None:
        return next((i for i in self.impls if i.is_ours), None)

    @property
    def peers(self) -> list[Impl]:
        return [i for i in self.impls if not i.is_ours]

    @property
    def latency_peer(self) -> Impl | None:
        """The peer whose first-call latency is measured beside ours: the first comparable one."""
        return next((i for i in self.peers if i.comparable and i.gpu is None), None)


def resolve(dotted: str):
    """Import ``a.b`` and return attribute chain ``c.d`` of ``'a.b:c.d'`` or of ``'a.c.d'``."""
    if ":" in dotted:
        mod, _, attrs = dotted.partition(":")
    else:
        mod, _, attrs = dotted.partition(".")
    obj = importlib.import_module(mod)
    for a in attrs.split(".") if attrs else ():
        obj = getattr(obj, a)
    return obj


def missing(impl: Impl, device_ok: bool = True) -> str | None:
    """Why ``impl`` cannot run here, or None when it can."""
    for mod in impl.requires:
        try:
            if importlib.util.find_spec(mod) is None:
                return f"{mod} is not installed"
        except (ImportError, ValueError):
            return f"{mod} is not installed"
    if impl.gpu and not device_ok:
        return "no GPU"
    if impl.gpu == "torch":
        try:
            import torch

            if not torch.cuda.is_available():
                return "torch has no CUDA device (CPU build?)"
        except Exception as exc:
            return f"torch failed to import ({type(exc).__name__})"
    if impl.ours:
        try:
            resolve(impl.ours)
        except Exception:
            return f"not available yet ({impl.ours} is missing)"
    return None


def peak_relative_error(ours, ref) -> float:
    """``max|ours - ref| / max|ref|`` (the absolute error when ref is all zeros)."""
    ours = np.asarray(ours)
    ref = np.asarray(ref)
    if ours.shape != ref.shape:
        raise ValueError(f"shape {ours.shape} differs from the reference's {ref.shape}")
    if ref.size == 0:
        return 0.0
    scale = float(np.max(np.abs(ref)))
    err = float(np.max(np.abs(ours.astype(np.complex128) - ref.astype(np.complex128))))
    return err / scale if scale > 0 else err


# --------------------------------------------------------------------------------------------
# shared makers


def _dsp(name: str) -> str:
    return f"dsp.{name}"


def _torch_tensor(x, device="cpu"):
    import torch

    return torch.from_numpy(np.ascontiguousarray(x)).to(device)


def _torch_window(n_fft, dtype, device="cpu"):
    import torch

    tdtype = torch.float64 if np.dtype(dtype) == np.float64 else torch.float32
    return torch.hann_window(n_fft, periodic=True, dtype=tdtype, device=device)


def _torch_stft(y, n_fft, hop, window):
    import torch

    return torch.stft(y, n_fft, hop_length=hop, window=window, center=True, pad_mode="constant",
                      return_complex=True)


def _framed_windowed(y, n_fft, hop):
    """librosa's centred, zero-padded frames times a periodic Hann window: (n_frames, n_fft)."""
    n = np.arange(n_fft)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)).astype(y.dtype)
    padded = np.pad(y, (n_fft // 2, n_fft // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return np.ascontiguousarray(frames * window)


# --------------------------------------------------------------------------------------------
# STFT family


def _stft_op(name, title, *, sr, n_fft, hop, setup, quick, floor, latency=True):
    def make_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.stft(y, n_fft=n_fft, hop_length=hop)

    def make_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.stft(y, n_fft=n_fft, hop_length=hop)

    def make_torch(inp):
        yt = _torch_tensor(inp["y"])
        w = _torch_window(n_fft, inp["y"].dtype)
        return lambda: _torch_stft(yt, n_fft, hop, w)

    def make_floor(inp):
        import scipy.fft

        frames = _framed_windowed(inp["y"], n_fft, hop)
        return lambda: scipy.fft.rfft(frames, axis=-1, workers=2)

    def reference(inp):
        import librosa

        return librosa.stft(inp["y"].astype(np.float64), n_fft=n_fft, hop_length=hop)

    impls = [
        Impl("dsp", make_ours, ours=_dsp("stft")),
        Impl("librosa", make_librosa, requires=("librosa",)),
        Impl("torch", make_torch, requires=("torch",), note="torch.stft, CPU, pad_mode constant"),
    ]
    if floor:
        impls.append(Impl("scipy.fft floor", make_floor, requires=("scipy",), comparable=False,
                          note="scipy.fft.rfft(workers=2) on pre-framed, windowed data: the FFT-only floor"))
    return Op(
        name, "stft", title, setup, impls, reference, "librosa.stft (float64)", quick=quick,
        latency=latency,
        params=lambda p: {"seconds": p.seconds, "sr": sr, "n_fft": n_fft, "hop_length": hop,
                          "dtype": "float32"},
    )


def _music_setup(p: Profile) -> dict:
    return {"y": data.music(p.seconds, 22050, np.float32)}


def _speech16k_setup(p: Profile) -> dict:
    return {"y": data.tiled_clip("speech16k", p.seconds, np.float32)[0]}


def _istft_op():
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

        St = _torch_tensor(inp["S"])
        w = _torch_window(n_fft, np.float32)
        n = inp["n"]
        return lambda: torch.istft(St, n_fft, hop_length=hop, window=w, center=True, length=n)

    def reference(inp):
        import librosa

        return librosa.istft(inp["S"].astype(np.complex128), hop_length=hop, length=inp["n"])

    return Op(
        "istft", "istft", "inverse STFT, 60 s @ 22.05 kHz, n_fft 2048, hop 512, complex64",
        setup,
        [Impl("dsp", make_ours, ours=_dsp("istft")),
         Impl("librosa", make_librosa, requires=("librosa",)),
         Impl("torch", make_torch, requires=("torch",), note="torch.istft, CPU")],
        reference, "librosa.istft (complex128)", quick=True,
        params=lambda p: {"seconds": p.seconds, "sr": 22050, "n_fft": n_fft, "hop_length": hop,
                          "dtype": "complex64"},
    )


# --------------------------------------------------------------------------------------------
# mel


def _mel_ops():
    sr = 22050

    def make_mel_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.melspectrogram(y=y, sr=sr)

    def make_mel_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.feature.melspectrogram(y=y, sr=sr)

    def make_mel_torch(inp):
        import librosa
        import torch

        yt = _torch_tensor(inp["y"])
        w = _torch_window(2048, np.float32)
        mel = torch.from_numpy(librosa.filters.mel(sr=sr, n_fft=2048))

        def run():
            S = _torch_stft(yt, 2048, 512, w).abs() ** 2
            return mel @ S

        return run

    def ref_mel(inp):
        import librosa

        return librosa.feature.melspectrogram(y=inp["y"].astype(np.float64), sr=sr)

    def make_mfcc_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.mfcc(y=y, sr=sr)

    def make_mfcc_librosa(inp):
        import librosa

        y = inp["y"]
        return lambda: librosa.feature.mfcc(y=y, sr=sr)

    def ref_mfcc(inp):
        import librosa

        return librosa.feature.mfcc(y=inp["y"].astype(np.float64), sr=sr)

    params = lambda p: {"seconds": p.seconds, "sr": sr, "n_fft": 2048, "hop_length": 512,
                        "n_mels": 128, "dtype": "float32"}
    mel = Op(
        "melspectrogram", "melspectrogram", "mel spectrogram, 60 s @ 22.05 kHz, librosa defaults",
        _music_setup,
        [Impl("dsp", make_mel_ours, ours=_dsp("melspectrogram")),
         Impl("librosa", make_mel_librosa, requires=("librosa",)),
         Impl("torch.stft+mel matmul", make_mel_torch, requires=("torch", "librosa"),
              note="torch.stft, |.|^2, then a dense (128 x 1025) mel matrix product")],
        ref_mel, "librosa melspectrogram (float64)", quick=True, params=params,
    )
    mfcc = Op(
        "mfcc", "mfcc", "MFCC (20), 60 s @ 22.05 kHz, librosa defaults",
        _music_setup,
        [Impl("dsp", make_mfcc_ours, ours=_dsp("mfcc")),
         Impl("librosa", make_mfcc_librosa, requires=("librosa",))],
        ref_mfcc, "librosa mfcc (float64)", quick=True, params=params,
    )
    return [mel, mfcc]


# --------------------------------------------------------------------------------------------
# resampling


def _resample_op():
    orig, target = 44100, 16000
    freqs, amps = data.RESAMPLE_TONES

    def setup(p):
        return {"y": data.tones(freqs, amps, p.seconds, orig, np.float32), "seconds": p.seconds}

    def make_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.resample(y, orig_sr=orig, target_sr=target)

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
        [Impl("dsp", make_ours, ours=_dsp("resample")),
         Impl("librosa soxr_hq", make_librosa, requires=("librosa", "soxr")),
         Impl("scipy resample_poly", make_poly, requires=("scipy",))],
        reference, "the tones sampled analytically at 16 kHz (interior, 2% trimmed each end)",
        compare=compare, quick=True,
        params=lambda p: {"seconds": p.seconds, "orig_sr": orig, "target_sr": target,
                          "dtype": "float32", "tones_hz": list(freqs)},
    )


# --------------------------------------------------------------------------------------------
# FFT


def _rfft_ops():
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
        Impl("dsp", make_ours, ours=_dsp("rfft")),
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


# --------------------------------------------------------------------------------------------
# wavelets


def _coeff_lengths(n: int, level: int, filt_len: int = 8) -> list[int]:
    """PyWavelets' 'symmetric' output lengths, coarsest first: [cA_n, cD_n, ..., cD_1]."""
    lens = []
    for _ in range(level):
        n = dwt_len(n, filt_len, MODES["symmetric"])
        lens.append(n)
    return [lens[-1]] + lens[::-1]


def _wavelet_ops():
    wavelet, level = "db4", 5

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
            return {"c": [rng.standard_normal(shape + (m,)) for m in _coeff_lengths(y.shape[-1], level)]}
        return setup

    def make_dec_ours(inp):
        import dsp

        y = inp["y"]
        return lambda: dsp.wavedec(y, wavelet, level=level)

    def make_dec_pywt(inp):
        import pywt

        y = inp["y"]
        return lambda: pywt.wavedec(y, wavelet, level=level)

    def make_rec_ours(inp):
        import dsp

        c = inp["c"]
        return lambda: dsp.waverec(c, wavelet)

    def make_rec_pywt(inp):
        import pywt

        c = inp["c"]
        return lambda: pywt.waverec(c, wavelet)

    def ref_dec(inp):
        import pywt

        return pywt.wavedec(inp["y"], wavelet, level=level)

    def ref_rec(inp):
        import pywt

        return pywt.waverec(inp["c"], wavelet)

    def dec(name, title, setup, quick, latency, params):
        return Op(name, "wavedec", title, setup,
                  [Impl("dsp", make_dec_ours, ours=_dsp("wavedec")),
                   Impl("pywt", make_dec_pywt, requires=("pywt",))],
                  ref_dec, "pywt.wavedec (float64)", quick=quick, latency=latency, params=params)

    def rec(name, title, setup, quick, latency, params):
        return Op(name, "waverec", title, setup,
                  [Impl("dsp", make_rec_ours, ours=_dsp("waverec")),
                   Impl("pywt", make_rec_pywt, requires=("pywt",))],
                  ref_rec, "pywt.waverec (float64)", quick=quick, latency=latency, params=params)

    p_long = lambda p: {"seconds": p.seconds, "sr": 22050, "wavelet": wavelet, "level": level,
                        "mode": "symmetric", "dtype": "float64"}
    p_batch = lambda p: {"batch": p.batch, "seconds": p.batch_seconds, "sr": 22050,
                         "wavelet": wavelet, "level": level, "mode": "symmetric", "dtype": "float64"}
    return [
        dec("wavedec", "wavedec db4 level 5, 60 s @ 22.05 kHz, float64", setup_long, True, True, p_long),
        rec("waverec", "waverec db4 level 5, 60 s @ 22.05 kHz, float64", coeffs_setup(setup_long),
            False, True, p_long),
        dec("wavedec_batch", "wavedec db4 level 5, batch of 64 x 1 s, float64", setup_batch, False,
            False, p_batch),
        rec("waverec_batch", "waverec db4 level 5, batch of 64 x 1 s, float64",
            coeffs_setup(setup_batch), False, False, p_batch),
    ]


# --------------------------------------------------------------------------------------------
# pyramids


def _image_op():
    levels = 4

    def setup(p):
        return {"img": data.image(p.image)}

    def make_ours(inp):
        import pyramids

        img = inp["img"]
        return lambda: pyramids.ImagePyramid.gaussian(img, levels=levels)

    def make_skimage(inp):
        from skimage.transform import pyramid_gaussian

        img = inp["img"]
        return lambda: list(pyramid_gaussian(img, max_layer=levels - 1, downscale=2, channel_axis=None))

    def view_ours(p):
        return [to_numpy(p[i]) for i in range(len(p))]

    def reference(inp):
        from skimage.transform import pyramid_gaussian

        return list(pyramid_gaussian(inp["img"], max_layer=levels - 1, downscale=2, channel_axis=None))

    def compare(out, ref):
        if len(out) != len(ref):
            raise ValueError(f"{len(out)} levels, the reference has {len(ref)}")
        return max(peak_relative_error(o, r) for o, r in zip(out, ref))

    return Op(
        "image_pyramid", "image_pyramid", "Gaussian image pyramid, 4 levels, 1024 x 1024 float64",
        setup,
        [Impl("pyramids", make_ours, ours="pyramids:ImagePyramid.gaussian", view=view_ours),
         Impl("skimage", make_skimage, requires=("skimage",), view=list,
              note="skimage.transform.pyramid_gaussian, materialised")],
        reference, "skimage pyramid_gaussian (same levels; smoothing may differ by design)",
        compare=compare, quick=True,
        params=lambda p: {"shape": [p.image, p.image], "levels": levels, "downscale": 2,
                          "dtype": "float64"},
    )


def _text_op():
    dim = 384

    def setup(p):
        text, offsets, sentences, paragraphs = data.document(p.tokens)
        rng = np.random.default_rng(4)
        emb = rng.standard_normal((offsets.shape[0], dim)).astype(np.float32)
        return {"emb": emb, "text": text, "offsets": offsets, "sentences": sentences,
                "paragraphs": paragraphs}

    def make_ours(inp):
        import pyramids

        emb, text, offsets = inp["emb"], inp["text"], inp["offsets"]
        return lambda: pyramids.TextPyramid.from_tokens(emb, text, offsets)

    def view_ours(p):
        for i in range(len(p)):
            if getattr(p.level(i), "name", None) == "sentence":
                return to_numpy(p[i])
        return to_numpy(p[1])

    def make_numpy(inp):
        emb, s, para = inp["emb"], inp["sentences"], inp["paragraphs"]

        def pool(spans):
            sums = np.add.reduceat(emb, spans[:, 0], axis=0)
            return sums / (spans[:, 1] - spans[:, 0])[:, None].astype(emb.dtype)

        def run():
            return pool(s), pool(para), emb.mean(axis=0, keepdims=True)

        return run

    def make_st(inp):
        import torch

        try:
            from sentence_transformers.sentence_transformer.modules import Pooling
        except ImportError:
            from sentence_transformers.models import Pooling
        emb, s = inp["emb"], inp["sentences"]
        lengths = s[:, 1] - s[:, 0]
        padded = np.zeros((len(s), int(lengths.max()), emb.shape[1]), dtype=emb.dtype)
        mask = np.zeros(padded.shape[:2], dtype=np.int64)
        for k, (a, b) in enumerate(s):
            padded[k, : b - a] = emb[a:b]
            mask[k, : b - a] = 1
        features = {"token_embeddings": torch.from_numpy(padded),
                    "attention_mask": torch.from_numpy(mask)}
        pooling = Pooling(emb.shape[1], pooling_mode="mean")

        def run():
            with torch.no_grad():
                return pooling(dict(features))["sentence_embedding"]

        return run

    def reference(inp):
        emb = inp["emb"].astype(np.float64)
        return np.stack([emb[a:b].mean(axis=0) for a, b in inp["sentences"]])

    return Op(
        "text_pooling", "text_pooling",
        "text pyramid from 20k token embeddings (384-d): token -> sentence -> paragraph -> document",
        setup,
        [Impl("pyramids", make_ours, ours="pyramids:TextPyramid.from_tokens", view=view_ours,
              note="includes sentence and paragraph segmentation of the text"),
         Impl("numpy mean pooling", make_numpy, view=lambda out: out[0],
              note="np.add.reduceat over known spans (segmentation given for free)"),
         Impl("sentence-transformers Pooling", make_st,
              requires=("torch", "sentence_transformers"), heavy=True,
              note="sentence level only, on a pre-padded batch with an attention mask")],
        reference, "float64 mean of each generated sentence's tokens", quick=True,
        params=lambda p: {"tokens": p.tokens, "dim": dim, "pooling": "mean", "dtype": "float32"},
        notes=["parity compares the sentence level; it needs our segmentation to find the "
               "generator's sentences"],
    )


# --------------------------------------------------------------------------------------------
# GPU section (issue 6): a batch of clips on the device


def _gpu_ops():
    sr, n_fft, hop = 22050, 2048, 512
    rows = 2  # parity on the first rows: the float64 CPU reference of a whole batch is slow

    def setup(p):
        base = data.music(p.gpu_seconds, sr, np.float32, channels=min(8, p.gpu_batch), seed=5)
        reps = -(-p.gpu_batch // base.shape[0])
        gains = np.linspace(0.5, 1.0, p.gpu_batch, dtype=np.float32)[:, None]
        return {"y": np.ascontiguousarray(np.tile(base, (reps, 1))[: p.gpu_batch] * gains)}

    def cupy_input(inp):
        import cupy

        return cupy.asarray(inp["y"])

    def ours(fn_name, **kw):
        def make(inp):
            import dsp

            yd = cupy_input(inp)
            fn = getattr(dsp, fn_name)
            if fn_name in ("melspectrogram", "mfcc"):
                return lambda: fn(y=yd, sr=sr, **kw)
            return lambda: fn(yd, **kw)
        return make

    def torch_cuda(inp):
        return _torch_tensor(inp["y"], "cuda")

    def make_torch_stft(inp):
        yt = torch_cuda(inp)
        w = _torch_window(n_fft, np.float32, "cuda")
        return lambda: _torch_stft(yt, n_fft, hop, w)

    def make_cupyx_stft(inp):
        import cupyx.scipy.signal

        yd = cupy_input(inp)
        return lambda: cupyx.scipy.signal.stft(yd, fs=sr, window="hann", nperseg=n_fft,
                                               noverlap=n_fft - hop, axis=-1)

    def make_torch_mel_matmul(inp):
        import librosa
        import torch

        yt = torch_cuda(inp)
        w = _torch_window(n_fft, np.float32, "cuda")
        mel = torch.from_numpy(librosa.filters.mel(sr=sr, n_fft=n_fft)).cuda()

        def run():
            return mel @ (_torch_stft(yt, n_fft, hop, w).abs() ** 2)

        return run

    def _mel_kwargs():
        return dict(sample_rate=sr, n_fft=n_fft, hop_length=hop, n_mels=128, center=True,
                    pad_mode="constant", power=2.0, norm="slaney", mel_scale="slaney")

    def make_torchaudio_mel(inp):
        import torchaudio

        yt = torch_cuda(inp)
        t = torchaudio.transforms.MelSpectrogram(**_mel_kwargs()).cuda()
        return lambda: t(yt)

    def make_torchaudio_mfcc(inp):
        import torchaudio

        yt = torch_cuda(inp)
        kw = _mel_kwargs()
        t = torchaudio.transforms.MFCC(sample_rate=kw.pop("sample_rate"), n_mfcc=20, dct_type=2,
                                       norm="ortho", log_mels=False, melkwargs=kw).cuda()
        return lambda: t(yt)

    def make_pywt_cpu(inp):
        import pywt

        y = inp["y"]
        return lambda: pywt.wavedec(y, "db4", level=5)

    def head(inp):
        return inp["y"][:rows].astype(np.float64)

    def ref_stft(inp):
        import librosa

        return librosa.stft(head(inp), n_fft=n_fft, hop_length=hop)

    def ref_mel(inp):
        import librosa

        return librosa.feature.melspectrogram(y=head(inp), sr=sr)

    def ref_mfcc(inp):
        import librosa

        return librosa.feature.mfcc(y=head(inp), sr=sr)

    def ref_dec(inp):
        import pywt

        return pywt.wavedec(head(inp), "db4", level=5)

    params = lambda p: {"batch": p.gpu_batch, "seconds": p.gpu_seconds, "sr": sr, "n_fft": n_fft,
                        "hop_length": hop, "dtype": "float32"}
    gpu = dict(device="gpu", parity_rows=rows, params=params)
    cu = ("cupy",)
    return [
        Op("gpu_stft", "gpu_stft", "GPU: stft of 256 x 10 s @ 22.05 kHz, float32", setup,
           [Impl("dsp (CuPy)", ours("stft", n_fft=n_fft, hop_length=hop), requires=cu,
                 ours="dsp.stft", gpu="cupy"),
            Impl("torch.stft (cuda)", make_torch_stft, requires=("torch",), gpu="torch"),
            Impl("cupyx.scipy.signal.stft", make_cupyx_stft, requires=cu, gpu="cupy",
                 comparable=False, note="scipy's scaling and padding, not librosa's")],
           ref_stft, "librosa.stft (float64) of the first clips", **gpu),
        Op("gpu_melspectrogram", "gpu_melspectrogram",
           "GPU: melspectrogram of 256 x 10 s @ 22.05 kHz, float32", setup,
           [Impl("dsp (CuPy)", ours("melspectrogram"), requires=cu, ours="dsp.melspectrogram",
                 gpu="cupy"),
            Impl("torch.stft+mel matmul (cuda)", make_torch_mel_matmul, requires=("torch", "librosa"),
                 gpu="torch"),
            Impl("torchaudio MelSpectrogram (cuda)", make_torchaudio_mel,
                 requires=("torch", "torchaudio"), gpu="torch")],
           ref_mel, "librosa melspectrogram (float64) of the first clips", **gpu),
        Op("gpu_mfcc", "gpu_mfcc", "GPU: mfcc of 256 x 10 s @ 22.05 kHz, float32", setup,
           [Impl("dsp (CuPy)", ours("mfcc"), requires=cu, ours="dsp.mfcc", gpu="cupy"),
            Impl("torchaudio MFCC (cuda)", make_torchaudio_mfcc, requires=("torch", "torchaudio"),
                 gpu="torch")],
           ref_mfcc, "librosa mfcc (float64) of the first clips", **gpu),
        Op("gpu_wavedec", "gpu_wavedec", "GPU: wavedec db4 level 5 of 256 x 10 s, float32", setup,
           [Impl("dsp (CuPy)", ours("wavedec", wavelet="db4", level=5), requires=cu,
                 ours="dsp.wavedec", gpu="cupy"),
            Impl("pywt (CPU)", make_pywt_cpu, requires=("pywt",), note="PyWavelets on the CPU")],
           ref_dec, "pywt.wavedec (float64) of the first clips", **gpu),
    ]


# --------------------------------------------------------------------------------------------


def all_ops() -> list[Op]:
    from .ops_features import feature_ops  # issue 18
    from .ops_io import load_ops  # imports this module: deferred
    from .ops_wavelets2d import wavelet2d_ops

    ops = [
        _stft_op("stft", "stft, 60 s @ 22.05 kHz, n_fft 2048, hop 512, float32", sr=22050,
                 n_fft=2048, hop=512, setup=_music_setup, quick=True, floor=True),
        _stft_op("stft_speech", "speech front end: stft, 60 s of speech @ 16 kHz, n_fft 400, hop 160",
                 sr=16000, n_fft=400, hop=160, setup=_speech16k_setup, quick=False, floor=False,
                 latency=False),
        _istft_op(),
        *_mel_ops(),
        _resample_op(),
        *load_ops(),
        *_rfft_ops(),
        *_wavelet_ops(),
        *wavelet2d_ops(),
        _image_op(),
        _text_op(),
        *feature_ops(),
        *_gpu_ops(),
    ]
    return ops


def get_op(name: str) -> Op:
    for op in all_ops():
        if op.name == name:
            return op
    raise KeyError(name)


def select(ops: list[Op], *, only: list[str] | None, quick: bool, device: str) -> list[Op]:
    """Filter by --only (names or families), --quick and --device."""
    out = []
    for op in ops:
        if op.device == "gpu" and device != "gpu":
            continue
        if only:
            if op.name not in only and op.family not in only:
                continue
        elif quick and not op.quick and op.device == "cpu":
            continue
        out.append(op)
    return out
