"""The compare report: a per-feature verdict, every file's numbers, and how they were measured.

The content is built once as a list of blocks (headings, paragraphs, lists, tables, images) and
rendered to Markdown or to a self-contained HTML page, so the two formats say the same thing.

Examples
--------
>>> from dsp.compare.report import summarize
>>> rows = [{"file": "a.wav", "feature": "stft", "status": "ok", "dtype": "float32", "peak_rel": 2e-7,
...          "rms_rel": 1e-7, "tolerance": 1e-5, "within": True, "speedup": 3.0}]
>>> summarize(rows)[0]["verdict"]
'agrees within 1e-05 (float32)'
"""
from __future__ import annotations

import html
import statistics
from pathlib import Path

__all__ = ["summarize", "write_report", "render_markdown", "render_html"]

DOCS = "docs/compare.md"


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(records) -> list:
    """One row per feature: how many files, the worst errors, the verdict and why, medians.

    ``verdict`` is 'agrees within TOL (dtype)' when every file's peak-relative error is within the
    stated tolerance; otherwise it gives the worst error and either the documented difference that
    covers it (``why``, ``docs``) or says that none does.
    """
    order = list(dict.fromkeys(r["feature"] for r in records if r.get("feature")))
    out = []
    for name in order:
        rows = [r for r in records if r.get("feature") == name and r.get("file") is not None]
        ok = [r for r in rows if r["status"] == "ok"]
        failed = [r for r in rows if r["status"] == "failed"]
        s = {"feature": name, "files": len(ok), "failed": len(failed), "verdict": None, "why": None,
             "docs": None, "worst_peak_rel": None, "worst_rms_rel": None, "worst_file": None,
             "tolerance": None, "median_speedup": _median(r.get("speedup") for r in ok),
             "median_ours_s": _median(r.get("ours_s") for r in ok),
             "median_ref_s": _median(r.get("ref_s") for r in ok),
             "median_ours_mem_mb": _median(r.get("ours_mem_mb") for r in ok),
             "median_ref_mem_mb": _median(r.get("ref_mem_mb") for r in ok)}
        skipped = [r for r in records if r.get("feature") == name and r["status"] == "skipped"]
        if skipped:
            s.update(verdict="not run here", why=skipped[0]["reason"])
        elif not ok:
            s.update(verdict="no result", why="failed on every file" if failed else "no decodable file")
        else:
            worst = max(ok, key=lambda r: r["peak_rel"])
            tol, dt = worst["tolerance"], worst["dtype"]
            s.update(worst_peak_rel=worst["peak_rel"], worst_rms_rel=max(r["rms_rel"] for r in ok),
                     worst_file=worst["file"], tolerance=tol)
            outside = [r for r in ok if not r["within"]]
            if not outside:
                s["verdict"] = f"agrees within {tol:g} ({dt})"
            else:
                unexplained = [r for r in outside if not r.get("known")]
                s["verdict"] = (f"outside {tol:g} ({dt}) on {len(outside)} of {len(ok)} files "
                                f"(worst {worst['peak_rel']:.2e})")
                if unexplained:
                    s["why"] = ("not a documented difference: please report it with the file and "
                                "parameters (" + ", ".join(Path(r["file"]).name for r in unexplained[:5]) + ")")
                else:
                    s.update(why="documented: " + outside[0]["known"], docs=outside[0]["docs"])
        if failed:
            s["why"] = ((s["why"] + "; ") if s["why"] else "") + f"{len(failed)} file(s) failed (listed below)"
        out.append(s)
    return out


def _fmt(v, kind="g"):
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if kind == "e":
            return f"{v:.2e}"
        if kind == "ms":
            return f"{v * 1e3:.3g}"
        if kind == "hz":
            return f"{v:.10g}"
        if kind == "x":
            return f"{v:.2f}x"
        return f"{v:.3g}"
    return str(v)


def _blocks(records, meta, plots) -> list:
    meta = meta or {}
    summary = summarize(records)
    files = list(dict.fromkeys(r["file"] for r in records if r.get("file")))
    undecodable = [r for r in records if r["status"] == "undecodable"]
    failed = [r for r in records if r["status"] == "failed"]
    b = [("h1", "Compare report: dsp-pyramids against librosa / PyWavelets")]
    settings = [f"{k}: {meta[k]}" for k in ("date", "sr", "dtype", "mono", "repeats", "machine") if k in meta]
    if meta.get("versions"):
        settings.append("versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()))
    if meta.get("params"):
        settings.append("parameters: " + "; ".join(f"{k} {v or '(defaults)'}" for k, v in meta["params"].items()))
    settings.append(f"files: {len(files)} ({len(undecodable)} undecodable)")
    b.append(("ul", settings))
    b.append(("h2", "Summary"))
    b.append(("p", "Peak-relative error = max|ours - reference| / max|reference|, against the project's "
                   "stated tolerance for the input dtype (the bound the test suite holds every function to). "
                   "Speed-up = reference time / our time (medians). Memory: peak RSS rise of one call."))
    b.append(("table", ["feature", "files", "worst peak-rel", "worst RMS-rel", "tolerance", "verdict",
                        "speed-up", "ours ms", "reference ms", "ours MB", "reference MB"],
              [[s["feature"], s["files"], _fmt(s["worst_peak_rel"], "e"), _fmt(s["worst_rms_rel"], "e"),
                _fmt(s["tolerance"]), s["verdict"], _fmt(s["median_speedup"], "x"), _fmt(s["median_ours_s"], "ms"),
                _fmt(s["median_ref_s"], "ms"), _fmt(s["median_ours_mem_mb"]), _fmt(s["median_ref_mem_mb"])]
               for s in summary]))
    why = [f"{s['feature']}: {s['why']}" + (f" (see {s['docs']})" if s["docs"] else "") for s in summary if s["why"]]
    if why:
        b.append(("h3", "Why"))
        b.append(("ul", why))
    b.append(("h2", "Files"))
    rows = []
    for f in files:
        rs = [r for r in records if r.get("file") == f]
        bad = [r for r in rs if r["status"] == "undecodable"]
        first = next((r for r in rs if r["status"] != "undecodable"), {})
        rows.append([f, "undecodable" if bad else "decoded", _fmt(first.get("native_sr"), "hz"), _fmt(first.get("sr"), "hz"),
                     _fmt(first.get("channels")), _fmt(first.get("duration_s"))])
    b.append(("table", ["file", "status", "file rate", "rate used", "channels", "seconds"], rows))
    if undecodable:
        b.append(("h2", "Undecodable files"))
        b.append(("table", ["file", "reason"], [[r["file"], r["reason"]] for r in undecodable]))
    b.append(("h2", "Results per file"))
    b.append(("table", ["file", "feature", "shape", "peak-rel", "RMS-rel", "worst at", "time s", "within",
                        "ours ms", "reference ms", "speed-up", "ours MB", "reference MB", "ours traced MB",
                        "reference traced MB"],
              [[r["file"], r["feature"], r.get("shape"), _fmt(r.get("peak_rel"), "e"), _fmt(r.get("rms_rel"), "e"),
                r.get("worst"), _fmt(r.get("worst_time_s")), _fmt(r.get("within")), _fmt(r.get("ours_s"), "ms"),
                _fmt(r.get("ref_s"), "ms"), _fmt(r.get("speedup"), "x"), _fmt(r.get("ours_mem_mb")),
                _fmt(r.get("ref_mem_mb")), _fmt(r.get("ours_traced_mb")), _fmt(r.get("ref_traced_mb"))]
               for r in records if r["status"] == "ok"]))
    if failed:
        b.append(("h2", "Failed computations"))
        b.append(("table", ["file", "feature", "reason"], [[r["file"], r["feature"], r["reason"]] for r in failed]))
    refused = [r for r in records if r["status"] == "refused"]
    if refused:
        b.append(("h2", "Parameters both libraries refuse"))
        b.append(("p", "Both sides raised for these files (agreement: not counted as a failure)."))
        b.append(("table", ["file", "feature", "reasons"], [[r["file"], r["feature"], r["reason"]] for r in refused]))
    warned = [r for r in records if r.get("warnings")]
    if warned:
        b.append(("h3", "Warnings raised"))
        b.append(("ul", [f"{r['file']} / {r['feature']}: {r['warnings']}" for r in warned]))
    if meta.get("skipped"):
        b.append(("h2", "Features not run"))
        b.append(("ul", [f"{k}: {v}" for k, v in meta["skipped"].items()]))
    if plots:
        b.append(("h2", "Plots"))
        for label, path in plots.items():
            b.append(("img", path, label))
    b.append(("h2", "How these numbers are measured"))
    b.append(("ul", [
        "Each file is decoded once with dsp.load; the same array (istft: the same STFT matrix; load: the same "
        "file) and the same keywords go to both libraries.",
        "RMS-rel = sqrt(mean|ours - reference|^2) / sqrt(mean|reference|^2); 'worst at' is the element of the "
        "largest absolute difference, its time is the frame's centre (wavelets: coefficient index x decimation).",
        "Times: one untimed call of each, then alternating timed calls; medians. Timing on a busy machine is noisy.",
        f"Memory: {meta.get('memory', 'not measured')}.",
        f"Tolerances and documented differences: dsp/compare/tolerances.py; method: {DOCS}.",
    ]))
    return b


def render_markdown(blocks) -> str:
    def cell(v):
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = []
    for blk in blocks:
        kind = blk[0]
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + blk[1], ""]
        elif kind == "p":
            lines += [blk[1], ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in blk[1]] + [""]
        elif kind == "table":
            lines.append("| " + " | ".join(map(cell, blk[1])) + " |")
            lines.append("|" + "---|" * len(blk[1]))
            lines += ["| " + " | ".join(map(cell, row)) + " |" for row in blk[2]]
            lines.append("")
        elif kind == "img":
            lines += [f"![{blk[2]}]({blk[1]})", ""]
    return "\n".join(lines)


_STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:110em}table{border-collapse:collapse;"
          "margin:1em 0;font-size:90%}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left}"
          "th{background:#f3f3f3}img{max-width:100%;display:block;margin:1em 0}")


def render_html(blocks) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">",
             f"<title>{e(blocks[0][1])}</title><style>{_STYLE}</style></head><body>"]
    for blk in blocks:
        kind = blk[0]
        if kind in ("h1", "h2", "h3", "p"):
            parts.append(f"<{kind}>{e(str(blk[1]))}</{kind}>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{e(str(i))}</li>" for i in blk[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{e(str(h))}</th>" for h in blk[1])
            body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in blk[2])
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "img":
            parts.append(f"<figure><img src=\"{e(str(blk[1]))}\" alt=\"{e(blk[2])}\">"
                         f"<figcaption>{e(blk[2])}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(records, path, *, meta=None, plots=None) -> Path:
    """Write the report of ``records`` to ``path`` ('.md': Markdown, '.html'/'.htm': HTML).

    ``plots`` maps a caption to a PNG path; images are linked relative to the report's folder.
    """
    path = Path(path)
    rel = {}
    for label, p in (plots or {}).items():
        try:
            rel[label] = Path(p).resolve().relative_to(path.resolve().parent).as_posix()
        except ValueError:
            rel[label] = Path(p).resolve().as_posix()
    blocks = _blocks(records, meta, rel)
    text = render_html(blocks) if path.suffix.lower() in (".html", ".htm") else render_markdown(blocks)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
