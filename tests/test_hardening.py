"""Bad inputs, hostile parameters and odd array types: each answered cleanly (issue 15).

``BAD_INPUTS`` is the table of docs/bad_input.md: every row is run here, and
``test_docs_table_is_current`` checks that the document matches the table (regenerate it with
``python tests/test_hardening.py``).
"""
from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import dsp
from dsp import DSPError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "bad_input.md"

_rng = np.random.default_rng(0)
Y = _rng.standard_normal(4000).astype(np.float32)
Y64 = Y.astype(np.float64)


def _readonly(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def _masked():
    return np.ma.masked_array(Y, mask=np.arange(Y.size) == 7)


def _torch_grad():
    torch = pytest.importorskip("torch")
    return torch.ones(64, requires_grad=True)


def _finite(r):
    parts = r if isinstance(r, tuple) else (r,)
    return all(np.isfinite(np.asarray(p)).all() for p in parts)


# (what is passed, call, expected): expected is ("DSPError", regex of the message) or
# ("returns", description, predicate on the result)
BAD_INPUTS = [
    # giant allocations: refused before allocating, stating the size
    ("stft n_fft=2**40", lambda: dsp.stft(Y, n_fft=2**40), ("DSPError", r"n_fft=1099511627776 would need .* TiB")),
    ("melspectrogram n_fft=2**40", lambda: dsp.melspectrogram(y=Y, sr=22050, n_fft=2**40), ("DSPError", r"would need a mel filterbank of .* TiB")),
    ("fft n=2**40", lambda: dsp.fft(Y, n=2**40), ("DSPError", r"n=1099511627776 would need a transform of 8.0 TiB")),
    ("rfft n=2**40", lambda: dsp.rfft(Y, n=2**40), ("DSPError", r"n=1099511627776 would need")),
    ("ifft n=2**40", lambda: dsp.ifft(Y, n=2**40), ("DSPError", r"n=1099511627776 would need")),
    ("irfft n=2**40", lambda: dsp.irfft(Y, n=2**40), ("DSPError", r"n=1099511627776 would need")),
    ("get_window Nx=2**40", lambda: dsp.get_window("hann", 2**40), ("DSPError", r"Nx=1099511627776 would need a window of 8.0 TiB")),
    ("mel_filterbank n_mels=2**31", lambda: dsp.mel_filterbank(sr=22050, n_fft=2048, n_mels=2**31), ("DSPError", r"n_mels=2147483648, n_fft=2048 would need")),
    ("mel_frequencies n_mels=2**40", lambda: dsp.mel_frequencies(2**40), ("DSPError", r"n_mels=1099511627776 would need")),
    ("dft of 100,000 samples", lambda: dsp.dft(np.zeros(100000)), ("DSPError", r"too large for the dense DFT: .* 149.0 GiB .* use dsp.fft")),
    ("idft of 100,000 values", lambda: dsp.idft(np.zeros(100000)), ("DSPError", r"too large for the dense DFT")),
    ("dft_matrix(2**20)", lambda: dsp.dft_matrix(2**20), ("DSPError", r"n=1048576 is too large for the dense DFT")),
    ("resample orig_sr=1, target_sr=1e9", lambda: dsp.resample(Y, orig_sr=1, target_sr=1e9), ("DSPError", r"^orig_sr=1, target_sr=1e\+09 for \d+ samples would need an output signal of .* TiB")),
    ("sample duration=1e12, sr=1e6", lambda: dsp.sample([(1.0, 1.0, 0.0)], duration=1e12, sr=1e6), ("DSPError", r"duration=1e\+12 at sr=1e\+06 would need")),
    ("istft length=2**40", lambda: dsp.istft(np.ones((5, 3), np.complex64), length=2**40), ("DSPError", r"length=1099511627776 would need an output signal")),
    # rates and parameters that overflowed or reached Numba's typing
    ("resample orig_sr=2.0**80", lambda: dsp.resample(Y, orig_sr=2.0**80, target_sr=22050), ("returns", "one finite sample", lambda r: r.shape == (1,) and _finite(r))),
    ("resample orig_sr=1e300", lambda: dsp.resample(Y, orig_sr=1e300, target_sr=22050), ("returns", "one finite sample", lambda r: r.shape == (1,) and _finite(r))),
    ("resample target_sr=inf", lambda: dsp.resample(Y, orig_sr=22050, target_sr=float("inf")), ("DSPError", r"target_sr=inf must be a finite number > 0")),
    ("sinc_interpolate num_zeros=10**9", lambda: dsp.sinc_interpolate(Y, 100.0, [0.1], num_zeros=10**9), ("DSPError", r"num_zeros=1000000000 is too large: need num_zeros <= 16777216")),
    ("sinc_interpolate beta=1000", lambda: dsp.sinc_interpolate(Y, 100.0, [0.1], beta=1000), ("DSPError", r"beta=1000.0 must be <= 700.0")),
    ("wavedec level=10**7", lambda: dsp.wavedec(Y, "db4", level=10**7), ("DSPError", r"level=10000000 is too high: need level <= 64")),
    # windows whose formula overflows: finite and correct
    ("get_window(('chebwin', 1e4), 16)", lambda: dsp.get_window(("chebwin", 1e4), 16), ("returns", "a finite window, peak 1", lambda r: _finite(r) and r.max() == 1.0)),
    ("get_window(('taylor', 4, 1e5), 16)", lambda: dsp.get_window(("taylor", 4, 1e5), 16), ("returns", "a finite window", _finite)),
    ("get_window(('kaiser', 1000.0), 16)", lambda: dsp.get_window(("kaiser", 1000.0), 16), ("returns", "a finite window, peak 1", lambda r: _finite(r) and r.max() == 1.0)),
    ("stft window=800.0 (Kaiser beta)", lambda: dsp.stft(Y, n_fft=64, window=800.0), ("returns", "a finite spectrogram", _finite)),
    # misleading error types
    ("stft out=read-only array", lambda: dsp.stft(Y, out=_readonly(np.zeros((1025, 8), np.complex64))), ("DSPError", r"out is read-only")),
    ("stft out=[1, 2]", lambda: dsp.stft(Y, out=[1, 2]), ("DSPError", r"out must be a NumPy or CuPy array, got list")),
    ("istft out=(1, 2)", lambda: dsp.istft(np.ones((5, 3), np.complex64), out=(1, 2)), ("DSPError", r"out must be a NumPy or CuPy array, got tuple")),
    ("from_pcm dtype='bogus'", lambda: dsp.from_pcm(np.ones(3, np.int16), dtype="bogus"), ("DSPError", r"dtype='bogus' is not a dtype")),
    # silent non-finite results
    ("quantize([1.0], 1e-310)", lambda: dsp.quantize([1.0], 1e-310), ("DSPError", r"step=1e-310 is too small for a's magnitude")),
    # empty input: element-wise functions return empty, reductions and transforms refuse
    ("quantize(empty)", lambda: dsp.quantize(np.zeros(0), 0.1), ("returns", "an empty array", lambda r: r.shape == (0,))),
    ("to_pcm(empty)", lambda: dsp.to_pcm(np.zeros(0), 16), ("returns", "an empty int16 array", lambda r: r.shape == (0,) and r.dtype == np.int16)),
    ("power_to_db(empty)", lambda: dsp.power_to_db(np.zeros(0)), ("returns", "an empty array", lambda r: r.shape == (0,))),
    ("magphase(empty)", lambda: dsp.magphase(np.zeros(0, np.complex64)), ("returns", "two empty arrays", lambda r: r[0].shape == r[1].shape == (0,))),
    ("sqnr(empty, empty)", lambda: dsp.sqnr(np.zeros(0), np.zeros(0)), ("DSPError", r"y has 0 samples: sqnr needs at least one")),
    ("fft(empty)", lambda: dsp.fft(np.zeros(0)), ("DSPError", r"a has 0 values along axis")),
    ("stft(empty)", lambda: dsp.stft(np.zeros(0, np.float32)), ("DSPError", r"y has 0 samples")),
    ("dft(empty)", lambda: dsp.dft(np.zeros(0)), ("DSPError", r"x has 0 samples along axis=0")),
    ("idft(empty)", lambda: dsp.idft(np.zeros(0)), ("DSPError", r"X has 0 values along axis=0")),
    ("wavedec(empty)", lambda: dsp.wavedec(np.zeros(0), "db1"), ("DSPError", r"data has length 0 along axis=0")),
    ("dct(empty)", lambda: dsp.dct(np.zeros(0)), ("DSPError", r"x has length 0 along axis=0")),
    ("resample(empty)", lambda: dsp.resample(np.zeros(0), orig_sr=1, target_sr=2), ("DSPError", r"y has 0 samples along axis=0")),
    ("db_to_power(empty)", lambda: dsp.db_to_power(np.zeros(0)), ("returns", "an empty array", lambda r: r.shape == (0,))),
    ("AudioPyramid.mel power=-1", lambda: __import__("pyramids").AudioPyramid.mel(Y, 8000, power=-1), ("DSPError", r"power=-1.0 must be > 0.0")),
    ("AudioPyramid.mel power='a'", lambda: __import__("pyramids").AudioPyramid.mel(Y, 8000, power="a"), ("DSPError", r"power='a' must be a real number")),
    ("TextPyramid.from_tokens weights=['a', 'b']", lambda: __import__("pyramids").TextPyramid.from_tokens(np.ones((2, 4)), "a b", [(0, 1), (2, 3)], pooling="weighted", weights=["a", "b"]), ("DSPError", r"weights could not be read as numbers")),
    ("AudioPyramid.stft_resolutions n_ffts=(2**40,)", lambda: __import__("pyramids").AudioPyramid.stft_resolutions(Y, 8000, n_ffts=(2**40,)), ("DSPError", r"n_fft=1099511627776 would need")),
    # dtype policy: float16 -> float32, big-endian keeps its precision
    ("rfft of big-endian float32", lambda: dsp.rfft(Y.astype(">f4")), ("returns", "complex64", lambda r: r.dtype == np.complex64)),
    ("stft of big-endian float32", lambda: dsp.stft(Y.astype(">f4")), ("returns", "complex64", lambda r: r.dtype == np.complex64)),
    ("istft of big-endian complex64", lambda: dsp.istft(np.ones((65, 4), ">c8")), ("returns", "float32", lambda r: r.dtype == np.float32)),
    ("stft of float16", lambda: dsp.stft(Y.astype(np.float16)), ("returns", "complex64", lambda r: r.dtype == np.complex64)),
    ("nyquist_rate of float16", lambda: dsp.nyquist_rate(np.array([100.0, 200.0], np.float16)), ("returns", "float32", lambda r: r.dtype == np.float32)),
    ("alias_frequency of big-endian float32", lambda: dsp.alias_frequency(np.array([700.0], ">f4"), 1000), ("returns", "float32 [300.]", lambda r: r.dtype == np.float32 and r[0] == 300.0)),
    ("nyquist_rate of an integer array", lambda: dsp.nyquist_rate(np.array([1, 2])), ("returns", "float64 [2. 4.]", lambda r: r.dtype == np.float64 and list(r) == [2.0, 4.0])),
    ("quantize of big-endian float64", lambda: dsp.quantize(Y64.astype(">f8"), 0.1), ("returns", "float64", lambda r: r.dtype == np.float64)),
    # nested lists: converted once, at validation
    ("dft of a nested list (2, 3)", lambda: dsp.dft([[1.0, 2, 3], [4, 5, 6]]), ("returns", "shape (2, 3)", lambda r: r.shape == (2, 3))),
    ("idft of a nested list (2, 3)", lambda: dsp.idft([[1.0, 2, 3], [4, 5, 6]]), ("returns", "shape (2, 3)", lambda r: r.shape == (2, 3))),
    ("sqnr of nested lists", lambda: dsp.sqnr([[1.0, 2, 3], [4, 5, 6]], [[1.0, 2, 3], [4, 5, 6.1]]), ("returns", "a finite float", lambda r: np.isfinite(r))),
    ("swt of a nested list (2, 4)", lambda: dsp.swt([[1.0, 2, 3, 4], [5, 6, 7, 8]], "haar", level=1), ("returns", "coefficients of shape (2, 4)", lambda r: r[0][0].shape == (2, 4))),
    ("stft of a ragged list", lambda: dsp.stft([[1.0, 2.0], [3.0]]), ("DSPError", r"y could not be converted to an array")),
    ("waverec with list coefficients", lambda: dsp.waverec([[[1.0, 2], [3, 4]], [[1.0, 2], [3, 4]]], "haar"), ("DSPError", r"coeffs\[1\] is a list, but detail coefficients must be arrays")),
    # array types that would lose information silently
    ("stft of a masked array with masked samples", lambda: dsp.stft(_masked()), ("DSPError", r"y is a masked array with masked samples")),
    ("rfft of a torch tensor with requires_grad", lambda: dsp.rfft(_torch_grad()), ("DSPError", r"call a.detach\(\)")),
    ("stft of a read-only array", lambda: dsp.stft(_readonly(Y)), ("returns", "the same as the writable array", lambda r: np.array_equal(r, dsp.stft(Y)))),
]


@pytest.mark.parametrize("what, call, expected", BAD_INPUTS, ids=[row[0] for row in BAD_INPUTS])
def test_bad_input(what, call, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if expected[0] == "DSPError":
            with pytest.raises(DSPError, match=expected[1]):
                call()
        else:
            assert expected[2](call()), f"{what}: expected {expected[1]}"


def render_table() -> str:
    """docs/bad_input.md from ``BAD_INPUTS``."""
    lines = [
        "# Bad input: what each function answers",
        "",
        "Generated from `BAD_INPUTS` in `tests/test_hardening.py` (every row is a test; regenerate",
        "with `python tests/test_hardening.py`). Policies:",
        "",
        "- A parameter that would make one array larger than the ceiling (64 GiB, or the physical",
        "  memory if smaller; `DSP_MAX_ALLOC_BYTES` replaces the 64 GiB) is a `DSPError` raised",
        "  before anything is allocated, stating the size. The dense DFT (`dft`, `idft`,",
        "  `dft_matrix`) stops at n = 8192 and points to `dsp.fft`.",
        "- Empty input: element-wise functions (`quantize`, `to_pcm`, `from_pcm`, the dB",
        "  conversions, `magphase`) return an empty result, as NumPy and librosa do; reductions",
        "  and transforms (`sqnr`, the FFTs, `stft`, the wavelet transforms) raise `DSPError`",
        "  naming the argument.",
        "- dtypes: float32 stays float32, float64 stays float64, float16 becomes float32, and",
        "  non-native byte order keeps its precision (`'>f4'` gives float32/complex64).",
        "- Array-likes (nested lists, tuples) are converted once, at validation; ragged ones, masked",
        "  arrays with masked samples and torch tensors that require grad are refused.",
        "- Read-only arrays are copied once at the kernel boundary, so they reach the same compiled",
        "  kernels as writable arrays (no second compilation).",
        "",
        "| input | answer |",
        "|---|---|",
    ]
    for what, _, expected in BAD_INPUTS:
        if expected[0] == "DSPError":
            answer = f"`DSPError` matching `{expected[1]}`"
        else:
            answer = f"returns {expected[1]}"
        answer = answer.replace("|", "\\|")
        lines.append(f"| `{what}` | {answer} |")
    return "\n".join(lines) + "\n"


def test_docs_table_is_current():
    assert DOC.exists() and DOC.read_text() == render_table(), (
        "docs/bad_input.md is out of date: run `python tests/test_hardening.py`")


if __name__ == "__main__":
    DOC.write_text(render_table())
    print(f"wrote {DOC}", file=sys.stderr)
