"""Every answer true in every format, on the real corpus: the WoSign case's certificates
with CCADB's 2021 records (revocations without dates), Mozilla's stores of 2015-2017 and
the dated ownership relations.

Whole outputs are compared with golden files in ``golden/`` (refresh them with
``TRUSTGRAPH_GOLDEN=update pytest tests/corpus/test_formats.py`` and review the diff).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trustgraph.cli import app

pytestmark = pytest.mark.corpus

GOLDEN = Path(__file__).parent / "golden"
RECORDS = "ccadb/Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz"
RELATIONS = "owners/ca-relations-hiller2020.csv"
NSS = "nss/certdata-NSS_3_27_RTM.txt"
STORES = (("2015-04-28", "2015.04.28"), ("2016-09-26", "2016.9.26"), ("2017-11-05", "2017.11.5"))
G2 = "Certification Authority of WoSign G2"
CERTUM_TO_G2 = (
    "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4",
    "7bda50131ea7e55c8fdda63563d12314a7159d5621333ba8bcdad0b8a3a50e6c",
)
runner = CliRunner()


def _run(*args: str, columns: int = 80) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture(scope="module")
def case_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("formats") / "case.db"
    steps = [
        ["load", str(corpus / "wosign_case" / "certs"), str(corpus / RECORDS)],
        *(
            [
                "store",
                "add",
                "mozilla",
                str(corpus / f"certifi/cacert-certifi-{v}.pem"),
                "--as-of",
                d,
            ]
            for d, v in STORES
        ),
        ["owners", "load", str(corpus / RELATIONS)],
        ["store", "add", "nss", str(corpus / NSS), "--as-of", "2016-09-27"],
    ]
    for step in steps:
        done = _run(*step, "--db", str(db))
        assert done.exit_code == 0, done.output
    return db


def _normalised(text: str, corpus: Path, db: Path) -> str:
    """An output without what differs between machines and runs: paths, versions, the
    provenance block of JSON."""
    text = text.replace(str(corpus), "<corpus>").replace(str(db), "<db>")
    if text.lstrip().startswith("{"):
        document = json.loads(text)
        document["provenance"] = "<provenance>"
        document["trustgraph"] = "<version>"
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return text


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("TRUSTGRAPH_GOLDEN") == "update":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with TRUSTGRAPH_GOLDEN=update"
    assert text == path.read_text(encoding="utf-8")


CASES = {
    "chains-g2-2016-12-01": ["chains", G2, "--store", "mozilla", "--at", "2016-12-01"],
    "reach-g2-2016-12-01": ["reach", G2, "--store", "mozilla", "--at", "2016-12-01"],
    "timeline-g2": ["timeline", G2, "--store", "mozilla", "--until", "2021-06-01"],
    "impact-wosign-2016-10-21": [
        "impact",
        "--store",
        "mozilla",
        "--at",
        "2016-10-21",
        "--distrust-owner",
        "WoSign",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("fmt", ["json", "markdown", "csv", "table"])
def test_whole_outputs(case_db: Path, corpus: Path, name: str, fmt: str) -> None:
    done = _run(*CASES[name], "--format", fmt, "--db", str(case_db), "--quiet")
    assert done.exit_code in (0, 1), done.output
    suffix = {"json": "json", "markdown": "md", "csv": "csv", "table": "txt"}[fmt]
    _golden(f"{name}.{suffix}", _normalised(done.stdout, corpus, case_db))


def test_the_certum_paths_carry_their_revocation_caveat_in_every_format(case_db: Path) -> None:
    """At 2016-12-01 both Certum -> WoSign G2 certificates are in use, but CCADB says (in
    2021, without a date) that they are revoked: every format says so, and reads the date
    as a bound."""
    args = ["chains", G2, "--store", "mozilla", "--at", "2016-12-01", "--db", str(case_db)]
    outputs = {
        fmt: _run(*args, "--format", fmt, columns=80).stdout
        for fmt in ("table", "csv", "markdown", "json")
    }
    for fmt, text in outputs.items():
        assert "revoked by 2021-04-05 (date unknown)" in text, fmt
        assert "may already be revoked on 2016-12-01" in text, fmt
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    certum = [row for row in rows if row["anchor"] == "Certum CA"]
    assert len(certum) == 2
    for row in certum:
        revoked = row["certificates"].split()[-1]
        assert revoked in CERTUM_TO_G2 and revoked in row["caveats"]
    caveats = [p["caveats"] for p in json.loads(outputs["json"])["paths"]]
    assert sorted(c[0]["about"] for c in caveats if c) == sorted(CERTUM_TO_G2)
    table_lines = outputs["table"].splitlines()
    assert max(len(line) for line in table_lines) <= 80
    markers = [line for line in table_lines if "Certum CA" in line]
    assert all("[" in line for line in markers)


COMMANDS = [
    ["chains", G2, "--store", "mozilla", "--at", "2016-06-01"],
    ["reach", "owner:WoSign", "--store", "mozilla", "--at", "2016-10-21"],
    ["timeline", G2, "--store", "mozilla", "--until", "2021-06-01"],
    ["impact", "--store", "mozilla", "--at", "2016-10-21", "--distrust-owner", "WoSign"],
    ["cross-signs"],
    ["serials"],
    ["check"],
    ["store", "diff", "mozilla", "2015-06-01", "2017-12-01"],
]
_HEX_RUN = re.compile(r"\b[0-9a-f]{12,}\b")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_no_csv_fingerprint_is_cut(case_db: Path, command: list[str]) -> None:
    done = _run(*command, "--format", "csv", "--db", str(case_db))
    assert done.exit_code in (0, 1), done.output
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert len(rows) > 1
    header = rows[0]
    fingerprints = [
        token
        for row in rows[1:]
        for column, cell in zip(header, row, strict=True)
        if "certificate" in column or column in ("caveats", "closed by")
        for token in _HEX_RUN.findall(cell)
    ]
    assert bool(fingerprints) is (command[0] != "timeline")  # its G2 closes by removals
    assert all(len(token) == 64 for token in fingerprints)
    assert "…" not in done.stdout


@pytest.mark.parametrize("command", ["reach", "chains"])
def test_an_answer_from_a_snapshot_years_old_says_so_in_every_format(
    case_db: Path, command: str
) -> None:
    """The only NSS snapshot is of 2016-09-27: asked in 2024, every format says the answer
    comes from a snapshot 2652 days older than the question; asked in 2016, none does."""
    args = [command, G2, "--store", "nss", "--db", str(case_db), "--quiet"]
    stale = "the latest snapshot of nss on or before 2024-01-01 is of 2016-09-27, 2652 days"
    for at, expected in (("2024-01-01", True), ("2016-12-01", False)):
        outputs = {
            fmt: _run(*args, "--at", at, "--format", fmt).stdout
            for fmt in ("table", "csv", "markdown", "json")
        }
        kinds = [c["kind"] for c in json.loads(outputs["json"])["caveats"]]
        assert ("outdated-snapshot" in kinds) is expected
        for fmt in ("markdown", "json"):
            assert (stale in outputs[fmt]) is expected, fmt
        assert ("2652 days" in outputs["table"]) is expected
        rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
        assert rows
        assert all((stale in row.get("caveats", "")) is expected for row in rows)


def test_impact_in_every_program_says_which_snapshots_are_outdated(case_db: Path) -> None:
    done = _run(
        "impact", "--store", "all", "--at", "2018-06-01", "--distrust-owner", "WoSign",
        "--format", "json", "--db", str(case_db), "--quiet",
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    stores = {item["store"]: item for item in json.loads(done.stdout)["stores"]}
    assert set(stores) == {"mozilla", "nss"}
    outdated = {
        name: [c for c in item["caveats"] if c["kind"] == "outdated-snapshot"]
        for name, item in stores.items()
    }
    assert outdated["nss"] and "2016-09-27" in outdated["nss"][0]["text"]
    assert not outdated["mozilla"]  # its snapshot of 2017-11-05 is recent enough
