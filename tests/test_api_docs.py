"""The API reference in docs/api.md is what the code's docstrings and signatures say."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_api_reference_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_documented_examples_run() -> None:
    """Every ``python`` block of the reference's Examples runs, in order, in one namespace,
    and prints what it says."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    examples = text.split("## Examples", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", examples, flags=re.DOTALL)
    assert len(blocks) >= 2
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, "docs/api.md", "exec"), namespace)
    output = printed.getvalue()
    assert "ReachResult('CA CN=Certification Authority of WoSign G2" in output
    assert "watched =" in output and "lose every path" in output
    assert "Certification Authority of WoSign G2 (by " in output and " openssl-1.0.2 " in output
