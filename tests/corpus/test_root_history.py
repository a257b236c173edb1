"""Every root program's history from the real data: crt.sh's snapshots of nine programs
(2020-2025), certifi's Mozilla bundles (2014-2026), Microsoft's trust lists (2006-2025)
with the old roots' bytes, Apple's and Android's archives. The answers are checked against
the source files read independently here (regular expressions over the SQL, file names)."""

from __future__ import annotations

import hashlib
import re
import tarfile
from pathlib import Path

import pytest

from tests.corpus.conftest import CERTIFI, CRTSH, answer

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

ENTRUST_G2 = "Entrust Root Certification Authority - G2"


def _sql(corpus: Path, name: str) -> str:
    with tarfile.open(corpus / CRTSH) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(name))
        handle = archive.extractfile(member)
        assert handle is not None
        return handle.read().decode()


def _imported(text: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in re.findall(r"import_cert\(E'\\\\x([0-9A-Fa-f]+)'\)", text)]


def test_mozilla_entrust_distrust_after_as_crtsh_recorded_it(
    history_db: Path, corpus: Path
) -> None:
    """The snapshot of 2025-10-23 stands for 2025-10-24, and its distrust-after dates are
    those the SQL gives the roots (by SHA-1): seven roots with 2024-11-30T23:59:59Z."""
    text = _sql(corpus, "20251023_mozilla_certdata.sql")
    sha256_of = {
        hashlib.sha1(d).hexdigest(): hashlib.sha256(d).hexdigest() for d in _imported(text)
    }
    dated: dict[str, str] = {}
    pattern = r"NOTBEFORE_UNTIL\) SELECT c\.ID, 5, \d+, '([^']+)' .*?sha1'\)=E'\\\\x([0-9A-Fa-f]+)'"
    for when, sha1 in re.findall(pattern, text):
        dated[sha256_of[sha1.lower()]] = when
    shown = answer("store", "show", "mozilla", "--at", "2025-10-24", "--db", str(history_db))
    assert shown["snapshot"]["as_of"] == "2025-10-23T00:00:00Z" and not shown["staleness"]
    found = {e["sha256"]: e["distrust_after"] for e in shown["entries"] if e["distrust_after"]}
    assert found == dated
    assert sum(when == "2024-11-30T23:59:59Z" for when in found.values()) == 7


def test_chrome_sct_cutoffs_as_crtsh_recorded_them(history_db: Path, corpus: Path) -> None:
    text = _sql(corpus, "20251216_chrome_rootstore.sql")
    pattern = r"SELECT c\.ID, 6, 1, '([^']+)' .*?'sha256'\) = E'\\\\x([0-9A-Fa-f]+)'"
    expected = {sha.lower(): when for when, sha in re.findall(pattern, text)}
    shown = answer("store", "show", "chrome", "--at", "2025-12-17", "--db", str(history_db))
    assert shown["snapshot"]["as_of"] == "2025-12-16T00:00:00Z"
    assert {e["sha256"]: e["sct_not_after"] for e in shown["entries"] if e["sct_not_after"]} == (
        expected
    )
    assert expected and all(e["distrust_after"] is None for e in shown["entries"])


@pytest.mark.parametrize("store", ["apple-ios", "android"])
def test_apple_and_android_answer_for_2025(history_db: Path, store: str) -> None:
    shown = answer("store", "show", store, "--at", "2025-06-01", "--db", str(history_db))
    assert shown["snapshot"]["as_of"].startswith("2025-")
    assert shown["staleness"] is None and shown["in_force"] > 100


def test_coverage_from_the_first_file_of_each_source(history_db: Path, corpus: Path) -> None:
    """Mozilla from certifi's first release, Microsoft from the first trust list, Chrome
    from crt.sh's first Chrome file; Android's gap runs from 400 days after its last AOSP
    release to crt.sh's first Android file."""
    with tarfile.open(corpus / CERTIFI) as archive:
        certifi_names = archive.getnames()
    with tarfile.open(corpus / CRTSH) as archive:
        crtsh_names = [Path(n).name for n in archive.getnames()]
    found = {
        item["store"]: item
        for item in answer("store", "coverage", "--at", "2025-12-31", "--db", str(history_db))[
            "stores"
        ]
    }
    assert found["mozilla"]["first"][:7] == "2014-05"
    assert any("14.05.14" in name for name in certifi_names)
    assert found["microsoft"]["first"][:7] == "2006-12"
    first_chrome = min(n[:8] for n in crtsh_names if "_chrome_" in n)
    assert found["chrome"]["first"].replace("-", "")[:8] == first_chrome
    first_android = min(n[:8] for n in crtsh_names if "_android_" in n)
    android_gaps = [(g["start"], g["end"]) for g in found["android"]["gaps"]]
    assert any((end or "").replace("-", "")[:8] == first_android for _start, end in android_gaps)
    apple_gaps = [g for g in found["apple-ios"]["gaps"] if g["end"]]
    assert any(g["start"] < "2020" and g["end"] > "2022" for g in apple_gaps)


def test_an_answer_from_inside_a_gap_says_so(history_db: Path) -> None:
    found = answer(
        "reach", ENTRUST_G2, "--store", "android", "--at", "2022-06-01", "--db", str(history_db)
    )
    kinds = {c["kind"] for c in found["caveats"]}
    assert "outdated-snapshot" in kinds


def test_timeline_of_entrust_g2_names_each_programs_constraint(history_db: Path) -> None:
    """Mozilla's distrust-after and Chrome's SCT cut-off on Entrust's roots, each with its
    date, as the stores themselves list them."""
    found = answer("timeline", ENTRUST_G2, "--store", "all", "--db", str(history_db))
    by_store = {item["store"]: item for item in found["stores"]}
    assert set(by_store) >= {"mozilla", "chrome", "microsoft", "apple-ios", "android"}
    for store, kind, field in (
        ("mozilla", "distrust-after", "distrust_after"),
        ("chrome", "sct-not-after", "sct_not_after"),
    ):
        listed = {(c["kind"], c["at"]) for c in by_store[store]["store_constraints"]}
        shown = answer("store", "show", store, "--at", "2024-12-15", "--db", str(history_db))
        entrust = {e[field] for e in shown["entries"] if "Entrust Root" in (e["subject"] or "")}
        assert entrust - {None} and {(kind, when) for when in entrust - {None}} <= listed
