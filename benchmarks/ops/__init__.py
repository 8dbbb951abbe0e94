"""The catalogue of benchmark operations, one module per domain; the registry (how an operation
is declared, looked up and filtered) is :mod:`benchmarks.registry`, re-exported here.

=================  ======================================================================
module             operations (``gpu_<name>``: the same operation on the GPU)
=================  ======================================================================
``spectral``       stft (+gpu), stft_speech, istft (+gpu), rfft, rfft_long, cqt (+gpu), chroma_cqt
``mel``            melspectrogram (+gpu), mfcc (+gpu)
``resample``       resample (+gpu)
``audio_io``       load_clips, load_flac
``wavelets``       wavedec (+gpu), waverec (+gpu), wavedec_batch, waverec_batch
``wavelets2d``     cwt (+gpu), wavelet_packet, wavedec2 (+gpu), waverec2 and their batches; gpu_dwt2
``images``         image_pyramid
``text``           text_pooling_sentences, text_pooling
``features``       rms ... griffinlim (issue 18)
``shapes``         *_clip (1 s per call), melspectrogram_clip_after_blas, *_batch_64/256, *_long
=================  ======================================================================

A new operation is an :class:`Op` in its domain's module (with ``gpu=GpuTwin(...)`` where dsp has
a GPU path for it), listed in :func:`catalogue`.

Examples
--------
>>> from benchmarks import ops
>>> ops.get_op("stft").family, ops.get_op("gpu_stft").device
('stft', 'gpu')
"""
from __future__ import annotations

from ..registry import (  # noqa: F401  (the registry's names, as ``ops.<name>``)
    PROFILES, GpuPeer, GpuTwin, Impl, Op, Profile, dsp_name, find, missing,
    peak_relative_error, peak_relative_error_of_lists, resolve, select, to_numpy,
)


def catalogue() -> list[Op]:
    """Every declared operation, in the order of the results table (GPU-only ones included)."""
    from . import audio_io, features, images, mel, resample, shapes, spectral, text, wavelets, wavelets2d

    return [
        *spectral.stft_ops(),
        spectral.istft_op(),
        *mel.mel_ops(),
        resample.resample_op(),
        *audio_io.load_ops(),
        *spectral.rfft_ops(),
        *wavelets.wavelet_ops(),
        *wavelets2d.wavelet2d_ops(),
        *images.image_ops(),
        *text.text_ops(),
        *features.feature_ops(),
        spectral.cqt_op(),
        spectral.chroma_cqt_op(),
        wavelets2d.dwt2_op(),
        *shapes.shape_ops(),
    ]


def all_ops(profile: Profile | None = None) -> list[Op]:
    """The runnable operations: every op with CPU implementations, then the GPU twins as
    ``gpu_<name>`` (device 'gpu', sized for ``profile``: the full one by default)."""
    from ..devices import Device, gpu_op, sizes_for

    declared = catalogue()
    sizes = sizes_for(profile or PROFILES["full"])
    dev, shared = Device(simulate=False), {}
    return ([op for op in declared if op.impls]
            + [gpu_op(op, sizes, dev, shared) for op in declared if op.gpu is not None])


def gpu_twins() -> list[Op]:
    """The declared operations that have a GPU twin."""
    return [op for op in catalogue() if op.gpu is not None]


def get_op(name: str) -> Op:
    return find(all_ops(), name)
