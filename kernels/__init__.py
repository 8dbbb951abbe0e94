"""Compute kernels. ``dsp_kernels.cpu``: Numba ``njit``; ``dsp_kernels.gpu``: numba.cuda + CuPy.

Kernels know nothing of defaults or user-facing errors: :mod:`dsp` validates and picks one.
Nothing is compiled or imported from CUDA/CuPy when this package is imported.

This folder installs under the import name ``dsp_kernels``. Imported as ``kernels`` (from the
repository's root, whose working directory is on ``sys.path``), it hands that name to the
unrelated PyPI distribution it would shadow, where one is installed (docs/architecture.md).
"""

if __name__ == "kernels":

    def _hand_over_the_folder_name(name, init_file):
        """Turn this module, in place, into the package of that name found elsewhere; without
        one, leave this (empty) package as it is.

        In place: the other package's code runs in this module object, under its own spec,
        ``__path__`` and ``__file__``, so every reference to the object (another thread's
        ``import kernels`` that waited for this one holds it) is that package. Its spec is marked
        ``_initializing`` while it runs, so such a thread waits for it to finish. Paths are
        compared resolved (``realpath``): the repository reached by two spellings (a link on
        ``PYTHONPATH``) must not count as "elsewhere", or each copy of this folder would hand
        the name to the other without end. ``sys.path`` is searched entry by entry, skipping
        this folder wherever it is found; other finders (an editable install's) are asked too.
        """
        import importlib.machinery
        import os
        import sys

        folder = os.path.realpath(os.path.dirname(os.path.abspath(init_file)))

        def points_here(spec):
            places = list(spec.submodule_search_locations or ())
            if spec.origin:
                places.append(os.path.dirname(spec.origin))
            return any(os.path.realpath(place) == folder for place in places)

        def candidates():
            for finder in sys.meta_path:
                find_spec = getattr(finder, "find_spec", None)
                if find_spec is None:
                    continue
                if finder is importlib.machinery.PathFinder:
                    for entry in sys.path:
                        if isinstance(entry, str):
                            yield find_spec(name, [entry])
                else:
                    yield find_spec(name, None)

        for spec in candidates():
            if spec is None or spec.loader is None or points_here(spec):
                continue
            if isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
                continue  # a compiled __init__ needs a module object of its own making
            module = sys.modules[name]
            spec._initializing = True
            try:
                for key in [k for k in vars(module) if k not in ("__name__", "__builtins__")]:
                    delattr(module, key)
                module.__spec__ = spec
                module.__loader__ = spec.loader
                module.__package__ = name
                module.__file__ = spec.origin
                if spec.submodule_search_locations is not None:
                    module.__path__ = list(spec.submodule_search_locations)
                if spec.cached:
                    module.__cached__ = spec.cached
                spec.loader.exec_module(module)
            finally:
                spec._initializing = False
            return

    _hand_over_the_folder_name(__name__, __file__)
    globals().pop("_hand_over_the_folder_name", None)  # left only where nothing took the name
