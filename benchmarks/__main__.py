"""Placeholder until the suite lands (issue 9): says so and exits cleanly."""
import sys

print("benchmarks: the suite has not landed yet; nothing to run.", file=sys.stderr)
