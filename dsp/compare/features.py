"""What ``compare`` can compare: each feature's two implementations, how they are called, and which
keyword names both accept.

A feature's accepted keywords are the named parameters of its call chain on each side: librosa's
``mfcc(**kwargs)`` hands them to ``melspectrogram``, which hands them to ``filters.mel``, and ours
does the same, so ``n_mels`` is accepted by both. A keyword is usable when both sides accept it; the
inputs themselves (``y``, ``sr``, ``S``, ``data``, ``stft_matrix``, ``path``, ...) are set by
compare and cannot be given.

Examples
--------
>>> from dsp.compare.features import FEATURES, accepted
>>> sorted(FEATURES)[:3]
['chroma_stft', 'cqt', 'istft']
>>> 'n_mels' in accepted('mfcc', 'ours') and 'n_mels' in accepted('mfcc', 'reference')
True
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field

from .._errors import DSPError

__all__ = ["Feature", "FEATURES", "DEFAULT_FEATURES", "available", "accepted", "chain", "reference_name"]


@dataclass(frozen=True)
class Feature:
    """One comparable feature.

    ``ours``/``reference``: dotted names of the call chain, head first (``module:attr``).
    ``kind``: the input handed to both: 'audio' (``y``), 'stft_matrix' (our STFT of ``y``, the same
    matrix to both), 'wavelet' (``data``) or 'path' (the file itself, decoded by each library).
    ``layout``: how the output is indexed: 'frames' (..., bins, frames), 'samples' (..., n) or
    'coeffs' (a list of arrays, coarsest first).
    ``defaults``: keywords compare adds when the user gives none (a required one, e.g. the wavelet).
    ``reserved``: keywords compare sets itself.
    ``y_axis``: the frequency axis type for the plot (``dsp.display.specshow``); None: not spectral.
    """

    name: str
    ours: tuple
    reference: tuple
    kind: str = "audio"
    layout: str = "frames"
    defaults: dict = field(default_factory=dict)
    reserved: tuple = ("y", "sr", "S")
    y_axis: str | None = None
    db: str | None = None  # how the plot shows values in dB: 'amplitude', 'power' or None (as is)


FEATURES = {f.name: f for f in (
    Feature("load", ("dsp:load",), ("librosa:load",), kind="path", layout="samples",
            reserved=("path", "sr", "mono", "dtype")),
    Feature("stft", ("dsp:stft",), ("librosa:stft",), y_axis="log", db="amplitude"),
    Feature("istft", ("dsp:istft",), ("librosa:istft",), kind="stft_matrix", layout="samples",
            reserved=("stft_matrix",)),
    Feature("melspectrogram", ("dsp.feature:melspectrogram", "dsp:mel_filterbank"),
            ("librosa.feature:melspectrogram", "librosa.filters:mel"), y_axis="mel", db="power"),
    Feature("mfcc", ("dsp.feature:mfcc", "dsp.feature:melspectrogram", "dsp:mel_filterbank"),
            ("librosa.feature:mfcc", "librosa.feature:melspectrogram", "librosa.filters:mel"),
            y_axis="frames"),
    Feature("chroma_stft", ("dsp.feature:chroma_stft", "dsp.filters:chroma"),
            ("librosa.feature:chroma_stft", "librosa.filters:chroma"), y_axis="chroma"),
    Feature("cqt", ("dsp:cqt",), ("librosa:cqt",), y_axis="frames", db="amplitude"),
    Feature("wavedec", ("dsp:wavedec",), ("pywt:wavedec",), kind="wavelet", layout="coeffs",
            defaults={"wavelet": "db4"}, reserved=("data",)),
)}

#: compared when no feature list is given (cqt only where ``dsp.cqt`` exists)
DEFAULT_FEATURES = ("load", "stft", "istft", "melspectrogram", "mfcc", "chroma_stft", "cqt", "wavedec")

_SIDES = ("ours", "reference")


def _resolve(dotted: str):
    module, attr = dotted.split(":")
    try:
        obj = importlib.import_module(module)
    except ImportError as exc:
        raise DSPError(f"compare needs {module.split('.')[0]} for {dotted.replace(':', '.')} "
                       f"({exc}): install the 'compare' extra (pip install 'dsp-pyramids[compare]')") from None
    try:
        return getattr(obj, attr)
    except AttributeError:
        raise DSPError(f"{dotted.replace(':', '.')} does not exist in this installation") from None


def available(name: str) -> str | None:
    """None when ``name`` can run here, else why not (e.g. ``dsp.cqt`` has not landed)."""
    f = FEATURES[name]
    for dotted in f.ours + f.reference:
        try:
            _resolve(dotted)
        except DSPError as exc:
            return str(exc)
    return None


def chain(name: str, side: str) -> list:
    """The callables of ``name``'s chain on ``side`` ('ours' or 'reference'), head first."""
    if side not in _SIDES:
        raise DSPError(f"side={side!r} is not supported: use 'ours' or 'reference'")
    return [_resolve(d) for d in getattr(FEATURES[name], side)]


def reference_name(name: str) -> str:
    """'librosa.feature.mfcc', 'pywt.wavedec', ...: the reference's public name."""
    return FEATURES[name].reference[0].replace(":", ".")


def _parameters(fn) -> dict:
    try:
        return dict(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # a builtin without a signature: nothing named can be checked
        return {}


def accepted(name: str, side: str) -> set:
    """The keyword names ``name``'s chain accepts on ``side`` (the union over the chain)."""
    names = set()
    for fn in chain(name, side):
        for p in _parameters(fn).values():
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                names.add(p.name)
    return names


def default(name: str, keyword: str, params: dict):
    """The value ``keyword`` takes in our chain of ``name``: ``params``' or the first default found."""
    if keyword in params:
        return params[keyword]
    for fn in chain(name, "ours"):
        p = _parameters(fn).get(keyword)
        if p is not None and p.default is not p.empty:
            return p.default
    return None
