"""Running the batches on a Dask client, and the policy for workers that die.

Dask retries a task whose worker died; once the scheduler's ``allowed-failures`` are spent it
raises ``KilledWorker``. A batch whose part is already in the store when that comes (the worker
that died held only its result) counts as done and is not split: its files are stored once. A
result lost without an error (its worker died after the task ended, or the cluster cancelled it)
is run again under the same part name, at most ``LOST_RETRIES`` times. A killed batch is split
around the row its worker was processing (the ``cursor`` file of its temporary part), or in
halves when no cursor was left; a single file that still kills its worker is recorded as failed
(``WorkerDied: ...``). Any other error of a task is the store's (disk full, ...) and stops the
run (:class:`dsp.corpus.engine.CorpusRunError`).
"""
from __future__ import annotations

import errno
import shutil
import threading
import time
from pathlib import Path

from .store import PARTS, TMP_PREFIX

#: how often a batch whose result was lost without an error is run again before it counts as a
#: batch whose worker died (split, then isolated)
LOST_RETRIES = 3


def _cursor(out: Path, part: str):
    """The row a dead worker was processing in ``part`` (None if unknown); its attempts removed."""
    rows = []
    for p in (out / PARTS).glob(f"{TMP_PREFIX}{part}-*"):
        try:
            rows.append(int((p / "cursor").read_text()))
        except (OSError, ValueError):
            pass
        shutil.rmtree(p, ignore_errors=True)
    return max(rows) if rows else None


def _stored(out: Path, part: str):
    """The summary of ``part`` when it is in the store (committed), else None."""
    manifest = Path(out) / PARTS / part / "manifest.parquet"
    if not manifest.exists():
        return None
    import pyarrow.parquet as pq

    rows = pq.read_table(manifest, columns=["status", "seconds"]).to_pylist()
    ok = [r for r in rows if r["status"] == "ok"]
    return {"part": part, "ok": len(ok), "failed": len(rows) - len(ok),
            "seconds": float(sum(r["seconds"] or 0.0 for r in ok)), "committed": False,
            "busy_s": 0.0, "peak_rss": 0, "pid": None}


def drive(client, out, spec, components, batches, new_part, result, progress) -> None:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    from .worker import PROGRESS_TOPIC, process_batch, write_failed

    queue = list(reversed(batches))
    limit = 2 * max(result.workers, 1) + 1
    futures = {}
    ac = as_completed()
    shown = {}  # part -> (files, seconds) already passed to progress by the workers' events
    lock = threading.Lock()

    def on_event(event):  # runs on the client's event-loop thread
        msg = event[1]
        if progress is None or not isinstance(msg, dict) or msg.get("part") not in live:
            return
        with lock:
            f0, s0 = shown.get(msg["part"], (0, 0.0))
            if msg["files"] > f0:
                shown[msg["part"]] = (msg["files"], msg["seconds"])
                progress(msg["files"] - f0, msg["seconds"] - s0, None)

    def settle(part, files, seconds, summary):  # the batch's final counts, less what was shown
        with lock:
            f0, s0 = shown.pop(part, (0, 0.0))
            live.discard(part)
            if progress is not None and (files - f0 or summary is not None):
                progress(files - f0, seconds - s0, summary)

    live = set()
    if progress is not None:
        client.subscribe_topic(PROGRESS_TOPIC, on_event)

    attempts = {}  # part -> submissions so far (a lost result is run again under the same part)

    def submit():
        while queue and len(futures) < limit:
            part, items = queue.pop()
            attempts[part] = attempts.get(part, 0) + 1
            key = part if attempts[part] == 1 else f"{part}-again{attempts[part]}"
            fut = client.submit(process_batch, str(out), part, items, spec, components, key=key, pure=False)
            futures[fut] = (part, items)
            live.add(part)
            ac.add(fut)

    def done(summary):
        result.ok += summary["ok"]
        result.failed += summary["failed"]
        result.seconds += summary["seconds"]
        result.busy_s += summary["busy_s"]
        result.peak_rss = max(result.peak_rss, summary["peak_rss"])
        if summary["committed"]:
            result.parts.append(summary["part"])
        settle(summary["part"], summary["ok"] + summary["failed"], summary["seconds"], summary)

    t0 = time.perf_counter()
    submit()
    for fut in ac:
        part, items = futures.pop(fut)
        if fut.status == "finished":
            done(fut.result())
        else:
            exc = fut.exception()
            if exc is None and attempts[part] <= LOST_RETRIES:
                # no error: the result was lost (its worker died after the task ended, e.g. killed
                # by the next batch's file) or the cluster cancelled it. The same part runs again:
                # a part that was already stored is not stored twice (PartWriter.commit), and the
                # counts come from this second summary, the first one never arrived.
                settle(part, 0, 0.0, None)
                queue.append((part, items))
                submit()
                continue
            if not isinstance(exc, KilledWorker) and exc is not None:
                settle(part, 0, 0.0, None)
                for f in futures:
                    f.cancel()
                hint = " (disk full)" if isinstance(exc, OSError) and exc.errno == errno.ENOSPC else ""
                from .engine import CorpusRunError

                raise CorpusRunError(f"part {part} stopped the run{hint}: {type(exc).__name__}: {exc}. "
                                     "Complete parts are kept: fix the cause and rerun with --resume") from exc
            stored = _stored(out, part)
            if stored is not None:
                # the batch had been stored: the worker that died held only its result (or the
                # scheduler gave up on a retry of it). Splitting it would store its files twice
                settle(part, 0, 0.0, None)
                done(stored)
                submit()
                continue
            result.killed_batches += 1
            settle(part, 0, 0.0, None)  # its files will be counted again where they end up
            row = _cursor(out, part)
            if len(items) == 1:
                done(write_failed(str(out), new_part(), items, spec, components,
                                  "WorkerDied: the worker process died while processing this file "
                                  "(every retry; e.g. a crash in a decoder or out of memory)"))
            elif row is not None and 0 <= row < len(items):
                pieces = [items[:row], items[row:row + 1], items[row + 1:]]
                queue.extend((new_part(), p) for p in reversed(pieces) if p)
            else:
                half = len(items) // 2
                queue.extend([(new_part(), items[half:]), (new_part(), items[:half])])
        submit()
    result.wall_s = time.perf_counter() - t0
