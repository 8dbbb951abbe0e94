"""GPU twin of the constant-Q kernels (kernels/gpu/cqt.py) against the CPU kernels, and dsp.cqt /
dsp.icqt device in, device out, equal to the CPU path (issue 19)."""
import numpy as np
import pytest

import dsp
from tests.tolerances import assert_close


def _bank(dtype, n_filters=5, n_bins=33, seed=0):
    rng = np.random.default_rng(seed)
    lens = rng.integers(1, 9, n_filters)
    starts = np.sort(rng.integers(0, n_bins - 8, n_filters)).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    cdt = np.complex64 if dtype == np.float32 else np.complex128
    w = (rng.standard_normal(offsets[-1]) + 1j * rng.standard_normal(offsets[-1])).astype(cdt)
    return starts, offsets, w, n_bins


def test_cqt_kernels_match_cpu(device, dtype):
    from dsp_kernels.cpu import cqt as cpu
    from dsp_kernels.gpu import cqt as gpu

    starts, offsets, w, n_bins = _bank(dtype)
    cdt = w.dtype
    rng = np.random.default_rng(1)
    T = device.size(7, 3000)
    D = (rng.standard_normal((2, n_bins, T)) + 1j * rng.standard_normal((2, n_bins, T))).astype(cdt)
    ref = cpu.cqt_project(D, starts, offsets, w)
    assert_close(device.get(gpu.cqt_project(device.put(D), starts, offsets, w)), ref, dtype, what="project")
    # magnitudes (pseudo-CQT): real spectra, real weights
    refm = cpu.cqt_project(np.abs(D), starts, offsets, np.abs(w))
    assert_close(device.get(gpu.cqt_project(device.put(np.abs(D)), starts, offsets, np.abs(w))), refm, dtype,
                 what="project |.|")
    gains = rng.random(len(starts)) + 0.5
    C = ref
    refa = cpu.cqt_adjoint(C, starts, offsets, w, gains, n_bins)
    # the adjoint by its definition: <project(D), C> = <D, adjoint(C)> with unit gains
    dense = np.zeros((len(starts), n_bins), dtype=np.complex128)
    for k in range(len(starts)):
        dense[k, starts[k]:starts[k] + offsets[k + 1] - offsets[k]] = w[offsets[k]:offsets[k + 1]]
    assert_close(refa, np.einsum("kf,k,bkt->bft", dense.conj(), gains, C), dtype, what="cpu adjoint")
    got = device.get(gpu.cqt_adjoint(device.put(C), starts, offsets, w, gains, n_bins))
    assert_close(got, refa, dtype, what="adjoint")


def test_cqt_device_in_device_out(device, dtype):
    sr = 8000
    n = device.size(400, 8000 * 4)
    t = np.arange(n) / sr
    y = (0.5 * np.sin(2 * np.pi * 1500 * t) + 0.1 * np.random.default_rng(2).standard_normal((2, n))).astype(dtype)
    kw = dict(sr=sr, hop_length=16, fmin=800.0, n_bins=6, bins_per_octave=3)
    expected = dsp.cqt(y, **kw)
    with device.context():
        got = dsp.cqt(device.put(y), **kw)
        assert device.is_device_array(got)
        back = dsp.icqt(got, sr=sr, hop_length=16, fmin=800.0, bins_per_octave=3, length=n)
        assert device.is_device_array(back)
    got = device.get(got)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert_close(got, expected, dtype, what="cqt")
    ref_back = dsp.icqt(expected, sr=sr, hop_length=16, fmin=800.0, bins_per_octave=3, length=n)
    assert_close(device.get(back), ref_back, dtype, what="icqt")
