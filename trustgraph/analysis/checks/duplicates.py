"""Dual issuance: certificates identical except for notBefore (and the signature)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from trustgraph.analysis.checks.base import MEDIUM, CertRow, CheckInfo, Finding
from trustgraph.analysis.checks.scope import ALL
from trustgraph.x509 import der


def content_without_not_before(certificate: bytes | der.CertificateParts) -> str:
    """A digest of the to-be-signed content with notBefore left out (of DER, or of a
    certificate already split).

    Raises:
        der.DerError: the bytes are not a certificate.
    """
    parts = (
        certificate
        if isinstance(certificate, der.CertificateParts)
        else (der.split_certificate(certificate))
    )
    validity = der.read_tlv(parts.validity, 0)
    not_after = der.children(parts.validity, validity)[1].whole(parts.validity)
    digest = hashlib.sha256()
    for piece in (
        bytes([parts.version]),
        parts.serial,
        parts.signature_algorithm,
        parts.issuer,
        not_after,
        parts.subject,
        parts.spki,
    ):
        digest.update(len(piece).to_bytes(4, "big") + piece)
    digest.update(parts.extensions_der or b"")
    return digest.hexdigest()


class DuplicateExceptNotBefore:
    info = CheckInfo(
        "duplicate-except-notbefore",
        "Certificates identical in every field, serial number included, except notBefore "
        "(and so the signature): two issuances of one request.",
        "RFC 5280 4.1.2.2 (unique serial numbers); the dual-issuance failure in Mozilla's "
        "WoSign record",
        MEDIUM,
        ALL,
    )

    def run(self, rows: list[CertRow]) -> Iterator[Finding]:
        groups: dict[str, list[CertRow]] = {}
        for row in rows:
            try:
                groups.setdefault(content_without_not_before(row.der), []).append(row)
            except der.DerError:
                continue
        for members in groups.values():
            starts = {m.not_before for m in members}
            if len(members) < 2 or len(starts) < 2:
                continue
            first = members[0]
            yield Finding(
                "duplicate-except-notbefore",
                MEDIUM,
                f"{len(members)} certificates differ only in notBefore",
                [m.sha256 for m in members],
                first.subject,
                first.issuer,
                {"serial": first.serial, "not_before": sorted(starts)},
            )
