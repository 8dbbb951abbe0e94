"""The GPU twin's device functions compiled from the plain-Python rules (dsp_kernels.rules)
equal the CPU twin's compilation of the same functions, value for value."""
import numpy as np
from numba import cuda

from dsp_kernels.shapes import MODES, PAD_MODES


def _kernel():
    from dsp_kernels.gpu.rules import abs_pow, bessel_i0, clamp, extended, mid_tread, pad_value, pcm_clipped

    @cuda.jit
    def kernel(x, n, ks, v, out):
        i = cuda.grid(1)
        if i >= ks.shape[0]:
            return
        k = ks[i]
        for m in range(9):  # every DWT mode id
            out[i, m] = extended(x, n, k, m)
        if k < 0 or k >= n:
            for c in range(5):  # every pad code, ramp width 4
                out[i, 9 + c] = pad_value(x, k, 0, n, c, 4)
        out[i, 14] = mid_tread(v[i], 1.0)
        out[i, 15] = mid_tread(v[i], 0.25)
        out[i, 16] = 1.0 if pcm_clipped(v[i], -8.0, 7.0) else 0.0
        out[i, 17] = clamp(v[i], -8.0, 7.0)
        out[i, 18] = abs_pow(v[i], 0.5, 2.0)
        out[i, 19] = abs_pow(v[i], 0.5, 1.0)
        out[i, 20] = abs_pow(v[i], 0.5, 0.75)
        out[i, 21] = bessel_i0(abs(v[i]))

    return kernel


def _expected(x, n, ks, v):
    from dsp_kernels.cpu import rules as c

    out = np.zeros((ks.size, 22))
    for i, k in enumerate(ks):
        for m in range(9):
            out[i, m] = c.extended(x, n, k, m)
        if k < 0 or k >= n:
            for code in range(5):
                out[i, 9 + code] = c.pad_value(x, k, 0, n, code, 4)
        out[i, 14] = c.mid_tread(v[i], 1.0)
        out[i, 15] = c.mid_tread(v[i], 0.25)
        out[i, 16] = 1.0 if c.pcm_clipped(v[i], -8.0, 7.0) else 0.0
        out[i, 17] = c.clamp(v[i], -8.0, 7.0)
        out[i, 18] = c.abs_pow(v[i], 0.5, 2.0)
        out[i, 19] = c.abs_pow(v[i], 0.5, 1.0)
        out[i, 20] = c.abs_pow(v[i], 0.5, 0.75)
        out[i, 21] = c.bessel_i0(abs(v[i]))
    return out


def test_device_rules_equal_the_cpu_rules(device):
    assert len(MODES) == 9 and max(PAD_MODES.values()) == 4
    x = np.cos(np.arange(5) * 1.3) + 0.25 * np.arange(5)
    ks = np.arange(-13, 19, dtype=np.int64)
    v = np.linspace(-9.5, 9.5, ks.size)
    v[:6] = [-8.5, -8.0, 7.5, 7.99, 8.0, -0.0]  # the clip rule's edges
    out = device.put(np.zeros((ks.size, 22)))
    _kernel()[1, ks.size](device.put(x), 5, device.put(ks), device.put(v), out)
    got = device.get(out)
    ref = _expected(x, 5, ks, v)
    # smooth (3) and antireflect (8) extrapolation, the power and the series have a * b + c
    # shapes that either compiler may fuse into an FMA: those to rounding, the rest exact
    fused = [MODES["smooth"], MODES["antireflect"], 18, 19, 20, 21]
    exact = [c for c in range(22) if c not in fused]
    np.testing.assert_array_equal(got[:, exact], ref[:, exact])
    np.testing.assert_allclose(got[:, fused], ref[:, fused], rtol=1e-14, atol=1e-14)
