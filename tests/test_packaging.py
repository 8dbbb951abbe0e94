"""What the built distribution installs (no top-level ``kernels`` package, a license, a version),
and what ``import kernels`` yields from the repository's root (the folder hands that name over)."""
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


def _import_kernels(extra_path, *flags, cwd=ROOT, code=None):
    """Run ``python *flags -c code`` in ``cwd`` (by default the repository's root, which then
    comes first on sys.path) with ``PYTHONPATH=extra_path``; by default print what ``import
    kernels`` yields: its ``WHO`` (a stand-in's mark, else '-') and its resolved file."""
    code = code or ("import os, kernels\n"
                    "print(getattr(kernels, 'WHO', '-'), os.path.realpath(kernels.__file__))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSAFEPATH", "PYTHONPATH")}
    paths = extra_path if isinstance(extra_path, list) else [extra_path]
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    proc = subprocess.run([sys.executable, *flags, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.split()


OUR_FOLDER = os.path.realpath(ROOT / "kernels" / "__init__.py")


def _stand_in(site, init="WHO = 'pypi'\nfrom .sub import thing\n"):
    """A package named ``kernels`` in ``site``, as PyPI's would be, with a sub-package."""
    (site / "kernels" / "sub").mkdir(parents=True)
    (site / "kernels" / "__init__.py").write_text(init)
    (site / "kernels" / "sub" / "__init__.py").write_text("thing = 1\n")
    return os.path.realpath(site / "kernels" / "__init__.py")


def test_the_kernels_folder_yields_its_name_to_another_kernels_package(tmp_path):
    # transformers >= 5.25 requires PyPI's 'kernels' and runs 'from kernels import ...' when
    # sentence-transformers loads; from the repository's root our folder came first (CI, stop 46)
    theirs = _stand_in(tmp_path)
    assert _import_kernels(tmp_path) == ["pypi", theirs]
    code = "from kernels import thing\nfrom kernels.sub import thing as again\nprint(thing, again)"
    assert _import_kernels(tmp_path, code=code) == ["1", "1"]


def test_the_kernels_folder_stays_an_empty_package_where_nothing_else_has_the_name(tmp_path):
    # -S: no site-packages, where transformers' dependency would be
    assert _import_kernels(tmp_path, "-S") == ["-", OUR_FOLDER]


def test_the_repository_reached_twice_is_not_another_kernels_package(tmp_path):
    # the root on sys.path again by another spelling (a link): each copy of the folder must not
    # take the other for the package it hands the name to (that recursed without end)
    link = tmp_path / "link"
    link.symlink_to(ROOT, target_is_directory=True)
    assert _import_kernels(link, "-S") == ["-", OUR_FOLDER]
    theirs = _stand_in(tmp_path / "site")
    assert _import_kernels([link, tmp_path / "site"], "-S") == ["pypi", theirs]


def test_a_second_thread_waits_for_the_other_kernels_package(tmp_path):
    # the other package's module is in sys.modules while it runs: a second thread's import must
    # wait for it rather than find it half made
    _stand_in(tmp_path, init="import time\ntime.sleep(0.3)\nWHO = 'pypi'\nfrom .sub import thing\n")
    code = ("import threading\n"
            "got = []\n"
            "def take():\n"
            "    from kernels import thing\n"
            "    got.append(thing)\n"
            "ts = [threading.Thread(target=take) for _ in range(3)]\n"
            "[t.start() for t in ts]; [t.join() for t in ts]\n"
            "print(len(got), sum(got))\n")
    assert _import_kernels(tmp_path, code=code) == ["3", "3"]


def test_import_kernels_from_the_root_is_what_it_is_elsewhere(tmp_path):
    # the installed environment as it is (CI's has PyPI's 'kernels' through transformers): from
    # the root, 'import kernels' yields the same package as from any other folder, or, where no
    # such package is installed, this folder
    try:
        metadata.distribution("kernels")
    except metadata.PackageNotFoundError:
        assert _import_kernels(tmp_path) == ["-", OUR_FOLDER]
        return
    elsewhere = _import_kernels(tmp_path, cwd=tmp_path)
    assert elsewhere[1] != OUR_FOLDER
    assert _import_kernels(tmp_path) == elsewhere
