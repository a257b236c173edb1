"""A small, strict DER walker for the outer structure of X.509 certificates.

It slices a certificate into the byte ranges trustgraph needs (the to-be-signed part, the
signature algorithm and value, names, the SubjectPublicKeyInfo and each extension) without
interpreting them. Both certificate parsers share it, so that the signed bytes, the key
bytes hashed into a CA id and the raw extension values are the same whichever parser read
the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import NamedTuple

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
OID = 0x06
BOOLEAN = 0x01
CONTEXT_0 = 0xA0
CONTEXT_3 = 0xA3


class DerError(ValueError):
    """Bytes that are not the DER structure expected at that place."""


class Tlv(NamedTuple):
    """One DER element: its tag, and where its header and content lie in the buffer."""

    tag: int
    start: int
    content_start: int
    end: int

    def content(self, buf: bytes) -> bytes:
        return buf[self.content_start : self.end]

    def whole(self, buf: bytes) -> bytes:
        return buf[self.start : self.end]


def read_tlv(buf: bytes, offset: int, limit: int | None = None) -> Tlv:
    """Read the element that starts at ``offset``.

    Raises:
        DerError: the header is truncated, uses an indefinite or over-long length, or the
            content runs past ``limit`` (default: the end of ``buf``).
    """
    size = len(buf)
    end_limit = size if limit is None or limit > size else limit
    # Fast path for the forms nearly every element uses (low tag number, a length of up to
    # two bytes); anything else, including every error, takes the general path below.
    if offset >= 0 and offset + 4 <= end_limit:
        tag = buf[offset]
        first = buf[offset + 1]
        if tag & 0x1F != 0x1F:
            if first < 0x80:
                start, end = offset + 2, offset + 2 + first
            elif first == 0x81:
                start, end = offset + 3, offset + 3 + buf[offset + 2]
            elif first == 0x82:
                start = offset + 4
                end = start + (buf[offset + 2] << 8 | buf[offset + 3])
            else:
                return _read_tlv(buf, offset, end_limit)
            if end <= end_limit:
                return _new_tlv(Tlv, (tag, offset, start, end))
    return _read_tlv(buf, offset, end_limit)


def _read_tlv(buf: bytes, offset: int, end_limit: int) -> Tlv:
    if offset < 0 or offset + 2 > end_limit:
        raise DerError(f"truncated element header at offset {offset}")
    tag = buf[offset]
    pos = offset + 1
    if tag & 0x1F == 0x1F:  # high tag number form: skip the continuation bytes
        while True:
            if pos >= end_limit:
                raise DerError(f"truncated tag at offset {offset}")
            more = buf[pos] & 0x80
            pos += 1
            if not more:
                break
    if pos >= end_limit:
        raise DerError(f"truncated length at offset {offset}")
    first = buf[pos]
    pos += 1
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise DerError(f"indefinite length at offset {offset} (BER, not DER)")
    else:
        count = first & 0x7F
        if count > 4 or pos + count > end_limit:
            raise DerError(f"bad length of {count} bytes at offset {offset}")
        length = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    if pos + length > end_limit:
        raise DerError(f"element at offset {offset} runs past its container")
    return Tlv(tag, offset, pos, pos + length)


# Building the tuple directly skips NamedTuple's Python-level __new__ (a load reads tens of
# elements per certificate).
_new_tlv = tuple.__new__


def children(buf: bytes, parent: Tlv) -> list[Tlv]:
    """The elements inside a constructed element, in order.

    Raises:
        DerError: a child is malformed or overruns the parent.
    """
    items = []
    pos = parent.content_start
    while pos < parent.end:
        child = read_tlv(buf, pos, parent.end)
        items.append(child)
        pos = child.end
    return items


@lru_cache(maxsize=8192)
def decode_oid(content: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's content octets (cached: certificates
    repeat a few hundred OIDs).


    Raises:
        DerError: the content is empty or ends inside a sub-identifier.
    """
    if not content:
        raise DerError("empty OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if content[-1] & 0x80:
        raise DerError("OBJECT IDENTIFIER ends inside a sub-identifier")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


@dataclass(frozen=True, slots=True)
class RawExtension:
    oid: str
    critical: bool
    value: bytes


@dataclass
class CertificateParts:
    """The byte ranges of one certificate that trustgraph uses directly; the extensions
    are sliced on first use (verifying a signature never needs them)."""

    tbs: bytes
    signature_algorithm: bytes
    signature: bytes
    version: int
    serial: bytes
    issuer: bytes
    validity: bytes
    subject: bytes
    spki: bytes
    extensions_der: bytes | None = field(default=None, repr=False)

    @cached_property
    def extensions(self) -> tuple[RawExtension, ...]:
        """Every extension, in order.

        Raises:
            DerError: the extensions are malformed.
        """
        if self.extensions_der is None:
            return ()
        return _extensions(self.extensions_der, read_tlv(self.extensions_der, 0))


def _outer(der: bytes) -> list[Tlv]:
    """tbsCertificate, signatureAlgorithm and signatureValue of a certificate."""
    outer = read_tlv(der, 0)
    if outer.tag != SEQUENCE:
        raise DerError("not a SEQUENCE at the start of the certificate")
    if outer.end != len(der):
        raise DerError(f"{len(der) - outer.end} bytes of trailing data after the certificate")
    parts = children(der, outer)
    if len(parts) != 3 or parts[0].tag != SEQUENCE or parts[2].tag != BIT_STRING:
        raise DerError("certificate is not SEQUENCE { tbsCertificate, algorithm, signature }")
    bits = parts[2].content(der)
    if not bits or bits[0] != 0:
        raise DerError("signature BIT STRING has unused bits")
    return parts


def signed_parts(der: bytes) -> tuple[bytes, bytes, bytes]:
    """What a signature check needs, without reading the rest: the to-be-signed bytes, the
    signature AlgorithmIdentifier and the signature value.

    Raises:
        DerError: the bytes are not a certificate's outer structure, or carry trailing data.
    """
    tbs, algorithm, signature = _outer(der)
    return tbs.whole(der), algorithm.whole(der), signature.content(der)[1:]


def issuer_name(der: bytes) -> bytes:
    """The issuer Name of a certificate, read without the rest of it.

    Raises:
        DerError: the bytes are not a certificate's outer structure.
    """
    tbs = _outer(der)[0]
    item = read_tlv(der, tbs.content_start, tbs.end)
    if item.tag == CONTEXT_0:  # version
        item = read_tlv(der, item.end, tbs.end)
    algorithm = read_tlv(der, item.end, tbs.end)
    return read_tlv(der, algorithm.end, tbs.end).whole(der)


def split_certificate(der: bytes) -> CertificateParts:
    """Slice a DER certificate into its parts.

    Raises:
        DerError: the bytes are not a certificate's outer structure, or carry trailing data.
    """
    parts = _outer(der)
    bits = parts[2].content(der)
    return _split_tbs(der, parts[0], parts[1].whole(der), bits[1:])


def split_tbs(tbs: bytes) -> CertificateParts:
    """Slice a DER TBSCertificate (a precertificate's, as CT logs it) into its parts (no
    signature: those fields are empty).

    Raises:
        DerError: the bytes are not a TBSCertificate.
    """
    outer = read_tlv(tbs, 0)
    if outer.tag != SEQUENCE or outer.end != len(tbs):
        raise DerError("not a TBSCertificate SEQUENCE")
    return _split_tbs(tbs, outer, b"", b"")


def _split_tbs(der: bytes, tbs_tlv: Tlv, algorithm: bytes, signature: bytes) -> CertificateParts:
    tbs = tbs_tlv.whole(der)
    fields = children(der, tbs_tlv)
    version = 1
    index = 0
    if fields and fields[0].tag == CONTEXT_0:
        inner = read_tlv(der, fields[0].content_start, fields[0].end)
        version = int.from_bytes(inner.content(der), "big", signed=True) + 1
        index = 1
    if len(fields) < index + 6:
        raise DerError("tbsCertificate has too few fields")
    serial, _alg, issuer, validity, subject, spki = fields[index : index + 6]
    if serial.tag != INTEGER or spki.tag != SEQUENCE or subject.tag != SEQUENCE:
        raise DerError("tbsCertificate fields are out of order")
    extensions: bytes | None = None
    for item in fields[index + 6 :]:
        if item.tag == CONTEXT_3:
            extensions = read_tlv(der, item.content_start, item.end).whole(der)
    return CertificateParts(
        tbs=tbs,
        signature_algorithm=algorithm,
        signature=signature,
        version=version,
        serial=serial.content(der),
        issuer=issuer.whole(der),
        validity=validity.whole(der),
        subject=subject.whole(der),
        spki=spki.whole(der),
        extensions_der=extensions,
    )


def _extensions(der: bytes, seq: Tlv) -> tuple[RawExtension, ...]:
    found = []
    for ext in children(der, seq):
        items = children(der, ext)
        if len(items) < 2 or items[0].tag != OID:
            raise DerError("malformed Extension")
        critical = False
        value_tlv = items[-1]
        if len(items) == 3 and items[1].tag == BOOLEAN:
            critical = items[1].content(der) != b"\x00"
        if value_tlv.tag != OCTET_STRING:
            raise DerError("Extension value is not an OCTET STRING")
        found.append(
            RawExtension(decode_oid(items[0].content(der)), critical, value_tlv.content(der))
        )
    return tuple(found)


def algorithm_oid(algorithm_identifier: bytes) -> str:
    """The OID of a DER AlgorithmIdentifier.

    Raises:
        DerError: the bytes are not an AlgorithmIdentifier.
    """
    seq = read_tlv(algorithm_identifier, 0)
    items = children(algorithm_identifier, seq)
    if not items or items[0].tag != OID:
        raise DerError("AlgorithmIdentifier without an OID")
    return decode_oid(items[0].content(algorithm_identifier))


def spki_algorithm(spki: bytes) -> tuple[str, bytes | None]:
    """The key algorithm OID of a SubjectPublicKeyInfo and its raw parameters (if any).

    Raises:
        DerError: the bytes are not a SubjectPublicKeyInfo.
    """
    seq = read_tlv(spki, 0)
    items = children(spki, seq)
    if len(items) != 2 or items[0].tag != SEQUENCE:
        raise DerError("malformed SubjectPublicKeyInfo")
    alg = children(spki, items[0])
    if not alg or alg[0].tag != OID:
        raise DerError("SubjectPublicKeyInfo algorithm without an OID")
    params = alg[1].whole(spki) if len(alg) > 1 else None
    return decode_oid(alg[0].content(spki)), params


UTC_TIME = 0x17
GENERALIZED_TIME = 0x18


def parse_validity(validity: bytes) -> tuple[datetime, datetime]:
    """notBefore and notAfter of a DER Validity, as aware UTC datetimes.

    Lenient where real certificates are: UTCTime without seconds and with a ``+hhmm`` offset
    (legacy encodings ``cryptography`` rejects) are read as RFC 5280's predecessors meant.

    Raises:
        DerError: the bytes are not two times.
    """
    seq = read_tlv(validity, 0)
    items = children(validity, seq)
    if len(items) != 2:
        raise DerError("Validity is not two times")
    return _parse_time(validity, items[0]), _parse_time(validity, items[1])


def _parse_time(buf: bytes, tlv: Tlv) -> datetime:
    content = tlv.content(buf)
    if tlv.tag not in (UTC_TIME, GENERALIZED_TIME):
        raise DerError(f"time has tag {tlv.tag:#x}")
    if (tlv.tag == UTC_TIME and len(content) == 13) or (
        tlv.tag == GENERALIZED_TIME and len(content) == 15
    ):
        fast = _strict_time(content)
        if fast is not None:
            return fast
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError as exc:
        raise DerError("time is not ASCII") from exc
    if tlv.tag == UTC_TIME:
        if len(text) < 2 or not text[:2].isdigit():
            raise DerError(f"unreadable time {text!r}")
        text = ("19" if int(text[:2]) >= 50 else "20") + text
    body, offset = _split_zone(text)
    if "." in body:
        body = body.split(".", 1)[0]
    if len(body) not in (12, 14) or not body.isdigit():
        raise DerError(f"unreadable time {text!r}")
    try:
        when = datetime.strptime(body, "%Y%m%d%H%M" if len(body) == 12 else "%Y%m%d%H%M%S")
        return when.replace(tzinfo=UTC) - offset
    except (ValueError, OverflowError) as exc:
        raise DerError(f"unreadable time {text!r}") from exc


def _strict_time(content: bytes) -> datetime | None:
    """RFC 5280's own forms, YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ, read by ``fromisoformat``
    (they are nearly all certificates); None for anything else."""
    if content[-1:] != b"Z" or not content[:-1].isdigit() or not content[:-1].isascii():
        return None
    digits = content.decode("ascii")
    if len(digits) == 13:
        digits = ("19" if digits[0] >= "5" else "20") + digits
    try:
        return datetime.fromisoformat(f"{digits[:8]}T{digits[8:]}")
    except ValueError:
        return None


def _split_zone(text: str) -> tuple[str, timedelta]:
    if text.endswith("Z"):
        return text[:-1], timedelta(0)
    for sign in "+-":
        if sign in text[8:]:
            body, zone = text.rsplit(sign, 1)
            if len(zone) != 4 or not zone.isdigit() or int(zone[:2]) > 23 or int(zone[2:]) > 59:
                raise DerError(f"unreadable time zone in {text!r}")
            delta = timedelta(hours=int(zone[:2]), minutes=int(zone[2:]))
            return body, delta if sign == "+" else -delta
    return text, timedelta(0)
