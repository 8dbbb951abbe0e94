"""docs/architecture.md's table of kernel entry points is the dispatch table (dsp/_dispatch.py).

Regenerate the table with ``python tests/test_architecture_doc.py``.
"""
from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- BEGIN OPS TABLE -->", "<!-- END OPS TABLE -->"


def _contract(entry: str) -> str:
    """The first sentence of the CPU kernel's docstring, on one line."""
    module, _, name = entry.partition(":")
    doc = inspect.getdoc(getattr(importlib.import_module(module), name)) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    return first.replace("|", "\\|")


def render() -> str:
    from dsp._dispatch import OPS

    rows = ["| operation | CPU kernel | GPU twin | CPU `out=` | contract (CPU kernel's docstring) |",
            "| --- | --- | --- | --- | --- |"]
    for op, entry in OPS.items():
        cpu = entry.cpu.replace("dsp_kernels.", "")
        gpu = entry.gpu.replace("dsp_kernels.", "") if entry.gpu else "-"
        rows.append(f"| `{op}` | `{cpu}` | `{gpu}` | {'yes' if entry.cpu_out else '-'} | {_contract(entry.cpu)} |")
    return "\n".join(rows)


def _current_block(text: str) -> str:
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip("\n")


def test_ops_table_is_current():
    assert _current_block(DOC.read_text()) == render(), \
        "docs/architecture.md's operations table is stale: run python tests/test_architecture_doc.py"


def test_every_module_named_in_the_document_exists():
    # paths in backticks such as `kernels/rules.py` or `dsp/_dispatch.py`
    import re

    text = DOC.read_text()
    paths = set(re.findall(r"`((?:dsp|kernels|pyramids|benchmarks|tests|docs)/[\w/.]+\.(?:py|md))`", text))
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    text = DOC.read_text()
    head, tail = text[:text.index(BEGIN) + len(BEGIN)], text[text.index(END):]
    DOC.write_text(head + "\n" + render() + "\n" + tail)
    print(f"wrote {DOC}")
