"""Semantic level selection: the granularity a question needs, read by MiniLM (``text`` extra).

A labelled set of questions ships with the package (``pyramids/data/level_questions.tsv``: 264
questions about images, audio, documents and video, each labelled ``coarse`` (global: "Is there a
person?"), ``medium`` (object: "Where is the car?") or ``fine`` (detail: "What is written on the
sign?"), 204 for training and 60 held out). On first use the training questions are embedded
with the model and a multinomial logistic regression (L2-regularised, fitted by L-BFGS on the
unit-norm embeddings, well under a second) is trained on them. The classifier is kept in
:data:`pyramids.models.MODEL_CACHE`; the held-out questions are never used for training.

:func:`classify_question` gives the granularity, its probability (the confidence) and the
runner-up. :func:`pyramids.align.select_levels` uses it when the ``text`` extra is installed and
falls back to the regular-expression rules otherwise.
"""
from __future__ import annotations

from importlib import resources
from typing import NamedTuple

import numpy as np

from .core import PyramidError

__all__ = ["question_set", "LevelClassifier", "classify_question", "level_classifier", "Classification",
           "CLASSES"]

#: The classes, in the order of the classifier's outputs.
CLASSES = ("fine", "medium", "coarse")


def question_set(split: str | None = None) -> list:
    """The labelled questions shipped with the package.

    Parameters
    ----------
    split : {'train', 'test'}, optional
        Only that split (``'test'`` is the held-out split). Default: all.

    Returns
    -------
    list of (question, label, domain, split)
        ``label`` is ``'coarse'``, ``'medium'`` or ``'fine'``; ``domain`` one of ``'image'``,
        ``'audio'``, ``'document'``, ``'video'``.

    Examples
    --------
    >>> from pyramids import semantic
    >>> len(semantic.question_set()), len(semantic.question_set("test"))
    (264, 60)
    >>> semantic.question_set("train")[0]
    ('Is there a person in this photo?', 'coarse', 'image', 'train')
    """
    if split not in (None, "train", "test"):
        raise PyramidError(f"split={split!r} is not supported: use None, 'train' or 'test'")
    text = resources.files("pyramids").joinpath("data/level_questions.tsv").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("split\t"):
            continue
        sp, label, domain, q = line.split("\t")
        if split is None or sp == split:
            rows.append((q, label, domain, sp))
    return rows


class LevelClassifier:
    """Multinomial logistic regression on unit-norm sentence embeddings.

    Parameters
    ----------
    l2 : float
        Weight of ``0.5 * l2 * ||W||^2`` in the mean cross-entropy.

    Attributes
    ----------
    W : np.ndarray [shape=(D, 3)], b : np.ndarray [shape=(3,)]
    prototypes : np.ndarray [shape=(3, D)]
        Each class's mean training embedding (normalised), for :meth:`predict_proba` with
        ``method='prototype'`` (nearest prototype by cosine).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> centres = np.eye(3, 8)
    >>> X = np.repeat(centres, 20, axis=0) + 0.1 * rng.standard_normal((60, 8))
    >>> y = np.repeat([0, 1, 2], 20)
    >>> clf = LevelClassifier().fit(X, y)
    >>> clf.predict_proba(centres).argmax(axis=1).tolist()
    [0, 1, 2]
    """

    def __init__(self, l2: float = 1e-3):
        self.l2 = float(l2)
        self.W = self.b = self.prototypes = None

    @staticmethod
    def _unit(X):
        X = np.asarray(X, dtype=np.float64)
        n = np.linalg.norm(X, axis=-1, keepdims=True)
        return X / np.where(n > 0, n, 1.0)

    def fit(self, X, y) -> "LevelClassifier":
        from scipy.optimize import minimize

        X = self._unit(X)
        y = np.asarray(y, dtype=np.int64)
        n, d = X.shape
        k = len(CLASSES)
        Y = np.eye(k)[y]

        def loss(theta):
            W, b = theta[: d * k].reshape(d, k), theta[d * k:]
            z = X @ W + b
            z = z - z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            p = np.exp(logp)
            f = -(Y * logp).sum() / n + 0.5 * self.l2 * (W * W).sum()
            g = (p - Y) / n
            return f, np.concatenate([(X.T @ g + self.l2 * W).ravel(), g.sum(axis=0)])

        res = minimize(loss, np.zeros(d * k + k), jac=True, method="L-BFGS-B", options={"maxiter": 500})
        self.W, self.b = res.x[: d * k].reshape(d, k), res.x[d * k:]
        self.prototypes = self._unit(np.stack([X[y == c].mean(axis=0) for c in range(k)]))
        return self

    def predict_proba(self, X, method: str = "logistic") -> np.ndarray:
        """``(n, 3)`` class probabilities (``'logistic'``), or a softmax of the cosines to the
        prototypes at temperature 0.05 (``'prototype'``)."""
        if self.W is None:
            raise PyramidError("the classifier is not fitted: call fit(X, y) first")
        X = self._unit(np.atleast_2d(X))
        if method == "logistic":
            z = X @ self.W + self.b
        elif method == "prototype":
            z = (X @ self.prototypes.T) / 0.05
        else:
            raise PyramidError(f"method={method!r} is not supported: use 'logistic' or 'prototype'")
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


class Classification(NamedTuple):
    """What :func:`classify_question` read: ``granularity`` with probability ``confidence``, the
    ``runner_up`` with ``runner_up_confidence``, and every class's probability (``probabilities``,
    in :data:`CLASSES` order)."""

    granularity: str
    confidence: float
    runner_up: str
    runner_up_confidence: float
    probabilities: tuple


def level_classifier(model=None) -> LevelClassifier:
    """The classifier trained on the shipped training questions with ``model``'s embeddings
    (default: the bundled MiniLM), trained once and cached in :data:`pyramids.models.MODEL_CACHE`."""
    from .models import MODEL_CACHE, get_model

    m = get_model(model)
    key = ("level_classifier", id(m))
    clf = MODEL_CACHE.get(key)
    if clf is None:
        rows = question_set("train")
        X = m.encode([q for q, *_ in rows], batch_size=64, convert_to_numpy=True, show_progress_bar=False)
        y = [CLASSES.index(label) for _, label, *_ in rows]
        clf = MODEL_CACHE[key] = LevelClassifier().fit(X, y)
        clf._model = m  # keeps id(m) from being reused while the entry lives
    return clf


def classify_question(query_text, model=None, *, method: str = "logistic") -> Classification:
    """The granularity a question needs, read by the level classifier.

    Parameters
    ----------
    query_text : str
        A non-empty question.
    model : SentenceTransformer, optional
        Default: the bundled MiniLM.
    method : {'logistic', 'prototype'}
        The trained classifier, or the nearest class prototype.

    Returns
    -------
    Classification

    Raises
    ------
    PyramidError
        An empty question or one that is not a string.

    Examples
    --------
    >>> from pyramids import semantic
    >>> semantic.classify_question("What is written on the sign?").granularity  # doctest: +SKIP
    'fine'
    """
    if not isinstance(query_text, str):
        raise PyramidError(f"query_text is a {type(query_text).__name__}: need a str")
    if not query_text.strip():
        raise PyramidError(f"query_text={query_text!r} is empty: need a question with words")
    from .models import get_model

    m = get_model(model)
    clf = level_classifier(m)
    # the same question is often read several times (select_levels, then retrieve): remember the
    # last 1024 embeddings per model (cleared with the model cache)
    from .models import MODEL_CACHE

    memo = MODEL_CACHE.setdefault(("question_embeddings", id(m)), {})
    q = memo.get(query_text)
    if q is None:
        q = m.encode([query_text], convert_to_numpy=True, show_progress_bar=False)
        if len(memo) >= 1024:
            memo.pop(next(iter(memo)))
        memo[query_text] = q
    p = clf.predict_proba(q, method=method)[0]
    order = np.argsort(-p, kind="stable")
    return Classification(CLASSES[order[0]], float(p[order[0]]), CLASSES[order[1]], float(p[order[1]]),
                          tuple(float(v) for v in p))
