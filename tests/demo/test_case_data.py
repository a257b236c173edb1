"""The shipped WoSign case data is what ``scripts/make_wosign_case.py`` generates from the
corpus of real certificates (offline: the certifi bundles and wheel facts as shipped)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT

SCRIPT = PROJECT / "scripts" / "make_wosign_case.py"
DATA = PROJECT / "data" / "wosign-2016"


def _check(corpus: Path, data: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "--check", "--offline", "--corpus", str(corpus)]
    return subprocess.run([*command, "--data", str(data)], capture_output=True, text=True)


def test_the_shipped_case_regenerates_byte_for_byte(corpus: Path) -> None:
    done = _check(corpus, DATA)
    assert done.returncode == 0, done.stderr


def test_a_stale_case_is_reported(corpus: Path, tmp_path: Path) -> None:
    copy = tmp_path / "wosign-2016"
    shutil.copytree(DATA, copy)
    case = copy / "case.toml"
    case.write_text(case.read_text(encoding="utf-8").replace("2016-11-29", "2016-11-30"))
    done = _check(corpus, copy)
    assert done.returncode == 1
    assert f"stale: {case}" in done.stderr
