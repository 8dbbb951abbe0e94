"""Compare on your own data: our features against librosa's / PyWavelets' on your audio files.

For each file and feature: the peak-relative and RMS errors against the reference library on the
same decoded samples and the same keywords, where the worst difference lies (bin, frame, time),
both libraries' times (alternating runs, medians) and peak memory, and a per-feature verdict against
the project's stated tolerance (:mod:`dsp.compare.tolerances`), with the documented reason where a
result lies outside it. Markdown/HTML reports and matplotlib plots on request. The command line is
``dsp-pyramids compare``; see docs/compare.md.

``import dsp`` never imports this package; the reference libraries (librosa, PyWavelets) are
imported when a run needs them (the ``compare`` extra installs them).

Examples
--------
>>> from dsp.compare import compare, summarize
>>> rows = compare(['tests/data/chord_22k.wav'], features=['stft', 'mfcc'], repeats=1,
...                report='report.md', progress=False)                          # doctest: +SKIP
>>> [(s['feature'], s['verdict']) for s in summarize(rows)]                  # doctest: +SKIP
[('stft', 'agrees within 1e-05 (float32)'), ('mfcc', 'agrees within 1e-05 (float32)')]
"""
from .config import Plan, plan
from .features import DEFAULT_FEATURES, FEATURES
from .report import summarize, write_report
from .run import compare, files_from
from .tolerances import KNOWN, RTOL, explain, tolerance

__all__ = ["compare", "summarize", "write_report", "files_from", "plan", "Plan", "FEATURES",
           "DEFAULT_FEATURES", "RTOL", "KNOWN", "tolerance", "explain"]
