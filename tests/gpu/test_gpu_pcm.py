"""to_pcm's clip count on the GPU equals the CPU's, also for samples within half a step of full
scale (issue 23: a review found the two counting differently; a full-size run would show it).

The CPU counts a sample as clipped when its scaled value lies outside ``[lo, hi + 1)``: the top
half-step ``[hi + 1/2, hi + 1)`` saturating onto ``hi`` is the quantiser's own rounding, not an
overload, and ``[lo - 1/2, lo)`` rounds onto ``lo`` but lies below full scale.
"""
import numpy as np
import pytest

import dsp


def _edges(dtype, bits=16):
    scale = 2.0 ** (bits - 1)
    lo, hi = -scale, scale - 1
    v = np.array([hi + 0.25, hi + 0.5, hi + 0.75, hi + 1.0, hi + 1.5,  # top: clipped from hi + 1 on
                  lo + 0.25, lo, lo - 0.25, lo - 0.5, lo - 0.75, lo - 1.0,  # bottom: below lo
                  0.0, 0.5, -0.5, 1.5, -1.5])
    return (v / scale).astype(dtype), scale, lo, hi


def test_to_int_clip_count_at_full_scale_edges(device, dtype):
    from dsp_kernels.cpu import quantize as cpu
    from dsp_kernels.gpu import quantize as gpu

    y, scale, lo, hi = _edges(dtype)
    y = y[(y.astype(np.float64) * scale == np.round(y.astype(np.float64) * scale * 4) / 4)]  # exact in dtype
    ref_ints, ref_clips = cpu.to_int(y, scale, lo, hi)
    ints, clips = gpu.to_int(device.put(y), scale, lo, hi)
    np.testing.assert_array_equal(device.get(ints), ref_ints)
    assert clips == ref_clips


def test_to_pcm_on_device_equals_cpu(device, dtype):
    rng = np.random.default_rng(12)
    n = device.size(200, 2_000_000)
    y = rng.uniform(-1.02, 1.02, n).astype(dtype)
    y[:16] = _edges(dtype)[0]
    for bits in (8, 16, 24):
        ref, ref_clips = dsp.to_pcm(y, bits, clip="count")
        with device.context():
            got, clips = dsp.to_pcm(device.put(y), bits, clip="count")
        assert device.is_device_array(got)
        np.testing.assert_array_equal(device.get(got), ref)
        assert clips == ref_clips, f"bits={bits}: {clips} clipped on the device, {ref_clips} on the CPU"


def test_to_pcm_full_scale_edges_on_device(device, dtype):
    """Just inside full scale never counts (0.99999 at 16 bits, where the GPU once counted the
    rounded value), just outside always does: both signs, several bit depths, ``clip='raise'``."""
    t = np.dtype(dtype).type
    one = t(1.0)
    inside = np.array([np.nextafter(one, t(0)), t(0.99999), t(-1.0), -np.nextafter(one, t(0)), t(0.0)], t)
    outside = np.array([one, np.nextafter(one, t(2)), -np.nextafter(one, t(2)), t(1.5), t(-1.5)], t)
    for bits in (8, 16, 24, 32):
        with device.context():
            pcm = dsp.to_pcm(device.put(inside), bits, clip="raise")  # must not raise
            got, clips = dsp.to_pcm(device.put(np.concatenate([inside, outside])), bits, clip="count")
            for v in outside:
                with pytest.raises(dsp.DSPError, match="1 of 1 samples were outside"):
                    dsp.to_pcm(device.put(np.array([v])), bits, clip="raise")
        np.testing.assert_array_equal(device.get(pcm), dsp.to_pcm(inside, bits, clip="raise"))
        assert clips == outside.size, f"bits={bits}: {clips} clipped, {outside.size} outside full scale"
        ref, ref_clips = dsp.to_pcm(np.concatenate([inside, outside]), bits, clip="count")
        np.testing.assert_array_equal(device.get(got), ref)
        assert ref_clips == clips
