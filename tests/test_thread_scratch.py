"""dsp_kernels.thread_scratch: scratch kept per Python thread, bounded, and what uses it.

The 2:1 halving of a clip (one group of blocks: the serial kernel) takes its scratch from here.
Eight threads race it here (a spy shows the serial kernel ran) and in tests/procs/threads_race.py
(the resample variant 16 -> 8 kHz of a 1 s clip, in a fresh process), and a clip's result is
checked against the direct polyphase sum when the scratch was left dirty by a call on other data.
"""
import threading

import numpy as np

from dsp_kernels import thread_scratch
from dsp_kernels.thread_scratch import KEEP, scratch_for


def test_a_thread_gets_back_what_it_made_and_other_threads_get_their_own():
    key = ("test", 1)
    mine = scratch_for(key, lambda: np.zeros(3))
    assert scratch_for(key, lambda: np.ones(3)) is mine
    theirs = []
    t = threading.Thread(target=lambda: theirs.append(scratch_for(key, lambda: np.ones(3))))
    t.start()
    t.join()
    assert theirs[0] is not mine and theirs[0][0] == 1.0


def test_clear_caches_drops_this_threads_scratch():
    import dsp
    from dsp_kernels import caches

    dsp.resample(np.ones(16000, np.float32), orig_sr=16000, target_sr=8000)  # the serial halving
    name = "dsp_kernels.thread_scratch.scratch_for"
    assert caches.registered()[name] >= 1
    dsp.clear_caches()
    assert caches.registered()[name] == 0
    y = np.random.default_rng(1).standard_normal(16000).astype(np.float32)
    first = dsp.resample(y, orig_sr=16000, target_sr=8000)  # made again, same result
    assert caches.registered()[name] >= 1
    assert np.array_equal(first, dsp.resample(y, orig_sr=16000, target_sr=8000))


def test_each_thread_keeps_at_most_keep_shapes_dropping_the_oldest():
    made = []

    def run():
        for i in range(KEEP + 3):
            scratch_for(("bounded", i), lambda i=i: made.append(i) or np.empty(1))
        kept = thread_scratch._local.kept
        assert len(kept) == KEEP
        assert ("bounded", 0) not in kept and ("bounded", KEEP + 2) in kept
        scratch_for(("bounded", 0), lambda: made.append("again") or np.empty(1))

    t = threading.Thread(target=run)  # a fresh thread: nothing kept yet
    t.start()
    t.join()
    assert made == list(range(KEEP + 3)) + ["again"]


def test_the_clip_halving_is_exact_with_scratch_left_by_another_call():
    import dsp
    from dsp._resample_halving import halve
    from dsp.resampling import _polyphase_table
    from tolerances import assert_close

    rng = np.random.default_rng(39)
    a, b = (rng.standard_normal(16000).astype(np.float32) for _ in range(2))
    # leave this thread's scratch dirty: the general kernel's and the one-row kernel's
    # (dsp.resample's bound route)
    halve((a * 1e3)[None], "high")
    dsp.resample(a * 1e3, orig_sr=16000, target_sr=8000)
    ours = halve(b[None], "high")[0]
    bound = dsp.resample(b, orig_sr=16000, target_sr=8000)
    taps = _polyphase_table(1, 2, "high", "<f8")[0]
    T = taps.size
    padded = np.concatenate([np.zeros(T), b.astype(np.float64), np.zeros(T)])
    # out[m] = sum_j taps[j] b[2m - T/2 + 1 + j], zero outside the signal
    starts = 2 * np.arange(8000) - T // 2 + 1 + T
    ref = np.array([padded[s:s + T] @ taps for s in starts])
    assert_close(ours, ref, np.float32)
    assert_close(bound, ref, np.float32)


def test_eight_threads_racing_the_serial_halving_get_the_serial_results(monkeypatch):
    import dsp
    from dsp_kernels.cpu import cqt

    serial_calls = []
    real = cqt._HALVE_ROW  # a clip's 2:1 in dsp.resample: the one-row serial kernel

    class Spy:
        def __call__(self, *args):
            serial_calls.append(threading.get_ident())
            return real(*args)

    monkeypatch.setattr(cqt, "_HALVE_ROW", Spy())
    clips = [np.random.default_rng(s).standard_normal(16000).astype(np.float32) for s in range(8)]
    want = [dsp.resample(c, orig_sr=16000, target_sr=8000) for c in clips]
    got, errors = {}, []
    barrier = threading.Barrier(8)

    def run(t):
        try:
            barrier.wait()
            for r in range(25):
                got[t, r] = dsp.resample(clips[(t + r) % 8], orig_sr=16000, target_sr=8000)
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(set(serial_calls)) >= 8  # the main thread and each racing thread took the serial path
    for (t, r), y in got.items():
        assert np.array_equal(y, want[(t + r) % 8]), (t, r)
