"""Distinguished names: RFC 5280 section 7.1 comparison keys and readable strings.

A name is held as a tuple of RDNs, each a tuple of ``(attribute OID, value)`` pairs in DER
order. Two names that RFC 5280 treats as equal (different string types, case, insignificant
white space, attribute order inside a multi-valued RDN) get the same :func:`name_key`; exact
byte comparison would miss real issuer links: real certificates encode one issuer name with
different string types or case.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache

from trustgraph.x509 import der

Attribute = tuple[str, str]
RDNSequence = tuple[tuple[Attribute, ...], ...]

COMMON_NAME = "2.5.4.3"
ORGANIZATION = "2.5.4.10"
EMAIL_ADDRESS = "1.2.840.113549.1.9.1"

SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.4": "SN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "STREET",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.12": "title",
    "2.5.4.15": "businessCategory",
    "2.5.4.17": "postalCode",
    "2.5.4.42": "GN",
    "2.5.4.97": "organizationIdentifier",
    "0.9.2342.19200300.100.1.1": "UID",
    "0.9.2342.19200300.100.1.25": "DC",
    "1.2.840.113549.1.9.1": "emailAddress",
    "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
    "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
    "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}


def fold(value: str) -> str:
    """Case-fold and normalize one attribute value for comparison.

    NFKC, Unicode case folding, and RFC 4518 insignificant-space handling (leading and
    trailing spaces dropped, inner runs collapsed to one space).
    """
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


@lru_cache(maxsize=65536)
def name_key(rdns: RDNSequence) -> str:
    """The comparison key of a name: equal keys mean equal names under RFC 5280 7.1.

    The key is JSON, so no attribute value (attacker-controlled) can forge a separator.
    """
    canonical = [sorted([oid, fold(value)] for oid, value in rdn) for rdn in rdns]
    return json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))


_RFC4514_SPECIAL = frozenset(',+"\\<>;\x00')


def _escape_rfc4514(value: str) -> str:
    if not value or (
        value[0] not in "# " and value[-1] != " " and _RFC4514_SPECIAL.isdisjoint(value)
    ):
        return value
    out = []
    for index, char in enumerate(value):
        if char in ',+"\\<>;' or (char == "#" and index == 0):
            out.append("\\" + char)
        elif char == " " and (index == 0 or index == len(value) - 1):
            out.append("\\ ")
        elif char == "\x00":
            out.append("\\00")
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=65536)
def display_name(rdns: RDNSequence) -> str:
    """An RFC 4514 string of the name (most specific RDN first), for people."""
    parts = []
    for rdn in reversed(rdns):
        parts.append(
            "+".join(f"{SHORT_NAMES.get(oid, oid)}={_escape_rfc4514(value)}" for oid, value in rdn)
        )
    return ",".join(parts)


def first_value(rdns: RDNSequence, oid: str) -> str | None:
    """The value of the most specific attribute of type ``oid``, or None."""
    for rdn in reversed(rdns):
        for attr_oid, value in rdn:
            if attr_oid == oid:
                return value
    return None


_STRING_DECODERS = {
    0x0C: "utf-8",  # UTF8String
    0x12: "latin-1",  # NumericString
    0x13: "latin-1",  # PrintableString (forbidden characters occur; keep them)
    0x16: "latin-1",  # IA5String
    0x1A: "latin-1",  # VisibleString
    0x1E: "utf-16-be",  # BMPString
    0x1C: "utf-32-be",  # UniversalString
}
_TELETEX = 0x14


def _decode_value(tlv: der.Tlv, buf: bytes) -> str:
    content = tlv.content(buf)
    if tlv.tag == _TELETEX:
        # T61 in practice carries UTF-8 or Latin-1; cryptography reads it the same way.
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            return content.decode("latin-1")
    encoding = _STRING_DECODERS.get(tlv.tag)
    if encoding is not None:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            return content.decode("latin-1")
    if tlv.tag == der.BIT_STRING:
        return "#" + content.hex()
    return "#" + tlv.whole(buf).hex()


@lru_cache(maxsize=65536)
def rdns_from_der(name_der: bytes) -> RDNSequence:
    """The RDN sequence of a DER Name, read by trustgraph's own walker (cached: issuer
    names repeat).

    Both certificate parsers use this, so a name read from a certificate that only
    ``asn1crypto`` accepts compares equal to the same name in a certificate ``cryptography``
    read. Attribute values of unexpected string types are kept, not rejected.

    Raises:
        der.DerError: the bytes are not a Name.
    """
    outer = der.read_tlv(name_der, 0)
    if outer.tag != der.SEQUENCE:
        raise der.DerError("Name is not a SEQUENCE")
    result = []
    for rdn in der.children(name_der, outer):
        if rdn.tag != der.SET:
            raise der.DerError("RDN is not a SET")
        attrs = []
        for atv in der.children(name_der, rdn):
            items = der.children(name_der, atv)
            if len(items) != 2 or items[0].tag != der.OID:
                raise der.DerError("malformed AttributeTypeAndValue")
            oid = der.decode_oid(items[0].content(name_der))
            attrs.append((oid, _decode_value(items[1], name_der)))
        result.append(tuple(attrs))
    return tuple(result)
