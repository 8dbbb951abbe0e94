"""dsp.resample: loop reference, scipy.signal.resample_poly with the same filter, analytic tones,
measured filter response, librosa's length convention and parity on band-limited content."""
import math

import librosa
import numpy as np
import pytest
import scipy.signal
import scipy.special

import dsp
from dsp import DSPError
from dsp.resampling import _DENSITY, _dense_table, _design, _polyphase_table
from naive import naive_kaiser_sinc_resample
from tolerances import RTOL, assert_close

RNG = np.random.default_rng(4)


def _err_db(ours, ref):
    return 10 * np.log10(np.sum((ours - ref) ** 2) / np.sum(ref ** 2))


def _tones(sr, n, freqs, amps, phases):
    t = np.arange(n) / sr
    return (amps[:, None] * np.cos(2 * np.pi * freqs[:, None] * t + phases[:, None])).sum(0)


@pytest.mark.parametrize("orig, target", [(44100, 16000), (16000, 44100), (3, 2), (2, 3), (48000, 44100),
                                          (6, 1)])
@pytest.mark.parametrize("quality", ["high", "fast"])
def test_rational_matches_loop_reference(orig, target, quality):
    x = RNG.standard_normal(120)
    ours = dsp.resample(x, orig_sr=orig, target_sr=target, quality=quality)
    cutoff, num_zeros, beta = _design(quality)
    ref = naive_kaiser_sinc_resample(x, orig, target, len(ours), cutoff, num_zeros, beta)
    assert_close(ours, ref, np.float64)


@pytest.mark.parametrize("orig, target", [(1000, 1234.5), (22050, 22050 * 1.0001), (44100.5, 16000),
                                          (44100, 44101)])
def test_arbitrary_ratio_matches_loop_reference(orig, target):
    # Any-ratio resampling reads the filter from a table (4096 points per zero crossing) by
    # linear interpolation: its documented error is below -120 dB (1e-6 of the peak). Integer
    # rates whose polyphase table would be too large (44100 -> 44101: 44101 phases) take it too.
    x = RNG.standard_normal(100)
    ours = dsp.resample(x, orig_sr=orig, target_sr=target)
    cutoff, num_zeros, beta = _design("high")
    ref = naive_kaiser_sinc_resample(x, orig, target, len(ours), cutoff, num_zeros, beta)
    assert_close(ours, ref, np.float64, rtol=1e-6)


def _prototype(up, down, quality):
    """Our filter sampled at the up-sampled rate, built independently with scipy.special.i0."""
    cutoff, num_zeros, beta = _design(quality)
    rc = cutoff * min(1.0, up / down)
    k_max = math.floor(up * num_zeros / rc)
    u = rc * np.arange(-k_max, k_max + 1) / up
    r = np.clip(1 - (u / num_zeros) ** 2, 0, None)
    w = np.where(np.abs(u) < num_zeros, scipy.special.i0(beta * np.sqrt(r)) / scipy.special.i0(beta), 0)
    return rc * np.sinc(u) * w


@pytest.mark.parametrize("orig, target", [(44100, 16000), (16000, 22050), (48000, 44100), (5, 7)])
def test_rational_matches_scipy_resample_poly_with_same_filter(orig, target):
    g = math.gcd(orig, target)
    up, down = target // g, orig // g
    x = RNG.standard_normal((2, 3000))
    ref = scipy.signal.resample_poly(x, up, down, axis=-1, window=_prototype(up, down, "high") / up)
    ours = dsp.resample(x, orig_sr=orig, target_sr=target)
    assert ours.shape == ref.shape
    assert_close(ours, ref, np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("quality", ["high", "hq", "fast"])
@pytest.mark.parametrize("n", [50_001, 64_001, 200_000])
def test_long_two_to_one_by_fast_convolution_matches_resample_poly(dtype, quality, n):
    # a 2:1 long enough for dsp._resample_halving (checked below) runs the polyphase filter by
    # fast convolution, in blocks of the length its cost model picks (512 to 4096 samples here:
    # dsp._resample_halving.block_size): scipy's direct polyphase sum with the same
    # filter is the reference
    from dsp._resample_halving import pays

    assert pays((n + 1) // 2, quality, dtype)
    x = RNG.standard_normal((2, n)).astype(dtype)
    ref = scipy.signal.resample_poly(x.astype(np.float64), 1, 2, axis=-1,
                                     window=_prototype(1, 2, quality))
    ours = dsp.resample(x, orig_sr=44100, target_sr=22050, quality=quality)
    assert ours.shape == ref.shape and ours.dtype == dtype
    assert_close(ours, ref, dtype)
    scaled = dsp.resample(x, orig_sr=44100, target_sr=22050, quality=quality, scale=True)
    assert_close(scaled, ref * np.sqrt(2.0), dtype)


@pytest.mark.parametrize("orig, n", [(44100, 60000), (22050, 60001), (22050, 2205 * 8 + 3)])
def test_rational_many_work_items_and_ragged_last_group(orig, n):
    # long enough for several of the kernel's work items (8 periods of the ratio each), with a
    # last item whose period count is no multiple of its 8-output groups (that group moves back
    # and recomputes) and ends whose windows reach past the signal (zero margins)
    g = math.gcd(orig, 16000)
    up, down = 16000 // g, orig // g
    x = RNG.standard_normal((2, n))
    ref = scipy.signal.resample_poly(x, up, down, axis=-1, window=_prototype(up, down, "high") / up)
    ours = dsp.resample(x, orig_sr=orig, target_sr=16000)
    assert ours.shape == ref.shape
    assert_close(ours, ref, np.float64)


@pytest.mark.parametrize("quality, f_top, tol_db", [("high", 0.9, -100), ("fast", 0.8, -75)])
def test_tones_below_new_nyquist_match_analytic(quality, f_top, tol_db):
    orig, target, n = 44100, 16000, 44100
    freqs = np.concatenate([RNG.uniform(50, f_top * 8000, 11), [f_top * 8000]])
    amps, phases = RNG.uniform(0.2, 1, 12), RNG.uniform(0, 2 * np.pi, 12)
    y = dsp.resample(_tones(orig, n, freqs, amps, phases), orig_sr=orig, target_sr=target, quality=quality)
    ref = _tones(target, len(y), freqs, amps, phases)
    inner = slice(1000, -1000)  # the filter's reach is < 200 output samples; the ends see zeros
    err = _err_db(y[inner], ref[inner])
    assert err < -60 and err < tol_db, err


@pytest.mark.parametrize("quality", ["high", "fast"])
def test_12khz_tone_is_removed_going_to_16k(quality):
    x = np.cos(2 * np.pi * 12000 * np.arange(44100) / 44100)
    y = dsp.resample(x, orig_sr=44100, target_sr=16000, quality=quality)
    leak = 10 * np.log10(np.mean(y[1000:-1000] ** 2) / np.mean(x ** 2))
    assert leak < -80, leak


@pytest.mark.parametrize("quality, passband_dev, stopband_db", [("high", 1e-5, -100), ("fast", 1e-4, -80)])
def test_measured_filter_response(quality, passband_dev, stopband_db):
    # Continuous frequency response of h(u) (u in zero crossings; the sinc's band edge is at 0.5
    # cycles per zero crossing, i.e. at `cutoff` of the lower Nyquist), by a dense cosine sum.
    cutoff, num_zeros, _ = _design(quality)
    step = 8
    h = _dense_table(quality)[: num_zeros * _DENSITY + 1 : step]
    du = step / _DENSITY
    u = np.arange(h.shape[0]) * du
    weights = np.full(h.shape[0], 2.0)
    weights[0] = 1.0

    def response(f_nyq):  # f as a fraction of the lower Nyquist
        f = 0.5 * np.asarray(f_nyq) / cutoff
        return np.array([np.sum(weights * h * np.cos(2 * np.pi * fi * u)) * du for fi in f])

    passband = {"high": 0.90, "fast": 0.80}[quality]
    dev = np.max(np.abs(response(np.linspace(0, passband, 200)) - 1))
    stop = 20 * np.log10(np.max(np.abs(response(np.linspace(1.0, 3.0, 400)))))
    assert dev < passband_dev, dev
    assert stop < stopband_db, stop


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 4411])
@pytest.mark.parametrize("orig, target", [(44100, 16000), (16000, 44100), (22050, 8000), (8000, 22050), (1000, 1234.5)])
def test_output_length_is_librosas(n, orig, target):
    ours = dsp.resample(np.ones(n), orig_sr=orig, target_sr=target)
    ref = librosa.resample(np.ones(n), orig_sr=orig, target_sr=target, res_type="soxr_hq")
    assert ours.shape == ref.shape == (int(np.ceil(n * target / orig)),)


def test_agrees_with_librosa_soxr_on_band_limited_content():
    freqs, amps, phases = RNG.uniform(50, 6800, 10), RNG.uniform(0.2, 1, 10), RNG.uniform(0, 6, 10)
    x = _tones(22050, 22050, freqs, amps, phases)[None].repeat(2, 0)
    ours = dsp.resample(x, orig_sr=22050, target_sr=16000)
    ref = librosa.resample(x, orig_sr=22050, target_sr=16000, res_type="soxr_hq")
    assert _err_db(ours[:, 500:-500], ref[:, 500:-500]) < -60  # soxr_hq's own error is about -70 dB


def test_multichannel_axis_dtype_and_layout(dtype):
    x = RNG.standard_normal((2, 3, 2205)).astype(dtype)
    ours = dsp.resample(x, orig_sr=22050, target_sr=16000)
    assert ours.shape == (2, 3, 1600) and ours.dtype == dtype
    np.testing.assert_array_equal(ours[1, 2], dsp.resample(x[1, 2], orig_sr=22050, target_sr=16000))
    xt = np.ascontiguousarray(np.moveaxis(x, -1, 1))  # (2, 2205, 3)
    xt.flags.writeable = False
    np.testing.assert_array_equal(dsp.resample(xt, orig_sr=22050, target_sr=16000, axis=1),
                                  np.moveaxis(ours, -1, 1))
    strided = dsp.resample(x[:, :, ::2], orig_sr=22050, target_sr=16000)
    np.testing.assert_array_equal(strided, dsp.resample(np.ascontiguousarray(x[:, :, ::2]),
                                                        orig_sr=22050, target_sr=16000))


@pytest.mark.parametrize("orig, target", [(44100, 16000), (44100, 16000.5), (6, 1)])
def test_float32_close_to_float64(orig, target):
    x = RNG.standard_normal((2, 5000)).astype(np.float32)
    ours = dsp.resample(x, orig_sr=orig, target_sr=target)
    ref = dsp.resample(x.astype(np.float64), orig_sr=orig, target_sr=target)
    assert ours.dtype == np.float32
    assert_close(ours, ref, np.float32)


def test_equal_rates_copy_and_scale():
    x = RNG.standard_normal(100)
    same = dsp.resample(x, orig_sr=8000, target_sr=8000.0)
    np.testing.assert_array_equal(same, x)
    assert same is not x
    ours = dsp.resample(x, orig_sr=16000, target_sr=8000, scale=True)
    assert_close(ours * np.sqrt(0.5), dsp.resample(x, orig_sr=16000, target_sr=8000), np.float64)


def test_polyphase_table_cached_and_read_only():
    a = _polyphase_table(160, 441, "high", "<f8")
    assert a is _polyphase_table(160, 441, "high", "<f8") and not a.flags.writeable
    assert a.shape[0] == 160


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(orig_sr=0, target_sr=16000), "orig_sr=0.0 must be a finite number > 0"),
        (dict(orig_sr=-8000, target_sr=16000), "orig_sr=-8000.0 must be"),
        (dict(orig_sr=8000, target_sr=np.nan), "target_sr=nan must be"),
        (dict(orig_sr=8000, target_sr=np.inf), "target_sr=inf must be"),
        (dict(orig_sr="8k", target_sr=16000), "orig_sr='8k' must be a positive number"),
        (dict(orig_sr=True, target_sr=16000), "orig_sr=True must be a positive number"),
        (dict(orig_sr=8000, target_sr=16000, quality="ultra"), "quality='ultra' is not supported"),
        (dict(orig_sr=8000, target_sr=16000, axis=2), "axis=2 is out of range"),
        (dict(orig_sr=8000, target_sr=16000, scale="yes"), "scale='yes' must be True or False"),
        (dict(orig_sr=1e-300, target_sr=1e300), "would give inf samples from 10"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(DSPError, match=match):
        dsp.resample(np.ones(10), **kwargs)


@pytest.mark.parametrize(
    "y, match",
    [
        (np.ones(0), "y has 0 samples along axis=0"),
        (np.ones((2, 0)), "y has 0 samples along axis=1"),
        (np.array([0.0, np.nan]), "NaN or infinity"),
        (np.array([0.0, np.inf]), "NaN or infinity"),
        (np.arange(10), "integer dtype.*from_pcm"),
        (np.ones(4, np.complex64), "complex"),
        (np.float64(1.0), "dimension"),
    ],
)
def test_bad_input(y, match):
    with pytest.raises(DSPError, match=match):
        dsp.resample(y, orig_sr=8000, target_sr=16000)


def test_round_trip_preserves_band_limited_signal():
    # 16 kHz -> 44.1 kHz -> 16 kHz: content below 90 % of 8 kHz comes back unchanged
    freqs, amps, phases = RNG.uniform(50, 7000, 15), RNG.uniform(0.2, 1, 15), RNG.uniform(0, 6, 15)
    x = _tones(16000, 16000, freqs, amps, phases)
    up = dsp.resample(x, orig_sr=16000, target_sr=44100)
    back = dsp.resample(up, orig_sr=44100, target_sr=16000)
    assert back.shape == x.shape
    assert _err_db(back[500:-500], x[500:-500]) < -95


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [16_000, 16_001, 9_999, 48_000])
def test_clip_two_to_one_matches_resample_poly_and_refuses_nan(dtype, n):
    # one clip at 16 -> 8 kHz: the route bound to its length (dsp._resample_halving.bound_halve)
    # checks finiteness in the kernel's own pass over the clip; the result is scipy's direct
    # polyphase sum with the same filter, and NaN or infinity anywhere is refused as before
    from dsp.resampling import _route

    y = RNG.standard_normal(n).astype(dtype)
    assert _route(16000.0, 8000.0, "high", False, n, np.dtype(dtype).str).checks_finite
    ref = scipy.signal.resample_poly(y.astype(np.float64), 1, 2, window=_prototype(1, 2, "high"))
    for _ in range(2):  # the second call runs on the kept scratch
        ours = dsp.resample(y, orig_sr=16000, target_sr=8000)
        assert ours.shape == ref.shape and ours.dtype == dtype
        assert_close(ours, ref, dtype)
    for where in (0, n // 3, n - 1):
        bad = y.copy()
        bad[where] = np.nan if where else np.inf
        with pytest.raises(DSPError, match="y contains NaN or infinity"):
            dsp.resample(bad, orig_sr=16000, target_sr=8000)
