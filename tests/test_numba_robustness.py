"""Numba's private hooks, NUMBA_DISABLE_JIT, and a kernel cache that is read-only, unwritable or
corrupt: none of them may break a call (dsp_kernels.config, dsp_kernels.kernel_cache)."""
import contextlib
import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest

from tolerances import assert_close

TESTS = Path(__file__).parent


def child(args, env_extra=None, timeout=900):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, *args], cwd=TESTS, env=env, capture_output=True,
                          text=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    return out


def warnings_in(out):
    return [line for line in out.splitlines() if line.startswith("WARNING:")]


# --- private hooks -----------------------------------------------------------------------------

def test_noalias_flag_reaches_code_generation():
    from dsp_kernels.config import inner_jit, jit, noalias_jit

    def copy(a, b):
        for i in range(a.shape[0]):
            b[i] = a[i] + 1.0

    plain, promised = inner_jit(_clone(copy)), noalias_jit(_clone(copy))

    @jit
    def call_both(a, b):
        plain(a, b)
        promised(a, b)

    from numba.core.caching import NullCache

    call_both._cache = NullCache()  # compile here, in this process
    a, b = np.ones(8), np.zeros(8)
    call_both(a, b)
    assert np.array_equal(b, a + 1.0)

    def noalias_args(helper):
        (cres,) = helper.compiled.values()
        ir = str(cres.library._final_module)
        define = [l for l in ir.splitlines() if l.startswith("define") and "copy" in l][0]
        return define.count("noalias")

    assert noalias_args(promised) > noalias_args(plain), (
        "noalias_jit no longer marks the array arguments noalias (dsp_kernels/subroutine.py)"
    )


def _clone(func):
    import types

    return types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__,
                              func.__closure__)


def test_subroutine_inside_jitted_code_and_from_python():
    """A subroutine: typed and compiled by its jitted callers (once per argument types), its
    errors raised through them, and plain Python when called from Python."""
    from dsp_kernels.config import jit
    from dsp_kernels.subroutine import subroutine

    @subroutine
    def scaled_sum(x, k):
        if k < 0:
            raise ValueError("k must be >= 0")
        s = 0.0
        for v in x:
            s += v * k
        return s

    @jit
    def caller(x, k):
        return scaled_sum(x, k) + scaled_sum(x[:2], k)

    from numba.core.caching import NullCache

    caller._cache = NullCache()
    x = np.arange(5.0)
    assert caller(x, 2) == 2 * x.sum() + 2 * x[:2].sum()
    assert caller(x.astype(np.float32), 3) == 3 * x.sum() + 3 * x[:2].sum()
    assert len(scaled_sum.compiled) == 2  # float64 and float32 arrays; the int is unliteral'd
    with pytest.raises(ValueError, match="k must be >= 0"):
        caller(x, -1)
    assert scaled_sum(x, 2) == 2 * x.sum()  # from Python: the function itself


def test_lean_codegen_hooks_take_effect():
    """dsp_kernels.lean_codegen on the pinned Numba: a prange kernel's wrapper libraries are not
    optimised on their own, its loop body gets no machine code of its own, and the result is
    right."""
    from numba.core import codegen

    from dsp_kernels import lean_codegen
    from dsp_kernels.config import pjit

    assert lean_codegen.installed(), "Numba's library internals moved: see dsp_kernels/lean_codegen.py"
    optimised, emitted = [], []
    # what is optimised, and what reaches the execution engine (is emitted as machine code)
    opt, add = codegen.CPUCodeLibrary._optimize_final_module, codegen.JitEngine.add_module

    def spy_opt(self):
        optimised.append(self.name)
        return opt(self)

    def spy_add(self, module):
        emitted.append(module.name)
        return add(self, module)

    @pjit
    def twice_rows(x, out):
        for i in numba.prange(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = 2.0 * x[i, j]

    from numba.core.caching import NullCache

    twice_rows._cache = NullCache()
    x = np.arange(12.0).reshape(3, 4)
    out = np.empty_like(x)
    codegen.CPUCodeLibrary._optimize_final_module = spy_opt
    codegen.JitEngine.add_module = spy_add
    try:
        twice_rows(x, out)
    finally:
        codegen.CPUCodeLibrary._optimize_final_module = opt
        codegen.JitEngine.add_module = add
    assert np.array_equal(out, 2.0 * x)
    assert any("twice_rows" in n for n in optimised) and any("twice_rows" in n for n in emitted)
    assert not [n for n in optimised if "gufuncwrapper" in n.lower()], optimised
    assert not [n for n in emitted if "parfor_gufunc" in n], emitted


def test_kernels_ask_for_wide_vectors_and_other_code_does_not():
    """dsp_kernels.vector_width on the pinned Numba: a function that calls one of ours is
    compiled with LLVM's "prefer-vector-width"="512" (the IR parses, the result is right), a
    function that does not is left as LLVM would have it."""
    from llvmlite import binding as llvm
    from llvmlite import ir
    from numba.core.caching import NullCache

    from dsp_kernels import vector_width
    from dsp_kernels.cpu.finite import _finite64

    assert vector_width.installed(), "Numba's library internals moved: see dsp_kernels/vector_width.py"

    @numba.njit
    def ours(x):
        return _finite64(x)

    @numba.njit
    def theirs(x):
        s = 0.0
        for v in x:
            s += v
        return s

    for f in (ours, theirs):
        f._cache = NullCache()
    x = np.arange(64.0)
    assert ours(x) and not ours(np.where(x == 3, np.inf, x))
    assert theirs(x) == x.sum()
    assert vector_width.ATTRIBUTE in "".join(ours.inspect_llvm().values())
    assert vector_width.ATTRIBUTE not in "".join(theirs.inspect_llvm().values())

    # the attribute as written by mark() is valid IR, and only definitions carry it
    module = ir.Module(name="m")
    fnty = ir.FunctionType(ir.DoubleType(), [ir.DoubleType()])
    defined = ir.Function(module, fnty, name="_ZN11dsp_kernels4mine")
    ir.Function(module, fnty, name="_ZN5other6helper")  # a declaration
    builder = ir.IRBuilder(defined.append_basic_block())
    builder.ret(defined.args[0])
    assert vector_width.is_ours(module) and vector_width.mark(module) == 1
    parsed = llvm.parse_assembly(str(module))
    parsed.verify()
    assert vector_width.ATTRIBUTE in str(parsed)  # LLVM moves it to an attribute group


def test_other_numba_code_compiles_right_under_the_lean_hooks():
    """The hooks are process-wide: Numba code that is not ours, compiled after them, still
    computes the right thing (the paths that build and link libraries differently)."""
    from dsp_kernels import lean_codegen

    assert lean_codegen.install()

    @numba.guvectorize(["void(float64[:], float64[:])"], "(n)->(n)", target="parallel")
    def running_sum(x, out):
        s = 0.0
        for i in range(x.shape[0]):
            s += x[i]
            out[i] = s

    @numba.vectorize(["float64(float64, float64)"], target="parallel")
    def add(a, b):
        return a + b

    @numba.njit(parallel=True)
    def prange_total(x):
        s = 0.0
        for i in numba.prange(x.shape[0]):
            s += np.sqrt(x[i]) + np.sum(x[: i % 7])
        return s

    @numba.njit
    def factorial(n):
        return 1 if n <= 1 else n * factorial(n - 1)

    @numba.cfunc("float64(float64)")
    def doubled(x):
        return 2.0 * x

    @numba.njit
    def call_cfunc(x):
        return doubled(x)

    x = np.arange(12.0).reshape(3, 4)
    v = np.arange(100.0)
    assert np.array_equal(running_sum(x), np.cumsum(x, axis=1))
    assert np.array_equal(add(x, x), 2.0 * x)
    expected = sum(np.sqrt(a) + v[: i % 7].sum() for i, a in enumerate(v))
    assert prange_total(v) == pytest.approx(expected, rel=1e-12)
    assert factorial(10) == 3628800
    assert doubled.ctypes(2.0) == 4.0 and call_cfunc(3.0) == 6.0


def test_lean_codegen_off_gives_the_same_results(tmp_path):
    """DSP_NUMBA_LEAN_CODEGEN=0 (Numba's own way) computes what the default does."""
    child(["-m", "procs.small_ops", str(tmp_path / "plain.npz")],
          env_extra={"DSP_NUMBA_LEAN_CODEGEN": "0", "DSP_NUMBA_CACHE": "0"})
    from procs.small_ops import compute

    lean = compute()
    plain = np.load(tmp_path / "plain.npz")
    for name, ref in lean.items():
        assert_close(plain[name], ref, ref.real.dtype if np.iscomplexobj(ref) else ref.dtype, what=name)


def test_our_cache_is_attached_to_the_kernels():
    from dsp_kernels import kernel_cache
    from dsp_kernels.cpu import spectral

    if os.environ.get("DSP_NUMBA_CACHE", "1") == "0":
        pytest.skip("disk cache turned off")
    assert isinstance(spectral._stft_lanes_kernel._cache, kernel_cache.KernelCache)


def test_numba_is_within_the_pinned_range():
    from importlib import metadata

    req = [r for r in metadata.requires("dsp-pyramids") if r.startswith("numba")][0]
    from packaging.requirements import Requirement

    assert Requirement(req).specifier.contains(numba.__version__), (req, numba.__version__)


def test_public_functions_run_without_jit(tmp_path):
    """NUMBA_DISABLE_JIT=1: every kernel module imports and the results equal the compiled ones."""
    out = child(["-c", "import importlib, pkgutil, dsp_kernels.cpu as c; "
                 "[importlib.import_module('dsp_kernels.cpu.' + m.name) for m in pkgutil.iter_modules(c.__path__)]; print('IMPORTED')"],
                env_extra={"NUMBA_DISABLE_JIT": "1"})
    assert "IMPORTED" in out
    child(["-m", "procs.small_ops", str(tmp_path / "nojit.npz")], env_extra={"NUMBA_DISABLE_JIT": "1"})
    from procs.small_ops import compute

    jitted = compute()
    nojit = np.load(tmp_path / "nojit.npz")
    assert set(nojit.files) == set(jitted)
    for name, ref in jitted.items():
        assert nojit[name].dtype == ref.dtype, name
        assert_close(nojit[name], ref, ref.real.dtype if np.iscomplexobj(ref) else ref.dtype, what=name)


# --- the kernel cache --------------------------------------------------------------------------

def small(tmp_path, cache_dir, tag, only="db", env_extra=None):
    env = {"DSP_NUMBA_CACHE_DIR": str(cache_dir)}
    env.update(env_extra or {})
    out = child(["-m", "procs.small_ops", str(tmp_path / f"{tag}.npz"), only], env_extra=env)
    ref = np.load(tmp_path / f"{tag}.npz")["power_to_db"]
    return out, ref


def cache_files(cache_dir):
    return sorted(p for p in Path(cache_dir).rglob("*") if p.suffix in (".nbi", ".nbc"))


def test_cache_stamp_covers_the_imported_kernel_files(tmp_path, monkeypatch):
    """An entry is stamped with its file and every kernel file it imports: a callee's edit
    invalidates the callers (Numba's own stamp covers the caller's file only)."""
    from dsp_kernels import kernel_cache

    pkg = tmp_path / "pkg"
    (pkg / "cpu").mkdir(parents=True)
    (pkg / "cpu" / "leaf.py").write_text("X = 1\n")
    (pkg / "cpu" / "mid.py").write_text("from dsp_kernels.cpu.leaf import X\n")
    (pkg / "cpu" / "top.py").write_text("from dsp_kernels.cpu import mid\n")
    (pkg / "cpu" / "other.py").write_text("Y = 2\n")
    monkeypatch.setattr(kernel_cache, "_PACKAGE_DIR", pkg.resolve())

    def stamps():
        kernel_cache.source_closure_digest.cache_clear()
        return {n: kernel_cache.source_closure_digest(pkg / "cpu" / f"{n}.py") for n in ("top", "mid", "other")}

    before = stamps()
    (pkg / "cpu" / "leaf.py").write_text("X = 3\n")
    after = stamps()
    assert after["top"] != before["top"] and after["mid"] != before["mid"]
    assert after["other"] == before["other"]
    kernel_cache.source_closure_digest.cache_clear()


def test_cache_stamp_follows_sub_packages_and_relative_imports(tmp_path, monkeypatch):
    """A kernel importing a sub-package (``dsp_kernels.cpu.fft``: its ``__init__`` re-exports
    from its modules) or a sibling by a relative import is stamped with those files too."""
    from dsp_kernels import kernel_cache

    pkg = tmp_path / "pkg"
    (pkg / "cpu" / "eng").mkdir(parents=True)
    (pkg / "cpu" / "eng" / "__init__.py").write_text("from dsp_kernels.cpu.eng.core import F\n")
    (pkg / "cpu" / "eng" / "core.py").write_text("from .passes import P\nF = 1\n")
    (pkg / "cpu" / "eng" / "passes.py").write_text("from .. import util\nP = 1\n")
    (pkg / "cpu" / "util.py").write_text("U = 1\n")
    (pkg / "cpu" / "user.py").write_text("from dsp_kernels.cpu.eng import F\n")
    (pkg / "cpu" / "other.py").write_text("Y = 2\n")
    monkeypatch.setattr(kernel_cache, "_PACKAGE_DIR", pkg.resolve())

    def stamps():
        kernel_cache.source_closure_digest.cache_clear()
        return {n: kernel_cache.source_closure_digest(pkg / "cpu" / f"{n}.py") for n in ("user", "other")}

    for edited in ("eng/passes.py", "util.py"):
        before = stamps()
        (pkg / "cpu" / edited).write_text((pkg / "cpu" / edited).read_text() + "Z = 0\n")
        after = stamps()
        assert after["user"] != before["user"], edited
        assert after["other"] == before["other"], edited
    kernel_cache.source_closure_digest.cache_clear()


def test_cache_directory_is_per_numba_version(tmp_path):
    from dsp_kernels import kernel_cache

    out, _ = small(tmp_path, tmp_path / "c", "a")
    assert "OK" in out and not warnings_in(out)
    assert [p.name for p in (tmp_path / "c").iterdir()] == [kernel_cache.cache_key()]
    assert numba.__version__ in kernel_cache.cache_key()


def test_cache_directory_is_per_vector_width(monkeypatch):
    """DSP_NUMBA_WIDE_VECTORS=0 compiles other machine code (dsp_kernels.vector_width): it must
    neither load the 512-bit entries nor leave its own where they would be loaded."""
    from dsp_kernels import kernel_cache

    monkeypatch.delenv("DSP_NUMBA_WIDE_VECTORS", raising=False)
    wide = kernel_cache.cache_key()
    monkeypatch.setenv("DSP_NUMBA_WIDE_VECTORS", "0")
    assert kernel_cache.cache_key() != wide
    monkeypatch.setenv("DSP_NUMBA_WIDE_VECTORS", "1")
    assert kernel_cache.cache_key() == wide


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "random"])
def test_corrupt_cache_entries_are_recompiled_and_repaired(tmp_path, damage):
    cache = tmp_path / "c"
    _, ref = small(tmp_path, cache, "warm")
    rng = np.random.default_rng(1)
    for path in cache_files(cache):
        blob = bytearray(path.read_bytes())
        if damage == "flip":
            blob[len(blob) // 2] ^= 0xFF
        elif damage == "truncate":
            blob = blob[: len(blob) // 3]
        elif damage == "empty":
            blob = bytearray()
        else:
            blob = bytearray(rng.integers(0, 256, len(blob), dtype=np.uint8).tobytes())
        path.write_bytes(bytes(blob))
    out, got = small(tmp_path, cache, "damaged")
    assert np.array_equal(got, ref)
    warned = warnings_in(out)
    assert len(warned) == 1 and "corrupt" in warned[0] and str(cache) in warned[0], out
    out, got = small(tmp_path, cache, "repaired")  # the entries were replaced
    assert np.array_equal(got, ref) and not warnings_in(out), out


@contextlib.contextmanager
def read_only(path: Path):
    """Make ``path`` read-only for this machine's user (root ignores permission bits: bind-mount)."""
    if os.geteuid() != 0:
        os.chmod(path, 0o555)
        for p in path.rglob("*"):
            os.chmod(p, 0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p in [path, *path.rglob("*")]:
                os.chmod(p, 0o755 if p.is_dir() else 0o644)
        return
    r = subprocess.run(["mount", "--bind", "-o", "ro", str(path), str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot make a read-only directory as root here: {r.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_read_only_warm_cache_is_used_and_never_breaks_a_call(tmp_path):
    cache = tmp_path / "c"
    _, ref = small(tmp_path, cache, "warm")
    before = cache_files(cache)
    with read_only(cache):
        out, got = small(tmp_path, cache, "ro")  # everything needed is cached: silent
        assert np.array_equal(got, ref) and not warnings_in(out), out
        out = child(["-m", "procs.small_ops", str(tmp_path / "ro2.npz")], env_extra={"DSP_NUMBA_CACHE_DIR": str(cache)})
        warned = warnings_in(out)  # kernels the cache lacks: compiled in memory, one warning
        assert len(warned) == 1 and "read-only" in warned[0] and str(cache) in warned[0], out
    assert cache_files(cache) == before


def test_uncreatable_cache_directory_falls_back_with_one_warning(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    out, ref = small(tmp_path, blocker / "cache", "fallback")
    warned = warnings_in(out)
    assert len(warned) == 1 and str(blocker / "cache") in warned[0] and "instead" in warned[0], out
    assert np.isfinite(ref).all()


def test_cache_off_by_environment(tmp_path):
    out, ref = small(tmp_path, tmp_path / "c", "off", env_extra={"DSP_NUMBA_CACHE": "0"})
    assert not (tmp_path / "c").exists() and not warnings_in(out)


def test_a_data_file_holding_another_signature_is_a_miss(tmp_path):
    """Two processes saving different signatures at once must never leave an index entry that
    loads the other signature's code: data files are named by their key and carry it."""
    from dsp_kernels.kernel_cache import _SealedFiles

    files = _SealedFiles(str(tmp_path), "mod.f-1.py311", "stamp")
    files.save(("sig-a",), b"code of a")
    files.save(("sig-b",), b"code of b")
    assert files.load(("sig-a",)) == b"code of a" and files.load(("sig-b",)) == b"code of b"
    # the race: the index names sig-b's file for sig-a
    index = files._load_index()
    index[("sig-a",)] = index[("sig-b",)]
    files._save_index(index)
    assert files.load(("sig-a",)) is None  # a miss, recompiled; not sig-b's code
    assert files.load(("sig-b",)) == b"code of b"


_VERSIONED_KERNEL = """
import sys
sys.path.insert(0, {mod!r})
import k
print(k.f(1.0), sum(k.f.stats.cache_hits.values()), sum(k.f.stats.cache_misses.values()))
"""


def test_two_source_versions_keep_their_entries_side_by_side(tmp_path):
    """Two checkouts of different versions sharing one cache (worktrees, several venvs): each
    version compiles once, then both load from the cache; neither evicts the other's entries."""
    mod = tmp_path / "mod"
    mod.mkdir()
    cache = tmp_path / "cache"
    code = _VERSIONED_KERNEL.format(mod=str(mod))
    runs = []
    for body in ("x + 1", "x + 2", "x + 1", "x + 2"):
        (mod / "k.py").write_text(f"from dsp_kernels.config import jit\n\n@jit\ndef f(x):\n    return {body}\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                             env=dict(os.environ, DSP_NUMBA_CACHE_DIR=str(cache)))
        assert out.returncode == 0, out.stderr
        runs.append(out.stdout.split())
    # value, cache hits, cache misses
    assert runs == [["2.0", "0", "1"], ["3.0", "0", "1"], ["2.0", "1", "0"], ["3.0", "1", "0"]]


def test_a_stale_version_is_pruned_when_another_version_first_saves(tmp_path):
    from dsp_kernels import kernel_cache

    module_dir = tmp_path / "ext.k-0"
    stale, recent = module_dir / "aaaaaaaaaaaaaaaa", module_dir / "bbbbbbbbbbbbbbbb"
    for d in (stale, recent):
        d.mkdir(parents=True)
        (d / "k.f-3.py311.nbi").write_bytes(b"x")
    old = kernel_cache.time.time() - kernel_cache.STALE_VERSION_SECONDS - 60
    os.utime(stale, (old, old))
    kernel_cache._prune_stale_versions(module_dir / "cccccccccccccccc")
    assert sorted(p.name for p in module_dir.iterdir()) == [recent.name]
