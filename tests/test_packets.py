"""dsp.WaveletPacket / WaveletPacket2D: node paths and data equal PyWavelets' (natural and
frequency order), leaves, deletion, item assignment and reconstruction."""
import numpy as np
import pytest

import dsp
from dsp import DSPError

pywt = pytest.importorskip("pywt")


@pytest.mark.parametrize("name,mode", [("db2", "symmetric"), ("sym3", "periodization"), ("haar", "zero"),
                                       ("bior2.4", "reflect"), ("coif1", "smooth")])
def test_packet_tree_equals_pywavelets(name, mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(100)
    a, b = pywt.WaveletPacket(x, name, mode), dsp.WaveletPacket(x, name, mode)
    assert a.maxlevel == b.maxlevel
    for lev in range(1, a.maxlevel + 1):
        for order in ("natural", "freq"):
            na, nb = a.get_level(lev, order), b.get_level(lev, order)
            assert [n.path for n in na] == [n.path for n in nb]
            assert max(np.max(np.abs(p.data - q.data)) for p, q in zip(na, nb)) <= 1e-10
    assert [n.path for n in a.get_leaf_nodes()] == [n.path for n in b.get_leaf_nodes()]
    assert np.max(np.abs(b.reconstruct(update=False) - a.reconstruct(update=False))) <= 1e-10
    del a["ad"]
    del b["ad"]
    assert np.max(np.abs(b.reconstruct(update=False) - a.reconstruct(update=False))) <= 1e-10
    img = rng.standard_normal((20, 23))
    a, b = pywt.WaveletPacket2D(img, name, mode), dsp.WaveletPacket2D(img, name, mode)
    assert a.maxlevel == b.maxlevel
    for lev in range(1, a.maxlevel + 1):
        fa, fb = a.get_level(lev, "freq"), b.get_level(lev, "freq")
        assert [[n.path for n in r] for r in fa] == [[n.path for n in r] for r in fb]
        na, nb = a.get_level(lev), b.get_level(lev)
        assert [n.path for n in na] == [n.path for n in nb]
        assert max(np.max(np.abs(p.data - q.data)) for p, q in zip(na, nb)) <= 1e-10
    assert np.max(np.abs(b.reconstruct() - a.reconstruct())) <= 1e-10


def test_assignment_and_errors():
    a = pywt.WaveletPacket(None, "db1", "symmetric", maxlevel=2)
    b = dsp.WaveletPacket(None, "db1", "symmetric", maxlevel=2)
    for t in (a, b):
        t["aa"] = np.ones(4)
        t["ad"] = np.arange(4.0)
        t["d"] = np.ones(8)
    assert np.max(np.abs(a.reconstruct() - b.reconstruct())) <= 1e-12
    assert b["ad"].path == "ad" and b.a.node_name == "a" and b["ad"].level == 2
    wp = dsp.WaveletPacket(np.arange(16.0), "db1", maxlevel=2)
    with pytest.raises(IndexError):
        wp["aaa"]
    with pytest.raises(DSPError, match="node name"):
        wp["x"]
    with pytest.raises(DSPError, match="order"):
        wp.get_level(1, "sideways")
    with pytest.raises(DSPError, match="level"):
        wp.get_level(3)
    with pytest.raises(DSPError):
        dsp.WaveletPacket(np.arange(16.0), "morl")
    with pytest.raises(DSPError, match="axes"):
        dsp.WaveletPacket2D(np.ones((8, 8)), "db1", axes=(0, 0))


def test_packet_nd_equals_pywavelets():
    x = np.random.default_rng(4).standard_normal((16, 12, 6))
    a = pywt.WaveletPacketND(x, "db1", "symmetric", axes=(0, 1))
    b = dsp.WaveletPacketND(x, "db1", "symmetric", axes=(0, 1))
    assert a.maxlevel == b.maxlevel
    for lev in range(1, a.maxlevel + 1):
        na, nb = a.get_level(lev), b.get_level(lev)
        assert [n.path for n in na] == [n.path for n in nb]
        assert max(np.max(np.abs(p.data - q.data)) for p, q in zip(na, nb)) <= 1e-12
    assert np.max(np.abs(b.reconstruct() - x)) <= 1e-12


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_deep_level_first_equals_pywavelets(dtype):
    """get_level(deep) on a fresh or partly decomposed tree: every node split at once, a level at a
    time (dsp.WaveletPacket's batched path), with PyWavelets' nodes and data."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 300)) + (1j * rng.standard_normal((3, 300)) if dtype == np.complex128 else 0)
    x = x.astype(dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for axis, touch in ((-1, None), (0, None), (-1, "ad"), (1, "d")):
        data = x if axis != 0 else x[:, :20].T.copy()
        a = pywt.WaveletPacket(data, "db3", "symmetric", axis=axis)
        b = dsp.WaveletPacket(data, "db3", "symmetric", axis=axis)
        if touch:
            a[touch], b[touch]
            del a[touch[0]]
            del b[touch[0]]
        for order in ("natural", "freq"):
            na, nb = a.get_level(a.maxlevel, order), b.get_level(b.maxlevel, order)
            assert [n.path for n in na] == [n.path for n in nb]
            for p, q in zip(na, nb):
                assert q.data.shape == p.data.shape and q.data.dtype == p.data.dtype
                assert np.max(np.abs(p.data - q.data)) <= tol * np.max(np.abs(p.data))
        rec = b.reconstruct(update=False) - a.reconstruct(update=False)
        assert np.max(np.abs(rec)) <= tol * np.max(np.abs(x))
    a = pywt.WaveletPacket(x[0], "db2", "reflect", maxlevel=4)
    b = dsp.WaveletPacket(x[0], "db2", "reflect", maxlevel=4)
    na, nb = a.get_leaf_nodes(decompose=True), b.get_leaf_nodes(decompose=True)
    assert [n.path for n in na] == [n.path for n in nb]
    assert max(np.max(np.abs(p.data - q.data)) for p, q in zip(na, nb)) <= tol * np.max(np.abs(x))
    one = rng.standard_normal(1000)
    a, b = pywt.WaveletPacket(one, "sym4", "periodization"), dsp.WaveletPacket(one, "sym4", "periodization")
    na, nb = a.get_level(4, "freq"), b.get_level(4, "freq")
    assert [n.path for n in na] == [n.path for n in nb]
    assert max(np.max(np.abs(p.data - q.data)) for p, q in zip(na, nb)) <= 1e-10
