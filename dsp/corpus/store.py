"""The feature store on disk: parts written once (Zarr v3 arrays + a Parquet manifest), an index.

Layout (docs/corpus.md has the full description, for readers without this package)::

    OUTPUT/store.json                  format, config, config hash, components
    OUTPUT/inputs.parquet              the items of the latest run (id, path, offset, duration)
    OUTPUT/index.parquet               every part's manifest, concatenated (rebuilt from the parts)
    OUTPUT/runs/run-0001.json          one per run: arguments, counts, throughput
    OUTPUT/parts/part-0001-000000/     a complete part (visible only once complete: a rename)
        manifest.parquet               one row per file: id, path, status, error, per-component start/frames
        features.zarr/<array>          per component: (..., total frames), files concatenated on the last axis
        features.zarr/<array>.offsets  (n_rows + 1,) int64: file r is [offsets[r], offsets[r+1])
    OUTPUT/parts/.tmp-<part>-<token>/  being written (or abandoned by a killed worker)

Examples
--------
>>> from dsp.corpus import open_store          # doctest: +SKIP
>>> store = open_store('features/')             # doctest: +SKIP
>>> store['clip-000123']['logmel'].shape        # doctest: +SKIP
(64, 501)
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from .._errors import DSPError

PARTS = "parts"
TMP_PREFIX = ".tmp-"
_FLUSH_BYTES = 32 << 20
_CHUNK_BYTES = 2 << 20


def array_path(key: str) -> str:
    """The Zarr array path of a store key (``pyramid:mel/mel64`` -> ``pyramid_mel/mel64``)."""
    return key.replace(":", "_")


def manifest_schema(keys):
    import pyarrow as pa

    fields = [("id", pa.string()), ("path", pa.string()), ("offset", pa.float64()), ("duration", pa.float64()),
              ("seconds", pa.float64()), ("sr", pa.float64()), ("status", pa.string()), ("error", pa.string()),
              ("config_hash", pa.string()), ("part", pa.string()), ("row", pa.int32())]
    for k in keys:
        fields += [(f"{k}.start", pa.int64()), (f"{k}.frames", pa.int64())]
    return pa.schema(fields)


class PartWriter:
    """Writes one part into a temporary folder; :meth:`commit` renames it into place.

    One writer per part: nothing else writes there, so no locking is needed. Arrays are buffered
    and appended in blocks of about 32 MB along the time axis.
    """

    def __init__(self, root, part: str, config_hash: str, components: dict):
        self.root = Path(root)
        self.part = part
        self.config_hash = config_hash
        self.components = components  # key -> (lead shape, dtype str)
        self.tmp = self.root / PARTS / f"{TMP_PREFIX}{part}-{uuid.uuid4().hex[:8]}"
        self.tmp.mkdir(parents=True)
        self.rows = []
        self.offsets = {k: [0] for k in components}
        self.buffers = {k: [] for k in components}
        self.buffered = 0
        self.arrays = None
        self._cursor_fd = None

    def cursor(self, i: int) -> None:
        """Record that row ``i`` is being processed (read by the driver after a worker dies).

        One file kept open and overwritten in place (an ``open`` per file cost milliseconds);
        the page cache keeps what was written when the process is killed.
        """
        if self._cursor_fd is None:
            self._cursor_fd = os.open(self.tmp / "cursor", os.O_WRONLY | os.O_CREAT, 0o644)
        os.pwrite(self._cursor_fd, b"%12d" % i, 0)

    def _close_cursor(self) -> None:
        if self._cursor_fd is not None:
            os.close(self._cursor_fd)
            self._cursor_fd = None

    def add(self, item, *, seconds=None, arrays=None, error=None) -> None:
        row = {"id": item.id, "path": item.path, "offset": float(item.offset), "duration": item.duration,
               "seconds": seconds, "status": "failed" if error is not None else "ok", "error": error,
               "row": len(self.rows)}
        for k in self.components:
            start = self.offsets[k][-1]
            n = 0 if arrays is None else int(arrays[k].shape[-1])
            if arrays is not None:
                self.buffers[k].append(arrays[k])
                self.buffered += arrays[k].nbytes
            self.offsets[k].append(start + n)
            row[f"{k}.start"], row[f"{k}.frames"] = (start, n) if error is None else (None, None)
        self.rows.append(row)
        if self.buffered >= _FLUSH_BYTES:
            self._flush()

    def _open_arrays(self):
        import zarr

        group = zarr.open_group(str(self.tmp / "features.zarr"), mode="w")
        group.attrs.update({"config_hash": self.config_hash, "part": self.part})
        self.arrays = {}
        for k, (lead, dtype) in self.components.items():
            itemsize = np.dtype(dtype).itemsize * int(np.prod(lead, dtype=np.int64))
            chunk = int(max(256, _CHUNK_BYTES // max(itemsize, 1)))
            # uncompressed: zstd saved 13 % of a log-mel + MFCC store for 1.8x the write time
            # (docs/corpus.md)
            self.arrays[k] = group.create_array(array_path(k), shape=tuple(lead) + (0,),
                                                chunks=tuple(lead) + (chunk,), dtype=dtype, compressors=None)
        self.group = group

    def _flush(self) -> None:
        if self.arrays is None:
            self._open_arrays()
        for k, blocks in self.buffers.items():
            if blocks:
                self.arrays[k].append(np.concatenate(blocks, axis=-1), axis=len(self.components[k][0]))  # zarr: no negative axes
                blocks.clear()
        self.buffered = 0

    def commit(self, sr: float) -> bool:
        """Write the manifest and offsets, then rename into place; False if the part already exists."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.components and any(r["status"] == "ok" for r in self.rows):
            self._flush()
            for k, offs in self.offsets.items():
                off = self.group.create_array(array_path(k) + ".offsets", shape=(len(offs),),
                                              chunks=(max(len(offs), 1),), dtype="int64")
                off[:] = np.asarray(offs, dtype=np.int64)
        for r in self.rows:
            r.update(sr=float(sr), config_hash=self.config_hash, part=self.part)
        table = pa.Table.from_pylist(self.rows, schema=manifest_schema(list(self.components)))
        pq.write_table(table, self.tmp / "manifest.parquet")
        try:
            self._close_cursor()
            (self.tmp / "cursor").unlink(missing_ok=True)
            os.rename(self.tmp, self.root / PARTS / self.part)
        except OSError:  # another attempt of the same batch got there first: it stands
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        return True

    def abandon(self) -> None:
        self._close_cursor()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# reading


def part_names(root) -> list:
    d = Path(root) / PARTS
    if not d.is_dir():
        return []
    return sorted(p.name for p in d.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_manifests(root, columns=None):
    """Every complete part's manifest, concatenated in part order (a pyarrow Table)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [pq.read_table(Path(root) / PARTS / name / "manifest.parquet", columns=columns)
              for name in part_names(root)]
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="default")


def build_index(root, *, write=True):
    """The combined index: every part's rows, a file kept once (its first part), as a Table.

    Written to ``index.parquet`` (temporary name, then rename) when ``write``; returns
    ``(table, n_duplicates)``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = read_manifests(root)
    meta = read_meta(root)
    if table is None:
        table = manifest_schema(list(meta.get("components", {}))).empty_table()
    ids = table.column("id").to_pylist()
    seen, keep = set(), []
    for i, rid in enumerate(ids):
        if rid not in seen:
            seen.add(rid)
            keep.append(i)
    dups = len(ids) - len(keep)
    if dups:
        table = table.take(pa.array(keep, type=pa.int64()))
    if write:
        tmp = Path(root) / f".index-{uuid.uuid4().hex[:8]}.parquet"
        table = table.replace_schema_metadata({"parts": json.dumps(part_names(root))})
        pq.write_table(table, tmp)
        os.replace(tmp, Path(root) / "index.parquet")
    return table, dups


def read_meta(root) -> dict:
    p = Path(root) / "store.json"
    if not p.is_file():
        raise DSPError(f"output={str(root)!r} is not a feature store (no store.json)")
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, data) -> None:
    tmp = Path(path).with_name(f".{Path(path).name}-{uuid.uuid4().hex[:8]}")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, default=str)  # key order kept: components in compute order
    os.replace(tmp, path)


class Record(dict):
    """One file's features: ``record['logmel']`` -> array; multi-component features -> dict."""


class Store:
    """Random access to a feature store by file id, and iteration part by part.

    Parameters
    ----------
    root : str or pathlib.Path
        The OUTPUT folder of a run.

    Examples
    --------
    >>> store = Store('features/')                       # doctest: +SKIP
    >>> len(store), store.failures().num_rows            # doctest: +SKIP
    >>> store['clip-000123']['mfcc'].shape               # doctest: +SKIP
    (20, 501)
    >>> for part in store.parts():                       # doctest: +SKIP
    ...     X, offsets = part.array('logmel')            # every file of the part, concatenated
    """

    def __init__(self, root):
        self.root = Path(root)
        self.meta = read_meta(self.root)
        self.components = self.meta.get("components", {})
        self.index, self.duplicates = self._load_index()
        self._rows = None
        self._groups = {}

    def _load_index(self):
        import pyarrow.parquet as pq

        p = self.root / "index.parquet"
        if p.is_file():
            table = pq.read_table(p)
            listed = json.loads((table.schema.metadata or {}).get(b"parts", b"null"))
            if listed == part_names(self.root):
                return table, 0
        return build_index(self.root, write=False)

    @property
    def features(self) -> list:
        return list(self.meta["config"]["features"])

    def _row_of(self):
        if self._rows is None:
            ok = [s == "ok" for s in self.index.column("status").to_pylist()]
            self._rows = {rid: i for i, (rid, good) in enumerate(zip(self.index.column("id").to_pylist(), ok))
                          if good}
        return self._rows

    def ids(self) -> list:
        """The ids of every stored (status ``ok``) file, in part order."""
        return list(self._row_of())

    def __len__(self) -> int:
        return len(self._row_of())

    def __contains__(self, rid) -> bool:
        return rid in self._row_of()

    def __iter__(self):
        return iter(self._row_of())

    def failures(self):
        """The index rows of failed files (id, path, error, ...), a pyarrow Table."""
        import pyarrow.compute as pc

        return self.index.filter(pc.equal(self.index.column("status"), "failed"))

    def _group(self, part):
        if part not in self._groups:
            import zarr

            self._groups[part] = zarr.open_group(str(self.root / PARTS / part / "features.zarr"), mode="r")
        return self._groups[part]

    def __getitem__(self, rid) -> Record:
        rows = self._row_of()
        if rid not in rows:
            raise KeyError(rid)
        row = {k: self.index.column(k)[rows[rid]].as_py() for k in self.index.column_names}
        group = self._group(row["part"])
        rec = Record()
        for key in self.components:
            start, n = row[f"{key}.start"], row[f"{key}.frames"]
            arr = group[array_path(key)][..., start:start + n]
            name, _, comp = key.partition("/")
            if comp:
                rec.setdefault(name, {})[comp] = arr
            else:
                rec[name] = arr
        return rec

    def parts(self):
        """Iterate the complete parts, in order, as :class:`Part` objects."""
        for name in part_names(self.root):
            yield Part(self, name)

    def to_torch(self, features=None):
        """A ``torch.utils.data.Dataset`` over the stored files (needs torch)."""
        from .torch_dataset import StoreDataset

        return StoreDataset(self, features)


class Part:
    """One complete part: its manifest and its arrays, every file concatenated on the last axis."""

    def __init__(self, store: Store, name: str):
        import pyarrow.parquet as pq

        self.store, self.name = store, name
        self.manifest = pq.read_table(store.root / PARTS / name / "manifest.parquet")

    def array(self, key: str):
        """``(data, offsets)``: file row ``r`` of the manifest is ``data[..., offsets[r]:offsets[r+1]]``."""
        g = self.store._group(self.name)
        return g[array_path(key)][...], g[array_path(key) + ".offsets"][...]


def open_store(root) -> Store:
    """Open a feature store written by :func:`dsp.corpus.extract` (see :class:`Store`)."""
    return Store(root)
