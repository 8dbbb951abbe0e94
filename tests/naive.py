

# ---- pyramids.align / pyramids.fusion (issue 8): obviously-correct loops ------------------------
import math as _math

import numpy as _np


def naive_cosine(q, rows):
    """Cosine similarity of one vector ``q`` with every row of ``rows``, one row at a time."""
    out = []
    nq = _math.sqrt(sum(float(x) * float(x) for x in q))
    for r in rows:
        nr = _math.sqrt(sum(float(x) * float(x) for x in r))
        dot = sum(float(x) * float(y) for x, y in zip(q, r))
        out.append(dot / (nq * nr))
    return _np.array(out)


def naive_info_nce(a, b, temperature, normalize=True):
    """Symmetric InfoNCE with explicit loops over rows and columns."""
    a = [list(map(float, r)) for r in a]
    b = [list(map(float, r)) for r in b]
    if normalize:
        a = [[x / _math.sqrt(sum(v * v for v in r)) for x in r] for r in a]
        b = [[x / _math.sqrt(sum(v * v for v in r)) for x in r] for r in b]
    n = len(a)
    s = [[sum(x * y for x, y in zip(a[i], b[j])) / temperature for j in range(n)] for i in range(n)]
    loss_ab = 0.0
    for i in range(n):
        loss_ab += -s[i][i] + _math.log(sum(_math.exp(s[i][j]) for j in range(n)))
    loss_ba = 0.0
    for j in range(n):
        loss_ba += -s[j][j] + _math.log(sum(_math.exp(s[i][j]) for i in range(n)))
    return 0.5 * (loss_ab / n + loss_ba / n)


def naive_cross_attention(q, k, v, n_heads):
    """Multi-head scaled dot-product attention, one head, query and key at a time."""
    q, k, v = (_np.asarray(x, dtype=_np.float64) for x in (q, k, v))
    nq, d = q.shape
    nk, dv = v.shape
    dh, dvh = d // n_heads, dv // n_heads
    out = _np.zeros((nq, dv))
    weights = _np.zeros((n_heads, nq, nk))
    for h in range(n_heads):
        for i in range(nq):
            logits = []
            for j in range(nk):
                dot = 0.0
                for c in range(h * dh, (h + 1) * dh):
                    dot += q[i, c] * k[j, c]
                logits.append(dot / _math.sqrt(dh))
            m = max(logits)
            e = [_math.exp(x - m) for x in logits]
            tot = sum(e)
            for j in range(nk):
                weights[h, i, j] = e[j] / tot
                for c in range(h * dvh, (h + 1) * dvh):
                    out[i, c] += weights[h, i, j] * v[j, c]
    return out, weights


def naive_frames_in_windows(extents, frame_times):
    """For each [start, end) window, the indices of the frame times inside it, by a double loop."""
    out = []
    for start, end in extents:
        out.append([f for f, t in enumerate(frame_times) if start <= t < end])
    return out


# ---- dsp.mel (issue 4): torchaudio's mel filterbank, as loops ----------------------------------
def naive_torchaudio_melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk"):
    """torchaudio.functional.melscale_fbanks, one (bin, band) weight at a time, in float64.

    Follows the definition in torchaudio's src/torchaudio/functional/functional.py at
    pytorch/audio commit 02d6815 (torchaudio 2.8-era source): frequency grid
    ``linspace(0, sample_rate // 2, n_freqs)`` (integer division),
    ``n_mels + 2`` points evenly spaced on the mel scale from ``f_min`` to ``f_max``, triangles
    ``max(0, min((f - f[m]) / (f[m+1] - f[m]), (f[m+2] - f) / (f[m+2] - f[m+1])))``, optional
    Slaney area norm ``2 / (f[m+2] - f[m])``. Returns shape (n_freqs, n_mels) as torchaudio does.
    torchaudio itself computes in float32.
    """

    def hz_to_mel(f):
        if mel_scale == "htk":
            return 2595.0 * _math.log10(1.0 + f / 700.0)
        if f >= 1000.0:
            return 15.0 + _math.log(f / 1000.0) / (_math.log(6.4) / 27.0)
        return f / (200.0 / 3)

    def mel_to_hz(m):
        if mel_scale == "htk":
            return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
        if m >= 15.0:
            return 1000.0 * _math.exp(_math.log(6.4) / 27.0 * (m - 15.0))
        return (200.0 / 3) * m

    top = float(sample_rate // 2)
    freqs = [top * i / (n_freqs - 1) if n_freqs > 1 else 0.0 for i in range(n_freqs)]
    m_min, m_max = hz_to_mel(f_min), hz_to_mel(f_max)
    pts = [mel_to_hz(m_min + (m_max - m_min) * i / (n_mels + 1)) for i in range(n_mels + 2)]
    fb = _np.zeros((n_freqs, n_mels))
    for i, f in enumerate(freqs):
        for m in range(n_mels):
            down = (f - pts[m]) / (pts[m + 1] - pts[m])
            up = (pts[m + 2] - f) / (pts[m + 2] - pts[m + 1])
            w = max(0.0, min(down, up))
            if norm == "slaney":
                w *= 2.0 / (pts[m + 2] - pts[m])
            fb[i, m] = w
    return fb


# ---- dsp.quantization / dsp.sampling / dsp.resampling (issue 2): obviously-correct loops ---------
import math as _qmath

import numpy as _np


def naive_quantize(a, step):
    """Q(a) = sgn(a) * step * floor(|a| / step + 1/2), element by element in Python floats."""
    a = _np.asarray(a)
    out = _np.empty(a.shape, dtype=a.dtype)
    for idx in _np.ndindex(a.shape):
        v = float(a[idx])
        sgn = 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)
        out[idx] = sgn * step * _qmath.floor(abs(v) / step + 0.5)
    return out


def naive_to_pcm(y, bits):
    """Round y * 2**(bits-1) half away from zero, clip, offset 8-bit by 128; one sample at a time."""
    scale = 2 ** (bits - 1)
    out = []
    for v in _np.asarray(y, dtype=_np.float64).ravel():
        r = _qmath.floor(abs(v) * scale + 0.5) * (1 if v >= 0 else -1)
        r = min(max(r, -scale), scale - 1)
        out.append(r + 128 if bits == 8 else r)
    return _np.array(out, dtype=_np.int64).reshape(_np.shape(y))


def naive_sinc_sum(x, sr, t, t0=0.0):
    """Whittaker-Shannon sum over every sample: x(t) = sum_n x[n] sinc(sr (t - t0) - n)."""
    out = []
    for ti in _np.atleast_1d(t):
        u = sr * (float(ti) - t0)
        acc = 0.0
        for n, xn in enumerate(_np.asarray(x, dtype=_np.float64)):
            d = u - n
            acc += float(xn) * (1.0 if d == 0 else _qmath.sin(_qmath.pi * d) / (_qmath.pi * d))
        out.append(acc)
    return _np.array(out)


def naive_kaiser_sinc_resample(x, orig_sr, target_sr, n_out, cutoff, num_zeros, beta):
    """Resample by evaluating the Kaiser-windowed sinc at every tap, one output at a time.

    Output m sits at input position p = m * orig_sr / target_sr; the low-pass has its cutoff at
    ``cutoff * min(1, target_sr / orig_sr)`` of the input Nyquist and spans ``num_zeros`` zero
    crossings on each side; samples outside the signal are zero.
    """
    def i0(z):
        total, term, k = 1.0, 1.0, 0
        while True:
            k += 1
            term *= (z / 2.0) ** 2 / (k * k)
            if term < total * 1e-17:
                return total
            total += term

    x = _np.asarray(x, dtype=_np.float64)
    rc = cutoff * min(1.0, target_sr / orig_sr)
    half = num_zeros / rc  # half-length of the filter in input samples
    out = _np.zeros(n_out)
    for m in range(n_out):
        p = m * orig_sr / target_sr
        acc = 0.0
        for n in range(max(0, _qmath.ceil(p - half)), min(len(x), _qmath.floor(p + half) + 1)):
            u = rc * (p - n)
            if abs(u) >= num_zeros:
                continue
            s = 1.0 if u == 0 else _qmath.sin(_qmath.pi * u) / (_qmath.pi * u)
            w = i0(beta * _qmath.sqrt(1.0 - (u / num_zeros) ** 2)) / i0(beta)
            acc += x[n] * rc * s * w
        out[m] = acc
    return out


def naive_sinc_table_response(h, du, cutoff, f_nyq):
    """The continuous frequency response, at ``f_nyq`` (fractions of the new Nyquist), of the
    symmetric kernel whose right half ``h`` is sampled every ``du`` zero crossings (``h[0]`` at
    0), with ``cutoff`` the kernel's cutoff in the same units: the cosine series of a real even
    kernel, a rectangle-rule integral term by term."""
    u = _np.arange(h.shape[0]) * du
    w = _np.full(h.shape[0], 2.0)
    w[0] = 1.0
    return _np.array([_np.sum(w * h * _np.cos(_np.pi * f / cutoff * u)) * du for f in f_nyq])


def naive_sharp_short_cascade(x, rate, target_sr, n_out, sharp, short, half_taps=None):
    """'hq''s cascade by its definition: [a half-band decimation by 2,] a sharp FIR at the
    rate reached, then a short Kaiser-windowed sinc resampler to ``target_sr``.

    ``sharp = (cutoff, num_zeros, beta)``: taps ``h[d] = rc sinc(rc d) kaiser(rc d / Z)`` at every
    integer ``d``, ``rc = cutoff * target_sr / R`` (R the rate after the half-band stage), applied
    as a full convolution (x zero outside, tails kept). ``short = (rc2, num_zeros2, beta2)``:
    output ``m`` at time ``p = m R / target_sr`` is ``sum_u y[u] rc2 sinc(rc2 (p - u))
    kaiser(rc2 (p - u) / Z2)`` over every sample ``u`` of the sharp stage's output (times before
    0 included). ``half_taps``: the half-band's odd taps ``h[+-(2k + 1)] = half_taps[k]`` (``h[0] =
    1/2``, other even taps zero), the full decimation by 2 with its tails: ``y[u] = sum_j h[j]
    x[2u - j]`` for every integer ``u``; or None.
    """
    def i0(z):
        total, term, k = 1.0, 1.0, 0
        while True:
            k += 1
            term *= (z / 2.0) ** 2 / (k * k)
            if term < total * 1e-17:
                return total
            total += term

    def windowed(v, zeros, beta):
        if abs(v) >= zeros:
            return 0.0
        s_ = 1.0 if v == 0 else _qmath.sin(_qmath.pi * v) / (_qmath.pi * v)
        return s_ * i0(beta * _qmath.sqrt(1.0 - (v / zeros) ** 2)) / i0(beta)

    x = [float(v) for v in _np.asarray(x, dtype=_np.float64)]
    t0 = 0  # time of x[0] at the current rate
    if half_taps is not None:
        h = {0: 0.5}
        for k, t in enumerate(half_taps):
            h[2 * k + 1] = h[-(2 * k + 1)] = float(t)
        K = len(half_taps)
        lo = -K - 1
        y = [sum(t * x[2 * u - j] for j, t in h.items() if 0 <= 2 * u - j < len(x))
             for u in range(lo, len(x) // 2 + K + 2)]
        x, t0, rate = y, lo, rate / 2.0
    cutoff, zeros, beta = sharp
    rc = cutoff * target_sr / rate
    reach = int(_qmath.floor(zeros / rc))
    taps = [rc * windowed(rc * d, zeros, beta) for d in range(-reach, reach + 1)]
    y1 = [sum(taps[d + reach] * x[u - d] for d in range(-reach, reach + 1) if 0 <= u - d < len(x))
          for u in range(-reach, len(x) + reach)]
    t1 = t0 - reach
    rc2, zeros2, beta2 = short
    out = _np.zeros(n_out)
    for m in range(n_out):
        p = m * rate / target_sr
        lo2 = max(0, _qmath.ceil(p - zeros2 / rc2) - t1)  # the window's samples only
        hi2 = min(len(y1), _qmath.floor(p + zeros2 / rc2) - t1 + 1)
        out[m] = sum(y1[i] * rc2 * windowed(rc2 * (p - (i + t1)), zeros2, beta2) for i in range(lo2, hi2))
    return out


# ---- dsp.fourier (issue 2/3): the DFT by its definition, one term at a time --------------------
import cmath as _cmath


def naive_dft(x, inverse=False):
    """X_k = sum_j x_j exp(-+2 pi i j k / n), a double loop in Python complex arithmetic.

    ``inverse=True`` uses the + sign and divides by n (numpy's ifft).
    """
    x = [complex(v) for v in x]
    n = len(x)
    sign = 1.0 if inverse else -1.0
    out = []
    for k in range(n):
        acc = 0j
        for j in range(n):
            acc += x[j] * _cmath.exp(sign * 2j * _cmath.pi * ((j * k) % n) / n)
        out.append(acc / n if inverse else acc)
    return _np.array(out, dtype=_np.complex128)


# ---- pyramids.text (issue 7): pooling tokens into sentences, one group and one row at a time -----
def naive_group_pool(emb, groups, n_groups, pooling, mask=None, weights=None):
    """Pool rows of ``emb`` into ``n_groups`` groups (``groups[i]`` is row i's group, -1: none).

    mean / weighted: sum of w_i * row_i over sum of w_i; max: element-wise max; cls: first row.
    Rows with mask False (or weight 0) take no part.
    """
    n, d = len(emb), len(emb[0])
    out = []
    for g in range(n_groups):
        members = [
            i for i in range(n)
            if groups[i] == g and (mask is None or mask[i]) and (weights is None or weights[i] > 0)
        ]
        if pooling == "cls":
            out.append([float(emb[members[0]][j]) for j in range(d)])
        elif pooling == "max":
            out.append([max(float(emb[i][j]) for i in members) for j in range(d)])
        else:
            w = {i: (1.0 if weights is None else float(weights[i])) for i in members}
            total = sum(w.values())
            out.append([sum(w[i] * float(emb[i][j]) for i in members) / total for j in range(d)])
    return _np.array(out)


# ---- dsp.stft / dsp.istft (issue 3): zero-padded frames and overlap-add, one sample at a time ----
def _naive_padded_window(window, win_length, n_fft):
    import scipy.signal

    w = scipy.signal.get_window(window, win_length, fftbins=True)
    out = [0.0] * n_fft
    left = (n_fft - win_length) // 2
    for j in range(win_length):
        out[left + j] = float(w[j])
    return out


def naive_stft(y, n_fft, hop, window, win_length, center):
    """STFT with zero padding: frame t holds y[t*hop - n_fft//2 + j] (0 outside), times the window,
    transformed by ``naive_dft``; returns (1 + n_fft//2, n_frames)."""
    y = [float(v) for v in y]
    w = _naive_padded_window(window, win_length, n_fft)
    off = n_fft // 2 if center else 0
    n_frames = 1 + (len(y) + 2 * off - n_fft) // hop
    cols = []
    for t in range(n_frames):
        fr = []
        for j in range(n_fft):
            i = t * hop - off + j
            fr.append(w[j] * (y[i] if 0 <= i < len(y) else 0.0))
        cols.append(naive_dft(fr)[: n_fft // 2 + 1])
    return _np.array(cols).T


def naive_istft(S, n_fft, hop, window, center, length=None):
    """Inverse STFT: each column made Hermitian and inverted by ``naive_dft``, windowed and added
    at t*hop; divided by the sum of the squared windows where it is above float64's tiny."""
    n_bins, n_frames = S.shape
    w = _naive_padded_window(window, n_fft, n_fft)
    total = n_fft + hop * (n_frames - 1)
    acc = [0.0] * total
    wss = [0.0] * total
    for t in range(n_frames):
        full = [0j] * n_fft
        for k in range(n_fft // 2 + 1):
            v = complex(S[k, t]) if k < n_bins else 0j
            if k == 0 or 2 * k == n_fft:
                v = complex(v.real, 0.0)
            full[k] = v
            if 0 < k and 2 * k != n_fft:
                full[n_fft - k] = v.conjugate()
        frame = naive_dft(full, inverse=True).real
        for j in range(n_fft):
            acc[t * hop + j] += w[j] * frame[j]
            wss[t * hop + j] += w[j] * w[j]
    tiny = float(_np.finfo(_np.float64).tiny)
    y = [a / s if s > tiny else a for a, s in zip(acc, wss)]
    start = n_fft // 2 if center else 0
    n_out = length if length is not None else total - 2 * start
    y = y[start:start + n_out]
    return _np.array(y + [0.0] * (n_out - len(y)))


# ---- dsp.wavelets (issue 5): the DWT as written in the mode table, one sample at a time ----------


def naive_extend(x, k, mode):
    """Sample ``k`` (any integer) of the 1-D signal ``x`` extended by ``mode``."""
    n = len(x)
    if 0 <= k < n:
        return float(x[k])
    if mode == "zero":
        return 0.0
    if mode == "constant":
        return float(x[0] if k < 0 else x[n - 1])
    if mode == "periodic":
        return float(x[k % n])
    if mode == "periodization":
        padded = list(x) + ([x[n - 1]] if n % 2 else [])
        return float(padded[k % len(padded)])
    if mode == "symmetric":  # ... b a | a b c | c b ...
        m = k % (2 * n)
        return float(x[m] if m < n else x[2 * n - 1 - m])
    if mode == "antisymmetric":  # ... -b -a | a b c | -c -b ...
        m = k % (2 * n)
        return float(x[m] if m < n else -x[2 * n - 1 - m])
    if n == 1:
        return float(x[0])
    if mode == "smooth":  # straight lines through the two edge samples
        if k < 0:
            return float(x[0] + k * (x[1] - x[0]))
        return float(x[n - 1] + (k - n + 1) * (x[n - 1] - x[n - 2]))
    if mode == "reflect":  # ... c b | a b c | b a ...
        m = k % (2 * n - 2)
        return float(x[m] if m < n else x[2 * n - 2 - m])
    if mode == "antireflect":  # point mirror about each edge sample, applied recursively
        if k < 0:
            return 2.0 * float(x[0]) - naive_extend(x, -k, mode)
        return 2.0 * float(x[n - 1]) - naive_extend(x, 2 * (n - 1) - k, mode)
    raise ValueError(mode)


def naive_dwt(x, dec_lo, dec_hi, mode):
    """One DWT level: full convolution of the extended signal, keep every second sample."""
    n, f = len(x), len(dec_lo)
    if mode == "periodization":
        length, first = (n + 1) // 2, f // 2
    else:
        length, first = (n + f - 1) // 2, 1
    ca, cd = _np.zeros(length), _np.zeros(length)
    for o in range(length):
        for j in range(f):
            v = naive_extend(x, 2 * o + first - j, mode)
            ca[o] += dec_lo[j] * v
            cd[o] += dec_hi[j] * v
    return ca, cd


def naive_idwt(ca, cd, rec_lo, rec_hi, mode):
    """One inverse level: upsample by two, convolve, keep the valid part (circular for periodization)."""
    n, f = len(ca), len(rec_lo)
    if mode == "periodization":
        length, shift = 2 * n, f // 2 - 1
    else:
        length, shift = 2 * n - f + 2, f - 2
    y = _np.zeros(length)
    for m in range(length):
        for k in range(n):
            for j in range(f):
                if mode == "periodization":
                    hit = (m + shift - 2 * k - j) % (2 * n) == 0
                else:
                    hit = m + shift - 2 * k == j
                if hit:
                    y[m] += ca[k] * rec_lo[j] + cd[k] * rec_hi[j]
    return y


# ---- constant-Q transform (issue 19): each bin's filter convolved with the full-rate signal -----


def naive_cqt(y, sr, hop_length, fmin, n_bins, bins_per_octave, filter_scale=1.0, gamma=0.0,
              scale=True):
    """Direct constant-Q transform of a 1-d signal: no octaves, no resampling, no FFT.

    Bin ``k`` at ``f = fmin 2^(k / b)`` has a filter of ``L = Q sr / (f + gamma / alpha)``
    samples (``alpha = (2^(2/b) - 1) / (2^(2/b) + 1)``, ``Q = filter_scale / alpha``): the
    periodic Hann window of ``floor(L/2) + ceil(L/2)`` points times ``exp(2 pi i f t / sr)`` at
    integer offsets ``t = floor(-L/2) ...``, divided by its L1 norm. Column ``tau`` is
    ``L sum_t filter(t) y[tau hop - t]`` (zeros outside ``y``), divided by ``sqrt(L)`` when
    ``scale``. Frames: ``1 + len(y) // hop``.
    """
    y = _np.asarray(y, dtype=_np.float64)
    n = y.shape[0]
    r = 2.0 ** (2.0 / bins_per_octave)
    alpha = (r - 1) / (r + 1)
    n_frames = 1 + n // hop_length
    out = _np.zeros((n_bins, n_frames), dtype=_np.complex128)
    centres = _np.arange(n_frames) * hop_length
    for k in range(n_bins):
        f = fmin * 2.0 ** (k / bins_per_octave)
        L = (filter_scale / alpha) * sr / (f + gamma / alpha)
        t = _np.arange(_math.floor(-L / 2), _math.floor(L / 2))
        m = t.size
        win = 0.5 - 0.5 * _np.cos(2 * _np.pi * _np.arange(m) / m)
        h = win * _np.exp(2j * _np.pi * f * t / sr)
        h /= _np.sum(_np.abs(h))
        for j, c in enumerate(centres):
            idx = c - t
            ok = (idx >= 0) & (idx < n)
            out[k, j] = L * _np.sum(h[ok] * y[idx[ok]])
        if scale:
            out[k] /= _math.sqrt(L)
    return out


def naive_token_starts(text, offsets):
    """Each token's start after its leading whitespace, by walking the characters (a token of
    whitespace only keeps its start): the loop ``pyramids.text_pooling._token_starts`` replaces."""
    out = []
    for s, e in offsets:
        k = s
        while k < e and text[k].isspace():
            k += 1
        out.append(k if k < e else s)
    return _np.array(out, dtype=_np.int64)


def naive_stockham_pass(x, M, tw, off, r, s, mm, L):
    """One radix-``r`` Stockham pass by its definition (the contract of ``kernels/cpu/fft/passes``
    and ``passes_lanes``): for each group ``p < mm`` and run value ``u < s L``, output ``k``
    at ``(s (r p + k)) L + u`` is ``w_k(p) sum_j x_{(s p + j s mm) L + u} exp(-2 pi i j k / r)``,
    with ``w_0 = 1`` and ``w_k(p) = tw[off + (r - 1) p + k - 1]``. ``x`` holds real parts at
    ``[0, M)`` and imaginary parts at ``[M, 2M)``; returns the output row the same way."""
    z = x[:M].astype(_np.complex128) + 1j * x[M:2 * M].astype(_np.complex128)
    out = _np.zeros(M, _np.complex128)
    run = s * L
    for p in range(mm):
        for k in range(r):
            acc = _np.zeros(run, _np.complex128)
            for j in range(r):
                i0 = (s * p + j * s * mm) * L
                acc += z[i0:i0 + run] * _np.exp(-2j * _np.pi * j * k / r)
            w = 1.0 if k == 0 else tw[off + (r - 1) * p + k - 1]
            o = s * (r * p + k) * L
            out[o:o + run] = w * acc
    return _np.concatenate([out.real, out.imag])
