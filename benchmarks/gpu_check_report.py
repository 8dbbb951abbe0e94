"""``make gpu-check``'s record: the pytest summary of the test step, the issue's GPU targets, and
the short summary printed at the end.

Used by :mod:`benchmarks.gpu_check` (which re-exports these names). Standard library only.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

# ------------------------------------------------------------------------------------------
# pytest summary

_RESULT = re.compile(r"^(\S+::\S+?)\s+(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)\b")
_SUMMARY = re.compile(r"=+ (.*?) in ([\d.]+)s")


def pytest_summary(output: str) -> dict:
    """Counts and failing ids from ``pytest -v -rA``-style output (partial output works too)."""
    outcomes: dict[str, str] = {}
    for line in output.splitlines():
        m = _RESULT.match(line.strip())
        if m:
            outcomes[m.group(1)] = m.group(2)
        elif line.startswith(("FAILED ", "ERROR ")):  # short test summary lines
            word, _, rest = line.partition(" ")
            tid = rest.split(" - ")[0].strip()
            if "::" in tid or tid.endswith(".py"):
                outcomes[tid] = word
    counts: dict[str, int] = {}
    for v in outcomes.values():
        counts[v.lower()] = counts.get(v.lower(), 0) + 1
    skipped_reasons: dict[str, int] = {}
    for line in output.splitlines():
        if line.startswith("SKIPPED ["):
            reason = line.split(": ", 1)[-1].strip()
            n = int(re.match(r"SKIPPED \[(\d+)\]", line).group(1))
            skipped_reasons[reason] = skipped_reasons.get(reason, 0) + n
    last = None
    for line in output.splitlines():
        m = _SUMMARY.search(line)
        if m and ("passed" in m.group(1) or "failed" in m.group(1) or "skipped" in m.group(1)
                  or "error" in m.group(1) or "no tests ran" in m.group(1)):
            last = line.strip("= ").strip()
    return {
        "passed": counts.get("passed", 0), "failed": counts.get("failed", 0),
        "skipped": counts.get("skipped", 0), "errors": counts.get("error", 0),
        "xfailed": counts.get("xfail", 0), "xpassed": counts.get("xpass", 0),
        "failing": sorted(k for k, v in outcomes.items() if v in ("FAILED", "ERROR")),
        "skip_reasons": skipped_reasons, "summary_line": last,
    }


# ------------------------------------------------------------------------------------------
# the record


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "gpu"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except Exception:
        return None


def _ms(s) -> str:
    return "-" if s is None else f"{s * 1e3:.3g}"


def summary_lines(record: dict) -> list[str]:
    lines = []
    env = record.get("environment", {})
    gpu = env.get("gpu") or {}
    lines.append(f"device: {record.get('device')}; driver {gpu.get('driver_version')}, "
                 f"CUDA runtime {gpu.get('cuda_runtime_version')}, CuPy {gpu.get('cupy')}, "
                 f"numba-cuda {record['versions'].get('numba_cuda')}, torch {record['versions'].get('torch')}")
    for name, st in record["steps"].items():
        lines.append(f"  step {name:<12} {st['status']:<10} {st['elapsed_s']:7.1f} s"
                     + (f"  ({st['reason']})" if st.get("reason") else ""))
    t = record.get("tests")
    if t:
        lines.append(f"tests: {t['passed']} passed, {t['failed']} failed, {t['errors']} errors, "
                     f"{t['skipped']} skipped")
        for tid in t["failing"][:20]:
            lines.append(f"  FAILED {tid}")
        if len(t["failing"]) > 20:
            lines.append(f"  ... and {len(t['failing']) - 20} more (see the JSON)")
    b = record.get("bench")
    if b:
        for op in b.get("ops", []):
            ours = next((e for e in op["impls"] if e["ours"]), None)
            med = ((ours or {}).get("timing") or {}).get("median_s")
            head = f"{op['name']:<20} {op['status']:<18}"
            if op["status"] != "ok":
                lines.append(f"{head} {op.get('reason') or ''}")
                continue
            par = (ours.get("parity") or {}).get("error")
            cg = op.get("cpu_vs_gpu") or {}
            tr = op.get("transfers") or {}
            lines.append(f"{head} ours {_ms(med)} ms; parity {par if par is None else f'{par:.1e}'}; "
                         f"cpu-vs-gpu {cg.get('error', float('nan')):.1e} "
                         f"({'ok' if cg.get('within_tolerance') else 'OVER TOLERANCE'}); "
                         f"H2D {_ms(tr.get('host_to_device_s'))} ms, D2H {_ms(tr.get('device_to_host_s'))} ms")
            for e in op["impls"]:
                if e["ours"]:
                    continue
                if not e["available"]:
                    lines.append(f"    {e['name']:<34} {e['reason']}")
                elif e.get("error"):
                    lines.append(f"    {e['name']:<34} error: {e['error'][:120]}")
                else:
                    r = (e.get("ratio") or {}).get("ratio")
                    lines.append(f"    {e['name']:<34} {_ms((e.get('timing') or {}).get('median_s'))} ms"
                                 f"  ours/peer {r if r is None else f'{r:.3f}'}")
    f = record.get("fft")
    if f:
        for tr in f.get("transforms", []):
            own = (tr["impls"].get("own") or {}).get("timing") or {}
            cu = (tr["impls"].get("cufft") or {})
            cu_t = (cu.get("timing") or {}).get("median_s")
            r = tr.get("ratio_own_over_cufft")
            lines.append(f"fft n={tr['n']:<5} rows={tr['rows']:<7} own {_ms(own.get('median_s'))} ms, "
                         f"cuFFT {_ms(cu_t) if cu.get('available', True) else cu.get('reason')}"
                         + (f", own/cuFFT {r:.2f}" if r is not None else ""))
    for k, v in record.get("targets", {}).items():
        lines.append(f"target {k}: {v}")
    return lines


def targets(bench: dict | None) -> dict:
    """The issue's GPU targets (benchmarks, not tests): met, missed, or why not measured."""
    out = {}
    if not bench:
        return {"all": "not measured (the bench step produced no results)"}
    ops_ = {o["name"]: o for o in bench.get("ops", [])}

    def ratio(op, peer):
        o = ops_.get(op)
        if not o or o["status"] != "ok":
            return None, f"not measured ({op}: {o['status'] if o else 'absent'})"
        e = next((i for i in o["impls"] if i["name"] == peer), None)
        if e is None or not e["available"]:
            return None, f"not measured ({peer} {e['reason'] if e else 'absent'})"
        r = (e.get("ratio") or {}).get("ratio")
        if r is None:
            return None, f"not measured ({peer}: {e.get('error') or 'no ratio'})"
        return r, None

    for key, op, peer, need in [
        ("stft <= torch.stft", "gpu_stft", "torch.stft (cuda)", 1.0),
        ("stft >= 10x cupyx.scipy.signal.stft", "gpu_stft", "cupyx.scipy.signal.stft", 0.1),
        ("melspectrogram <= torchaudio MelSpectrogram", "gpu_melspectrogram",
         "torchaudio MelSpectrogram (cuda)", 1.0),
        ("melspectrogram <= torch.stft + mel matmul", "gpu_melspectrogram",
         "torch.stft+mel matmul (cuda)", 1.0),
        ("wavedec >= 50x PyWavelets (host)", "gpu_wavedec", "pywt (host)", 1 / 50),
    ]:
        r, why = ratio(op, peer)
        out[key] = why if r is None else f"{'met' if r <= need else 'MISSED'} (ours/peer {r:.4f}, need <= {need:g})"
    bad = [o["name"] for o in bench.get("ops", [])
           if o.get("cpu_vs_gpu") and not o["cpu_vs_gpu"]["within_tolerance"]]
    checked = [o["name"] for o in bench.get("ops", []) if o.get("cpu_vs_gpu")]
    out["GPU result = CPU result within float32 tolerance"] = (
        f"MISSED for {', '.join(bad)}" if bad else
        (f"met ({len(checked)} operations)" if checked else "not measured"))
    return out
