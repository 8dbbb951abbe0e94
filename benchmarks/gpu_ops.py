"""The GPU benchmark and FFT sections of ``make gpu-check`` (issue 23), run in a child process.

``python -m benchmarks.gpu_ops bench --json PATH [--simulate]`` times our functions on a device
batch (256 ten-second clips at 22.05 kHz) against torch/torchaudio on the same GPU,
``cupyx.scipy.signal`` and PyWavelets on the host; ``... fft --json PATH`` times our numba.cuda
FFT against cuFFT at the STFT sizes. The JSON is rewritten after every operation, so a step
killed at its time limit still leaves what it measured.

Every operation records, beside the timings and ratios of :func:`benchmarks.cli.run_op` (which
does the alternating rounds and the parity against the float64 reference):

- ``transfers``: host->device of the input batch and device->host of our result, timed apart
  (the kernel timings start from device-resident input and never copy back);
- ``cpu_vs_gpu``: our GPU result against our CPU path on the same first rows, with the float32
  tolerance of ``tests/tolerances.py`` (peak-relative 1e-5) and whether it holds.

With ``--simulate`` (``NUMBA_ENABLE_CUDASIM=1``, set by the parent) the same code runs on tiny
inputs with NumPy arrays routed to the GPU kernels: peers that need a CUDA device are recorded as
unavailable with the reason, so the script is exercised end to end on any machine.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import data, harness, ops, report

#: the float32 tolerance of tests/tolerances.py (peak-relative), for the CPU-vs-GPU check
RTOL_F32 = 1e-5


@dataclass(frozen=True)
class Sizes:
    name: str
    batch: int  # clips
    seconds: float
    sr: int
    n_fft: int
    hop: int
    n_mels: int
    n_mfcc: int
    level: int  # wavedec levels
    images: int  # dwt2 batch
    side: int  # dwt2 image side
    rows: int  # parity rows
    repeat: int
    budget_s: float  # per operation
    fft_sizes: tuple[int, ...]
    fft_rows: int  # frames in the FFT batch (None: as the STFT of the batch)


FULL = Sizes("full", batch=256, seconds=10.0, sr=22050, n_fft=2048, hop=512, n_mels=128, n_mfcc=20,
             level=5, images=256, side=512, rows=2, repeat=7, budget_s=6.0,
             fft_sizes=(2048, 1024, 512, 400), fft_rows=0)
# seconds of simulator work per op: the simulator runs every CUDA thread as Python
SIM = Sizes("simulated", batch=2, seconds=0.012, sr=22050, n_fft=16, hop=8, n_mels=4, n_mfcc=3,
            level=2, images=2, side=16, rows=1, repeat=1, budget_s=0.5,
            fft_sizes=(32, 12), fft_rows=4)


def _profile(s: Sizes) -> ops.Profile:
    return ops.Profile(f"gpu-check-{s.name}", s.seconds, s.batch, s.seconds, 0, 0, s.side, 0,
                       s.batch, s.seconds, repeat=s.repeat, budget_s=s.budget_s, memory="none",
                       latency="none", memory_ops=(), latency_ops=(), heavy=True)


class Device:
    """CuPy on a GPU; under the simulator NumPy arrays routed to the GPU kernels."""

    def __init__(self, simulate: bool):
        self.simulate = simulate
        if not simulate:
            import cupy

            self.cp = cupy

    def put(self, a):
        return np.array(a, copy=True) if self.simulate else self.cp.asarray(a)

    def get(self, a):
        if isinstance(a, (list, tuple)):
            return [self.get(x) for x in a]
        return np.asarray(a) if self.simulate else self.cp.asnumpy(a)

    def sync(self) -> None:
        if not self.simulate:
            self.cp.cuda.Device().synchronize()

    def context(self):
        if self.simulate:
            from dsp._simulator import simulated_gpu

            return simulated_gpu()
        return contextlib.nullcontext()

    @property
    def sync_kind(self):
        return None if self.simulate else "cupy"


def _nbytes(x) -> int:
    if isinstance(x, (list, tuple)):
        return sum(_nbytes(v) for v in x)
    return int(x.nbytes)


def _median_time(fn, sync, n=3) -> float:
    samples = []
    for _ in range(n):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        samples.append(time.perf_counter() - t0)
    return float(np.median(samples))


# ------------------------------------------------------------------------------------------
# the operations


def _clips(s: Sizes) -> np.ndarray:
    n = int(round(s.seconds * s.sr))
    base = data.music(s.seconds, s.sr, np.float32, channels=min(8, s.batch), seed=5)[:, :n]
    reps = -(-s.batch // base.shape[0])
    gains = np.linspace(0.5, 1.0, s.batch, dtype=np.float32)[:, None]
    return np.ascontiguousarray(np.tile(base, (reps, 1))[: s.batch] * gains)


def _images(s: Sizes) -> np.ndarray:
    rng = np.random.default_rng(11)
    return rng.random((s.images, s.side, s.side)).astype(np.float32)


@dataclass
class Spec:
    """One GPU operation: how to call ours (device in, device out) and on the CPU, the peers."""

    name: str
    title: str
    fn: str  # dsp function name (missing -> 'not available yet')
    call: object  # (dsp_fn, x_device_or_host, sizes) -> result
    prepare: object = None  # (x, dev, sizes) -> ours' input (on the device), untimed
    prepare_cpu: object = None  # (x_host, sizes) -> the CPU path's input
    reference: object = None  # (head float64, sizes) -> reference
    ref_label: str = ""
    peers: tuple = ()  # (name, make(inp, sizes, dev) -> fn, requires, gpu kind, comparable, note)
    images: bool = False


def _flat(x) -> list:
    """Arrays of a result, nested lists/tuples flattened (pywt.dwt2's (cA, (cH, cV, cD)))."""
    if isinstance(x, (list, tuple)):
        return [a for v in x for a in _flat(v)]
    return [x]


def _view_head(rows):
    """A result's first rows as NumPy: one array, or a flat list for multi-array results."""
    def view(out):
        if isinstance(out, (list, tuple)):
            return [np.asarray(ops.to_numpy(o))[:rows] for o in _flat(out)]
        return ops.to_numpy(out)[:rows]

    return view


def _specs() -> list[Spec]:
    def stft(f, x, s):
        return f(x, n_fft=s.n_fft, hop_length=s.hop)

    def melspec(f, x, s):
        return f(y=x, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop, n_mels=s.n_mels)

    def mfcc(f, x, s):
        return f(y=x, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop, n_mels=s.n_mels, n_mfcc=s.n_mfcc)

    def stft_of(x, dev, s):  # istft's input: our spectrogram, made on the device
        import dsp

        with dev.context():
            return dsp.stft(x, n_fft=s.n_fft, hop_length=s.hop)

    def stft_cpu(x, s):
        import dsp

        return dsp.stft(x, n_fft=s.n_fft, hop_length=s.hop)

    def istft(f, S, s):
        return f(S, hop_length=s.hop, n_fft=s.n_fft, length=int(round(s.seconds * s.sr)))

    def wavedec(f, x, s):
        return f(x, "db4", level=s.level)

    def dec_of(x, dev, s):
        import dsp

        with dev.context():
            return dsp.wavedec(x, "db4", level=s.level)

    def dec_cpu(x, s):
        import dsp

        return dsp.wavedec(x, "db4", level=s.level)

    def waverec(f, c, s):
        return f(c, "db4")

    def resample(f, x, s):
        return f(x, orig_sr=s.sr, target_sr=16000)

    def cqt(f, x, s):
        return f(x, sr=s.sr, hop_length=s.hop)

    def dwt2(f, x, s):
        return f(x, "db4")

    # references (float64, first rows)
    def ref_stft(h, s):
        import librosa

        return librosa.stft(h, n_fft=s.n_fft, hop_length=s.hop)

    def ref_mel(h, s):
        import librosa

        return librosa.feature.melspectrogram(y=h, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop,
                                              n_mels=s.n_mels)

    def ref_mfcc(h, s):
        import librosa

        return librosa.feature.mfcc(y=h, sr=s.sr, n_fft=s.n_fft, hop_length=s.hop,
                                    n_mels=s.n_mels, n_mfcc=s.n_mfcc)

    def ref_dec(h, s):
        import pywt

        return pywt.wavedec(h, "db4", level=s.level)

    def ref_identity(h, s):  # a round trip reconstructs the signal
        return h

    def ref_rec(h, s):
        import pywt

        return pywt.waverec(pywt.wavedec(h, "db4", level=s.level), "db4")

    def ref_dwt2(h, s):
        import pywt

        cA, (cH, cV, cD) = pywt.dwt2(h, "db4")
        return [cA, cH, cV, cD]

    # peers
    def torch_cuda(x):
        return ops._torch_tensor(x, "cuda")

    def p_torch_stft(inp, s, dev):
        yt = torch_cuda(inp["y"])
        w = ops._torch_window(s.n_fft, np.float32, "cuda")
        return lambda: ops._torch_stft(yt, s.n_fft, s.hop, w)

    def p_cupyx_stft(inp, s, dev):
        import cupyx.scipy.signal

        yd = dev.put(inp["y"])
        return lambda: cupyx.scipy.signal.stft(yd, fs=s.sr, window="hann", nperseg=s.n_fft,
                                               noverlap=s.n_fft - s.hop, axis=-1)

    def p_torch_istft(inp, s, dev):
        import torch

        yt = torch_cuda(inp["y"])
        w = ops._torch_window(s.n_fft, np.float32, "cuda")
        S = ops._torch_stft(yt, s.n_fft, s.hop, w)
        n = yt.shape[-1]
        return lambda: torch.istft(S, s.n_fft, hop_length=s.hop, window=w, center=True, length=n)

    def p_cupyx_istft(inp, s, dev):
        import cupyx.scipy.signal

        yd = dev.put(inp["y"])
        _, _, Z = cupyx.scipy.signal.stft(yd, fs=s.sr, window="hann", nperseg=s.n_fft,
                                          noverlap=s.n_fft - s.hop, axis=-1)
        return lambda: cupyx.scipy.signal.istft(Z, fs=s.sr, window="hann", nperseg=s.n_fft,
                                                noverlap=s.n_fft - s.hop)

    def _mel_kwargs(s):
        return dict(sample_rate=s.sr, n_fft=s.n_fft, hop_length=s.hop, n_mels=s.n_mels,
                    center=True, pad_mode="constant", power=2.0, norm="slaney", mel_scale="slaney")

    def p_torch_mel_matmul(inp, s, dev):
        import librosa
        import torch

        yt = torch_cuda(inp["y"])
        w = ops._torch_window(s.n_fft, np.float32, "cuda")
        mel = torch.from_numpy(librosa.filters.mel(sr=s.sr, n_fft=s.n_fft, n_mels=s.n_mels)).cuda()
        return lambda: mel @ (ops._torch_stft(yt, s.n_fft, s.hop, w).abs() ** 2)

    def p_torchaudio_mel(inp, s, dev):
        import torchaudio

        yt = torch_cuda(inp["y"])
        t = torchaudio.transforms.MelSpectrogram(**_mel_kwargs(s)).cuda()
        return lambda: t(yt)

    def p_torchaudio_mfcc(inp, s, dev):
        import torchaudio

        yt = torch_cuda(inp["y"])
        kw = _mel_kwargs(s)
        t = torchaudio.transforms.MFCC(sample_rate=kw.pop("sample_rate"), n_mfcc=s.n_mfcc,
                                       dct_type=2, norm="ortho", log_mels=False, melkwargs=kw).cuda()
        return lambda: t(yt)

    def p_pywt_dec(inp, s, dev):
        import pywt

        y = inp["y"]
        return lambda: pywt.wavedec(y, "db4", level=s.level)

    def p_pywt_rec(inp, s, dev):
        import pywt

        c = pywt.wavedec(inp["y"], "db4", level=s.level)
        return lambda: pywt.waverec(c, "db4")

    def p_torchaudio_resample(inp, s, dev):
        import torchaudio.functional as F

        yt = torch_cuda(inp["y"])
        return lambda: F.resample(yt, s.sr, 16000)

    def p_cupyx_resample_poly(inp, s, dev):
        import math as _m

        import cupyx.scipy.signal

        g = _m.gcd(s.sr, 16000)
        yd = dev.put(inp["y"])
        return lambda: cupyx.scipy.signal.resample_poly(yd, 16000 // g, s.sr // g, axis=-1)

    def p_pywt_dwt2(inp, s, dev):
        import pywt

        x = inp["y"]
        return lambda: pywt.dwt2(x, "db4")

    torch_ = ("torch",)
    ta = ("torch", "torchaudio")
    cu = ("cupy", "cupyx.scipy.signal")
    return [
        Spec("gpu_stft", "stft of the batch, n_fft 2048, hop 512, float32", "stft", stft,
             reference=ref_stft, ref_label="librosa.stft (float64) of the first clips",
             peers=(("torch.stft (cuda)", p_torch_stft, torch_, "torch", True, ""),
                    ("cupyx.scipy.signal.stft", p_cupyx_stft, cu, "cupy", False,
                     "scipy's scaling and padding, not librosa's"))),
        Spec("gpu_istft", "istft of the batch's spectrogram, float32", "istft", istft,
             prepare=stft_of, prepare_cpu=stft_cpu, reference=ref_identity,
             ref_label="the signal itself (round trip through our stft, first clips)",
             peers=(("torch.istft (cuda)", p_torch_istft, torch_, "torch", True, ""),
                    ("cupyx.scipy.signal.istft", p_cupyx_istft, cu, "cupy", False,
                     "scipy's scaling and padding"))),
        Spec("gpu_melspectrogram", "melspectrogram of the batch, float32", "melspectrogram",
             melspec, reference=ref_mel,
             ref_label="librosa melspectrogram (float64) of the first clips",
             peers=(("torch.stft+mel matmul (cuda)", p_torch_mel_matmul, ("torch", "librosa"),
                     "torch", True, ""),
                    ("torchaudio MelSpectrogram (cuda)", p_torchaudio_mel, ta, "torch", True, ""))),
        Spec("gpu_mfcc", "mfcc of the batch, float32", "mfcc", mfcc, reference=ref_mfcc,
             ref_label="librosa mfcc (float64) of the first clips",
             peers=(("torchaudio MFCC (cuda)", p_torchaudio_mfcc, ta, "torch", True, ""),)),
        Spec("gpu_wavedec", "wavedec db4 level 5 of the batch, float32", "wavedec", wavedec,
             reference=ref_dec, ref_label="pywt.wavedec (float64) of the first clips",
             peers=(("pywt (host)", p_pywt_dec, ("pywt",), None, True, "PyWavelets on the CPU"),)),
        Spec("gpu_waverec", "waverec db4 of the batch's level-5 coefficients, float32", "waverec",
             waverec, prepare=dec_of, prepare_cpu=dec_cpu, reference=ref_rec,
             ref_label="pywt.waverec(pywt.wavedec(.)) (float64) of the first clips",
             peers=(("pywt (host)", p_pywt_rec, ("pywt",), None, True, "PyWavelets on the CPU"),)),
        Spec("gpu_resample", "resample 22.05 -> 16 kHz of the batch, float32", "resample", resample,
             ref_label="our CPU path (cpu_vs_gpu)",
             peers=(("torchaudio resample (cuda)", p_torchaudio_resample, ta, "torch", False,
                     "a different filter"),
                    ("cupyx.scipy.signal.resample_poly", p_cupyx_resample_poly, cu, "cupy", False,
                     "a different filter"))),
        Spec("gpu_cqt", "cqt of the batch, float32", "cqt", cqt),
        Spec("gpu_dwt2", "dwt2 db4 of 256 512x512 images, float32", "dwt2", dwt2, images=True,
             reference=ref_dwt2, ref_label="pywt.dwt2 (float64) of the first images",
             peers=(("pywt (host)", p_pywt_dwt2, ("pywt",), None, True, "PyWavelets on the CPU"),)),
    ]


def _as_list(x):
    return _flat(x)


def _peak_rel(ours, ref) -> float:
    ours, ref = _as_list(ours), _as_list(ref)
    if len(ours) != len(ref):
        raise ValueError(f"{len(ours)} arrays, the reference has {len(ref)}")
    errs, scale = [], 0.0
    for o, r in zip(ours, ref):
        o, r = np.asarray(o), np.asarray(r)
        if o.shape != r.shape:
            raise ValueError(f"shape {o.shape} differs from the reference's {r.shape}")
        if r.size:
            scale = max(scale, float(np.max(np.abs(r))))
            errs.append(float(np.max(np.abs(o.astype(np.complex128) - r.astype(np.complex128)))))
    err = max(errs) if errs else 0.0
    return err / scale if scale > 0 else err


def _build_op(spec: Spec, s: Sizes, dev: Device, shared: dict) -> ops.Op:
    """An :class:`ops.Op` for :func:`benchmarks.cli.run_op`, with ours and the peers."""

    def setup(profile):
        key = "images" if spec.images else "clips"
        if key not in shared:
            shared[key] = _images(s) if spec.images else _clips(s)
        return {"y": shared[key]}

    def make_ours(inp):
        import dsp

        f = getattr(dsp, spec.fn)
        x = dev.put(inp["y"])
        if spec.prepare is not None:
            x = spec.prepare(x, dev, s)
        dev.sync()

        def run():
            with dev.context():
                return spec.call(f, x, s)

        return run

    impls = [ops.Impl("dsp (GPU)", make_ours, ours=f"dsp.{spec.fn}", gpu=dev.sync_kind,
                      view=_view_head(s.rows))]
    for name, make, requires, gpu, comparable, note in spec.peers:
        if dev.simulate and gpu is not None:
            # the simulator has no CUDA device: never attempted, recorded with the reason
            requires = ("<a CUDA device: the simulator has none>",) + requires
        impls.append(ops.Impl(name, (lambda m: lambda inp: m(inp, s, dev))(make), requires=requires,
                              gpu=gpu, comparable=comparable, note=note, view=_view_head(s.rows)))

    reference = None
    if spec.reference is not None:
        def reference(inp):
            return spec.reference(inp["y"][: s.rows].astype(np.float64), s)

    op = ops.Op(spec.name, spec.name, f"GPU: {spec.title}", setup, impls, reference=reference,
                ref_label=spec.ref_label, compare=_peak_rel, device="gpu", latency=False,
                parity_rows=s.rows,
                params=lambda p: {"batch": s.images if spec.images else s.batch,
                                  "seconds": None if spec.images else s.seconds,
                                  "side": s.side if spec.images else None, "sr": s.sr,
                                  "n_fft": s.n_fft, "hop_length": s.hop, "dtype": "float32",
                                  "sizes": s.name})
    return op


def _missing_reason(impl_entry: dict) -> None:
    """Missing peers read 'unavailable: <reason>' in the JSON."""
    if not impl_entry["available"] and impl_entry["reason"]:
        r = impl_entry["reason"]
        if "<a CUDA device" in r:  # the requirement that _build_op adds under the simulator
            r = "the CUDA simulator has no CUDA device"
        impl_entry["reason"] = r if r.startswith("unavailable:") else f"unavailable: {r}"


def _extras(spec: Spec, s: Sizes, dev: Device, shared: dict, entry: dict) -> None:
    """Transfers timed apart, and our GPU result against our CPU path on the first rows."""
    import dsp

    f = getattr(dsp, spec.fn)
    host = shared["images" if spec.images else "clips"]
    x = dev.put(host)
    dev.sync()
    h2d = _median_time(lambda: dev.put(host), dev.sync)
    xin = spec.prepare(x, dev, s) if spec.prepare is not None else x
    with dev.context():
        out = spec.call(f, xin, s)
    dev.sync()
    d2h = _median_time(lambda: dev.get(out), dev.sync)
    entry["transfers"] = {
        "host_to_device_s": h2d, "host_to_device_bytes": int(host.nbytes),
        "device_to_host_s": d2h, "device_to_host_bytes": _nbytes(out),
        "note": "excluded from the kernel timings (input already on the device, result left there)",
    }
    head_gpu = [np.asarray(v)[: s.rows] for v in _as_list(dev.get(out))]
    del out, xin, x
    cpu_in = host[: s.rows]
    if spec.prepare_cpu is not None:
        cpu_in = spec.prepare_cpu(cpu_in, s)
    head_cpu = _as_list(spec.call(f, cpu_in, s))
    err = _peak_rel(head_gpu, head_cpu)
    entry["cpu_vs_gpu"] = {"rows": s.rows, "error": err, "tolerance": RTOL_F32,
                           "within_tolerance": bool(err <= RTOL_F32)}
    if spec.reference is None:  # our CPU path is then the reference
        for e in entry["impls"]:
            if e["ours"]:
                e["parity"] = {"error": err, "comparable": True, "reason": "against our CPU path"}


#: the operations that the issue's targets name go first: a step killed at its limit keeps them
ORDER = ("gpu_stft", "gpu_melspectrogram", "gpu_wavedec", "gpu_mfcc", "gpu_istft", "gpu_waverec",
         "gpu_resample", "gpu_cqt", "gpu_dwt2")


def run_bench(s: Sizes, dev: Device, json_path: Path, only=None) -> dict:
    from . import cli

    args = argparse.Namespace(repeat=None, no_memory=True, no_latency=True)
    profile = _profile(s)
    specs = sorted((sp for sp in _specs() if not only or sp.name in only or sp.fn in only),
                   key=lambda sp: ORDER.index(sp.name) if sp.name in ORDER else len(ORDER))
    progress = report.Progress(len(specs))
    record = {"section": "bench", "sizes": s.__dict__, "ops": []}
    shared: dict = {}
    for k, spec in enumerate(specs, 1):
        progress.op_start(k, spec.name)
        t0 = time.perf_counter()
        op = _build_op(spec, s, dev, shared)
        try:
            entry = cli.run_op(op, profile, args, True, progress, measure_memory=False,
                               measure_latency=False)
        except Exception as exc:  # reported, never fatal
            entry = cli._op_entry(op, profile)
            entry["status"], entry["reason"] = "error", f"{type(exc).__name__}: {exc}"
        for e in entry["impls"]:
            _missing_reason(e)
        if entry["status"] == "ok":
            try:
                _extras(spec, s, dev, shared, entry)
            except Exception as exc:
                entry["extras_error"] = f"{type(exc).__name__}: {exc}"
        entry["elapsed_s"] = time.perf_counter() - t0
        record["ops"].append(entry)
        report.write_json(record, json_path)  # partial results survive a kill at the time limit
        progress.message(f"{spec.name}: {entry['status']}"
                         + (f" ({entry['reason']})" if entry["reason"] else "")
                         + f"  {entry['elapsed_s']:.1f} s")
    progress.done()
    return record


# ------------------------------------------------------------------------------------------
# our numba.cuda FFT against cuFFT at the STFT sizes


def run_fft(s: Sizes, dev: Device, json_path: Path) -> dict:
    from dsp_kernels.gpu import fft as gfft

    from .gpu import sync_for

    record = {"section": "fft", "sizes": s.__dict__, "transforms": []}
    rng = np.random.default_rng(3)
    for n in s.fft_sizes:
        t0 = time.perf_counter()
        if s.fft_rows:
            rows = s.fft_rows
        else:  # as many frames as the STFT of the batch has (hop 512): 256 x 431
            rows = s.batch * (1 + int(round(s.seconds * s.sr)) // s.hop)
        entry = {"n": n, "rows": rows, "dtype": "float32", "kind": "rfft",
                 "pow2": n & (n - 1) == 0, "impls": {}, "ratio_own_over_cufft": None}
        x_host = rng.standard_normal((min(rows, 4), n)).astype(np.float32)
        xp = np if dev.simulate else dev.cp
        x = xp.ascontiguousarray(xp.tile(dev.put(x_host), (-(-rows // x_host.shape[0]), 1))[:rows])
        timed, results = [], {}
        for backend in ("own", "cufft"):
            if backend == "cufft" and dev.simulate:
                entry["impls"][backend] = {"available": False,
                                           "reason": "unavailable: the CUDA simulator has no cuFFT"}
                continue

            def make(b=backend):
                def run():
                    prev = gfft.set_backend(b)
                    try:
                        return gfft.rfft(x, 1.0)
                    finally:
                        gfft.set_backend(prev)
                return run

            timed.append(harness.Timed(backend, make(), sync_for(dev.sync_kind)))
        harness.time_alternating(timed, repeat=s.repeat, warmup=1, budget_s=s.budget_s)
        ref = np.fft.rfft(x_host.astype(np.float64), axis=-1)
        for t in timed:
            e = {"available": True, "error": t.error, "warm_s": None if t.error else t.warm_s,
                 "timing": None if t.error else {**harness.summarize(t.samples), "number": t.number}}
            if not t.error:
                try:
                    out = dev.get(t.fn()[: x_host.shape[0]])
                    e["parity"] = _peak_rel(out, ref)
                    e["within_tolerance"] = bool(e["parity"] <= RTOL_F32)
                    results[t.name] = t
                except Exception as exc:
                    e["parity_error"] = f"{type(exc).__name__}: {exc}"
            entry["impls"][t.name] = e
        if "own" in results and "cufft" in results:
            entry["ratio_own_over_cufft"] = harness.paired_ratio(results["own"].samples,
                                                                 results["cufft"].samples)["ratio"]
        del x
        entry["elapsed_s"] = time.perf_counter() - t0
        record["transforms"].append(entry)
        report.write_json(record, json_path)
        own = entry["impls"].get("own", {}).get("timing") or {}
        print(f"fft n={n} rows={rows}: own {own.get('median_s')}, "
              f"own/cuFFT {entry['ratio_own_over_cufft']}  ({entry['elapsed_s']:.1f} s)",
              file=sys.stderr, flush=True)
    return record


# ------------------------------------------------------------------------------------------
# warm the CPU JIT cache in parallel, before the tests and the bench need the CPU path


class _Sizes:
    """Stands in for tests/gpu's ``device`` fixture where only its sizes are used."""

    def __init__(self, full: bool):
        self.full = full

    def size(self, small, full):
        return full if self.full else small


def _warm_one(task):
    name, dtype, full = task
    t0 = time.perf_counter()
    try:
        from tests.gpu.test_gpu_dispatch import CASES, _signal

        d = _Sizes(full)
        CASES[name](d, _signal(d, np.dtype(dtype)))
        err = None
    except Exception as exc:  # reported; the test step will say more
        err = f"{type(exc).__name__}: {exc}"[:300]
    return {"case": name, "dtype": dtype, "elapsed_s": time.perf_counter() - t0, "error": err}


def run_warm(simulate: bool, json_path: Path) -> dict:
    """Compile (or load from Numba's on-disk cache) the CPU kernels that the GPU tests compare
    with: every case of tests/gpu/test_gpu_dispatch.py on the CPU, in parallel processes. A cold
    cache costs minutes in one process (istft alone about 40 s on 2 cores) and would eat the test
    step's time; in parallel it costs about the longest single compilation."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from tests.gpu.test_gpu_dispatch import CASES

    names = ["stft", "wavedec"] if simulate else sorted(CASES)
    dtypes = ["float32"] if simulate else ["float32", "float64"]
    # the slow compilations first, so that they do not start last
    slow = ("istft", "mfcc", "melspectrogram", "stft", "rfft", "irfft", "fft")
    tasks = [(n, dt, not simulate) for n in sorted(names, key=lambda n: (n not in slow, n)) for dt in dtypes]
    workers = max(1, min(len(tasks), (os.cpu_count() or 2) - 1, 15))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as ex:
        results = list(ex.map(_warm_one, tasks))
    record = {"section": "warm", "workers": workers, "tasks": results,
              "wall_s": time.perf_counter() - t0}
    report.write_json(record, json_path)
    worst = max(results, key=lambda r: r["elapsed_s"])
    errors = [r for r in results if r["error"]]
    print(f"warm: {len(results)} CPU cases in {record['wall_s']:.1f} s on {workers} processes "
          f"(slowest {worst['case']} {worst['dtype']} {worst['elapsed_s']:.1f} s); "
          f"{len(errors)} errors", file=sys.stderr, flush=True)
    for r in errors:
        print(f"  {r['case']} {r['dtype']}: {r['error']}", file=sys.stderr)
    return record


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.gpu_ops")
    p.add_argument("section", choices=("warm", "bench", "fft"))
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--simulate", action="store_true",
                   help="tiny sizes under Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1 must be set)")
    p.add_argument("--only", action="append", help="operation names (bench)")
    args = p.parse_args(argv)
    if args.simulate and os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
        p.error("--simulate needs NUMBA_ENABLE_CUDASIM=1 in the environment")
    if args.section == "warm":  # CPU only: no device needed
        run_warm(args.simulate, args.json)
        return 0
    s = SIM if args.simulate else FULL
    dev = Device(args.simulate)
    if args.section == "bench":
        run_bench(s, dev, args.json, only=args.only)
    else:
        run_fft(s, dev, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
