"""The GPU axis of the operations: batch sizes, the device, and the runnable GPU operation made
from an op's :class:`~benchmarks.registry.GpuTwin`.

``python -m benchmarks --device gpu`` and ``make gpu-check`` (:mod:`benchmarks.gpu_ops`) both run
:func:`gpu_op`: the first with sizes taken from its profile (:func:`sizes_for`), the second with
:data:`FULL` (or :data:`SIM` under Numba's CUDA simulator, where NumPy arrays are routed to the
GPU kernels and peers that need a CUDA device are recorded as unavailable with the reason).

Examples
--------
>>> from benchmarks.devices import SIM, Device
>>> dev = Device(simulate=True)  # NumPy in, NumPy out: no CuPy imported
>>> dev.put([1.0, 2.0]).tolist(), dev.sync_kind
([1.0, 2.0], None)
>>> SIM.batch, SIM.n_fft
(2, 16)
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from . import data
from .registry import GpuTwin, Impl, Op, Profile, flatten, peak_relative_error_of_lists, to_numpy


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
    fft_sizes: tuple[int, ...] = ()
    fft_rows: int = 0  # frames in the FFT batch (0: as the STFT of the batch)
    cqt_bins: int = 84  # librosa's default CQT: 7 octaves from C1
    cqt_fmin: float | None = None
    cqt_hop: int = 0  # 0: the STFT's hop


FULL = Sizes("full", batch=256, seconds=10.0, sr=22050, n_fft=2048, hop=512, n_mels=128, n_mfcc=20,
             level=5, images=256, side=512, rows=2, repeat=7, budget_s=6.0,
             fft_sizes=(2048, 1024, 512, 400), fft_rows=0)
# seconds of simulator work per op: the simulator runs every CUDA thread as Python
SIM = Sizes("simulated", batch=2, seconds=0.012, sr=22050, n_fft=16, hop=8, n_mels=4, n_mfcc=3,
            level=2, images=2, side=16, rows=1, repeat=1, budget_s=0.5,
            fft_sizes=(32, 12), fft_rows=4,
            # one octave from sr / 8: C1's filters are thousands of samples long, far beyond the
            # simulated clip, and the simulator runs every tap as Python (tests/gpu covers the
            # octave recursion); a hop of 64, 5 frames a clip instead of 34: the simulator runs
            # each of the frames' FFT butterflies as a Python thread (the op took 77 s of the
            # dry run's 122 s bench step at hop 8, 14 s at 64)
            cqt_bins=12, cqt_fmin=22050 / 8, cqt_hop=64)


def sizes_for(p: Profile) -> Sizes:
    """The GPU section's sizes under a ``python -m benchmarks`` profile: librosa's defaults on
    ``p.gpu_batch`` clips of ``p.gpu_seconds``, as many images of up to 512 x 512."""
    return Sizes(p.name, batch=p.gpu_batch, seconds=p.gpu_seconds, sr=22050, n_fft=2048, hop=512,
                 n_mels=128, n_mfcc=20, level=5, images=p.gpu_batch, side=min(512, p.image),
                 rows=2, repeat=p.repeat, budget_s=p.budget_s)


def profile_of(s: Sizes) -> Profile:
    """A :class:`Profile` carrying ``s``'s effort, for :func:`benchmarks.cli.run_op`."""
    return Profile(f"gpu-check-{s.name}", s.seconds, s.batch, s.seconds, 0, 0, s.side, 0,
                   s.batch, s.seconds, repeat=s.repeat, budget_s=s.budget_s, memory="none",
                   latency="none", memory_ops=(), latency_ops=(), heavy=True)


class Device:
    """CuPy on a GPU; under the simulator NumPy arrays routed to the GPU kernels. CuPy is
    imported on first use, so declaring GPU operations costs nothing on a CPU-only machine."""

    def __init__(self, simulate: bool):
        self.simulate = simulate

    @property
    def cp(self):
        import cupy

        return cupy

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


def clips(s: Sizes) -> np.ndarray:
    """``s.batch`` clips of music, ``s.seconds`` long, gains from 0.5 to 1 (float32)."""
    n = int(round(s.seconds * s.sr))
    base = data.music(s.seconds, s.sr, np.float32, channels=min(8, s.batch), seed=5)[:, :n]
    reps = -(-s.batch // base.shape[0])
    gains = np.linspace(0.5, 1.0, s.batch, dtype=np.float32)[:, None]
    return np.ascontiguousarray(np.tile(base, (reps, 1))[: s.batch] * gains)


def images(s: Sizes) -> np.ndarray:
    rng = np.random.default_rng(11)
    return rng.random((s.images, s.side, s.side)).astype(np.float32)


def batch_of(twin: GpuTwin, s: Sizes, shared: dict) -> np.ndarray:
    """The host batch of a twin (built once per ``shared`` dict: ops of a run reuse it)."""
    key = "images" if twin.images else "clips"
    if key not in shared:
        shared[key] = images(s) if twin.images else clips(s)
    return shared[key]


def _view_head(rows):
    """A result's first rows as NumPy: one array, or a flat list for multi-array results."""
    def view(out):
        if isinstance(out, (list, tuple)):
            return [np.asarray(to_numpy(o))[:rows] for o in flatten(out)]
        return to_numpy(out)[:rows]

    return view


def gpu_op(op: Op, s: Sizes, dev: Device, shared: dict | None = None) -> Op:
    """The runnable GPU operation ``gpu_<op.name>`` of ``op``'s twin: ours on the device batch,
    then the twin's peers, parity on the first ``s.rows`` rows."""
    twin = op.gpu
    if twin is None:
        raise ValueError(f"{op.name} has no GPU implementation")
    shared = {} if shared is None else shared

    def setup(profile):
        return {"y": batch_of(twin, s, shared)}

    def make_ours(inp):
        import dsp

        f = getattr(dsp, twin.fn)
        x = dev.put(inp["y"])
        if twin.prepare is not None:
            x = twin.prepare(x, dev, s)
        dev.sync()

        def run():
            with dev.context():
                return twin.call(f, x, s)

        return run

    # a real run needs CuPy for ours; the simulator routes NumPy arrays instead
    impls = [Impl("dsp (GPU)", make_ours, ours=f"dsp.{twin.fn}", gpu=dev.sync_kind,
                  requires=() if dev.simulate else ("cupy",), view=_view_head(s.rows))]
    for peer in twin.peers:
        requires = peer.requires
        if dev.simulate and peer.gpu is not None:
            # the simulator has no CUDA device: never attempted, recorded with the reason
            requires = ("<a CUDA device: the simulator has none>",) + requires
        impls.append(Impl(peer.name, (lambda m: lambda inp: m(inp, s, dev))(peer.make),
                          requires=requires, gpu=peer.gpu, comparable=peer.comparable,
                          note=peer.note, view=_view_head(s.rows)))

    reference = None
    if twin.reference is not None:
        def reference(inp):
            return twin.reference(inp["y"][: s.rows].astype(np.float64), s)

    return Op(f"gpu_{op.name}", f"gpu_{op.name}", f"GPU: {twin.title}", setup, impls,
              reference=reference, ref_label=twin.ref_label, compare=peak_relative_error_of_lists,
              device="gpu", latency=False, parity_rows=s.rows,
              params=lambda p: {"batch": s.images if twin.images else s.batch,
                                "seconds": None if twin.images else s.seconds,
                                "side": s.side if twin.images else None, "sr": s.sr,
                                "n_fft": s.n_fft, "hop_length": s.hop, "dtype": "float32",
                                "sizes": s.name})
