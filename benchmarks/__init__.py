"""The benchmark and parity suite: ``python -m benchmarks``."""
