"""The driver: check everything that can be checked, then hand batches of files to Dask.

The scheduling is Dask distributed's: a ``LocalCluster`` of single-threaded worker processes
(``NUMBA_NUM_THREADS=1`` in each) or an existing cluster at ``scheduler``. One task is one batch
of files written as one part; tasks return small summaries. This module checks the arguments,
the output and the features before any work, starts or reaches the cluster and writes the
store's metadata; :mod:`dsp.corpus.batches` runs the batches and holds the policy for workers
that die.
"""
from __future__ import annotations

import os
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import DSPError
from . import features as _features
from .batches import drive as _drive
from .inputs import items_from
from .store import PARTS, TMP_PREFIX, array_path, build_index, read_manifests, read_meta, write_json


class CorpusRunError(RuntimeError):
    """The run stopped (disk full, cluster lost, ...); complete parts are kept for ``resume``."""


@dataclass
class RunResult:
    """What :func:`extract` did: counts of this run, throughput, and where the store is."""

    output: str
    ok: int = 0
    failed: int = 0
    skipped: int = 0  # already in the store (resume)
    seconds: float = 0.0  # audio stored by this run
    wall_s: float = 0.0  # from the first task submitted to the last result
    startup_s: float = 0.0  # cluster start / connection
    busy_s: float = 0.0  # summed wall time of the tasks
    workers: int = 0
    peak_rss: int = 0  # largest peak resident memory reported by a worker process (bytes)
    killed_batches: int = 0
    parts: list = field(default_factory=list)
    failed_total: int = 0
    stored_total: int = 0
    duplicates: int = 0

    @property
    def files_per_s(self) -> float:
        return (self.ok + self.failed) / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def hours_per_s(self) -> float:
        return self.seconds / 3600 / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def utilization(self) -> float:
        """Task time over workers x wall time: 1 - utilization bounds the scheduling overhead."""
        return self.busy_s / (self.workers * self.wall_s) if self.wall_s > 0 and self.workers else 0.0

    def store(self):
        from .store import open_store

        return open_store(self.output)

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d.update(files_per_s=self.files_per_s, hours_per_s=self.hours_per_s, utilization=self.utilization)
        return d


# ----------------------------------------------------------------------------------------------
# output folder


def _check_writable(out: Path, min_free: int) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".probe-{uuid.uuid4().hex[:8]}"
        with open(probe, "wb") as f:
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
    except OSError as exc:
        raise DSPError(f"output={str(out)!r} is not writable: {exc.strerror or exc}") from None
    free = shutil.disk_usage(out).free
    if free < min_free:
        raise DSPError(f"output={str(out)!r} has {free / 1e6:.1f} MB free: need at least {min_free / 1e6:.0f} MB")


def _wipe(out: Path) -> None:
    """What ``overwrite`` removes: the store's own entries, nothing else in the folder."""
    for name in (PARTS, "runs"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("index.parquet", "inputs.parquet", "store.json"):
        (out / name).unlink(missing_ok=True)


def _refuse(out: Path, spec, resume: bool, overwrite: bool) -> None:
    """Refuse an existing store without resume/overwrite, or with another config (nothing changed)."""
    has_store = (out / "store.json").is_file()
    if has_store and overwrite:
        return
    if has_store:
        old = read_meta(out).get("config_hash")
        if not resume:
            raise DSPError(f"output={str(out)!r} already holds a feature store: pass resume=True (--resume) "
                           "to continue it or overwrite=True (--overwrite) to replace it")
        if old != spec.config_hash:
            raise DSPError(f"output={str(out)!r} was written with another feature config (hash {old}, now "
                           f"{spec.config_hash}): pass overwrite=True (--overwrite) to replace it")
    elif out.is_dir() and any(not p.name.startswith(".probe-") for p in out.iterdir()):
        raise DSPError(f"output={str(out)!r} is a non-empty folder that is not a feature store")


def _stale_tmp(out: Path) -> None:
    d = out / PARTS
    if d.is_dir():
        for p in d.iterdir():
            if p.name.startswith(TMP_PREFIX):
                shutil.rmtree(p, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# cluster


def _client(scheduler, workers, cluster_kwargs):
    import dask
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    if scheduler is not None:
        client = Client(scheduler, timeout="30s")
        client.startup_s = time.perf_counter() - t0
        return client, None
    env = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    kw = dict(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
              env=env, silence_logs=40)
    kw.update(cluster_kwargs or {})
    if not kw.get("processes", True):
        kw.pop("env", None)
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(**kw)
    client = Client(cluster)
    client.startup_s = time.perf_counter() - t0
    return client, cluster


def _close(client, cluster) -> None:
    client._dsp_closed = True
    client.close()
    if cluster is not None:
        cluster.close()


def _n_workers(client) -> int:
    info = client.scheduler_info()
    return sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()) or 1


# ----------------------------------------------------------------------------------------------
# the run


def extract(input, output, *, features=None, config=None, sr=16000, res_type="high", scheduler=None,
            workers=None, batch_files=1000, resume=False, overwrite=False, progress=None,
            custom_features=None, cluster_kwargs=None, min_free_bytes=64 << 20) -> RunResult:
    """Extract features from every file of ``input`` into the store at ``output``.

    Parameters
    ----------
    input : str, pathlib.Path or iterable
        A folder, a manifest or an iterable (:func:`dsp.corpus.inputs.items_from`).
    output : str or pathlib.Path
        The store folder (created; see docs/corpus.md for its layout).
    features : str or list of str or None
        ``'logmel,mfcc'``; None: the config's features, else ``logmel`` and ``mfcc``.
    config : dict, str, pathlib.Path or None
        ``{feature: {keyword: value}}`` (or a YAML/JSON file of it); every keyword is one of
        the function the feature names (:data:`dsp.corpus.features.FEATURES`).
    sr : float > 0
        Every file is loaded at this rate (:func:`dsp.load`, mono).
    res_type : str
        :func:`dsp.load`'s resampling filter.
    scheduler : str or None
        Address of an existing Dask scheduler (``tcp://host:8786``); None starts a
        ``LocalCluster`` of ``workers`` single-threaded processes.
    workers : int or None
        Worker processes of the local cluster (default: the CPUs this process may use).
    batch_files : int >= 1
        Files per task (and per part).
    resume, overwrite : bool
        Continue a store (files already stored are skipped; the config must be the same), or
        replace it. Without either, an existing store is refused.
    progress : callable or None
        ``progress(files, seconds, summary)`` after each batch (files and audio seconds done).
    custom_features : dict or None
        ``{name: dsp.corpus.features.Feature}`` beyond the registry (plug-ins, tests).
    cluster_kwargs : dict or None
        Extra keywords of ``distributed.LocalCluster``.

    Returns
    -------
    RunResult

    Raises
    ------
    DSPError
        Before any work: bad arguments, unknown features or config keys, refused config values,
        an unwritable output, too little free space, an existing store without resume/overwrite.
    CorpusRunError
        The run stopped part-way (e.g. disk full); complete parts are kept.

    Examples
    --------
    >>> from dsp.corpus import extract, open_store                         # doctest: +SKIP
    >>> run = extract('clips/', 'features/', features='logmel,mfcc', workers=2)  # doctest: +SKIP
    >>> run.ok, run.failed                                                  # doctest: +SKIP
    (1998, 2)
    >>> open_store('features/')['clip-000123']['logmel'].shape             # doctest: +SKIP
    (64, 501)
    """
    if resume and overwrite:
        raise DSPError("resume=True and overwrite=True: choose one")
    if isinstance(batch_files, bool) or not isinstance(batch_files, int) or batch_files < 1:
        raise DSPError(f"batch_files={batch_files!r} must be an int >= 1")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise DSPError(f"workers={workers!r} must be an int >= 1")
    if isinstance(config, (str, os.PathLike)):
        config = _features.load_config(config)
    spec = _features.resolve(features, config, sr=sr, res_type=res_type, custom=custom_features)
    items = items_from(input)
    out = Path(output)
    created = not out.exists()
    _check_writable(out, min_free_bytes)
    starting = pool = None
    try:
        _refuse(out, spec, resume, overwrite)
        done = set()
        if (out / "store.json").is_file() and not overwrite:
            table = read_manifests(out, columns=["id"])
            done = set(table.column("id").to_pylist()) if table is not None else set()
        pending = [it for it in items if it.id not in done]
        if pending:  # the cluster starts while the features are tried (both take seconds)
            pool = ThreadPoolExecutor(1, thread_name_prefix="dsp-corpus-cluster")
            starting = pool.submit(_client, scheduler, workers, cluster_kwargs)
        components = _features.preflight(spec)  # refused values fail here, before anything is written
        if starting is not None:
            try:
                client, cluster = starting.result()
            except (OSError, TimeoutError) as exc:
                starting = None
                where = f"scheduler={scheduler!r}" if scheduler else "the local cluster"
                raise DSPError(f"{where} could not be started or reached: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        if starting is not None:
            try:
                _close(*starting.result())
            except Exception:
                pass
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=False)
    try:
        return _run(out, items, pending, spec, components, starting and (client, cluster), overwrite,
                    scheduler, batch_files, progress)
    except BaseException:
        if starting is not None and not getattr(client, "_dsp_closed", False):
            _close(client, cluster)
        raise


def _run(out, items, pending, spec, components, connected, overwrite, scheduler, batch_files, progress):
    """Write the store's metadata, run the batches on the cluster ``connected`` (or None), index."""
    client, cluster = connected or (None, None)
    if overwrite:
        _wipe(out)
    meta_path = out / "store.json"
    if not meta_path.is_file():
        write_json(meta_path, {"format": _features.FORMAT, "config": spec.as_dict(),
                               "config_hash": spec.config_hash,
                               "components": {k: {"array": array_path(k), "lead": list(lead), "dtype": dt}
                                              for k, (lead, dt) in components.items()}})
    _write_inputs(out, items)
    _stale_tmp(out)
    runs = out / "runs"
    runs.mkdir(exist_ok=True)
    run_no = 1 + len(list(runs.glob("run-*.json")))
    run_path = runs / f"run-{run_no:04d}.json"
    result = RunResult(str(out), skipped=len(items) - len(pending))
    record = {"run": run_no, "status": "running", "started": time.time(), "items": len(items),
              "pending": len(pending), "features": list(spec.features), "sr": spec.sr,
              "scheduler": scheduler or "local", "batch_files": batch_files}
    write_json(run_path, record)
    seq = iter(range(10 ** 9))

    def new_part():
        return f"part-{run_no:04d}-{next(seq):06d}"

    batches = [(new_part(), pending[i:i + batch_files]) for i in range(0, len(pending), batch_files)]
    if batches:
        result.startup_s = client.startup_s  # in parallel with the features' trial run
        try:
            result.workers = _n_workers(client)
            _drive(client, out, spec, components, batches, new_part, result, progress)
        except BaseException as exc:
            record.update(status="aborted", error=f"{type(exc).__name__}: {exc}", finished=time.time(),
                          result=result.as_dict())
            write_json(run_path, record)
            raise
        finally:
            _close(client, cluster)
    index, result.duplicates = build_index(out)
    statuses = index.column("status").to_pylist()
    result.failed_total = statuses.count("failed")
    result.stored_total = statuses.count("ok")
    record.update(status="finished", finished=time.time(), result=result.as_dict())
    write_json(run_path, record)
    return result


def _write_inputs(out: Path, items) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"id": [i.id for i in items], "path": [i.path for i in items],
                      "offset": [i.offset for i in items], "duration": [i.duration for i in items]})
    tmp = out / f".inputs-{uuid.uuid4().hex[:8]}.parquet"
    pq.write_table(table, tmp)
    os.replace(tmp, out / "inputs.parquet")
