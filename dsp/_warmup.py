"""Compile every kernel into the on-disk cache ahead of time: ``python -m dsp warmup``.

A fresh container or CI job starts with an empty kernel cache, so the first call of each function
pays its compilation (seconds to a minute each on 2 cores). Run the warm-up once where the image
or job is built, and every later process loads the compiled kernels from the cache instead::

    python -m dsp warmup                      # every operation, float32 and float64
    python -m dsp warmup --dtype float32 --only stft,melspectrogram
    DSP_NUMBA_CACHE_DIR=/opt/dsp-cache python -m dsp warmup   # a cache baked into an image

Each operation calls the public function on a tiny input, so it compiles exactly the kernels that
a real call of that dtype reaches. Operations run in ``--jobs`` worker processes at once (Numba
compiles one function at a time per process, so processes are how compilation uses more cores).
"""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor, as_completed
import multiprocessing

import numpy as np

#: operation -> what it calls; each entry reaches the kernels of the named public function(s)
OPERATIONS = {
    "stft": "stft (blocked FFT path), stft with a Bluestein n_fft (per-frame path), and the "
            "compiled finiteness check of long inputs (one thread and chunked)",
    "istft": "istft, both memory layouts of the spectrogram, and the float64 path of uncentred ends",
    "melspectrogram": "melspectrogram from a signal and from a spectrogram",
    "mfcc": "mfcc (mel, dB, DCT)",
    "fft": "fft, ifft, rfft, irfft (batched and single rows)",
    "dct": "dct and idct, types 1-3",
    "db": "power_to_db, amplitude_to_db, db_to_power, db_to_amplitude, magphase",
    "wavelets": "dwt, idwt, wavedec, waverec (one row and several), swt, iswt, dwt2 and idwt2, cwt "
                "(method 'conv'; method 'fft', real and complex), WaveletPacket levels",
    "resample": "resample (rational and arbitrary ratios, 'hq''s cascade), sinc_interpolate",
    "quantization": "quantize, to_pcm, from_pcm, and load's conversion of 16- and 24/32-bit PCM",
    "cqt": "cqt, icqt and chroma_cqt (the octaves' fused projection, their halving, the adjoint)",
    "features": "rms, zero_crossing_rate, the spectral statistics, chroma_stft, onset_strength, "
                "beat_track, pcen (both layouts), delta, tempogram, peak_pick, preemphasis and "
                "deemphasis",
    "inverse": "griffinlim (the phase update between our stft and istft)",
    "pooling": "dsp.transform.pyramid_reduce (image pyramids), dsp.segments' sums and maxima "
               "(text pyramids' pooling)",
}
DTYPES = ("float32", "float64")


def _run(op: str, dtype: str) -> None:
    import dsp

    dt = np.dtype(dtype)
    y = np.random.default_rng(0).standard_normal(4096).astype(dt)
    if op == "stft":
        dsp.stft(y, n_fft=512, hop_length=128)
        dsp.stft(y, n_fft=509, hop_length=128)  # a prime n_fft: Bluestein, the per-frame kernel
        from ._validation import as_float_array

        as_float_array(np.zeros(1 << 18, dtype=dt))  # inputs of 4096+ values once a kernel is loaded
    elif op == "istft":
        S = dsp.stft(y, n_fft=512, hop_length=128)
        dsp.istft(S, hop_length=128, length=y.size)
        dsp.istft(np.ascontiguousarray(S), hop_length=128, length=y.size)
        # uncentred: the ends' small window envelope takes the float64 path, compiled on demand
        dsp.istft(dsp.stft(y, n_fft=512, hop_length=128, center=False), hop_length=128, center=False)
    elif op == "melspectrogram":
        dsp.melspectrogram(y=y, sr=22050, n_fft=512, hop_length=128)
        dsp.melspectrogram(S=np.abs(dsp.stft(y, n_fft=512)) ** 2, sr=22050, n_fft=512)
    elif op == "mfcc":
        dsp.mfcc(y=y, sr=22050, n_fft=512, hop_length=128)
        dsp.mfcc(y=y[:8000], sr=22050, n_fft=512, hop_length=128)  # the one-thread dB-DCT pass
    elif op == "fft":
        x = y.reshape(4, -1)
        dsp.irfft(dsp.rfft(x))
        dsp.ifft(dsp.fft(x))
        dsp.irfft(dsp.rfft(y))
    elif op == "dct":
        for t in (1, 2, 3):
            dsp.idct(dsp.dct(y[:64], type=t), type=t)
    elif op == "db":
        p = np.abs(y) + 0.1
        dsp.db_to_power(dsp.power_to_db(p))
        dsp.db_to_amplitude(dsp.amplitude_to_db(p))
        dsp.magphase(dsp.stft(y, n_fft=512))
    elif op == "wavelets":
        dsp.waverec(dsp.wavedec(y, "db4", level=3), "db4")
        dsp.idwt(*dsp.dwt(y, "sym5"), "sym5")
        dsp.iswt(dsp.swt(y[:1024], "haar", level=2), "haar")
        dsp.cwt(y, [1, 4], "morl", method="fft")
        dsp.cwt(y[:256], [1, 4], "cmor1.5-1.0", method="fft")
        dsp.cwt(y[:256], [1, 4], "morl")  # method 'conv', the default
        dsp.waverec(dsp.wavedec(y.reshape(4, -1), "db4", level=2), "db4")  # rows at once
        dsp.idwt2(dsp.dwt2(y.reshape(64, 64), "db2"), "db2")  # along both axes of an image
        dsp.WaveletPacket(y, "db4", maxlevel=2).get_level(2)
    elif op == "resample":
        dsp.resample(y, orig_sr=22050, target_sr=16000)
        dsp.resample(y, orig_sr=22050, target_sr=16001.5)
        dsp.resample(y, orig_sr=44100, target_sr=16000, quality="hq")  # half-band, sharp FFT, short stages
        # 2:1 by fast halving (dsp._resample_halving): one thread for a single group of blocks,
        # the pool for more, each with power-of-two blocks and with blocks of 3 or 5 times one.
        # Blocks chosen (float32; float64), one group unless marked 'pool':
        for shape in (5_000,  # (direct sum; 1024)
                      10_000,  # 1024; 1536
                      16_000,  # 1280 (a 1 s clip); 1280 pool
                      (2, 280_000),  # 2048 pool; 2048 pool
                      400_000):  # 3072 pool; 3072 pool
            dsp.resample(np.resize(y, shape), orig_sr=16000, target_sr=8000)
    elif op == "cqt":
        y3 = np.resize(y, 66_150)  # 3 s at 22.05 kHz: the 7th octave still holds a 1024-point frame
        dsp.icqt(dsp.cqt(y3, sr=22050), sr=22050)
        dsp.feature.chroma_cqt(y=y3, sr=22050)
    elif op == "quantization":
        dsp.from_pcm(dsp.to_pcm(0.9 * np.tanh(y), bits=16))
        dsp.quantize(y, 0.01)
        import io

        import soundfile as sf

        for subtype in ("PCM_16", "PCM_24"):  # read as int16 and int32 (dsp._sndfile)
            buf = io.BytesIO()
            sf.write(buf, np.zeros((64, 2)), 8000, format="WAV", subtype=subtype)
            buf.seek(0)
            dsp.load(buf, sr=None, mono=False, dtype=dt)
    elif op == "features":
        f = dsp.feature
        f.rms(y=y)
        f.zero_crossing_rate(y)
        for stat in (f.spectral_centroid, f.spectral_bandwidth, f.spectral_rolloff,
                     f.spectral_contrast, f.poly_features, f.chroma_stft):
            stat(y=y, sr=22050)
        f.spectral_flatness(y=y)
        dsp.beat.beat_track(y=y, sr=22050)  # onset_strength (mean and median) and tempo inside
        dsp.onset.onset_strength(y=y, sr=22050)
        S = np.abs(dsp.stft(y, n_fft=512))
        dsp.pcen(S)  # librosa's STFT layout: the frame-major kernel
        dsp.pcen(np.ascontiguousarray(S))
        f.delta(S)
        f.tempogram(y=y, sr=22050)
        dsp.util.peak_pick(y, pre_max=3, post_max=3, pre_avg=3, post_avg=5, delta=0.5, wait=10)
        dsp.effects.deemphasis(dsp.effects.preemphasis(y))
    elif op == "inverse":
        dsp.griffinlim(np.abs(dsp.stft(y, n_fft=512)), n_iter=2, random_state=0)
    elif op == "pooling":
        image = y.reshape(64, 64)
        dsp.transform.pyramid_reduce(image)
        group = np.arange(64) // 8  # the image's rows as 8 segments of 8 tokens
        dsp.segments.segment_sums(image, group, 8)
        dsp.segments.segment_max(image, group, 8)
    else:  # pragma: no cover - names are checked before any work starts
        raise ValueError(op)


def _timed(op: str, dtype: str) -> tuple[str, str, float]:
    t0 = time.perf_counter()
    _run(op, dtype)
    return op, dtype, time.perf_counter() - t0


def warmup(only=None, dtypes=DTYPES, jobs: int | None = None, progress=print) -> dict:
    """Compile the kernels of ``only`` (default: every operation) for ``dtypes`` into the cache.

    Parameters
    ----------
    only : iterable of str, optional
        Names from :data:`OPERATIONS`.
    dtypes : iterable of {'float32', 'float64'}
    jobs : int, optional
        Worker processes (default: the number of CPUs, at most 4). 1 runs in this process.
    progress : callable
        Called with one line per finished operation.

    Returns
    -------
    dict
        ``{(op, dtype): seconds}`` and the total under ``'total'``.

    Examples
    --------
    >>> from dsp._warmup import warmup
    >>> times = warmup(only=["db"], dtypes=["float32"], jobs=1, progress=lambda line: None)
    >>> sorted(times)
    ['db/float32', 'total']
    """
    from ._errors import DSPError
    import os

    ops = list(OPERATIONS) if only is None else list(only)
    bad = [o for o in ops if o not in OPERATIONS]
    if bad:
        raise DSPError(f"warmup: unknown operation(s) {bad}; accepted: {', '.join(OPERATIONS)}")
    dtypes = list(dtypes)
    bad = [d for d in dtypes if d not in DTYPES]
    if bad:
        raise DSPError(f"warmup: dtype {bad} not accepted; use float32 and/or float64")
    jobs = jobs or min(4, os.cpu_count() or 1)
    tasks = [(o, d) for o in ops for d in dtypes]
    times: dict = {}
    t0 = time.perf_counter()
    if jobs == 1:
        results = (_timed(o, d) for o, d in tasks)
        for op, dt, s in results:
            times[f"{op}/{dt}"] = s
            progress(f"  {op:<14} {dt:<8} {s:7.1f} s")
    else:
        # spawn: a clean interpreter per worker (no inherited threads or half-built caches)
        ctx = multiprocessing.get_context("spawn")
        # tasks go in the table's order; no longest-first sort is needed: cold, on 2 workers
        # (AMD Zen 4, 2026-12-04), the tasks' times summed to 295 s and the warm-up ended in
        # 151 s, within 2 % of an even split ('features', the longest, ran its two dtypes side
        # by side near the end, one per worker)
        with ProcessPoolExecutor(jobs, mp_context=ctx) as ex:
            futures = [ex.submit(_timed, o, d) for o, d in tasks]
            for fut in as_completed(futures):
                op, dt, s = fut.result()
                times[f"{op}/{dt}"] = s
                progress(f"  {op:<14} {dt:<8} {s:7.1f} s")
    times["total"] = time.perf_counter() - t0
    return times
