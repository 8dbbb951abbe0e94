"""Test-only corpus features, pickled by value so that any Dask worker can run them.

``killer``: a small log-mel, except that a clip whose first samples are all exactly 0.5 (the
test writes one such float WAV at the run's rate) makes the worker process exit on the spot
(``os._exit``), as a crashing decoder would.
"""
import os
import sys

import cloudpickle
import numpy as np

from dsp.corpus.features import FEATURES, Feature

cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _killer(y, sr, p):
    import dsp

    if y.size > 64 and np.all(y[:64] == 0.5):
        os._exit(3)
    return {"": dsp.power_to_db(dsp.melspectrogram(y=y, sr=sr, n_fft=256, hop_length=128, n_mels=8))}


def killer_feature():
    return Feature("killer", FEATURES["logmel"].functions, _killer, {})
