"""Child script: use the kernels, then fork/spawn/forkserver workers that use them too.

Usage: python -m procs.fork_after_use METHOD   (METHOD: fork, spawn, forkserver, executor, dataloader)
Prints 'OK <method> <n>' when every worker's result equals the parent's, bit for bit.
"""
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from procs import workers


def main(method: str) -> None:
    expected = workers.all_ops(seed=3)  # the parent uses every kernel first
    if method == "dataloader":
        import torch.utils.data as tud

        ds = workers.MelDataset()
        direct = [ds[i] for i in range(len(ds))]
        loader = tud.DataLoader(ds, batch_size=None, num_workers=2)
        got = list(loader)
        assert all(np.array_equal(np.asarray(g), d) for g, d in zip(got, direct)), "DataLoader results differ"
        print("OK dataloader", len(got))
        return
    if method == "executor":
        with ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as ex:
            results = list(ex.map(workers.all_ops, [3, 3]))
    else:
        with mp.get_context(method).Pool(2) as pool:
            results = pool.map(workers.all_ops, [3, 3, 3])
    for res in results:
        for name, got, want in zip(workers.OPS, res, expected):
            assert np.array_equal(got, want), f"{name}: a {method} worker's result differs"
    print("OK", method, len(results))


if __name__ == "__main__":
    main(sys.argv[1])
