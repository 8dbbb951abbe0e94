"""dsp.corpus: the mechanisms of corpus extraction on Dask, on tiny generated corpora.

Resume after a killed command, a worker killed by a file (retried, isolated, recorded), batch
splitting, failed files, refusals before any work, a real scheduler and two workers started here
as subprocesses on 127.0.0.1. No timing assertions; every subprocess has a timeout.
"""
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")
pytest.importorskip("zarr")
pytest.importorskip("pyarrow")

import dsp  # noqa: E402
from dsp import DSPError  # noqa: E402
from dsp.corpus import extract, items_from, open_store, resolve  # noqa: E402
from dsp.corpus.engine import CorpusRunError  # noqa: E402

TESTS = Path(__file__).parent
ROOT = TESTS.parent
PY = sys.executable
TINY = {"logmel": {"n_fft": 256, "hop_length": 128, "n_mels": 16}, "mfcc": {"n_fft": 256, "hop_length": 128,
                                                                             "n_mels": 16, "n_mfcc": 5}}
BAD = ("broken", "empty", "truncated", "unsupported")


def _corpus(folder: Path, n: int, seed=0) -> Path:
    import soundfile as sf

    rng = np.random.default_rng(seed)
    for i in range(n):
        sr = (16000, 22050, 44100)[i % 3]
        fmt = ("wav", "flac", "ogg")[i % 3]
        y = (0.1 * rng.standard_normal(int(sr * (0.2 + 0.05 * (i % 5))))).astype(np.float32)
        sub = folder / ("a" if i % 2 else "b")
        sub.mkdir(parents=True, exist_ok=True)
        sf.write(sub / f"clip-{i:04d}.{fmt}", y, sr)
    (folder / "broken.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk")
    (folder / "empty.flac").write_bytes(b"")
    good = (folder / "b" / "clip-0000.wav").read_bytes()
    (folder / "truncated.wav").write_bytes(good[: len(good) // 3])
    (folder / "unsupported.ogg").write_bytes(b"this is text, not audio\n" * 20)
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("corpus") / "clips", 24)


@pytest.fixture(scope="module")
def local_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "features"
    seen = {"files": 0, "seconds": 0.0}

    def progress(files, seconds, summary):
        seen["files"] += files
        seen["seconds"] += seconds

    run = extract(corpus, out, config=TINY, sr=16000, workers=2, batch_files=5, progress=progress)
    run.progress_seen = seen
    return run, out


def _all_rows(out):
    from dsp.corpus.store import read_manifests

    t = read_manifests(out)
    return [] if t is None else t.select(["id", "status", "error"]).to_pylist()


# ------------------------------------------------------------------------------------ inputs, config


def test_import_dsp_loads_no_dask_or_zarr():
    code = ("import sys, dsp, dsp.corpus; bad = [m for m in ('dask', 'distributed', 'zarr', 'pyarrow') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("module", ["dsp.corpus.features", "dsp.corpus.inputs"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_manifests(tmp_path, corpus):
    wav = sorted(corpus.rglob("clip-*.wav"))[:2]
    (tmp_path / "m.txt").write_text(f"{wav[0]}\n# comment\n{wav[1]}\n")
    assert [i.path for i in items_from(tmp_path / "m.txt")] == [str(w) for w in wav]
    (tmp_path / "m.csv").write_text(f"path,id,offset,duration\n{wav[0]},x,0.1,0.05\n{wav[1]},y,,\n")
    items = items_from(tmp_path / "m.csv")
    assert [(i.id, i.offset, i.duration) for i in items] == [("x", 0.1, 0.05), ("y", 0.0, None)]
    lines = [{"audio_filepath": str(wav[0]), "duration": 0.1, "offset": 0.05},  # NeMo
             {"id": "rec", "sources": [{"type": "file", "source": str(wav[1])}]},  # Lhotse recording
             {"id": "cut", "start": 0.1, "duration": 0.05, "recording": {"sources": [{"source": str(wav[1])}]}}]
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(d) for d in lines))
    items = items_from(tmp_path / "m.jsonl")
    assert [i.id for i in items][1:] == ["rec", "cut"] and items[0].id.endswith("@0.05")
    assert items[2] == ("cut", str(wav[1]), 0.1, 0.05)
    with pytest.raises(DSPError, match="appears twice"):
        items_from([{"path": "a.wav", "id": "x"}, {"path": "b.wav", "id": "x"}])
    with pytest.raises(DSPError, match="does not exist"):
        items_from(tmp_path / "nope")


def test_refused_before_any_work(tmp_path, corpus):
    out = tmp_path / "out"
    with pytest.raises(DSPError, match="unknown feature 'lgomel'"):
        extract(corpus, out, features="lgomel")
    with pytest.raises(DSPError, match=r"logmel\.n_mel=40 is not a keyword of dsp\.melspectrogram"):
        extract(corpus, out, config={"logmel": {"n_mel": 40}})
    with pytest.raises(DSPError, match="refused by dsp.stft"):
        extract(corpus, out, config={"stft": {"n_fft": 1}})
    with pytest.raises(DSPError, match="wavelet.level=None"):
        extract(corpus, out, config={"wavelet": {"level": None}})
    with pytest.raises(DSPError, match="batch_files"):
        extract(corpus, out, batch_files=0)
    assert not out.exists()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DSPError, match="not writable"):
        extract(corpus, blocker / "out", config=TINY)
    with pytest.raises(DSPError, match="MB free"):
        extract(corpus, out, config=TINY, min_free_bytes=1 << 60)


def test_default_config_round_trip(tmp_path):
    from dsp.corpus.cli import main

    path = tmp_path / "f.yaml"
    assert main(["write-default-config", str(path)]) == 0
    from dsp.corpus.features import FEATURES, load_config

    spec = resolve(None, load_config(path))
    assert list(spec.features) == list(FEATURES) and spec.sr == 16000


# ------------------------------------------------------------------------------------ a local run


def test_local_run_stores_and_records_failures(local_run, corpus):
    run, out = local_run
    assert (run.ok, run.failed) == (24, 4) and run.workers == 2
    assert run.progress_seen["files"] == 28  # progress counts files (and audio), not tasks
    assert run.progress_seen["seconds"] == pytest.approx(run.seconds)
    rows = _all_rows(out)
    assert len(rows) == 28 and len({r["id"] for r in rows}) == 28
    failed = {r["id"]: r["error"] for r in rows if r["status"] == "failed"}
    assert sorted(failed) == sorted(BAD) and all(failed.values())
    store = open_store(out)
    assert len(store) == 24 and store.failures().num_rows == 4
    y, sr = dsp.load(corpus / "a" / "clip-0001.flac", sr=16000)
    rec = store["a/clip-0001"]
    ref = dsp.power_to_db(dsp.melspectrogram(y=y, sr=sr, **TINY["logmel"]), top_db=80.0)
    np.testing.assert_array_equal(rec["logmel"], ref)
    np.testing.assert_array_equal(rec["mfcc"], dsp.mfcc(y=y, sr=sr, **TINY["mfcc"]))
    total = sum(p.manifest.num_rows for p in store.parts())
    assert total == 28
    for part in store.parts():
        if part.manifest.filter(__import__("pyarrow.compute").compute.equal(part.manifest["status"], "ok")).num_rows:
            X, offsets = part.array("mfcc")
            assert X.shape == (5, offsets[-1])
    assert not any(p.name.startswith(".tmp-") for p in (out / "parts").iterdir())


def test_resume_and_config_change(local_run, corpus):
    run, out = local_run
    again = extract(corpus, out, config=TINY, sr=16000, resume=True)  # nothing pending: no cluster
    assert (again.ok, again.failed, again.skipped) == (0, 0, 28)
    with pytest.raises(DSPError, match="already holds a feature store"):
        extract(corpus, out, config=TINY)
    with pytest.raises(DSPError, match="another feature config"):
        extract(corpus, out, config={"logmel": {"n_mels": 8}}, resume=True)


def test_status_ls_show(local_run, capsys):
    from dsp.corpus.cli import main, status

    _, out = local_run
    s = status(out)
    assert (s["stored"], s["failed"], s["pending"], s["duplicates"]) == (24, 4, 0, 0)
    assert main(["ls", str(out)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert sorted(line.split("\t")[0] for line in listed) == sorted(BAD)
    assert main(["show", str(out), "broken"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "failed"


def test_torch_dataset(local_run):
    pytest.importorskip("torch")
    _, out = local_run
    ds = open_store(out).to_torch(["mfcc"])
    assert len(ds) == 24 and ds[0]["mfcc"].shape[0] == 5


# ------------------------------------------------------------------------------------ faults


def test_disk_full_stops_the_run_then_resume_completes(tmp_path, corpus, monkeypatch):
    from dsp.corpus import store as store_mod

    out = tmp_path / "out"
    real_commit = store_mod.PartWriter.commit
    calls = {"n": 0}

    def full(self, sr):
        calls["n"] += 1
        if calls["n"] >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_commit(self, sr)

    monkeypatch.setattr(store_mod.PartWriter, "commit", full)
    threads = {"processes": False, "n_workers": 1}  # in-process workers see the mocked write
    with pytest.raises(CorpusRunError, match="disk full"):
        extract(corpus, out, config=TINY, batch_files=4, cluster_kwargs=threads)
    monkeypatch.setattr(store_mod.PartWriter, "commit", real_commit)
    run = extract(corpus, out, config=TINY, batch_files=4, cluster_kwargs=threads, resume=True)
    rows = _all_rows(out)
    assert len(rows) == 28 and len({r["id"] for r in rows}) == 28 and run.skipped > 0


def _start(cmd, env, log):
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


def test_external_cluster_worker_killed_by_a_file(tmp_path):
    """A scheduler and two workers as subprocesses; one clip makes its worker exit every time."""
    import soundfile as sf

    sys.path.insert(0, str(TESTS))
    try:
        from procs.corpus_features import killer_feature
    finally:
        sys.path.remove(str(TESTS))
    clips = _corpus(tmp_path / "clips", 12)
    sf.write(clips / "a" / "clip-0002-killer.wav", np.full(8000, 0.5, np.float32), 16000, subtype="FLOAT")
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS), os.environ.get("PYTHONPATH", "")])}
    sched_file = tmp_path / "scheduler.json"
    dask = [PY, "-m", "distributed.cli.dask_scheduler"]
    log = open(tmp_path / "cluster.log", "wb")
    procs = [_start(dask + ["--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                            "--scheduler-file", str(sched_file)], env, log)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        for _ in range(2):
            procs.append(_start([PY, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                 "--host", "127.0.0.1", "--no-dashboard"], env, log))
        out = tmp_path / "out"
        run = extract(clips, out, features="killer,mfcc", config={"mfcc": TINY["mfcc"]},
                      custom_features={"killer": killer_feature()}, scheduler=address, batch_files=8)
        rows = _all_rows(out)
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)) == 17  # 12 clips + 4 bad + the killer, each exactly once
        failed = {r["id"]: r["error"] for r in rows if r["status"] == "failed"}
        assert sorted(failed) == sorted(BAD + ("a/clip-0002-killer",))
        assert "WorkerDied" in failed["a/clip-0002-killer"] and run.killed_batches >= 2
        assert run.ok == 12 and len(open_store(out)) == 12
    finally:
        _stop(procs)
        log.close()


def test_cli_killed_mid_run_then_resume(tmp_path):
    clips = _corpus(tmp_path / "clips", 40, seed=1)
    out = tmp_path / "out"
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"features": TINY}))
    cmd = [PY, "-m", "dsp.corpus", "extract", str(clips), str(out), "--config", str(cfg), "--workers", "1",
           "--batch-files", "2", "--quiet"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        parts = out / "parts"
        while time.monotonic() < deadline and proc.poll() is None:
            if parts.is_dir() and any(not p.name.startswith(".") for p in parts.iterdir()):
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and its cluster, all at once
        proc.wait(timeout=30)
    killed_early = len(_all_rows(out)) < 44
    r = subprocess.run(cmd + ["--resume"], env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 4, r.stderr[-2000:]  # four bad files failed
    rows = _all_rows(out)
    ids = [x["id"] for x in rows]
    assert len(ids) == len(set(ids)) == 44
    assert sum(x["status"] == "ok" for x in rows) == 40
    assert killed_early or pytest.skip("the first run finished before it could be killed")
    r = subprocess.run(cmd[:-1] + ["--features", "logmel", "--resume"], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 125 and "another feature config" in r.stderr


def _numba_threads():
    import numba

    import dsp  # noqa: F401  (the kernels' threading layer is set up as in a task)

    return os.environ.get("NUMBA_NUM_THREADS"), numba.get_num_threads()


def test_local_cluster_one_thread_per_worker_process():
    from dsp.corpus.engine import _client, _close

    client, cluster = _client(None, 2, None)
    try:
        env = client.run(_numba_threads)
        pids = client.run(os.getpid)
        threads = [w["nthreads"] for w in client.scheduler_info()["workers"].values()]
        assert list(env.values()) == [("1", 1), ("1", 1)] and threads == [1, 1]
        assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    finally:
        _close(client, cluster)


def _synchronous_cluster(monkeypatch, outcome):
    """A stand-in for Dask: ``submit`` runs the real task in this process (so its part is
    stored), then ``outcome(part, earlier_runs)`` says how its future ends: ``(status,
    exception)``. ``as_completed`` yields the futures in submission order. Returns the list of
    parts run, in order."""
    import distributed

    class Future:
        def __init__(self, value, status, exc):
            self.value, self.status, self.exc = value, status, exc

        def result(self):
            return self.value

        def exception(self):
            return self.exc

        def cancel(self):
            pass

    class AsCompleted:
        def __init__(self):
            self.futures = []

        def add(self, fut):
            self.futures.append(fut)

        def __iter__(self):
            i = 0
            while i < len(self.futures):
                yield self.futures[i]
                i += 1

    runs = []

    class Client:
        def submit(self, fn, *args, key, pure):
            value = fn(*args)
            part = args[1]
            status, exc = outcome(part, runs.count(part))
            runs.append(part)
            return Future(value, status, exc)

    monkeypatch.setattr(distributed, "as_completed", AsCompleted)
    return Client(), runs


def _drive_two_batches(tmp_path, corpus, monkeypatch, outcome):
    from dsp.corpus import batches as batches_mod
    from dsp.corpus import features as corpus_features
    from dsp.corpus.engine import RunResult
    from dsp.corpus.store import PARTS, read_manifests

    spec = resolve(["logmel", "mfcc"], TINY, sr=16000)
    components = corpus_features.preflight(spec)
    items = items_from(corpus)[:7]
    out = tmp_path / "store"
    (out / PARTS).mkdir(parents=True)
    client, runs = _synchronous_cluster(monkeypatch, outcome)
    result = RunResult(str(out), workers=1)
    fresh = iter(range(100))
    batches_mod.drive(client, out, spec, components, [("p-a", items[:4]), ("p-b", items[4:])],
                      lambda: f"p-new{next(fresh)}", result, None)
    ids = read_manifests(out).column("id").to_pylist()
    assert sorted(ids) == sorted(it.id for it in items)  # every file once: nothing lost, nothing twice
    assert result.ok + result.failed == len(items) and result.killed_batches == 0
    return runs


def test_lost_result_runs_again_and_stores_each_file_once(tmp_path, corpus, monkeypatch):
    """A batch whose future ends without an error but without its result (Dask's 'lost': the
    worker died after the task, e.g. killed by the next batch's file) runs again under the same
    part: the run goes on, each file is stored once and counted once. Every first result is lost."""
    runs = _drive_two_batches(tmp_path, corpus, monkeypatch,
                              lambda part, earlier: ("finished" if earlier else "lost", None))
    assert sorted(runs) == ["p-a", "p-a", "p-b", "p-b"]  # each batch run twice, under its own name


def test_killed_worker_after_the_part_was_stored_is_not_split(tmp_path, corpus, monkeypatch):
    """KilledWorker for a batch whose part is already stored (the worker that died held only
    its result, and the scheduler's retries ran out on other dying workers, as under load in
    the external-cluster test) counts the stored part: splitting it stored its files twice."""
    from distributed.scheduler import KilledWorker

    runs = _drive_two_batches(tmp_path, corpus, monkeypatch,
                              lambda part, earlier: ("error", KilledWorker(part, "tcp://127.0.0.1:1", 1)))
    assert runs == ["p-a", "p-b"]  # each run once, neither split into new parts
