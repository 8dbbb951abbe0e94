"""pytest plugin that routes a peer library's public functions to ours, inside the peer's own tests.

Loaded into a separate pytest process by :mod:`peer_runner` (``-p peer_shim``), never into the
project's own test process: it replaces attributes of ``pywt``, ``numpy.fft``, ``scipy.fft`` and
``scipy.signal`` for the whole process.

What it does
------------
* ``pytest_configure`` (before any peer test module is imported, so ``from scipy.fft import dct``
  at the top of a test file binds ours) replaces each routed name in the peer's namespace by a
  thin counting wrapper around our function. Only the names listed in :data:`ROUTES` move; every
  other function, and the peer's internals (``pywt.wavedec2`` still calls PyWavelets' own C
  ``dwt``), stay on the peer.
* Before every test the routing is checked again (a test may not undo it unnoticed) and a
  per-test call counter is reset; after the test the counter says whether the test *reached our
  code*: whether at least one routed function was called while it ran (setup, call, teardown).
* At the end it writes one JSON file (path in ``DSP_PEER_RESULTS``): the suite, the routes, and
  per test its outcome, the number of calls into our functions and, for failures, the error's
  last line.

A few routes are conditional: the peer keeps the calls we do not implement (``dct(x, type=4)``,
``get_window`` names we lack) -- see :func:`_dct_route` and :func:`_window_route`. Those calls
are not counted as reaching our code.

The suite to route is named by ``DSP_PEER_SUITE`` (a key of :data:`ROUTES`).
"""
from __future__ import annotations

import functools
import importlib
import json
import os
import threading

import pytest

# suite -> list of (peer module, attribute, our module, our attribute, router or None)
# A router(peer_function, ours, args, kwargs) returns the function to call (ours or the peer's).
ROUTES: dict[str, list] = {}

_PYWT_NAMES = ("dwt", "idwt", "wavedec", "waverec", "swt", "iswt",
               "dwt_max_level", "swt_max_level", "dwt_coeff_len",
               # issue 20: 2-D/n-D, their helpers, thresholding, 2-D/n-D stationary
               "dwt2", "idwt2", "dwtn", "idwtn", "wavedec2", "waverec2", "wavedecn", "waverecn",
               "coeffs_to_array", "array_to_coeffs", "ravel_coeffs", "unravel_coeffs",
               "wavedecn_shapes", "wavedecn_size", "dwtn_max_level", "downcoef", "upcoef",
               "threshold", "threshold_firm", "swt2", "iswt2", "swtn", "iswtn",
               # cwt only: our integrate_wavelet/central_frequency take continuous wavelets only
               # (PyWavelets' also integrate the discrete ones from their wavefun)
               "cwt", "fswavedecn", "fswaverecn")


def _dct_route(peer, ours, args, kwargs):
    """Types 1-3 go to ours (with every argument of SciPy's signature); type 4 stays on SciPy."""
    type_ = args[1] if len(args) > 1 else kwargs.get("type", 2)
    if type_ not in (1, 2, 3) or isinstance(type_, bool):
        return None
    return ours


def _window_route(peer, ours, args, kwargs):
    """Windows our get_window implements go to ours -- numbers (Kaiser beta), names and tuples
    whose name we know, right or wrong in their parameters (our errors are tested too), arrays
    and other specs included; only names we do not implement stay on SciPy."""
    from dsp import windows as ourwin

    window = args[0] if args else kwargs.get("window")
    name = window[0] if isinstance(window, tuple) and window and isinstance(window[0], str) else window
    if isinstance(name, str):
        key = name.lower()
        for suffix in ("_symmetric", "_periodic"):
            key = key[: -len(suffix)] if key.endswith(suffix) else key
        if key not in ourwin._NAMES:
            return None
    return ours


ROUTES["pywt"] = [("pywt", name, "dsp", name, None) for name in _PYWT_NAMES]
# the packet trees (issue 20) under PyWavelets' packet tests, kept apart like the Wavelet class:
# pywt's own code type-checks its Node classes
ROUTES["pywt.packets"] = [("pywt", name, "dsp", name, None)
                          for name in ("WaveletPacket", "WaveletPacket2D", "WaveletPacketND")]
# our Wavelet class (and wavelist/families) under PyWavelets' Wavelet tests; kept apart from the
# "pywt" suite because pywt's own 2-D code accepts only its own Wavelet type
ROUTES["pywt.Wavelet"] = [("pywt", name, "dsp", name, None) for name in ("Wavelet", "wavelist", "families")]
ROUTES["numpy.fft"] = [("numpy.fft", name, "dsp", name, None) for name in ("fft", "ifft", "rfft", "irfft")]
ROUTES["scipy.fft"] = [("scipy.fft", name, "dsp", name, _dct_route) for name in ("dct", "idct")]
ROUTES["scipy.signal.windows"] = [("scipy.signal", "get_window", "dsp", "get_window", _window_route),
                                  ("scipy.signal.windows", "get_window", "dsp", "get_window", _window_route)]

_lock = threading.Lock()
_calls = {"n": 0}
_installed: list = []  # (module, attribute, wrapper)
_results: dict = {}


def _wrap_class(peer_cls, our_cls, label):
    """A subclass of our class whose construction counts as a call into our code."""

    def __init__(self, *args, **kwargs):
        with _lock:
            _calls["n"] += 1
        our_cls.__init__(self, *args, **kwargs)

    routed = type(peer_cls.__name__, (our_cls,), {"__init__": __init__, "__module__": __name__,
                                                  "__wrapped__": our_cls, "_dsp_route": label})
    globals()[peer_cls.__name__] = routed  # so that pickle finds it as peer_shim.<name>
    return routed


def _wrap(peer_fn, our_fn, router, label):
    if isinstance(our_fn, type):
        return _wrap_class(peer_fn, our_fn, label)
    @functools.wraps(peer_fn)
    def routed(*args, **kwargs):
        target = our_fn if router is None else router(peer_fn, our_fn, args, kwargs)
        if target is None:
            return peer_fn(*args, **kwargs)
        with _lock:
            _calls["n"] += 1
        return target(*args, **kwargs)

    routed.__wrapped__ = our_fn
    routed._dsp_route = label
    return routed


def _register_capabilities(peer_fn, wrapper):
    """SciPy's tests look functions up in its array-API capabilities table (keyed by the function
    object): the routed wrapper gets the peer function's entry."""
    try:
        from scipy._lib._array_api import xp_capabilities_table as table
    except ImportError:
        return
    if peer_fn in table:
        table[wrapper] = table[peer_fn]


def install(suite: str) -> list[str]:
    """Route the suite's names to ours; return the labels ``peer.name -> dsp.name``."""
    labels = []
    for peer_mod, name, our_mod, our_name, router in ROUTES[suite]:
        pm = importlib.import_module(peer_mod)
        om = importlib.import_module(our_mod)
        peer_fn, our_fn = getattr(pm, name), getattr(om, our_name)
        label = f"{peer_mod}.{name} -> {our_mod}.{our_name}" + (" (conditional)" if router else "")
        wrapper = _wrap(peer_fn, our_fn, router, label)
        _register_capabilities(peer_fn, wrapper)
        setattr(pm, name, wrapper)
        _installed.append((pm, name, wrapper, our_fn))
        labels.append(label)
    check_routing()
    return labels


def check_routing():
    """Assert that every routed name still points at our function."""
    assert _installed, "peer shim: nothing routed"
    for pm, name, wrapper, our_fn in _installed:
        current = getattr(pm, name)
        assert current is wrapper and current.__wrapped__ is our_fn, (
            f"peer shim: {pm.__name__}.{name} is no longer routed to dsp (it is {current!r})"
        )


def pytest_configure(config):
    suite = os.environ["DSP_PEER_SUITE"]
    config._dsp_peer = {"suite": suite, "routes": install(suite)}


def pytest_collection_finish(session):
    check_routing()  # the test modules are imported: nothing they did at import undid the routing
    for item in session.items:
        _results[item.nodeid] = {"outcome": "not run", "calls": 0}


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    check_routing()
    with _lock:
        _calls["n"] = 0
    yield
    entry = _results.setdefault(item.nodeid, {"outcome": "not run", "calls": 0})
    entry["calls"] = _calls["n"]


def pytest_runtest_logreport(report):
    entry = _results.setdefault(report.nodeid, {"outcome": "not run", "calls": 0})
    if report.failed:
        entry["outcome"] = "failed"
        text = str(report.longrepr)
        lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
        entry["error"] = (lines[-1] if lines else text.splitlines()[-1] if text else "")[:300]
        entry.setdefault("phase", report.when)
    elif report.skipped and entry["outcome"] != "failed":
        entry["outcome"] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    elif report.when == "call" and report.passed and entry["outcome"] == "not run":
        entry["outcome"] = "xpassed" if hasattr(report, "wasxfail") else "passed"


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("DSP_PEER_RESULTS")
    if not path:
        return
    info = session.config._dsp_peer
    with open(path, "w") as f:
        json.dump({"suite": info["suite"], "routes": info["routes"], "tests": _results}, f, indent=0)
