"""Numba's threading layer for our parallel kernels: TBB, chosen so that forks and threads are safe.

Measured on Linux (numba 0.68, 2 cores), with the parent process calling ``dsp.stft`` and
``dsp.melspectrogram`` before it forks or starts threads:

========== ============================== =============================================
layer      fork after use (mp, DataLoader) 8 Python threads calling kernels at once
========== ============================== =============================================
``omp``    every forked worker dies:       works
           GNU OpenMP aborts a child of a
           process that used it
``workq``  works                           aborts the process (exit 134): the workqueue
                                           layer refuses concurrent parallel regions
``tbb``    works                           works, results bit-identical to serial calls
========== ============================== =============================================

So TBB it is: a runtime dependency (the ``tbb`` wheel). The wheel installs ``libtbb.so.12`` into
``<prefix>/lib``, which is not on the loader's path in a virtual environment, so Numba's TBB pool
fails to load it by name; :func:`configure` loads it first, by its full path, with
``RTLD_GLOBAL``, after which Numba's extension finds it already loaded.

A layer the user chose (``NUMBA_THREADING_LAYER`` in the environment, or
``numba.config.THREADING_LAYER`` set before the first parallel call) is always respected. Where
TBB cannot be loaded, Numba's own choice stands and one warning says what that means.
"""
from __future__ import annotations

import ctypes
import os
import sys
import warnings

_TBB_NAMES = ("libtbb.so.12", "libtbb.12.dylib", "tbb12.dll")
_state = {"configured": False, "layer": None}


def _tbb_candidates():
    """Paths where the ``tbb`` wheel may have put its shared library."""
    try:
        from importlib import metadata

        for f in metadata.files("tbb") or ():
            if f.name in _TBB_NAMES:
                yield str(f.locate())
    except Exception:  # the distribution is not installed, or its RECORD is unreadable
        pass
    for prefix in (sys.prefix, sys.base_prefix, getattr(sys, "exec_prefix", sys.prefix)):
        for name in _TBB_NAMES:
            yield os.path.join(prefix, "lib", name)


def _load_tbb() -> bool:
    """Make ``libtbb`` loadable by Numba's TBB pool; True when the pool imports."""
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401  (already on the loader's path: conda)

        return True
    except ImportError:
        pass
    for path in _tbb_candidates():
        if os.path.exists(path):
            try:
                ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
                from numba.np.ufunc import tbbpool  # noqa: F401,F811

                return True
            except (OSError, ImportError):
                continue
    return False


def configure() -> str | None:
    """Select the TBB threading layer unless the user chose one; return the layer asked for.

    Called at ``import dsp`` (before the user can start Numba's pool: ``numba.set_num_threads``
    starts it, and the pool's first start fixes the layer) and again when
    :mod:`dsp_kernels.config` is imported (before any kernel can run). Safe to call again.
    Returns ``'tbb'``, the user's choice, or ``None`` (Numba decides).
    """
    if _state["configured"]:
        return _state["layer"]
    import numba

    _state["configured"] = True
    chosen = os.environ.get("NUMBA_THREADING_LAYER") or None
    if chosen is None and numba.config.THREADING_LAYER not in ("default", None):
        chosen = numba.config.THREADING_LAYER  # set in code before dsp was imported
    if chosen is not None:
        if chosen in ("tbb", "safe", "threadsafe", "forksafe"):
            _load_tbb()  # layers that use TBB need the library loadable, whoever chose them
        _state["layer"] = chosen
        return chosen
    if _load_tbb():
        numba.config.THREADING_LAYER = "tbb"
        _state["layer"] = "tbb"
    else:
        warnings.warn(
            "dsp: the TBB threading layer could not be loaded (install the 'tbb' package); "
            "Numba's default layer is used, which may abort forked worker processes "
            "(multiprocessing, DataLoader) after a parallel kernel ran in the parent",
            RuntimeWarning,
            stacklevel=2,
        )
    return _state["layer"]


def active_layer() -> str | None:
    """The layer Numba is running (None before the first parallel kernel has run)."""
    import numba

    try:
        return numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        return None
