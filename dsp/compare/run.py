"""``compare``: ours against the reference libraries on the user's own files.

Each file is decoded once with :func:`dsp.load`; the same array (or, for ``istft``, the same STFT
matrix; for ``load``, the same file) is handed to our function and to the reference's, with the
same keywords. One record per file and feature is returned; files that cannot be decoded are
recorded with the reason and the run goes on.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import warnings
from pathlib import Path

import numpy as np

from .._errors import DSPError
from . import features as F
from .config import plan as make_plan
from .measure import MEMORY_METHOD, alternate, peak_memory
from .metrics import errors
from .tolerances import explain, tolerance

__all__ = ["compare", "files_from"]


def files_from(paths) -> list:
    """The audio files named by ``paths``: files as given, folders searched recursively.

    Folders contribute the files whose extension is one of ``dsp.corpus.inputs.AUDIO_EXTENSIONS``
    (sorted); a file named explicitly is taken whatever its extension. A path that does not exist
    is a :class:`dsp.DSPError`.
    """
    from ..corpus.inputs import AUDIO_EXTENSIONS

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in AUDIO_EXTENSIONS
                           and not q.name.startswith("."))
            out.extend(str(q) for q in found)
        elif p.exists():
            out.append(str(p))
        else:
            raise DSPError(f"path={str(p)!r} does not exist: need audio files or folders of them")
    if not out:
        raise DSPError(f"no audio files found in {', '.join(map(str, paths))} "
                       f"(extensions: {', '.join(AUDIO_EXTENSIONS)})")
    return list(dict.fromkeys(out))


def _clean(params: dict) -> dict:
    return {k: v for k, v in params.items() if v is not None}


def _caller(name: str, side: str, x, sr, plan, params):
    """A no-argument function computing ``name`` on ``side``."""
    f = F.FEATURES[name]
    fn = F.chain(name, side)[0]
    if f.kind == "path":
        def call():
            return fn(x, sr=plan.sr, mono=plan.mono, dtype=plan.dtype, **params)[0]
    elif f.kind == "audio":
        import inspect

        extra = {"sr": sr} if "sr" in inspect.signature(fn).parameters else {}  # stft/istft take no rate

        def call():
            return fn(y=x, **extra, **params)
    else:  # 'stft_matrix' (istft) and 'wavelet' (wavedec): the input is the first positional argument
        def call():
            return fn(x, **params)
    return call


def _input(name: str, path, y, params):
    kind = F.FEATURES[name].kind
    if kind == "path":
        return path
    if kind == "stft_matrix":  # the STFT both inverses start from: ours, with the inverse's geometry
        import dsp

        keys = ("n_fft", "hop_length", "win_length", "window", "center")
        return dsp.stft(y, **_clean({k: params.get(k) for k in keys}))
    return y


def _geometry(name: str, params: dict) -> dict:
    if F.FEATURES[name].layout != "frames":
        return {}
    n_fft = F.default(name, "n_fft", params)
    hop = F.default(name, "hop_length", params)
    if hop is None:
        hop = (F.default(name, "win_length", params) or n_fft) // 4
    center = F.default(name, "center", params)
    return {"hop_length": int(hop), "n_fft": n_fft, "center": True if center is None else bool(center)}


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:500]


def _progress(files, enabled):
    if not enabled:
        return files, None
    try:
        from tqdm import tqdm
    except ImportError:  # a plain count on stderr instead of a bar
        import sys

        def plain():
            for i, f in enumerate(files):
                print(f"compare: file {i + 1}/{len(files)}: {f}", file=sys.stderr)
                yield f
        return plain(), None
    bar = tqdm(files, unit="file", desc="compare", dynamic_ncols=True)
    return bar, bar


def _one(name, path, y, sr, native_sr, plan, repeats, memory, keep) -> dict:
    params = plan.params[name]
    f = F.FEATURES[name]
    rec = {"file": path, "feature": name, "reference": F.reference_name(name), "status": "ok",
           "reason": None, "warnings": None, "dtype": plan.dtype.name, "sr": sr, "native_sr": native_sr,
           "params": json.dumps(params, sort_keys=True, default=str),
           "tolerance": tolerance(name, plan.dtype)}
    x = _input(name, path, y, params)
    ours = _caller(name, "ours", x, sr, plan, params)
    ref = _caller(name, "reference", x, sr, plan, params)
    caught = []
    results, refusals = {}, {}
    for side, fn in (("ours", ours), ("reference", ref)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                results[side] = fn()
            except Exception as exc:  # a library refusing this file's parameters: recorded, run goes on
                refusals[side] = _short(exc)
        caught += [f"{side}: {m.message}" for m in w  # not the libraries' own import-time deprecations
                   if not issubclass(m.category, (DeprecationWarning, PendingDeprecationWarning))]
    if refusals:
        # both refusing the same parameters for this file (e.g. a CQT reaching past Nyquist at a
        # low rate) is agreement, not a failure; one side alone refusing is a failure
        status = "refused" if len(refusals) == 2 else "failed"
        rec.update(status=status, reason="; ".join(f"{side}: {why}" for side, why in refusals.items()))
        return rec
    rec["warnings"] = "; ".join(dict.fromkeys(map(str, caught))) or None
    o, r = results["ours"], results["reference"]
    geo = _geometry(name, params)
    try:
        e = errors(o, r, layout=f.layout, sr=sr, **geo)
    except DSPError as exc:
        rec.update(status="failed", reason=str(exc))
        return rec
    rec["shape"] = (f"{len(o)} arrays, {np.shape(o[0])} to {np.shape(o[-1])}" if f.layout == "coeffs"
                    else str(np.shape(o)))
    e.pop("worst_index")
    rec.update(e)
    rec["within"] = bool(rec["peak_rel"] <= rec["tolerance"])
    known = explain(name, plan.dtype, params, {"resampled": native_sr is not None and native_sr != sr})
    rec["known"] = None if rec["within"] or known is None else known.reason
    rec["docs"] = None if rec["within"] or known is None else known.docs
    t_o, t_r = alternate(ours, ref, repeats=repeats)
    rec.update(ours_s=t_o, ref_s=t_r, speedup=(t_r / t_o if t_o and t_r else None))
    if memory:
        mo, mr = peak_memory(ours), peak_memory(ref)
        rec.update(ours_mem_mb=mo["rss_mb"], ref_mem_mb=mr["rss_mb"], ours_traced_mb=mo["traced_mb"],
                   ref_traced_mb=mr["traced_mb"])
    if f.y_axis is not None and f.layout == "frames":
        best = keep.get(name)
        if best is None or rec["peak_rel"] > best["peak_rel"]:
            keep[name] = {"peak_rel": rec["peak_rel"], "file": path, "ours": o, "ref": r, "sr": sr,
                          "geometry": geo, "params": params}
    return rec


def compare(paths, *, features=None, config=None, sr=None, dtype=None, mono=None, repeats: int = 5,
            memory: bool = True, report=None, plots=None, progress: bool = True, as_frame: bool = False):
    """Compare our features with librosa's / PyWavelets' on audio files: errors, times, memory.

    Parameters
    ----------
    paths : str, os.PathLike or a list of them
        Audio files and folders (searched recursively).
    features : list of str, str or None
        Any of ``load, stft, istft, melspectrogram, mfcc, chroma_stft, cqt, wavedec`` (default: the
        config's, else all that run here; ``cqt`` only where ``dsp.cqt`` exists).
    config : dict, path or None
        Keywords per feature with the libraries' own names (:mod:`dsp.compare.config`).
    sr : float or None
        Rate every file is loaded at (None: each file's own rate).
    dtype : {'float32', 'float64'} or None
        The decoded samples' dtype (default float32).
    mono : bool or None
        Mix down to mono (default True); False keeps channels as a leading axis.
    repeats : int >= 0
        Timed calls of each side (medians); 0 skips timing.
    memory : bool
        Measure each call's peak memory (:mod:`dsp.compare.measure`).
    report : str, os.PathLike or None
        Write a report there: '.md' Markdown, '.html'/'.htm' HTML.
    plots : str, os.PathLike or None
        Folder for PNG plots (needs matplotlib): ours/reference/difference of the worst file of
        each spectral feature, and the speed-ups.
    progress : bool
        A progress bar over files (tqdm when installed).
    as_frame : bool
        Return a pandas DataFrame (needs pandas) instead of a list of dicts.

    Returns
    -------
    list of dict, or pandas.DataFrame
        One record per file and feature (``status`` 'ok', 'failed', or 'refused' when both
        libraries refuse the parameters for that file), one per undecodable file
        (``feature`` None, ``status`` 'undecodable') and one per feature that cannot run here
        (``file`` None, ``status`` 'skipped'); ``reason`` says why. Error fields: ``peak_rel``,
        ``rms_rel``, ``worst``, ``worst_bin``, ``worst_frame``, ``worst_time_s``, ``tolerance``,
        ``within``, ``known``/``docs`` (a documented difference covering an excess); times
        ``ours_s``, ``ref_s``, ``speedup`` (= ref_s / ours_s); memory ``ours_mem_mb``,
        ``ref_mem_mb`` (peak RSS rise), ``ours_traced_mb``, ``ref_traced_mb`` (tracemalloc).

    Raises
    ------
    DSPError
        Bad settings, an unknown keyword or feature, a missing path: before any file is read.

    Examples
    --------
    >>> from dsp.compare import compare
    >>> rows = compare(['tests/data/chord_22k.wav'], features=['stft', 'wavedec'], repeats=1,
    ...                memory=False, progress=False)                         # doctest: +SKIP
    >>> [(r['feature'], r['within']) for r in rows]                          # doctest: +SKIP
    [('stft', True), ('wavedec', True)]
    """
    import dsp

    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)) or repeats < 0:
        raise DSPError(f"repeats={repeats!r} is not supported: need an integer >= 0")
    p = make_plan(features=features, config=config, sr=sr, dtype=dtype, mono=mono)
    files = files_from(paths)
    if report is not None and Path(report).suffix.lower() not in (".md", ".html", ".htm"):
        raise DSPError(f"report={str(report)!r} is not supported: name a .md or .html file")
    if as_frame:
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise DSPError("as_frame=True needs pandas (pip install pandas); "
                           "without it compare returns a list of dicts") from None

    records = [{"file": None, "feature": n, "status": "skipped", "reason": why} for n, why in p.skipped.items()]
    keep = {}
    iterator, bar = _progress(files, progress)
    try:
        for path in iterator:
            if bar is not None:
                bar.set_postfix_str(Path(path).name[-40:])
            try:
                y, file_sr = dsp.load(path, sr=p.sr, mono=p.mono, dtype=p.dtype)
                native = dsp.get_samplerate(path)
            except Exception as exc:  # undecodable: listed with its reason, the others go on
                records.append({"file": path, "feature": None, "status": "undecodable", "reason": _short(exc)})
                continue
            for name in p.features:
                try:
                    rec = _one(name, path, y, float(file_sr), native, p, int(repeats), memory, keep)
                except Exception as exc:  # a bug of either side must not lose the other results
                    rec = {"file": path, "feature": name, "status": "failed", "reason": _short(exc)}
                rec.update(channels=1 if y.ndim == 1 else y.shape[0], duration_s=y.shape[-1] / float(file_sr))
                records.append(rec)
    finally:
        if bar is not None:
            bar.close()

    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "sr": "each file's own rate" if p.sr is None else p.sr, "dtype": p.dtype.name, "mono": p.mono,
            "repeats": int(repeats), "features": p.features, "params": p.params, "skipped": p.skipped,
            "memory": MEMORY_METHOD if memory else "not measured", "versions": _versions(p.features),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"}
    plot_files = {}
    if plots is not None:
        from .plots import make_plots

        plot_files = make_plots(records, keep, plots)
    if report is not None:
        from .report import write_report

        write_report(records, report, meta=meta, plots=plot_files)
    if as_frame:
        import pandas

        return pandas.DataFrame.from_records(records)
    return records


def _versions(names) -> dict:
    import dsp

    out = {"dsp-pyramids": dsp.__version__, "numpy": np.__version__}
    refs = {F.FEATURES[n].reference[0].split(":")[0].split(".")[0] for n in names}
    for mod in sorted(refs):
        try:
            out[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - a version string is informative only
            out[mod] = "?"
    return out
