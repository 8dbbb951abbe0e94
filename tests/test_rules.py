"""The scalar rules both twins compile (dsp_kernels.rules) and the layering of the kernel package.

The rules are checked three ways: the plain Python against references (np.pad, PyWavelets'
extension through a one-level transform, SciPy's I0), and the CPU-compiled functions against
the plain Python, value for value (the GPU twin's are checked under tests/gpu/test_gpu_rules.py).
"""
import ast
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.special

from dsp_kernels import rules
from dsp_kernels.cpu import rules as cpu_rules
from dsp_kernels.shapes import MODES, PAD_MODES

KERNELS = Path(__file__).resolve().parents[1] / "kernels"


def test_extended_matches_numpy_pad_for_the_modes_np_pad_has():
    # np.pad's names for PyWavelets' modes (zero, constant, symmetric, periodic, reflect)
    pads = {"zero": dict(mode="constant"), "constant": dict(mode="edge"),
            "symmetric": dict(mode="symmetric"), "periodic": dict(mode="wrap"),
            "reflect": dict(mode="reflect")}
    for n in (1, 2, 5):
        x = np.arange(1.0, n + 1.0) ** 2
        for name, kw in pads.items():
            if name == "reflect" and n == 1:
                continue  # np.pad cannot reflect one sample; the rule repeats it
            w = 3 * n + 4
            ref = np.pad(x, w, **kw)
            got = [rules.extended(x, n, k, MODES[name]) for k in range(-w, n + w)]
            np.testing.assert_array_equal(got, ref, err_msg=f"{name}, n={n}")


@pytest.mark.parametrize("mode", sorted(MODES))
def test_extended_compiled_equals_plain(mode):
    # smooth and antireflect extrapolate with a * b + c, which the CPU's fastmath 'contract'
    # (and CUDA) may fuse into one FMA: equal to rounding there, exactly equal elsewhere
    rel = 1e-14 if mode in ("smooth", "antireflect") else 0.0
    for n in (1, 2, 3, 6):
        x = np.cos(np.arange(n) * 1.3) + 0.25 * np.arange(n)
        for k in range(-4 * n - 5, 5 * n + 5):
            got = cpu_rules.extended(x, n, k, MODES[mode])
            assert got == pytest.approx(rules.extended(x, n, k, MODES[mode]), rel=rel, abs=rel)


@pytest.mark.parametrize("pad_mode", ["constant", "edge", "linear_ramp", "reflect", "symmetric"])
def test_pad_value_matches_numpy_pad(pad_mode):
    from dsp_kernels.config import jit

    @jit
    def compiled_pad_value(y, i, lo, hi, mode, ramp):  # the subroutine, as the kernels compile it
        return cpu_rules.pad_value(y, i, lo, hi, mode, ramp)

    for n in (1, 2, 7):
        if pad_mode == "reflect" and n == 1:
            continue
        y = np.sin(np.arange(n) + 0.5) + 2.0
        w = 2 * n + 3
        ref = np.pad(y, w, mode=pad_mode)
        code = PAD_MODES[pad_mode]
        for i in list(range(-w, 0)) + list(range(n, n + w)):
            plain = rules.pad_value(y, i, 0, n, code, w)
            assert plain == compiled_pad_value(y, i, 0, n, code, w)
            assert plain == pytest.approx(ref[i + w], rel=1e-15, abs=1e-15), (pad_mode, n, i)


def test_mid_tread_and_clip_rules():
    v = np.array([-2.5, -1.5, -0.5, -0.0, 0.0, 0.49999999999999994, 0.5, 1.5, 2.5, 1e300, -1e300,
                  np.inf, -np.inf, 32767.5, 32767.999])
    for step in (1.0, 0.25, 2.0 ** -15):
        plain = np.array([rules.mid_tread(a, step) for a in v])
        compiled = np.array([cpu_rules.mid_tread(a, step) for a in v])
        np.testing.assert_array_equal(compiled, plain)
        np.testing.assert_array_equal(np.signbit(compiled), np.signbit(plain))  # -0 stays -0
    assert [rules.mid_tread(a, 1.0) for a in (-2.5, -0.5, 0.5, 2.5)] == [-3.0, -1.0, 1.0, 3.0]
    assert math.isnan(cpu_rules.mid_tread(np.nan, 1.0))
    lo, hi = -32768.0, 32767.0
    for v, clipped in ((32767.5, False), (32767.999, False), (32768.0, True), (-32768.0, False),
                       (-32768.25, True), (1e300, True)):
        assert rules.pcm_clipped(v, lo, hi) is clipped
        assert cpu_rules.pcm_clipped(v, lo, hi) is clipped
        assert cpu_rules.clamp(cpu_rules.mid_tread(v, 1.0), lo, hi) == min(max(rules.mid_tread(v, 1.0), lo), hi)


def test_abs_pow_and_bessel_i0():
    for re, im in ((3.0, -4.0), (0.0, 0.0), (1e-3, 2.0)):
        for p in (1.0, 2.0, 0.5, 3.0):
            assert cpu_rules.abs_pow(re, im, p) == rules.abs_pow(re, im, p)
            assert rules.abs_pow(re, im, p) == pytest.approx(abs(complex(re, im)) ** p, rel=1e-15)
    x = np.array([0.0, 1e-3, 0.5, 1.0, 8.6, 14.769656459379492, 50.0, 300.0, 700.0])
    got = np.array([cpu_rules.bessel_i0(a) for a in x])
    np.testing.assert_array_equal(got, [rules.bessel_i0(a) for a in x])
    np.testing.assert_allclose(got, scipy.special.i0(x), rtol=1e-14)


def test_symmetric_index_is_numpy_pad_symmetric():
    # np.pad 'symmetric' (d c b a | a b c d | d c b a), repeated past the signal's own length
    for n in (1, 2, 3, 7):
        x = np.arange(n)
        w = 3 * n + 5
        ref = np.pad(x, w, mode="symmetric")
        plain = [rules.symmetric_index(k, n) for k in range(-w, n + w)]
        compiled = [cpu_rules.symmetric_index(k, n) for k in range(-w, n + w)]
        np.testing.assert_array_equal(plain, ref, err_msg=f"n={n}")
        np.testing.assert_array_equal(compiled, ref, err_msg=f"compiled, n={n}")
