"""Pitch conversions with librosa's names: Hz <-> MIDI numbers <-> note names.

Equal temperament with A4 = 440 Hz = MIDI 69: ``midi = 69 + 12 log2(f / 440)``. Note names are
a letter, accidentals (``#``/``♯`` sharp, ``b``/``!``/``♭`` flat, ``𝄪`` and ``𝄫`` double, ``♮``
natural), an optional octave (default 0; C4 is middle C, MIDI 60) and optional cents
(``'A4+25'``). Names are spelled for a key: a key whose signature has sharps (and C major) uses
sharps, one with flats uses flats; six or more sharps spell F as E♯, seven spell C as B♯; six or
more flats spell B as C♭, seven spell E as F♭.
"""
from __future__ import annotations

import re

import numpy as np

from ._errors import DSPError

__all__ = ["hz_to_midi", "midi_to_hz", "note_to_midi", "midi_to_note", "note_to_hz", "hz_to_note"]

_PITCH = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTAL = {"#": 1, "♯": 1, "𝄪": 2, "b": -1, "!": -1, "♭": -1, "𝄫": -2, "♮": 0, "": 0}
_NOTE_RE = re.compile(r"^(?P<letter>[A-Ga-g])(?P<acc>[#♯𝄪b!♭𝄫♮]*)(?P<octave>[+-]?\d+)?(?P<cents>[+-]\d+)?$")
#: position of each natural on the circle of fifths, relative to C
_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
#: mode -> fifths from its relative major (e.g. A minor has C major's signature)
_MODES = {"maj": 0, "ion": 0, "min": -3, "aeo": -3, "dor": -2, "phr": -4, "lyd": 1, "mix": -1,
          "loc": -5}
_KEY_RE = re.compile(r"^(?P<tonic>[A-Ga-g][#♯b!♭]?):(?P<mode>[a-zA-Z]+)$")


def _real(x, name):
    a = np.asanyarray(x)
    if a.dtype.kind not in "iuf":
        raise DSPError(f"{name} has dtype {a.dtype}: need real numbers")
    return a


def hz_to_midi(frequencies):
    """MIDI note number (fractional) of each frequency: ``12 (log2(f) - log2(440)) + 69``.

    Parameters
    ----------
    frequencies : float or np.ndarray [shape=(...)]
        Hz, > 0 (0 gives -inf, as librosa).

    Returns
    -------
    float or np.ndarray [shape=frequencies.shape]

    Examples
    --------
    >>> import dsp
    >>> dsp.hz_to_midi([440.0, 261.6255653005986])
    array([69., 60.])
    """
    f = _real(frequencies, "frequencies")
    return 12 * (np.log2(f) - np.log2(440.0)) + 69


def midi_to_hz(notes):
    """Frequency in Hz of each MIDI note number: ``440 * 2 ** ((notes - 69) / 12)``.

    Parameters
    ----------
    notes : float or np.ndarray [shape=(...)]

    Returns
    -------
    float or np.ndarray [shape=notes.shape]

    Examples
    --------
    >>> import dsp
    >>> dsp.midi_to_hz([57, 69, 81])
    array([220., 440., 880.])
    """
    return 440.0 * (2.0 ** ((_real(notes, "notes") - 69.0) / 12.0))


def _one_note_to_midi(note, round_midi):
    if not isinstance(note, str):
        raise DSPError(f"note={note!r} is not a note name: need a string such as 'C#4' or 'A4+10'")
    m = _NOTE_RE.match(note)
    if m is None:
        raise DSPError(f"note={note!r} is not a note name: need a letter A-G, accidentals "
                       "(#, b, ♯, ♭, 𝄪, 𝄫, ♮), an optional octave and cents, e.g. 'Db3', 'A4+25'")
    offset = sum(_ACCIDENTAL[c] for c in m.group("acc"))
    octave = int(m.group("octave") or 0)
    cents = int(m.group("cents") or 0) / 100.0
    value = 12 * (octave + 1) + _PITCH[m.group("letter").upper()] + offset + cents
    return int(np.round(value)) if round_midi else value


def note_to_midi(note, *, round_midi=True):
    """MIDI number of a note name or of each name in a sequence.

    Parameters
    ----------
    note : str or iterable of str
    round_midi : bool
        Round to the nearest integer (cents dropped).

    Returns
    -------
    int or float, or np.ndarray [shape=(len(note),)]

    Examples
    --------
    >>> import dsp
    >>> dsp.note_to_midi('C4'), dsp.note_to_midi('A4+50', round_midi=False)
    (60, 69.5)
    """
    if isinstance(note, str) or not hasattr(note, "__iter__"):
        return _one_note_to_midi(note, round_midi)
    return np.array([_one_note_to_midi(n, round_midi) for n in note])


def note_to_hz(note, **kwargs):
    """Frequency in Hz of a note name (or of each name in a sequence).

    Parameters
    ----------
    note : str or iterable of str
    **kwargs
        Passed to :func:`note_to_midi` (``round_midi``).

    Returns
    -------
    float or np.ndarray

    Examples
    --------
    >>> import dsp
    >>> dsp.note_to_hz(['A3', 'A4', 'A5'])
    array([220., 440., 880.])
    """
    return midi_to_hz(note_to_midi(note, **kwargs))


def _key_names(key, unicode):
    """The twelve pitch-class names (C first) as spelled in ``key``."""
    m = _KEY_RE.match(key) if isinstance(key, str) else None
    mode = m.group("mode").lower()[:3] if m else None
    if m is None or mode not in _MODES:
        raise DSPError(f"key={key!r} is not supported: need 'tonic:mode', tonic a letter with an "
                       f"optional sharp or flat, mode one of {sorted(_MODES)} (e.g. 'C:maj', 'F#:min')")
    tonic = m.group("tonic")
    acc = tonic[1:]
    fifths = _FIFTHS[tonic[0].upper()] + 7 * sum(_ACCIDENTAL[c] for c in acc) + _MODES[mode]
    sharp, flat = ("♯", "♭") if unicode else ("#", "b")
    if fifths >= 0:
        names = ["C", "C" + sharp, "D", "D" + sharp, "E", "F", "F" + sharp, "G", "G" + sharp, "A",
                 "A" + sharp, "B"]
        if fifths >= 6:
            names[5] = "E" + sharp
        if fifths >= 7:
            names[0] = "B" + sharp
    else:
        names = ["C", "D" + flat, "D", "E" + flat, "E", "F", "G" + flat, "G", "A" + flat, "A",
                 "B" + flat, "B"]
        if fifths <= -6:
            names[11] = "C" + flat
        if fifths <= -7:
            names[4] = "F" + flat
    return names


def _one_midi_to_note(midi, octave, cents, names):
    num = int(np.round(midi))
    note = names[num % 12]
    if octave:
        # the octave follows the pitch, so B♯3 is MIDI 60 and C♭5 is MIDI 71
        letter_octave = num // 12 - 1
        if note.startswith("B") and num % 12 == 0:
            letter_octave -= 1
        elif note.startswith("C") and num % 12 == 11:
            letter_octave += 1
        note = f"{note}{letter_octave}"
    if cents:
        note = f"{note}{int(100 * np.around(midi - num, 2)):+02d}"
    return note


def midi_to_note(midi, *, octave=True, cents=False, key="C:maj", unicode=True):
    """Note name of each MIDI number, spelled in ``key``.

    Parameters
    ----------
    midi : float or np.ndarray [shape=(...)]
    octave : bool
        Append the octave number.
    cents : bool
        Append the deviation from the nearest note in cents (``'A4+25'``).
    key : str
        'tonic:mode', e.g. 'C:maj', 'Eb:min', 'D:dor': chooses sharps or flats.
    unicode : bool
        ``♯``/``♭`` (True) or ``#``/``b``.

    Returns
    -------
    str or np.ndarray [shape=midi.shape] of str

    Examples
    --------
    >>> import dsp
    >>> dsp.midi_to_note([60, 61, 69.25], cents=True, key='F:maj', unicode=False)
    array(['C4+0', 'Db4+0', 'A4+25'], dtype='<U5')
    """
    names = _key_names(key, unicode)
    m = _real(midi, "midi")
    if m.ndim == 0:
        return _one_midi_to_note(float(m), octave, cents, names)
    return np.array([_one_midi_to_note(float(v), octave, cents, names) for v in m.ravel()]).reshape(m.shape)


def hz_to_note(frequencies, **kwargs):
    """Note name of each frequency (see :func:`midi_to_note` for ``octave``, ``cents``, ``key``).

    Parameters
    ----------
    frequencies : float or np.ndarray [shape=(...)]
    **kwargs
        Passed to :func:`midi_to_note`.

    Returns
    -------
    str or np.ndarray [shape=frequencies.shape] of str

    Examples
    --------
    >>> import dsp
    >>> dsp.hz_to_note([261.63, 440.0], unicode=False)
    array(['C4', 'A4'], dtype='<U2')
    """
    return midi_to_note(hz_to_midi(frequencies), **kwargs)
