"""dsp.power_to_db, amplitude_to_db, db_to_power, db_to_amplitude and magphase against librosa 0.11.

float32 results are compared with librosa on the same values cast to float64 (tests/tolerances.py).
"""
import warnings

import librosa
import numpy as np
import pytest

import dsp
from dsp import DSPError
from tests.conftest import load_recording
from tests.tolerances import assert_close


def spectrogram(dtype, name="speech"):
    y, _ = load_recording(name, np.float64)
    return np.abs(librosa.stft(y[:22050], n_fft=1024)).astype(dtype)


REFS = [1.0, 0.01, 250.0, -3.0, np.max, np.median, lambda m: float(np.percentile(m, 90))]
REF_IDS = ["1", "0.01", "250", "-3", "max", "median", "p90"]


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
@pytest.mark.parametrize("top_db", [80.0, None, 20.0, 0.0])
@pytest.mark.parametrize("amin", [1e-10, 1e-4])
def test_power_to_db(ref, top_db, amin, dtype):
    P = spectrogram(dtype) ** 2
    ours = dsp.power_to_db(P, ref=ref, amin=amin, top_db=top_db)
    expected = librosa.power_to_db(P.astype(np.float64), ref=ref, amin=amin, top_db=top_db)
    assert ours.dtype == dtype and ours.shape == P.shape
    assert_close(ours, expected, dtype, what=f"power_to_db ref={ref} top_db={top_db} amin={amin}")


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
@pytest.mark.parametrize("top_db", [80.0, None, 30.0])
@pytest.mark.parametrize("amin", [1e-5, 1e-2])
def test_amplitude_to_db(ref, top_db, amin, dtype):
    y, _ = load_recording("stereo", np.float64)
    A = np.abs(librosa.stft(y[:, :11025], n_fft=512)).astype(dtype)  # (2, 257, t): stereo
    ours = dsp.amplitude_to_db(A, ref=ref, amin=amin, top_db=top_db)
    expected = librosa.amplitude_to_db(A.astype(np.float64), ref=ref, amin=amin, top_db=top_db)
    assert ours.dtype == dtype and ours.shape == A.shape
    assert_close(ours, expected, dtype, what=f"amplitude_to_db ref={ref} top_db={top_db} amin={amin}")


def test_complex_input_warns_and_uses_magnitude(dtype):
    y, _ = load_recording("chord", np.float64)
    D = librosa.stft(y[0, :8000], n_fft=512).astype(np.complex64 if dtype == np.float32 else np.complex128)
    for ours_f, ref_f in [(dsp.power_to_db, librosa.power_to_db), (dsp.amplitude_to_db, librosa.amplitude_to_db)]:
        with pytest.warns(UserWarning, match="complex input so phase information will be discarded"):
            ours = ours_f(D, ref=np.max)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = ref_f(D.astype(np.complex128), ref=np.max)
        assert ours.dtype == dtype
        assert_close(ours, expected, dtype, what=ours_f.__name__)


def test_negative_and_zero_power_are_floored():
    P = np.array([-1.0, 0.0, 1e-12, 1.0, 100.0])
    np.testing.assert_allclose(dsp.power_to_db(P, top_db=None), librosa.power_to_db(P, top_db=None), rtol=0, atol=1e-12)


@pytest.mark.parametrize("ref", [1.0, 2.5, -1.0, 1e-3])
def test_db_to_power_and_amplitude(ref, dtype):
    d = np.random.default_rng(0).uniform(-120, 40, (3, 200)).astype(dtype)
    for ours_f, ref_f in [(dsp.db_to_power, librosa.db_to_power), (dsp.db_to_amplitude, librosa.db_to_amplitude)]:
        ours = ours_f(d, ref=ref)
        assert ours.dtype == dtype
        assert_close(ours, ref_f(d.astype(np.float64), ref=ref), dtype, what=f"{ours_f.__name__} ref={ref}")


def test_round_trips(dtype):
    A = spectrogram(dtype)
    P = A.astype(np.float64) ** 2
    mask = P > 1e-10
    back = dsp.db_to_power(dsp.power_to_db(P.astype(dtype), top_db=None))
    assert_close(back[mask], P[mask].astype(dtype), dtype, what="db_to_power(power_to_db)")
    back = dsp.db_to_amplitude(dsp.amplitude_to_db(A, top_db=None, amin=1e-12))
    assert_close(back, A, dtype, what="db_to_amplitude(amplitude_to_db)")


def test_scalars_lists_and_integers():
    for f, rf in [(dsp.power_to_db, librosa.power_to_db), (dsp.amplitude_to_db, librosa.amplitude_to_db),
                  (dsp.db_to_power, librosa.db_to_power), (dsp.db_to_amplitude, librosa.db_to_amplitude)]:
        for x in (3.0, [1.0, 10.0, 1000.0], [1, 10, 1000], np.float32(2.0)):
            # librosa's db_to_* cannot take a list (list * 0.1); ours can
            ours, ref = f(x), rf(np.asarray(x) if isinstance(x, list) else x)
            assert np.ndim(ours) == np.ndim(ref)
            if not isinstance(x, np.float32):  # librosa's 0-d float32 dB comes out float64; ours stays float32
                assert np.asarray(ours).dtype == np.asarray(ref).dtype, (f.__name__, x)
            np.testing.assert_allclose(ours, ref, rtol=1e-6)
    assert isinstance(dsp.power_to_db(3.0), np.float64)


def test_readonly_and_noncontiguous():
    P = spectrogram(np.float64) ** 2
    P.flags.writeable = False
    view = P[::2, ::3]
    assert_close(dsp.power_to_db(view.T, ref=np.max), librosa.power_to_db(view.T, ref=np.max), np.float64)


# ---------------------------------------------------------------------------------------------
# magphase


@pytest.mark.parametrize("power", [1, 2, 0.5, 3.0])
def test_magphase(power, dtype):
    y, _ = load_recording("stereo", np.float64)
    D = librosa.stft(y[:, :8000], n_fft=256).astype(np.complex64 if dtype == np.float32 else np.complex128)
    D[0, 5, :] = 0  # zero bins get phase 1
    mag, phase = dsp.magphase(D, power=power)
    rmag, rphase = librosa.magphase(D.astype(np.complex128), power=power)
    assert mag.dtype == dtype and phase.dtype == D.dtype
    assert_close(mag, rmag, dtype, what="magnitude")
    assert_close(phase, rphase, dtype, what="phase")
    assert np.all(phase[0, 5] == 1)
    assert_close(mag ** (1.0 / power) * phase, D, dtype, what="recombined")


def test_magphase_real_input():
    x = np.array([[-2.0, 0.0, 3.0]])
    mag, phase = dsp.magphase(x)
    rmag, rphase = librosa.magphase(x)
    np.testing.assert_array_equal(mag, rmag)
    np.testing.assert_array_equal(phase, rphase)
    assert phase.dtype == np.complex128


# ---------------------------------------------------------------------------------------------
# errors


@pytest.mark.parametrize("f", [dsp.power_to_db, dsp.amplitude_to_db])
def test_db_errors(f):
    S = np.ones((4, 4))
    with pytest.raises(DSPError, match=r"amin=0.0 must be > 0"):
        f(S, amin=0)
    with pytest.raises(DSPError, match=r"amin=-1.0 must be > 0"):
        f(S, amin=-1.0)
    with pytest.raises(DSPError, match=r"top_db=-1.0 must be >= 0"):
        f(S, top_db=-1)
    with pytest.raises(DSPError, match="NaN or infinity"):
        f(np.array([1.0, np.nan]))
    with pytest.raises(DSPError, match=r"need one real number"):
        f(S, ref=lambda m: np.max(m, axis=0))
    with pytest.raises(DSPError, match=r"ref='max' must be a real number or a callable"):
        f(S, ref="max")
    with pytest.raises(DSPError, match=r"ref=nan must be finite"):
        f(S, ref=float("nan"))


def test_db_inverse_errors():
    for f in (dsp.db_to_power, dsp.db_to_amplitude):
        with pytest.raises(DSPError, match="is complex"):
            f(np.ones(3, dtype=complex))
        with pytest.raises(DSPError, match="NaN or infinity"):
            f(np.array([0.0, np.inf]))
        with pytest.raises(DSPError, match=r"ref='a' must be a real number"):
            f(np.ones(3), ref="a")


def test_magphase_errors():
    with pytest.raises(DSPError, match="NaN or infinity"):
        dsp.magphase(np.array([1 + 1j, np.nan]))
    with pytest.raises(DSPError, match=r"power=None must be a real number"):
        dsp.magphase(np.ones(3, dtype=complex), power=None)
