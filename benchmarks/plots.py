"""PNG plots next to the JSON: ours/peer ratio bars per operation, and our spectrogram beside
librosa's with their difference. matplotlib is imported here only (Agg, no display needed)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


_TICKS = [m * 10.0**e for e in range(-3, 4) for m in (1, 2, 5)]


def ratio_chart(record: dict, path: Path) -> Path | None:
    """One panel per operation: a bar per peer, ours/peer on a log axis (left of 1: ours faster)."""
    panels = []
    for op in record["ops"]:
        bars = [(im["name"], im["ratio"]) for im in op["impls"]
                if not im["ours"] and im.get("ratio") and im["ratio"].get("ratio")]
        if op["status"] == "ok" and bars:
            panels.append((op, bars))
    if not panels:
        return None
    plt = _plt()
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 1.2 + 0.55 * nrows * 4),
                             squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (op, bars) in zip(axes.flat, panels):
        names = [b[0] for b in bars]
        r = np.array([b[1]["ratio"] for b in bars])
        lo = np.array([b[1].get("ratio_q1") or b[1]["ratio"] for b in bars])
        hi = np.array([b[1].get("ratio_q3") or b[1]["ratio"] for b in bars])
        ypos = np.arange(len(bars))
        colors = ["#2a9d8f" if v <= 1 else "#e76f51" for v in r]
        ax.barh(ypos, r, color=colors, xerr=[np.maximum(r - lo, 0), np.maximum(hi - r, 0)],
                capsize=3)
        ax.axvline(1.0, color="k", lw=0.8)
        ax.set_xscale("log")
        ax.set_yticks(ypos, names, fontsize=8)
        ax.invert_yaxis()
        for y, v, h in zip(ypos, r, hi):
            ax.annotate(f"{v:.2f}x", (max(v, h), y), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8)
        left, right = min(np.min(lo), 1.0) / 3, max(np.max(hi), 1.0) * 4
        ax.set_xlim(left, right)
        ax.xaxis.set_major_locator(FixedLocator([t for t in _TICKS if left <= t <= right]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(op["name"], fontsize=10)
        ax.set_xlabel("time ours / peer (< 1: ours faster)", fontsize=8)
    meta = record["meta"]
    fig.suptitle(f"{meta['machine']} ({meta['cpu_model']}), {meta['date']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def spectrogram_figure(path: Path, seconds: float | None = None) -> Path | None:
    """dB spectrograms of the speech clip from dsp.stft and librosa.stft, and their difference."""
    try:
        import dsp
        import librosa
    except ImportError:
        return None
    if not hasattr(dsp, "stft"):
        return None
    from . import data

    y, sr = data.clip("speech", np.float32)
    if seconds is not None:
        y = y[: int(seconds * sr)]
    ours = np.asarray(dsp.stft(y, n_fft=2048, hop_length=512))
    ref = librosa.stft(y, n_fft=2048, hop_length=512)
    peak = max(float(np.max(np.abs(ref))), 1e-30)

    def db(x):
        return 20 * np.log10(np.maximum(np.abs(x), 1e-6 * peak) / peak)

    diff = 20 * np.log10(np.maximum(np.abs(ours - ref), 1e-15 * peak) / peak)
    top = 10 * math.ceil(float(np.max(diff)) / 10)
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4), sharey=True)
    extent = [0, y.size / sr, 0, sr / 2 / 1000]
    for ax, img, title, vmin, vmax, cmap in (
        (axes[0], db(ours), "dsp.stft (dB re peak)", -100, 0, "magma"),
        (axes[1], db(ref), "librosa.stft (dB re peak)", -100, 0, "magma"),
        (axes[2], diff, "|dsp - librosa| (dB re peak)", top - 80, top, "viridis"),
    ):
        im = ax.imshow(img, origin="lower", aspect="auto", extent=extent, vmin=vmin, vmax=vmax,
                       cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("time (s)")
        fig.colorbar(im, ax=ax)
    axes[0].set_ylabel("frequency (kHz)")
    err = float(np.max(np.abs(ours - ref))) / peak
    fig.suptitle(f"speech_en.wav, n_fft 2048, hop 512, float32: peak-relative difference {err:.1e}",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def make_all(record: dict, json_path: Path, profile) -> list[Path]:
    """Write the plots beside ``json_path`` and return their paths."""
    json_path = Path(json_path)
    stem = json_path.with_suffix("")
    out = []
    p = ratio_chart(record, Path(f"{stem}-ratios.png"))
    if p:
        out.append(p)
    ran_stft = any(op["family"] == "stft" and op["status"] == "ok" for op in record["ops"])
    if ran_stft:
        p = spectrogram_figure(Path(f"{stem}-spectrogram.png"),
                               seconds=1.0 if profile.name == "tiny" else None)
        if p:
            out.append(p)
    return out
