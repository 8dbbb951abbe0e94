"""A ``torch.utils.data.Dataset`` over a feature store (imported only when asked for: needs torch).

Examples
--------
>>> from dsp.corpus import open_store                   # doctest: +SKIP
>>> ds = open_store('features/').to_torch(['logmel'])   # doctest: +SKIP
>>> ds[0]['logmel'].shape                               # doctest: +SKIP
torch.Size([64, 501])
"""
from __future__ import annotations

import torch.utils.data


class StoreDataset(torch.utils.data.Dataset):
    """Item ``i``: ``{'id': str, feature: tensor, ...}`` for the ``i``-th stored file.

    Parameters
    ----------
    store : dsp.corpus.Store
    features : list of str or None
        Features to return (default: all). Multi-component features give a dict of tensors.
    """

    def __init__(self, store, features=None):
        self.store = store
        self.ids = store.ids()
        self.features = list(features) if features is not None else store.features
        unknown = sorted(set(self.features) - set(store.features))
        if unknown:
            from .._errors import DSPError

            raise DSPError(f"features={unknown!r} are not in this store: it holds {', '.join(store.features)}")

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        rid = self.ids[i]
        rec = self.store[rid]
        out = {"id": rid}
        for name in self.features:
            v = rec[name]
            out[name] = ({k: torch.from_numpy(a) for k, a in v.items()} if isinstance(v, dict)
                         else torch.from_numpy(v))
        return out
