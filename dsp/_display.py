"""``specshow`` and ``waveshow`` on matplotlib, with librosa.display 0.11's axis conventions.

matplotlib is optional (the ``plot`` extra) and imported only when a function here is called:
``import dsp`` never imports it.

Axis coordinates are the bin centres librosa uses (``pcolormesh`` with ``shading='auto'``):
'time'/'s'/'ms'/'m'/'h' frame times, 'linear'/'fft'/'hz'/'log' FFT bin frequencies, 'mel' mel
band centres, 'chroma' pitch classes, 'frames'/None/'off' indices. 'log' and 'mel' use the same
symlog scales as librosa.
"""
from __future__ import annotations

import numpy as np

from ._errors import DSPError

__all__ = ["specshow", "waveshow", "cmap"]

_TIME = ("time", "s", "ms", "m", "h", "lag", "lag_s", "lag_ms", "lag_m", "lag_h")
_FFT = ("linear", "fft", "hz", "log")
_AXES = _TIME + _FFT + ("mel", "chroma", "frames", "off", None)
_PITCH = ["C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"]


def _mpl():
    try:
        import matplotlib.pyplot as plt
        from matplotlib import ticker
    except ImportError as exc:  # pragma: no cover - the plot extra is missing
        raise DSPError("dsp.display needs matplotlib: install the 'plot' extra "
                       "(pip install 'dsp-pyramids[plot]')") from exc
    return plt, ticker


def cmap(data, *, robust=True, cmap_seq="magma", cmap_bool="gray_r", cmap_div="coolwarm"):
    """A colormap for ``data``, as ``librosa.display.cmap``.

    Boolean data: ``cmap_bool``; data of one sign (its 1st-99th percentiles with ``robust``):
    ``cmap_seq``; otherwise the diverging ``cmap_div``.

    Parameters
    ----------
    data : np.ndarray
    robust : bool
    cmap_seq, cmap_bool, cmap_div : str

    Returns
    -------
    matplotlib.colors.Colormap

    Examples
    --------
    >>> import numpy as np, dsp
    >>> dsp.display.cmap(np.array([0.0, 1.0])).name
    'magma'
    """
    from matplotlib import colormaps

    data = np.atleast_1d(data)
    if data.dtype == bool:
        return colormaps[cmap_bool]
    data = data[np.isfinite(data)]
    lo, hi = (1, 99) if robust else (0, 100)
    lo_v, hi_v = np.percentile(data, [lo, hi]) if data.size else (0.0, 0.0)
    if lo_v >= 0 or hi_v <= 0:
        return colormaps[cmap_seq]
    return colormaps[cmap_div]


def _coords(ax_type, coords, n, *, sr, hop_length, n_fft, fmin, fmax, htk, bins_per_octave):
    if coords is not None:
        coords = np.asarray(coords)
        if len(coords) not in (n, n + 1):
            raise DSPError(f"coordinates have length {len(coords)}: need {n} or {n + 1} for this axis")
        return coords
    if ax_type not in _AXES:
        accepted = ", ".join(repr(a) for a in _AXES)
        raise DSPError(f"axis type {ax_type!r} is not supported: use one of {accepted}")
    if ax_type in _TIME:
        return np.arange(n) * hop_length / float(sr)
    if ax_type in _FFT:
        from .fourier import fft_frequencies

        return fft_frequencies(sr=sr, n_fft=2 * (n - 1) if n_fft is None else n_fft)
    if ax_type == "mel":
        from .mel import mel_frequencies

        return mel_frequencies(n, fmin=0.0 if fmin is None else fmin, fmax=0.5 * sr if fmax is None else fmax, htk=htk)
    if ax_type == "chroma":
        return np.linspace(0, 12.0 * n / bins_per_octave, num=n, endpoint=False)
    return np.arange(n)


def _decorate(axis, ax_type, which, ticker, bins_per_octave):
    set_label = axis.set_label_text
    if ax_type in ("mel", "log"):
        kw = dict(base=2, linthresh=1000.0) if ax_type == "mel" else dict(base=2, linthresh=65.40639132514966, linscale=0.5)
        (axis.axes.set_xscale if which == "x" else axis.axes.set_yscale)("symlog", **kw)
        axis.set_major_formatter(ticker.ScalarFormatter())
        set_label("Hz")
    elif ax_type in ("linear", "fft", "hz"):
        set_label("Hz")
    elif ax_type in _TIME:
        unit = {"time": None, "lag": None}.get(ax_type, ax_type.replace("lag_", ""))
        scale = {"ms": 1e3, "s": 1.0, "m": 1 / 60.0, "h": 1 / 3600.0, None: 1.0}[unit]
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _p, s=scale: f"{v * s:g}"))
        set_label("Time" if unit is None else f"Time ({unit})")
    elif ax_type == "chroma":
        step = 12.0 / 12
        axis.set_major_locator(ticker.MultipleLocator(step))
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _p: _PITCH[int(round(v)) % 12]))
        set_label("Pitch class")
    elif ax_type == "frames":
        set_label("Frames")
    elif ax_type == "off":
        axis.set_ticks([])
        set_label("")


def specshow(data, *, x_coords=None, y_coords=None, x_axis=None, y_axis=None, sr=22050,
             hop_length=512, n_fft=None, win_length=None, fmin=None, fmax=None, tuning=0.0,
             bins_per_octave=12, key="C:maj", htk=False, auto_aspect=True, ax=None, **kwargs):
    """Display a spectrogram or feature matrix, as ``librosa.display.specshow``.

    Parameters
    ----------
    data : np.ndarray [shape=(d, t)]
        Complex input is shown as its magnitude (with a warning).
    x_coords, y_coords : np.ndarray or None
        Explicit coordinates (length ``t``/``d`` or one more).
    x_axis, y_axis : str or None
        'time', 's', 'ms', 'm', 'h' (frame times); 'linear', 'fft', 'hz', 'log' (FFT bins,
        'log' on a symlog scale); 'mel' (band centres, symlog); 'chroma'; 'frames'; 'off'; None.
    sr, hop_length, n_fft, fmin, fmax, htk, bins_per_octave :
        What the coordinates need.
    win_length, tuning, key :
        Accepted for librosa compatibility (not used by the supported axis types).
    auto_aspect : bool
        Equal aspect when both axes have the same type.
    ax : matplotlib.axes.Axes or None
        Default the current axes.
    **kwargs :
        ``pcolormesh``'s keyword arguments (``cmap`` default :func:`cmap`).

    Returns
    -------
    matplotlib.collections.QuadMesh

    Raises
    ------
    DSPError
        An unknown axis type, coordinates of the wrong length, ``data`` not 2-D, ``ax`` not
        an Axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, dsp
    >>> S = np.abs(dsp.stft(np.random.default_rng(0).standard_normal(22050)))
    >>> mesh = dsp.display.specshow(dsp.amplitude_to_db(S), x_axis="time", y_axis="log")
    >>> mesh.axes.get_yscale()
    'symlog'
    """
    import warnings

    plt, ticker = _mpl()
    from matplotlib.axes import Axes

    data = np.asarray(data)
    if np.iscomplexobj(data):
        warnings.warn("Trying to display complex-valued input. Showing magnitude instead.", stacklevel=2)
        data = np.abs(data)
    if data.ndim != 2:
        raise DSPError(f"data has {data.ndim} dimension(s): specshow needs a 2-D (d, t) array")
    for name, t in (("x_axis", x_axis), ("y_axis", y_axis)):
        if t not in _AXES:
            raise DSPError(f"{name}={t!r} is not supported: use one of {', '.join(repr(a) for a in _AXES)}")
    current = ax is None
    if current:
        ax = plt.gca()
    elif not isinstance(ax, Axes):
        raise DSPError(f"ax must be a matplotlib.axes.Axes, got {type(ax).__name__}")
    kwargs.setdefault("cmap", cmap(data))
    kwargs.setdefault("rasterized", True)
    kwargs.setdefault("edgecolors", "None")
    kwargs.setdefault("shading", "auto")
    params = dict(sr=sr, hop_length=hop_length, n_fft=n_fft, fmin=fmin, fmax=fmax, htk=htk,
                  bins_per_octave=bins_per_octave)
    yc = _coords(y_axis, y_coords, data.shape[0], **params)
    xc = _coords(x_axis, x_coords, data.shape[1], **params)
    mesh = ax.pcolormesh(xc, yc, data, **kwargs)
    if current:
        plt.sci(mesh)
    _decorate(ax.xaxis, x_axis, "x", ticker, bins_per_octave)
    _decorate(ax.yaxis, y_axis, "y", ticker, bins_per_octave)
    if auto_aspect and x_axis is not None and x_axis == y_axis and ax.get_xlim() == ax.get_ylim():
        ax.set_aspect("equal")
    return mesh


def waveshow(y, *, sr=22050, max_points=11025, axis="time", offset=0.0, marker="", where="post",
             label=None, transpose=False, ax=None, x_axis=None, **kwargs):
    """Display a waveform, as ``librosa.display.waveshow``.

    Short signals (at most ``max_points`` samples) are drawn sample by sample; longer ones as
    their min/max envelope over blocks of samples.

    Parameters
    ----------
    y : np.ndarray [shape=(n,) or (2, n)]
        Mono, or stereo (both channels overlaid).
    sr : float > 0
    max_points : int > 0
    axis : {'time', 's', 'ms', 'frames', None}
        The time axis' decoration.
    offset : float
        Start time, seconds.
    marker, where, label : matplotlib options
    transpose : bool
        Time on the vertical axis.
    ax : matplotlib.axes.Axes or None
    x_axis : deprecated alias of ``axis``
    **kwargs :
        ``plot``/``fill_between``'s keyword arguments.

    Returns
    -------
    list of matplotlib artists

    Raises
    ------
    DSPError
        ``y`` with more than 2 channels or dimensions, ``max_points < 1``, an unknown ``axis``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, dsp
    >>> arts = dsp.display.waveshow(np.sin(np.arange(50000) / 20.0), sr=22050)
    >>> len(arts) >= 1
    True
    """
    plt, ticker = _mpl()
    from ._validation import as_float_array, check_int

    y = as_float_array(y, name="y")
    if y.ndim > 2 or (y.ndim == 2 and y.shape[0] > 2):
        raise DSPError(f"y has shape {y.shape}: waveshow needs (n,) or (2, n)")
    max_points = check_int("max_points", max_points, minimum=1)
    if x_axis is not None:
        axis = x_axis
    if axis not in ("time", "s", "ms", "frames", None, "off"):
        raise DSPError(f"axis={axis!r} is not supported: use 'time', 's', 'ms', 'frames', 'off' or None")
    if ax is None:
        ax = plt.gca()
    chans = [y] if y.ndim == 1 else list(y)
    n = chans[0].shape[-1]
    artists = []
    for ch in chans:
        if n <= max_points:
            t = offset + np.arange(n) / float(sr)
            xy = (ch, t) if transpose else (t, ch)
            artists += ax.step(*xy, marker=marker, where=where, label=label, **kwargs)
        else:
            hop = int(np.ceil(n / max_points))
            m = n // hop
            blocks = ch[: m * hop].reshape(m, hop)
            t = offset + np.arange(m) * hop / float(sr)
            lo, hi = blocks.min(axis=1), blocks.max(axis=1)
            if transpose:
                artists.append(ax.fill_betweenx(t, lo, hi, label=label, **kwargs))
            else:
                artists.append(ax.fill_between(t, lo, hi, step="post", label=label, **kwargs))
    _decorate(ax.yaxis if transpose else ax.xaxis, "time" if axis == "time" else axis,
              "y" if transpose else "x", ticker, 12)
    return artists
