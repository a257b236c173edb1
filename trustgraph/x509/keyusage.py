"""The keyUsage bits (RFC 5280 4.2.1.3) as trustgraph stores them: bit ``i`` of an integer
is the ``i``-th named bit. Kept apart from the parsers so that readers of stored values
need not load them."""

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
