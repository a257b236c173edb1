"""Partial distrust, as each root program writes it, decides the same questions the same
way: a root distrusted for certificates issued after a date still anchors a CA certified
before it and no longer one certified after it (NSS ``CKA_NSS_SERVER_DISTRUST_AFTER``,
Microsoft's "NotBefore" date for some EKUs); Chrome's ``sct_not_after`` keeps end-entity
certificates logged before its cut-off and refuses those logged after; Microsoft's
disabled date takes a root out of the store from that day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import load_certs
from tests.factories.ctl import CODE_SIGNING, SERVER_AUTH, Entry, ctl, ekus, filetime
from tests.factories.nss import cert_object, certdata, trust_object
from tests.factories.pki import PKI, Cert, sct_extension, when
from trustgraph import api
from trustgraph.ingest import stores
from trustgraph.policy.rules import Purpose
from trustgraph.storage.database import Database

CUTOFF = datetime(2017, 1, 1, tzinfo=UTC)


@dataclass
class Corpus:
    root: Cert
    early: Cert  # an intermediate certified before the cut-off
    late: Cert  # one certified after it
    logged_before: Cert  # a leaf of the early intermediate, its SCT before the cut-off
    logged_after: Cert  # one whose SCT is after it


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    pki = PKI()
    root_ca = pki.ca("Partial Root", "Partial Org")
    root = pki.root(root_ca)
    early = pki.issue(root_ca, "Early CA", not_before=when("2016-06-01"))
    late = pki.issue(root_ca, "Late CA", not_before=when("2017-06-01"))
    logged_before = pki.leaf(
        early.subject, "before.example", extra=[sct_extension(when("2016-07-01"))]
    )
    logged_after = pki.leaf(
        early.subject, "after.example", extra=[sct_extension(when("2017-07-01"))]
    )
    return Corpus(root, early, late, logged_before, logged_after)


def _nss(corpus: Corpus, path: Path) -> Path:
    text = certdata(
        [
            cert_object("Partial Root", corpus.root.der),
            trust_object(
                "Partial Root", corpus.root.der, "CKT_NSS_TRUSTED_DELEGATOR", b"170101000000Z"
            ),
        ]
    )
    path.write_text(text)
    return path


def _microsoft(corpus: Corpus, path: Path, attributes: dict[str, bytes]) -> Path:
    path.write_bytes(ctl([Entry(corpus.root.der, attributes)], datetime(2016, 2, 1, tzinfo=UTC)))
    return path


def _microsoft_not_before(corpus: Corpus, path: Path) -> Path:
    return _microsoft(
        corpus,
        path,
        {
            "9": ekus(SERVER_AUTH, CODE_SIGNING),
            "126": filetime(CUTOFF),
            "127": ekus(SERVER_AUTH),
        },
    )


def _microsoft_disabled(corpus: Corpus, path: Path) -> Path:
    return _microsoft(corpus, path, {"104": filetime(CUTOFF)})


def _chrome(corpus: Corpus, path: Path) -> Path:
    seconds = int(CUTOFF.timestamp())
    path.write_text(
        f'version_major: 1\ntrust_anchors {{\n  sha256_hex: "{corpus.root.sha256}"\n'
        f"  constraints {{ sct_not_after_sec: {seconds} }}\n}}\n"
    )
    return path


Writer = Callable[[Corpus, Path], Path]
# (program, how it writes the store, date given to `store add`, target, purpose, reached)
CASES: list[tuple[str, Writer, str | None, str, Purpose, bool]] = [
    ("nss", _nss, "2016-02-01", "early", Purpose.SERVER_AUTH, True),
    ("nss", _nss, "2016-02-01", "late", Purpose.SERVER_AUTH, False),
    ("nss", _nss, "2016-02-01", "late", Purpose.ANY, False),
    ("microsoft", _microsoft_not_before, None, "early", Purpose.SERVER_AUTH, True),
    ("microsoft", _microsoft_not_before, None, "late", Purpose.SERVER_AUTH, False),
    # The NotBefore date covers server authentication only: code signing still trusts it.
    ("microsoft", _microsoft_not_before, None, "late", Purpose.ANY, True),
    ("microsoft-disabled", _microsoft_disabled, None, "early", Purpose.ANY, False),
    ("chrome", _chrome, "2016-02-01", "logged_before", Purpose.SERVER_AUTH, True),
    ("chrome", _chrome, "2016-02-01", "logged_after", Purpose.SERVER_AUTH, False),
    # An SCT cut-off judges end-entity certificates; a CA certificate carries no SCT.
    ("chrome", _chrome, "2016-02-01", "late", Purpose.SERVER_AUTH, True),
]


@pytest.mark.parametrize(
    ("program", "writer", "as_of", "target", "purpose", "reached"),
    CASES,
    ids=[f"{c[0]}-{c[3]}-{c[4].value}" for c in CASES],
)
def test_partial_distrust_by_program(
    db: Database,
    tmp_path: Path,
    corpus: Corpus,
    program: str,
    writer: Writer,
    as_of: str | None,
    target: str,
    purpose: Purpose,
    reached: bool,
) -> None:
    everything = [corpus.root, corpus.early, corpus.late, corpus.logged_before, corpus.logged_after]
    load_certs(db, tmp_path, everything)
    source = writer(corpus, tmp_path / f"{program}.store")
    stores.add_store(db, program, source, as_of and f"{as_of}T00:00:00Z")
    rules = api.make_rules("2017-09-01", purpose)
    anchors = api.anchors_for(db, store=program, at="2017-09-01")
    result = api.reach(db, getattr(corpus, target).sha256, anchors=anchors, rules=rules)
    assert bool(result.reached) is reached


def test_a_disabled_root_anchors_until_its_date(
    db: Database, tmp_path: Path, corpus: Corpus
) -> None:
    load_certs(db, tmp_path, [corpus.root, corpus.early])
    stores.add_store(db, "microsoft", _microsoft_disabled(corpus, tmp_path / "ms.stl"))
    reached = []
    for day in ("2016-12-31", "2017-01-01"):
        anchors = api.anchors_for(db, store="microsoft", at=day)
        result = api.reach(db, corpus.early.sha256, anchors=anchors, rules=api.make_rules(day))
        reached.append(len(result.reached))
    assert reached == [1, 0]


def test_timeline_names_the_store_constraints_of_its_anchors(
    db: Database, tmp_path: Path, corpus: Corpus
) -> None:
    load_certs(db, tmp_path, [corpus.root, corpus.early])
    source = _microsoft(
        corpus,
        tmp_path / "ms.stl",
        {
            "126": filetime(CUTOFF),
            "127": ekus(SERVER_AUTH),
            "104": filetime(datetime(2018, 1, 1, tzinfo=UTC)),
        },
    )
    stores.add_store(db, "microsoft", source)
    result = api.timeline(db, corpus.early.sha256, "microsoft", rules=api.make_rules("2019-01-01"))
    assert [(c["kind"], c["at"], c["purposes"]) for c in result.constraints] == [
        ("distrust-after", "2017-01-01T00:00:00Z", [SERVER_AUTH]),
        ("disabled", "2018-01-01T00:00:00Z", None),
    ]
    assert [(i.start[:10], (i.end or "")[:10]) for i in result.intervals] == [
        ("2016-06-01", "2018-01-01")
    ]
