"""pyramids.fusion: early/late/hybrid fusion, the level gate, and the InfoNCE loss with gradients.

Gradients are checked against central finite differences in float64; values against the loop
references in tests/naive.py.
"""
import numpy as np
import pytest

from naive import naive_cross_attention, naive_info_nce
from pyramids import Level, Pyramid, PyramidError
from pyramids import fusion
from tolerances import RTOL, assert_close


def _fd_grad(f, x, eps=1e-6):
    """Central finite-difference gradient of the scalar function f at x (float64)."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        xp_, xm = x.copy(), x.copy()
        xp_[i] += eps
        xm[i] -= eps
        g[i] = (f(xp_) - f(xm)) / (2 * eps)
    return g


# FD with eps=1e-6 in float64 carries ~1e-10/1e-6 truncation + rounding: about 1e-8 of the peak.
FD_RTOL = 1e-6


# ---------------------------------------------------------------------------------- info_nce ---
@pytest.mark.parametrize("normalize", [True, False])
def test_info_nce_matches_loop_reference(normalize):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 5))
    b = rng.standard_normal((6, 5))
    scale = 1.0 if normalize else 0.3
    r = fusion.info_nce(a * scale, b * scale, 0.1, normalize=normalize)
    ref = naive_info_nce(a * scale, b * scale, 0.1, normalize=normalize)
    assert abs(r.loss - ref) <= RTOL[np.dtype(np.float64)] * abs(ref)


def test_info_nce_is_symmetric():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((7, 4)), rng.standard_normal((7, 4))
    ab, ba = fusion.info_nce(a, b), fusion.info_nce(b, a)
    assert ab.loss == pytest.approx(ba.loss, rel=1e-12)
    assert_close(ab.grad_a, ba.grad_b, np.float64)
    assert_close(ab.grad_b, ba.grad_a, np.float64)


def test_info_nce_minimal_for_aligned_pairs():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((8, 16))
    aligned = fusion.info_nce(a, a).loss
    for _ in range(20):
        perm = rng.permutation(8)
        if (perm == np.arange(8)).all():
            continue
        assert aligned < fusion.info_nce(a, a[perm]).loss
    # orthonormal pairs at a low temperature: the loss tends to its lower bound 0
    q = np.linalg.qr(rng.standard_normal((16, 16)))[0][:8]
    assert fusion.info_nce(q, q, temperature=0.01).loss < 1e-30
    # and aligned pairs sit at a stationary point with respect to b's direction when b == a is
    # already the best: moving b towards a mismatched row raises the loss
    base = fusion.info_nce(q, q, 0.5)
    worse = fusion.info_nce(q, q + 0.1 * q[::-1], 0.5)
    assert worse.loss > base.loss


@pytest.mark.parametrize("normalize", [True, False])
def test_info_nce_gradients_match_finite_differences(normalize):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((5, 4)) * (1.0 if normalize else 0.3)
    b = rng.standard_normal((5, 4)) * (1.0 if normalize else 0.3)
    T = 0.2
    r = fusion.info_nce(a, b, T, normalize=normalize)
    ga = _fd_grad(lambda x: fusion.info_nce(x, b, T, normalize=normalize).loss, a)
    gb = _fd_grad(lambda x: fusion.info_nce(a, x, T, normalize=normalize).loss, b)
    assert_close(r.grad_a, ga, np.float64, rtol=FD_RTOL, what="grad_a")
    assert_close(r.grad_b, gb, np.float64, rtol=FD_RTOL, what="grad_b")
    eps = 1e-7
    gT = (fusion.info_nce(a, b, T + eps, normalize=normalize).loss
          - fusion.info_nce(a, b, T - eps, normalize=normalize).loss) / (2 * eps)
    assert r.grad_temperature == pytest.approx(gT, rel=1e-6)


def test_info_nce_gradient_of_normalised_input_is_orthogonal_to_it():
    # the loss does not change when a row is rescaled, so its gradient has no radial part
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    r = fusion.info_nce(a, b)
    assert np.abs((r.grad_a * a).sum(axis=1)).max() < 1e-14
    assert fusion.info_nce(a * 3.0, b).loss == pytest.approx(r.loss, rel=1e-12)


def test_info_nce_float32_stays_float32():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((6, 8)).astype(np.float32)
    b = rng.standard_normal((6, 8)).astype(np.float32)
    r32 = fusion.info_nce(a, b)
    r64 = fusion.info_nce(a.astype(np.float64), b.astype(np.float64))
    assert r32.grad_a.dtype == np.float32 and r32.logits.dtype == np.float32
    assert abs(r32.loss - r64.loss) <= 1e-5 * abs(r64.loss)
    assert_close(r32.grad_a, r64.grad_a, np.float32, rtol=1e-5)


def test_info_nce_patch_grids_are_flattened():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    r = fusion.info_nce(a, b)
    flat = fusion.info_nce(a.reshape(6, 4), b.reshape(6, 4))
    assert r.loss == pytest.approx(flat.loss, rel=1e-12)
    assert r.grad_a.shape == (2, 3, 4)


@pytest.mark.parametrize(
    "a, b, kw, match",
    [
        (np.ones((3, 4)), np.ones((4, 4)), {}, "paired rows"),
        (np.ones((3, 4)), np.ones((3, 4)), {"temperature": 0.0}, "temperature=0.0 must be finite and > 0"),
        (np.ones((3, 4)), np.ones((3, 4)), {"temperature": "hot"}, "temperature='hot' must be a real"),
        (np.zeros((3, 4)), np.ones((3, 4)), {}, "a row 0 has zero norm"),
        (np.full((3, 4), np.nan), np.ones((3, 4)), {}, "a contains NaN"),
        (np.ones((3, 4), complex), np.ones((3, 4)), {}, "a is complex"),
        (np.ones((3, 0)), np.ones((3, 0)), {}, "feature dimension must be >= 1"),
    ],
)
def test_info_nce_bad_input(a, b, kw, match):
    with pytest.raises(PyramidError, match=match):
        fusion.info_nce(a, b, **kw)


# ----------------------------------------------------------------------- hierarchical_info_nce ---
def test_hierarchical_info_nce_is_the_weighted_sum_with_accumulated_gradients():
    rng = np.random.default_rng(7)
    fa = [rng.standard_normal((6, 8)), rng.standard_normal((6, 4)), rng.standard_normal((6, 3))]
    fb = [rng.standard_normal((6, 8)), rng.standard_normal((6, 4))]
    pairs = [(0, 0), (1, 1), (2, 1)]
    h = fusion.hierarchical_info_nce(fa, fb[:1] + [rng.standard_normal((6, 4))], weights=[0.5, 0.3],
                                     pairs=[(0, 0), (1, 1)])
    assert h.loss == pytest.approx(0.5 * h.level_losses[0] + 0.3 * h.level_losses[1])
    assert h.grads_a[2] is None
    with pytest.raises(PyramidError, match="dimension|paired"):
        fusion.hierarchical_info_nce(fa, fb, pairs=pairs)  # (2, 1): 3 vs 4 features
    fb2 = [fb[0], rng.standard_normal((6, 3))]
    h = fusion.hierarchical_info_nce(fa, fb2, weights=[1.0, 2.0], pairs=[(0, 0), (2, 1)], temperature=[0.1, 0.2])
    ref = 1.0 * naive_info_nce(fa[0], fb2[0], 0.1) + 2.0 * naive_info_nce(fa[2], fb2[1], 0.2)
    assert h.loss == pytest.approx(ref, rel=1e-10)
    g = _fd_grad(lambda x: fusion.hierarchical_info_nce([fa[0], fa[1], x], fb2, weights=[1.0, 2.0],
                                                        pairs=[(0, 0), (2, 1)], temperature=[0.1, 0.2]).loss, fa[2])
    assert_close(h.grads_a[2], g, np.float64, rtol=FD_RTOL)
    # a level in two pairs accumulates both gradients
    h2 = fusion.hierarchical_info_nce(fa[:1], fb[:1] * 2, pairs=[(0, 0), (0, 1)], weights=[1, 1])
    one = fusion.info_nce(fa[0], fb[0])
    assert_close(h2.grads_a[0], 2 * one.grad_a, np.float64)


def test_hierarchical_info_nce_defaults():
    rng = np.random.default_rng(8)
    levels = [rng.standard_normal((5, 4)), rng.standard_normal((5, 2))]
    h = fusion.hierarchical_info_nce(levels, levels)
    assert h.pairs == [(0, 0), (1, 1)] and h.weights == [0.5, 0.5]
    with pytest.raises(PyramidError, match="give pairs"):
        fusion.hierarchical_info_nce(levels, levels[:1])
    with pytest.raises(PyramidError, match="out of range"):
        fusion.hierarchical_info_nce(levels, levels, pairs=[(0, 2)])
    with pytest.raises(PyramidError, match="weights has 3 value"):
        fusion.hierarchical_info_nce(levels, levels, weights=[1, 1, 1])


def test_hierarchical_info_nce_on_pyramids_matches_levels():
    rng = np.random.default_rng(9)

    def pyr(n_levels, modality, units):
        lv = []
        for i in range(n_levels):
            w = 2.0 ** i
            lv.append(Level(rng.standard_normal((4, 3)), f"l{i}", [[k * w, (k + 1) * w] for k in range(4)], units))
        return Pyramid(lv, modality)

    a, b = pyr(3, "audio", "seconds"), pyr(3, "text", "chars")
    h = fusion.hierarchical_info_nce(a, b)
    assert h.pairs == [(0, 0), (1, 1), (2, 2)]


# -------------------------------------------------------------------------------------- early ---
def test_early_concatenates_and_broadcasts_globals():
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    b = np.ones((4, 2), np.float32)
    g = np.array([7.0, 8.0], np.float32)
    out = fusion.early(a, b, g)
    assert out.dtype == np.float32 and out.shape == (4, 7)
    np.testing.assert_array_equal(out[:, :3], a)
    np.testing.assert_array_equal(out[:, 5:], np.tile(g, (4, 1)))
    grid = fusion.early(np.ones((2, 2, 3)), np.zeros((2, 2, 1)))
    assert grid.shape == (2, 2, 4)


def test_early_normalize_and_weights():
    a = np.array([[3.0, 4.0]])
    b = np.array([[0.0, 2.0]])
    out = fusion.early([a, b], normalize=True, weights=[2.0, 1.0])
    np.testing.assert_allclose(out, [[1.2, 1.6, 0.0, 1.0]])


@pytest.mark.parametrize(
    "args, kw, match",
    [
        ((np.ones((4, 3)),), {}, "at least 2"),
        ((np.ones((4, 3)), np.ones((5, 3))), {}, "leading shapes"),
        ((np.ones((4, 3)), np.zeros((4, 3))), {"normalize": True}, "zero norm"),
        ((np.ones((4, 3)), np.ones((4, 3))), {"weights": [1.0]}, "weights has 1 value"),
    ],
)
def test_early_bad_input(args, kw, match):
    with pytest.raises(PyramidError, match=match):
        fusion.early(*args, **kw)


# ------------------------------------------------------------------------------ late and gate ---
def test_late_weighted_and_gated():
    s = np.array([[0.9, 0.1, 0.4], [0.3, 0.5, 0.2]])
    np.testing.assert_allclose(fusion.late(s).combined, s.mean(axis=0))
    r = fusion.late(list(s), weights=[3, 1])
    np.testing.assert_allclose(r.combined, 0.75 * s[0] + 0.25 * s[1])
    np.testing.assert_allclose(r.weights, [0.75, 0.25])
    z = np.array([2.0, -1.0])
    g = fusion.late(s, logits=z)
    w = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(g.combined, w @ s)
    np.testing.assert_allclose(g.weights.sum(), 1.0)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"weights": [1, -1]}, "non-negative"),
        ({"weights": [0, 0]}, "sum to 0"),
        ({"weights": [1, 1], "logits": [0, 0]}, "not both"),
    ],
)
def test_late_bad_input(kw, match):
    with pytest.raises(PyramidError, match=match):
        fusion.late(np.ones((2, 3)), **kw)
    with pytest.raises(PyramidError, match="same candidates"):
        fusion.late([np.ones(3), np.ones(4)])


@pytest.mark.parametrize("logit_shape", [(3,), (3, 4), (3, 1, 4)])
def test_level_gate_gradients_match_finite_differences(logit_shape):
    rng = np.random.default_rng(10)
    scores = rng.standard_normal((3, 2, 4))
    z = rng.standard_normal(logit_shape)
    u = rng.standard_normal((2, 4))
    g = fusion.level_gate(scores, z, upstream=u)
    assert g.weights.shape == z.shape
    np.testing.assert_allclose(g.weights.sum(axis=0), 1.0, rtol=1e-14)
    J = lambda zz: float((fusion.level_gate(scores, zz).combined * u).sum())  # noqa: E731
    assert_close(g.grad_logits, _fd_grad(J, z), np.float64, rtol=FD_RTOL, what="grad_logits")
    Js = lambda ss: float((fusion.level_gate(ss, z).combined * u).sum())  # noqa: E731
    assert_close(g.grad_scores, _fd_grad(Js, scores), np.float64, rtol=FD_RTOL, what="grad_scores")


def test_level_gate_default_upstream_is_the_sum():
    scores = np.array([[1.0, 2.0], [3.0, 5.0]])
    g = fusion.level_gate(scores, np.zeros(2))
    # d/dz_0 of sum(0.5 * (s0 + s1)) with w = softmax(z): w0 w1 (s0 - s1) summed
    assert g.grad_logits[0] == pytest.approx(0.25 * ((1 - 3) + (2 - 5)))
    assert g.grad_logits.sum() == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    "scores, logits, kw, match",
    [
        (np.ones((3, 4)), np.zeros(2), {}, "one logit per level"),
        (np.ones((3, 4)), np.zeros((3, 5)), {}, "do not broadcast"),
        (np.ones((3, 4)), np.zeros((3, 2, 4)), {}, "more dimensions"),
        (np.ones((3, 4)), np.zeros(3), {"upstream": np.ones(5)}, "upstream has shape"),
        ([], np.zeros(3), {}, "scores is empty"),
    ],
)
def test_level_gate_bad_input(scores, logits, kw, match):
    with pytest.raises(PyramidError, match=match):
        fusion.level_gate(scores, logits, **kw)


# ------------------------------------------------------------------------ attention and hybrid ---
@pytest.mark.parametrize("n_heads", [1, 2, 4])
def test_cross_attention_matches_loop_reference(n_heads, dtype):
    rng = np.random.default_rng(11)
    q = rng.standard_normal((5, 8)).astype(dtype)
    k = rng.standard_normal((3, 3, 8)).astype(dtype)  # a patch grid
    v = rng.standard_normal((3, 3, 4)).astype(dtype)
    att = fusion.cross_attention(q, k, v, n_heads=n_heads)
    ref_out, ref_w = naive_cross_attention(q, k.reshape(9, 8), v.reshape(9, 4), n_heads)
    assert att.output.dtype == dtype and att.weights.dtype == dtype
    assert att.weights.shape == (n_heads, 5, 9)
    np.testing.assert_allclose(att.weights.sum(axis=-1), 1.0, rtol=10 * RTOL[np.dtype(dtype)])
    assert_close(att.weights, ref_w, dtype, rtol=10 * RTOL[np.dtype(dtype)])
    assert_close(att.output, ref_out, dtype, rtol=10 * RTOL[np.dtype(dtype)])


def test_cross_attention_projections_mask_and_single_query():
    rng = np.random.default_rng(12)
    q = rng.standard_normal(6)  # one query vector
    k = rng.standard_normal((7, 10))
    wq, wk = rng.standard_normal((6, 4)), rng.standard_normal((10, 4))
    wv, wo = rng.standard_normal((10, 4)), rng.standard_normal((4, 3))
    att = fusion.cross_attention(q, k, w_q=wq, w_k=wk, w_v=wv, w_o=wo, n_heads=2)
    ref_out, ref_w = naive_cross_attention((q @ wq)[None], k @ wk, k @ wv, 2)
    assert att.output.shape == (3,)
    assert_close(att.output, (ref_out @ wo)[0], np.float64, rtol=1e-10)
    assert_close(att.weights, ref_w, np.float64, rtol=1e-10)
    mask = np.zeros((1, 7), bool)
    mask[0, [1, 4]] = True
    m = fusion.cross_attention(q, k, w_q=wq, w_k=wk, mask=mask)
    assert np.all(m.weights[0, 0, ~mask[0]] == 0)
    np.testing.assert_allclose(m.weights.sum(), 1.0)


@pytest.mark.parametrize(
    "q, k, kw, match",
    [
        (np.ones((2, 4)), np.ones((3, 5)), {}, "give projections"),
        (np.ones((2, 4)), np.ones((3, 4)), {"n_heads": 3}, "n_heads=3 must divide"),
        (np.ones((2, 4)), np.ones((3, 4)), {"n_heads": 0}, "n_heads=0 is too small"),
        (np.ones((2, 4)), np.ones((3, 4)), {"value": np.ones((2, 4))}, "one value per key"),
        (np.ones((2, 4)), np.ones((3, 4)), {"mask": np.zeros((2, 3), bool)}, "no key to attend"),
        (np.ones((2, 4)), np.ones((3, 4)), {"mask": np.ones((3, 2), bool)}, r"need \(n_query, n_key\)"),
        (np.ones((2, 4)), np.ones((3, 4)), {"mask": np.ones((2, 3))}, "boolean"),
        (np.ones((2, 4)), np.ones((3, 4)), {"w_q": np.ones((5, 4))}, "w_q has shape"),
    ],
)
def test_cross_attention_bad_input(q, k, kw, match):
    value = kw.pop("value", None)
    with pytest.raises(PyramidError, match=match):
        fusion.cross_attention(q, k, value, **kw)


def test_hybrid_attends_at_matched_levels():
    rng = np.random.default_rng(13)
    text = [rng.standard_normal((12, 8)), rng.standard_normal((3, 8)), rng.standard_normal((1, 8))]
    image = [rng.standard_normal((4, 4, 8)), rng.standard_normal((2, 2, 8)), rng.standard_normal((1, 1, 8))]
    levels = fusion.hybrid(text, image, n_heads=2)
    assert [h.pair for h in levels] == [(0, 0), (1, 1), (2, 2)]
    for h, t in zip(levels, text):
        assert h.output.shape == t.shape
        np.testing.assert_allclose(h.weights.sum(axis=-1), 1.0, rtol=1e-12)
    res = fusion.hybrid(text, image, pairs=[(2, 0)], residual=True)
    att = fusion.cross_attention(text[2], image[0])
    np.testing.assert_allclose(res[0].output, att.output + text[2])
    with pytest.raises(PyramidError, match="unknown keyword"):
        fusion.hybrid(text, image, w_x=np.ones((8, 8)))
    with pytest.raises(PyramidError, match="residual=True needs"):
        fusion.hybrid(text, image, residual=True, w_v=np.ones((8, 4)))


def test_mixing_numpy_and_other_arrays_is_caught():
    with pytest.raises(PyramidError, match="need a Pyramid or a list"):
        fusion.hybrid(np.ones((3, 4)), [np.ones((3, 4))])


def test_hybrid_on_pyramids_uses_matched_levels():
    rng = np.random.default_rng(14)
    spans = lambda n, w: [[k * w, (k + 1) * w] for k in range(n)]  # noqa: E731
    text = Pyramid([Level(rng.standard_normal((n, 8)), name, spans(n, w), "chars") for name, n, w in
                    (("token", 20, 5), ("sentence", 4, 25), ("paragraph", 2, 50), ("document", 1, 100))], "text")

    def grid(g):
        c = 32 / g
        boxes = [[y * c, x * c, (y + 1) * c, (x + 1) * c] for y in range(g) for x in range(g)]
        return Level(rng.standard_normal((g, g, 8)), f"cell{g}", boxes, "pixels")

    image = Pyramid([grid(4), grid(2), grid(1)], "image")
    out = fusion.hybrid(text, image, n_heads=4)
    assert [h.pair for h in out] == [(0, 0), (1, 1), (3, 2)]
    assert [h.weights.shape for h in out] == [(4, 20, 16), (4, 4, 4), (4, 1, 1)]
    np.testing.assert_allclose(out[2].weights, 1.0)


def test_audio_windows_attend_only_to_their_video_frames():
    from pyramids import align

    rng = np.random.default_rng(15)
    win = Level(rng.standard_normal((4, 6)), "window", [[0, .5], [.5, 1], [1, 1.5], [1.5, 2]], "seconds")
    audio = Pyramid([win], "audio")
    t = np.arange(48) / 24.0  # 2 s of video at 24 fps
    frames = rng.standard_normal((48, 6))
    mask = align.align_in_time(audio, t)[0].mask()
    att = fusion.cross_attention(audio[0], frames, mask=mask, n_heads=2)
    assert np.all(att.weights[:, ~mask] == 0)
    np.testing.assert_allclose(att.weights.sum(axis=-1), 1.0, rtol=1e-12)
    # each window's output is a convex combination of its own 12 frames only
    ref = fusion.cross_attention(audio[0][1], frames[12:24], n_heads=2)
    np.testing.assert_allclose(att.output[1], ref.output, rtol=1e-12)


@pytest.mark.parametrize("module", ["pyramids.fusion", "pyramids.attention", "pyramids.contrastive"])  # pyramids.align's modules: tests/test_align.py
def test_docstring_examples_run(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 10
