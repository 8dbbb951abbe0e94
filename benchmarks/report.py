"""What the suite tells people: a progress line while it runs, a table at the end, the JSON record,
the machine description, and the Markdown table for the README (``--markdown``)."""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import socket
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
SCHEMA = 1

#: keys every implementation entry carries in the JSON (values may be null, with a reason)
IMPL_FIELDS = ("name", "ours", "available", "reason", "note", "error", "timing", "ratio", "parity",
               "memory", "latency")
#: keys every operation entry carries
OP_FIELDS = ("name", "family", "title", "device", "params", "status", "reason", "reference",
             "notes", "ratios", "impls")


# --------------------------------------------------------------------------------------------
# progress


class Progress:
    """One status line on stderr: rewritten in place on a terminal, one line per step otherwise."""

    def __init__(self, total: int, stream=None, enabled: bool = True):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.enabled = enabled
        self.start = time.perf_counter()
        self.index = 0
        self.op = ""
        self._width = 0

    def op_start(self, index: int, name: str) -> None:
        self.index, self.op = index, name
        self.step("set-up")

    def step(self, what: str) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        line = f"[{self.index}/{self.total}] {self.op}: {what}  ({elapsed:5.1f} s)"
        if self.tty:
            pad = max(self._width - len(line), 0)
            self.stream.write("\r" + line + " " * pad)
            self._width = len(line)
        elif not what.startswith("round"):
            self.stream.write(line + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line that stays (a skip, a failure), printed above the progress line."""
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
        self._width = 0


# --------------------------------------------------------------------------------------------
# machine and versions


#: import name -> distribution name, read from the installed metadata (importing torch or
#: sentence-transformers just for a version string would cost seconds)
_DISTRIBUTIONS = {
    "numpy": "numpy", "scipy": "scipy", "numba": "numba", "librosa": "librosa", "soxr": "soxr",
    "pywt": "PyWavelets", "skimage": "scikit-image", "torch": "torch", "torchaudio": "torchaudio",
    "sentence_transformers": "sentence-transformers", "matplotlib": "matplotlib",
    "soundfile": "soundfile", "dsp": "dsp-pyramids",
}


def _version(module: str) -> str | None:
    from importlib import metadata

    names = [_DISTRIBUTIONS.get(module, module)]
    if module == "cupy":
        names = ["cupy", "cupy-cuda12x", "cupy-cuda11x", "cupy-cuda13x"]
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def machine_name() -> str:
    host = re.sub(r"[^A-Za-z0-9]+", "-", socket.gethostname().split(".")[0]).strip("-") or "host"
    return f"{host.lower()}-{cpu_count()}cpu"


def environment(command: list[str], options: dict, gpu: dict | None) -> dict:
    versions = {m: _version(m) for m in _DISTRIBUTIONS}
    if gpu:
        versions["cupy"] = _version("cupy")
    now = _dt.datetime.now(_dt.timezone.utc)
    return {
        "machine": machine_name(),
        "hostname": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cpu_count": cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "torch_threads": torch_threads(),
        "numba_threads": _numba_threads(),
        "date": now.strftime("%Y-%m-%d"),
        "timestamp_utc": now.isoformat(timespec="seconds"),
        "command": " ".join(command),
        "options": options,
        "gpu": gpu,
    }


def torch_threads() -> int | None:
    """torch's intra-op threads, when torch is already imported (never imported for this)."""
    torch = sys.modules.get("torch")
    return torch.get_num_threads() if torch is not None else None


def numba_threading_layer() -> str | None:
    """The layer Numba's pool ran on ('tbb' unless something went wrong), once it has started
    (never started here: asking before the first kernel would fix the layer)."""
    numba = sys.modules.get("numba")
    if numba is None:
        return None
    try:
        return numba.threading_layer()
    except ValueError:  # no parallel region has run
        return None


def _numba_threads():
    try:
        import numba

        return numba.config.NUMBA_NUM_THREADS
    except Exception:
        return None


def default_json_path(meta: dict, profile: str, device: str) -> Path:
    suffix = "" if profile == "full" else f"-{profile}"
    if device == "gpu":
        suffix += "-gpu"
    return RESULTS / f"{meta['machine']}-{meta['date']}{suffix}.json"


def write_json(record: dict, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(record, indent=1, default=_jsonable) + "\n")
    tmp.replace(path)
    return path


def _jsonable(x):
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, (set, tuple)):
        return list(x)
    return str(x)


# --------------------------------------------------------------------------------------------
# terminal table


def _ms(s):
    if s is None:
        return "-"
    ms = s * 1e3
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def _pct(x):
    return "-" if x is None else f"{100 * x:.0f}%"


def _sci(x):
    return "-" if x is None else f"{x:.1e}"


def _mb(m):
    if not m or m.get("peak_rss_delta_mb") is None:
        return "-"
    return f"{m['peak_rss_delta_mb']:.1f}"


def _lat(lat):
    if not lat:
        return "-"
    parts = []
    for k in ("cold", "warm"):
        r = lat.get(k) or {}
        parts.append("err" if "error" in r else (f"{r['total_s']:.2f}" if "total_s" in r else "-"))
    return " / ".join(parts)


def table(record: dict) -> str:
    """The terminal table: one row per implementation, grouped by operation."""
    head = ("operation", "implementation", "median ms", "IQR", "ours/peer", "parity err",
            "peak MB", "1st call s cold/warm")
    rows = [head]
    notes: list[str] = []
    for op in record["ops"]:
        first = True
        if op["status"] != "ok":
            rows.append((op["name"], f"[{op['status']}] {op['reason'] or ''}".strip(), "", "", "",
                         "", "", ""))
            continue
        for im in op["impls"]:
            label = op["name"] if first else ""
            first = False
            if not im["available"] or im["error"]:
                why = im["reason"] if not im["available"] else f"failed: {im['error']}"
                notes.append(f"  {op['name']} / {im['name']}: {why}")
                rows.append((label, f"{im['name']} (not run)", "", "", "", "", "", ""))
                continue
            t = im["timing"] or {}
            r = (im["ratio"] or {}).get("ratio")
            par = im["parity"] or {}
            rows.append((
                label,
                im["name"] + (" *" if im["ours"] else ""),
                _ms(t.get("median_s")),
                _pct(t.get("spread")),
                "-" if r is None else f"{r:.2f}x",
                _sci(par.get("error")) if par.get("comparable", True) else "n/c",
                _mb(im["memory"]),
                _lat(im["latency"]),
            ))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = []
    for k, r in enumerate(rows):
        cells = [str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in
                 enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    meta = record["meta"]
    if notes:
        lines.append("")
        lines.append("not run:")
        lines.extend(n[:300] for n in notes)
    lines.append("")
    lines.append("* ours. ours/peer < 1 means ours is faster (median of per-round ratios). IQR is "
                 "(q3-q1)/median of the samples. parity err = max|x - ref|/max|ref| against each "
                 "operation's reference (n/c: not comparable by design). peak MB = peak RSS increase "
                 "of one warm call in a fresh process.")
    lines.append(f"machine {meta['machine']} ({meta['cpu_model']}, {meta['cpu_count']} CPUs), "
                 f"{meta['timestamp_utc']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Markdown for the README


def markdown(record: dict) -> str:
    """The README table: ours against each peer, with the command, machine and date."""
    meta = record["meta"]
    out = [
        f"Measured with `{meta['command']}` on {meta['machine']} ({meta['cpu_model']}, "
        f"{meta['cpu_count']} CPUs"
        + (f", GPU {meta['gpu'].get('name')}" if meta.get("gpu") else "")
        + f"), {meta['date']}; Python {meta['python']}, NumPy {meta['versions'].get('numpy')}, "
        f"Numba {meta['versions'].get('numba')}.",
        "",
        "| operation | ours (ms) | peer | peer (ms) | ours/peer | parity error (ours) | "
        "peak MB (ours) | peak MB (peer) | first call cold / warm (s) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for op in record["ops"]:
        if op["status"] != "ok":
            out.append(f"| {op['name']} | {op['status']} | | | | | | | |")
            continue
        ours = next((i for i in op["impls"] if i["ours"]), None)
        if ours is None or not ours.get("timing"):
            continue
        first = True
        for im in op["impls"]:
            if im["ours"] or not im.get("timing") or im["timing"].get("median_s") is None:
                continue
            r = (im.get("ratio") or {}).get("ratio")
            lead = (f"| {op['name']} | {_ms(ours['timing']['median_s'])} |" if first else "| | |")
            tail = (f"{_sci((ours.get('parity') or {}).get('error'))} | {_mb(ours.get('memory'))} |"
                    if first else " | |")
            out.append(
                f"{lead} {im['name']} | {_ms(im['timing']['median_s'])} | "
                f"{'-' if r is None else f'{r:.2f}'} | {tail} {_mb(im.get('memory'))} | "
                f"{_lat(ours.get('latency')) if first else ''} |"
            )
            first = False
    out.append("")
    out.append("ours/peer below 1 means ours is faster (median of per-round ratios of alternating "
               "runs in one process). Parity error: max|ours - ref| / max|ref| against the "
               "operation's reference.")
    return "\n".join(out)


def latest_json() -> Path | None:
    files = sorted(RESULTS.glob("*.json"), key=lambda p: p.stat().st_mtime)
    return files[-1] if files else None
