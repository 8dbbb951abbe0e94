"""Our FFT (the kernels/cpu/fft/ package) through dsp.fft/ifft/rfft/irfft, against numpy.fft (issue 3).

float32 results are compared with numpy run in float64 on the same float32 input, so the bound
(tests/tolerances.py) covers our rounding only.
"""
import numba
import numpy as np
import pytest

import dsp
from dsp_kernels.config import pjit
from dsp_kernels.cpu.fft import alloc_work, rfft_into
from dsp import DSPError
from tests.tolerances import RTOL, assert_close, peak_relative_error

C = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}
AWKWARD = [4096, 4099, 8192, 44100, 65537, 2 * 3 * 5 * 7 * 11]


def _signals(n, dtype, rows=2, seed=0):
    rng = np.random.default_rng(seed + n)
    x = rng.standard_normal((rows, n)).astype(dtype)
    z = (rng.standard_normal((rows, n)) + 1j * rng.standard_normal((rows, n))).astype(C[dtype])
    return x, z


def _worst_over(sizes, dtype):
    """Peak-relative error of every transform for each n; returns the failures."""
    tol = RTOL[dtype]
    bad = []
    for n in sizes:
        x, z = _signals(n, dtype)
        z64 = z.astype(np.complex128)
        X = np.fft.rfft(x.astype(np.float64))
        checks = {
            "fft": (dsp.fft(z), np.fft.fft(z64)),
            "ifft": (dsp.ifft(z), np.fft.ifft(z64)),
            "rfft": (dsp.rfft(x), X),
            "irfft": (dsp.irfft(X.astype(C[dtype]), n=n), np.fft.irfft(X, n=n)),
        }
        for name, (ours, ref) in checks.items():
            err = peak_relative_error(ours, ref)
            if not err <= tol:
                bad.append((name, n, err))
    return bad


def test_every_n_up_to_1024(dtype):
    assert _worst_over(range(1, 1025), dtype) == []


def test_large_and_awkward_sizes(dtype):
    assert _worst_over(AWKWARD, dtype) == []


@pytest.mark.parametrize("n", [1, 2, 9, 64, 77, 400, 2048, 2 * 3 * 5 * 7 * 11, 2 * 4099, 1031])
def test_batches_take_the_blocked_and_parallel_paths(n, dtype):
    """Many rows go through the blocked (16 float32 or 8 float64 rows at once) and parallel
    kernels: same results."""
    rows = 37 if n < 1000 else 18  # full blocks of 16 and a partial one
    x, z = _signals(n, dtype, rows=rows, seed=11)
    assert_close(dsp.rfft(x), np.fft.rfft(x.astype(np.float64)), dtype)
    X = np.fft.rfft(x.astype(np.float64))
    assert_close(dsp.irfft(X.astype(C[dtype]), n=n), np.fft.irfft(X, n=n), dtype)
    assert_close(dsp.fft(z), np.fft.fft(z.astype(np.complex128)), dtype)
    # rows computed alone (single-transform path) agree with the batch
    assert_close(dsp.rfft(x[5]), dsp.rfft(x)[5].astype(np.complex128), dtype)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16, 60, 97])
def test_against_the_loop_definition(n):
    from tests.naive import naive_dft

    x, z = _signals(n, np.dtype(np.float64), rows=1)
    assert_close(dsp.fft(z[0]), naive_dft(z[0]), np.float64)
    assert_close(dsp.ifft(z[0]), naive_dft(z[0], inverse=True), np.float64)
    assert_close(dsp.rfft(x[0]), naive_dft(x[0])[: n // 2 + 1], np.float64)


def test_dtypes_are_kept(dtype):
    x, z = _signals(12, dtype)
    assert dsp.fft(x).dtype == C[dtype]
    assert dsp.fft(z).dtype == C[dtype]
    assert dsp.ifft(x).dtype == C[dtype]
    assert dsp.rfft(x).dtype == C[dtype]
    assert dsp.irfft(dsp.rfft(x)).dtype == dtype
    assert dsp.irfft(x).dtype == dtype  # real input read as a real spectrum
    assert dsp.fft(x.astype(np.float16)).dtype == np.complex64


@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
@pytest.mark.parametrize("n", [None, 6, 13, 40])
def test_norm_n_and_axis_follow_numpy(norm, n):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 20, 4))
    z = x + 1j * rng.standard_normal(x.shape)
    for axis in (0, 1, -1):
        kw = dict(n=n, axis=axis, norm=norm)
        for ours, ref, a in (
            (dsp.fft, np.fft.fft, z),
            (dsp.ifft, np.fft.ifft, z),
            (dsp.rfft, np.fft.rfft, x),
            (dsp.irfft, np.fft.irfft, z),
        ):
            got, want = ours(a, **kw), ref(a, **kw)
            assert got.shape == want.shape, (ours.__name__, axis)
            assert_close(got, want, np.float64, what=f"{ours.__name__} axis={axis}")


def test_roundtrips(dtype):
    x, z = _signals(1000, dtype, rows=3)
    for n in (1000, 999):
        assert_close(dsp.irfft(dsp.rfft(x, n=n), n=n), x[:, :n], dtype)
    assert_close(dsp.ifft(dsp.fft(z)), z, dtype)
    assert_close(dsp.irfft(dsp.rfft(x, norm="ortho"), n=1000, norm="ortho"), x, dtype)


@pytest.mark.parametrize("n", [64, 243, 1001, 4099])
def test_parseval(n, dtype):
    x, z = _signals(n, dtype, rows=1)
    Z = dsp.fft(z, norm="ortho")
    e_time = np.sum(np.abs(z.astype(np.complex128)) ** 2)
    e_freq = np.sum(np.abs(Z.astype(np.complex128)) ** 2)
    assert abs(e_freq - e_time) / e_time <= RTOL[dtype]
    # real transform: the half spectrum, the inner bins counted twice
    X = dsp.rfft(x[0]).astype(np.complex128)
    w = np.full(X.shape, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    e_half = np.sum(w * np.abs(X) ** 2) / n
    e_real = np.sum(x[0].astype(np.float64) ** 2)
    assert abs(e_half - e_real) / e_real <= RTOL[dtype]


@pytest.mark.parametrize("n", [30, 512, 1031])
def test_linearity(n, dtype):
    x, z = _signals(n, dtype, rows=2)
    a, b = 0.75, -2.5
    lin = (a * x[0] + b * x[1]).astype(dtype)
    ref = a * dsp.rfft(x[0]).astype(np.complex128) + b * dsp.rfft(x[1]).astype(np.complex128)
    assert_close(dsp.rfft(lin), ref, dtype)
    zl = (a * z[0] + b * z[1]).astype(C[dtype])
    ref = a * dsp.fft(z[0]).astype(np.complex128) + b * dsp.fft(z[1]).astype(np.complex128)
    assert_close(dsp.fft(zl), ref, dtype)


def test_batch_equals_rows_and_odd_layouts():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 50)).astype(np.float32)
    batch = dsp.rfft(x)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(batch[i, j], dsp.rfft(x[i, j]))
    strided = x[:, :, ::2]  # non-contiguous
    np.testing.assert_array_equal(dsp.rfft(strided), dsp.rfft(np.ascontiguousarray(strided)))
    ro = x.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(dsp.rfft(ro), batch)
    np.testing.assert_array_equal(dsp.fft(x.tolist()), dsp.fft(x.astype(np.float64)))  # lists work


def test_irfft_ignores_imaginary_dc_and_nyquist():
    X = np.fft.rfft(np.random.default_rng(2).standard_normal(16))
    Y = X.copy()
    Y[0] += 3j
    Y[-1] -= 2j
    assert_close(dsp.irfft(Y), np.fft.irfft(Y), np.float64)
    assert_close(dsp.irfft(Y, n=15), np.fft.irfft(Y, n=15), np.float64)
    # the same through the blocked inverse (8 float64 rows at a time), with a partial block
    Z = np.fft.rfft(np.random.default_rng(3).standard_normal((19, 16)))
    Z[:, 0] += 3j
    Z[:, -1] -= 2j
    assert_close(dsp.irfft(Z), np.fft.irfft(Z), np.float64)
    assert_close(dsp.irfft(Z, n=15), np.fft.irfft(Z, n=15), np.float64)


def test_empty_batch():
    assert dsp.rfft(np.zeros((0, 8))).shape == (0, 5)
    assert dsp.fft(np.zeros((3, 0, 4)), axis=-1).shape == (3, 0, 4)


@pjit
def _frames_rfft(plan, frames, out, n_blocks):
    """The documented pattern (module level, so Numba caches it)."""
    n_frames = frames.shape[0]
    n_blocks = min(n_frames, n_blocks)
    for b in numba.prange(n_blocks):
        work = alloc_work(plan)
        for t in range(b * n_frames // n_blocks, (b + 1) * n_frames // n_blocks):
            rfft_into(plan, frames[t], out[t], work)


def test_njit_api_inside_a_parallel_kernel():
    """The contract of kernels/cpu/fft/transforms.py's docstring: plan + per-block scratch in a prange loop."""
    from dsp_kernels.cpu.fft import get_fft_plan, get_rfft_plan, make_work, fft_into, irfft_into

    frames = np.random.default_rng(4).standard_normal((9, 400)).astype(np.float32)
    out = np.empty((9, 201), np.complex64)
    plan = get_rfft_plan(400, np.float32)
    _frames_rfft(plan, frames, out, 4 * numba.get_num_threads())
    assert_close(out, np.fft.rfft(frames.astype(np.float64)), np.float32)
    back = np.empty(400, np.float32)
    irfft_into(plan, out[3], back, make_work(plan))
    assert_close(back, frames[3], np.float32)
    cplan = get_fft_plan(30, np.complex128)
    z = np.arange(30) + 1j
    Z = np.empty(30, np.complex128)
    fft_into(cplan, z, Z, make_work(cplan), False)
    assert_close(Z, np.fft.fft(z), np.float64)
    fft_into(cplan, Z, z, make_work(cplan), True)
    assert_close(z, np.arange(30) + 1j, np.float64)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: dsp.fft(np.ones(4), n=0), r"n=0 is too small"),
        (lambda: dsp.rfft(np.ones(4), n=-3), r"n=-3 is too small"),
        (lambda: dsp.ifft(np.ones(4), n=2.0), r"n=2.0 must be an integer"),
        (lambda: dsp.irfft(np.ones(1)), r"n=0 \(the default 2 \* \(m - 1\) for m=1"),
        (lambda: dsp.fft(np.ones((2, 0))), r"Invalid number of FFT data points \(0\).*a has 0 values along axis"),
        (lambda: dsp.fft(np.ones(4), norm="unit"), r"norm='unit' is not supported"),
        (lambda: dsp.rfft(np.ones((2, 3)), axis=2), r"axis=2 is out of range"),
        (lambda: dsp.fft(np.array([1.0, np.nan])), r"NaN or infinity"),
        (lambda: dsp.irfft(np.array([1.0, np.inf * 1j])), r"NaN or infinity"),
        (lambda: dsp.rfft(np.ones(4) + 1j), r"is complex"),
        (lambda: dsp.fft(np.float64(1.0)), r"0 dimension"),
    ],
)
def test_errors(call, match):
    with pytest.raises(DSPError, match=match):
        call()


# ---- round-trip accuracy at awkward sizes (numpy.fft's test_identity_long_short, every n) ------


def _pad_or_crop(a, n):
    out = np.zeros(a.shape[:-1] + (n,), a.dtype)
    k = min(n, a.shape[-1])
    out[..., :k] = a[..., :k]
    return out


def test_round_trip_within_numpys_identity_bound_every_n_up_to_2048(dtype):
    """ifft(fft(x, n), n) and irfft(rfft(x, n), n) return x to 5 ulp (absolute, data in [0, 1)),
    numpy.fft's own bound in test_identity_long_short, for every n up to 2048 and 24 seeded
    signals (batched rows: blocked rfft path; single rows, n <= 256 and every fifth n: the
    one-transform path).

    Before the accurate tables and the paired generic butterfly this reached 6.4 ulp at n = 17
    (float64; direct prime radices 13-31) and 5.8 ulp at n = 1094 (Bluestein); numpy's pocketfft
    itself reaches 11.9 ulp on this data at n = 1990, so the bound is ours, not inherited.
    """
    atol = 5 * np.finfo(dtype).eps
    rng = np.random.default_rng(2026)
    rows = 24
    x = (rng.random((rows, 16)) + 1j * rng.random((rows, 16))).astype(C[np.dtype(dtype)])
    xr = rng.random((rows, 16)).astype(dtype)
    bad = []
    for n in range(1, 2049):
        want, want_r = _pad_or_crop(x, n), _pad_or_crop(xr, n)
        checks = {
            "complex": (dsp.ifft(dsp.fft(x, n=n), n=n), want),
            "real": (dsp.irfft(dsp.rfft(xr, n=n), n=n), want_r),
        }
        if n <= 256 or n % 5 == 0:  # the single-transform path (same passes and tables)
            checks["real, one row"] = (dsp.irfft(dsp.rfft(xr[0], n=n), n=n), want_r[0])
        for what, (got, ref) in checks.items():
            err = float(np.max(np.abs(got - ref)))
            if not err <= atol:
                bad.append((what, n, round(err / np.finfo(dtype).eps, 2)))
    assert bad == [], f"round trips beyond 5 ulp (what, n, ulp): {bad[:20]}"


def test_plan_tables_are_correctly_rounded():
    """Twiddles, roots and chirps (kernels/cpu/fft/plans.py _sincos_2pi) against mpmath: correctly
    rounded up to near-ties (the old float64 np.cos(-2 pi q / N) erred by up to 5 ulp of 1),
    exact where the value is exact, and conjugate-symmetric bit for bit."""
    mp = pytest.importorskip("mpmath")
    from dsp_kernels.cpu.fft import _sincos_2pi

    mp.mp.prec = 120
    for N in (7, 13, 17, 31, 64, 400, 1024, 2 * 547, 4099):
        q = np.arange(-N, 2 * N)
        c, s = _sincos_2pi(q, N, np.float64)
        exact_c = [mp.cospi(mp.mpf(2 * int(v)) / N) for v in q]
        exact_s = [mp.sinpi(mp.mpf(2 * int(v)) / N) for v in q]
        ref_c = np.array([float(v) for v in exact_c])
        ref_s = np.array([float(v) for v in exact_s])
        for got, exact in ((c, exact_c), (s, exact_s)):
            # the error against the exact value, in ulps of the result: half an ulp, plus the
            # long double evaluation's 2^-11 ulp for the rare near-ties (one here, at N = 4099)
            err = np.array([float(abs(mp.mpf(float(g)) - e)) for g, e in zip(got, exact)])
            assert np.all(err <= (0.5 + 2.0**-10) * np.spacing(np.abs(got)) + 1e-300), N
        np.testing.assert_array_equal(c[N:2 * N], c[N:2 * N][::-1][np.r_[N - 1, 0:N - 1]])
        np.testing.assert_array_equal(s[N + 1:2 * N], -s[N + 1:2 * N][::-1])
        c32, s32 = _sincos_2pi(q, N, np.float32)
        assert c32.dtype == np.float32
        assert np.all(np.abs(c32 - ref_c) <= 0.5 * np.spacing(np.abs(ref_c).astype(np.float32)) + 1e-30)
        assert np.all(np.abs(s32 - ref_s) <= 0.5 * np.spacing(np.abs(ref_s).astype(np.float32)) + 1e-30)
    c, s = _sincos_2pi(np.arange(8), 8, np.float64)
    np.testing.assert_array_equal(c[[0, 2, 4, 6]], [1, 0, -1, 0])
    assert c[1] == s[1] == -c[3] == np.sqrt(0.5)


@pytest.mark.parametrize("n", [7, 49, 343, 11, 13, 17, 19, 23, 29, 31, 2 * 17, 7 * 31, 31 * 31])
def test_generic_radix_against_the_exact_dft(n):
    """Prime butterflies (radix 7 in registers, passes_odd._pass7; 11..31 by the generic direct
    sums): forward error against an mpmath DFT of the same float64 input, at most 2 ulp of the
    spectrum's peak (measured: 0.28 to 0.92)."""
    mp = pytest.importorskip("mpmath")
    mp.mp.prec = 100
    rng = np.random.default_rng(n)
    z = rng.random(n) + 1j * rng.random(n)
    zs = [mp.mpc(float(v.real), float(v.imag)) for v in z]
    ref = np.array([complex(mp.fsum(zs[j] * mp.expjpi(-2 * mp.mpf((j * k) % n) / n) for j in range(n)))
                    for k in range(n)]) if n <= 300 else None
    if ref is None:  # 961: the exact reference is slow; compare with a long double loop instead
        j = np.arange(n)
        ph = -2 * ((np.outer(j, j) % n).astype(np.longdouble)) / n * (4 * np.arctan(np.longdouble(1)))
        ref = ((np.cos(ph) + 1j * np.sin(ph)) @ z.astype(np.clongdouble)).astype(np.complex128)
    err = np.max(np.abs(dsp.fft(z) - ref)) / (np.finfo(np.float64).eps * np.max(np.abs(ref)))
    assert err <= 2, err
