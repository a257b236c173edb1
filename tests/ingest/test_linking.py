"""Issuance edges: RFC 5280 name matching, signature checks, rollover, load order."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from tests.conftest import load_certs
from tests.factories.pki import CA, PKI, Cert, write_pem
from trustgraph.ingest.loader import load_paths
from trustgraph.policy.anchors import database_roots
from trustgraph.storage.database import Database


def _edge(db: Database, cert: Cert) -> tuple[str, str | None, str | None]:
    row = db.conn.execute(
        "SELECT e.kind, e.issuer_ca, e.reason FROM edges e WHERE e.certificate = ?",
        (cert.sha256,),
    ).fetchone()
    return row[0], row[1], row[2]


def _ca_of(db: Database, cert: Cert) -> str:
    return str(
        db.conn.execute(
            "SELECT ca_id FROM certificates WHERE sha256 = ?", (cert.sha256,)
        ).fetchone()[0]
    )


def test_names_equal_under_rfc5280_but_encoded_differently(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    """The issuer field says PRINTABLESTRING 'mixed   CASE root' where the root's subject is
    UTF8String 'Mixed Case Root': still the same name, so the edge is verified."""
    root = pki.ca("Mixed Case Root")
    root_cert = pki.root(root)
    variant = x509.Name(
        [
            x509.NameAttribute(
                NameOID.COMMON_NAME, "mixed   CASE root", _type=_ASN1Type.PrintableString
            )
        ]
    )
    child_key = pki.new_key()
    child = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Child")]))
        .issuer_name(variant)
        .public_key(child_key.public_key())
        .serial_number(7)
        .not_valid_before(root_cert.cert.not_valid_before_utc)
        .not_valid_after(root_cert.cert.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root.key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    child_cert = Cert(child.public_bytes(Encoding.DER), CA(child.subject, child_key), root)
    load_certs(db, tmp_path, [root_cert, child_cert])
    kind, issuer, _ = _edge(db, child_cert)
    assert (kind, issuer) == ("verified", _ca_of(db, root_cert))


def test_key_rollover_is_not_self_signed(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A certificate whose issuer name equals its subject name, signed by the CA's previous
    key, links old key -> new key: same name does not mean self-signed."""
    old, new = pki.ca("Rollover CA"), pki.ca("Rollover CA")
    old_root, new_root = pki.root(old), pki.root(new)
    old_signs_new = pki.issue(old, new)
    load_certs(db, tmp_path, pki.certs)
    assert _edge(db, old_signs_new)[:2] == ("verified", _ca_of(db, old_root))
    assert _ca_of(db, old_signs_new) == _ca_of(db, new_root)
    assert _edge(db, new_root)[:2] == ("verified", _ca_of(db, new_root))
    roots = database_roots(db)
    assert set(roots.cas) == {_ca_of(db, old_root), _ca_of(db, new_root)}


def test_legacy_hashes(db: Database, pki: PKI, tmp_path: Path) -> None:
    """SHA-1 and MD5 signatures verify; MD2 cannot be checked and gives an unverifiable
    edge with the reason."""
    root = pki.ca("Legacy Root", key=pki.new_key("rsa"))
    root_cert = pki.root(root)
    sha1 = pki.issue(root, "SHA1 CA", hash_name="sha1")
    md5 = pki.issue(root, "MD5 CA", hash_name="md5")
    md2 = pki.issue(root, "MD2 CA", hash_name="md2")
    load_certs(db, tmp_path, pki.certs)
    root_ca = _ca_of(db, root_cert)
    assert _edge(db, sha1)[:2] == ("verified", root_ca)
    assert _edge(db, md5)[:2] == ("verified", root_ca)
    kind, issuer, reason = _edge(db, md2)
    assert (kind, issuer) == ("unverifiable", root_ca) and "md2" in (reason or "")


def test_failed_signature_is_no_edge_and_reported(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A certificate naming a loaded CA as issuer but signed by another key: no edge, and
    the load report says so with its location."""
    real = pki.ca("Impersonated Root")
    real_root = pki.root(real)
    impostor = CA(real.name, pki.new_key())
    forged = pki.issue(impostor, "Forged CA")
    bundle = write_pem(tmp_path / "forged.pem", [real_root, forged])
    report = load_paths(db, [bundle])
    assert _edge(db, forged)[:2] == ("invalid", None)
    invalid = [w for w in report.warnings if w.kind == "signature-invalid"]
    assert [w.certificate for w in invalid] == [forged.sha256]
    assert invalid[0].location.startswith(str(bundle))


def test_load_order_does_not_matter(db: Database, pki: PKI, tmp_path: Path) -> None:
    """The child arrives first (issuer unknown: edge none); the issuer arrives in a later
    load and the child's edge becomes verified."""
    root = pki.ca("Late Root")
    root_cert = pki.root(root)
    child = pki.issue(root, "Early Child")
    load_paths(db, [write_pem(tmp_path / "child.pem", [child])])
    assert _edge(db, child)[0] == "none"
    load_paths(db, [write_pem(tmp_path / "root.pem", [root_cert])])
    assert _edge(db, child)[:2] == ("verified", _ca_of(db, root_cert))


def test_non_ascii_names(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("CA 沃通根证书")
    root_cert = pki.root(root)
    child = pki.issue(root, "沃通 子 CA")
    load_certs(db, tmp_path, pki.certs)
    assert _edge(db, child)[:2] == ("verified", _ca_of(db, root_cert))
    subject = db.conn.execute(
        "SELECT subject FROM cas WHERE ca_id = ?", (_ca_of(db, child),)
    ).fetchone()[0]
    assert subject == "CN=沃通 子 CA"
