"""The toolkit's one exception root."""


class DSPError(ValueError):
    """Bad input to a public function of the toolkit.

    Raised by validation, never by a kernel. The message names the parameter, the value received
    and what would be accepted, e.g. ``n_fft=1 is too small: need n_fft >= 2``.

    A ``ValueError`` subclass, so code written against librosa's or PyWavelets' ``ValueError``
    keeps working.
    """
