"""The layering rules of docs/architecture.md, checked on the source tree (static, no imports).

kernels (bottom layer: shapes, rules, caches, config) <- kernels/cpu, kernels/gpu (twins, never
each other) <- dsp (validates, dispatches through dsp/_dispatch.py) <- pyramids (public dsp names
only) <- dsp.corpus, benchmarks (applications). A test failure names the file, the line and the rule.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


#: import name of each top-level folder (kernels/ installs as dsp_kernels)
PACKAGE_OF = {"kernels": "dsp_kernels", "dsp": "dsp", "pyramids": "pyramids", "benchmarks": "benchmarks"}


def _package_parts(path: Path) -> tuple[str, ...]:
    rel = path.relative_to(ROOT).with_suffix("").parts
    parts = (PACKAGE_OF[rel[0]],) + rel[1:]
    return parts[:-1] if parts[-1] == "__init__" else parts[:-1]


def _imports(path: Path):
    """``(line, module)`` for every import in ``path``, in functions too, relative ones resolved.

    ``from dsp import _x`` counts as an import of ``dsp._x``; ``from dsp_kernels.cpu import fft``
    as ``dsp_kernels.cpu.fft``; ``from ..passes import u64`` inside ``kernels/cpu/fft/`` as
    ``dsp_kernels.cpu.passes``.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_parts(path)
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ((node.module,) if node.module else ()))
            else:
                module = node.module
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


def _violations(folder: str, forbidden, allowed_files=()):
    out = []
    for path in _files(folder):
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed_files:
            continue
        for line, module in _imports(path):
            why = forbidden(rel, module)
            if why:
                out.append(f"{rel}:{line} imports {module}: {why}")
    return out


def _top(module: str) -> list[str]:
    return module.split(".")


def test_kernels_import_neither_dsp_nor_pyramids():
    def rule(rel, module):
        if _top(module)[0] in ("dsp", "pyramids", "benchmarks"):
            return "kernels/ is below dsp and pyramids"
    assert _violations("kernels", rule) == []


def test_twins_do_not_import_each_other():
    def rule(rel, module):
        parts = _top(module)
        if parts[0] != "dsp_kernels" or len(parts) < 2:
            return None
        here = rel.split("/")[1] if rel.count("/") >= 2 else "(base)"
        there = parts[1]
        if here == "gpu" and there == "cpu":
            return "the GPU twin shares rules through the bottom layer, not the CPU twin"
        if here == "cpu" and there == "gpu":
            return "the CPU twin never imports the GPU twin"
        if here == "(base)" and there in ("cpu", "gpu"):
            return "the bottom layer imports no twin"
    assert _violations("kernels", rule) == []


def test_pyramids_use_public_dsp_names_only():
    def rule(rel, module):
        parts = _top(module)
        if parts[0] == "dsp" and any(p.startswith("_") for p in parts[1:]):
            return "pyramids import dsp's public API (dsp, dsp.base, ...), not its private modules"
        if parts[0] == "dsp_kernels" and len(parts) > 1 and parts[1] in ("cpu", "gpu"):
            return "pyramids reach kernels through dsp"
    assert _violations("pyramids", rule) == []


def test_dsp_library_does_not_import_applications():
    def rule(rel, module):
        if rel.startswith("dsp/corpus/"):
            return None  # the corpus extractor is an application: it may build pyramids
        if _top(module)[0] in ("pyramids", "benchmarks"):
            return "dsp is below pyramids and the benchmarks"
    assert _violations("dsp", rule) == []


def test_dsp_reaches_the_twins_through_the_dispatch_table_only():
    # _warmup compiles the CPU kernels ahead of time, by name; everything else goes through
    # dsp/_dispatch.py so the hop from a dsp function to its kernel is written in one table
    allowed = ("dsp/_dispatch.py", "dsp/_warmup.py")

    def rule(rel, module):
        parts = _top(module)
        if parts[0] == "dsp_kernels" and len(parts) > 1 and parts[1] in ("cpu", "gpu"):
            return "dispatch to kernels goes through dsp/_dispatch.py"
    assert _violations("dsp", rule, allowed_files=allowed) == []


@pytest.mark.parametrize("folder", ["dsp", "kernels", "pyramids", "benchmarks", "tests"])
def test_nothing_imports_the_kernels_by_their_folder_name(folder):
    # 'kernels' is an unrelated PyPI distribution's name (transformers >= 5.25 requires it); our
    # folder hands that name over when imported by it (kernels/__init__.py)
    def rule(rel, module):
        if _top(module)[0] == "kernels":
            return "the kernels are imported as dsp_kernels"
    assert _violations(folder, rule) == []


@pytest.mark.parametrize("name", ["shapes.py", "rules.py", "caches.py", "settings.py"])
def test_bottom_layer_imports_only_the_standard_library_numpy_and_itself(name):
    import sys

    allowed_third_party = {"numpy"}
    bad = []
    for line, module in _imports(ROOT / "kernels" / name):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in allowed_third_party:
            continue
        if module in ("dsp_kernels.shapes", "dsp_kernels.shapes.MODES", "dsp_kernels.shapes.PAD_MODES"):
            continue  # the rules read the mode ids from the other bottom-layer module
        bad.append(f"kernels/{name}:{line} imports {module}")
    assert bad == []


@pytest.mark.parametrize("folder", ["dsp", "kernels", "pyramids", "benchmarks"])
def test_no_module_cites_a_missing_design_document(folder):
    cited = [p.relative_to(ROOT).as_posix() for p in _files(folder) if "DESIGN.md" in p.read_text()]
    assert cited == []
