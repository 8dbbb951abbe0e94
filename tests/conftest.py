"""Shared fixtures: real recordings shipped in tests/data, and dtype parametrisation."""
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
RECORDINGS = {
    "speech": "speech_en.wav",  # 22.05 kHz mono speech
    "speech16k": "speech_en_16k.wav",  # 16 kHz mono speech
    "chord": "chord_22k.wav",  # 22.05 kHz plucked chord
    "chirp": "chirp_44k.wav",  # 44.1 kHz, 50 Hz - 18 kHz
    "stereo": "stereo_22k.wav",  # 22.05 kHz stereo
}


def load_recording(name: str, dtype=np.float32):
    """Return ``(y, sr)`` for a recording in tests/data; stereo comes as shape (2, n)."""
    import soundfile as sf

    y, sr = sf.read(DATA / RECORDINGS[name], dtype="float64", always_2d=True)
    y = y.T if y.shape[1] > 1 else y[:, 0]
    return np.ascontiguousarray(y, dtype=dtype), sr


@pytest.fixture(params=[np.float32, np.float64], ids=["f32", "f64"])
def dtype(request):
    return np.dtype(request.param)


@pytest.fixture(scope="session")
def recording():
    return load_recording


# ---------------------------------------------------------------------------------------------
# Hypothesis budget (issue 15): property tests run a bounded number of examples in `make test`
# ("ci", the default); HYPOTHESIS_PROFILE=fuzz raises it. Tests marked `fuzz` carry their own
# larger budget and run only when selected (`pytest -m fuzz`).
import os as _os  # noqa: E402

from hypothesis import settings as _hsettings  # noqa: E402

#: examples per property test in `make test`
CI_EXAMPLES = 25
_hsettings.register_profile("ci", max_examples=CI_EXAMPLES, deadline=None, derandomize=True,
                            print_blob=True)
_hsettings.register_profile("fuzz", max_examples=1000, deadline=None, print_blob=True)
_hsettings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    if "fuzz" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="fuzz budget: run with `pytest -m fuzz`")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    """Print the totals of the peer suites (tests/peers/test_peer_suites.py) at the end.

    Here rather than in tests/peers/conftest.py: a second module named ``conftest`` would shadow
    this one for the tests that import ``load_recording`` from it.
    """
    import sys

    suites = sys.modules.get("test_peer_suites")
    totals = getattr(suites, "TOTALS", None)
    if not totals:
        return
    tr = terminalreporter
    tr.section("peer test suites against dsp (tests/peers)")
    tr.line(f"{'suite':28s} {'collected':>9s} {'reached ours':>12s} {'passed':>7s} {'deliberate':>10s} {'unexpected':>10s}")
    for label, s in totals:
        tr.line(f"{label:28s} {s['collected']:9d} {s['reached']:12d} {s['passed']:7d} "
                f"{len(s['deliberate']):10d} {len(s['unexpected']):10d}")


# ---------------------------------------------------------------------------------------------
# Kernels called through dsp_kernels.entry.KeyedEntry skip Numba's typing once a key is known:
# in the tests every such call checks that its key still determines its argument types.
import dsp_kernels.entry as _entry  # noqa: E402

_entry.VERIFY = True
