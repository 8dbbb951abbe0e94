"""Sentence and paragraph segmentation of plain text, as character spans.

The rules, stated once (they are what ``TextPyramid`` documents):

Paragraphs
    Paragraphs are separated by blank lines: a line break, optional spaces or tabs, and another
    line break (``"\\n\\n"``, ``"\\n  \\n"``, ``"\\r\\n\\r\\n"``). A single line break does not end a
    paragraph. Each paragraph's span is trimmed of surrounding whitespace; empty ones are skipped.

Sentences (within a paragraph; a sentence never crosses a paragraph break)
    1. A sentence ends after a run of terminal punctuation (``.``, ``!``, ``?``, ``…``, in any
       combination such as ``?!`` or ``...``), plus any closing quotes or brackets that follow it
       (``" ' ” ’ ) ] » }``), when the next character is whitespace or the paragraph's end.
       So ``3.14``, ``v2.0``, ``example.com`` and ``U.S.A`` (no space after the inner dots) never
       end a sentence.
    2. A run made only of dots does not end a sentence when the next word starts with a lowercase
       letter (``"approx. five"``, ``"etc. and"``, ``"Wait... what"``).
    3. A single dot does not end a sentence after a title or a word that is always followed by
       more of the same sentence (:data:`NON_FINAL_ABBREVIATIONS`: ``Mr. Mrs. Dr. Prof. St. e.g.
       i.e. cf. vs.`` ... compared without case), after a reference word followed by a number
       (:data:`NUMBERED_ABBREVIATIONS`: ``"No. 5"``, ``"Fig. 3"``, ``"p. 12"``, ``"Jan. 5"``;
       but ``"The answer is no. We left."`` is two sentences), nor after a single capital
       letter (an initial, ``"J. R. R. Tolkien"``).
    4. Whatever follows the last terminal punctuation of a paragraph is a sentence of its own.
    Each sentence's span is trimmed of surrounding whitespace.
"""
from __future__ import annotations

import re

__all__ = ["paragraph_spans", "sentence_spans", "segment", "NON_FINAL_ABBREVIATIONS", "NUMBERED_ABBREVIATIONS"]

#: Abbreviations after which a single dot never ends a sentence (lowercase, without the final dot).
NON_FINAL_ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof st sr jr rev fr gen col lt sgt capt cmdr gov sen rep hon pres mt
    e.g i.e cf vs viz
    """.split()
)
#: Abbreviations after which a single dot does not end a sentence when a number follows.
NUMBERED_ABBREVIATIONS = frozenset(
    """
    no nos fig figs eq eqs vol ch sec art p pp ref refs approx ca
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

_BLANK_LINE = re.compile(r"\r?\n[ \t\f\v]*\r?\n")
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]\u00bb}]*(?=\s|$)")
_OPENERS = "\"'\u201c\u2018([{\u00ab"


def _trim(text: str, start: int, end: int):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_spans(text: str) -> list:
    """``[(start, end), ...]`` of the paragraphs of ``text`` (blank-line separated, trimmed)."""
    spans = []
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        spans.append(_trim(text, pos, m.start()))
        pos = m.end()
    spans.append(_trim(text, pos, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _is_boundary(text: str, m: re.Match, start: int, end: int) -> bool:
    run = m.group().rstrip("\"'\u201d\u2019)]\u00bb}")
    if set(run) == {"."}:
        nxt = m.end()
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt < end and text[nxt].islower():
            return False
        if run == ".":
            w0 = m.start()
            while w0 > start and not text[w0 - 1].isspace():
                w0 -= 1
            word = text[w0 : m.start()].lstrip(_OPENERS)
            if word.lower() in NON_FINAL_ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                return False
            if word.lower() in NUMBERED_ABBREVIATIONS and nxt < end and text[nxt].isdigit():
                return False
    return True


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list:
    """``[(start, end), ...]`` of the sentences in ``text[start:end]`` (one paragraph)."""
    end = len(text) if end is None else end
    spans = []
    pos = start
    for m in _END.finditer(text, start, end):
        if _is_boundary(text, m, start, end):
            spans.append(_trim(text, pos, m.end()))
            pos = m.end()
    spans.append(_trim(text, pos, end))
    return [(s, e) for s, e in spans if e > s]


def segment(text: str):
    """Sentences and paragraphs of ``text``.

    Returns
    -------
    sentences : list of (int, int)
        Character spans, in order.
    paragraphs : list of (int, int)
    paragraph_of_sentence : list of int
        Index of the paragraph holding each sentence.
    """
    sentences, owner = [], []
    paragraphs = paragraph_spans(text)
    for j, (ps, pe) in enumerate(paragraphs):
        spans = sentence_spans(text, ps, pe)
        sentences.extend(spans)
        owner.extend([j] * len(spans))
    return sentences, paragraphs, owner
