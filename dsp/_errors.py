"""The toolkit's one exception root."""


class DSPError(ValueError):
    """Bad input to a public function of the toolkit.

    Raised by validation, never by a kernel. The message names the parameter, the value received
    and what would be accepted, e.g. ``n_fft=1 is too small: need n_fft >= 2``.

    A ``ValueError`` subclass, so code written against librosa's or PyWavelets' ``ValueError``
    keeps working.
    """


class DSPTypeError(DSPError, TypeError):
    """A :class:`DSPError` for an argument of the wrong type, where the peer raises ``TypeError``.

    Both a ``ValueError`` (through :class:`DSPError`) and a ``TypeError``, so code catching either
    the toolkit's error or the peer's keeps working, e.g. ``dsp.dwt(x, 'db2', mode=None)`` as
    ``pywt.dwt`` refuses it.
    """
