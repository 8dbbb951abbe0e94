"""The on-disk cache of compiled kernels: keyed by the kernels' sources, never able to break a call.

Numba's own cache keys each file's entries by that file's contents only, so a kernel whose callee
in another file changed kept loading its stale machine code; and it raises from inside a call
when the cache directory is read-only, and again on every call when an entry is corrupt. This
module replaces it for our kernels (every decorator in :mod:`dsp_kernels.config` attaches it):

- **Where.** ``$DSP_NUMBA_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dsp-pyramids`` (by default
  ``~/.cache/dsp-pyramids``), in one directory per Numba and Python version (other versions'
  directories can be deleted freely; ``python -m dsp warmup --prune`` does it).
- **Never stale.** Each entry is stamped with a SHA-256 of its source file *and every kernel file
  that file imports, transitively* (:func:`source_closure_digest`). Numba's own stamp covers the
  function's file only, so a kernel whose callee in another file changed kept loading its old
  machine code. Entries live in a directory per module *and per source version* (the stamp's
  first 16 hex digits), so checkouts or installs of different versions sharing the cache keep
  their own entries side by side instead of evicting each other's on every load; a version's
  directory untouched for 30 days is deleted when another version of that module first saves.
- **Read-only.** A warm cache in a read-only directory (a container image) is used as is. When
  something must be compiled that it lacks, the result stays in memory and one warning says so.
  A directory that cannot be created falls back to a per-user temporary directory, with one
  warning naming both.
- **Corrupt.** Every index and data file carries a SHA-256 of its contents, checked before
  anything is unpickled or loaded as machine code. A bad entry (truncated, emptied, bytes
  flipped, unreadable) is ignored and recompiled (and replaced when the directory is writable),
  with one warning naming the directory.

``DSP_NUMBA_CACHE=0`` turns disk caching off.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import os
import pickle
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from numba.core import caching

from dsp_kernels import vector_width
from dsp_kernels.caches import table_cache

_PACKAGE_DIR = Path(__file__).resolve().parent
_MAGIC = b"DSPK1"
_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def _module_of(path: Path) -> list[str] | None:
    """``path``'s package as a list of names (``cpu/fft/block.py`` -> ``['dsp_kernels', 'cpu',
    'fft']``; a package's ``__init__.py`` is its own package), or None outside this package."""
    path = Path(path).resolve()
    if not path.is_relative_to(_PACKAGE_DIR):
        return None
    return ["dsp_kernels", *path.relative_to(_PACKAGE_DIR).parent.parts]


def _kernel_imports(path: Path) -> set[Path]:
    """Files of this package that ``path`` imports: ``dsp_kernels.x``, ``from dsp_kernels import
    x`` and relative imports (``from .x import y``, ``from .. import x``). A name resolves to a
    module file ``x.py`` or to a sub-package's ``x/__init__.py`` (whose own imports then lead to
    the package's modules).

    Memoised per file version (path, size, modification time): every kernel file's closure walks
    the same shared modules, and parsing them again for each cost about 0.3 s of a first call."""
    st = path.stat()
    return set(_parsed_imports(path, st.st_size, st.st_mtime_ns))


@table_cache(maxsize=None)
def _parsed_imports(path: Path, size: int, mtime_ns: int) -> frozenset:
    found: set[Path] = set()
    tree = ast.parse(path.read_bytes(), filename=str(path))
    package = _module_of(path)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module
            elif package is not None and node.level <= len(package):
                base = ".".join(package[: len(package) - node.level + 1]
                                + ([node.module] if node.module else []))
            else:
                continue
            if not base:
                continue
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] != "dsp_kernels" or len(parts) < 2:
                continue
            rel = Path(*parts[1:])
            for candidate in (_PACKAGE_DIR / rel.with_suffix(".py"), _PACKAGE_DIR / rel / "__init__.py"):
                if candidate.is_file():
                    found.add(candidate.resolve())
    return frozenset(found)


@table_cache(maxsize=None)
def source_closure_digest(path: Path) -> str:
    """SHA-256 of ``path`` and every kernel file it imports, transitively.

    A kernel's machine code contains its callees from other files (LLVM inlines them), so the
    cache entry of a function is stamped with its whole import closure: editing a callee's file
    invalidates its callers, while unrelated kernels stay cached.
    """
    seen: set[Path] = set()
    todo = [Path(path).resolve()]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        todo.extend(_kernel_imports(f) - seen)
    h = hashlib.sha256()
    for f in sorted(seen):
        h.update(str(f.relative_to(_PACKAGE_DIR) if f.is_relative_to(_PACKAGE_DIR) else f).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def cache_key() -> str:
    """The name of this Numba and Python's directory inside the cache root."""
    import numba

    # Numba's own index does not key on bounds checking: code compiled with NUMBA_BOUNDSCHECK=1
    # (the checked test pass) and without it must not share entries, or either loads the other's
    suffix = "-boundscheck" if numba.config.BOUNDSCHECK else ""
    # nor on the vector width our kernels ask LLVM for (dsp_kernels.vector_width): with the
    # switch off, cached 512-bit code would be loaded anyway, and code compiled then would stay
    if not vector_width.wanted():
        suffix += "-native-width"
    # "-k2": data files named by their key and carrying it (see _SealedFiles); older layouts
    # live in other directories and are never read
    return f"numba{numba.__version__}-py{sys.version_info[0]}{sys.version_info[1]}{suffix}-k2"


def default_root() -> Path:
    """The cache root: ``$DSP_NUMBA_CACHE_DIR`` or the user cache directory."""
    env = os.environ.get("DSP_NUMBA_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dsp-pyramids"


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
        return True
    except OSError:
        return False


class _Directory:
    """The directory this process uses, decided once: ``(path, writable)`` or ``None``."""

    decided = False
    path: Path | None = None
    writable = False

    @classmethod
    def get(cls):
        if not cls.decided:
            cls.decided = True
            cls.path, cls.writable = cls._decide()
        return cls.path, cls.writable

    @classmethod
    def reset(cls):
        cls.decided = False
        cls.path = None
        cls.writable = False

    @staticmethod
    def _decide():
        key = cache_key()
        preferred = default_root() / key
        if _writable(preferred):
            return preferred, True
        if preferred.is_dir() and os.access(preferred, os.R_OK | os.X_OK):
            return preferred, False  # a warm read-only cache: load from it, write nothing
        fallback = Path(tempfile.gettempdir()) / f"dsp-pyramids-{os.getuid() if hasattr(os, 'getuid') else 'user'}" / key
        if _writable(fallback):
            _warn_once(
                "fallback",
                f"dsp: the kernel cache directory {preferred} cannot be created or written; "
                f"using {fallback} instead (set DSP_NUMBA_CACHE_DIR to choose another)",
            )
            return fallback, True
        _warn_once(
            "nocache",
            f"dsp: neither {preferred} nor {fallback} can hold the kernel cache; kernels are "
            "compiled in memory in every process (set DSP_NUMBA_CACHE_DIR to a writable directory)",
        )
        return None, False


def _seal(payload: bytes) -> bytes:
    return _MAGIC + hashlib.sha256(payload).digest() + payload


def _unseal(blob: bytes, path: str) -> bytes:
    head = len(_MAGIC) + 32
    if len(blob) < head or not blob.startswith(_MAGIC):
        raise ValueError(f"{path}: not a dsp kernel cache file")
    payload = blob[head:]
    if hashlib.sha256(payload).digest() != blob[len(_MAGIC):head]:
        raise ValueError(f"{path}: checksum mismatch (the file is corrupt)")
    return payload


class _SealedFiles(caching.IndexDataCacheFile):
    """Index and data files that carry a checksum, verified before anything is unpickled.

    Numba numbers a function's data files 1, 2, ... in the order signatures are saved. Two
    processes saving different signatures at once (``python -m dsp warmup --jobs 2``, test
    subprocesses, DataLoader workers) could both pick number 1; the index then named one
    signature's file while it held the other's machine code, and a later process failed with
    "can't unbox array from PyObject" (seen in this project's own cache). Here a data file is
    named by a hash of its key and stores the key, and a load whose stored key differs is a
    miss: a lost race costs a recompilation, never a wrong kernel.
    """

    def _data_name_for(self, key) -> str:
        digest = hashlib.sha256(pickle.dumps(key, protocol=-1)).hexdigest()[:20]
        return f"{self._index_name[:-len('.nbi')]}.{digest}.nbc"

    def save(self, key, data):
        name = self._data_name_for(key)
        self._save_data(name, (key, data))  # the data first: an index never names a missing file
        overloads = self._load_index()
        overloads[key] = name
        self._save_index(overloads)

    def load(self, key):
        name = self._load_index().get(key)
        if name is None:
            return None
        try:
            stored_key, data = self._load_data(name)
        except FileNotFoundError:
            return None
        return data if stored_key == key else None

    def _load_index(self):
        try:
            blob = Path(self._index_path).read_bytes()
        except FileNotFoundError:
            return {}
        version, stamp, overloads = pickle.loads(_unseal(blob, self._index_path))
        if version != self._version or stamp != self._source_stamp:
            return {}
        return overloads

    def _save_index(self, overloads):
        payload = pickle.dumps((self._version, self._source_stamp, overloads), protocol=-1)
        with self._open_for_write(self._index_path) as f:
            f.write(_seal(payload))

    def _load_data(self, name):
        path = self._data_path(name)
        return pickle.loads(_unseal(Path(path).read_bytes(), path))

    def _save_data(self, name, data):
        with self._open_for_write(self._data_path(name)) as f:
            f.write(_seal(self._dump(data)))

    def discard(self):
        """Remove the index (its data files are overwritten by the next saves)."""
        with contextlib.suppress(OSError):
            os.unlink(self._index_path)


#: a source version's entries untouched for this long are deleted when another version of the
#: same module first saves (bounded growth after upgrades and edits)
STALE_VERSION_SECONDS = 30 * 24 * 3600


def _prune_stale_versions(new_version_dir: Path) -> None:
    """Delete the sibling version directories of ``new_version_dir`` not written for
    :data:`STALE_VERSION_SECONDS` (best effort: another process may be using or removing them)."""
    parent = new_version_dir.parent
    if not parent.is_dir():
        return
    cutoff = time.time() - STALE_VERSION_SECONDS
    for other in parent.iterdir():
        with contextlib.suppress(OSError):
            if other.is_dir() and other != new_version_dir and other.stat().st_mtime < cutoff:
                shutil.rmtree(other, ignore_errors=True)


class _Locator(caching._CacheLocator):
    def __init__(self, py_func, py_file, directory: Path, writable: bool):
        self._lineno = py_func.__code__.co_firstlineno
        source = Path(py_file).resolve()
        # the file and the kernel files it imports: a callee's edit invalidates its callers
        self._stamp = source_closure_digest(source)
        if source.is_relative_to(_PACKAGE_DIR):
            name = source.relative_to(_PACKAGE_DIR).with_suffix("").as_posix().replace("/", ".")
        else:  # a user's kernel built with our decorators
            name = f"ext.{source.stem}-{hashlib.sha1(str(source.parent).encode()).hexdigest()[:12]}"
        # one directory per version of the sources: two checkouts or installs of different
        # versions sharing the cache (worktrees, several venvs) each keep their entries instead of
        # overwriting each other's index on every load and recompiling every time
        self._path = str(directory / name / self._stamp[:16])
        self._writable = writable

    def ensure_cache_path(self):
        if not self._writable:
            raise PermissionError(f"the kernel cache {self._path} is read-only")
        if not os.path.isdir(self._path):
            _prune_stale_versions(Path(self._path))
        os.makedirs(self._path, exist_ok=True)

    def get_cache_path(self):
        return self._path

    def get_source_stamp(self):
        return self._stamp

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):  # pragma: no cover - not used through Numba's search
        return None


class KernelCache(caching.FunctionCache):
    """Numba's per-function cache, with our locator, sealed files and no failing call."""

    def __init__(self, py_func, directory: Path, writable: bool):
        # Numba's constructor searches its own locators; set up the same fields with ours.
        self._name = repr(py_func)
        self._py_func = py_func
        impl = caching.CompileResultCacheImpl.__new__(caching.CompileResultCacheImpl)
        impl._lineno = py_func.__code__.co_firstlineno
        impl._locator = _Locator(py_func, py_func.__code__.co_filename, directory, writable)
        modname = Path(py_func.__code__.co_filename).stem
        impl._filename_base = impl.get_filename_base(f"{modname}.{py_func.__qualname__}", getattr(sys, "abiflags", ""))
        self._impl = impl
        self._cache_path = impl.locator.get_cache_path()
        self._cache_file = _SealedFiles(self._cache_path, impl.filename_base, impl.locator.get_source_stamp())
        self._writable = writable
        self.enable()

    def load_overload(self, sig, target_context):
        try:
            return super().load_overload(sig, target_context)
        except Exception as exc:  # corrupt or unreadable entry: recompile, repair if we can
            _warn_once(
                f"corrupt:{self._cache_path}",
                f"dsp: ignoring a corrupt kernel cache entry in {Path(self._cache_path).parent} "
                f"({type(exc).__name__}: {exc}); the kernel is recompiled"
                + (" and the entry replaced" if self._writable else ""),
            )
            if self._writable:
                self._cache_file.discard()
            return None

    def save_overload(self, sig, data):
        if not self._writable:
            _warn_once(
                "readonly",
                f"dsp: the kernel cache {Path(self._cache_path).parent} is read-only; kernels it "
                "lacks are compiled in memory in each process (run `python -m dsp warmup` where "
                "it is writable to fill it)",
            )
            return
        try:
            super().save_overload(sig, data)
        except Exception as exc:  # disk full, permissions changed: keep the compiled kernel
            _warn_once(
                f"save:{self._cache_path}",
                f"dsp: could not write to the kernel cache in {Path(self._cache_path).parent} "
                f"({type(exc).__name__}: {exc}); compiled kernels stay in memory",
            )


def attach(dispatcher) -> None:
    """Give a Numba dispatcher our cache (or none, when no directory can hold one)."""
    if not os.path.exists(dispatcher.py_func.__code__.co_filename):  # defined in a REPL or -c
        return
    directory, writable = _Directory.get()
    if directory is None:
        dispatcher._cache = caching.NullCache()
        return
    dispatcher._cache = KernelCache(dispatcher.py_func, directory, writable)
