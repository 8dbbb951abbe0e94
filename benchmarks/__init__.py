"""The benchmark and parity suite: ``python -m benchmarks`` (``make bench``).

Times our operations against their peers in alternating runs in one process, reports ratios, parity
errors against a reference, peak memory and first-call latency (fresh processes), and writes a table,
``benchmarks/results/<machine>-<date>.json`` and PNG plots. See ``python -m benchmarks --help``.
"""
