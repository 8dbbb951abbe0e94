"""Support for the librosa-style namespaces (``dsp.feature``, ``dsp.filters``, ``dsp.util``,
``dsp.effects``, ``dsp.display``): a name librosa has and we do not yet gets an AttributeError
that says so, instead of a bare one.

To fill a namespace, import the function into its module and add it to ``__all__``; the name
then resolves normally and the 'not implemented yet' message stops applying to it.
"""
from __future__ import annotations


def not_implemented_getattr(module: str, librosa_module: str, librosa_names, implemented):
    """A module ``__getattr__`` for ``module`` mirroring ``librosa_module``."""
    librosa_names = frozenset(librosa_names)

    def __getattr__(name):
        if name in librosa_names:
            have = ", ".join(sorted(implemented)) or "nothing yet"
            raise AttributeError(
                f"{module}.{name} is not implemented yet: {librosa_module}.{name} has no dsp "
                f"equivalent so far ({module} has: {have})"
            )
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
