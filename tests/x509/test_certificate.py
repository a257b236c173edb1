"""Parsing: both parsers, the fields the model needs, and clear failures."""

from __future__ import annotations

import pytest

from tests.factories.pki import PKI
from trustgraph.errors import CertificateParseError
from trustgraph.x509.certificate import KEY_CERT_SIGN, parse_certificate


def test_fields_of_a_ca_certificate(pki: PKI) -> None:
    root = pki.ca("Parse Root", org="Example Org")
    cert = pki.issue(root, "Parse Child", path_len=2)
    record = parse_certificate(cert.der)
    assert record.sha256 == cert.sha256 and record.parser == "cryptography"
    assert record.version == 3 and record.extensions.is_ca is True
    assert record.extensions.path_len == 2
    assert record.extensions.key_usage is not None
    assert record.extensions.key_usage & KEY_CERT_SIGN
    assert record.key.description == "ec-P-256"
    assert record.signature.name == "sha256-ecdsa"
    assert record.serial == f"{cert.cert.serial_number:x}"
    assert not record.self_issued and record.issuer_key != record.subject_key


def test_version_1_certificate(pki: PKI) -> None:
    cert = pki.root("V1", version1=True)
    record = parse_certificate(cert.der)
    assert record.version == 1 and record.extensions.is_ca is None and record.self_issued


def test_unparsable_bytes_name_both_parsers() -> None:
    with pytest.raises(CertificateParseError, match="not a DER certificate"):
        parse_certificate(b"\x30\x03\x02\x01\x05")
