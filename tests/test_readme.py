"""The README's Python examples run as written (the CuPy block needs a GPU and is skipped)."""
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2


def test_readme_examples_run():
    namespace = {}
    ran = 0
    for block in BLOCKS:
        if "import cupy" in block:
            continue
        exec(compile(block, str(README), "exec"), namespace)  # blocks build on one another
        ran += 1
    assert ran >= 2
