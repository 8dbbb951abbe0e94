"""What a corpus run reads: a folder, a manifest (text, CSV, JSONL) or a Python iterable.

Every input becomes a list of :class:`Item` ``(id, path, offset, duration)``. Ids are unique
(duplicates are refused before any work starts): a manifest's own ids, else the path relative to
the input folder without its extension (``sub/clip-000123``), else the path as written without its
extension; an item with an offset gets ``@<offset>`` appended.

JSONL lines may be NeMo-style (``audio_filepath``, ``offset``, ``duration``), Lhotse recordings
(``id``, ``sources: [{'source': path}]``) or cuts (``id``, ``start``, ``duration``,
``recording: {...}``), or plain (``path``, ``id``, ``offset``, ``duration``).

Examples
--------
>>> from dsp.corpus.inputs import items_from
>>> items_from([{'path': 'a.wav', 'id': 'x', 'offset': 1.5}])
[Item(id='x', path='a.wav', offset=1.5, duration=None)]
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import NamedTuple

from .._errors import DSPError

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au", ".caf",
                    ".w64", ".m4a", ".aac", ".mp4", ".webm", ".mkv")
MANIFEST_EXTENSIONS = (".txt", ".lst", ".csv", ".tsv", ".jsonl", ".json")


class Item(NamedTuple):
    """One unit of work: a file (or a window of it), with the id it is stored under."""

    id: str
    path: str
    offset: float = 0.0
    duration: float | None = None


def _num(value, what, where):
    if value is None or value == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DSPError(f"{where}: {what}={value!r} is not a number (seconds)") from None
    if not x >= 0:
        raise DSPError(f"{where}: {what}={value!r} must be >= 0 seconds")
    return x


def _record(d: dict, where: str, base: Path | None):
    """A dict from a manifest (plain, NeMo or Lhotse) -> (id or None, path, offset, duration)."""
    path = d.get("path") or d.get("audio_filepath") or d.get("audio_path") or d.get("source")
    rec = d.get("recording") if isinstance(d.get("recording"), dict) else d
    if path is None and isinstance(rec.get("sources"), list) and rec["sources"]:
        path = rec["sources"][0].get("source")
    if not path:
        raise DSPError(f"{where}: no path (need 'path', 'audio_filepath' or Lhotse 'sources')")
    path = str(path)
    if base is not None and not os.path.isabs(path):
        path = str(base / path)
    offset = _num(d.get("offset", d.get("start")), "offset", where) or 0.0
    duration = _num(d.get("duration"), "duration", where)
    if duration is not None and duration <= 0:
        raise DSPError(f"{where}: duration={duration!r} must be > 0 seconds")
    rid = d.get("id", d.get("utt_id"))
    return (None if rid in (None, "") else str(rid)), path, offset, duration


def _default_id(path: str, root: Path | None, offset: float) -> str:
    p = Path(path)
    if root is not None:
        try:
            p = p.relative_to(root)
        except ValueError:
            pass
    rid = p.with_suffix("").as_posix()
    return f"{rid}@{offset:g}" if offset else rid


def _from_directory(root: Path) -> list:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(AUDIO_EXTENSIONS) and not name.startswith("."):
                path = str(Path(dirpath) / name)
                found.append((None, path, 0.0, None))
    return found


def _from_manifest(path: Path) -> list:
    where = str(path)
    base = path.parent
    rows = []
    suffix = path.suffix.lower()
    with open(path, encoding="utf-8", newline="") as f:
        if suffix in (".jsonl", ".json"):
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    d = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DSPError(f"{where}:{n}: not a JSON object: {exc}") from None
                if not isinstance(d, dict):
                    raise DSPError(f"{where}:{n}: not a JSON object")
                rows.append(_record(d, f"{where}:{n}", base))
        elif suffix in (".csv", ".tsv"):
            reader = csv.DictReader(f, delimiter="\t" if suffix == ".tsv" else ",")
            if not reader.fieldnames or not {"path", "audio_filepath"} & set(reader.fieldnames):
                raise DSPError(f"{where}: the header needs a 'path' column (optional: id, offset, duration)")
            for n, d in enumerate(reader, 2):
                rows.append(_record(d, f"{where}:{n}", base))
        else:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    rows.append((None, line if os.path.isabs(line) else str(base / line), 0.0, None))
    return rows


def _from_iterable(source) -> list:
    rows = []
    for n, x in enumerate(source):
        where = f"input[{n}]"
        if isinstance(x, Item):
            rows.append(tuple(x))
        elif isinstance(x, (str, os.PathLike)):
            rows.append((None, os.fspath(x), 0.0, None))
        elif isinstance(x, dict):
            rows.append(_record(x, where, None))
        elif isinstance(x, (tuple, list)) and 1 <= len(x) <= 4:
            d = dict(zip(("path", "id", "offset", "duration"), x))
            rows.append(_record(d, where, None))
        else:
            raise DSPError(f"{where}={x!r} is not supported: need a path, a dict, an Item or "
                           "(path, id, offset, duration)")
    return rows


def items_from(source) -> list:
    """List the work of a run, with unique ids.

    Parameters
    ----------
    source : str, pathlib.Path or iterable
        A folder (searched recursively for :data:`AUDIO_EXTENSIONS`), a manifest file
        (``.txt``/``.lst`` one path a line; ``.csv``/``.tsv`` with a ``path`` column; ``.jsonl``),
        or an iterable of paths, dicts, :class:`Item` or ``(path, id, offset, duration)`` tuples.
        Relative paths in a manifest are relative to the manifest's folder.

    Returns
    -------
    list of Item

    Raises
    ------
    DSPError
        A missing input, an unreadable or malformed manifest, duplicate ids, nothing to do.
    """
    root = None
    if isinstance(source, (str, os.PathLike)):
        p = Path(os.path.abspath(source))  # workers may run elsewhere: absolute paths
        if p.is_dir():
            root = p
            rows = _from_directory(p)
        elif p.is_file():
            if p.suffix.lower() in AUDIO_EXTENSIONS:
                rows = [(None, str(p), 0.0, None)]
                root = p.parent
            elif p.suffix.lower() in MANIFEST_EXTENSIONS:
                rows = _from_manifest(p)
            else:
                raise DSPError(f"input={str(p)!r} is neither a folder, an audio file nor a manifest "
                               f"({', '.join(MANIFEST_EXTENSIONS)})")
        else:
            raise DSPError(f"input={str(p)!r} does not exist")
    else:
        try:
            rows = _from_iterable(iter(source))
        except TypeError:
            raise DSPError(f"input={source!r} must be a folder, a manifest or an iterable") from None
    items, seen = [], {}
    for rid, path, offset, duration in rows:
        rid = rid if rid is not None else _default_id(path, root, offset)
        if rid in seen:
            raise DSPError(f"input: id {rid!r} appears twice ({seen[rid]!r} and {path!r}): ids must be unique")
        seen[rid] = path
        items.append(Item(rid, path, float(offset), duration))
    if not items:
        raise DSPError(f"input={source!r} holds no audio files")
    return items
