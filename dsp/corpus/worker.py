"""What a Dask task runs: one batch of files into one part, returning a small summary.

A file that cannot be decoded or whose features fail is recorded as failed (its error text kept)
and the batch goes on. Errors of the store itself (a full disk, a folder that vanished) end the
task: they are not the file's fault, and the driver stops the run with a clear message.
"""
from __future__ import annotations

import os
import resource
import time

import numpy as np

from .store import PartWriter


PROGRESS_TOPIC = "dsp-corpus-progress"
PROGRESS_EVERY_S = 1.0


def _event_log():
    """The running Dask worker's ``log_event`` (progress within a batch), or None outside one."""
    try:
        from distributed import get_worker

        return get_worker().log_event
    except (ImportError, ValueError):
        return None


def _peak_rss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # kB on Linux


def process_batch(root, part, items, spec, components) -> dict:
    """Decode, compute and store ``items`` as part ``part`` of the store at ``root``.

    Parameters
    ----------
    root : str
        The store folder (shared by every worker).
    part : str
        The part's name (unique within the store).
    items : list of dsp.corpus.inputs.Item
    spec : dsp.corpus.features.Spec
    components : dict
        ``{store key: (leading shape, dtype)}`` from :func:`dsp.corpus.features.preflight`.

    Returns
    -------
    dict
        ``part``, ``ok``, ``failed``, ``seconds`` (audio), ``busy_s`` (wall time of the task),
        ``committed`` (False when another attempt of the same part was stored first),
        ``peak_rss`` (bytes, of the worker process).
    """
    import dsp

    t0 = time.perf_counter()
    writer = PartWriter(root, part, spec.config_hash, components)
    ok = failed = 0
    audio_s = 0.0
    log = _event_log()
    last = t0
    try:
        for i, item in enumerate(items):
            writer.cursor(i)
            if log is not None and time.perf_counter() - last >= PROGRESS_EVERY_S:
                last = time.perf_counter()
                log(PROGRESS_TOPIC, {"part": part, "files": ok + failed, "seconds": audio_s})
            try:
                y, sr = dsp.load(item.path, sr=spec.sr, offset=item.offset, duration=item.duration,
                                 res_type=spec.res_type)
                seconds = y.shape[-1] / sr
                arrays = {}
                for key, arr in spec.compute(y, sr).items():
                    arr = np.asarray(arr)
                    lead, dtype = components[key]
                    if tuple(arr.shape[:-1]) != tuple(lead) or arr.dtype.str != dtype:
                        raise ValueError(f"{key} has shape {arr.shape} {arr.dtype}: the store holds "
                                         f"{tuple(lead)} + (frames,) {dtype}")
                    arrays[key] = np.ascontiguousarray(arr)
            except Exception as exc:  # the file's fault: record it, go on
                writer.add(item, error=f"{type(exc).__name__}: {exc}")
                failed += 1
                continue
            writer.add(item, seconds=seconds, arrays=arrays)
            ok += 1
            audio_s += seconds
        committed = writer.commit(spec.sr)
    except BaseException:
        writer.abandon()
        raise
    return {"part": part, "ok": ok, "failed": failed, "seconds": audio_s, "committed": committed,
            "busy_s": time.perf_counter() - t0, "peak_rss": _peak_rss_bytes(), "pid": os.getpid()}


def write_failed(root, part, items, spec, components, error) -> dict:
    """Record ``items`` as failed with ``error`` in a part of their own (used by the driver)."""
    writer = PartWriter(root, part, spec.config_hash, components)
    for item in items:
        writer.add(item, error=error)
    committed = writer.commit(spec.sr)
    return {"part": part, "ok": 0, "failed": len(items), "seconds": 0.0, "committed": committed,
            "busy_s": 0.0, "peak_rss": 0, "pid": os.getpid()}
