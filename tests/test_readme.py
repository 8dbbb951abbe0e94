"""The README's Python examples run as written and print what the README shows.

The CuPy block needs a GPU and is skipped; the blocks build on one another, as a reader runs them.
"""
import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
SHOWN_OUTPUT = re.findall(r"```text\n(.*?)```", TEXT, flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2 and SHOWN_OUTPUT


def test_readme_examples_run_and_print_what_is_shown():
    namespace = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in BLOCKS:
            if "import cupy" in block:
                continue
            exec(compile(block, str(README), "exec"), namespace)
    for shown in SHOWN_OUTPUT:
        for line in shown.strip().splitlines():
            assert line in printed.getvalue(), f"README shows {line!r}, the code printed:\n{printed.getvalue()}"
