"""ImagePyramid: Gaussian levels against scikit-image, Laplacian reconstruction, patch grids
against PyTorch's adaptive pooling, extents as pixel boxes."""
import numpy as np
import pytest

from pyramids import ImagePyramid, Pyramid, PyramidError
from tolerances import RTOL, assert_close

skt = pytest.importorskip("skimage.transform")


def rand_image(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).random(shape).astype(dtype)


# Our reduction is scikit-image's pyramid_reduce written out (same sigma default 2*downscale/6,
# same kernel truncated at 4 sigma, ndimage 'reflect' border for the smoothing, linear
# interpolation at pixel centres with the 'mirror' border for the resize), so the levels agree
# to rounding: float64 to 1e-10, float32 to 1e-5 of the float64 reference.
@pytest.mark.parametrize(
    "shape, channel_axis",
    [((37, 50), None), ((64, 64, 3), -1), ((3, 20, 9), 0), ((1, 7), None), ((5, 3), None)],
)
@pytest.mark.parametrize("downscale", [2, 3, 1.5])
def test_gaussian_matches_skimage(shape, channel_axis, downscale, dtype):
    img = rand_image(shape, dtype)
    p = ImagePyramid.gaussian(img, 3, downscale=downscale, channel_axis=channel_axis)
    ref = list(skt.pyramid_gaussian(img.astype(np.float64), 2, downscale, channel_axis=channel_axis))
    assert len(ref) == len(p) == 3
    for k, r in enumerate(ref):
        if channel_axis is not None:
            r = np.moveaxis(r, channel_axis, -1)  # our levels carry channels last
        assert p[k].shape == r.shape
        assert p[k].dtype == dtype
        assert_close(p[k], r, dtype, what=f"level {k}")


@pytest.mark.parametrize("sigma", [0.0, 0.4, 2.5])
def test_gaussian_sigma_matches_skimage(sigma):
    img = rand_image((30, 41))
    p = ImagePyramid.gaussian(img, 4, sigma=sigma)
    ref = list(skt.pyramid_gaussian(img, 3, sigma=sigma))
    for k in range(4):
        assert_close(p[k], ref[k], np.float64, what=f"level {k}")


def test_gaussian_integer_image_keeps_values():
    img = (rand_image((16, 16)) * 255).astype(np.uint8)
    p = ImagePyramid.gaussian(img, 2)
    ref = list(skt.pyramid_gaussian(img, 1, preserve_range=True))
    assert p[0].dtype == np.float64
    assert_close(p[1], ref[1], np.float64)


def test_gaussian_integer_image_differs_from_skimage_default_by_its_scale():
    # The one documented difference: scikit-image's default (preserve_range=False) rescales a
    # uint8 image to [0, 1]; we keep the values, so our levels are 255 times its levels.
    img = (rand_image((20, 14), seed=3) * 255).astype(np.uint8)
    p = ImagePyramid.gaussian(img, 3)
    for k, r in enumerate(skt.pyramid_gaussian(img, 2)):
        assert_close(p[k] / 255.0, r, np.float64, what=f"level {k}")


def test_gaussian_extents_are_pixel_boxes():
    p = ImagePyramid.gaussian(rand_image((12, 10)), 3)
    assert p.shapes == ((12, 10), (6, 5), (3, 3))
    assert p.names == ("gauss0", "gauss1", "gauss2")
    assert p.units == "pixels"
    np.testing.assert_array_equal(p.level(0).extents[1], [0, 1, 1, 2])
    np.testing.assert_array_equal(p.level(1).extents[6], [2, 2, 4, 4])  # row 1, column 1
    # 10 columns become 3: each covers 10/3 pixels
    np.testing.assert_allclose(p.level(2).extents[-1], [8, 20 / 3, 12, 10])
    for lv in p:  # boxes tile the image exactly
        area = np.prod(lv.extents[:, 2:] - lv.extents[:, :2], axis=1).sum()
        assert area == pytest.approx(120)
    assert p.scales[:2] == pytest.approx((1.0, 2.0), rel=1e-15)


@pytest.mark.parametrize("downscale, sigma", [(2, None), (3, None), (1.5, 0.8), (2, 0.0)])
@pytest.mark.parametrize("shape, channel_axis", [((33, 47), None), ((24, 3, 20), 1)])
def test_laplacian_reconstructs(shape, channel_axis, downscale, sigma):
    img = rand_image(shape)
    p = ImagePyramid.laplacian(img, 4, downscale=downscale, sigma=sigma, channel_axis=channel_axis)
    assert p.names == ("laplace0", "laplace1", "laplace2", "lowpass")
    g = ImagePyramid.gaussian(img, 4, downscale=downscale, sigma=sigma, channel_axis=channel_axis)
    assert p.shapes == g.shapes
    np.testing.assert_array_equal(p[-1], g[-1])  # the top is the Gaussian top
    expected = img if channel_axis is None else np.moveaxis(img, channel_axis, -1)
    rec = p.reconstruct()
    assert rec.shape == expected.shape
    assert np.max(np.abs(rec - expected)) <= 1e-10


def test_laplacian_float32_reconstructs_to_float32_rounding():
    img = rand_image((40, 40), np.float32)
    rec = ImagePyramid.laplacian(img, 3).reconstruct()
    assert rec.dtype == np.float32
    assert_close(rec, img, np.float32)


def test_laplacian_bands_are_band_pass():
    # A constant image has no detail: every band is zero, the low-pass keeps the constant.
    p = ImagePyramid.laplacian(np.full((16, 16), 3.0), 3)
    assert np.abs(p[0]).max() < 1e-12 and np.abs(p[1]).max() < 1e-12
    np.testing.assert_allclose(p[-1], 3.0)


def test_laplacian_first_band_is_burt_adelson():
    img = rand_image((20, 20))
    p = ImagePyramid.laplacian(img, 2)
    g1 = skt.pyramid_reduce(img)
    expand = skt.pyramid_expand(g1)  # resize to 20x20 then smooth: our expand operator
    np.testing.assert_allclose(p[0], img - expand, rtol=0, atol=1e-12)


def test_reconstruct_errors():
    img = rand_image((16, 16))
    with pytest.raises(PyramidError, match="reconstruct\\(\\) needs a Laplacian pyramid"):
        ImagePyramid.gaussian(img, 3).reconstruct()
    with pytest.raises(PyramidError, match="needs every level"):
        ImagePyramid.laplacian(img, 3)[1:].reconstruct()
    with pytest.raises(PyramidError, match="needs every level"):
        ImagePyramid.laplacian(img, 3)[:2].reconstruct()


def test_laplacian_survives_save_load(tmp_path):
    img = rand_image((20, 18, 3))
    p = ImagePyramid.laplacian(img, 3, channel_axis=2)
    p.save(tmp_path / "lap.npz")
    q = Pyramid.load(tmp_path / "lap.npz")
    assert isinstance(q, ImagePyramid)
    assert np.max(np.abs(q.reconstruct() - img)) <= 1e-10


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image=np.ones((4, 4, 3))), "need \\(H, W\\), or pass channel_axis"),
        (dict(image=np.ones((4, 4)), channel_axis=0), "with channel_axis=0 need a 3-D image"),
        (dict(image=np.ones((4, 4, 3)), channel_axis=3), "channel_axis=3 is out of range"),
        (dict(image=np.ones((4, 4, 3)), channel_axis=1.0), "channel_axis=1.0 must be an integer"),
        (dict(image=np.ones((0, 4))), "image is empty"),
        (dict(image=np.array([[1.0, np.nan]])), "image contains NaN"),
        (dict(image=np.ones((4, 4), complex)), "need a real"),
        (dict(image=np.ones((4, 4)), levels=0), "levels=0 is too small"),
        (dict(image=np.ones((4, 4)), downscale=1), "downscale=1.0 must be > 1.0"),
        (dict(image=np.ones((4, 4)), sigma=-1), "sigma=-1.0 must be >= 0.0"),
        (dict(image=np.ones((4, 4)), levels=5), "levels=5 is too many for a 4x4 image .* at most levels=3"),
    ],
)
@pytest.mark.parametrize("builder", ["gaussian", "laplacian"])
def test_image_pyramid_errors(builder, kwargs, match):
    args = dict(levels=2)
    args.update(kwargs)
    with pytest.raises(PyramidError, match=match):
        getattr(ImagePyramid, builder)(**args)


# -- patch grids -------------------------------------------------------------------------------

def test_patches_default_grids_and_boxes():
    feats = rand_image((28, 28, 6), np.float32)
    p = ImagePyramid.patches(feats, patch_size=16)
    assert p.names == ("cell28", "cell14", "cell7")
    assert p.shapes == ((28, 28, 6), (14, 14, 6), (7, 7, 6))
    assert p[1].dtype == np.float32
    np.testing.assert_array_equal(p[0], feats)
    np.testing.assert_allclose(p[1][0, 0], feats[:2, :2].mean(axis=(0, 1)), rtol=1e-6)
    np.testing.assert_allclose(p[2][6, 5], feats[24:, 20:24].mean(axis=(0, 1)), rtol=1e-6)
    np.testing.assert_array_equal(p.level(2).extents[6 * 7 + 5], [384, 320, 448, 384])
    assert p.scales == pytest.approx((16.0, 32.0, 64.0), rel=1e-15)
    assert p.meta["patch_size"] == (16, 16)


def test_patches_without_patch_size_uses_patch_units():
    p = ImagePyramid.patches(rand_image((8, 8, 2)), grids=(8, 4))
    np.testing.assert_array_equal(p.level(1).extents[0], [0, 0, 2, 2])
    assert p.meta["patch_size"] is None


@pytest.mark.parametrize("pooling", ["mean", "max"])
@pytest.mark.parametrize("shape, grids", [((28, 28, 5), (28, 14, 7)), ((24, 20, 3), (10, 7, 3, 1)),
                                          ((9, 12, 4), [(9, 12), (4, 5), (2, 3)])])
def test_patches_match_torch_adaptive_pooling(shape, grids, pooling, dtype):
    torch = pytest.importorskip("torch")
    feats = rand_image(shape, dtype)
    p = ImagePyramid.patches(feats, grids=grids, pooling=pooling)
    pool = torch.nn.functional.adaptive_avg_pool2d if pooling == "mean" else torch.nn.functional.adaptive_max_pool2d
    x = torch.from_numpy(feats.astype(np.float64)).permute(2, 0, 1)[None]
    for k, g in enumerate(grids):
        ref = pool(x, g)[0].permute(1, 2, 0).numpy()
        assert p[k].dtype == dtype
        assert_close(p[k], ref, dtype, what=f"grid {g}")


def test_patches_overlapping_cells_have_overlapping_boxes():
    # 10 patch rows into 3 cells: rows [0, 4), [3, 7), [6, 10) (adaptive pooling)
    p = ImagePyramid.patches(rand_image((10, 10, 1)), grids=(3,), patch_size=(2, 1))
    boxes = p.level(0).extents.reshape(3, 3, 4)
    np.testing.assert_array_equal(boxes[:, 0, 0], [0, 6, 12])
    np.testing.assert_array_equal(boxes[:, 0, 2], [8, 14, 20])
    np.testing.assert_array_equal(boxes[0, :, 1], [0, 3, 6])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(features=np.ones((4, 4))), "need \\(H, W, D\\)"),
        (dict(features=np.ones((4, 4, 2), int)), "need floating-point"),
        (dict(features=np.ones((0, 4, 2))), "features is empty"),
        (dict(features=np.full((2, 2, 2), np.nan), grids=(2,)), "features contains NaN"),
        (dict(features=np.full((2, 2, 2), np.inf), grids=(2,)), "features contains NaN or infinity"),
        (dict(features=np.ones((8, 8, 2)), grids=(4, 8)), "grids must go from fine to coarse"),
        (dict(features=np.ones((8, 8, 2)), grids=(16,)), "larger than the feature map"),
        (dict(features=np.ones((8, 8, 2)), grids=()), "grids is empty"),
        (dict(features=np.ones((8, 8, 2)), grids=(0,)), "grids=0 is too small"),
        (dict(features=np.ones((8, 8, 2)), grids=[(2, 2, 2)]), "must be an int or a \\(rows, cols\\) pair"),
        (dict(features=np.ones((8, 8, 2)), grids=(4,), pooling="median"), "pooling='median' is not supported"),
        (dict(features=np.ones((8, 8, 2)), grids=(4,), patch_size=0), "patch_size=0 is too small"),
    ],
)
def test_patches_errors(kwargs, match):
    with pytest.raises(PyramidError, match=match):
        ImagePyramid.patches(**kwargs)
