"""The settings of a compare run, checked in full before any file is read.

A configuration (YAML/JSON file or dict) uses the libraries' own keyword names::

    sr: 16000            # rate every file is loaded at (default: each file's own rate)
    dtype: float32       # float32 or float64
    mono: true
    features:            # or a list of names, each with the libraries' defaults
      stft: {n_fft: 1024, hop_length: 256}
      mfcc: {n_mfcc: 13, n_mels: 40}
      wavedec: {wavelet: db4, level: 5}
    common: {hop_length: 256}   # given to every selected feature whose two sides accept it

Every keyword must be accepted by both our function and the reference's (their call chains'
signatures, :mod:`dsp.compare.features`); anything else is a :class:`dsp.DSPError` naming the
feature, the keyword and what each side accepts.

Examples
--------
>>> from dsp.compare.config import plan
>>> p = plan(features=["stft"], config={"features": {"stft": {"n_fft": 512}}})
>>> p.params["stft"]
{'n_fft': 512}
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._errors import DSPError
from . import features as F

__all__ = ["Plan", "plan"]

_TOP = ("sr", "dtype", "mono", "features", "common")


@dataclass
class Plan:
    """What will run: feature names (in order), their keywords, and the loading settings."""

    features: list
    params: dict
    sr: float | None
    dtype: np.dtype
    mono: bool
    skipped: dict = field(default_factory=dict)  # feature -> why it does not run here


def _read(config) -> dict:
    if config is None:
        return {}
    if isinstance(config, dict):
        return dict(config)
    from ..corpus.features import load_config  # YAML/JSON reading, shared with dsp-pyramids extract

    return load_config(config)


def _names(value, what) -> list:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise DSPError(f"{what}={value!r} is not supported: need a list of feature names or a "
                       f"comma-separated string")
    unknown = [v for v in value if v not in F.FEATURES]
    if unknown:
        raise DSPError(f"{what}: unknown feature(s) {', '.join(map(repr, unknown))}: use "
                       f"{', '.join(sorted(F.FEATURES))}")
    if not value:
        raise DSPError(f"{what} is empty: name at least one feature")
    return list(dict.fromkeys(value))


def _check_keywords(name: str, given: dict, where: str) -> None:
    f = F.FEATURES[name]
    for kw in given:
        if not isinstance(kw, str):
            raise DSPError(f"{where}: keyword {kw!r} of {name} is not a string")
        if kw in f.reserved:
            raise DSPError(f"{where}: {name} keyword {kw!r} is set by compare (the same decoded input "
                           f"is handed to both); set sr/dtype/mono at the top level instead")
    ours, ref = F.accepted(name, "ours"), F.accepted(name, "reference")
    for kw in given:
        if kw in ours and kw in ref:
            continue
        if kw not in ours and kw not in ref:
            raise DSPError(f"{where}: {kw!r} is not a parameter of {name} in either library: "
                           f"accepted by both: {', '.join(sorted((ours & ref) - set(f.reserved)))}")
        lacking = "ours (dsp)" if kw not in ours else F.reference_name(name)
        raise DSPError(f"{where}: {kw!r} is not a parameter of {lacking} for {name}, so the two cannot "
                       f"be called with the same parameters")


def plan(*, features=None, config=None, sr=None, dtype=None, mono=None) -> Plan:
    """Resolve and check a run's settings; arguments given here override the configuration's.

    Parameters
    ----------
    features : list of str, str or None
        Feature names (default: the config's, else :data:`dsp.compare.features.DEFAULT_FEATURES`).
    config : dict, str, os.PathLike or None
        A mapping or a YAML/JSON file (see the module docstring).
    sr : float or None
        Rate every file is loaded at; None keeps each file's rate.
    dtype : {'float32', 'float64'} or None
    mono : bool or None

    Returns
    -------
    Plan

    Raises
    ------
    DSPError
        An unknown feature, top-level key or keyword, a keyword only one library accepts, or a
        missing reference library; nothing has been read or computed yet.
    """
    cfg = _read(config)
    where = "config" if config is None or isinstance(config, dict) else f"config={str(config)!r}"
    extra = [k for k in cfg if k not in _TOP]
    if extra:
        raise DSPError(f"{where}: unknown key(s) {', '.join(map(repr, extra))}: use {', '.join(_TOP)}")
    sr = cfg.get("sr") if sr is None else sr
    if sr is not None:
        if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not sr > 0:
            raise DSPError(f"sr={sr!r} is not supported: need a number > 0 (Hz) or None for each file's rate")
    dtype = cfg.get("dtype", "float32") if dtype is None else dtype
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise DSPError(f"dtype={dtype!r} is not supported: use float32 or float64")
    mono = cfg.get("mono", True) if mono is None else mono
    if not isinstance(mono, (bool, np.bool_)):
        raise DSPError(f"mono={mono!r} is not supported: need True or False")

    per = cfg.get("features")
    if per is None:
        per = {}
    elif isinstance(per, (list, tuple, str)):
        per = {n: {} for n in _names(per, f"{where}: features")}
    elif isinstance(per, dict):
        _names(list(per), f"{where}: features")
        for n, kws in per.items():
            if kws is None:
                per[n] = {}
            elif not isinstance(kws, dict):
                raise DSPError(f"{where}: features.{n} must map keyword names to values, not "
                               f"{type(kws).__name__}")
    else:
        raise DSPError(f"{where}: features must be a mapping or a list, not {type(per).__name__}")
    if features is not None:
        names = _names(features, "features")
    elif per:
        names = list(per)
    else:
        names = list(F.DEFAULT_FEATURES)

    skipped = {}
    for n in list(names):
        why = F.available(n)
        if why is not None:
            skipped[n] = why
            names.remove(n)
    if not names:
        raise DSPError("no feature can run here: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))

    common = cfg.get("common") or {}
    if not isinstance(common, dict):
        raise DSPError(f"{where}: common must map keyword names to values, not {type(common).__name__}")
    params = {}
    for n in names:
        given = dict(per.get(n) or {})
        _check_keywords(n, given, f"{where}: features.{n}" if n in per else where)
        both = F.accepted(n, "ours") & F.accepted(n, "reference")
        for kw, v in common.items():
            if kw in both and kw not in F.FEATURES[n].reserved:
                given.setdefault(kw, v)
        params[n] = {**F.FEATURES[n].defaults, **given}
    for kw in common:
        if not any(kw in F.accepted(n, "ours") & F.accepted(n, "reference") and kw not in F.FEATURES[n].reserved
                   for n in names):
            raise DSPError(f"{where}: common keyword {kw!r} is a parameter of none of the selected features "
                           f"({', '.join(names)}) in both libraries")
    return Plan(features=names, params=params, sr=sr, dtype=dt, mono=bool(mono), skipped=skipped)
