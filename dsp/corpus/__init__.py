"""Corpus-scale feature extraction on Dask: a folder or manifest of audio files -> a feature store.

``import dsp`` never imports this package; importing it imports neither Dask nor Zarr (they load
when a run starts or a store is opened). Install the ``corpus`` extra:
``pip install 'dsp-pyramids[corpus]'``. The command line is ``dsp-pyramids`` (:mod:`dsp.corpus.cli`);
the store layout is documented in docs/corpus.md.

Examples
--------
>>> from dsp.corpus import extract, open_store                               # doctest: +SKIP
>>> run = extract('clips/', 'features/', features='logmel,mfcc', sr=16000)    # doctest: +SKIP
>>> store = open_store('features/')                                          # doctest: +SKIP
>>> store['clip-000123']['logmel'].shape                                     # doctest: +SKIP
(64, 501)
"""
from .features import DEFAULT_FEATURES, FEATURES, Feature, default_config, register, resolve
from .inputs import Item, items_from

__all__ = ["extract", "open_store", "Store", "RunResult", "CorpusRunError", "FEATURES", "Feature",
           "DEFAULT_FEATURES", "default_config", "register", "resolve", "Item", "items_from"]


def __getattr__(name):  # the engine and the store import Dask/Zarr/pyarrow: load them when asked
    if name in ("extract", "RunResult", "CorpusRunError"):
        from . import engine

        return getattr(engine, name)
    if name in ("open_store", "Store"):
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
