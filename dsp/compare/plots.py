"""Plots of a compare run (matplotlib, the ``plot`` extra), drawn with :func:`dsp.display.specshow`.

* ``<feature>.png`` for each spectral feature: on the file where it differs most, ours, the
  reference (in dB where the feature is a magnitude or power) and their difference in dB relative to
  the reference's peak, ``20 log10(|ours - ref| / max|ref|)``, with time and frequency axes;
* ``speedup.png``: the median speed-up (reference time / our time) per feature.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot state, no GUI backend needed).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._errors import DSPError
from . import features as F

__all__ = ["make_plots"]

_FLOOR_DB = -200.0


def _figure(**kw):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise DSPError("plots need matplotlib: install the 'plot' extra (pip install 'dsp-pyramids[plot]')") from None
    return Figure(**kw)


def _worst_channel(o, r):
    o2 = np.asarray(o).reshape((-1,) + np.shape(o)[-2:])
    r2 = np.asarray(r).reshape((-1,) + np.shape(r)[-2:])
    c = int(np.argmax([np.max(np.abs(a.astype(np.complex128) - b)) for a, b in zip(o2, r2)]))
    return o2[c], r2[c]


def _db(x, kind, peak):
    import dsp

    x = np.abs(x) if np.iscomplexobj(x) else x
    if kind == "amplitude":
        return dsp.amplitude_to_db(np.abs(x), ref=peak)
    if kind == "power":
        return dsp.power_to_db(x, ref=peak)
    return x


def _spectral(name, kept, path: Path) -> Path:
    import dsp

    f = F.FEATURES[name]
    o, r = _worst_channel(kept["ours"], kept["ref"])
    peak = float(np.max(np.abs(r))) or 1.0
    diff = np.abs(o.astype(np.complex128) - r) / peak
    diff_db = np.maximum(20 * np.log10(np.maximum(diff, 1e-300)), _FLOOR_DB)
    geo, params = kept["geometry"], kept["params"]
    kw = dict(x_axis="time", y_axis=f.y_axis, sr=kept["sr"], hop_length=geo["hop_length"], n_fft=geo.get("n_fft"))
    if f.y_axis == "mel":
        kw.update(fmin=params.get("fmin", 0.0), fmax=params.get("fmax"), htk=params.get("htk", False))
    fig = _figure(figsize=(15, 4.2), layout="constrained")
    axes = fig.subplots(1, 3, sharex=True, sharey=True)
    unit = " (dB)" if f.db else ""
    panels = ((_db(o, f.db, peak), f"ours: dsp {name}{unit}"),
              (_db(r, f.db, peak), f"reference: {F.reference_name(name)}{unit}"),
              (diff_db, "difference, dB re reference peak"))
    for ax, (data, title) in zip(axes, panels):
        mesh = dsp.display.specshow(np.asarray(data, dtype=np.float64), ax=ax, **kw)
        ax.set_title(title, fontsize=10)
        if f.y_axis == "frames":  # rows are coefficients (mfcc) or CQT bins, not frames
            ax.set_ylabel("coefficient" if name == "mfcc" else "bin")
        fig.colorbar(mesh, ax=ax, format="%+.0f" if f.db or data is diff_db else "%.2g")
    fig.suptitle(f"{name}: worst file {Path(kept['file']).name} (peak-relative {kept['peak_rel']:.2e})",
                 fontsize=11)
    out = path / f"{name}.png"
    fig.savefig(out, dpi=90)
    return out


def _speedups(summary, path: Path) -> Path | None:
    rows = [(s["feature"], s["median_speedup"]) for s in summary if s.get("median_speedup")]
    if not rows:
        return None
    fig = _figure(figsize=(1.2 * len(rows) + 3, 4), layout="constrained")
    ax = fig.subplots()
    names, values = zip(*rows)
    bars = ax.bar(names, values, color=["#3a7" if v >= 1 else "#c54" for v in values])
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_yscale("log")
    from matplotlib.ticker import FormatStrFormatter

    ax.yaxis.set_major_formatter(FormatStrFormatter("%gx"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%gx"))
    ax.set_ylabel("speed-up (reference time / our time)")
    ax.set_title("median speed-up per feature", fontsize=11)
    for bar, v in zip(bars, values):
        ax.annotate(f"{v:.2f}x", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=9)
    ax.tick_params(axis="x", rotation=30)
    out = path / "speedup.png"
    fig.savefig(out, dpi=90)
    return out


def make_plots(records, kept: dict, folder) -> dict:
    """Draw the plots into ``folder``; returns ``{caption: path}`` (empty when nothing to draw).

    ``kept`` maps a spectral feature to its worst file's arrays (as :func:`dsp.compare.compare`
    keeps them): ``{'ours', 'ref', 'file', 'sr', 'geometry', 'params', 'peak_rel'}``.
    """
    from .report import summarize

    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, k in kept.items():
        out[f"{name}: ours, reference and difference on {Path(k['file']).name}"] = _spectral(name, k, path)
    sp = _speedups(summarize(records), path)
    if sp is not None:
        out["speed-up per feature"] = sp
    return out
