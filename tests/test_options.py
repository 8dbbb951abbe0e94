"""The global state in one place: dsp.options (settings), dsp.clear_caches() over the registry of
every table cache, and no process state changed behind the user's back (pyramids' model loading
leaves os.environ alone)."""
import ast
import importlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import dsp
from dsp_kernels import caches, settings

ROOT = Path(__file__).resolve().parents[1]
#: source folder -> import name of the package it holds
PACKAGES = {"dsp": "dsp", "kernels": "dsp_kernels", "pyramids": "pyramids"}


def _sources():
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            yield path, ".".join([package, *parts])


def _decorator_name(node) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return getattr(target, "id", "")


def _table_caches_in_tree():
    """``(module, qualified function name)`` of every ``@table_cache`` in dsp, kernels, pyramids."""
    found = []
    for path, module in _sources():
        tree = ast.parse(path.read_text(), str(path))

        def visit(node, prefix):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    qual = f"{prefix}{child.name}"
                    if any(_decorator_name(d) == "table_cache" for d in getattr(child, "decorator_list", [])):
                        found.append((module, qual))
                    visit(child, qual + ".")

        visit(tree, "")
    return found


def _importable(module: str) -> bool:
    """Import ``module``; False only for the GPU kernels where numba.cuda is missing."""
    try:
        importlib.import_module(module)
    except ImportError:
        if module.startswith("dsp_kernels.gpu."):
            return False
        raise
    return True


def test_no_unregistered_memo_decorators_in_the_tree():
    # every memoised table goes through kernels/caches.py, so clear_caches() reaches it
    offenders = []
    for path, _ in _sources():
        if path.name == "caches.py" and path.parent.name == "kernels":
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for d in node.decorator_list:
                    if _decorator_name(d) in ("lru_cache", "cache", "cached_property"):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not offenders, offenders


def test_every_table_cache_in_the_tree_is_registered():
    found = _table_caches_in_tree()
    assert len(found) >= 18  # the 18 lru_caches the registry replaced
    found = [(m, q) for m, q in found if _importable(m)]
    names = caches.registered()
    missing = [f"{m}.{q}" for m, q in found if f"{m}.{q}" not in names]
    assert not missing, missing
    # and the dict-based cache of padded resampling tables
    importlib.import_module("dsp_kernels.cpu.resample")
    assert "dsp_kernels.cpu.resample._PADDED" in caches.registered()


def test_clear_caches_empties_every_registered_cache():
    from pyramids import ImagePyramid

    for module, _ in _table_caches_in_tree():
        _importable(module)
    y = np.random.default_rng(0).standard_normal(4096)
    dsp.stft(y, n_fft=512)
    dsp.melspectrogram(y=y, sr=22050, n_fft=512)
    dsp.mfcc(y=y, sr=22050, n_fft=512)
    dsp.resample(y, orig_sr=22050, target_sr=16000)
    dsp.dct(y[:64])
    dsp.wavedec(y, "db4", level=2)
    ImagePyramid.gaussian(np.random.default_rng(1).random((32, 32)), levels=3)
    sizes = caches.registered()
    filled = {name for name, n in sizes.items() if n > 0}
    for name in ("dsp._mel_filterbank._filterbank", "dsp.windows._table", "dsp_kernels.cpu.fft.plans._rfft_plan_cached",
                 "dsp.resampling._design", "dsp._wavelet_filters._builtin_bank",
                 "dsp.transform.gaussian_kernel"):
        assert name in filled, (name, sizes)
    dropped = dsp.clear_caches()
    assert dropped == sum(sizes.values())
    left = {name: n for name, n in caches.registered().items() if n}
    assert not left, left
    # the tables come back on the next call, equal to before
    S = dsp.stft(y, n_fft=512)
    np.testing.assert_array_equal(S, dsp.stft(y, n_fft=512))


def test_a_scoped_cache_keys_on_the_device():
    device = [0]
    calls = []

    @caches.table_cache(maxsize=8, scope=lambda: device[0])
    def table(n):
        calls.append((device[0], n))
        return np.full(n, device[0])

    name = f"{table.__module__}.{table.__qualname__}"
    try:
        a0 = table(3)
        assert table(3) is a0  # a hit on the same device
        device[0] = 1
        a1 = table(3)
        assert a1 is not a0 and a1[0] == 1  # another device builds its own table
        assert calls == [(0, 3), (1, 3)]
        assert caches.registered()[name] == 2
        caches.clear_all()
        assert table.cache_info().currsize == 0
    finally:
        caches.unregister(name)
    assert name not in caches.registered()


def test_gpu_tables_are_kept_per_device():
    # the two caches of device arrays in the GPU FFT carry the device id in their key
    gfft = pytest.importorskip("dsp_kernels.gpu.fft")
    source = Path(gfft.__file__).read_text()
    assert source.count("@table_cache(maxsize=64, scope=rt.device_id)") == 2


def test_options_using_restores_the_setting():
    assert dsp.options.get("gpu_fft") == "auto"
    with dsp.options.using(gpu_fft="own"):
        assert dsp.options.get("gpu_fft") == "own" == settings.get("gpu_fft")
        with dsp.options.using(gpu_fft="cufft"):
            assert dsp.options.get("gpu_fft") == "cufft"
        assert dsp.options.get("gpu_fft") == "own"
    assert dsp.options.get("gpu_fft") == "auto"
    with pytest.raises(RuntimeError, match="inside"):
        with dsp.options.using(gpu_fft="own"):
            raise RuntimeError("inside")
    assert dsp.options.current() == {"gpu_fft": "auto"}


def test_options_using_is_local_to_the_thread_and_set_is_global():
    seen = {}

    def other():
        seen["value"] = dsp.options.get("gpu_fft")

    with dsp.options.using(gpu_fft="own"):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen["value"] == "auto"  # another thread keeps the process value
    previous = dsp.options.set(gpu_fft="own")
    try:
        assert previous == {"gpu_fft": "auto"}
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert seen["value"] == "own"
    finally:
        dsp.options.set(**previous)
    assert dsp.options.get("gpu_fft") == "auto"


@pytest.mark.parametrize("call, match", [
    (lambda: dsp.options.set(gpu_fft="fftw"), r"gpu_fft='fftw' is not supported: use one of 'auto', 'cufft', 'own'"),
    (lambda: dsp.options.using(gpu_fft=None).__enter__(), r"gpu_fft=None is not supported"),
    (lambda: dsp.options.set(fft="own"), r"there is no setting 'fft'.*gpu_fft"),
    (lambda: dsp.options.get("fft"), r"name='fft'.*gpu_fft"),
])
def test_options_refuse_bad_settings(call, match):
    with pytest.raises(dsp.DSPError, match=match):
        call()
    assert dsp.options.get("gpu_fft") == "auto"


def test_the_gpu_fft_reads_the_setting():
    gfft = pytest.importorskip("dsp_kernels.gpu.fft")
    with dsp.options.using(gpu_fft="own"):
        assert gfft.backend() == "own"
    previous = gfft.set_backend("own")  # the older switch writes the same setting
    try:
        assert dsp.options.get("gpu_fft") == "own"
    finally:
        gfft.set_backend(previous)
    assert dsp.options.get("gpu_fft") == "auto"


def test_options_docstring_examples_run():
    import doctest

    for mod in (dsp.options, caches, settings, dsp.base):
        res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert res.failed == 0 and res.attempted > 0, mod.__name__


_ENV_SCRIPT = """
import os, sys
before = dict(os.environ)
import pyramids.text
from pyramids import models
assert dict(os.environ) == before, "import pyramids.text changed os.environ"
if models.text_extra_available():
    # torch sets variables of its own when imported (KMP_*, TORCHINDUCTOR_CACHE_DIR): not ours
    import sentence_transformers
    before = dict(os.environ)
    models.default_model()
    assert dict(os.environ) == before, "loading the default model changed os.environ"
    assert "HF_HUB_OFFLINE" not in os.environ
    print("loaded")
"""


def test_pyramids_text_leaves_the_environment_alone():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    out = subprocess.run([sys.executable, "-c", _ENV_SCRIPT], env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    if "loaded" not in out.stdout:
        pytest.skip("the 'text' extra is not installed: only the import was checked")
