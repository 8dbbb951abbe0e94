"""Which radices a Stockham size takes, and in which order (plain Python, for :mod:`plans`).

- ``_factorize(n)``: the radices of an n-point complex plan, in the order its passes run;
- ``real_pass_order(factors, m, pow2)``: the order of an even real plan's passes (ending in
  radix 4 for the fused last pass, no radix 8 first), or None when it is the complex plan's;
- ``_largest_prime(n)``, ``_next_smooth(n)``: what decides Bluestein's convolution.

The orders are data, not types: a plan's Numba type (``plans.Pow2Plan`` and its kin) depends on
which radices it has and how it ends, never on their order, so an order is chosen here per size
without compiling anything.

Examples
--------
>>> from dsp_kernels.cpu.fft.radix_orders import _factorize, real_pass_order
>>> _factorize(1024)  # the core of a 2048-point real transform
[8, 8, 4, 4]
>>> real_pass_order(_factorize(1024), 1024, True)
[4, 8, 8, 4]
"""
from __future__ import annotations

__all__ = ["real_pass_order"]


#: Stockham sizes up to this take radix-4 passes instead of radix-8 ones. Their whole block of
#: W transforms (m points, a 64-byte vector each for the real and the imaginary parts: 32 kB at
#: 256) stays in L1d, so a pass costs little memory traffic, while a radix-8 butterfly on
#: 64-byte vectors needs more registers than the 32 there are. Measured on the 2-core AVX-512
#: machine, 1-thread stft, min of 40 alternating rounds, radix-8 plan -> radix-4 plan:
#: n_fft 400 (m 200) 1.23 -> 0.97 ms float32 and 2.81 -> 2.49 float64; n_fft 256 1.07 -> 0.81;
#: n_fft 512 1.27 -> 1.03 float32 and 2.56 -> 2.14 float64; at n_fft 2048 (m 1024) radix 8
#: stays ahead (1.22 ms against 1.35-1.55).
SMALL_STOCKHAM = 256
#: Up to this, a power of two of 2^5 or more takes one radix-8 pass and then radix 4: two or
#: three radix-8 passes in a row were the slowest plans measured there (same machine and
#: method): n_fft 1024 [8, 8, 8] 1.53 -> [8, 4, 4, 4] 1.16 ms float32 (2.37 -> 2.01 float64),
#: n_fft 640 [8, 8, 5] 1.35 -> [8, 4, 2, 5] 1.03; n_fft 768 and 960 were already so. (A real
#: plan then moves its 8 off the first pass: :func:`_no_radix_8_first`.)
MEDIUM_STOCKHAM = 512


def _factorize(n: int) -> list[int]:
    """Radices for n: the power of two as 8s and 4s (fewest passes, no lone 2 when avoidable;
    4s and a last 2 up to :data:`SMALL_STOCKHAM` points, one 8 then 4s up to
    :data:`MEDIUM_STOCKHAM`), then 3, 5 and other primes."""
    size = n
    k = 0
    while n % 2 == 0:
        n //= 2
        k += 1
    if size <= SMALL_STOCKHAM or (size <= MEDIUM_STOCKHAM and k < 5):
        twos = [4] * (k // 2) + [2] * (k % 2)
    elif size <= MEDIUM_STOCKHAM:
        twos = [8] + [4] * ((k - 3) // 2) + [2] * ((k - 3) % 2)
    elif k == 1:
        twos = [2]
    elif k % 3 == 0:
        twos = [8] * (k // 3)
    elif k % 3 == 2:
        twos = [8] * (k // 3) + [4]
    else:  # k = 3j + 1 >= 4: two 4s rather than an 8 and a 2
        twos = [8] * (k // 3 - 1) + [4, 4]
    out = list(twos)
    p = 3
    while n > 1:
        if p * p > n:
            out.append(n)
            break
        while n % p == 0:
            out.append(p)
            n //= p
        p += 2
    return out


def _largest_prime(n: int) -> int:
    return max([x for x in _factorize(n) if x not in (4, 8)] + [2 if n % 2 == 0 else 1])


def _next_smooth(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n."""
    best = 1
    while best < n:
        best *= 2
    p5 = 1
    while p5 < 2 * n:
        p35 = p5
        while p35 < 2 * n:
            v = p35
            while v < n:
                v *= 2
            best = min(best, v)
            p35 *= 3
        p5 *= 5
    return best


def _real_order(factors) -> list[int] | None:
    """The passes of a power-of-two plan reordered to end in radix 4 for an even real plan, or
    None when they already do or cannot.

    Then every such plan is a ``plans.SplitFusedPlan``, one Numba type: a kernel that meets
    several sizes (the CQT's octaves: 256 to 4096 points) compiles its FFT once, where a plan
    ending in radix 2 or 8 was a second type and a second compilation. A lone 2 moves to the
    front ([4, 4, 4, 2] -> [2, 4, 4, 4]); a plan of radix 8 only ends in three 4s instead of
    two 8s ([8, 8, 8, 8] -> [8, 8, 4, 4, 4]). Measured on the 2-core machine, 60 s stft, in one
    process alternating (median of 30 rounds): n_fft 256 2.388 -> 2.389 ms, n_fft 8192
    2.756 -> 2.716 ms: the fused last pass pays for the extra pass. Complex plans keep
    :func:`_factorize`'s order.
    """
    f = [int(r) for r in factors]
    if f[-1:] == [2] and 4 in f:
        return [2] + f[:-1]
    if f[-2:] == [8, 8]:  # 8 x 8 = 4 x 4 x 4
        return f[:-2] + [4, 4, 4]
    return None


def _no_radix_8_first(order: list[int]) -> list[int]:
    """``order`` with the smallest radix of the passes before the last moved to the front when
    the first pass is radix 8 and a smaller one is there. The first pass has span 1 (one vector
    per butterfly group), and a radix-8 group's 32 runs are more pointers than x86 has
    registers: LLVM spills the loop's bookkeeping for every vector (a block of 16 frames of 2048
    points: 4.7 us at span 1 against 2.9 at span 8). Measured on the 2-core Zen 4 machine, the
    stft kernel of 60 s: n_fft 2048 [8, 8, 4, 4] -> [4, 8, 8, 4] -6 %, 1536 [8, 8, 3, 4] -> [3,
    8, 8, 4] -7 %, 1024, 960, 1280, 2560, 8192, 16384 -3 to -5 % (docs/spectral.md, stop 52).
    """
    head = order[:-1]
    if not head or head[0] != 8 or min(head) == 8:
        return order
    i = head.index(min(head))
    return [head[i]] + head[:i] + head[i + 1:] + order[-1:]


def _mixed_real_order(factors, m: int) -> list[int] | None:
    """The passes of a mixed-radix plan with one of its radix-4 passes moved last, so that an
    even real plan takes the fused last pass (``plans.SplitFusedMixedPlan``), or None when it
    ends in 4 already or has no 4 (or ``m`` is not a multiple of 8: the fused pass pairs the
    butterflies at ``q`` and ``m/4 - q`` and needs ``m/4`` even).

    Measured on the 2-core Intel machine (60 s at 16 kHz, n_fft 400, hop 160, float32,
    alternating processes): ``dsp.stft`` 1.22 -> 1.16 ms on two threads, 2.38 -> 2.21 ms on one
    (docs/spectral.md, stop 43).
    """
    f = [int(r) for r in factors]
    if m % 8 or 4 not in f or f[-1] == 4:
        return None
    f.remove(4)
    return f + [4]


def real_pass_order(factors, m: int, pow2: bool) -> list[int] | None:
    """The order of the passes of an even real plan whose complex core of ``m`` points has the
    passes ``factors`` (``pow2``: all of radix 2, 4 or 8): ending in radix 4 where the fused
    last pass can take it (:func:`_real_order`, :func:`_mixed_real_order`) and not starting with
    radix 8 (:func:`_no_radix_8_first`); None when that is ``factors``' own order.

    Examples
    --------
    >>> real_pass_order([8, 8, 4, 3], 768, False)  # 1536 real points: 4 last, 3 first
    [3, 8, 8, 4]
    >>> real_pass_order([4, 2, 5, 5], 200, False)  # 400 points: a 4 moved last
    [2, 5, 5, 4]
    >>> real_pass_order([8, 8, 8, 4], 2048, True) is None  # 4096 points: kept
    True
    """
    f = [int(r) for r in factors]
    fused = _real_order(f) if pow2 else _mixed_real_order(f, m)
    order = _no_radix_8_first(fused if fused is not None else f)
    return None if order == f else order
