"""GPU STFT/ISTFT kernels against librosa (the reference), on small inputs under the simulator."""
import librosa
import numpy as np
import pytest

from tests.tolerances import assert_close


@pytest.mark.parametrize("pad_mode", ["constant", "edge", "reflect", "symmetric", "linear_ramp"])
@pytest.mark.parametrize("center", [True, False])
def test_stft_kernel_matches_librosa(device, dtype, pad_mode, center):
    from dsp_kernels.gpu import spectral

    n_fft, hop = device.size(32, 2048), device.size(8, 512)
    n = device.size(100, 22050 * 3)
    y = np.random.default_rng(2).standard_normal((2, n)).astype(dtype)
    win = librosa.filters.get_window("hann", n_fft, fftbins=True)
    ours = device.get(
        spectral.stft(device.put(y), n_fft=n_fft, hop_length=hop, window=win, center=center, pad_mode=pad_mode)
    )
    ref = librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=hop, center=center, pad_mode=pad_mode)
    assert ours.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    assert_close(ours, ref, dtype, what=f"gpu stft {pad_mode} center={center}")


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("length", [None, "short", "long"])
def test_istft_kernel_matches_librosa(device, dtype, center, length):
    from dsp_kernels.gpu import spectral

    n_fft, hop = device.size(32, 2048), device.size(8, 512)
    n = device.size(120, 22050 * 3)
    y = np.random.default_rng(3).standard_normal((2, n))
    S = librosa.stft(y, n_fft=n_fft, hop_length=hop, center=center).astype(
        np.complex64 if dtype == np.float32 else np.complex128
    )
    L = {None: None, "short": n - 3 * hop // 2, "long": n + 2 * hop}[length]
    win = librosa.filters.get_window("hann", n_fft, fftbins=True)
    ours = device.get(
        spectral.istft(device.put(S), n_fft=n_fft, hop_length=hop, window=win, center=center, length=L)
    )
    ref = librosa.istft(S.astype(np.complex128), n_fft=n_fft, hop_length=hop, center=center, length=L)
    assert ours.dtype == dtype
    assert_close(ours, ref, dtype, what=f"gpu istft center={center} length={length}")


@pytest.mark.parametrize("pad_mode", ["reflect", "symmetric", "empty"])
def test_stft_kernel_keeps_librosas_tail_padding(device, dtype, pad_mode):
    """librosa pads its tail frames from a slice of the signal: with reflect, an even n_fft,
    hop = n_fft / 2 and a length that is a multiple of hop, that changes the last frame."""
    from dsp_kernels.gpu import spectral

    n_fft, hop = device.size(32, 2048), device.size(16, 1024)
    n = hop * device.size(6, 200)
    y = np.random.default_rng(9).standard_normal((1, n)).astype(dtype)
    win = librosa.filters.get_window("hann", n_fft, fftbins=True)
    ours = device.get(
        spectral.stft(device.put(y), n_fft=n_fft, hop_length=hop, window=win, center=True, pad_mode=pad_mode)
    )
    if pad_mode == "empty":  # np.pad leaves those samples undefined; we read zeros, as the CPU
        ref = librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=hop, pad_mode="constant")
    else:
        ref = librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=hop, pad_mode=pad_mode)
    assert_close(ours, ref, dtype, what=f"tail {pad_mode}")
