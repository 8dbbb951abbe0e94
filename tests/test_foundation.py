"""The package's foundation: errors, validation, dispatch, import hygiene, Numba config."""
import subprocess
import sys

import numpy as np
import pytest

import dsp
from dsp import DSPError
from dsp._backend import backend_of, is_cupy_array
from dsp._validation import (
    as_float_array,
    check_axis,
    check_choice,
    check_float,
    check_int,
    complex_dtype,
    flatten_leading,
    real_dtype,
)


def test_dsperror_is_valueerror():
    assert issubclass(DSPError, ValueError)


def test_import_dsp_does_not_import_cupy_or_numba_cuda():
    code = (
        "import sys, dsp, pyramids; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('cupy', 'numba_cuda') "
        "or m.startswith('numba.cuda') or m.startswith('dsp_kernels.gpu')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("dt, expected", [(np.float16, np.float32), (np.float32, np.float32), (np.float64, np.float64)])
def test_float_dtypes_preserved(dt, expected):
    assert as_float_array(np.zeros(4, dt)).dtype == expected


def test_complex_allowed_only_on_request():
    z = np.zeros(3, np.complex64)
    with pytest.raises(DSPError, match="y is complex"):
        as_float_array(z)
    assert as_float_array(z, allow_complex=True).dtype == np.complex64


@pytest.mark.parametrize("dt", [np.int16, np.int32, np.uint8])
def test_integer_audio_refused_with_from_pcm_hint(dt):
    with pytest.raises(DSPError, match="from_pcm"):
        as_float_array(np.zeros(4, dt))


def test_bool_refused():
    with pytest.raises(DSPError, match="boolean"):
        as_float_array(np.zeros(4, bool))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_refused(bad):
    with pytest.raises(DSPError, match="NaN or infinity"):
        as_float_array(np.array([0.0, bad]))
    assert np.isnan(as_float_array(np.array([np.nan]), finite=False)).all()


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("bad", [complex(np.nan, 0), complex(0, np.nan), complex(np.inf, 1),
                                 complex(1, -np.inf)])
def test_non_finite_complex_refused_in_every_layout(dtype, layout, bad):
    # complex values are checked through a real view of a one-block memory (C or F order) and
    # part by part otherwise: each layout, and a bad real or imaginary part, must still refuse
    x = np.ones((3, 5, 8), dtype=dtype)
    x[2, 3, 6] = bad
    x = np.asfortranarray(x) if layout == "F" else x[:, :, ::2] if layout == "strided" else x
    assert layout != "strided" or not (x.flags.c_contiguous or x.flags.f_contiguous)
    with pytest.raises(DSPError, match="NaN or infinity"):
        as_float_array(x, allow_complex=True)
    good = np.ones((3, 5, 8), dtype=dtype)
    good = np.asfortranarray(good) if layout == "F" else good[:, :, ::2] if layout == "strided" else good
    assert as_float_array(good, allow_complex=True).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 4096, (1 << 17) + 3, 3 * (1 << 17)])
def test_compiled_finiteness_kernel_matches_isfinite(dtype, n):
    # dsp_kernels.cpu.finite reads exponent bits (one thread below a chunk, chunks in parallel
    # above): against np.isfinite with a bad value at the edges of the array and of its chunks,
    # and with the extreme finite values (largest, smallest subnormal, negative zero) accepted
    from dsp_kernels.cpu.finite import CHUNK, all_finite

    info = np.finfo(dtype)
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    x[:: max(1, n // 5)] = info.max
    x[n // 2] = -info.max
    x[n // 3] = np.array(info.smallest_subnormal, dtype=dtype)
    x[n // 4] = -0.0
    assert np.isfinite(x).all() and all_finite(x) is True
    for pos in sorted({0, n - 1, n // 2, min(n - 1, CHUNK - 1), min(n - 1, CHUNK)}):
        for bad in (np.nan, np.inf, -np.inf):
            y = x.copy()
            y[pos] = bad
            assert all_finite(y) is False, (pos, bad)


def test_validation_takes_the_compiled_check_once_kernels_are_loaded(monkeypatch):
    # long arrays go to the kernel once a CPU kernel module is loaded (as after any kernel
    # call), in C and F order; the refusal is the same message either way
    import dsp_kernels.config  # noqa: F401  (loaded, as after any kernel call)

    from dsp import _validation

    calls = []
    real = _validation.kernel

    def spy(op, backend="cpu"):
        calls.append(op)
        return real(op, backend)

    monkeypatch.setattr(_validation, "kernel", spy)
    x = np.ones((64, 300), dtype=np.float32)
    assert as_float_array(x) is x
    x[63, 299] = np.nan
    with pytest.raises(DSPError, match="NaN or infinity"):
        as_float_array(x)
    with pytest.raises(DSPError, match="NaN or infinity"):
        as_float_array(np.asfortranarray(x))
    assert calls == ["all_finite"] * 3
    as_float_array(np.ones(100))  # short: NumPy's check
    assert calls == ["all_finite"] * 3


def test_min_ndim_and_ragged():
    with pytest.raises(DSPError, match="dimension"):
        as_float_array(np.float32(1.0))
    with pytest.raises(DSPError, match="converted"):
        as_float_array([[1.0, 2.0], [3.0]])


def test_read_only_and_strided_inputs_accepted():
    x = np.arange(20, dtype=np.float64)[::2]
    x.flags.writeable = False
    out, lead = flatten_leading(as_float_array(x))
    assert out.flags.c_contiguous and lead == ()
    np.testing.assert_array_equal(out[0], x)


def test_flatten_leading_of_one_clip_is_a_view_of_it():
    # the loader's usual call: a contiguous 1-D array comes back as a (1, n) view, read-only
    # when it was; a subclass (a memmap) and a strided clip take the general path
    x = np.arange(8.0)
    x.flags.writeable = False
    out, lead = flatten_leading(x)
    assert out.shape == (1, 8) and lead == () and out.flags.c_contiguous and np.shares_memory(out, x)
    strided, lead = flatten_leading(np.arange(16.0)[::2], axis=0)
    assert strided.flags.c_contiguous and lead == ()
    np.testing.assert_array_equal(strided[0], np.arange(16.0)[::2])
    masked = np.ma.masked_array(np.arange(4.0))
    out, _ = flatten_leading(masked)
    assert out.shape == (1, 4)


def test_flatten_leading_moves_axis():
    x = np.arange(24.0).reshape(2, 3, 4)
    out, lead = flatten_leading(x, axis=1)
    assert out.shape == (8, 3) and lead == (2, 4)
    np.testing.assert_array_equal(out.reshape(lead + (3,)), np.moveaxis(x, 1, -1))


def test_flatten_leading_empty_axes():
    out, lead = flatten_leading(np.zeros((3, 0)))
    assert out.shape == (3, 0) and lead == (3,)
    out, lead = flatten_leading(np.zeros((0, 5)))
    assert out.shape == (0, 5) and lead == (0,)


def test_check_int():
    assert check_int("n", np.int64(3), minimum=1) == 3
    with pytest.raises(DSPError, match=r"n_fft=1 is too small: need n_fft >= 2"):
        check_int("n_fft", 1, minimum=2)
    with pytest.raises(DSPError, match="must be an integer"):
        check_int("n", 2.0)
    with pytest.raises(DSPError, match="must be an integer"):
        check_int("n", True)
    with pytest.raises(DSPError, match="too large"):
        check_int("bits", 33, maximum=32)


def test_check_float():
    assert check_float("sr", 22050, minimum=0, strict_minimum=True) == 22050.0
    with pytest.raises(DSPError, match=r"sr=0.0 must be > 0"):
        check_float("sr", 0, minimum=0, strict_minimum=True)
    with pytest.raises(DSPError, match="finite"):
        check_float("sr", np.nan)
    with pytest.raises(DSPError, match="real number"):
        check_float("sr", "fast")


def test_check_choice_and_axis():
    assert check_choice("mode", "a", ("a", "b")) == "a"
    with pytest.raises(DSPError, match=r"mode='c' is not supported: use one of 'a', 'b'"):
        check_choice("mode", "c", ("a", "b"))
    assert check_axis(-1, 3) == 2
    with pytest.raises(DSPError, match="axis=3 is out of range"):
        check_axis(3, 3)


def test_dtype_maps():
    assert complex_dtype(np.float32) == np.complex64
    assert complex_dtype(np.float64) == np.complex128
    assert real_dtype(np.complex64) == np.float32
    assert real_dtype(np.float64) == np.float64


def test_dispatch_numpy_is_cpu():
    assert not is_cupy_array(np.zeros(2))
    assert backend_of(np.zeros(2), None, [1.0]) == "cpu"


def test_dispatch_refuses_mixed_backends():
    class FakeCupy:  # a stand-in whose type lives in a module named cupy
        pass

    FakeCupy.__module__ = "cupy._core.core"
    assert is_cupy_array(FakeCupy())
    with pytest.raises(DSPError, match="mix NumPy and CuPy"):
        backend_of(np.zeros(2), FakeCupy())


def test_numba_flags_in_one_place():
    from dsp_kernels import config

    assert config.FASTMATH == {"contract", "reassoc", "nsz", "arcp"}
    assert "nnan" not in config.FASTMATH and "ninf" not in config.FASTMATH


def test_public_names_exported():
    for name in dsp.__all__:
        assert hasattr(dsp, name), name


@pytest.mark.parametrize(
    "module",
    [
        "dsp.sampling", "dsp.quantization", "dsp.windows", "dsp._window_families", "dsp.resampling", "dsp._validation",
        "dsp._backend", "dsp.fourier", "dsp.spectral", "dsp._decibel", "dsp.mel", "dsp._mel_filterbank", "dsp._dct",
        "dsp.wavelets", "dsp._wavelet_swt", "dsp._wavelet_filters", "dsp._wavelet_nd", "dsp._wavelet_ndlevels",
        "dsp._wavelet_helpers", "dsp._threshold", "dsp._swtn", "dsp._packets", "dsp._cwt", "dsp._fswavedecn",
        "dsp.constantq", "dsp._cqt_filters", "dsp._icqt", "dsp._chroma_cqt", "dsp._features_signal",
        "dsp._cqt_octaves", "dsp._piptrack_peaks", "dsp.segments", "dsp.transform", "dsp._tempo_fourier",
        "dsp._beat", "dsp._inverse", "dsp._resample_cascade", "dsp_kernels.cpu.istft",
        "dsp_kernels.cpu.fft.radix_orders", "dsp_kernels.cpu.fft.lane_vector",
        "dsp_kernels.cpu.fft.butterflies", "dsp_kernels.cpu.fft.passes_lanes",
    ],
)
def test_docstring_examples_run(module):
    # Every public function's Example is part of its contract: run them as tests.
    import doctest
    import importlib

    mod = importlib.import_module(module)
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
    public = getattr(mod, "__all__", [])
    missing = [name for name in public if ">>>" not in (getattr(mod, name).__doc__ or "")]
    assert not missing, f"public names of {module} without an Example: {missing}"
