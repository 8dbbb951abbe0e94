"""pyramids.ImagePyramid.wavelet: bands equal PyWavelets' wavedec2, reconstruct() exact."""
import numpy as np
import pytest

from pyramids import ImagePyramid
from pyramids.core import PyramidError

pywt = pytest.importorskip("pywt")


@pytest.mark.filterwarnings("ignore:Level value")
@pytest.mark.parametrize("mode", ["periodization", "symmetric"])
def test_bands_equal_pywavelets_and_reconstruct_exact(mode):
    rng = np.random.default_rng(0)
    img = rng.random((37, 50, 3))
    p = ImagePyramid.wavelet(img, "db3", levels=3, mode=mode, channel_axis=-1)
    assert p.names == ("wavelet1", "wavelet2", "wavelet3")
    ref = pywt.wavedec2(img, "db3", mode, level=3, axes=(0, 1))
    assert np.max(np.abs(p[-1][..., 0] - ref[0])) <= 1e-10
    for k in range(3):
        for b in range(3):
            assert np.max(np.abs(p[k][..., b + 1] - ref[3 - k][b])) <= 1e-10
    assert np.max(np.abs(p.reconstruct() - img)) <= 1e-10
    assert p.level(0).meta["bands"] == ("cA", "cH", "cV", "cD")
    g = ImagePyramid.wavelet(img[..., 0].astype(np.float32), "haar")
    assert g[0].dtype == np.float32 and len(g) == 5
    assert np.max(np.abs(g.reconstruct() - img[..., 0])) <= 1e-5


def test_errors():
    with pytest.raises(PyramidError):
        ImagePyramid.wavelet(np.ones((8, 8)), "morl")
    with pytest.raises(PyramidError):
        ImagePyramid.wavelet(np.ones((8, 8)), "db1", levels=0)
    with pytest.raises(PyramidError):
        ImagePyramid.wavelet(np.ones((8, 8)), "db1", mode="nope")
