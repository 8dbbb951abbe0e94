"""GPU FFT backends against numpy.fft (the reference), in the input's precision."""
import numpy as np
import pytest

from tests.tolerances import assert_close

SIZES_SIM = [1, 2, 3, 4, 5, 8, 12, 16, 17, 30, 64]
SIZES_FULL = SIZES_SIM + [400, 1000, 2048, 4099, 8192]


@pytest.fixture(params=["own", "cufft"])
def fft_backend(request, device):
    from dsp_kernels.gpu import fft as gfft

    if request.param == "cufft" and device.simulator:
        pytest.skip("cuFFT is not available under the CUDA simulator")
    previous = gfft.set_backend(request.param)
    yield gfft
    gfft.set_backend(previous)


def _sizes(device):
    return device.size(SIZES_SIM, SIZES_FULL)


def test_complex_fft_and_inverse(fft_backend, device, dtype):
    rng = np.random.default_rng(0)
    for n in _sizes(device):
        x = (rng.standard_normal((3, n)) + 1j * rng.standard_normal((3, n))).astype(
            np.complex64 if dtype == np.float32 else np.complex128
        )
        X = device.get(fft_backend.fft(device.put(x), False, 1.0))
        assert X.dtype == x.dtype
        assert_close(X, np.fft.fft(x.astype(np.complex128)), dtype, what=f"fft n={n}")
        back = device.get(fft_backend.fft(device.put(X), True, 1.0 / n))
        assert_close(back, x, dtype, what=f"ifft n={n}")


def test_real_fft_and_inverse(fft_backend, device, dtype):
    rng = np.random.default_rng(1)
    for n in _sizes(device):
        x = rng.standard_normal((2, n)).astype(dtype)
        X = device.get(fft_backend.rfft(device.put(x), 1.0))
        assert X.shape == (2, n // 2 + 1)
        assert_close(X, np.fft.rfft(x.astype(np.float64)), dtype, what=f"rfft n={n}")
        y = device.get(fft_backend.irfft(device.put(X), n, 1.0 / n))
        assert y.dtype == dtype
        assert_close(y, x, dtype, what=f"irfft n={n}")


def test_set_backend_refuses_unknown():
    from dsp_kernels.gpu import fft as gfft

    with pytest.raises(ValueError, match="backend='fftw'"):
        gfft.set_backend("fftw")
