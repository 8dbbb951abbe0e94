"""How a benchmark operation is declared, looked up and filtered (the operations themselves live in
:mod:`benchmarks.ops`, one module per domain).

An :class:`Op` builds its input with NumPy only (``setup``), so a fresh child process can rebuild it
before importing the library it measures. Each :class:`Impl` is *made* from that input: ``make``
imports its library, does the untimed preparation (tensors, windows, framed data) and returns the
zero-argument call that is timed. Ours is included only when ``dsp``/``pyramids`` has the function
(``ours`` names it), a peer only when its modules are installed (``requires``); anything missing is
reported, never fatal.

The device is an axis of each operation: an :class:`Op` lists its CPU implementations in
``impls`` and, where dsp has a GPU path for it, declares it in ``gpu`` (a :class:`GpuTwin`: how
ours is called on a device batch, its reference and its GPU peers). :mod:`benchmarks.devices`
turns a twin into a runnable GPU operation, named ``gpu_<name>``, for ``python -m benchmarks
--device gpu`` and for ``make gpu-check`` alike: there is no second catalogue. An op without CPU
implementations (``impls=[]``) is GPU-only (cqt, dwt2: no CPU benchmark yet).

Parity is the peak-relative error ``max|ours - ref| / max|ref|`` against a reference computed in
float64 where the reference library allows it (``reference``), for ours and for every comparable
peer, so the table shows how far each implementation is from the same truth.

Examples
--------
>>> import numpy as np
>>> from benchmarks.registry import Impl, Op, select
>>> op = Op("neg", "neg", "negation", lambda p: {"x": np.ones(3)},
...         [Impl("numpy", lambda inp: (lambda: -inp["x"]))])
>>> [o.name for o in select([op], only=["neg"], quick=False, device="cpu")]
['neg']
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

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
# declarations


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
    # untimed work run right before every timed call (the interleaved case: the call is timed
    # as it runs just after that work, which is not on its clock); ``before(inp)`` returns it
    before: Callable[[dict], Callable[[], Any]] | None = None

    @property
    def is_ours(self) -> bool:
        return self.ours is not None


@dataclass(frozen=True)
class GpuPeer:
    """A peer of a GPU twin: ``make(inp, sizes, device)`` returns the timed call."""

    name: str
    make: Callable
    requires: tuple[str, ...] = ()
    gpu: str | None = None  # 'cupy' or 'torch' (needs a CUDA device); None: runs on the host
    comparable: bool = True
    note: str = ""


@dataclass(frozen=True)
class GpuTwin:
    """The GPU side of an operation: dsp's ``fn`` on a device batch of clips (or images).

    ``call(dsp_fn, x, sizes)`` runs ours on ``x`` (device or host: the same call serves the
    CPU-vs-GPU check); ``prepare(x, device, sizes)`` / ``prepare_cpu(x, sizes)`` turn the batch
    into ours' input, untimed (istft takes our spectrogram); ``reference(head, sizes)`` is the
    float64 truth of the first rows (None: our CPU path is the reference). Sizes are a
    :class:`benchmarks.devices.Sizes`.
    """

    fn: str  # dsp function name (missing -> 'not available yet')
    title: str
    call: Callable
    prepare: Callable | None = None
    prepare_cpu: Callable | None = None
    reference: Callable | None = None
    ref_label: str = ""
    peers: tuple[GpuPeer, ...] = ()
    images: bool = False  # a batch of images instead of clips


@dataclass
class Op:
    name: str
    family: str  # what --only also matches (e.g. 'stft' selects stft and stft_speech)
    title: str
    setup: Callable[[Profile], dict]
    impls: list[Impl]  # on the CPU ([]: a GPU-only operation)
    reference: Callable[[dict], Any] | None = None
    ref_label: str = ""
    compare: Callable[[np.ndarray, np.ndarray], float] | None = None
    params: Callable[[Profile], dict] = lambda p: {}
    quick: bool = False  # in the --quick subset
    device: str = "cpu"  # the device this (runnable) operation runs on
    latency: bool = True  # measure first-call latency (families share kernels: once is enough)
    parity_rows: int | None = None  # compare only the first rows (big GPU batches)
    notes: list[str] = field(default_factory=list)
    gpu: GpuTwin | None = None  # the same operation on the GPU, where dsp has it

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


def dsp_name(name: str) -> str:
    """The dotted public name of ``dsp.<name>`` (what :attr:`Impl.ours` holds)."""
    return f"dsp.{name}"


# --------------------------------------------------------------------------------------------
# look-up and availability


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


def find(ops: list[Op], name: str) -> Op:
    """The operation called ``name`` (KeyError when there is none)."""
    for op in ops:
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


# --------------------------------------------------------------------------------------------
# parity


def flatten(x) -> list:
    """Arrays of a result, nested lists/tuples flattened (pywt.dwt2's (cA, (cH, cV, cD)))."""
    if isinstance(x, (list, tuple)):
        return [a for v in x for a in flatten(v)]
    return [x]


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


def peak_relative_error_of_lists(ours, ref) -> float:
    """:func:`peak_relative_error` over results made of several arrays (each pair of the same
    shape), relative to the largest magnitude of any reference array."""
    ours, ref = flatten(ours), flatten(ref)
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
