"""The toolkit's process settings, in one place (bottom layer: imports nothing of the project).

A setting has a fixed set of accepted values and a default. Kernels read it with :func:`get`;
users change it through :mod:`dsp.options` (which words refusals as :class:`dsp.DSPError`).

Two layers, so that a temporary change is safe with threads and ``asyncio``:

- the process value, changed by :func:`set_value` and seen by every thread;
- an override for the current context (thread or task), installed by :func:`override` and
  removed when its block ends; it hides the process value only there.

Settings
--------
``gpu_fft`` : ``'auto'`` (default), ``'cufft'`` or ``'own'``
    The GPU FFT: ``'cufft'`` is CuPy's cuFFT, ``'own'`` our numba.cuda kernels
    (:mod:`dsp_kernels.gpu.fft`), ``'auto'`` cuFFT on a GPU and our own under the CUDA simulator.

Examples
--------
>>> from dsp_kernels import settings
>>> settings.get("gpu_fft")
'auto'
>>> with settings.override(gpu_fft="own"):
...     settings.get("gpu_fft")
'own'
>>> settings.get("gpu_fft")
'auto'
"""
from __future__ import annotations

import contextlib
import contextvars
import threading

__all__ = ["CHOICES", "DEFAULTS", "get", "set_value", "override", "snapshot"]

#: the accepted values of each setting
CHOICES: dict[str, tuple] = {
    "gpu_fft": ("auto", "cufft", "own"),
}
#: the value each setting starts with
DEFAULTS: dict[str, object] = {
    "gpu_fft": "auto",
}

_process: dict[str, object] = dict(DEFAULTS)
_LOCK = threading.Lock()
_override: contextvars.ContextVar[dict | None] = contextvars.ContextVar("dsp_settings_override", default=None)


def _check(name: str, value) -> None:
    if name not in CHOICES:
        raise KeyError(f"setting {name!r} does not exist: the settings are {sorted(CHOICES)}")
    if value not in CHOICES[name]:
        raise ValueError(f"{name}={value!r} is not supported: use one of {CHOICES[name]}")


def get(name: str):
    """The value of setting ``name`` in force here (the context's override, else the process's)."""
    local = _override.get()
    if local is not None and name in local:
        return local[name]
    return _process[name]


def set_value(name: str, value) -> object:
    """Change the process value of ``name``; returns the previous process value."""
    _check(name, value)
    with _LOCK:
        previous, _process[name] = _process[name], value
    return previous


@contextlib.contextmanager
def override(**values):
    """Within the block, in this thread or task only, the given settings take the given values."""
    for name, value in values.items():
        _check(name, value)
    local = dict(_override.get() or {})
    local.update(values)
    token = _override.set(local)
    try:
        yield
    finally:
        _override.reset(token)


def snapshot() -> dict[str, object]:
    """Every setting's value in force here."""
    return {name: get(name) for name in CHOICES}
