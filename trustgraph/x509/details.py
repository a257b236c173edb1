"""Extension details that reports compare, read from a certificate's DER on demand.

Not needed for path building, so not stored: CRL distribution points, OCSP and CA-issuer
URLs, certificate policies, embedded SCT timestamps, and a digest of every extension. Each
extension is decoded on its own (asn1crypto), so one malformed extension spoils only itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509

from trustgraph.x509 import der

SCT_LIST = "1.3.6.1.4.1.11129.2.4.2"
CRL_DISTRIBUTION_POINTS = "2.5.29.31"
AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1"
CERTIFICATE_POLICIES = "2.5.29.32"


@dataclass
class Details:
    crl_urls: tuple[str, ...] = ()
    ocsp_urls: tuple[str, ...] = ()
    ca_issuer_urls: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    sct_timestamps: tuple[datetime, ...] = ()
    extensions: dict[str, str] = field(default_factory=dict)  # OID -> SHA-256 of its value
    unreadable: tuple[str, ...] = ()

    def comparable(self) -> dict[str, Any]:
        """The fields a serial-number report compares."""
        return {
            "crl_distribution_points": list(self.crl_urls),
            "ocsp": list(self.ocsp_urls),
            "ca_issuers": list(self.ca_issuer_urls),
            "policies": list(self.policies),
        }


def read_details(der_bytes: bytes) -> Details:
    """The extension details of a certificate; unreadable extensions are listed, not raised.

    Raises:
        der.DerError: the bytes are not a certificate's outer structure.
    """
    parts = der.split_certificate(der_bytes)
    result = Details()
    unreadable = []
    for ext in parts.extensions:
        result.extensions[ext.oid] = hashlib.sha256(ext.value).hexdigest()
        reader = _READERS.get(ext.oid)
        if reader is None:
            continue
        try:
            reader(ext.value, result)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, der.DerError):
            unreadable.append(ext.oid)
    result.unreadable = tuple(unreadable)
    return result


def _crl(value: bytes, into: Details) -> None:
    urls: list[str] = []
    for point in asn1_x509.CRLDistributionPoints.load(value):
        name = point["distribution_point"]
        if name.native is not None and name.name == "full_name":
            urls.extend(
                g.chosen.native for g in name.chosen if g.name == "uniform_resource_identifier"
            )
    into.crl_urls = tuple(urls)


def _aia(value: bytes, into: Details) -> None:
    ocsp, issuers = [], []
    for access in asn1_x509.AuthorityInfoAccessSyntax.load(value):
        location = access["access_location"]
        if location.name != "uniform_resource_identifier":
            continue
        method = access["access_method"].dotted
        if method == "1.3.6.1.5.5.7.48.1":
            ocsp.append(location.chosen.native)
        elif method == "1.3.6.1.5.5.7.48.2":
            issuers.append(location.chosen.native)
    into.ocsp_urls, into.ca_issuer_urls = tuple(ocsp), tuple(issuers)


def _policies(value: bytes, into: Details) -> None:
    into.policies = tuple(
        p["policy_identifier"].dotted for p in asn1_x509.CertificatePolicies.load(value)
    )


def _scts(value: bytes, into: Details) -> None:
    into.sct_timestamps = tuple(sct_timestamps(value))


def sct_timestamps(extension_value: bytes) -> list[datetime]:
    """The timestamps of an SCT-list extension value (RFC 6962 3.3: an OCTET STRING holding a
    TLS-encoded SignedCertificateTimestampList).

    Raises:
        der.DerError: the value is not an OCTET STRING.
        ValueError: the TLS structure is truncated or of an unknown SCT version.
    """
    outer = der.read_tlv(extension_value, 0)
    if outer.tag != der.OCTET_STRING:
        raise der.DerError("SCT list is not an OCTET STRING")
    data = outer.content(extension_value)
    if len(data) < 2:
        raise ValueError("truncated SCT list")
    total = int.from_bytes(data[:2], "big")
    body = data[2 : 2 + total]
    if len(body) != total:
        raise ValueError("truncated SCT list")
    stamps = []
    offset = 0
    while offset < len(body):
        length = int.from_bytes(body[offset : offset + 2], "big")
        sct = body[offset + 2 : offset + 2 + length]
        if len(sct) != length or length < 43:
            raise ValueError("truncated SCT")
        if sct[0] != 0:
            raise ValueError(f"SCT version {sct[0]} not supported")
        milliseconds = int.from_bytes(sct[33:41], "big")
        stamps.append(datetime.fromtimestamp(milliseconds / 1000, tz=UTC))
        offset += 2 + length
    return stamps


_READERS = {
    CRL_DISTRIBUTION_POINTS: _crl,
    AUTHORITY_INFO_ACCESS: _aia,
    CERTIFICATE_POLICIES: _policies,
    SCT_LIST: _scts,
}
