"""The dispatch table (dsp/_dispatch.py) is complete, and each op's CPU and GPU kernels are twins.

The GPU kernel modules are imported in a subprocess under Numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1`` must be set before numba is imported), so this runs without a GPU.
"""
import ast
import inspect
import json
import os
import pathlib
import subprocess
import sys

import pytest

import dsp
from dsp._dispatch import OPS, has_kernel, kernel

ROOT = pathlib.Path(dsp.__file__).resolve().parent.parent
DISPATCHERS = ("kernel", "kernel_for", "has_kernel")


def _params(fn):
    """(name, kind, default) of each parameter; annotations differ by design (NumPy vs CuPy)."""
    return [(p.name, p.kind.name, repr(p.default)) for p in inspect.signature(fn).parameters.values()]


_GPU_SIGNATURES = """
import importlib, inspect, json, sys
out = {}
for op, entry in json.loads(sys.argv[1]).items():
    module, _, name = entry.partition(":")
    fn = getattr(importlib.import_module(module), name)
    out[op] = [(p.name, p.kind.name, repr(p.default)) for p in inspect.signature(fn).parameters.values()]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def gpu_signatures():
    pytest.importorskip("numba.cuda")
    entries = {op: e.gpu for op, e in OPS.items() if e.gpu is not None}
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, "-c", _GPU_SIGNATURES, json.dumps(entries)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {op: [tuple(p) for p in params] for op, params in json.loads(proc.stdout).items()}


@pytest.mark.parametrize("op", sorted(OPS))
def test_cpu_entry_resolves_to_the_named_function(op):
    fn = kernel(op, "cpu")
    module, _, name = OPS[op].cpu.partition(":")
    assert fn.__module__ == module and fn.__name__ == name


@pytest.mark.parametrize("op", sorted(op for op, e in OPS.items() if e.gpu is not None))
def test_cpu_and_gpu_entries_have_the_same_signature(op, gpu_signatures):
    cpu = _params(kernel(op, "cpu"))
    gpu = gpu_signatures[op]
    if OPS[op].cpu_out:  # the CPU kernel alone also writes into a caller's array
        assert cpu[-1] == ("out", "KEYWORD_ONLY", "None"), cpu
        cpu = cpu[:-1]
    assert cpu == gpu


def test_out_capability_matches_the_cpu_kernels():
    for op, entry in OPS.items():
        has_out = "out" in inspect.signature(kernel(op, "cpu")).parameters
        assert has_out == entry.cpu_out, op


def test_cpu_only_op_refuses_the_gpu():
    assert has_kernel("beat_track", "cpu") and not has_kernel("beat_track", "gpu")
    with pytest.raises(dsp.DSPError, match="beat_track has no GPU kernel"):
        kernel("beat_track", "gpu")


def _dispatch_calls(path):
    """(line, first argument) of every kernel/kernel_for/has_kernel call in a source file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DISPATCHERS:
            arg = node.args[0] if node.args else None
            yield node.lineno, arg.value if isinstance(arg, ast.Constant) else None


def _dsp_sources():
    return [p for p in sorted((ROOT / "dsp").rglob("*.py")) if p.name != "_dispatch.py"]


def test_every_op_dispatched_in_dsp_is_in_the_table():
    used, bad = set(), []
    for path in _dsp_sources():
        for line, op in _dispatch_calls(path):
            if op not in OPS:  # a literal op name, so that a reader can grep from call to table
                bad.append(f"{path.relative_to(ROOT)}:{line}: {op!r}")
            used.add(op)
    assert not bad, "ops missing from dsp/_dispatch.py OPS (or not a string literal): " + ", ".join(bad)
    assert used == set(OPS), f"ops in the table that dsp never dispatches: {sorted(set(OPS) - used)}"


def test_only_the_table_names_kernel_entry_points():
    # no string-keyed module look-ups and no direct imports of CPU/GPU kernel modules in dsp/
    offenders = []
    for path in _dsp_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("dsp_kernels.cpu", "dsp_kernels.gpu")):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
                    "import_module", "kernel_module") and any(
                    isinstance(a, ast.JoinedStr) or (isinstance(a, ast.Constant) and "dsp_kernels" in str(a.value))
                    for a in node.args):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_kernel_modules_are_imported_under_one_lock(monkeypatch):
    """A first call imports its kernel module holding dsp._dispatch's import lock, so two threads'
    first calls never import kernel modules at the same time (Python's import deadlock, which
    raised _DeadlockError in one thread of tests/test_process_safety.py's race)."""
    import importlib
    import types

    from dsp import _dispatch

    held = []

    def spy(name):
        held.append((name, _dispatch._IMPORT_LOCK._is_owned()))
        return types.SimpleNamespace(entry=lambda: "resolved")

    monkeypatch.setattr(importlib, "import_module", spy)
    monkeypatch.setitem(_dispatch.OPS, "lock_probe", _dispatch.Op("no_such_kernel_module:entry", None))
    assert _dispatch._resolve("lock_probe", "cpu")() == "resolved"
    assert held == [("no_such_kernel_module", True)]
    assert not _dispatch._IMPORT_LOCK._is_owned()
