"""The features a corpus run computes, and their configuration.

A feature is a name (``logmel``, ``mfcc``, ``stft``, ``wavelet``, ``pyramid:mel``) bound to the
public dsp/pyramids functions it calls. Its configuration is a mapping whose every key is a keyword
of one of those functions (no second vocabulary): ``{'logmel': {'n_mels': 64, 'top_db': 80}}``
passes ``n_mels`` to :func:`dsp.melspectrogram` and ``top_db`` to :func:`dsp.power_to_db`.

Every feature returns one or more *components*, each an array whose last axis is time (frames or
coefficients); a run stores each component concatenated along that axis (see docs/corpus.md).

Examples
--------
>>> from dsp.corpus.features import resolve
>>> spec = resolve(['logmel', 'mfcc'], {'logmel': {'n_mels': 40}}, sr=16000)
>>> spec.features['logmel']['n_mels'], spec.features['mfcc']['n_mfcc']
(40, 20)
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import json
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._errors import DSPError

FORMAT = "dsp-corpus/1"

#: mel_filterbank keywords that dsp.melspectrogram and dsp.mfcc forward through ``**kwargs``
_MEL_FORWARDED = ("n_mels", "fmin", "fmax", "htk", "norm", "dtype")
_DB_KEYS = ("ref", "amin", "top_db", "top_db_axes")


def _logmel(y, sr, p):
    import dsp

    mel = {k: v for k, v in p.items() if k not in _DB_KEYS}
    db = {k: v for k, v in p.items() if k in _DB_KEYS}
    return {"": dsp.power_to_db(dsp.melspectrogram(y=y, sr=sr, **mel), **db)}


def _mfcc(y, sr, p):
    import dsp

    return {"": dsp.mfcc(y=y, sr=sr, **p)}


def _stft(y, sr, p):
    import dsp

    return {"": dsp.stft(y, **p)}


def _wavelet(y, sr, p):
    import dsp

    coeffs = dsp.wavedec(y, **p)
    level = len(coeffs) - 1
    names = [f"cA{level}"] + [f"cD{j}" for j in range(level, 0, -1)]
    return dict(zip(names, coeffs))


def _pyramid_mel(y, sr, p):
    from pyramids import AudioPyramid

    pyr = AudioPyramid.mel(y, sr, **p)
    # levels are frames-first (n_frames, m): stored time-last, as dsp.melspectrogram's layout
    return {lv.name: np.ascontiguousarray(np.asarray(lv.data).T) for lv in pyr.levels}


@dataclass(frozen=True)
class Feature:
    """A named feature: the functions whose keywords configure it, and how it is computed.

    ``compute(y, sr, params)`` returns ``{component: array}`` with time on the last axis (``''``
    names the only component of a single-array feature).
    """

    name: str
    functions: tuple  # dotted public names, e.g. ('dsp.melspectrogram', 'dsp.power_to_db')
    compute: Callable
    defaults: dict = field(default_factory=dict)
    fixed: tuple = ("y", "sr", "S", "data", "out", "axis")  # set by the pipeline, not the config
    extra_keys: tuple = ()  # keywords forwarded through a function's **kwargs

    def keys(self) -> tuple:
        """Every keyword the configuration of this feature may use."""
        keys = set(self.extra_keys)
        for dotted in self.functions:
            sig = inspect.signature(_lookup(dotted))
            keys.update(n for n, q in sig.parameters.items()
                        if q.kind not in (q.VAR_KEYWORD, q.VAR_POSITIONAL) and n not in ("cls", "self"))
        return tuple(sorted(keys - set(self.fixed)))


def _lookup(dotted: str):
    mod, _, rest = dotted.partition(".")
    obj = importlib.import_module(mod)
    for part in rest.split("."):
        obj = getattr(obj, part)
    return obj


FEATURES: dict[str, Feature] = {}


def register(feature: Feature) -> Feature:
    """Add (or replace) a feature in the registry; returns it.

    Examples
    --------
    >>> from dsp.corpus.features import Feature, register, FEATURES
    >>> _ = register(Feature('rms', ('dsp.frame',), lambda y, sr, p: {'': (y[None] ** 2)}))
    >>> 'rms' in FEATURES
    True
    >>> del FEATURES['rms']
    """
    if not isinstance(feature, Feature):
        raise DSPError(f"feature={feature!r} is not a dsp.corpus.features.Feature")
    FEATURES[feature.name] = feature
    return feature


register(Feature("logmel", ("dsp.melspectrogram", "dsp.power_to_db"), _logmel,
                 {"n_fft": 400, "hop_length": 160, "n_mels": 64, "top_db": 80.0}, extra_keys=_MEL_FORWARDED))
register(Feature("mfcc", ("dsp.mfcc", "dsp.melspectrogram"), _mfcc,
                 {"n_mfcc": 20, "n_fft": 400, "hop_length": 160, "n_mels": 64},
                 extra_keys=tuple(k for k in _MEL_FORWARDED if k != "norm")))
register(Feature("stft", ("dsp.stft",), _stft, {"n_fft": 512, "hop_length": 160}))
register(Feature("wavelet", ("dsp.wavedec",), _wavelet, {"wavelet": "db4", "mode": "symmetric", "level": 5}))
register(Feature("pyramid:mel", ("pyramids.AudioPyramid.mel",), _pyramid_mel,
                 {"n_mels": [64, 32, 16], "n_fft": 400, "hop_length": 160}))

DEFAULT_FEATURES = ("logmel", "mfcc")


@dataclass(frozen=True)
class Spec:
    """A resolved run configuration: what every worker computes, and its content hash."""

    sr: float
    features: dict  # name -> full keyword dict (defaults merged with the config)
    res_type: str = "high"
    custom: dict = field(default_factory=dict)  # name -> Feature not in the registry (tests, plug-ins)

    def feature(self, name: str) -> Feature:
        return self.custom.get(name) or FEATURES[name]

    def as_dict(self) -> dict:
        return {"format": FORMAT, "sr": self.sr, "res_type": self.res_type,
                "features": {k: dict(v) for k, v in self.features.items()}}

    @property
    def config_hash(self) -> str:
        """sha256 of the canonical JSON of :meth:`as_dict` (first 16 hex digits)."""
        text = json.dumps(self.as_dict(), sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def compute(self, y, sr) -> dict:
        """``{store key: array}`` for every feature; the key is ``name`` or ``name/component``.

        When ``mfcc`` and ``logmel`` are both asked for with the same mel parameters (and
        ``power_to_db``'s defaults, which ``dsp.mfcc`` uses), the MFCC are computed from the
        log-mel array (``dsp.mfcc(S=...)``): the same arithmetic, the spectrogram done once.
        """
        out = {}
        shared = self._mfcc_from_logmel()
        for name, params in self.features.items():
            if name == "mfcc" and shared is not None and "logmel" in out:
                import dsp

                out[name] = dsp.mfcc(S=out["logmel"], sr=sr, **shared)
                continue
            for comp, arr in self.spec_feature_call(name, y, sr, params).items():
                out[name if comp == "" else f"{name}/{comp}"] = arr
        return out

    def _mfcc_from_logmel(self):
        """mfcc's own keywords when its mel spectrogram equals logmel's, else None."""
        if "mfcc" not in self.features or "logmel" not in self.features or self.custom:
            return None
        names = list(self.features)
        if names.index("logmel") > names.index("mfcc"):
            return None
        lm, mf = dict(self.features["logmel"]), dict(self.features["mfcc"])
        own = {k: mf.pop(k) for k in ("n_mfcc", "dct_type", "norm", "lifter") if k in mf}
        if mf.pop("mel_norm", "slaney") != lm.pop("norm", "slaney"):
            return None
        db = {k: lm.pop(k) for k in _DB_KEYS if k in lm}
        if any(db.get(k, d) != d for k, d in (("ref", 1.0), ("amin", 1e-10), ("top_db", 80.0), ("top_db_axes", None))):
            return None
        return own if lm == mf else None

    def spec_feature_call(self, name, y, sr, params):
        return self.feature(name).compute(y, sr, dict(params))


def parse_features(features) -> list[str]:
    """``'logmel,mfcc'`` or a sequence of names -> list of names, order kept, duplicates refused."""
    if isinstance(features, str):
        names = [f.strip() for f in features.split(",") if f.strip()]
    else:
        try:
            names = [str(f) for f in features]
        except TypeError:
            raise DSPError(f"features={features!r} must be a comma-separated string or a list of names") from None
    if not names:
        raise DSPError("features is empty: name at least one of " + ", ".join(FEATURES))
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DSPError(f"features={names!r} names {', '.join(dup)} more than once")
    return names


def resolve(features, config=None, *, sr=16000, res_type="high", custom=None) -> Spec:
    """Check feature names and config keys against the functions they name; merge defaults.

    Parameters
    ----------
    features : str or sequence of str or None
        Names from :data:`FEATURES` (or ``custom``); None takes the config's ``features`` keys, or
        :data:`DEFAULT_FEATURES`.
    config : dict or None
        ``{name: {keyword: value}}``, optionally wrapped as ``{'sr': ..., 'features': {...}}``
        (the layout :func:`default_config` writes).
    sr : float > 0
        Target sampling rate (every file is resampled to it by :func:`dsp.load`).
    res_type : str
        :func:`dsp.load`'s resampling filter.
    custom : dict or None
        ``{name: Feature}`` used in addition to the registry (not pickled by name: by value).

    Returns
    -------
    Spec

    Raises
    ------
    DSPError
        An unknown feature, a key that is no keyword of the feature's functions, a bad ``sr``.

    Examples
    --------
    >>> resolve('logmel', {'logmel': {'n_mel': 40}})
    Traceback (most recent call last):
    ...
    dsp._errors.DSPError: config key logmel.n_mel=40 is not a keyword of dsp.melspectrogram, dsp.power_to_db: accepted: amin, center, dtype, fmax, fmin, hop_length, htk, n_fft, n_mels, norm, pad_mode, power, ref, top_db, top_db_axes, win_length, window
    """
    custom = dict(custom or {})
    config = dict(config or {})
    if "features" in config and isinstance(config["features"], dict):
        top = config
        config = dict(top["features"])
        sr = top.get("sr", sr)
        res_type = top.get("res_type", res_type)
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not sr > 0:
        raise DSPError(f"sr={sr!r} must be a number > 0 (Hz)")
    names = parse_features(features if features is not None else (list(config) or list(DEFAULT_FEATURES)))
    known = {**FEATURES, **custom}
    resolved = {}
    for name in names:
        if name not in known:
            raise DSPError(f"features: unknown feature {name!r}: choose from {', '.join(known)}")
        feat = known[name]
        given = config.get(name) or {}
        if not isinstance(given, dict):
            raise DSPError(f"config {name}={given!r} must be a mapping of keyword: value")
        accepted = feat.keys()
        for key, value in given.items():
            if key not in accepted:
                raise DSPError(f"config key {name}.{key}={value!r} is not a keyword of "
                               f"{', '.join(feat.functions)}: accepted: {', '.join(accepted)}")
        params = {**feat.defaults, **given}
        if name == "wavelet" and params.get("level") is None:
            raise DSPError("config key wavelet.level=None is not supported in a corpus: every file needs "
                           "the same number of components; give an int")
        resolved[name] = params
    for name in config:
        if name not in names and name not in known:
            raise DSPError(f"config names unknown feature {name!r}: choose from {', '.join(known)}")
    used = {n: f for n, f in custom.items() if n in resolved}
    return Spec(float(sr), resolved, str(res_type), used)


def default_config(features=None, sr=16000) -> dict:
    """The configuration :func:`resolve` would use: every feature's default keywords.

    Examples
    --------
    >>> default_config(['mfcc'])['features']['mfcc']['n_mfcc']
    20
    """
    names = parse_features(features) if features is not None else list(FEATURES)
    return {"sr": sr, "features": {n: dict(FEATURES[n].defaults) for n in names}}


def load_config(path) -> dict:
    """Read a YAML or JSON configuration file (YAML needs PyYAML, a dependency of the extra)."""
    import os

    p = os.fspath(path)
    try:
        with open(p, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise DSPError(f"config={p!r} cannot be read: {exc}") from None
    if p.endswith(".json"):
        data = json.loads(text)
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DSPError(f"config={p!r} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DSPError(f"config={p!r} must hold a mapping, not {type(data).__name__}")
    return data


def preflight(spec: Spec) -> dict:
    """Run every feature on one second of noise: bad values fail here, before any work starts.

    Returns ``{store key: (leading shape, dtype)}``; a file whose arrays have other leading
    shapes is recorded as failed.
    """
    y = np.random.default_rng(0).standard_normal(int(spec.sr)).astype(np.float32) * 0.1
    shapes = {}
    for name, params in spec.features.items():
        try:
            out = spec.spec_feature_call(name, y, spec.sr, params)
        except Exception as exc:
            raise DSPError(f"config of feature {name!r} is refused by {', '.join(spec.feature(name).functions)}: "
                           f"{type(exc).__name__}: {exc}") from None
        for comp, arr in out.items():
            arr = np.asarray(arr)
            key = name if comp == "" else f"{name}/{comp}"
            shapes[key] = (tuple(arr.shape[:-1]), arr.dtype.str)
    return shapes
