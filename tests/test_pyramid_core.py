"""The Pyramid/Level container: indexing, slicing, map, devices, save/load, validation."""
import numpy as np
import pytest

import pyramids
from dsp import DSPError
from pyramids import AudioPyramid, ImagePyramid, Level, Pyramid, PyramidError, TextPyramid


def spans(n, width):
    starts = np.arange(n) * width
    return np.stack([starts, starts + width], axis=1)


def audio_pyramid(dtype=np.float32):
    rng = np.random.default_rng(0)
    frame = Level(rng.standard_normal((8, 3)).astype(dtype), "frame", spans(8, 0.5), "seconds")
    window = Level(rng.standard_normal((4, 3)).astype(dtype), "window", spans(4, 1.0), "seconds",
                   {"hz": (20.0, 200.0), "n": 4})
    clip = Level(rng.standard_normal((1, 3)).astype(dtype), "clip", spans(1, 4.0), "seconds")
    return Pyramid([frame, window, clip], "audio", {"sr": 22050, "params": {"frame": 0.5, "sizes": (8, 4, 1)}})


def grid_level(h, w, cell, d=2, name=None):
    yy, xx = np.meshgrid(np.arange(h) * cell, np.arange(w) * cell, indexing="ij")
    boxes = np.stack([yy.ravel(), xx.ravel(), yy.ravel() + cell, xx.ravel() + cell], axis=1)
    return Level(np.ones((h, w, d)), name or f"cell{h}", boxes, "pixels")


def test_pyramiderror_is_dsperror():
    assert issubclass(PyramidError, DSPError) and issubclass(PyramidError, ValueError)
    assert pyramids.PyramidError is PyramidError


def test_len_getitem_level_iteration():
    p = audio_pyramid()
    assert len(p) == 3
    assert p[0].shape == (8, 3) and p[-1].shape == (1, 3)
    assert p[-1] is p.level(2).data
    assert p.level(-3) is p.level(0)
    assert [lv.name for lv in p] == ["frame", "window", "clip"]
    assert all(isinstance(lv, Level) for lv in p)
    assert p.names == ("frame", "window", "clip")
    assert p.shapes == ((8, 3), (4, 3), (1, 3))
    assert p.scales == (0.5, 1.0, 4.0)
    assert p.modality == "audio" and p.units == "seconds"
    np.testing.assert_array_equal(p.level(1).extents, spans(4, 1.0))
    assert p.level(1).extents.dtype == np.float64
    assert p.level(1).meta["hz"] == (20.0, 200.0)


def test_index_errors():
    p = audio_pyramid()
    with pytest.raises(IndexError, match="level 3 is out of range"):
        p[3]
    with pytest.raises(IndexError, match="level -4 is out of range"):
        p.level(-4)
    with pytest.raises(TypeError, match="integers or slices"):
        p["frame"]


def test_modality_classes():
    p = audio_pyramid()
    assert isinstance(p, AudioPyramid)  # Pyramid(..., 'audio') gives the modality's class
    assert isinstance(p[1:], AudioPyramid)
    assert isinstance(Pyramid([grid_level(2, 2, 1.0)], "image"), ImagePyramid)
    t = TextPyramid([Level(np.ones((2, 4)), "token", [[0, 3], [4, 6]], "chars")])
    assert t.modality == "text"
    with pytest.raises(PyramidError, match="modality='audio' does not match TextPyramid"):
        TextPyramid([Level(np.ones((2, 4)), "token", [[0, 3], [4, 6]], "chars")], "audio")


def test_slicing_gives_sub_pyramid():
    p = audio_pyramid()
    sub = p[1:]
    assert isinstance(sub, Pyramid) and len(sub) == 2
    assert sub.names == ("window", "clip")
    assert sub.meta == p.meta
    assert p[::2].names == ("frame", "clip")
    assert p[:1].names == ("frame",)
    with pytest.raises(PyramidError, match="not ordered fine to coarse"):
        p[::-1]
    with pytest.raises(PyramidError, match="at least one level"):
        p[5:]


def test_map_keeps_extents_and_checks_elements():
    p = audio_pyramid()
    q = p.map(lambda a: a * 2)
    for a, b in zip(p, q):
        np.testing.assert_array_equal(b.data, 2 * a.data)
        assert b.extents is a.extents or np.array_equal(b.extents, a.extents)
        assert b.name == a.name and b.meta == a.meta
    # features may change size; elements may not
    assert p.map(lambda a: a[:, :1]).shapes == ((8, 1), (4, 1), (1, 1))
    with pytest.raises(PyramidError, match="map: level 'frame': extents has 8 rows but the level has 4"):
        p.map(lambda a: a[:4])


def test_repr_is_readable():
    r = repr(audio_pyramid())
    assert r.splitlines()[0] == "AudioPyramid(modality='audio', 3 level(s), units='seconds')"
    assert "[1] window" in r and "shape=(4, 3)" in r and "float32" in r and "scale=4" in r
    assert "Level(name='clip'" in repr(audio_pyramid().level(2))


def test_to_numpy_is_identity_on_host():
    p = audio_pyramid()
    q = p.to_numpy()
    for a, b in zip(p, q):
        np.testing.assert_array_equal(a.data, b.data)
        assert isinstance(b.data, np.ndarray)


def test_to_cupy_without_cupy_says_what_to_install():
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(PyramidError, match="needs CuPy"):
            audio_pyramid().to_cupy()
    else:
        q = audio_pyramid().to_cupy()
        assert type(q[0]).__module__.startswith("cupy")
        np.testing.assert_array_equal(q.to_numpy()[0], audio_pyramid()[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_save_load_round_trip(tmp_path, dtype):
    p = audio_pyramid(np.float32).map(lambda a: a.astype(dtype))
    path = tmp_path / "p.pyr"  # any suffix is kept as given
    p.save(path)
    assert path.exists()
    q = Pyramid.load(path)
    assert isinstance(q, AudioPyramid)
    assert q.modality == p.modality and q.names == p.names and q.meta == p.meta
    assert isinstance(q.meta["params"]["sizes"], tuple)
    for a, b in zip(p, q):
        assert b.data.dtype == a.data.dtype
        np.testing.assert_array_equal(b.data, a.data)
        np.testing.assert_array_equal(b.extents, a.extents)
        assert b.units == a.units and b.meta == a.meta
    assert type(q.level(1).meta["hz"]) is tuple


def test_save_load_image_pyramid_with_array_meta(tmp_path):
    p = Pyramid([grid_level(4, 4, 1.0), grid_level(2, 2, 2.0)], "image",
                {"kernel": np.array([0.25, 0.5, 0.25]), "inf": float("inf"), "none": None, "flag": True})
    p.save(tmp_path / "img.npz")
    q = Pyramid.load(tmp_path / "img.npz")
    assert isinstance(q, ImagePyramid)
    np.testing.assert_array_equal(q.meta["kernel"], p.meta["kernel"])
    assert q.meta["kernel"].dtype == np.float64
    assert q.meta["inf"] == float("inf") and q.meta["none"] is None and q.meta["flag"] is True
    assert q.shapes == p.shapes and q.scales == p.scales


def test_save_refuses_unsavable_meta(tmp_path):
    p = Pyramid([Level(np.ones(2), "frame", [[0, 1], [1, 2]], "seconds", {"f": object()})], "audio")
    with pytest.raises(PyramidError, match="cannot be saved"):
        p.save(tmp_path / "x.npz")
    p = Pyramid([Level(np.ones(2), "frame", [[0, 1], [1, 2]], "seconds", {1: "a"})], "audio")
    with pytest.raises(PyramidError, match="keys must be strings"):
        p.save(tmp_path / "x.npz")


def test_load_refuses_other_files(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.ones(3))
    with pytest.raises(PyramidError, match="could not load a pyramid"):
        Pyramid.load(tmp_path / "other.npz")
    with pytest.raises(PyramidError, match="could not load a pyramid"):
        Pyramid.load(tmp_path / "missing.npz")


def test_pixel_level_elements_and_scale():
    lv = grid_level(3, 2, 4.0, d=5)
    assert lv.n_elements == 6 and lv.scale == 4.0
    assert lv.extents[1].tolist() == [0, 4, 4, 8]  # row-major: second element is (row 0, col 1)
    rect = Level(np.ones((1, 1)), "whole", [[0, 0, 2, 8]], "pixels")
    assert rect.scale == 4.0  # sqrt of the area


def test_level_is_frozen_and_extents_read_only():
    lv = audio_pyramid().level(0)
    with pytest.raises(AttributeError):
        lv.name = "x"
    with pytest.raises(ValueError):
        lv.extents[0, 0] = 3.0
    assert lv.replace(name="f2").name == "f2"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(data=np.ones((0, 3)), extents=np.zeros((0, 2))), "level 'x' is empty"),
        (dict(data=np.ones((2, 0)), extents=spans(2, 1)), "level 'x' is empty"),
        (dict(data=np.ones((3, 2)), extents=spans(2, 1)), "extents has 2 rows but the level has 3 elements"),
        (dict(data=np.ones((2, 2)), extents=np.zeros((2, 3))), r"extents has shape \(2, 3\): need \(2, 2\)"),
        (dict(data=np.array([[1.0, np.nan]]), extents=spans(1, 1)), "data contains NaN"),
        (dict(data=np.ones(2), extents=[[0, 1], [2, 1]]), "extent of element 1 ends before it starts"),
        (dict(data=np.ones(2), extents=[[0, 1], [1, np.inf]]), "extents contain NaN or infinity"),
        (dict(data=np.ones(2), extents=spans(2, 1), units="furlongs"), "units='furlongs' is not supported"),
        (dict(data=np.ones(2), extents=spans(2, 1), name=""), "name='' must be a non-empty string"),
        (dict(data=np.array(["a", "b"]), extents=spans(2, 1)), "need a numeric array"),
        (dict(data=np.ones(4), extents=np.zeros((4, 4)), units="pixels"), "need at least 2 for units='pixels'"),
        (dict(data=np.ones((2, 2)), extents=spans(4, 1), units="pixels"), r"need \(4, 4\)"),
        (dict(data=np.ones(2), extents=spans(2, 1), meta=[1]), "meta must be a dict"),
        (dict(data=np.ones(2), extents=[["a", "b"], ["c", "d"]]), "extents could not be converted"),
    ],
)
def test_level_validation(kwargs, match):
    args = dict(name="x", units="seconds")
    args.update(kwargs)
    with pytest.raises(PyramidError, match=match):
        Level(**args)


def test_pyramid_validation():
    p = audio_pyramid()
    with pytest.raises(PyramidError, match="at least one level"):
        Pyramid([], "audio")
    with pytest.raises(PyramidError, match=r"levels\[1\] is a ndarray"):
        Pyramid([p.level(0), np.ones(3)], "audio")
    with pytest.raises(PyramidError, match="modality='smell' is not supported"):
        Pyramid(list(p), "smell")
    with pytest.raises(PyramidError, match="level 1 \\('frame', scale 0.5\\) is finer than level 0"):
        Pyramid([p.level(1), p.level(0)], "audio")
    text = Level(np.ones((2, 2)), "token", [[0, 1], [1, 2]], "chars")
    with pytest.raises(PyramidError, match="levels mix units"):
        Pyramid([p.level(0), text], "audio")
    with pytest.raises(PyramidError, match="meta must be a dict"):
        Pyramid(list(p), "audio", meta=3)
    with pytest.raises(PyramidError, match="must be a sequence of Level"):
        Pyramid(5, "audio")
    # equal scales are fine (a mel pyramid's levels share their frames)
    assert len(Pyramid([p.level(0), p.level(0)], "audio")) == 2


def test_single_level_is_accepted():
    lv = audio_pyramid().level(0)
    assert len(Pyramid(lv, "audio")) == 1


def test_pickle_and_deepcopy_keep_the_class():
    import copy
    import pickle

    p = audio_pyramid()
    for q in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert isinstance(q, AudioPyramid)
        assert q.names == p.names and q.meta == p.meta and q.scales == p.scales
        np.testing.assert_array_equal(q[1], p[1])


def test_nan_check_is_not_fooled_by_infinities():
    # inf - inf makes the fast sum NaN; the element-wise check then finds no NaN
    lv = Level(np.array([[np.inf, -np.inf]]), "frame", [[0, 1]], "seconds")
    assert lv.n_elements == 1
    with pytest.raises(PyramidError, match="data contains NaN"):
        Level(np.array([[1.0, np.nan, np.inf]]), "frame", [[0, 1]], "seconds")


# -- BoxGrid: compact pixel extents ------------------------------------------------------------

def test_boxgrid_level_equals_explicit_boxes():
    rows = [[0, 2], [2, 5]]
    cols = [[0, 1], [1, 3], [3, 4]]
    g = pyramids.BoxGrid(rows, cols)
    lv = Level(np.ones((2, 3, 4)), "cell", g, "pixels")
    explicit = np.array([[y0, x0, y1, x1] for y0, y1 in rows for x0, x1 in cols], float)
    assert lv.grid is g and lv.n_elements == 6
    np.testing.assert_array_equal(lv.extents, explicit)
    assert lv.scale == pytest.approx(Level(np.ones((2, 3, 4)), "cell", explicit, "pixels").scale, rel=1e-15)
    with pytest.raises(ValueError):
        lv.extents[0, 0] = 1.0
    assert "BoxGrid(shape=(2, 3)" in repr(g)


def test_boxgrid_extents_are_built_only_when_read():
    g = pyramids.BoxGrid(np.stack([np.arange(400), np.arange(1, 401)], 1), [[0, 1]] * 300)
    lv = Level(np.zeros((400, 300), np.float32), "pixel", g, "pixels")
    assert lv._extents is None  # 120 000 boxes not built yet
    assert lv.scale == 1.0
    assert lv.extents.shape == (120_000, 4)
    assert lv.extents is lv.extents  # built once


def test_boxgrid_saves_compactly(tmp_path):
    g = pyramids.BoxGrid([[0, 2], [2, 4]], [[0, 2], [2, 4]])
    p = Pyramid([Level(np.ones((2, 2, 1)), "cell2", g, "pixels")], "image")
    p.save(tmp_path / "g.npz")
    with np.load(tmp_path / "g.npz") as z:
        assert "grid_rows_0" in z.files and "extents_0" not in z.files
    q = Pyramid.load(tmp_path / "g.npz")
    assert q.level(0).grid is not None
    np.testing.assert_array_equal(q.level(0).extents, p.level(0).extents)
    assert pickle_round_trip(p.level(0)).grid is not None


def pickle_round_trip(x):
    import pickle

    return pickle.loads(pickle.dumps(x))


@pytest.mark.parametrize(
    "rows, cols, match",
    [
        ([[0, 1, 2]], [[0, 1]], "rows has shape \\(1, 3\\)"),
        (np.zeros((0, 2)), [[0, 1]], "rows has shape \\(0, 2\\)"),
        ([[0, 1]], [[0, np.nan]], "cols contain NaN"),
        ([[0, 1]], [[2, 1]], "cols\\[0\\]=\\[2.0, 1.0\\] ends before it starts"),
        ([["a", "b"]], [[0, 1]], "rows could not be converted"),
    ],
)
def test_boxgrid_validation(rows, cols, match):
    with pytest.raises(PyramidError, match=match):
        pyramids.BoxGrid(rows, cols)


def test_boxgrid_must_fit_the_level():
    g = pyramids.BoxGrid([[0, 1]], [[0, 1], [1, 2]])
    with pytest.raises(PyramidError, match="BoxGrid has shape \\(1, 2\\) but the data's grid is \\(2, 2\\)"):
        Level(np.ones((2, 2)), "cell", g, "pixels")
    with pytest.raises(PyramidError, match="a BoxGrid describes pixel boxes, not units='seconds'"):
        Level(np.ones((1, 2)), "frame", g, "seconds")
    with pytest.raises(AttributeError):
        g.rows = None


@pytest.mark.parametrize("module", ["pyramids", "pyramids.core", "pyramids.level", "pyramids.audio", "pyramids.audio_wavelet", "pyramids.image", "pyramids.image_patches", "pyramids.text"])
def test_docstring_examples_run(module):
    # The builders' Examples are part of their documentation contract: run them as tests.
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
