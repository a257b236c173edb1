"""NSS trust data fails closed: a distrust-after date in a form that cannot be read, an
explicit distrust entry whose issuer or serial cannot be read, or an octal value with junk
is an error for the whole file (naming its line), and nothing of the file is loaded; a root
is never left trusted without its restriction. Dates in either time form are honoured, and
a certificate the file itself marks as not trusted is refused in paths."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories.nss import cert_object, certdata, trust_object
from tests.factories.pki import PKI, Cert
from trustgraph import api
from trustgraph.errors import InputError
from trustgraph.ingest import stores
from trustgraph.storage.database import Database

AS_OF = "2017-01-01T00:00:00Z"
TRUSTED = "CKT_NSS_TRUSTED_DELEGATOR"
DISTRUSTED = "CKT_NSS_NOT_TRUSTED"


@pytest.fixture(scope="module")
def root() -> Cert:
    return PKI().root("NSS Case Root")


def _distrust_after(value: bytes) -> Callable[[Cert], str]:
    """A trusted root whose distrust-after attribute holds ``value``."""

    def build(root: Cert) -> str:
        return (
            cert_object("Case Root", root.der)
            + "\n"
            + trust_object("Case Root", root.der, TRUSTED, value)
        )

    return build


def _blocked_entry(issuer: bytes, serial: bytes) -> Callable[[Cert], str]:
    """A trusted root, and an explicit distrust of a certificate the file lacks."""

    def build(root: Cert) -> str:
        return "\n".join(
            [
                cert_object("Case Root", root.der),
                trust_object("Case Root", root.der, TRUSTED),
                trust_object("Gone", b"absent", DISTRUSTED, issuer=issuer, serial=serial),
            ]
        )

    return build


def _junk_octal(root: Cert) -> str:
    text = cert_object("Case Root", root.der) + "\n" + trust_object("Case Root", root.der, TRUSTED)
    return text.replace("END", "\\12x\nEND", 1)


def _pair(root: Cert, trust: str = TRUSTED) -> str:
    return cert_object("Case Root", root.der) + "\n" + trust_object("Case Root", root.der, trust)


def _second_server_auth(root: Cert) -> str:
    """A distrusted root whose trust object says so, then says the opposite."""
    return _pair(root, DISTRUSTED) + f"CKA_TRUST_SERVER_AUTH CK_TRUST {TRUSTED}\n"


def _second_trust_object(root: Cert) -> str:
    return _pair(root, DISTRUSTED) + "\n" + trust_object("Case Root", root.der, TRUSTED)


def _misspelt_trust(root: Cert) -> str:
    return _pair(root, "CKT_NSS_NOT_TRUSTD")


def _misspelt_class(root: Cert) -> str:
    return _pair(root).replace("CKO_NSS_TRUST", "CKO_NSS_TRUSTT", 1)


def _cut_after_certificate(root: Cert) -> str:
    return _pair(root) + "\n" + cert_object("Next Root", PKI().root("Next Root").der)


def _cut_between_objects(root: Cert) -> str:
    other = PKI().root("Cut Root")
    return _pair(root) + "\n" + cert_object("Cut Root", other.der).split("CKA_VALUE")[0]


def _no_server_auth(root: Cert) -> str:
    return _pair(root).replace(f"CKA_TRUST_SERVER_AUTH CK_TRUST {TRUSTED}\n", "")


REFUSED = {
    "a second CKA_TRUST_SERVER_AUTH": (_second_server_auth, "appears twice in the object"),
    "a second trust object": (_second_trust_object, "a second trust object"),
    "a misspelt trust value": (_misspelt_trust, "unknown trust value 'CKT_NSS_NOT_TRUSTD'"),
    "a misspelt class": (_misspelt_class, "unknown object class 'CKO_NSS_TRUSTT'"),
    "cut after a certificate": (_cut_after_certificate, "not on a trust object"),
    "cut inside the next object": (_cut_between_objects, "not on a trust object"),
    "trust without server auth": (_no_server_auth, "without CKA_TRUST_SERVER_AUTH"),
    "a 12-digit time": (_distrust_after(b"161021000000"), "not a UTCTime"),
    "generalized time without seconds": (_distrust_after(b"201610210000Z"), "not a UTCTime"),
    "distrust-after in no time format": (_distrust_after(b"2016-10-21"), "not a UTCTime"),
    "distrust-after empty": (_distrust_after(b""), "not a UTCTime"),
    "distrust issuer not a name": (_blocked_entry(b"\x04\x01x", b"\x02\x01\x05"), "cannot be read"),
    "distrust serial not an integer": (
        _blocked_entry(b"\x30\x00", b"\x04\x01\x05"),
        "cannot be read",
    ),
    "distrust without an issuer": (_blocked_entry(b"", b"\x02\x01\x05"), "cannot be read"),
    "octal value with junk": (_junk_octal, "is not a MULTILINE_OCTAL value"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unreadable_trust_data_refuses_the_file(
    case: str, root: Cert, db: Database, tmp_path: Path
) -> None:
    build, message = REFUSED[case]
    path = tmp_path / "certdata.txt"
    path.write_text(certdata([build(root)]))
    before = db.counts()
    with pytest.raises(InputError, match=message) as raised:
        stores.add_snapshot(db, "nss", path, AS_OF)
    assert str(raised.value).startswith(f"{path}:")
    assert db.counts() == before and stores_of(db) == []


def stores_of(db: Database) -> list[str]:
    from trustgraph.policy.stores import list_snapshots

    return [s.store for s in list_snapshots(db)]


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        (b"161021000000Z", "2016-10-21T00:00:00Z"),
        (b"20161021000000Z", "2016-10-21T00:00:00Z"),
        (b"551021000000Z", "1955-10-21T00:00:00Z"),  # RFC 5280: 50 to 99 are 19xx
        (b"491021000000Z", "2049-10-21T00:00:00Z"),
    ],
)
def test_both_time_forms_are_honoured(
    value: bytes, moment: str, root: Cert, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "certdata.txt"
    path.write_text(certdata([_distrust_after(value)(root)]))
    stores.add_snapshot(db, "nss", path, AS_OF)
    anchors = api.anchors_for(db, store="nss", at=AS_OF)
    assert [t.distrust_after for t in anchors.trust.values()] == [moment]


def test_a_certificate_marked_not_trusted_is_refused(db: Database, tmp_path: Path) -> None:
    pki = PKI()
    root = pki.root("Marked Root")
    middle = pki.issue(root.issuer, "Marked Middle")
    below = pki.issue(middle.subject, "Marked Below")
    path = tmp_path / "certdata.txt"
    path.write_text(
        certdata(
            [
                cert_object("Marked Root", root.der),
                trust_object("Marked Root", root.der, TRUSTED),
                cert_object("Marked Middle", middle.der),
                trust_object("Marked Middle", middle.der, DISTRUSTED),
            ]
        )
    )
    from tests.factories.pki import write_pem
    from trustgraph.ingest.loader import load_paths

    load_paths(db, [write_pem(tmp_path / "below.pem", [below])])
    report = stores.add_snapshot(db, "nss", path, AS_OF)
    assert report.distrusted == 1
    anchors = api.anchors_for(db, store="nss", at=AS_OF)
    assert hashlib.sha256(middle.der).hexdigest() in anchors.blocked
    reached = api.reach(db, "Marked Below", anchors=anchors, rules=api.make_rules(AS_OF))
    assert reached.reached == []
