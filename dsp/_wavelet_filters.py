"""Discrete wavelets: the built-in families, their four filters, and custom filter banks.

Only one filter per orthogonal wavelet is stored (``dec_lo``, in :mod:`dsp._wavelet_coefs`); the
others follow from the quadrature-mirror relations, with ``F`` the (even) filter length::

    rec_lo[k] = dec_lo[F - 1 - k]          (orthogonal: synthesis is the time reverse)
    rec_hi[k] = (-1)**k     * dec_lo[k]
    dec_hi[k] = (-1)**(k+1) * rec_lo[k]

Biorthogonal (CDF) wavelets store ``dec_lo`` and ``rec_lo`` and use the last two relations;
``rbioN.M`` is ``biorN.M`` with both low-pass filters time-reversed and swapped.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from dsp_kernels.caches import table_cache

from ._errors import DSPError, DSPTypeError
from ._wavelet_coefs import BIORTHOGONAL_DEC_REC_LO, ORTHOGONAL_DEC_LO

#: short family name -> (long name, symmetry)
_FAMILIES = {
    "haar": ("Haar", "asymmetric"),
    "db": ("Daubechies", "asymmetric"),
    "sym": ("Symlets", "near symmetric"),
    "coif": ("Coiflets", "near symmetric"),
    "bior": ("Biorthogonal", "symmetric"),
    "rbio": ("Reverse biorthogonal", "symmetric"),
    "dmey": ("Discrete Meyer (FIR Approximation)", "symmetric"),
}
#: continuous family -> (long name, the names PyWavelets lists for it); cwt takes them (dsp/_cwt.py)
_CONTINUOUS = {
    "gaus": ("Gaussian", tuple(f"gaus{i}" for i in range(1, 9))),
    "mexh": ("Mexican hat wavelet", ("mexh",)),
    "morl": ("Morlet wavelet", ("morl",)),
    "cgau": ("Complex Gaussian wavelets", tuple(f"cgau{i}" for i in range(1, 9))),
    "shan": ("Shannon wavelets", ("shan",)),
    "fbsp": ("Frequency B-Spline wavelets", ("fbsp",)),
    "cmor": ("Complex Morlet wavelets", ("cmor",)),
}
_CONTINUOUS_FAMILIES = tuple(_CONTINUOUS)

_BIOR_NAMES = tuple(BIORTHOGONAL_DEC_REC_LO)
_NAMES_BY_FAMILY = {
    "haar": ("haar",),
    "db": tuple(f"db{i}" for i in range(1, 39)),
    "sym": tuple(f"sym{i}" for i in range(2, 21)),
    "coif": tuple(f"coif{i}" for i in range(1, 18)),
    "bior": _BIOR_NAMES,
    "rbio": tuple("rbio" + n[4:] for n in _BIOR_NAMES),
    "dmey": ("dmey",),
}
_FAMILY_OF = {name: fam for fam, names in _NAMES_BY_FAMILY.items() for name in names}


def _qmf_bank(dec_lo: np.ndarray, rec_lo: np.ndarray):
    sign = (-1.0) ** np.arange(dec_lo.shape[0])
    return dec_lo, -sign * rec_lo, rec_lo, sign * dec_lo


@table_cache(maxsize=None)
def _builtin_bank(name: str):
    """The four filters of a built-in wavelet as read-only float64 arrays."""
    family = _FAMILY_OF[name]
    if family in ("bior", "rbio"):
        dec, rec = (np.array(f, dtype=np.float64) for f in BIORTHOGONAL_DEC_REC_LO["bior" + name[4:]])
        if family == "rbio":
            dec, rec = rec[::-1].copy(), dec[::-1].copy()
    else:
        dec = np.array(ORTHOGONAL_DEC_LO[name], dtype=np.float64)
        rec = dec[::-1].copy()
    bank = _qmf_bank(dec, rec)
    for f in bank:
        f.flags.writeable = False
    return bank


def _builtin_properties(name: str):
    """(orthogonal, vanishing_moments_psi, vanishing_moments_phi) of a built-in wavelet."""
    family = _FAMILY_OF[name]
    if family == "haar":
        return True, 1, 0
    if family == "dmey":
        return True, None, None
    if family in ("bior", "rbio"):
        r, d = name[4:].split(".")
        return False, int(r), int(d)
    order = int(name[len(family):])
    if family == "coif":
        return True, 2 * order, 2 * order - 1
    return True, order, 0


def families(short: bool = True) -> list[str]:
    """Names of the wavelet families available: the discrete ones, then the continuous ones (cwt),
    in PyWavelets' order.

    Parameters
    ----------
    short : bool
        Short names (``'db'``) or long ones (``'Daubechies'``).

    Returns
    -------
    list of str

    Examples
    --------
    >>> import dsp
    >>> dsp.families()[:3]
    ['haar', 'db', 'sym']
    """
    if short:
        return list(_FAMILIES) + list(_CONTINUOUS)
    return [long for long, _ in _FAMILIES.values()] + [long for long, _ in _CONTINUOUS.values()]


def wavelist(family: str | None = None, kind: str = "all") -> list[str]:
    """Names of the built-in wavelets, optionally of one family.

    Like ``pywt.wavelist``: discrete wavelets (for the DWT family) and continuous ones (for
    :func:`dsp.cwt`), in PyWavelets' natural order (by the first two letters, then by length).

    Parameters
    ----------
    family : str or None
        A short family name from :func:`families` (``'db'``, ``'sym'``, ...), or None for all.
    kind : {'all', 'discrete', 'continuous'}

    Returns
    -------
    list of str

    Examples
    --------
    >>> import dsp
    >>> dsp.wavelist('coif')[:3]
    ['coif1', 'coif2', 'coif3']
    """
    if kind not in ("all", "discrete", "continuous"):
        raise DSPError(f"kind={kind!r} is not supported: use one of 'all', 'discrete', 'continuous'")
    if family is not None and family not in _FAMILIES and family not in _CONTINUOUS:
        raise DSPError(
            f"family={family!r} is not a wavelet family: use one of "
            f"{', '.join(repr(f) for f in families())}"
        )
    names = []
    if family is not None:
        # PyWavelets ignores kind when a family is named: its whole family is listed
        kind = "all"
    if kind in ("all", "discrete"):
        names += [n for fam in _FAMILIES if family in (None, fam) for n in _NAMES_BY_FAMILY[fam]]
    if kind in ("all", "continuous"):
        names += [n for fam, (_, ns) in _CONTINUOUS.items() if family in (None, fam) for n in ns]
    # PyWavelets' natural order: 'db2' before 'db10'
    return sorted(names, key=lambda n: (n[:2], len(n), n))


def _custom_bank(filter_bank):
    bank = getattr(filter_bank, "filter_bank", filter_bank)
    try:
        filters = [np.asarray(f) for f in bank]
    except TypeError as exc:
        raise DSPError(
            f"filter_bank={filter_bank!r} must be four filters (dec_lo, dec_hi, rec_lo, rec_hi) "
            "or an object with a filter_bank attribute"
        ) from exc
    if len(filters) != 4:
        raise DSPError(
            f"filter_bank has {len(filters)} filters: need four (dec_lo, dec_hi, rec_lo, rec_hi)"
        )
    out = []
    for label, f in zip(("dec_lo", "dec_hi", "rec_lo", "rec_hi"), filters):
        if f.ndim != 1 or f.dtype.kind not in "iuf":
            raise DSPError(f"filter_bank {label} must be a 1-D sequence of real numbers, got {f!r}")
        if f.size == 0:
            raise DSPError(f"filter_bank {label} is empty: every filter needs at least one tap")
        f = f.astype(np.float64)
        if not np.isfinite(f).all():
            raise DSPError(f"filter_bank {label} contains NaN or infinity")
        out.append(f)
    lengths = {f.size for f in out}
    if len(lengths) != 1:
        raise DSPError(
            f"filter_bank filters have lengths {[f.size for f in out]}: all four must have the same length"
        )
    if out[0].size % 2:  # the transforms need even lengths; a trailing zero tap changes nothing
        out = [np.append(f, 0.0) for f in out]
    for f in out:
        f.flags.writeable = False
    return tuple(out)


class Wavelet:
    """A discrete wavelet: its four filters and properties, like ``pywt.Wavelet``.

    Parameters
    ----------
    name : str
        A built-in wavelet (see :func:`wavelist`), or any label for a custom ``filter_bank``.
    filter_bank : sequence of four sequences, or object with a ``filter_bank`` attribute, optional
        ``(dec_lo, dec_hi, rec_lo, rec_hi)`` of a custom wavelet, all of one length (odd lengths
        get a trailing zero, as in PyWavelets).

    Attributes
    ----------
    dec_lo, dec_hi, rec_lo, rec_hi : list of float
        Decomposition and reconstruction filters, low and high pass.
    filter_bank : tuple of four lists
        ``(dec_lo, dec_hi, rec_lo, rec_hi)``.
    inverse_filter_bank : tuple of four lists
        ``(rec_lo[::-1], rec_hi[::-1], dec_lo[::-1], dec_hi[::-1])``.
    dec_len, rec_len : int
    orthogonal, biorthogonal : bool
        Settable, as in PyWavelets (False for custom banks until set).
    symmetry : str
    vanishing_moments_psi, vanishing_moments_phi : int or None
    name, family_name, short_family_name : str
    family_number, number : int or None
        The wavelet's number in its family (``db4`` -> 4, ``bior3.5`` -> 35); None when custom.

    Methods
    -------
    wavefun(level=8)
        phi and psi (and their duals) sampled by the cascade algorithm, as PyWavelets does.

    Examples
    --------
    >>> import dsp
    >>> w = dsp.Wavelet('db2')
    >>> w.dec_len, w.orthogonal
    (4, True)
    >>> [round(c, 4) for c in w.rec_lo]
    [0.483, 0.8365, 0.2241, -0.1294]
    """

    def __init__(self, name: str = "", filter_bank=None):
        if not isinstance(name, str):
            raise DSPTypeError(f"name={name!r} must be a string")
        self.name = name
        if filter_bank is None:
            if name not in _FAMILY_OF:
                family = name.rstrip("0123456789.")
                if family in _CONTINUOUS_FAMILIES:
                    raise DSPError(
                        f"wavelet {name!r} is a continuous wavelet: only discrete wavelets are "
                        "supported (see dsp.wavelist())"
                    )
                raise DSPError(
                    f"wavelet {name!r} is not a built-in wavelet: use a name from dsp.wavelist(), "
                    "or pass filter_bank for a custom one"
                )
            family = _FAMILY_OF[name]
            self._bank = _builtin_bank(name)
            self.short_family_name = family
            self.family_name, self.symmetry = _FAMILIES[family]
            self.orthogonal, self.vanishing_moments_psi, self.vanishing_moments_phi = (
                _builtin_properties(name)
            )
            self.biorthogonal = True
        else:
            self._bank = _custom_bank(filter_bank)
            self.short_family_name = ""
            self.family_name = ""
            self.symmetry = "unknown"
            self.orthogonal = False
            self.biorthogonal = False
            self.vanishing_moments_psi = 0
            self.vanishing_moments_phi = 0

    # the filters, as lists (PyWavelets' types); the float64 arrays the kernels use are _bank
    dec_lo = property(lambda self: self._bank[0].tolist())
    dec_hi = property(lambda self: self._bank[1].tolist())
    rec_lo = property(lambda self: self._bank[2].tolist())
    rec_hi = property(lambda self: self._bank[3].tolist())
    dec_len = property(lambda self: int(self._bank[0].size))
    rec_len = property(lambda self: int(self._bank[2].size))

    @property
    def filter_bank(self):
        return tuple(f.tolist() for f in self._bank)

    @property
    def inverse_filter_bank(self):
        dl, dh, rl, rh = self._bank
        return tuple(f[::-1].tolist() for f in (rl, rh, dl, dh))

    @property
    def family_number(self):
        """The wavelet's number within its family (``db4`` -> 4, ``bior3.5`` -> 35, ``haar`` and
        ``dmey`` -> 0), as PyWavelets numbers them; None for a custom filter bank."""
        if self.short_family_name == "":
            return None
        digits = self.name[len(self.short_family_name):].replace(".", "")
        return int(digits) if digits else 0

    number = family_number

    def get_filters_coeffs(self):
        """``filter_bank`` (deprecated in PyWavelets, which warns as this does)."""
        warnings.warn("The `get_filters_coeffs` method is deprecated. Use `filter_bank` attribute "
                      "instead.", DeprecationWarning, stacklevel=2)
        return self.filter_bank

    def get_reverse_filters_coeffs(self):
        """``inverse_filter_bank`` (deprecated in PyWavelets, which warns as this does)."""
        warnings.warn("The `get_reverse_filters_coeffs` method is deprecated. Use "
                      "`inverse_filter_bank` attribute instead.", DeprecationWarning, stacklevel=2)
        return self.inverse_filter_bank

    def wavefun(self, level: int = 8):
        """Scaling and wavelet functions sampled by the cascade algorithm, like ``pywt``'s.

        Starting from one coefficient of value ``sqrt(2)**level``, ``level`` upsampling
        convolutions (the first with the high-pass filter for psi, all others with the low-pass
        one) sample phi and psi on a grid of step ``2**-level``.

        Parameters
        ----------
        level : int >= 1
            Refinement level.

        Returns
        -------
        [phi, psi, x] : list of np.ndarray
            For an orthogonal wavelet: float64 samples on the grid ``x`` from 0 to ``dec_len - 1``.
        [phi_d, psi_d, phi_r, psi_r, x] : list of np.ndarray
            Otherwise: the decomposition and the reconstruction functions.

        Examples
        --------
        >>> import dsp
        >>> phi, psi, x = dsp.Wavelet('db2').wavefun(level=4)
        >>> phi.shape, float(x[-1])
        ((49,), 3.0)
        >>> len(dsp.Wavelet('bior2.2').wavefun(level=3))
        5
        """
        from ._validation import check_int

        level = check_int("level", level, minimum=1)
        scale = 2.0 ** (level / 2.0)
        if self.orthogonal:
            phi, psi, _ = self._cascade(self._bank[2], self._bank[3], level, scale, scale, 1)
            x = np.linspace(0.0, (phi.size - 1) / 2.0 ** level, phi.size)
            return [phi, psi, x]
        # PyWavelets' sign convention for psi of biorthogonal wavelets
        sign = -1.0 if self.biorthogonal and (self.vanishing_moments_psi or 0) % 4 != 1 else 1.0
        dl, dh = self._bank[0][::-1], self._bank[1][::-1]
        phi_d, psi_d, _ = self._cascade(dl, dh, level, scale, sign * scale, 0)
        phi_r, psi_r, n = self._cascade(self._bank[2], self._bank[3], level, scale, sign * scale, 0)
        x = np.linspace(0.0, (n - 1) / 2.0 ** level, n)
        return [phi_d, psi_d, phi_r, psi_r, x]

    @staticmethod
    def _cascade(lo, hi, level, a, d, extra):
        """phi and psi from one coefficient (``a`` resp. ``d``): ``level`` upsampling
        convolutions, padded with one leading zero and trailing zeros to ``(F - 1) 2**level +
        extra`` samples (at least the cascade's length + 2)."""
        out = []
        for first, value in ((lo, a), (hi, d)):
            c = np.array([value])
            for i in range(level):
                up = np.zeros(2 * c.size - 1)
                up[::2] = c
                c = np.convolve(up, first if i == 0 else lo)
            out.append(c)
        n = max((lo.size - 1) * 2 ** level + extra, out[0].size + 2)
        padded = [np.concatenate(([0.0], c, np.zeros(n - c.size - 1))) for c in out]
        return padded[0], padded[1], n

    def __repr__(self) -> str:
        return (
            f"Wavelet {self.name}\n  Family name:    {self.family_name}\n"
            f"  Short name:     {self.short_family_name}\n  Filters length: {self.dec_len}\n"
            f"  Orthogonal:     {self.orthogonal}\n  Biorthogonal:   {self.biorthogonal}\n"
            f"  Symmetry:       {self.symmetry}"
        )


_PROPERTIES = ("orthogonal", "biorthogonal", "symmetry", "family_name", "short_family_name",
               "vanishing_moments_psi", "vanishing_moments_phi")


def as_wavelet(wavelet) -> Wavelet:
    """A :class:`Wavelet` from a name, a Wavelet, or any object with PyWavelets' wavelet interface.

    An object with a ``filter_bank`` (a ``pywt.Wavelet``, or a user's own filter-bank class) is
    read, filters and properties (``orthogonal``, ``symmetry``, ...) alike, so that e.g.
    ``swt(x, pywt.Wavelet('db2'), norm=True)`` knows the wavelet is orthogonal.
    """
    if isinstance(wavelet, Wavelet):
        return wavelet
    if isinstance(wavelet, str):
        return Wavelet(wavelet)
    if hasattr(wavelet, "filter_bank"):  # e.g. a pywt.Wavelet
        name = getattr(wavelet, "name", "")
        w = Wavelet(name if isinstance(name, str) else "", filter_bank=wavelet)
        for prop in _PROPERTIES:
            value = getattr(wavelet, prop, None)
            if value is not None:
                setattr(w, prop, value)
        return w
    raise DSPTypeError(  # PyWavelets: TypeError
        f"wavelet={wavelet!r} must be a wavelet name (see dsp.wavelist()), a dsp.Wavelet or an "
        "object with a filter_bank (e.g. a pywt.Wavelet)"
    )


def filter_length(filter_len, name: str = "filter_len") -> int:
    """Accept a Wavelet, a built-in name or an integer (integral floats too) as a filter length."""
    if isinstance(filter_len, Wavelet):
        return filter_len.dec_len
    if hasattr(filter_len, "filter_bank"):  # any object with PyWavelets' wavelet interface
        return as_wavelet(filter_len).dec_len
    if isinstance(filter_len, str):
        if filter_len not in _FAMILY_OF:
            raise DSPError(
                f"{name}={filter_len!r} is not a discrete wavelet name: see dsp.wavelist()"
            )
        return int(_builtin_bank(filter_len)[0].size)
    if isinstance(filter_len, numbers.Real) and not isinstance(filter_len, (bool, np.bool_)):
        if float(filter_len) % 1 == 0:
            return int(filter_len)
    raise DSPError(
        f"{name}={filter_len!r} must be an integer, a dsp.Wavelet or the name of a discrete wavelet"
    )
