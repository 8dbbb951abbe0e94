"""dsp.display.specshow/waveshow (issue 18): the mesh coordinates and axis scales equal
librosa.display's for the same inputs, one figure per axis type renders to PNG (Agg), and
importing dsp never imports matplotlib."""
import subprocess
import sys

import numpy as np
import pytest

import dsp
from dsp import DSPError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import librosa.display  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

CASES = [
    ("time", "linear", dict()), ("s", "fft", dict(sr=16000, hop_length=160)), ("ms", "hz", dict()),
    ("time", "log", dict(sr=44100, hop_length=256)), ("frames", "mel", dict(fmax=8000)),
    ("time", "mel", dict(sr=16000, fmin=50.0, htk=True)), ("time", "chroma", dict()),
    (None, "frames", dict()), ("time", "chroma", dict(bins_per_octave=24)), ("m", None, dict()),
]


@pytest.mark.parametrize("x_axis,y_axis,kw", CASES)
def test_specshow_coordinates_match_librosa(tmp_path, x_axis, y_axis, kw):
    rng = np.random.default_rng(0)
    n_rows = {"chroma": 12 * kw.get("bins_per_octave", 12) // 12, "mel": 64}.get(y_axis, 257)
    data = rng.standard_normal((n_rows, 40))
    fig, (a1, a2) = plt.subplots(2)
    ours = dsp.display.specshow(data, x_axis=x_axis, y_axis=y_axis, ax=a1, **kw)
    ref = librosa.display.specshow(data, x_axis=x_axis, y_axis=y_axis, ax=a2, **kw)
    np.testing.assert_allclose(ours.get_coordinates(), ref.get_coordinates(), rtol=1e-12, atol=1e-9)
    assert a1.get_xscale() == a2.get_xscale() and a1.get_yscale() == a2.get_yscale()
    np.testing.assert_allclose(a1.get_xlim(), a2.get_xlim())
    np.testing.assert_allclose(a1.get_ylim(), a2.get_ylim())
    assert ours.get_cmap().name == ref.get_cmap().name
    fig.savefig(tmp_path / f"{x_axis}-{y_axis}.png")
    plt.close(fig)
    assert (tmp_path / f"{x_axis}-{y_axis}.png").stat().st_size > 0


def test_waveshow_renders(tmp_path):
    y = np.sin(np.arange(50000) / 20.0)
    for sig in (y, y[:5000], np.stack([y, 0.5 * y])):
        fig, ax = plt.subplots()
        arts = dsp.display.waveshow(sig, sr=22050, ax=ax)
        assert arts
        lo, hi = ax.get_xlim()
        assert lo <= 0.0 and hi >= sig.shape[-1] / 22050 * 0.99
        fig.savefig(tmp_path / "wave.png")
        plt.close(fig)


def test_display_errors():
    with pytest.raises(DSPError, match="y_axis='bogus'"):
        dsp.display.specshow(np.ones((4, 4)), y_axis="bogus")
    with pytest.raises(DSPError, match="coordinates"):
        dsp.display.specshow(np.ones((4, 4)), x_coords=np.arange(9))
    with pytest.raises(DSPError, match="2-D"):
        dsp.display.specshow(np.ones(4))
    with pytest.raises(DSPError, match="ax must"):
        dsp.display.specshow(np.ones((4, 4)), ax="axes")
    with pytest.raises(DSPError, match="axis="):
        dsp.display.waveshow(np.ones(10), axis="mel")
    with pytest.raises(DSPError, match="shape"):
        dsp.display.waveshow(np.ones((3, 10)))
    plt.close("all")


def test_import_dsp_does_not_import_matplotlib():
    code = "import sys, dsp; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_docstring_examples_run():
    import doctest

    from dsp import _display as mod

    assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
    assert all(">>>" in getattr(mod, n).__doc__ for n in mod.__all__)
    plt.close("all")
