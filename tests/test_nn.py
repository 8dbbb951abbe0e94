"""Torch modules (issue 22): values and autograd gradients equal pyramids.fusion's NumPy results
and analytic gradients; the FILIP max-similarity loss against a NumPy loop and finite differences."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed")

from pyramids import PyramidError, fusion  # noqa: E402
from pyramids import nn as pnn  # noqa: E402

RTOL = 1e-10


def _t(x, grad=True):
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


def test_info_nce_loss_and_gradients_equal_the_analytic_ones():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    ref = fusion.info_nce(a, b, 0.1)
    loss_fn = pnn.InfoNCELoss(0.1, learnable=True)
    ta, tb = _t(a), _t(b)
    loss = loss_fn(ta, tb)
    loss.backward()
    assert loss.item() == pytest.approx(ref.loss, rel=RTOL)
    np.testing.assert_allclose(ta.grad.numpy(), ref.grad_a, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), ref.grad_b, rtol=1e-9, atol=1e-12)
    # the temperature: d loss / d log(1/T) = -T d loss / d T
    assert float(loss_fn.logit_scale.grad) == pytest.approx(-0.1 * ref.grad_temperature, rel=1e-9)
    # a batch is the mean of its items
    batch = pnn.info_nce(_t(np.stack([a, b])), _t(np.stack([b, a])), 0.1)
    assert batch.item() == pytest.approx(0.5 * (ref.loss + fusion.info_nce(b, a, 0.1).loss), rel=RTOL)


def test_hierarchical_info_nce_gradients():
    rng = np.random.default_rng(1)
    la = [rng.standard_normal((4, 3)), rng.standard_normal((4, 6))]
    lb = [rng.standard_normal((4, 3)), rng.standard_normal((4, 6))]
    ref = fusion.hierarchical_info_nce(la, lb, weights=[0.7, 0.3], pairs=[(0, 0), (1, 1)], temperature=0.2)
    ta, tb = [_t(x) for x in la], [_t(x) for x in lb]
    loss = pnn.HierarchicalInfoNCELoss([(0, 0), (1, 1)], [0.7, 0.3], 0.2)(ta, tb)
    loss.backward()
    assert loss.item() == pytest.approx(ref.loss, rel=RTOL)
    for t, g in zip(ta + tb, ref.grads_a + ref.grads_b):
        np.testing.assert_allclose(t.grad.numpy(), g, rtol=1e-9, atol=1e-12)


def test_level_gate_gradients():
    rng = np.random.default_rng(2)
    scores, logits, up = rng.standard_normal((3, 5)), rng.standard_normal(3), rng.standard_normal(5)
    ref = fusion.level_gate(scores, logits, upstream=up)
    gate = pnn.LevelGate(3)
    with torch.no_grad():
        gate.logits.copy_(torch.tensor(logits))
    s = _t(scores)
    out = gate(s)
    (out * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.combined, rtol=RTOL)
    np.testing.assert_allclose(gate.logits.grad.numpy(), ref.grad_logits, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(s.grad.numpy(), ref.grad_scores, rtol=1e-9, atol=1e-12)
    with pytest.raises(PyramidError, match="scores has 2 levels"):
        gate(s[:2])


def test_cross_attention_equals_the_numpy_one_and_batches():
    rng = np.random.default_rng(3)
    q, k = rng.standard_normal((5, 6)), rng.standard_normal((4, 4, 8))
    att = pnn.CrossAttention(6, 8, d_model=8, n_heads=2, d_out=3, dtype=torch.float64)
    W = {n: getattr(att, n).detach().numpy() for n in ("w_q", "w_k", "w_v", "w_o")}
    ref = fusion.cross_attention(q, k, n_heads=2, **W)
    out, w = att(_t(q, False), _t(k.reshape(16, 8), False))
    np.testing.assert_allclose(out.detach().numpy(), ref.output, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), ref.weights, rtol=1e-10, atol=1e-12)
    # a batch of 3 is three single calls; a mask as in fusion.cross_attention
    qb, kb = _t(rng.standard_normal((3, 5, 6)), False), _t(rng.standard_normal((3, 16, 8)), False)
    ob, _ = att(qb, kb)
    for i in range(3):
        np.testing.assert_allclose(ob[i].detach().numpy(), att(qb[i], kb[i])[0].detach().numpy(), rtol=1e-12)
    mask = rng.random((5, 16)) < 0.5
    mask[:, 0] = True
    ref_m = fusion.cross_attention(q, k, n_heads=2, mask=mask, **W)
    np.testing.assert_allclose(att(_t(q, False), _t(k.reshape(16, 8), False), mask=torch.tensor(mask))[0].detach().numpy(),
                               ref_m.output, rtol=1e-10, atol=1e-12)
    # gradients by autograd against finite differences
    assert torch.autograd.gradcheck(lambda x: att(x, _t(k.reshape(16, 8), False))[0], (_t(q),))


def test_hybrid_fusion_levels():
    rng = np.random.default_rng(4)
    levels_q = [_t(rng.standard_normal((7, 4)), False), _t(rng.standard_normal((2, 4)), False)]
    levels_k = [_t(rng.standard_normal((16, 6)), False), _t(rng.standard_normal((4, 6)), False)]
    hf = pnn.HybridFusion([(0, 0), (1, 1)], [(4, 6), (4, 6)], d_model=4, n_heads=2, dtype=torch.float64)
    outs = hf(levels_q, levels_k)
    assert [tuple(o.shape) for o in outs] == [(7, 4), (2, 4)]


def _maxsim_numpy(a, b):
    def unit(x):
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    a, b = unit(a), unit(b)
    S = np.zeros((len(a), len(b)))
    for i in range(len(a)):
        for j in range(len(b)):
            c = a[i] @ b[j].T
            S[i, j] = 0.5 * (c.max(axis=1).mean() + c.max(axis=0).mean())
    return S


def test_maxsim_loss_needs_no_element_pairs():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((4, 3, 8)), rng.standard_normal((4, 7, 8))   # 3 tokens vs 7 patches
    S = _maxsim_numpy(a, b) / 0.1
    lse_r = np.log(np.exp(S).sum(1))
    lse_c = np.log(np.exp(S).sum(0))
    ref = 0.5 * ((lse_r - np.diag(S)).mean() + (lse_c - np.diag(S)).mean())
    ta = _t(a)
    loss = pnn.MaxSimLoss(0.1)(ta, _t(b, False))
    assert loss.item() == pytest.approx(ref, rel=1e-10)
    loss.backward()
    # finite differences of the NumPy reference (max is piecewise smooth: a random point is smooth)
    eps, num = 1e-6, np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        hi, lo = a.copy(), a.copy()
        hi[idx] += eps
        lo[idx] -= eps
        f = []
        for x in (hi, lo):
            Sx = _maxsim_numpy(x, b) / 0.1
            f.append(0.5 * ((np.log(np.exp(Sx).sum(1)) - np.diag(Sx)).mean()
                            + (np.log(np.exp(Sx).sum(0)) - np.diag(Sx)).mean()))
        num[idx] = (f[0] - f[1]) / (2 * eps)
    np.testing.assert_allclose(ta.grad.numpy(), num, rtol=1e-5, atol=1e-7)
    # padding masks: a padded token changes nothing
    pad = np.concatenate([a, rng.standard_normal((4, 2, 8))], axis=1)
    mask = torch.tensor(np.r_[[True] * 3, [False] * 2])[None].repeat(4, 1)
    masked = pnn.MaxSimLoss(0.1)(_t(pad, False), _t(b, False), mask_a=mask)
    assert masked.item() == pytest.approx(ref, rel=1e-10)
    with pytest.raises(PyramidError, match="a has 4 items and b 3"):
        pnn.MaxSimLoss()(ta, _t(b[:3], False))


def test_modules_follow_the_device_and_dtype():
    a = torch.randn(5, 4, dtype=torch.float32)
    assert pnn.InfoNCELoss()(a, a + 0.1).dtype == torch.float32
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    gate = pnn.LevelGate(2).to(dev)
    assert gate(torch.ones(2, 3, device=dev)).device.type == dev
    with pytest.raises(PyramidError, match="need paired rows"):
        pnn.InfoNCELoss()(a, a[:3])
    with pytest.raises(PyramidError, match="temperature=0"):
        pnn.InfoNCELoss(0)


def test_docstring_examples_run():
    import doctest

    import pyramids.nn

    res = doctest.testmod(pyramids.nn)
    assert res.failed == 0 and res.attempted > 0
