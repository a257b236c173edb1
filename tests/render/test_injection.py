"""Certificate text is shown, never obeyed: in terminal tables and Markdown no control or
bidirectional character arrives from a certificate (they show as escapes), Markdown markup
is escaped, and no CSV cell starts like a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import dsa
from typer.testing import CliRunner

from tests.conftest import database_with_store
from tests.factories.pki import PKI
from trustgraph.cli import app

HOSTILE = (
    "Root \x1b[2J\x1b]0;owned\x07 \u202egnp.exe",
    '=HYPERLINK("http://evil.example","x")',
    "<script>alert(1)</script> CA",
    "<img src=x onerror=alert(1)> CA",
    "@SUM(1+1) \u2066CA\u2069",
    "+1 CA \x85\u200b",
    "-1 CA\ttab",
    "Line one\nForged Row CA \u2028Forged Paragraph\u2029 CA",
)
# What no terminal table or Markdown may carry from certificate data: C0 controls but
# newline and tab (which the tables themselves use), DEL, C1 controls, line and paragraph
# separators, and bidirectional or zero-width formatting. A newline in certificate text may
# not start a line of its own either (see FORGED).
HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
FORGED = re.compile(r"^\W*Forged Row", re.MULTILINE)
FORMULA = ("=", "+", "-", "@", "\t", "\r")
SHOWN = ("HYPERLINK", "alert(1)", "SUM(1+1)", "gnp.exe")

runner = CliRunner()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each hostile name as a CA, with O= the same text, in a chain below one root, and a
    trust store of that root (so chains, reach, impact and the checks all show them)."""
    folder = tmp_path_factory.mktemp("hostile")
    pki = PKI()
    root = pki.ca(HOSTILE[0], org=HOSTILE[0][:60])
    root_cert = pki.root(root)
    issuer = root
    cas = {}
    for text in HOSTILE[1:]:
        cas[text] = ca = pki.ca(text, org=text)
        pki.issue(issuer, ca)
        issuer = ca
    pki.issue(root, cas[HOSTILE[4]])  # a cross-certificate
    pki.issue(root, pki.ca(HOSTILE[2], org="Second Key"))
    # A DSA key is one the Baseline Requirements do not allow: a check finding names it.
    pki.issue(root, pki.ca(HOSTILE[3], key=dsa.generate_private_key(2048)))
    return database_with_store(folder, pki.certs, [root_cert])


TARGET = HOSTILE[4]
COMMANDS = {
    "chains": ["chains", TARGET, "--store", "s", "--at", "2020-01-01"],
    "reach": ["reach", TARGET, "--store", "s", "--at", "2020-01-01"],
    "cross-signs": ["cross-signs"],
    "impact": [
        "impact",
        "--store",
        "s",
        "--at",
        "2020-01-01",
        "--distrust-owner",
        HOSTILE[1],
    ],
    "check": ["check", "--fail-on", "high"],
    "timeline": ["timeline", TARGET, "--store", "s", "--until", "2020-01-01"],
    "ambiguous": ["reach", "CA", "--at", "2020-01-01"],
}
FORMATS = {
    "chains": ("table", "csv"),
    "reach": ("table", "csv"),
    "cross-signs": ("table", "csv"),
    "impact": ("table", "csv", "markdown"),
    "check": ("table", "markdown"),
    "timeline": ("table", "csv"),
    "ambiguous": ("table",),
}
CASES = [(name, fmt) for name, formats in FORMATS.items() for fmt in formats]


@pytest.mark.parametrize(("name", "fmt"), CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_certificate_text_is_shown_not_obeyed(hostile_db: Path, name: str, fmt: str) -> None:
    result = runner.invoke(
        app,
        [*COMMANDS[name], "--format", fmt, "--db", str(hostile_db)],
        env={"COLUMNS": "400"},
    )
    assert result.exit_code in (0, 1, 2), result.output
    shown = result.stdout + result.stderr
    assert any(marker in shown for marker in SHOWN), "no certificate text was shown"
    for stream in (result.stdout, result.stderr) if fmt != "csv" else (result.stderr,):
        assert HIDDEN.search(stream) is None, HIDDEN.findall(stream)
        assert FORGED.search(stream) is None, "a newline from a certificate began a line"
    if fmt == "csv":
        for row in csv.reader(io.StringIO(result.stdout)):
            assert not [cell for cell in row if cell.startswith(FORMULA)], row
    if fmt == "markdown":
        assert re.search(r"(?<!\\)[<>]", result.stdout) is None


def test_escapes_show_what_the_certificate_says(hostile_db: Path) -> None:
    result = runner.invoke(
        app,
        ["reach", TARGET, "--store", "s", "--at", "2020-01-01", "--db", str(hostile_db)],
        env={"COLUMNS": "400"},
    )
    assert result.exit_code == 0, result.output
    assert "\\x1b[2J" in result.stdout and "\\u202egnp.exe" in result.stdout


def test_a_line_break_in_a_name_shows_as_an_escape(hostile_db: Path) -> None:
    result = runner.invoke(
        app,
        ["reach", "Forged Row", "--store", "s", "--at", "2020-01-01", "--db", str(hostile_db)],
        env={"COLUMNS": "400"},
    )
    assert result.exit_code == 0, result.output
    assert "Line one\\nForged Row CA \\u2028Forged Paragraph\\u2029 CA" in result.stdout
