"""Pyramid.load of crafted files (issue 15): every failure a PyramidError naming the file, nothing
allocated from a declared size the file cannot back, no zip bomb decompressed."""
import io
import json
import zipfile

import numpy as np
import pytest

from pyramids import Level, Pyramid, PyramidError

FORMAT = "dsp-pyramids.pyramid/1"


def _small_pyramid():
    data = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    ext = np.stack([np.arange(4.0), np.arange(4.0) + 1], axis=1)
    return Pyramid([Level(data, "l0", ext, "seconds")], "audio", {"sr": 8})


def _header(**over):
    h = {"format": FORMAT, "modality": "audio", "meta": {},
         "levels": [{"name": "l0", "units": "seconds", "meta": {}, "grid": False}]}
    h.update(over)
    return h


def _write(path, header, arrays=None, compress=False):
    arrays = dict(arrays if arrays is not None else {
        "data_0": np.zeros((4, 3), np.float32),
        "extents_0": np.stack([np.arange(4.0), np.arange(4.0) + 1], axis=1)})
    arrays["header"] = np.array(header if isinstance(header, str) else json.dumps(header))
    with open(path, "wb") as fh:
        (np.savez_compressed if compress else np.savez)(fh, **arrays)
    return path


def _npy_bytes(shape_text, dtype="<f4", payload=b"\0" * 64):
    head = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (dtype, shape_text)
    head = head + " " * (63 - (len(head) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head.encode() + payload


def _zip_with(path, members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def _header_npy(header):
    b = io.BytesIO()
    np.save(b, np.array(json.dumps(header)))
    return b.getvalue()


CRAFTED = {
    "missing modality": lambda p: _write(p, {k: v for k, v in _header().items() if k != "modality"}),
    "levels not dicts": lambda p: _write(p, _header(levels=[1, 2])),
    "levels not a list": lambda p: _write(p, _header(levels="x")),
    "level name missing": lambda p: _write(p, _header(levels=[{"units": "s", "grid": False}])),
    "unknown dtype in meta": lambda p: _write(p, _header(meta={"a": {"__ndarray__": [1], "dtype": "bogus", "shape": [1]}})),
    "negative shape in meta": lambda p: _write(p, _header(meta={"a": {"__ndarray__": [1], "dtype": "<f8", "shape": [-1]}})),
    "object dtype in meta": lambda p: _write(p, _header(meta={"a": {"__ndarray__": [1], "dtype": "O", "shape": [1]}})),
    "deep JSON": lambda p: _write(p, '{"format": "%s", "modality": "audio", "levels": [], "meta": %s1%s}'
                                  % (FORMAT, "[" * 100000, "]" * 100000)),
    "header not JSON": lambda p: _write(p, "{not json"),
    "header is a list": lambda p: _write(p, "[1, 2]"),
    "missing data array": lambda p: _write(p, _header(), arrays={"extents_0": np.zeros((4, 2))}),
    "data of the wrong rank": lambda p: _write(p, _header(), arrays={"data_0": np.float32(1.0), "extents_0": np.zeros((4, 2))}),
    "extents of the wrong shape": lambda p: _write(p, _header(), arrays={"data_0": np.zeros((4, 3)), "extents_0": np.zeros((3, 5))}),
    "negative npy shape": lambda p: _zip_with(p, {"header.npy": _header_npy(_header()),
                                                 "data_0.npy": _npy_bytes("(-4, 3)")}),
    "npy declaring 16 GB": lambda p: _zip_with(p, {"header.npy": _header_npy(_header()),
                                                  "data_0.npy": _npy_bytes("(4096, 1048576)")}),
    "npy declaring 8 TB": lambda p: _zip_with(p, {"header.npy": _header_npy(_header()),
                                                 "data_0.npy": _npy_bytes("(2097152, 1048576)")}),
    "npy with object dtype": lambda p: _zip_with(p, {"header.npy": _header_npy(_header()),
                                                    "data_0.npy": _npy_bytes("(2,)", dtype="|O")}),
    "npy with a garbage header": lambda p: _zip_with(p, {"header.npy": _header_npy(_header()),
                                                        "data_0.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': __import__('os')}"}),
    "not a zip": lambda p: (p.write_bytes(b"hello"), p)[1],
    "no header": lambda p: (np.savez(p, a=np.ones(3)), p)[1],
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_file_is_a_pyramid_error(tmp_path, case):
    path = CRAFTED[case](tmp_path / "x.npz")
    with pytest.raises(PyramidError) as info:
        Pyramid.load(path)
    assert str(path) in str(info.value) or "not a saved pyramid" in str(info.value)


def test_zip_bomb_is_refused_before_decompressing(tmp_path):
    """256 MB of zeros compress to ~250 kB: refused from the zip directory, never inflated."""
    path = tmp_path / "bomb.npz"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.npy", _header_npy(_header()))
        with zf.open("data_0.npy", "w", force_zip64=True) as fh:
            fh.write(_npy_bytes("(67108864,)", payload=b""))
            chunk = b"\0" * (1 << 20)
            for _ in range(256):
                fh.write(chunk)
        zf.writestr("extents_0.npy", _header_npy(_header()))
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 2 << 20
    with pytest.raises(PyramidError, match=r"would expand .* \(more than 200x\)"):
        Pyramid.load(path)


def test_save_to_a_directory_is_a_pyramid_error(tmp_path):
    with pytest.raises(PyramidError, match="it is a directory"):
        _small_pyramid().save(tmp_path)


def test_load_of_a_directory_is_a_pyramid_error(tmp_path):
    with pytest.raises(PyramidError, match="it is a directory"):
        Pyramid.load(tmp_path)


def test_compressed_pyramid_of_real_data_still_loads(tmp_path):
    p = _small_pyramid()
    p.save(tmp_path / "p.npz")
    with np.load(tmp_path / "p.npz") as z:
        arrays = {k: z[k] for k in z.files}
    with open(tmp_path / "c.npz", "wb") as fh:
        np.savez_compressed(fh, **arrays)
    q = Pyramid.load(tmp_path / "c.npz")
    np.testing.assert_array_equal(q[0], p[0])
    assert q.meta == p.meta
