"""Mistakes get helpful answers: each case of ``data/mistakes.toml`` is run as a user would
(in-process: what is checked is the command's own answer), and its exit code and message
are checked."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories.pki import PKI, write_pem
from trustgraph.cli import app

CASES = tomllib.loads((Path(__file__).parent / "data" / "mistakes.toml").read_text())["case"]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A database with "Example Root CA" (Example Org) and 30 "Mesh NN" CAs (Mesh Org)
    below it, and a store "mozilla" holding the root; files for the other mistakes."""
    folder = tmp_path_factory.mktemp("mistakes")
    pki = PKI()
    root = pki.ca("Example Root CA", org="Example Org")
    anchor = pki.root(root)
    for number in range(30):
        pki.issue(root, pki.ca(f"Mesh {number:02d}", org="Mesh Org"))
    everything = write_pem(folder / "all.pem", pki.certs)
    anchors = write_pem(folder / "anchors.pem", [anchor])
    db = folder / "m.db"
    for step in (
        ["load", str(everything)],
        ["store", "add", "mozilla", str(anchors), "--as-of", "2015-01-01"],
    ):
        done = CliRunner().invoke(app, [*step, "--db", str(db), "--quiet"])
        assert done.exit_code == 0, done.output
    other = PKI()
    other_root = other.ca("Other Root")
    other.root(other_root)
    other.issue(other_root, "Other CA")
    notcert = folder / "README.md"
    notcert.write_text("# not a certificate\n")
    foreign = folder / "notes.db"
    foreign.write_text("plain text, not a database\n")
    crtsh = folder / "20250101_mozilla_certdata.sql"
    crtsh.write_text("DELETE FROM root_trust_purpose WHERE TRUST_CONTEXT_ID = 5;\n")
    return {
        "db": str(db),
        "good": str(write_pem(folder / "good.pem", other.certs)),
        "notcert": str(notcert),
        "missing": str(folder / "missing.db"),
        "foreign": str(foreign),
        "anchors": str(anchors),
        "crtsh": str(crtsh),
    }


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_a_mistake_is_answered(case: dict[str, object], places: dict[str, str]) -> None:
    args = [str(arg).format(**places) for arg in case["args"]]  # type: ignore[attr-defined]
    done = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert done.exit_code == case["exit"], done.output
    assert not isinstance(done.exception, Exception) or isinstance(done.exception, SystemExit), (
        done.exception
    )
    for stream, text in (("stderr", done.stderr), ("stdout", done.stdout)):
        position = 0
        for expected in case.get(stream, []):  # type: ignore[attr-defined]
            wanted = expected.format(**places)
            found = text.find(wanted, position)
            assert found >= 0, f"{stream} lacks {wanted!r} after position {position}:\n{text}"
            position = found + len(wanted)


@pytest.mark.parametrize(
    "args",
    [
        ["store", "add", "mozilla", "{missing}.pem", "--as-of", "2020-01-01"],
        ["fetch", "--declared", "--mirror", "{missing}"],
    ],
    ids=["store-add-of-a-missing-file", "fetch-from-a-missing-mirror"],
)
def test_a_missing_input_makes_no_database(
    args: list[str], places: dict[str, str], tmp_path: Path
) -> None:
    new = tmp_path / "new.db"
    argv = [arg.format(**places) for arg in args]
    done = CliRunner().invoke(app, [*argv, "--db", str(new)])
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith("error: ") and places["missing"] in done.stderr
    assert not new.exists()
