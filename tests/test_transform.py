"""dsp.transform.pyramid_reduce against skimage.transform.pyramid_reduce (order 1, 'reflect'),
over shapes (odd, even, smaller than the kernel), downscales, sigmas, channels and dtypes."""
import numpy as np
import pytest

import dsp
from tests.tolerances import assert_close

skt = pytest.importorskip("skimage.transform")


@pytest.mark.parametrize("shape", [(64, 48), (37, 53), (5, 3), (1, 9)])
@pytest.mark.parametrize("downscale", [2, 3, 1.5])
def test_pyramid_reduce_matches_skimage(shape, downscale, dtype):
    img = np.random.default_rng(sum(shape)).random(shape).astype(dtype)
    out = dsp.transform.pyramid_reduce(img, downscale=downscale)
    ref = skt.pyramid_reduce(img.astype(np.float64), downscale=downscale, order=1, mode="reflect",
                             preserve_range=True)
    assert out.dtype == dtype and out.shape == ref.shape
    assert_close(out, ref, dtype, what=f"pyramid_reduce {shape} /{downscale}")


@pytest.mark.parametrize("sigma", [0.0, 0.4, 2.5])
@pytest.mark.parametrize("channel_axis", [0, -1])
def test_sigma_and_channels(sigma, channel_axis):
    img = np.random.default_rng(3).random((3, 40, 31) if channel_axis == 0 else (40, 31, 3))
    out = dsp.transform.pyramid_reduce(img, sigma=sigma, channel_axis=channel_axis)
    ref = skt.pyramid_reduce(img, sigma=sigma, channel_axis=channel_axis, order=1, mode="reflect",
                             preserve_range=True)
    assert out.shape == ref.shape
    assert_close(out, ref, np.float64, what="pyramid_reduce channels")


def test_integer_image_needs_preserve_range():
    img = np.arange(64, dtype=np.uint8).reshape(8, 8)
    with pytest.raises(dsp.DSPError, match="preserve_range=True"):
        dsp.transform.pyramid_reduce(img)
    out = dsp.transform.pyramid_reduce(img, preserve_range=True)
    ref = skt.pyramid_reduce(img, preserve_range=True, order=1, mode="reflect")
    assert_close(out, ref, np.float64, what="integer image")


@pytest.mark.parametrize("kw,match", [
    (dict(downscale=1), "downscale=1.0 must be > 1"),
    (dict(sigma=-1), "sigma"),
    (dict(order=3), "order=3 is not built"),
    (dict(mode="constant"), "mode"),
    (dict(channel_axis=3), "channel_axis=3 is out of range"),
])
def test_bad_parameters(kw, match):
    img = np.zeros((8, 8, 2)) if "channel_axis" in kw else np.zeros((8, 8))
    with pytest.raises(dsp.DSPError, match=match):
        dsp.transform.pyramid_reduce(img, **kw)


@pytest.mark.parametrize("img,match", [
    (np.zeros(8), "need \\(H, W\\)"),
    (np.zeros((0, 4)), "at least one pixel"),
    (np.full((4, 4), np.nan), "NaN or infinity"),
    (np.zeros((4, 4), dtype=complex), "need a real image"),
])
def test_bad_images(img, match):
    with pytest.raises(dsp.DSPError, match=match):
        dsp.transform.pyramid_reduce(img)
