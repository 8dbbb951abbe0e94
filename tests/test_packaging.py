"""What the built distribution installs: no top-level ``kernels`` package, a license, a version."""
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

def test_wheel_carries_the_bsd_license(wheel):
    zf = zipfile.ZipFile(wheel)
    meta = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")][0]
    text = zf.read(meta).decode()
    assert "License-Expression: BSD-3-Clause" in text
    lic = [n for n in zf.namelist() if n.endswith("LICENSE")]
    assert lic and "BSD 3-Clause" in zf.read(lic[0]).decode()
