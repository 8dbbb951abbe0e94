"""The toolkit's global state, in one visible place: its settings and its table caches.

Settings (stored in :mod:`dsp_kernels.settings`, where kernels read them)

``gpu_fft`` : ``'auto'`` (default), ``'cufft'`` or ``'own'``
    Which FFT the GPU kernels use: CuPy's cuFFT, or our own numba.cuda kernels (radix-2 Stockham
    and Bluestein, :mod:`dsp_kernels.gpu.fft`). ``'auto'`` is cuFFT on a GPU and our own under
    the CUDA simulator, which has no cuFFT. NumPy input never reads it.

:func:`set` changes a setting for the whole process; :func:`using` changes it for the duration
of a ``with`` block, in the current thread (or ``asyncio`` task) only, and restores it afterwards,
also when the block raises. Threads started inside the block see the process value.

Caches (registered in :mod:`dsp_kernels.caches`)

FFT plans, DCT matrices, windows, mel filterbanks, resampling filters and wavelet filter banks
are computed once per parameter set and kept (each cache bounded). :func:`clear_caches` empties
all of them, e.g. to give memory back after a one-off job over many sizes; :func:`cache_sizes`
says what they hold. GPU tables are kept per CUDA device.

Examples
--------
>>> import dsp
>>> dsp.options.get("gpu_fft")
'auto'
>>> with dsp.options.using(gpu_fft="own"):
...     dsp.options.get("gpu_fft")
'own'
>>> dsp.options.get("gpu_fft")
'auto'
>>> _ = dsp.clear_caches()
>>> sum(dsp.options.cache_sizes().values())
0
"""
from __future__ import annotations

import contextlib

from dsp_kernels import caches as _caches
from dsp_kernels import settings as _settings

from ._errors import DSPError
from ._validation import check_choice

__all__ = ["get", "set", "using", "current", "clear_caches", "cache_sizes"]


def _checked(values: dict) -> dict:
    for name, value in values.items():
        if name not in _settings.CHOICES:
            accepted = ", ".join(sorted(_settings.CHOICES))
            raise DSPError(f"{name}={value!r}: there is no setting {name!r}: the settings are {accepted}")
        check_choice(name, value, _settings.CHOICES[name])
    return values


def get(name: str):
    """The value of setting ``name`` in force in this thread.

    Parameters
    ----------
    name : str
        A setting, e.g. ``'gpu_fft'``.

    Examples
    --------
    >>> import dsp
    >>> dsp.options.get("gpu_fft") in ("auto", "cufft", "own")
    True
    """
    if name not in _settings.CHOICES:
        raise DSPError(f"name={name!r}: there is no such setting: the settings are {sorted(_settings.CHOICES)}")
    return _settings.get(name)


def set(**values) -> dict:  # noqa: A001  (dsp.options.set reads as intended)
    """Change settings for the whole process; returns their previous values.

    Parameters
    ----------
    **values
        ``name=value`` pairs, e.g. ``gpu_fft='own'``.

    Returns
    -------
    dict
        ``{name: previous value}``, which can be passed back to restore them.

    Examples
    --------
    >>> import dsp
    >>> previous = dsp.options.set(gpu_fft="own")
    >>> dsp.options.get("gpu_fft"), previous
    ('own', {'gpu_fft': 'auto'})
    >>> _ = dsp.options.set(**previous)
    """
    _checked(values)
    return {name: _settings.set_value(name, value) for name, value in values.items()}


@contextlib.contextmanager
def using(**values):
    """Within the ``with`` block, and in this thread or task only, use the given settings.

    The previous values come back when the block ends, whether or not it raised.

    Parameters
    ----------
    **values
        ``name=value`` pairs, e.g. ``gpu_fft='cufft'``.

    Examples
    --------
    >>> import dsp
    >>> with dsp.options.using(gpu_fft="own"):
    ...     dsp.options.get("gpu_fft")
    'own'
    """
    _checked(values)
    with _settings.override(**values):
        yield


def current() -> dict:
    """Every setting's value in force in this thread, as ``{name: value}``.

    Examples
    --------
    >>> import dsp
    >>> sorted(dsp.options.current())
    ['gpu_fft']
    """
    return _settings.snapshot()


def clear_caches() -> int:
    """Empty every table cache of the toolkit (dsp's, its kernels', the pyramids'); returns how
    many entries were dropped.

    Only memory is affected: the next call that needs a table builds it again.

    Examples
    --------
    >>> import numpy as np, dsp
    >>> _ = dsp.stft(np.zeros(4096))
    >>> dsp.clear_caches() > 0
    True
    """
    return _caches.clear_all()


def cache_sizes() -> dict:
    """``{cache name: number of entries}`` for every registered table cache.

    Examples
    --------
    >>> import dsp
    >>> any(name.endswith("._filterbank") for name in dsp.options.cache_sizes())
    True
    """
    return dict(_caches.registered())
