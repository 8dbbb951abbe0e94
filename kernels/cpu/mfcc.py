"""MFCCs from a mel power spectrogram in one pass after its peak: dB, floor and DCT per tile.

``dsp.mfcc`` from audio is the DCT of ``power_to_db`` of the mel power spectrogram (its
defaults: ref 1, amin 1e-10, top_db 80), cut to ``n_mfcc`` rows. As two kernels, the dB image
(n_mels x frames) is written out whole and read back by the DCT. Here each tile of frames is
taken to dB one band at a time in float64 scratch (:func:`dsp_kernels.cpu.db.db_of_powers`,
the conversion ``power_to_db`` runs), and each band's dB values are added into every
coefficient's accumulators at once. The floor at
``max - top_db`` needs the peak of the whole image before any value is final: one reduction
pass first (``power_to_db``'s own), and the levels from :func:`dsp_kernels.cpu.db.db_levels`.

The dB values are rounded to S's dtype, as ``power_to_db`` rounds its image, and summed in
float64 in ``apply_matrix``'s order: the result is ``apply_matrix(power_to_db(S), matrix)`` bit
for bit in both dtypes, so ``dsp.mfcc(y=...)`` equals ``dsp.mfcc(S=power_to_db(mel))`` (which
``dsp.corpus`` uses when it stores both).

Entry function
--------------
``db_dct(S, matrix, *, ref, amin, top_db)``
    ``S`` (outer, n, inner): C-contiguous float32/float64 powers; ``matrix`` (n_out, n)
    float64; ``amin`` at least the smallest normal float64. Returns (outer, n_out, inner) in
    S's dtype: ``matrix @ dB(S[b])`` for each ``b``, the dB levels set by the peak of all of S
    (``apply_matrix(power_to_db(S), matrix)``, bit for bit).

Examples
--------
>>> import numpy as np
>>> from dsp_kernels.cpu.mfcc import db_dct
>>> S = np.full((1, 4, 3), 10.0, dtype=np.float32)
>>> db_dct(S, np.eye(2, 4), ref=1.0, amin=1e-10, top_db=80.0)[0].round(3).tolist()
[[10.0, 10.0, 10.0], [10.0, 10.0, 10.0]]
"""
from __future__ import annotations

import numpy as np
from numba import prange

from dsp_kernels.config import jit, pjit
from dsp_kernels.cpu.db import db_levels, db_of_powers
from dsp_kernels.cpu.dct import TILE, add_band, store_rows
from dsp_kernels.cpu.stft_block import block_tasks, task_blocks

__all__ = ["db_dct"]

#: values (bands x frames) below which one thread does the whole image: a 1 s clip's 80 x 101
#: is about 20 us of work, less than waking the pool costs right after other work
SERIAL_BELOW = 1 << 15


def _db_dct_body(S, matrix, amin, ref_db, floor_db, out):
    outer, n, inner = S.shape
    n_out = matrix.shape[0]
    n_tasks, per = block_tasks(outer, inner, TILE)  # apply_matrix's tiles of frames
    for task in prange(n_tasks):
        b, t0, t1 = task_blocks(task, per, TILE, inner)
        w = t1 - t0
        pbuf = np.empty(w, dtype=np.float64)
        mbuf = np.empty(w, dtype=np.float64)
        ebuf = np.empty(w, dtype=np.float64)
        d = np.empty(w, dtype=S.dtype)  # one band's dB values, rounded as power_to_db's are
        acc = np.zeros((n_out, w), dtype=np.float64)
        for j in range(n):
            src = S[b, j, t0:t0 + w]
            for t in range(w):
                pbuf[t] = max(amin, np.float64(src[t]))
            db_of_powers(pbuf, mbuf, ebuf, ref_db, floor_db, d)
            add_band(acc, matrix, j, d)  # apply_matrix's summation, band by band
        store_rows(acc, out, b, t0, w)


_db_dct_p, _db_dct_s = pjit(_db_dct_body), jit(_db_dct_body)


def db_dct(S, matrix, *, ref, amin, top_db):
    """The DCT (``matrix``) of the dB image of the powers ``S``: (outer, n, inner) ->
    (outer, n_out, inner)."""
    out = np.empty((S.shape[0], matrix.shape[0], S.shape[2]), dtype=S.dtype)
    if out.size == 0 or S.size == 0:
        return out
    ref_db, floor_db = db_levels(S.reshape(-1), 0, ref, amin, top_db)
    kernel = _db_dct_s if S.size < SERIAL_BELOW else _db_dct_p
    kernel(S, matrix, float(amin), ref_db, floor_db, out)
    return out
