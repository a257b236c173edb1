"""The public API type-checks in strict mode from a downstream project: mypy --strict, with
no configuration of ours, on a script that uses it (the package ships py.typed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("analysis.py")


def test_a_downstream_script_type_checks_strictly(tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(SCRIPT),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_script_runs(tmp_path: Path) -> None:
    from tests.downstream import analysis
    from trustgraph import api

    database = api.demo(tmp_path / "demo")
    labels = analysis.anchors_reaching(database, "operator:WoSign", "mozilla", "2016-12-01")
    assert "StartCom Certification Authority" in labels
    assert 0 < analysis.verified_share(database) < 1
    assert analysis.snapshot_dates(database, "mozilla")
