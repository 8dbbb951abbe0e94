"""The benchmark suite runs end to end (``--quick`` on tiny inputs) and records every field.

No timing is asserted: only that every operation and implementation is present with the fields the
README table and the plots are built from, in a JSON file where we asked for it.
"""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not installed: it lives beside tests/ in the repo
    sys.path.insert(0, str(ROOT))

from benchmarks import ops, report  # noqa: E402


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--tiny", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text()), proc, out


def test_quick_run_records_every_op_and_field(quick_run):
    record, proc, _ = quick_run
    expected = [o.name for o in ops.select(ops.all_ops(), only=None, quick=True, device="cpu")]
    assert [op["name"] for op in record["ops"]] == expected
    for op in record["ops"]:
        assert set(report.OP_FIELDS) <= set(op), op["name"]
        assert op["status"] in ("ok", "not available yet", "skipped", "error"), op
        assert [i["name"] for i in op["impls"]] == [i.name for i in ops.get_op(op["name"]).impls]
        for im in op["impls"]:
            assert set(report.IMPL_FIELDS) <= set(im), (op["name"], im["name"])
        if op["status"] != "ok":
            assert op["reason"], op
            continue
        ours = [im for im in op["impls"] if im["ours"]]
        assert len(ours) == 1
        for im in op["impls"]:
            if not im["available"]:
                assert im["reason"], (op["name"], im["name"])
                continue
            if im["error"]:
                continue
            t = im["timing"]
            for key in ("median_s", "q1_s", "q3_s", "min_s", "max_s", "spread", "n", "number"):
                assert key in t, (op["name"], im["name"], key)
            assert t["n"] >= 1 and t["median_s"] > 0
            assert "error" in im["parity"] and "comparable" in im["parity"]
            if im["ours"]:
                assert im["ratio"] is None
            else:
                assert set(im["ratio"]) == {"ratio", "ratio_q1", "ratio_q3", "ratio_of_medians"}
                assert op["ratios"][im["name"]] == im["ratio"]["ratio"]
    # the table is printed
    assert "ours/peer" in proc.stdout


def test_quick_run_measures_memory_and_latency_in_fresh_processes(quick_run):
    record, _, _ = quick_run
    measured = [op for op in record["ops"] if op["name"] in record["meta"]["options"]["latency_ops"]]
    assert measured
    for op in measured:
        if op["status"] != "ok":
            continue
        ours = next(im for im in op["impls"] if im["ours"])
        assert ours["memory"] is not None and "error" not in ours["memory"], ours["memory"]
        assert ours["memory"]["peak_rss_delta_mb"] >= 0
        for cache in ("cold", "warm"):
            lat = ours["latency"][cache]
            assert "error" not in lat, lat
            assert {"import_s", "first_call_s", "total_s", "process_s"} <= set(lat)


def test_quick_run_metadata_and_plots(quick_run):
    record, _, out = quick_run
    meta = record["meta"]
    for key in ("machine", "cpu_model", "cpu_count", "python", "versions", "date", "command",
                "options", "timestamp_utc"):
        assert meta.get(key) is not None, key
    for lib in ("numpy", "numba", "scipy"):
        assert meta["versions"][lib], lib
    assert meta["options"]["profile"] == "tiny"
    for p in record["plots"]:
        assert Path(p).exists() and Path(p).parent == out.parent


def test_markdown_table_from_results(quick_run):
    _, _, out = quick_run
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--markdown", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "| operation |" in proc.stdout


def test_unknown_only_is_refused():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nonsense"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "nonsense" in proc.stderr and "stft" in proc.stderr


def test_missing_ours_is_reported_not_fatal():
    op = ops.Op("x", "x", "a placeholder", lambda p: {},
                [ops.Impl("dsp", lambda inp: (lambda: None), ours="dsp.no_such_function")])
    assert "not available yet" in ops.missing(op.impls[0])


def test_gpu_section_runs_or_says_why_it_skipped(tmp_path):
    out = tmp_path / "gpu.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--device", "gpu", "--tiny", "--only", "gpu_stft",
         "--no-plots", "--no-memory", "--no-latency", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (op,) = json.loads(out.read_text())["ops"]
    assert op["name"] == "gpu_stft"
    assert op["status"] in ("ok", "skipped", "not available yet"), op
    if op["status"] == "skipped":
        assert op["reason"] == "no GPU" and "--device gpu: no usable GPU" in proc.stderr


def test_summary_statistics_and_paired_ratios():
    from benchmarks import harness

    s = harness.summarize([1.0, 2.0, 3.0, 4.0, 5.0])
    assert (s["median_s"], s["q1_s"], s["q3_s"], s["min_s"], s["max_s"], s["n"]) == (3, 2, 4, 1, 5, 5)
    assert s["spread"] == pytest.approx(2 / 3)
    r = harness.paired_ratio([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    assert r["ratio"] == 1.0 and r["ratio_of_medians"] == 1.0
    assert harness.paired_ratio([], [])["ratio"] is None


@pytest.mark.parametrize("k", range(1, 8))
def test_round_orders_put_every_implementation_after_every_other_equally_often(k):
    """The rounds' orders (a Williams design): each a permutation; over one cycle every ordered
    pair (a, b) occurs as 'b right after a' equally often, and every index in every position
    equally often (a rotation left 'after the last, the first' in every round)."""
    from collections import Counter

    from benchmarks import harness

    orders = harness.round_orders(k)
    assert len(orders) == (k if k % 2 == 0 else 2 * k)
    assert all(sorted(o) == list(range(k)) for o in orders)
    follows = Counter((o[i], o[i + 1]) for o in orders for i in range(k - 1))
    pairs = {(a, b) for a in range(k) for b in range(k) if a != b}
    assert set(follows) == pairs and len(set(follows.values())) <= 1
    assert all(Counter(o[p] for o in orders) == Counter({i: len(orders) // k for i in range(k)})
               for p in range(k))
    if k % 2:  # odd k: every two rounds, 'b right after a' as often as 'a right after b'
        for r in range(0, len(orders), 2):
            two = Counter((o[i], o[i + 1]) for o in orders[r:r + 2] for i in range(k - 1))
            assert all(two[a, b] == two[b, a] for a, b in pairs)


def test_rounds_call_in_the_designed_orders():
    from benchmarks import harness

    log = []
    impls = [harness.Timed(str(i), (lambda i=i: log.append(i))) for i in range(3)]
    harness.time_alternating(impls, repeat=6, warmup=0, min_sample_s=0.0)
    timed = log[2 * 3:]  # after each one's first call and warm-up call
    assert [timed[3 * r:3 * r + 3] for r in range(6)] == harness.round_orders(3)


def test_number_is_calibrated_on_the_fastest_warm_up_call():
    """A second call that still loads something (4.8 ms against 35 us: ours, a fresh process's
    finiteness kernel), or a last warm-up call that meets a one-off delay, must not set
    ``number``: the fastest warm-up call does."""
    import time

    from benchmarks import harness

    calls = []

    def fn():
        calls.append(1)
        if len(calls) in (2, 4):
            time.sleep(0.02)

    t = harness.Timed("f", fn)
    harness.time_alternating([t], repeat=1, warmup=3, min_sample_s=0.002)
    assert t.warm_s < 0.01 and t.number > 1  # the fast third call, not a 0.02 s one
    assert len(calls) == 1 + 3 + t.number


def test_warm_up_stops_early_once_it_has_taken_its_budget(monkeypatch):
    import time

    from benchmarks import harness

    # a budget just under two calls: one call may overrun its sleep by 29 ms and still leave
    # room for the second warm-up, after which the budget is spent
    monkeypatch.setattr(harness, "WARMUP_BUDGET_S", 0.059)
    calls = []
    t = harness.Timed("slow", lambda: (calls.append(1), time.sleep(0.03)))
    harness.time_alternating([t], repeat=1, warmup=3, min_sample_s=0.0)
    assert len(calls) == 1 + 2 + 1  # first call, two warm-ups (0.06 s > 0.059), one round


def test_a_failing_implementation_is_recorded_not_raised():
    from benchmarks import harness

    def boom():
        raise RuntimeError("kernel exploded")

    good = harness.Timed("good", lambda: None)
    bad = harness.Timed("bad", boom)
    harness.time_alternating([good, bad], repeat=2)
    assert "kernel exploded" in bad.error and not bad.samples
    assert good.error is None and len(good.samples) == 2


def test_work_before_a_call_runs_before_each_call_and_off_the_clock():
    """Impl.before (the interleaved case): run once right before every timed call, its time not
    in the sample. A 20 ms sleep before a no-op must leave samples far below 20 ms."""
    import time

    from benchmarks import harness

    log = []
    t = harness.Timed("call", lambda: log.append("call"),
                      before=lambda: (log.append("before"), time.sleep(0.02)))
    harness.time_alternating([t], repeat=3, min_sample_s=0.0)
    assert log == ["before", "call"] * (len(log) // 2) and len(log) == 2 * (2 + 3 * t.number)
    assert max(t.samples) < 0.005


def test_the_after_blas_op_times_the_call_right_after_the_matmul():
    """Every implementation of melspectrogram_clip_after_blas runs the 300x300 matmul before its
    call, off the clock, and the timed call is the melspectrogram itself."""
    from benchmarks.ops.shapes import shape_ops

    op = next(o for o in shape_ops() if o.name == "melspectrogram_clip_after_blas")
    inp = op.setup(ops.PROFILES["quick"])
    for impl in op.impls:
        if impl.requires and any(importlib.util.find_spec(m) is None for m in impl.requires):
            continue
        assert impl.before is not None, impl.name
        assert impl.before(inp)().shape == (300, 300)
        assert impl.make(inp)().shape == (80, 101), impl.name


def test_scaling_section_runs_and_fits_slopes(tmp_path):
    """benchmarks.scaling on a one-point grid (no timing is asserted): every operation gets its
    sweeps, the stft gets its bandwidth floor and the library FFT rate, the plots are written; slopes fit a
    power law."""
    from benchmarks import scaling

    assert abs(scaling.slope([1, 10, 100], [2e-3, 2e-2, 2e-1]) - 1.0) < 1e-12
    assert abs(scaling.slope([1, 4, 16], [1.0, 16.0, 256.0]) - 2.0) < 1e-12
    assert scaling.slope([1], [1.0]) is None
    grid = {"seconds": [1, 2], "memory_seconds": [1], "n_fft": [256, 257], "batch": [1, 2],
            "floor_processes": 2}
    res = scaling.run(grid, progress=lambda line: None)
    for op in scaling.OPS:
        assert [p["seconds"] for p in res[op]["length"]] == [1, 2]
        assert res[op]["length"][0]["ours_mb"] is not None, res[op]["length"][0].get("memory_error")
        assert set(res[op]["threads"]) <= {"1", "2"}
    assert [p["n_fft"] for p in res["stft"]["n_fft"]] == [256, 257]
    fl = res["stft"]["bandwidth_floor"]  # 41 paired rounds in each of two fresh processes
    assert fl["copy_s"] > 0 and fl["rounds"] == 41 and fl["processes"] == 2, fl
    assert 0 < fl["ratio_q25"] <= fl["ratio_median"] <= fl["ratio_q75"]
    assert len(fl["process_ratios"]) == 2 and fl["output_mb"] == pytest.approx(2584 * 1025 * 8 / 2**20)
    fft = res["stft"]["fft_floor"]  # 60 s at 22.05 kHz, hop 512, centred: 2584 frames
    assert fft["n_frames"] == 1 + 60 * scaling.SR // 512 and fft["n_fft"] == 2048
    assert fft["per_transform_s"][fft["fastest"]] == min(fft["per_transform_s"].values())
    assert fft["floor_s"] == pytest.approx(fft["per_transform_s"][fft["fastest"]] * 2584 / fft["threads"])
    pngs = scaling.plot(res, tmp_path / "scaling")
    assert len(pngs) == 4 and all(p.stat().st_size > 0 for p in pngs)
    assert "| stft |" in scaling.summary(res) and "x the copy" in scaling.summary(res)
    assert "quartiles of 41 rounds in each of 2 processes" in scaling.summary(res)
    failed = {**res, "stft": {**res["stft"], "bandwidth_floor": {"seconds": 60, "error": "no floor process succeeded"}}}
    assert scaling.summary(failed).endswith("against one copy of its output: no floor process succeeded")


def test_resampling_shape_ops_convert_at_their_stated_rates():
    """Each resampling op of the shapes section runs the rates its title states, on both sides
    (its makers once read the rates from loop variables: the clip op timed 16 -> 16 kHz, a copy)."""
    pytest.importorskip("soxr")
    pytest.importorskip("librosa")
    from benchmarks.ops.shapes import shape_ops

    expected = {"resample_clip": 16000 // 2, "resample_long": None}
    for op in (o for o in shape_ops() if o.name in expected):
        inp = op.setup(ops.PROFILES["quick"])
        n = inp["y"].shape[-1]
        want = expected[op.name] or -(-n * 16000 // 44100)  # 44.1 -> 16 kHz, librosa's length
        for impl in op.impls:
            assert impl.make(inp)().shape[-1] == want, (op.name, impl.name)
