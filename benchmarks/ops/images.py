"""Image operations: the Gaussian image pyramid of ``pyramids`` against scikit-image's
``pyramid_gaussian`` (materialised), 4 levels of a square float64 image.

Examples
--------
>>> from benchmarks.ops.images import image_ops
>>> [(op.name, [i.name for i in op.impls]) for op in image_ops()]
[('image_pyramid', ['pyramids', 'skimage'])]
"""
from __future__ import annotations

from .. import data
from ..registry import Impl, Op, peak_relative_error, to_numpy


def image_ops() -> list[Op]:
    levels = 4

    def setup(p):
        return {"img": data.image(p.image)}

    def make_ours(inp):
        import pyramids

        img = inp["img"]
        return lambda: pyramids.ImagePyramid.gaussian(img, levels=levels)

    def make_skimage(inp):
        from skimage.transform import pyramid_gaussian

        img = inp["img"]
        return lambda: list(pyramid_gaussian(img, max_layer=levels - 1, downscale=2, channel_axis=None))

    def view_ours(p):
        return [to_numpy(p[i]) for i in range(len(p))]

    def reference(inp):
        from skimage.transform import pyramid_gaussian

        return list(pyramid_gaussian(inp["img"], max_layer=levels - 1, downscale=2, channel_axis=None))

    def compare(out, ref):
        if len(out) != len(ref):
            raise ValueError(f"{len(out)} levels, the reference has {len(ref)}")
        return max(peak_relative_error(o, r) for o, r in zip(out, ref))

    return [Op(
        "image_pyramid", "image_pyramid", "Gaussian image pyramid, 4 levels, 1024 x 1024 float64",
        setup,
        [Impl("pyramids", make_ours, ours="pyramids:ImagePyramid.gaussian", view=view_ours),
         Impl("skimage", make_skimage, requires=("skimage",), view=list,
              note="skimage.transform.pyramid_gaussian, materialised")],
        reference, "skimage pyramid_gaussian (same levels; smoothing may differ by design)",
        compare=compare, quick=True,
        params=lambda p: {"shape": [p.image, p.image], "levels": levels, "downscale": 2,
                          "dtype": "float64"},
    )]
