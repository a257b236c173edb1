"""Case files: validation with line and field, and what applying one does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories.pki import PKI, when, write_pem
from trustgraph import api
from trustgraph.errors import InputError
from trustgraph.graph.owners import OwnerIndex
from trustgraph.ingest import casefile
from trustgraph.storage.database import Database

VALID = """format = 1

[case]
name = "tiny"

[sources]
wiki = "Some public page"

[[owners]]
name = "Parent Corp"
aliases = ["Parent"]
source = "wiki"

[[ownership]]
owner = "Parent Corp"
owned = "Child Corp"
from = 2015-11-01
source = "wiki"

[[operators]]
owner = "Child Corp"
organization = "Child Org"
source = "wiki"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_name_line_and_field(tmp_path: Path) -> None:
    text = (
        VALID
        + """
[[certificates]]
sha256 = "not-a-fingerprint"
subject = "CN=Declared,O=Child Org"
issuer = "CN=Somewhere"
issued_by = "00"
colour = "blue"
source = "nowhere"

[[revocations]]
sha256 = "%s"
source = "wiki"
"""
        % ("ab" * 32)
    )
    with pytest.raises(casefile.CaseFileError) as caught:
        casefile.load(_write(tmp_path, text))
    problems = caught.value.problems
    lines = text.splitlines()
    sha_line = lines.index('sha256 = "not-a-fingerprint"') + 1
    assert any(
        f"case.toml:{sha_line}:" in p and "'sha256'" in p and "64 hex" in p for p in problems
    )
    assert any("'issued_by'" in p for p in problems)
    assert any("'colour'" in p and "unknown field" in p for p in problems)
    assert any("'source'" in p and "'nowhere'" in p for p in problems)
    assert any("[[revocations]] #1" in p and "revoked_at" in p for p in problems)


def test_syntax_error_has_a_line(tmp_path: Path) -> None:
    with pytest.raises(casefile.CaseFileError) as caught:
        casefile.load(_write(tmp_path, "format = 1\n[case]\nname = \n"))
    [problem] = caught.value.problems
    assert "line 3" in problem


def test_wrong_format_and_unknown_section(tmp_path: Path) -> None:
    with pytest.raises(casefile.CaseFileError) as caught:
        casefile.load(_write(tmp_path, "format = 2\n[[owner]]\nname='x'\n"))
    text = "\n".join(caught.value.problems)
    assert "format must be 1" in text and "unknown section 'owner'" in text


def test_apply_owners_declared_rules_and_snapshots(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Owners with ownership from 2015-11-01; a declared cross-certificate from another
    root into the child's CA; a subject-name distrust rule that catches it."""
    child_root = pki.ca("Child Root", org="Child Org")
    child_cert = pki.root(child_root)
    other = pki.ca("Other Root", org="Other Org")
    other_cert = pki.root(other)
    cross = pki.issue(other, child_root, not_before=when("2017-01-01"))
    new_sub = pki.issue(child_root, "New Sub", not_before=when("2017-02-01"))
    write_pem(tmp_path / "store.pem", [child_cert, other_cert])
    text = (
        VALID
        + f"""
[[snapshots]]
store = "demo"
as_of = 2014-01-01
bundle = "store.pem"
source = "wiki"

[[certificates]]
sha256 = "{cross.sha256}"
subject = "CN=Child Root,O=Child Org"
issuer = "CN=Other Root,O=Other Org"
issued_by = "{other_cert.sha256}"
same_ca_as = "{child_cert.sha256}"
not_before = 2017-01-01
not_after = 2030-01-01
source = "wiki"

[[certificates]]
sha256 = "{new_sub.sha256}"
subject = "CN=New Sub"
issuer = "CN=Child Root,O=Child Org"
issued_by = "{child_cert.sha256}"
not_before = 2017-02-01T00:00:00Z
source = "wiki"

[[distrust]]
store = "demo"
subjects = ["CN=Child Root,O=Child Org"]
not_before_after = 2016-10-21
effective = 2016-10-24
source = "wiki"
"""
    )
    report = casefile.apply(db, casefile.load(_write(tmp_path, text)))
    assert report.counts["certificates"] == 2
    owners = OwnerIndex.from_database(db)
    assert owners.resolve("parent") == "Parent Corp"
    assert owners.owned_at("Parent", "2015-01-01T00:00:00Z") == {"Parent Corp"}
    assert owners.owned_at("Parent", "2016-01-01T00:00:00Z") == {"Parent Corp", "Child Corp"}
    anchors = api.anchors_for(db, store="demo", at="2018-01-01")
    assert len(anchors.name_rules) == 1
    # New Sub (notBefore 2017-02-01) sits below a CA named like the rule: refused, via the
    # root and via the declared cross-certificate alike.
    assert (
        api.reach(db, new_sub.sha256, anchors=anchors, rules=api.make_rules("2018-01-01")).reached
        == []
    )
    before_rule = api.anchors_for(db, store="demo", at="2016-10-23")
    assert before_rule.name_rules == ()
    owned = api.reach(db, "owner:Parent", anchors=anchors, rules=api.make_rules("2018-01-01"))
    assert {r.ca for r in owned.reached} == set(anchors.cas)
    cross_path = api.chains(db, cross.sha256, anchors=anchors, rules=api.make_rules("2018-01-01"))
    assert [p.certificates for p in cross_path.paths] == [[other_cert.sha256, cross.sha256]]
    assert cross_path.paths[0].weakest_edge == "declared"


def test_shipped_case_is_valid() -> None:
    from trustgraph.core.resources import wosign_case

    case = casefile.load(wosign_case())
    assert case.name == "wosign-2016" and len(case.entries("snapshots")) == 5


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("format = 1\ncase = [1, 2]\n", "[case] must be a table"),
        ("format = 1\n[case]\nname = 3\n", "[case] fields must be strings"),
        ("format = 1\nowners = [1, 2]\n", "owners #1 must be a table"),
    ],
)
def test_a_case_file_of_the_wrong_shape_is_invalid_not_a_crash(
    tmp_path: Path, text: str, problem: str
) -> None:
    with pytest.raises(casefile.CaseFileError) as caught:
        casefile.load(_write(tmp_path, text))
    assert any(problem in p for p in caught.value.problems)


def test_a_case_file_names_only_bundles_beside_it(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A case file is shared: one that names a bundle outside its folder (``../``) is
    refused before anything is read."""
    outside = tmp_path / "outside.pem"
    write_pem(outside, [pki.root("Outside Root")])
    folder = tmp_path / "case"
    folder.mkdir()
    path = folder / "case.toml"
    path.write_text(
        'format = 1\n[sources]\ns = "https://example.org"\n[[snapshots]]\nstore = "s"\n'
        'as_of = "2016-01-01"\nbundle = "../outside.pem"\nsource = "s"\n'
    )
    with pytest.raises(InputError, match="lies outside the case file's folder"):
        casefile.apply(db, casefile.load(path))
    assert db.counts()["certificates"] == 0
