"""The import contracts catch what they are for: each planted violation (in a copy of the
package) breaks exactly its contract, and the package as it is keeps them all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLANTED = [
    ("cli/planted.py", "from trustgraph.storage import database", "front door"),
    ("cli/planted.py", "from trustgraph.analysis import impact", "front door"),
    ("analysis/planted.py", "from trustgraph.storage import certificates", "never the database"),
    ("render/planted.py", "from trustgraph.backends import memory", "Layers"),
    ("render/planted.py", "from trustgraph.storage import reports", "never the database"),
    ("backends/planted.py", "from trustgraph.render import formats", "Layers"),
    ("analysis/planted.py", "from trustgraph.session import Session", "Layers"),
]


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(package_parent)}
    linter = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(linter), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        cwd=package_parent,
    )


@pytest.mark.parametrize(("where", "line", "contract"), PLANTED)
def test_a_planted_violation_breaks_its_contract(
    where: str, line: str, contract: str, tmp_path: Path
) -> None:
    shutil.copytree(
        ROOT / "trustgraph", tmp_path / "trustgraph", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "trustgraph" / where).write_text(f'"""Planted."""\n\n{line}\n')
    done = _lint(tmp_path)
    assert done.returncode == 1, done.stdout
    broken = [row for row in done.stdout.splitlines() if row.endswith("BROKEN")]
    assert len(broken) == 1 and contract in broken[0], done.stdout
    assert "trustgraph." + where.removesuffix(".py").replace("/", ".") in done.stdout


def test_the_package_keeps_every_contract() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout
    assert "0 broken" in done.stdout
