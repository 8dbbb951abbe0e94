"""Shapes of work besides one 60 s signal: one short clip per call (the DataLoader case), the
same right after BLAS work, batches of short clips, long signals, and one thread against two.

* ``*_clip``: 1 s at 16 kHz, one call each (per-call overhead: validation, plans, threads);
  ``melspectrogram_clip_after_blas`` times each call right after an untimed 300x300 matmul on
  both sides (OpenBLAS's threads, still spinning, and ours share the 2 cores).
* ``*_batch``: (64, 16000) and (256, 48000) float32 clips, against librosa (which loops over
  nothing: it takes the batch as leading axes) and torch.stft (+ the dense mel product).
* ``*_long``: 10 minutes at 44.1 kHz float32 (time and, in the fresh-process memory run, peak
  memory against the output's size).
* each operation also has ``dsp, 1 thread`` as a peer: ours/that is 1 / the 2-thread speed-up.

Examples
--------
>>> from benchmarks.ops.shapes import shape_ops
>>> [op.name for op in shape_ops()][:3]
['stft_clip', 'melspectrogram_clip', 'mfcc_clip']
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..registry import Impl, Op, dsp_name
from .common import torch_stft, torch_tensor, torch_window

SR = 16000
SPEECH = dict(n_fft=400, hop_length=160)  # the speech front end
N_MELS = 80


def one_thread(make):
    """``make``'s call run with Numba's threads set to 1 in the calling thread (then restored)."""
    def make_1(inp):
        import numba

        f = make(inp)

        def run():
            prev = numba.get_num_threads()
            numba.set_num_threads(1)
            try:
                return f()
            finally:
                numba.set_num_threads(prev)

        return run

    return make_1


def _clip_setup(p):
    return {"y": data.tiled_clip("speech16k", 1.0, np.float32)[0]}


def _batch_setup(rows, seconds):
    def setup(p):
        y = data.tiled_clip("speech16k", rows * seconds, np.float32)[0]
        return {"y": np.ascontiguousarray(y[: rows * int(seconds * SR)].reshape(rows, -1))}
    return setup


def _long_setup(p):
    return {"y": data.music(600.0 if p.name == "full" else 60.0, 44100, np.float32)}


def _ours_and_librosa(calls, *, peers=()):
    """Impl list: dsp, its 1-thread variant, librosa (``calls`` = {name: (ours, librosa)})."""
    ours, lib = calls
    return [Impl("dsp", ours[1], ours=dsp_name(ours[0])),
            Impl("dsp, 1 thread", one_thread(ours[1]), note="numba.set_num_threads(1): ours/this = 1 / speed-up"),
            Impl("librosa", lib, requires=("librosa",)), *peers]


def _stft(kw):
    def ours(inp):
        import dsp
        y = inp["y"]
        return lambda: dsp.stft(y, **kw)

    def lib(inp):
        import librosa
        y = inp["y"]
        return lambda: librosa.stft(y, **kw)

    def torch_(inp):
        yt = torch_tensor(inp["y"])
        w = torch_window(kw["n_fft"], np.float32)
        return lambda: torch_stft(yt, kw["n_fft"], kw["hop_length"], w)

    def ref(inp):
        import librosa
        return librosa.stft(inp["y"].astype(np.float64), **kw)

    return ("stft", ours), lib, Impl("torch", torch_, requires=("torch",), note="torch.stft, CPU"), ref


def _mel(kw, sr):
    def ours(inp):
        import dsp
        y = inp["y"]
        return lambda: dsp.melspectrogram(y=y, sr=sr, n_mels=N_MELS, **kw)

    def lib(inp):
        import librosa
        y = inp["y"]
        return lambda: librosa.feature.melspectrogram(y=y, sr=sr, n_mels=N_MELS, **kw)

    def torch_(inp):
        import librosa
        import torch
        yt = torch_tensor(inp["y"])
        w = torch_window(kw["n_fft"], np.float32)
        mel = torch.from_numpy(librosa.filters.mel(sr=sr, n_fft=kw["n_fft"], n_mels=N_MELS))
        return lambda: mel @ (torch_stft(yt, kw["n_fft"], kw["hop_length"], w).abs() ** 2)

    def ref(inp):
        import librosa
        return librosa.feature.melspectrogram(y=inp["y"].astype(np.float64), sr=sr, n_mels=N_MELS, **kw)

    return ("melspectrogram", ours), lib, Impl("torch.stft + mel matmul", torch_, requires=("torch", "librosa")), ref


def _mfcc(kw, sr):
    def ours(inp):
        import dsp
        y = inp["y"]
        return lambda: dsp.mfcc(y=y, sr=sr, n_mels=N_MELS, **kw)

    def lib(inp):
        import librosa
        y = inp["y"]
        return lambda: librosa.feature.mfcc(y=y, sr=sr, n_mels=N_MELS, **kw)

    def ref(inp):
        import librosa
        return librosa.feature.mfcc(y=inp["y"].astype(np.float64), sr=sr, n_mels=N_MELS, **kw)

    return ("mfcc", ours), lib, None, ref


def _wavedec():
    def ours(inp):
        import dsp
        y = inp["y"]
        return lambda: dsp.wavedec(y, "db4", level=5)

    def pywt_(inp):
        import pywt
        y = inp["y"]
        return lambda: pywt.wavedec(y, "db4", level=5)

    def ref(inp):
        import pywt
        return np.concatenate(pywt.wavedec(inp["y"].astype(np.float64), "db4", level=5), axis=-1)

    return ("wavedec", ours), pywt_, ref


def _resample(sr, target):
    """``(ours, librosa)`` makers of ``sr -> target`` (both rates bound here: a lambda that read
    them from shape_ops' loop variables took the last op's rates, 16 -> 16 kHz for the clip)."""
    def ours(inp):
        import dsp
        y = inp["y"]
        return lambda: dsp.resample(y, orig_sr=sr, target_sr=target)

    def lib(inp):
        import librosa
        y = inp["y"]
        return lambda: librosa.resample(y, orig_sr=sr, target_sr=target, res_type="soxr_hq")

    return ours, lib


def _op(name, title, setup, impls, reference, params, *, ref_label, view=None):
    notes = ["'dsp, 1 thread' is ours with numba.set_num_threads(1): ours/it below 1 is the "
             "2-thread speed-up"]
    return Op(name, "shapes", title, setup, impls, reference, ref_label, params=params,
              latency=False, notes=notes)


def shape_ops() -> list[Op]:
    ops = []
    concat = lambda out: np.concatenate(out, axis=-1)  # noqa: E731  wavedec's list of bands

    # -- one 1 s clip per call, at 16 kHz ----------------------------------------------------------
    clip = lambda p: {"seconds": 1.0, "sr": SR, "dtype": "float32", **SPEECH}  # noqa: E731
    o, lib, torch_impl, ref = _stft(SPEECH)
    ops.append(_op("stft_clip", "stft of one 1 s clip @ 16 kHz (n_fft 400, hop 160), one call",
                   _clip_setup, _ours_and_librosa((o, lib), peers=(torch_impl,)), ref, clip,
                   ref_label="librosa.stft (float64)"))
    o, lib, torch_impl, ref = _mel(SPEECH, SR)
    ops.append(_op("melspectrogram_clip", "melspectrogram (80 mels) of one 1 s clip @ 16 kHz, one call",
                   _clip_setup, _ours_and_librosa((o, lib), peers=(torch_impl,)), ref, clip,
                   ref_label="librosa melspectrogram (float64)"))
    o, lib, _, ref = _mfcc(SPEECH, SR)
    ops.append(_op("mfcc_clip", "mfcc (80 mels, 20 coefficients) of one 1 s clip @ 16 kHz, one call",
                   _clip_setup, _ours_and_librosa((o, lib)), ref, clip, ref_label="librosa mfcc (float64)"))
    o, pw, ref = _wavedec()
    ops.append(_op("wavedec_clip", "wavedec db4 level 5 of one 1 s clip @ 16 kHz, one call", _clip_setup,
                   [Impl("dsp", o[1], ours=dsp_name("wavedec"), view=concat),
                    Impl("dsp, 1 thread", one_thread(o[1]), view=concat),
                    Impl("pywt", pw, requires=("pywt",), view=concat)],
                   ref, clip, ref_label="pywt.wavedec (float64), bands concatenated"))
    ro, rl = _resample(SR, 8000)
    ops.append(_op("resample_clip", "resample 16 -> 8 kHz of one 1 s clip, one call", _clip_setup,
                   [Impl("dsp", ro, ours=dsp_name("resample")),
                    Impl("dsp, 1 thread", one_thread(ro)),
                    Impl("librosa soxr_hq", rl, requires=("librosa", "soxr"))],
                   None, clip, ref_label=""))

    # -- the same right after BLAS work ----------------------------------------------------------------
    # The call is timed as it runs right after a 300x300 NumPy matmul, which is off the clock
    # (Impl.before): OpenBLAS's worker threads keep spinning after the matmul returns, so every
    # timed call shares the 2 cores with them, and the ratio is of the two calls themselves.
    def matmul(inp):
        a = np.random.default_rng(0).standard_normal((300, 300))
        return lambda: a @ a

    o, lib, _, ref = _mel(SPEECH, SR)
    ops.append(_op("melspectrogram_clip_after_blas",
                   "melspectrogram of one 1 s clip @ 16 kHz, each call right after a 300x300 matmul (untimed)",
                   _clip_setup,
                   [Impl("dsp", o[1], ours=dsp_name("melspectrogram"), before=matmul,
                         note="right after the matmul"),
                    Impl("dsp, 1 thread", one_thread(o[1]), before=matmul, note="right after the matmul"),
                    Impl("librosa", lib, requires=("librosa",), before=matmul, note="right after the matmul")],
                   ref, clip, ref_label="librosa melspectrogram (float64)"))

    # -- batches of short clips -------------------------------------------------------------------------
    for rows, seconds in ((64, 1.0), (256, 3.0)):
        bp = lambda p, r=rows, s=seconds: {"batch": [r, int(s * SR)], "sr": SR, "dtype": "float32", **SPEECH}  # noqa: E731
        o, lib, torch_impl, ref = _stft(SPEECH)
        ops.append(_op(f"stft_batch_{rows}", f"stft of a batch of {rows} x {seconds:g} s clips @ 16 kHz",
                       _batch_setup(rows, seconds), _ours_and_librosa((o, lib), peers=(torch_impl,)), ref, bp,
                       ref_label="librosa.stft (float64)"))
        o, lib, torch_impl, ref = _mel(SPEECH, SR)
        ops.append(_op(f"melspectrogram_batch_{rows}",
                       f"melspectrogram (80 mels) of a batch of {rows} x {seconds:g} s clips @ 16 kHz",
                       _batch_setup(rows, seconds), _ours_and_librosa((o, lib), peers=(torch_impl,)), ref, bp,
                       ref_label="librosa melspectrogram (float64)"))

    # -- long signals ------------------------------------------------------------------------------------
    lp = lambda p: {"seconds": 600.0 if p.name == "full" else 60.0, "sr": 44100, "dtype": "float32"}  # noqa: E731
    music = dict(n_fft=2048, hop_length=512)
    o, lib, torch_impl, ref = _stft(music)
    ops.append(_op("stft_long", "stft of 10 min @ 44.1 kHz (n_fft 2048, hop 512), float32", _long_setup,
                   _ours_and_librosa((o, lib), peers=(torch_impl,)), None, lp, ref_label=""))
    o, lib, _, ref = _mel(music, 44100)
    ops.append(_op("melspectrogram_long", "melspectrogram (80 mels) of 10 min @ 44.1 kHz, float32",
                   _long_setup, _ours_and_librosa((o, lib)), None, lp, ref_label=""))
    o, pw, _ = _wavedec()
    ops.append(_op("wavedec_long", "wavedec db4 level 5 of 10 min @ 44.1 kHz, float32", _long_setup,
                   [Impl("dsp", o[1], ours=dsp_name("wavedec"), view=concat),
                    Impl("dsp, 1 thread", one_thread(o[1]), view=concat),
                    Impl("pywt", pw, requires=("pywt",), view=concat)], None, lp, ref_label=""))
    ro, rl = _resample(44100, 16000)
    ops.append(_op("resample_long", "resample 44.1 -> 16 kHz of 10 min, float32", _long_setup,
                   [Impl("dsp", ro, ours=dsp_name("resample")),
                    Impl("dsp, 1 thread", one_thread(ro)),
                    Impl("librosa soxr_hq", rl, requires=("librosa", "soxr"))],
                   None, lp, ref_label=""))
    return ops
