"""dsp.swt2 / iswt2 / swtn / iswtn against PyWavelets (every discrete wavelet, axes, trim_approx,
norm, complex, float32)."""
import warnings

import numpy as np
import pytest

import dsp
from dsp import DSPError

pywt = pytest.importorskip("pywt")

WAVELETS = pywt.wavelist(kind="discrete")


def _err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b)))


def _flat(c):
    out = []
    for item in c:
        if isinstance(item, dict):
            out += [item[k] for k in sorted(item)]
        elif isinstance(item, tuple):
            out += [v for x in item for v in (x if isinstance(x, tuple) else (x,))]
        else:
            out.append(item)
    return out


@pytest.mark.parametrize("chunk", range(4))
def test_swtn_iswtn_every_wavelet(chunk):
    rng = np.random.default_rng(chunk)
    x = rng.standard_normal((8, 4, 16))
    worst = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # norm=True with biorthogonal wavelets
        for i, name in enumerate(WAVELETS[chunk::4]):
            axes, lev, start = [((0, 2), 2, 0), ((2,), 1, 2), ((0, 1, 2), 1, 1), (None, 2, 0)][i % 4]
            trim, norm = bool(i % 2), bool((i // 2) % 2)
            r = pywt.swtn(x, name, lev, start, axes, trim, norm)
            o = dsp.swtn(x, name, lev, start, axes, trim, norm)
            assert [sorted(d) for d in r if isinstance(d, dict)] == [sorted(d) for d in o if isinstance(d, dict)]
            worst = max([worst] + [_err(a, b) for a, b in zip(_flat(o), _flat(r))])
            if start == 0:
                worst = max(worst, _err(dsp.iswtn(r, name, axes, norm), pywt.iswtn(r, name, axes, norm)))
            x2 = x[:, 0]
            r = pywt.swt2(x2, name, 2, trim_approx=trim)
            o = dsp.swt2(x2, name, 2, trim_approx=trim)
            worst = max([worst] + [_err(a, b) for a, b in zip(_flat(o), _flat(r))])
            worst = max(worst, _err(dsp.iswt2(o, name), pywt.iswt2(r, name)))
    assert worst <= 1e-10


def test_swtn_complex_float32_and_errors():
    rng = np.random.default_rng(9)
    xc = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    r = pywt.swtn(xc, "db2", 2)
    o = dsp.swtn(xc, "db2", 2)
    assert max(_err(a, b) for a, b in zip(_flat(o), _flat(r))) <= 1e-10
    assert _err(dsp.iswtn(o, "db2"), pywt.iswtn(r, "db2")) <= 1e-10
    x32 = rng.standard_normal((8, 8)).astype(np.float32)
    o = dsp.swt2(x32, "db2", 2)
    assert o[0][0].dtype == np.float32 and dsp.iswt2(o, "db2").dtype == np.float32
    r = pywt.swt2(x32.astype(np.float64), "db2", 2)
    assert max(_err(a, b) for a, b in zip(_flat(o), _flat(r))) <= 1e-5
    with pytest.raises(DSPError, match="multiple"):
        dsp.swt2(np.ones((6, 8)), "db1", 2)
    with pytest.raises(DSPError, match="unique"):
        dsp.swtn(np.ones((8, 8)), "db1", 1, axes=(1, 1))
    with pytest.raises(DSPError, match="level"):
        dsp.swtn(np.ones((8, 8)), "db1", -1)
    with pytest.warns(UserWarning, match="orthogonal"):
        dsp.swt2(np.ones((8, 8)), "bior2.2", 1, norm=True)
