"""The keyUsage bits (RFC 5280 4.2.1.3) as trustgraph stores them (bit ``i`` of an integer
is the ``i``-th named bit), and the names of extended key usages (RFC 5280 4.2.1.12).
Kept apart from the parsers so that readers of stored values need not load them."""

from __future__ import annotations

KEY_USAGE_BITS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)
KEY_CERT_SIGN = 1 << KEY_USAGE_BITS.index("key_cert_sign")


def key_usage_names(bits: int | None) -> list[str] | None:
    """The names of the bits set in a stored keyUsage (None when the extension is absent)."""
    if bits is None:
        return None
    return [name for index, name in enumerate(KEY_USAGE_BITS) if bits & (1 << index)]


EKU_NAMES = {
    "2.5.29.37.0": "anyExtendedKeyUsage",
    "1.3.6.1.5.5.7.3.1": "serverAuth",
    "1.3.6.1.5.5.7.3.2": "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.5": "ipsecEndSystem",
    "1.3.6.1.5.5.7.3.6": "ipsecTunnel",
    "1.3.6.1.5.5.7.3.7": "ipsecUser",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "1.3.6.1.4.1.311.10.3.4": "Microsoft EFS",
    "1.3.6.1.4.1.311.20.2.2": "Microsoft smart card logon",
    "1.3.6.1.4.1.311.10.3.3": "Microsoft Server Gated Crypto",
    "2.16.840.1.113730.4.1": "Netscape Server Gated Crypto",
    "2.16.840.1.113733.1.8.1": "VeriSign Server Gated Crypto",
}


def eku_name(oid: str) -> str:
    """The usual name of an extended key usage, else its dotted OID."""
    return EKU_NAMES.get(oid, oid)


SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
ANY_EKU = "2.5.29.37.0"


def allows_server_auth(eku: tuple[str, ...] | None) -> bool:
    """Whether an EKU extension (None: absent) lets a certificate serve TLS servers."""
    return eku is None or SERVER_AUTH in eku or ANY_EKU in eku
