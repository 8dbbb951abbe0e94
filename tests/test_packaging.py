"""What the built distribution installs: no top-level ``kernels`` package, a license, a version."""
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import dsp

ROOT = Path(__file__).resolve().parents[1]


def test_version_comes_from_the_package_metadata():
    assert dsp.__version__ == metadata.version("dsp-pyramids")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0 and "No module named" in proc.stderr:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (path,) = out.glob("*.whl")
    return path


def test_wheel_has_no_top_level_kernels_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert "kernels" not in tops, "the kernels/ folder must install as dsp_kernels, not as 'kernels'"
    assert {"dsp", "dsp_kernels", "pyramids"} <= tops
    assert any(n.startswith("dsp_kernels/cpu/") for n in names)
    assert any(n.startswith("dsp_kernels/gpu/") for n in names)



def test_wheel_has_every_package_of_the_source_tree(wheel):
    """Each folder with an ``__init__.py`` (the ``kernels/cpu/fft/`` engine, ...) is listed in
    pyproject's ``packages``: a sub-package left out would import here and fail once installed."""
    names = set(zipfile.ZipFile(wheel).namelist())
    roots = {"dsp": ROOT / "dsp", "dsp_kernels": ROOT / "kernels", "pyramids": ROOT / "pyramids"}
    for name, folder in roots.items():
        for init in folder.rglob("__init__.py"):
            rel = init.relative_to(folder).as_posix()
            assert f"{name}/{rel}" in names, f"{name}/{rel} is missing from the wheel"
    assert "dsp_kernels/cpu/fft/transforms.py" in names
    assert "pyramids/data/level_questions.tsv" in names  # semantic level selection reads it

def test_wheel_carries_the_bsd_license(wheel):
    zf = zipfile.ZipFile(wheel)
    meta = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")][0]
    text = zf.read(meta).decode()
    assert "License-Expression: BSD-3-Clause" in text
    lic = [n for n in zf.namelist() if n.endswith("LICENSE")]
    assert lic and "BSD 3-Clause" in zf.read(lic[0]).decode()


def _import_kernels_from_the_root(extra_path):
    """``python -c`` in the repository's root (its working directory first on sys.path), with
    ``extra_path`` after it: what ``import kernels`` yields there, and whether that is the
    repository's ``kernels/`` folder."""
    code = (
        "import os, sys, kernels\n"
        "mine = os.path.join(os.getcwd(), 'kernels', '__init__.py')\n"
        "print(getattr(kernels, 'WHO', '-'), kernels.__name__, sys.modules['kernels'] is kernels,\n"
        "      os.path.samefile(kernels.__file__, mine))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    env["PYTHONPATH"] = str(extra_path)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.split()


def test_the_kernels_folder_yields_its_name_to_an_installed_kernels_package(tmp_path):
    # transformers >= 5.25 requires PyPI's 'kernels' and runs 'from kernels import ...' when
    # sentence-transformers loads; from the repository's root our folder came first (CI, stop 46)
    fake = tmp_path / "site" / "kernels"
    (fake / "sub").mkdir(parents=True)
    (fake / "__init__.py").write_text("WHO = 'pypi'\nfrom .sub import thing\n")
    (fake / "sub" / "__init__.py").write_text("thing = 1\n")
    assert _import_kernels_from_the_root(tmp_path / "site") == ["pypi", "kernels", "True", "False"]


def test_the_kernels_folder_is_kernels_only_where_nothing_else_has_the_name(tmp_path):
    # with PyPI's 'kernels' installed (transformers >= 5.25 pulls it in) the name goes to it;
    # without, 'import kernels' from the root stays this folder's empty package, as before
    try:
        metadata.distribution("kernels")
        installed = True
    except metadata.PackageNotFoundError:
        installed = False
    assert _import_kernels_from_the_root(tmp_path) == ["-", "kernels", "True", str(not installed)]
