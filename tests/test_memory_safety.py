"""Memory safety of the STFT kernels for every parameter combination validation accepts.

The istft kernel once wrote before its scratch buffer (complex64 input read bin-major, a
``length`` more than one output block past the last frame: the block's frame count went negative).
These cases run here in the normal build and again, with ``NUMBA_BOUNDSCHECK=1`` and the checked
SIMD twins, in ``tests/test_boundscheck.py``.

The hypothesis budget is small by default (``HYPOTHESIS_PROFILE``, see conftest); the ``fuzz``
marker runs the same properties with a larger one.
"""
import os

import librosa
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import dsp
from tests.tolerances import assert_close

#: in the checked pass (tests/test_boundscheck.py) only the single-precision kernels are compiled
#: again with bounds checks: they are the ones that use the SIMD intrinsics
CHECKED_PASS = os.environ.get("NUMBA_BOUNDSCHECK") == "1"
CDTYPES = [np.complex64] if CHECKED_PASS else [np.complex64, np.complex128]
RDTYPES = [np.float32] if CHECKED_PASS else [np.float32, np.float64]

#: the five cases of the audit that raised IndexError under NUMBA_BOUNDSCHECK=1 (bins and n_fft
#: disagree, hop > n_fft, length beyond the frames' reach) plus the two reported segfaults
ISTFT_CASES = [
    dict(shape=(2, 610, 27), order="F", n_fft=875, hop_length=1745, center=True, length=132179),
    dict(shape=(2, 610, 27), order="C", n_fft=875, hop_length=1745, center=True, length=132179),
    dict(shape=(2, 1, 129, 9), order="C", n_fft=256, hop_length=300, center=True, length=40000),
    dict(shape=(3, 200, 11), order="C", n_fft=512, win_length=300, hop_length=128, center=True,
         length=30000),
    dict(shape=(2, 65, 13), order="C", n_fft=128, hop_length=64, center=False, length=20000),
    dict(shape=(1025, 10), order="C", n_fft=None, hop_length=None, center=True, length=100000),
    dict(shape=(2, 1025, 40), order="F", n_fft=None, hop_length=None, center=True, length=44100),
]


def _spectrogram(shape, order, dtype, seed=0):
    rng = np.random.default_rng(seed)
    S = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return np.asfortranarray(S) if order == "F" else np.ascontiguousarray(S)


@pytest.mark.parametrize("case", ISTFT_CASES, ids=lambda c: f"{c['shape']}-{c['order']}")
@pytest.mark.parametrize("cdtype", CDTYPES)
def test_istft_length_past_the_last_frame_is_safe_and_matches_librosa(case, cdtype):
    case = dict(case)
    S = _spectrogram(case.pop("shape"), case.pop("order"), cdtype)
    kw = {k: v for k, v in case.items() if v is not None}
    ours = dsp.istft(S, **kw)
    ref = librosa.istft(S.astype(np.complex128), **kw)
    assert ours.shape == ref.shape
    assert np.isfinite(ours).all()
    real = np.float32 if cdtype == np.complex64 else np.float64
    assert_close(ours, ref, real, what=f"istft {kw}")
    # the other layout is read by the other path: the same numbers
    other = np.ascontiguousarray(S) if not S.flags.c_contiguous else np.asfortranarray(S)
    np.testing.assert_array_equal(dsp.istft(other, **kw), ours)


@st.composite
def istft_params(draw):
    n_fft = draw(st.integers(2, 300))
    win_length = draw(st.one_of(st.none(), st.integers(1, n_fft)))
    hop = draw(st.integers(1, 2 * n_fft))
    n_bins = draw(st.integers(1, 200))
    n_frames = draw(st.integers(1, 40))
    lead = draw(st.sampled_from([(), (1,), (2,), (2, 2)]))
    center = draw(st.booleans())
    natural = n_fft + hop * (n_frames - 1) - (2 * (n_fft // 2) if center else 0)
    length = draw(st.one_of(st.none(), st.integers(1, max(1, 3 * natural + 5 * n_fft))))
    order = draw(st.sampled_from("CF"))
    cdtype = draw(st.sampled_from(CDTYPES))
    seed = draw(st.integers(0, 2**16))
    return dict(shape=lead + (n_bins, n_frames), order=order, cdtype=cdtype, seed=seed,
                kw=dict(n_fft=n_fft, win_length=win_length, hop_length=hop, center=center,
                        length=length))


def _check_istft_case(p):
    S = _spectrogram(p["shape"], p["order"], p["cdtype"], p["seed"])
    kw = p["kw"]
    try:
        ours = dsp.istft(S, **kw)
    except dsp.DSPError:
        return  # refused (e.g. a natural length below one sample): a clean answer
    n_out = ours.shape[-1]
    assert ours.shape == S.shape[:-2] + (n_out,)
    assert np.isfinite(ours).all()
    other = np.ascontiguousarray(S) if not S.flags.c_contiguous else np.asfortranarray(S)
    np.testing.assert_array_equal(dsp.istft(other, **kw), ours)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(istft_params())
def test_istft_any_accepted_parameters_are_safe(p):
    _check_istft_case(p)


@st.composite
def stft_params(draw):
    n_fft = draw(st.integers(2, 300))
    win_length = draw(st.one_of(st.none(), st.integers(1, n_fft)))
    hop = draw(st.integers(1, 2 * n_fft))
    center = draw(st.booleans())
    n = draw(st.integers(1 if center else n_fft, 3 * n_fft + 50))
    lead = draw(st.sampled_from([(), (2,), (2, 2)]))
    pad_mode = draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "linear_ramp"]))
    dtype = draw(st.sampled_from(RDTYPES))
    seed = draw(st.integers(0, 2**16))
    return dict(shape=lead + (n,), dtype=dtype, seed=seed,
                kw=dict(n_fft=n_fft, win_length=win_length, hop_length=hop, center=center,
                        pad_mode=pad_mode))


def _check_stft_case(p):
    y = np.random.default_rng(p["seed"]).standard_normal(p["shape"]).astype(p["dtype"])
    kw = p["kw"]
    with np.errstate(all="ignore"):
        try:
            with pytest.warns(UserWarning) if kw["center"] and kw["n_fft"] > y.shape[-1] else _nothing():
                S = dsp.stft(y, **kw)
        except dsp.DSPError:
            return  # librosa's reflect padding refuses signals shorter than the pad, as we may
    n_freq = 1 + kw["n_fft"] // 2
    assert S.shape[:-1] == y.shape[:-1] + (n_freq,)
    assert np.isfinite(S).all()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stft_params())
def test_stft_any_accepted_parameters_are_safe(p):
    _check_stft_case(p)


@pytest.mark.fuzz
@settings(deadline=None, max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
@given(istft_params())
def test_istft_fuzz(p):
    _check_istft_case(p)


@pytest.mark.fuzz
@settings(deadline=None, max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
@given(stft_params())
def test_stft_fuzz(p):
    _check_stft_case(p)
