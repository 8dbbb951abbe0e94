"""Child script: 8 Python threads call the kernels at once, the first calls racing compilation.

In a fresh process the first calls of every thread load kernels from the disk cache and fill the
plan/window/filter caches concurrently; with the disk cache off (DSP_NUMBA_CACHE=0) they race
the compilation itself. argv[1]: comma-separated ops (default: all of procs.workers.OPS). Every thread's
results must equal the same calls made serially afterwards. Prints 'OK threads <n>'.
"""
import sys
import threading

import numpy as np

from procs import workers

N_THREADS = 8
ROUNDS = 2


def main(ops) -> None:
    results: dict = {}
    errors: list = []
    barrier = threading.Barrier(N_THREADS)

    def run(t: int) -> None:
        try:
            barrier.wait()
            for r in range(ROUNDS):
                for k, name in enumerate(ops):
                    results[(t, r, name)] = workers.op(name, seed=t, variant=t + k)
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(N_THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    for (t, r, name), got in results.items():
        want = workers.op(name, seed=t, variant=t + ops.index(name))
        assert np.array_equal(got, want), f"thread {t} round {r}: {name} differs from the serial call"
    print("OK threads", len(results))


if __name__ == "__main__":
    main(sys.argv[1].split(",") if len(sys.argv) > 1 else list(workers.OPS))
