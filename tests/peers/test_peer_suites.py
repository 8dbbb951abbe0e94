"""The peers' own test suites, run against our functions (issue 25).

Each suite runs in a subprocess (:mod:`peer_runner`) with the routing plugin (:mod:`peer_shim`):
PyWavelets' 1-D tests against dsp.dwt/idwt/wavedec/waverec/swt/iswt/dwt_max_level/swt_max_level/
dwt_coeff_len, its Wavelet tests against dsp.Wavelet, numpy/fft/tests against dsp.fft/ifft/rfft/
irfft, scipy/fft/tests/test_real_transforms.py against dsp.dct/idct (types 1-3), and
scipy/signal/tests/test_windows.py against dsp.get_window. A test fails here when the routing is
not in place, when a peer test cannot be collected or run, or when a peer test that fails is not
in the reviewed list of deliberate differences (:mod:`deliberate`, each with its reason).

The default run takes the peer files that can reach our code (about a minute of CPU on the whole;
PyWavelets' 57,408-pair reconstruction test is most of it). ``DSP_PEERS_FULL=1`` (marker
``peers_full``) also runs every file of each peer's test folder -- all of PyWavelets' 1,035
tests, most of which never call ours -- which takes several minutes.
"""
import fnmatch
import os

import pytest

import peer_runner
from deliberate import DELIBERATE
from peer_shim import ROUTES

TOTALS = []  # (label, summary), printed by tests/conftest.py at the end of the session


def _check(suite, full):
    data = peer_runner.run_suite(suite, full=full)
    s = peer_runner.summarise(data)
    TOTALS.append((suite + (" (full)" if full else ""), s))
    print(peer_runner.format_summary(s))
    expected = [f"{pm}.{name} -> {om}.{on}" + (" (conditional)" if router else "")
                for pm, name, om, on, router in ROUTES[suite]]
    assert data["routes"] == expected, "the routing was not installed as listed in peer_shim.ROUTES"
    assert data["returncode"] in (0, 1), f"pytest could not run the {suite} suite:\n{data['output']}"
    assert s["collected"] > 0 and not s["not_run"], f"tests collected but not run: {s['not_run'][:10]}"
    assert s["reached"] > 0, f"no test of the {suite} suite reached our code: is the routing effective?"
    assert not s["unexpected"], (
        f"{len(s['unexpected'])} {suite} test(s) fail against our functions and are not in "
        "tests/peers/deliberate.py:\n" + "\n".join(f"{k}: {v}" for k, v in sorted(s["unexpected"].items())))
    return s


SUITES = list(peer_runner.SUITES)


@pytest.mark.parametrize("suite", SUITES)
def test_peer_suite(suite):
    _check(suite, full=False)


@pytest.mark.peers_full
@pytest.mark.skipif(os.environ.get("DSP_PEERS_FULL") != "1", reason="set DSP_PEERS_FULL=1 for every file of the peers' suites")
@pytest.mark.parametrize("suite", [s for s in SUITES if peer_runner.SUITES[s]["full"] != peer_runner.SUITES[s]["default"]])
def test_peer_suite_full(suite):
    _check(suite, full=True)


def test_deliberate_list_is_short_and_reasoned():
    entries = [(suite, pattern, reason) for suite, d in DELIBERATE.items() for pattern, reason in d.items()]
    assert len(entries) <= 12, "the deliberate-differences list is meant to stay short and reviewed"
    for suite, pattern, reason in entries:
        assert suite in peer_runner.SUITES, suite
        assert len(reason) > 60, f"{pattern}: give the reason"
        assert "::" in pattern and not fnmatch.fnmatchcase("x", pattern), pattern
