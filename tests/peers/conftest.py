"""Print the totals of the peer suites at the end of the session (``make test`` output)."""


def pytest_terminal_summary(terminalreporter):
    import test_peer_suites

    if not test_peer_suites.TOTALS:
        return
    tr = terminalreporter
    tr.section("peer test suites against dsp (tests/peers)")
    tr.line(f"{'suite':28s} {'collected':>9s} {'reached ours':>12s} {'passed':>7s} {'deliberate':>10s} {'unexpected':>10s}")
    for label, s in test_peer_suites.TOTALS:
        tr.line(f"{label:28s} {s['collected']:9d} {s['reached']:12d} {s['passed']:7d} "
                f"{len(s['deliberate']):10d} {len(s['unexpected']):10d}")
