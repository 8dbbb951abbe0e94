"""Compute kernels. ``dsp_kernels.cpu``: Numba ``njit``; ``dsp_kernels.gpu``: numba.cuda + CuPy.

Kernels know nothing of defaults or user-facing errors: :mod:`dsp` validates and picks one.
Nothing is compiled or imported from CUDA/CuPy when this package is imported.

This folder installs under the import name ``dsp_kernels`` (pyproject.toml). Run from the
repository's root, where the working directory is on ``sys.path``, ``import kernels`` finds this
folder first and would shadow the unrelated ``kernels`` distribution on PyPI, which
transformers >= 5.25 requires and imports when sentence-transformers loads. Imported under its
folder's name, this module hands that name to the package it shadows where one is installed
(and stays an empty package where none is, as before).
"""


def _hand_over_the_folder_name(name, init_file):
    """Replace this module in ``sys.modules[name]`` by the package of that name found elsewhere.

    The import statement returns whatever ``sys.modules[name]`` holds once this module's code has
    run, so ``import kernels`` then yields the other distribution. Every finder is asked, with
    this folder's parent left out of the path search, and a spec pointing into this folder is
    skipped (an editable install's finder may know the folder too).
    """
    import importlib.machinery
    import importlib.util
    import os
    import sys

    folder = os.path.dirname(os.path.abspath(init_file))
    parent = os.path.dirname(folder)

    def points_here(spec):
        places = list(spec.submodule_search_locations or ())
        if spec.origin:
            places.append(os.path.dirname(spec.origin))
        return any(os.path.abspath(place) == folder for place in places)

    elsewhere = [p for p in sys.path if isinstance(p, str) and os.path.abspath(p or os.curdir) != parent]
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        path = elsewhere if finder is importlib.machinery.PathFinder else None
        spec = find_spec(name, path)
        if spec is None or spec.loader is None or points_here(spec):
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return


if __name__ != "dsp_kernels":
    _hand_over_the_folder_name(__name__, __file__)
