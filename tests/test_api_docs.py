"""The API reference in docs/api.md is what the code's docstrings and signatures say."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_api_reference_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


EXAMPLES_OUTPUT = Path(__file__).with_name("api_examples.out")
CAPABILITIES = (
    "load",
    "add_store",
    "load_owners",
    "apply_case",
    "fetch",
    "anchors",
    "chains",
    "reach",
    "timeline",
    "impact",
    "store_show",
    "store_diff",
    "store_coverage",
    "owner",
    "cross_signs",
    "serials",
    "check",
    "graph",
    "certificates",
    "map_page",
    "ca_clients",
    "neo4j_push",
)
"""The session's capabilities the examples show, each called at least once."""


def _blocks() -> list[str]:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    examples = text.split("## Examples", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", examples, flags=re.DOTALL)


def _run(blocks: list[str]) -> str:
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, "docs/api.md", "exec"), namespace)
    return printed.getvalue()


def test_every_capability_has_an_example() -> None:
    shown = "".join(_blocks())
    assert [name for name in CAPABILITIES if f".{name}(" not in shown] == []


def test_the_documented_examples_run() -> None:
    """Every ``python`` block of the reference's Examples but the last (Neo4j) runs, in
    order, in one namespace, and prints what the golden file holds."""
    output = _run(_blocks()[:-1])
    assert output == EXAMPLES_OUTPUT.read_text(encoding="utf-8")


@pytest.mark.neo4j
@pytest.mark.slow
def test_the_neo4j_example_runs(neo4j_env: object) -> None:
    """The Neo4j example pushes the database the first example built and answers from
    Neo4j as the memory backend does."""
    blocks = _blocks()
    output = _run([blocks[0], blocks[1], blocks[-1]]).splitlines()
    pushed, reached = output[-2:]
    assert pushed.endswith("certificates pushed") and int(pushed.split()[0]) > 100
    assert reached in output[:-2] and reached.startswith("ReachResult(")
