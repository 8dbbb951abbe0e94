"""GPU twins of the quantisation, DCT and mel-projection kernels against the CPU kernels and
references (scipy.fft.dct, librosa.filters.mel, loop formulas)."""
import numpy as np
import pytest
import scipy.fft

from tests.tolerances import assert_close


def test_quantize_twins_are_bit_exact(device, dtype):
    from dsp_kernels.cpu import quantize as cpu
    from dsp_kernels.gpu import quantize as gpu

    rng = np.random.default_rng(4)
    a = (rng.standard_normal(device.size(500, 1_000_000)) * 3).astype(dtype)
    a[:4] = [0.25, -0.25, 0.75, -0.0]  # ties and a negative zero
    np.testing.assert_array_equal(device.get(gpu.quantize(device.put(a), 0.5)), cpu.quantize(a, 0.5))
    ints, clips = gpu.to_int(device.put(a), 100.0, -128, 127)
    ref_ints, ref_clips = cpu.to_int(a, 100.0, -128, 127)
    np.testing.assert_array_equal(device.get(ints), ref_ints)
    assert clips == ref_clips > 0
    back = device.get(gpu.from_int(device.put(ref_ints.astype(np.int16)), 0.0, 128.0, dtype))
    np.testing.assert_array_equal(back, cpu.from_int(ref_ints.astype(np.int16), 0.0, 128.0, dtype))


@pytest.mark.parametrize("dct_type", [1, 2, 3])
@pytest.mark.parametrize("norm", ["backward", "ortho"])
def test_dct_matrix_product_matches_scipy(device, dtype, dct_type, norm):
    from dsp._dct import dct_matrix
    from dsp_kernels.gpu import dct as gpu

    rng = np.random.default_rng(5)
    n, inner = 16, device.size(7, 4000)
    x = rng.standard_normal((3, n, inner)).astype(dtype)
    out = device.get(gpu.apply_matrix(device.put(x), dct_matrix(dct_type, n, norm)))
    ref = scipy.fft.dct(x.astype(np.float64), type=dct_type, norm=norm, axis=1)
    assert out.dtype == dtype
    assert_close(out, ref, dtype, what=f"dct{dct_type} {norm}")


def _ranged_csr(fb):
    """The kernels' filterbank format (see kernels/cpu/mel.py), built from a dense matrix."""
    starts, lengths, runs = [], [], []
    for row in fb:
        nz = np.flatnonzero(row)
        lo, hi = (nz[0], nz[-1] + 1) if nz.size else (0, 0)
        starts.append(lo)
        lengths.append(hi - lo)
        runs.append(row[lo:hi])
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return np.array(starts, np.int64), offsets, np.concatenate(runs)


@pytest.mark.parametrize("power", [1.0, 2.0, 1.5])
def test_mel_projection_matches_dense_filterbank(device, dtype, power):
    import librosa

    from dsp_kernels.gpu import mel as gpu

    sr, n_fft, n_mels = 16000, device.size(64, 2048), device.size(10, 128)
    fb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, dtype=np.float64)
    starts, offsets, weights = _ranged_csr(fb)
    rng = np.random.default_rng(6)
    shape = (2, n_fft // 2 + 1, device.size(5, 3000))
    S = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    P = np.abs(S) ** power
    ref = np.einsum("mk,bkt->bmt", fb, P)
    plain = device.get(gpu.mel_project(device.put(P.astype(dtype)), starts, offsets, weights))
    assert_close(plain, ref, dtype, what="mel_project")


@pytest.mark.parametrize("top_db", [None, 80.0, 20.0])
@pytest.mark.parametrize("ref", [1.0, 3.5])
def test_power_to_db_matches_librosa(device, dtype, top_db, ref):
    import librosa

    from dsp_kernels.gpu import db

    rng = np.random.default_rng(7)
    S = (rng.random((2, 9, device.size(11, 5000))) ** 6).astype(dtype)
    S[0, 0, :3] = 0.0  # below amin
    ours = device.get(db.power_to_db(device.put(S), ref=ref, amin=1e-10, top_db=top_db))
    expected = librosa.power_to_db(S.astype(np.float64), ref=ref, amin=1e-10, top_db=top_db)
    assert ours.dtype == dtype
    assert_close(ours, expected, dtype, what="power_to_db")


def test_resampling_twins_match_cpu_kernels(device, dtype):
    """Both resampling paths (rational polyphase, any-ratio interpolated table), on the same
    filter tables as the CPU kernels."""
    from dsp.resampling import _DENSITY, _dense_table, _design, _polyphase_table
    from dsp_kernels.cpu import resample as cpu
    from dsp_kernels.gpu import resample as gpu

    x = np.random.default_rng(8).standard_normal((2, device.size(150, 200_000))).astype(dtype)
    up, down = 3, 4
    n_out = -(-x.shape[1] * up // down)
    table = _polyphase_table(up, down, "high", np.dtype(dtype).str)
    assert_close(device.get(gpu.polyphase(device.put(x), table, up, down, n_out)),
                 cpu.polyphase(x, table, up, down, n_out), dtype, what="polyphase")
    cutoff, num_zeros, _ = _design("high")
    step = 1.37  # an arbitrary ratio
    n_irr = int(x.shape[1] / step)
    args = (_dense_table("high"), _DENSITY, num_zeros, cutoff, step, n_irr, dtype)
    assert_close(device.get(gpu.interpolated(device.put(x), *args)), cpu.interpolated(x, *args),
                 dtype, what="interpolated")
