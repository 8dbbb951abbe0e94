"""Reading a saved pyramid (``.npz``) that may be hostile: every check before any array is read.

:meth:`pyramids.Pyramid.load` calls :func:`read_pyramid_file`, which

- opens the file as a zip archive and refuses members whose declared uncompressed size is beyond
  :data:`MAX_EXPANSION` times their compressed size (a zip bomb: 1 GB of zeros in 6 MB) or whose
  total exceeds dsp's allocation ceiling (``dsp.base.MAX_ALLOC_BYTES``);
- reads each ``.npy`` header (NumPy's own parser, which evaluates literals only) and refuses
  object dtypes, negative or non-integer shapes, and a declared ``shape x itemsize`` that is not
  exactly the bytes the member holds (a 6 kB file declaring an 8 TB array);
- parses the JSON header with a size and nesting bound and checks its schema.

Every failure is a :class:`PyramidError` naming the file and what is wrong; no pickle is ever
loaded (``allow_pickle=False``).

:func:`encode_meta` and :func:`decode_meta` are the format's metadata codec: JSON with tuples,
non-finite floats and small numeric arrays tagged so that they come back as such.
"""
from __future__ import annotations

import json
import math
import zipfile

import numpy as np

from dsp.base import MAX_ALLOC_BYTES

from ._errors import PyramidError

#: the most a compressed member may expand (np.savez_compressed of real data stays far below)
MAX_EXPANSION = 200
#: the largest JSON header accepted, in bytes
MAX_HEADER_BYTES = 64 << 20
#: the deepest nesting of the JSON header (lists and dicts)
MAX_DEPTH = 64

_LEVEL_KEYS = {"name": str, "units": str, "grid": bool}


def _fail(path, what):
    return PyramidError(f"could not load a pyramid from {path}: {what}")


def _npy_shape(zf, info, path):
    """Check a member's .npy header against its size; return nothing (np.load reads it)."""
    with zf.open(info) as fh:
        try:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except Exception as exc:  # noqa: BLE001  (malformed headers raise many types)
            raise _fail(path, f"member {info.filename!r} has no valid array header ({exc})") from None
        header_len = fh.tell()
    if dtype.hasobject:
        raise _fail(path, f"member {info.filename!r} holds Python objects (dtype {dtype}): refused")
    if not all(isinstance(d, int) and d >= 0 for d in shape):
        raise _fail(path, f"member {info.filename!r} declares the shape {shape}")
    declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if declared != info.file_size - header_len:
        raise _fail(path, f"member {info.filename!r} declares a {shape} {dtype} array "
                          f"({declared} bytes) but holds {info.file_size - header_len} bytes")


def _depth(obj, limit):
    """Nesting depth of a JSON value, refusing beyond ``limit`` without recursing further."""
    stack = [(obj, 1)]
    deepest = 0
    while stack:
        value, d = stack.pop()
        deepest = max(deepest, d)
        if d > limit:
            return d
        if isinstance(value, dict):
            stack.extend((v, d + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, d + 1) for v in value)
    return deepest


def _check_header(header, path, n_members):
    if not isinstance(header, dict):
        raise _fail(path, f"the header is a {type(header).__name__}, not an object")
    for key, kind in (("modality", str), ("levels", list)):
        if not isinstance(header.get(key), kind):
            raise _fail(path, f"the header's {key!r} is missing or not a {kind.__name__}")
    if not header["levels"]:
        raise _fail(path, "the header lists no levels")
    for i, spec in enumerate(header["levels"]):
        if not isinstance(spec, dict):
            raise _fail(path, f"level {i} of the header is a {type(spec).__name__}, not an object")
        for key, kind in _LEVEL_KEYS.items():
            if not isinstance(spec.get(key), kind):
                raise _fail(path, f"level {i}'s {key!r} is missing or not a {kind.__name__}")
    if len(header["levels"]) > n_members:
        raise _fail(path, f"the header lists {len(header['levels'])} levels but the file holds "
                          f"{n_members} arrays")


def read_pyramid_file(path, fmt):
    """``(header, npz)`` of a checked pyramid file; the caller closes ``npz``."""
    try:
        zf = zipfile.ZipFile(path)
    except IsADirectoryError:
        raise _fail(path, "it is a directory") from None
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise _fail(path, f"not a .npz archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        total = 0
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_EXPANSION * max(info.compress_size, 1):
                raise _fail(path, f"member {info.filename!r} would expand {info.compress_size} "
                                  f"compressed bytes to {info.file_size} (more than {MAX_EXPANSION}x)")
            total += info.file_size
        if total > MAX_ALLOC_BYTES:
            raise _fail(path, f"its arrays would need {total} bytes, above the ceiling "
                              f"{MAX_ALLOC_BYTES}")
        names = {info.filename: info for info in infos}
        if "header.npy" not in names:
            raise _fail(path, "it has no header (not a saved pyramid)")
        if names["header.npy"].file_size > MAX_HEADER_BYTES:
            raise _fail(path, f"its header is {names['header.npy'].file_size} bytes "
                              f"(at most {MAX_HEADER_BYTES})")
        for info in infos:
            _npy_shape(zf, info, path)
    try:
        npz = np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001
        raise _fail(path, f"{type(exc).__name__}: {exc}") from None
    try:
        raw = npz["header"]
        if raw.dtype.kind not in "US" or raw.ndim != 0:
            raise _fail(path, f"the header is a {raw.dtype} array of shape {raw.shape}, not a string")
        try:
            header = json.loads(str(raw[()]))
        except RecursionError:
            raise _fail(path, "the header is nested too deeply") from None
        except ValueError as exc:
            raise _fail(path, f"the header is not JSON ({exc})") from None
        if not isinstance(header, dict) or header.get("format") != fmt:
            got = header.get("format") if isinstance(header, dict) else None
            raise PyramidError(f"{path} is not a saved pyramid (format {got!r})")
        if _depth(header, MAX_DEPTH) > MAX_DEPTH:
            raise _fail(path, f"the header is nested more than {MAX_DEPTH} deep")
        _check_header(header, path, len(npz.files))
    except BaseException:
        npz.close()
        raise
    return header, npz


def encode_meta(obj, where: str):
    """JSON-ready form of metadata, with tuples and arrays tagged so that they come back as such."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (int, float)):
        if isinstance(obj, float) and not math.isfinite(obj):
            return {"__float__": repr(obj)}
        return obj
    if isinstance(obj, np.generic):
        return encode_meta(obj.item(), where)
    if isinstance(obj, tuple):
        return {"__tuple__": [encode_meta(v, where) for v in obj]}
    if isinstance(obj, list):
        return [encode_meta(v, where) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise PyramidError(f"{where}: arrays of dtype {obj.dtype} cannot be saved in metadata")
        return {"__ndarray__": [encode_meta(v, where) for v in obj.ravel().tolist()], "dtype": obj.dtype.str,
                "shape": list(obj.shape)}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise PyramidError(f"{where}: key {k!r} is not a string; metadata keys must be strings to be saved")
            out[k] = encode_meta(v, where)
        return out
    raise PyramidError(f"{where}: value {obj!r} of type {type(obj).__name__} cannot be saved")


def decode_meta(obj):
    """The metadata :func:`encode_meta` wrote (tagged tuples, floats and arrays restored)."""
    if isinstance(obj, list):
        return [decode_meta(v) for v in obj]
    if isinstance(obj, dict):
        if set(obj) == {"__tuple__"}:
            return tuple(decode_meta(v) for v in obj["__tuple__"])
        if set(obj) == {"__float__"}:
            return float(obj["__float__"])
        if set(obj) == {"__ndarray__", "dtype", "shape"}:
            vals = [decode_meta(v) for v in obj["__ndarray__"]]
            dtype = np.dtype(obj["dtype"])  # TypeError for an unknown dtype
            if dtype.kind not in "biuf":
                raise PyramidError(f"metadata array of dtype {dtype}: only numbers are stored")
            shape = obj["shape"]
            if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
                raise PyramidError(f"metadata array with shape {shape!r}")
            return np.array(vals, dtype=dtype).reshape(shape)
        return {k: decode_meta(v) for k, v in obj.items()}
    return obj
