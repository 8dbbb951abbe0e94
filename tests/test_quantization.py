"""dsp.quantize and friends against loop references, the SQNR law and soundfile's PCM scaling."""
import io
import warnings

import numpy as np
import pytest
import soundfile as sf

import dsp
from dsp import DSPError
from dsp.quantization import ClippingWarning
from naive import naive_quantize, naive_to_pcm

RNG = np.random.default_rng(2)


@pytest.mark.parametrize("step", [1.0, 0.1, 0.37, 2.0 ** -15, 3e5])
def test_quantize_equals_formula_loop(dtype, step):
    a = (RNG.standard_normal(3000) * 4 * step).astype(dtype)
    # exact ties and zeros, both signs
    ties = (np.arange(-6, 7) + 0.5) * step
    a = np.concatenate([a, ties.astype(dtype), np.array([0.0, -0.0], dtype)])
    ours = dsp.quantize(a, step)
    ref = naive_quantize(a, step)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours, ref)


def test_quantize_ties_away_from_zero():
    np.testing.assert_array_equal(dsp.quantize(np.array([0.5, -0.5, 1.5, -1.5, 2.5]), 1.0),
                                  [1.0, -1.0, 2.0, -2.0, 3.0])


def test_quantize_float32_large_ratio_uses_exact_formula():
    # in float32 arithmetic 8388609 + 0.5 rounds to 8388610; the formula says 8388609
    a = np.array([8388609.0], np.float32)
    assert dsp.quantize(a, 1.0)[0] == 8388609.0


def test_quantize_multichannel_noncontiguous_readonly():
    a = RNG.standard_normal((3, 40))[:, ::2]
    a.flags.writeable = False
    np.testing.assert_array_equal(dsp.quantize(a, 0.25), naive_quantize(a, 0.25))
    assert dsp.quantize(np.float64(0.3), 0.25).shape == ()


def test_quantization_error_bounded():
    a = RNG.uniform(-3, 3, 10000)
    e = dsp.quantization_error(a, 0.3)
    assert np.max(np.abs(e)) <= 0.15 + 1e-12
    np.testing.assert_allclose(e, naive_quantize(a, 0.3) - a, atol=1e-15)
    # uniform error: power step^2 / 12
    assert abs(np.mean(e ** 2) / (0.3 ** 2 / 12) - 1) < 0.05


@pytest.mark.parametrize("n_bits", [2, 3, 8, 16, 24, 32])
def test_quantize_bits_levels_and_range(n_bits):
    y = RNG.uniform(-1, 1, 20000)
    yq = dsp.quantize_bits(y, n_bits)
    step = 2.0 ** (1 - n_bits)
    k = yq / step
    np.testing.assert_array_equal(k, np.round(k))
    assert k.min() >= -(2 ** (n_bits - 1)) and k.max() <= 2 ** (n_bits - 1) - 1
    assert np.max(np.abs(yq - y)) <= step  # step/2 except in the saturating top half-step
    inner = y < 1 - step / 2
    np.testing.assert_array_equal(yq[inner], naive_quantize(y[inner], step))


@pytest.mark.parametrize("n_bits", [24, 25, 26, 32])
def test_quantize_bits_float32_stays_below_one(n_bits):
    # 1 - 2**(1 - n_bits) rounds up to 1.0 in float32 from 26 bits on: the top level must not
    y = np.array([1.0, 0.99999997, 5.0, -1.0, -3.0], np.float32)
    yq, n = dsp.quantize_bits(y, n_bits, clip="count")
    assert yq.dtype == np.float32 and n == 3
    assert yq.max() < 1.0 and yq.min() == -1.0
    top = np.float32(1.0 - 2.0 ** (1 - n_bits)) if n_bits <= 25 else np.nextafter(np.float32(1), np.float32(0))
    assert yq[0] == yq[2] == top


@pytest.mark.parametrize("n_bits", [8, 16])
def test_sqnr_law_full_scale_sine(n_bits):
    # Full scale = the largest level, 1 - step, so no sample saturates. The law assumes a
    # uniform, white error; a deterministic sine deviates from that by a few percent of noise
    # power at 8 bits (about 0.1 dB, depending on the frequency), hence 0.2 dB.
    n = 200000
    step = 2.0 ** (1 - n_bits)
    for f in (0.1234567, np.sqrt(2) / 100):
        y = (1 - step) * np.sin(2 * np.pi * f * np.arange(n) + 0.3)
        expected = 6.02 * n_bits + 1.76
        assert abs(dsp.sqnr(y, dsp.quantize_bits(y, n_bits)) - expected) < 0.2


def test_sqnr_axis_and_special_values():
    y = np.stack([np.sin(np.arange(1000) * 0.1), 0.5 * np.sin(np.arange(1000) * 0.1)])
    yq = dsp.quantize_bits(y, 8)
    per = dsp.sqnr(y, yq, axis=-1)
    assert per.shape == (2,) and per[0] > per[1]
    assert dsp.sqnr(y, y) == np.inf
    with pytest.raises(DSPError, match="y_quantized has shape"):
        dsp.sqnr(y, yq[0])


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_to_pcm_matches_loop_and_roundtrips(bits, dtype):
    y = np.concatenate([RNG.uniform(-1, 1, 5000), [-1.0, 0.0, 1 - 2.0 ** -min(bits, 24), 0.5]]).astype(dtype)
    pcm = dsp.to_pcm(y, bits)
    assert pcm.dtype == {8: np.uint8, 16: np.int16, 24: np.int32, 32: np.int32}[bits]
    np.testing.assert_array_equal(pcm.astype(np.int64), naive_to_pcm(y, bits))
    back = dsp.from_pcm(pcm, bits, dtype=np.float64)
    np.testing.assert_array_equal(back, dsp.quantize_bits(y.astype(np.float64), bits))


@pytest.mark.parametrize("subtype, bits, container", [("PCM_U8", 8, None), ("PCM_16", 16, "int16"),
                                                      ("PCM_32", 32, "int32")])
def test_pcm_scaling_matches_soundfile(subtype, bits, container):
    y = dsp.quantize_bits(RNG.uniform(-1, 1, 512), bits)
    buf = io.BytesIO()
    sf.write(buf, y, 8000, subtype=subtype, format="WAV")
    buf.seek(0)
    ref = sf.read(buf, dtype="float64")[0]
    np.testing.assert_array_equal(dsp.from_pcm(dsp.to_pcm(y, bits), dtype=np.float64), ref)
    if container:
        buf.seek(0)
        ints = sf.read(buf, dtype=container)[0]
        np.testing.assert_array_equal(dsp.to_pcm(y, bits), ints)


def test_clipping_is_reported():
    y = np.array([0.0, 1.5, -2.0, 0.999999])
    with pytest.warns(ClippingWarning, match="2 of 4 samples"):
        pcm = dsp.to_pcm(y, 16)
    np.testing.assert_array_equal(pcm, [0, 32767, -32768, 32767])
    pcm, n = dsp.to_pcm(y, 16, clip="count")
    assert n == 2
    with pytest.raises(DSPError, match="2 of 4 samples were outside"):
        dsp.to_pcm(y, 24, clip="raise")
    with pytest.warns(ClippingWarning, match="quantize_bits"):
        dsp.quantize_bits(y, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dsp.to_pcm(np.array([-1.0, 0.9999999]), 16)  # in range: silent
        assert dsp.quantize_bits(y, 8, clip="count")[1] == 2


def _full_scale_edges(dtype):
    """Samples just inside full scale [-1, 1) and just outside it, both signs, in ``dtype``."""
    one = dtype(1.0)
    inside = np.array([np.nextafter(one, dtype(0)), dtype(0.99999), dtype(-1.0),
                       -np.nextafter(one, dtype(0)), dtype(0.0)], dtype)
    outside = np.array([one, np.nextafter(one, dtype(2)), -np.nextafter(one, dtype(2)),
                        dtype(1.5), dtype(-1.5)], dtype)
    return inside, outside


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_to_pcm_counts_clips_by_full_scale_not_by_rounding(bits, dtype):
    # Inside [-1, 1) is never clipped, even where rounding saturates onto the top integer
    # (0.99999 at 16 bits rounds to 32767.67 -> 32768 -> 32767); just outside always is.
    inside, outside = _full_scale_edges(dtype)
    top = dtype(1.0 - 2.0 ** -bits)  # the saturating top half step starts here
    inside = np.append(inside, top) if top < 1 else inside
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pcm = dsp.to_pcm(inside, bits, clip="raise")
    np.testing.assert_array_equal(pcm, naive_to_pcm(inside, bits))
    for v in outside:
        with pytest.raises(DSPError, match="1 of 1 samples were outside"):
            dsp.to_pcm(np.array([v]), bits, clip="raise")
    both = np.concatenate([inside, outside])
    pcm, n = dsp.to_pcm(both, bits, clip="count")
    assert n == outside.size
    np.testing.assert_array_equal(pcm, naive_to_pcm(both, bits))


def test_from_pcm_dtypes():
    assert dsp.from_pcm(np.array([0, 2 ** 23 - 1], np.int32), 24).max() == np.float32((2 ** 23 - 1) / 2 ** 23)
    assert dsp.from_pcm(np.array([-128, 127], np.int8)).tolist() == [-1.0, 127 / 128]
    assert dsp.from_pcm(np.zeros(3, np.int16)).dtype == np.float32


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: dsp.quantize(np.ones(3), 0.0), "step=0.0 must be > 0"),
        (lambda: dsp.quantize(np.ones(3), -1), "step=-1.0 must be > 0"),
        (lambda: dsp.quantize(np.ones(3), np.nan), "step=nan must be finite"),
        (lambda: dsp.quantize(np.array([1.0, np.nan]), 1.0), "NaN or infinity"),
        (lambda: dsp.quantize(np.array([1.0, np.inf]), 1.0), "NaN or infinity"),
        (lambda: dsp.quantize(np.array([1, 2]), 1.0), "integer dtype.*from_pcm"),
        (lambda: dsp.quantize_bits(np.ones(3), 1), "n_bits=1 is too small: need n_bits >= 2"),
        (lambda: dsp.quantize_bits(np.ones(3), 33), "n_bits=33 is too large: need n_bits <= 32"),
        (lambda: dsp.quantize_bits(np.ones(3), 8.0), "n_bits=8.0 must be an integer"),
        (lambda: dsp.quantize_bits(np.ones(3), 8, clip="no"), "clip='no' is not supported"),
        (lambda: dsp.to_pcm(np.ones(3), 1), "bits=1 is too small"),
        (lambda: dsp.to_pcm(np.ones(3), 40), "bits=40 is too large"),
        (lambda: dsp.to_pcm(np.ones(3), 12), "bits=12 has no PCM container"),
        (lambda: dsp.to_pcm(np.array([0.0, np.nan]), 16), "NaN or infinity"),
        (lambda: dsp.from_pcm(np.ones(3)), "need PCM integers"),
        (lambda: dsp.from_pcm(np.ones(3, np.int64)), "need uint8, int8, int16 or int32"),
        (lambda: dsp.from_pcm(np.ones(3, np.int16), 24), r"bits=24 does not fit .*int16"),
        (lambda: dsp.from_pcm(np.array([2 ** 30], np.int32), 24), "outside 24-bit range"),
        (lambda: dsp.from_pcm(np.ones(3, np.int16), dtype=np.int16), "dtype=int16 is not supported"),
        (lambda: dsp.sqnr(np.ones(3), np.array([1.0, np.nan, 1.0])), "y_quantized contains NaN"),
    ],
)
def test_errors(call, match):
    with pytest.raises(DSPError, match=match):
        call()


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50),
       st.floats(1e-6, 1e3))
def test_quantize_properties(values, step):
    a = np.array(values)
    q = dsp.quantize(a, step)
    np.testing.assert_array_equal(dsp.quantize(-a, step), -q)  # odd symmetry
    np.testing.assert_array_equal(dsp.quantize(q, step), q)  # idempotent: levels are fixed points
    assert np.all(np.abs(q - a) <= step / 2 * (1 + 1e-12) + 1e-9 * np.abs(a))
