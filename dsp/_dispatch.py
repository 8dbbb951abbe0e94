"""The dispatch table: every kernel entry point that dsp calls, named once, per backend.

A dsp function validates its arguments, then asks this table for the kernel of an operation
where its data lives::

    kernel_for("stft", y2)(y2, **params)   # dsp_kernels.cpu.spectral:stft or .gpu.spectral:stft

``OPS`` maps the operation's name to its CPU entry, its GPU entry (``None``: CPU only, the caller
keeps such data on the host) and whether the CPU kernel also writes into a caller's ``out=``
(the GPU twins are out-of-place only; dsp copies into a CuPy ``out``). dsp converts arguments
to the dtypes a kernel takes before dispatching (see each kernel's docstring). Entries are
``"module:function"`` strings resolved on first use, so ``import dsp`` never imports the
kernels, CuPy or numba.cuda.
This is the one place that names a kernel entry point: to follow a dsp function to the code it
runs, look up the operation's name here. ``tests/test_dispatch.py`` checks that both entries of
an operation have the same signature and that every operation dsp dispatches is listed.
"""
from __future__ import annotations

import importlib
import sys
import threading
from typing import Callable, NamedTuple

from ._backend import backend_of
from ._errors import DSPError


class Op(NamedTuple):
    """One operation's kernels and their contract."""

    #: ``"module:function"`` of the CPU kernel (NumPy in, NumPy out)
    cpu: str
    #: ``"module:function"`` of the GPU twin (CuPy in, CuPy out), or None when there is none
    gpu: str | None
    #: the CPU kernel also writes into a caller's ``out=``; the GPU twin is out-of-place only
    cpu_out: bool = False


def _both(module: str, function: str, *, cpu_out: bool = False) -> Op:
    return Op(f"dsp_kernels.cpu.{module}:{function}", f"dsp_kernels.gpu.{module}:{function}", cpu_out)


def _cpu(module: str, function: str) -> Op:
    return Op(f"dsp_kernels.cpu.{module}:{function}", None)


#: operation -> its kernels. Names are those of the kernel functions, prefixed where two kernel
#: modules use the same function name (``dwt_nd_dwt``).
OPS: dict[str, Op] = {
    # input validation (dsp._validation): the finiteness test of long arrays, from exponent bits
    "all_finite": _cpu("finite", "all_finite"),
    # FFT (dsp.fourier)
    # the CPU FFT engine is a sub-package (kernels/cpu/fft/); its transforms module holds the entries
    "fft": Op("dsp_kernels.cpu.fft.batched:fft", "dsp_kernels.gpu.fft:fft"),
    "rfft": Op("dsp_kernels.cpu.fft.batched:rfft", "dsp_kernels.gpu.fft:rfft"),
    "irfft": Op("dsp_kernels.cpu.fft.batched:irfft", "dsp_kernels.gpu.fft:irfft"),
    # STFT (dsp.spectral)
    "stft": _both("spectral", "stft", cpu_out=True),
    # the CPU inverse has a module of its own (kernels/cpu/istft.py), the GPU's is in gpu.spectral
    "istft": Op("dsp_kernels.cpu.istft:istft", "dsp_kernels.gpu.spectral:istft", cpu_out=True),
    # decibels and magnitude/phase (dsp._decibel)
    "power_to_db": _both("db", "power_to_db"),
    "amplitude_to_db": _both("db", "amplitude_to_db"),
    "db_to_power": _both("db", "db_to_power"),
    "db_to_amplitude": _both("db", "db_to_amplitude"),
    "magphase": _both("db", "magphase"),
    # mel (dsp.mel)
    "mel_project": _both("mel", "mel_project"),
    "melspectrogram": _both("mel", "melspectrogram"),
    # DCT (dsp._dct, dsp.mel's mfcc)
    "apply_matrix": _both("dct", "apply_matrix"),
    "db_dct": _cpu("mfcc", "db_dct"),  # dsp.mfcc from audio: dB and DCT in one pass (CuPy: two)
    "fft_dct": _cpu("dct", "fft_dct"),
    # quantisation and PCM (dsp.quantization)
    "quantize": _both("quantize", "quantize"),
    "to_int": _both("quantize", "to_int"),
    "from_int": _both("quantize", "from_int"),
    # dsp.load: decoded integer frames -> float rows, written into the caller's out
    "pcm_rows": Op("dsp_kernels.cpu.quantize:pcm_rows", None, cpu_out=True),
    # resampling (dsp.resampling) and sampling (dsp.sampling)
    "polyphase": _both("resample", "polyphase"),
    "interpolated": _both("resample", "interpolated"),
    "halfband": _both("resample", "halfband"),
    # 'hq''s sharp stage at one rate: fast convolution on the CPU, the direct sum on the GPU
    "fir_full": Op("dsp_kernels.cpu.resample_fft:fir_full", "dsp_kernels.gpu.resample:fir_full"),
    "sinc_interpolate": _both("sampling", "sinc_interpolate"),
    "sinusoids": _cpu("sampling", "sinusoids"),
    "bessel_i0": _cpu("sampling", "bessel_i0"),  # the Kaiser window's I0 (dsp.windows)
    # wavelets (dsp.wavelets, _wavelet_nd, _wavelet_swt, _swtn)
    "dwt": _both("dwt", "dwt"),
    "idwt": _both("dwt", "idwt"),
    "wavedec": _both("dwt", "wavedec"),
    "waverec": _both("dwt", "waverec"),
    "swt": _both("dwt", "swt"),
    "iswt": _both("dwt", "iswt"),
    "dwt_nd_dwt": _both("dwt_nd", "dwt"),  # one level along a middle axis, in place of a transpose
    "dwt_nd_idwt": _both("dwt_nd", "idwt"),
    "packet_levels": _cpu("dwt", "packet_levels"),  # dsp.WaveletPacket's tree, a level per batch
    # continuous wavelet transform (dsp._cwt), every scale at once: a bank of FIR filters with
    # offsets (contract: kernels/cwt_plan.py); 'fft' by overlap-save on the CPU, cuFFT on the GPU
    "cwt_overlap_save": Op("dsp_kernels.cpu.cwt_fft:overlap_save", "dsp_kernels.gpu.cwt:cwt_fft"),
    "cwt_conv": _both("cwt", "cwt_conv"),  # method='conv' on the GPU (the CPU twin: tests/test_cwt_twins.py)
    # features (dsp._features_spectral, _pcen, _delta, _effects, _onset, _util)
    "signal_frames": _both("features", "signal_frames"),
    "column_stats": _both("features", "column_stats"),
    "signal_stats": _cpu("spectral_stats", "signal_stats"),  # fused STFT + column_stats
    "signal_contrast": _cpu("spectral_stats", "signal_contrast"),  # fused STFT + band extremes
    # chroma_stft from audio (dsp._chroma)
    "chroma_power_rows": _cpu("chroma", "power_rows"),
    # griffinlim's phase update (dsp._inverse)
    "phase_update": _cpu("griffinlim", "phase_update"),
    "pcen": _both("features", "pcen"),
    "pcen_frames": _cpu("features", "pcen_frames"),
    "correlate_rows": _both("features", "correlate_rows"),
    "peak_pick": _cpu("features", "peak_pick"),
    "onset_flux": _both("features", "onset_flux"),
    "onset_median_flux": _cpu("onset_median", "median_flux"),
    "onset_mean_flux": _cpu("onset_mean", "mean_flux"),  # the default, in S's own layout
    "detrend": _both("features", "detrend"),
    "deemphasis": _cpu("features", "deemphasis"),
    # beat tracking (dsp._beat)
    "beat_track": _cpu("beat", "track"),
    "tempo_mean_autocorrelation": _cpu("tempo", "mean_autocorrelation"),
    "tempogram_autocorrelations": _cpu("tempo", "autocorrelations"),
    # constant-Q (dsp.constantq, dsp._icqt): the sparse filter-bank product and its adjoint
    "cqt_project": _both("cqt", "cqt_project"),
    "cqt_adjoint": _both("cqt", "cqt_adjoint"),
    "cqt_octave": _both("cqt", "cqt_octave"),
    "cqt_halve": _both("cqt", "cqt_halve"),
    # the same for one length of NumPy rows, bound once (dsp.resample's 2:1 route on a clip)
    "cqt_halve_bound": _cpu("cqt", "halve_bound"),
    # piptrack's peaks as a list (dsp._chroma: estimate_tuning; CuPy data takes array arithmetic)
    "piptrack_peaks": _cpu("pitch", "piptrack_peaks"),
    # pooling rows over groups (dsp.segments; pyramids' text levels)
    "segment_sums": _cpu("segments", "segment_sums"),
    "segment_max": _cpu("segments", "segment_max"),
    # image pyramids (dsp.transform): smoothing fused with down-sampling, one axis per call
    "smooth_resize_axis": _cpu("image", "smooth_resize_axis"),
}


#: (op, backend) -> the entry function, once its module is fully imported: a dict look-up instead
#: of splitting the name and finding the module on every call (docs/sampling.md, stop 38)
_RESOLVED: dict[tuple[str, str], Callable] = {}
#: held while a kernel module is imported. Two threads' first calls importing kernel modules at
#: once could each hold a module that the other's import needs (a kernel module that imports
#: from ``dsp_kernels.cpu.fft`` while the other thread is still running that package's
#: ``__init__``, which imports the kernel module): Python then raises ``_DeadlockError`` in one
#: of the calls (seen in tests/test_process_safety.py's race of 8 threads, stop 41). Imports
#: happen once per module, so the lock is taken only on a process's first calls.
_IMPORT_LOCK = threading.RLock()


def _resolve(op: str, backend: str) -> Callable:
    """Import the kernel module of ``op`` on ``backend`` (once: Python caches it) and return the entry."""
    found = _RESOLVED.get((op, backend))
    if found is not None:
        return found
    entry = OPS[op].gpu if backend == "gpu" else OPS[op].cpu
    if entry is None:
        raise DSPError(
            f"{op} has no GPU kernel: pass NumPy arrays (move the data to the host with .get())"
        )
    module, _, function = entry.partition(":")
    # the usual case without importlib's machinery (about 1 us a call): a module that is fully
    # imported. One that another thread is still importing is marked as importlib marks it
    # (``__spec__._initializing``, the test importlib's own fast path makes); import_module
    # then waits for that import to finish
    loaded = sys.modules.get(module)
    if loaded is not None and not getattr(getattr(loaded, "__spec__", None), "_initializing", False):
        found = _RESOLVED[(op, backend)] = getattr(loaded, function)
        return found
    try:
        with _IMPORT_LOCK:
            loaded = importlib.import_module(module)
        return getattr(loaded, function)
    except ModuleNotFoundError as exc:
        if backend == "gpu" and exc.name in ("cupy", "numba.cuda"):
            raise DSPError(
                f"a CuPy array needs the GPU kernels, which need {exc.name}: "
                "install the 'gpu' extra (pip install 'dsp-pyramids[gpu]')"
            ) from exc
        raise


def kernel(op: str, backend: str = "cpu") -> Callable:
    """The kernel of ``op`` on ``backend`` (``'cpu'`` or ``'gpu'``).

    Parameters
    ----------
    op : str
        A key of :data:`OPS`, e.g. ``'stft'``.
    backend : {'cpu', 'gpu'}
        ``'cpu'`` for the host-only operations; otherwise usually ``backend_of(...)``.

    Returns
    -------
    callable
        The kernel function, e.g. :func:`dsp_kernels.cpu.spectral.stft`.

    Examples
    --------
    >>> from dsp._dispatch import kernel
    >>> kernel("rfft").__module__
    'dsp_kernels.cpu.fft.batched'
    """
    return _resolve(op, backend)


def kernel_for(op: str, *arrays) -> Callable:
    """The kernel of ``op`` where ``arrays`` live: the GPU twin for CuPy arrays, else the CPU one.

    Mixing NumPy and CuPy arrays raises :class:`dsp.DSPError` (see :func:`dsp._backend.backend_of`).

    >>> import numpy as np
    >>> from dsp._dispatch import kernel_for
    >>> kernel_for("quantize", np.zeros(4)).__name__
    'quantize'
    """
    return _resolve(op, backend_of(*arrays))


def has_kernel(op: str, backend: str) -> bool:
    """Whether ``op`` has a kernel on ``backend`` (every op has one on the CPU)."""
    return backend != "gpu" or OPS[op].gpu is not None
