"""NSS ``certdata.txt``: root certificates and their trust objects.

The file is a sequence of PKCS #11 objects, each a block of ``CKA_NAME TYPE VALUE`` lines
(``MULTILINE_OCTAL`` values run until ``END``). Certificate objects carry the DER in
``CKA_VALUE``; trust objects name a certificate by ``CKA_CERT_SHA1_HASH`` (and issuer and
serial) and say whether it is a trust anchor for server authentication
(``CKT_NSS_TRUSTED_DELEGATOR``), explicitly distrusted (``CKT_NSS_NOT_TRUSTED``) or
neither, and may carry ``CKA_NSS_SERVER_DISTRUST_AFTER`` (a UTCTime).

Trust data fails closed: a distrust-after date, an explicit distrust entry or an octal
value that cannot be read is an error for the whole file (with its line), never a root
trusted without its restriction. So are conflicts and unknowns: an attribute given twice in
one object, two trust objects for one certificate, a certificate without a trust object, a
trust object without server-auth trust, an object class or trust value NSS does not define.
certdata.txt has no end marker; the file must end on a complete trust object (a file cut
inside an object, or between a certificate and its trust, is refused; one cut exactly
after a trust object cannot be told from a shorter file).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from trustgraph.errors import InputError
from trustgraph.x509 import der, names
from trustgraph.x509.certificate import serial_hex

TRUSTED_DELEGATOR = "CKT_NSS_TRUSTED_DELEGATOR"
NOT_TRUSTED = "CKT_NSS_NOT_TRUSTED"
TRUST_VALUES = frozenset(
    {
        TRUSTED_DELEGATOR,
        NOT_TRUSTED,
        "CKT_NSS_MUST_VERIFY_TRUST",
        "CKT_NSS_TRUST_UNKNOWN",
        "CKT_NSS_TRUSTED",
        "CKT_NSS_VALID_DELEGATOR",
    }
)
"""The CK_TRUST values NSS defines (lib/util/pkcs11n.h)."""
CERTIFICATE, TRUST, ROOT_LIST = "CKO_CERTIFICATE", "CKO_NSS_TRUST", "CKO_NSS_BUILTIN_ROOT_LIST"
CLASSES = frozenset({CERTIFICATE, TRUST, ROOT_LIST})
_UTC_TIME = re.compile(r"(\d{2})(\d{10})Z")
_GENERALIZED_TIME = re.compile(r"(\d{14})Z")
_OCTAL = re.compile(r"\\([0-7]{3})")
_OCTAL_VALUE = re.compile(r"(?:\\[0-7]{3})*")


@dataclass
class NssObject:
    line: int
    attributes: dict[str, str | bytes] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        value = self.attributes.get(name)
        return value if isinstance(value, str) else None

    def octets(self, name: str) -> bytes | None:
        value = self.attributes.get(name)
        return value if isinstance(value, bytes) else None


@dataclass(frozen=True)
class NssRoot:
    """A certificate object with the trust NSS gives it for server authentication."""

    der: bytes
    label: str
    line: int
    server_auth: str | None
    distrust_after: str | None


@dataclass(frozen=True)
class NssDistrust:
    """A trust object that distrusts a certificate the file does not contain, named by its
    issuer (a name key) and serial number (hex)."""

    issuer_key: str
    serial: str
    label: str
    line: int


def parse_objects(text: str, label: str = "certdata.txt") -> list[NssObject]:
    """The PKCS #11 objects of a certdata.txt, with the line each starts on.

    Raises:
        InputError: a MULTILINE_OCTAL value has no END, an attribute repeats in an object,
            an object's class or a trust value is unknown, or the file has no objects.
    """
    objects: list[NssObject] = []
    current: NssObject | None = None
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        raw = lines[index].strip()
        index += 1
        if not raw or raw.startswith("#") or raw == "BEGINDATA":
            continue
        name, _, rest = raw.partition(" ")
        kind, _, value = rest.partition(" ")
        if name == "CKA_CLASS":
            if value.strip() not in CLASSES:
                raise InputError(
                    f"{label}:{index}: unknown object class {value.strip()!r}; refusing the "
                    "file rather than skipping an object it may depend on"
                )
            current = NssObject(index)
            objects.append(current)
        if current is None or not name.startswith("CKA_"):
            continue
        if name in current.attributes:
            raise InputError(
                f"{label}:{index}: {name} appears twice in the object of line {current.line}; "
                "refusing the file rather than choosing one"
            )
        if kind == "CK_TRUST" and value.strip() not in TRUST_VALUES:
            raise InputError(
                f"{label}:{index}: {name} has the unknown trust value {value.strip()!r}; "
                "refusing the file rather than ignoring a distrust"
            )
        if kind == "MULTILINE_OCTAL":
            start = index
            chunks = []
            while index < len(lines) and lines[index].strip() != "END":
                chunks.append(lines[index].strip())
                index += 1
            if index >= len(lines):
                raise InputError(f"{label}:{start}: {name} has no END line")
            index += 1
            current.attributes[name] = _octal_bytes("".join(chunks), f"{label}:{start}", name)
        elif kind == "UTF8":
            current.attributes[name] = value.strip().strip('"')
        else:
            current.attributes[name] = value.strip()
    if not objects:
        raise InputError(f"{label}: no PKCS #11 objects found; is this an NSS certdata.txt?")
    return objects


def _octal_bytes(text: str, location: str, name: str) -> bytes:
    """The bytes of a MULTILINE_OCTAL value.

    Raises:
        InputError: the value is not a sequence of ``\\ooo`` escapes.
    """
    if not _OCTAL_VALUE.fullmatch(text):
        raise InputError(f"{location}: {name} is not a MULTILINE_OCTAL value")
    return bytes(int(o, 8) for o in _OCTAL.findall(text))


def _distrust_after(obj: NssObject, label: str) -> str | None:
    """The server distrust-after date of a trust object (None when it has none).

    Raises:
        InputError: the attribute is present but not a UTCTime or GeneralizedTime.
    """
    raw = obj.attributes.get("CKA_NSS_SERVER_DISTRUST_AFTER")
    if raw is None or raw == "CK_FALSE":
        return None
    text = raw.decode("ascii", errors="replace") if isinstance(raw, bytes) else raw
    moment = _time(text)
    if moment is not None:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    raise InputError(
        f"{label}:{obj.line}: CKA_NSS_SERVER_DISTRUST_AFTER {text!r} is not a UTCTime or "
        "GeneralizedTime; refusing the file rather than trusting the root without it"
    )


def _time(text: str) -> datetime | None:
    """A UTCTime (YYMMDDHHMMSSZ; years 50 to 99 are 19xx, RFC 5280 4.1.2.5.1) or a
    GeneralizedTime (YYYYMMDDHHMMSSZ), exactly; None for anything else."""
    utc = _UTC_TIME.fullmatch(text)
    if utc:
        century = "19" if int(utc.group(1)) >= 50 else "20"
        digits = century + utc.group(1) + utc.group(2)
    elif generalized := _GENERALIZED_TIME.fullmatch(text):
        digits = generalized.group(1)
    else:
        return None
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _distrust_entry(item: NssObject, label: str) -> NssDistrust:
    """An explicit distrust of a certificate the file does not contain.

    Raises:
        InputError: its issuer or serial number cannot be read.
    """
    where = f"{label}:{item.line}"
    issuer, serial = item.octets("CKA_ISSUER"), item.octets("CKA_SERIAL_NUMBER")
    try:
        if not issuer or not serial:
            raise der.DerError("CKA_ISSUER and CKA_SERIAL_NUMBER are both required")
        issuer_key = names.name_key(names.rdns_from_der(issuer))
        serial_tlv = der.read_tlv(serial, 0)
        if serial_tlv.tag != der.INTEGER or serial_tlv.end != len(serial):
            raise der.DerError("CKA_SERIAL_NUMBER is not a DER INTEGER")
    except der.DerError as exc:
        raise InputError(
            f"{where}: explicit distrust entry {item.text('CKA_LABEL')!r} cannot be read "
            f"({exc}); refusing the file rather than leaving the certificate trusted"
        ) from exc
    return NssDistrust(
        issuer_key, serial_hex(serial_tlv.content(serial)), item.text("CKA_LABEL") or "", item.line
    )


def read_certdata(
    text: str, label: str = "certdata.txt"
) -> tuple[list[NssRoot], list[NssDistrust]]:
    """The certificates with their server-auth trust, and the distrust entries without a
    certificate.

    Raises:
        InputError: the text is not a certdata.txt, or its trust data conflicts or is
            incomplete (see the module's docstring).
    """
    objects = parse_objects(text, label)
    if objects[-1].text("CKA_CLASS") != TRUST:
        raise InputError(
            f"{label}: the file ends on the object of line {objects[-1].line}, not on a trust "
            "object: it looks cut short; refusing it"
        )
    certificates = [o for o in objects if o.text("CKA_CLASS") == CERTIFICATE]
    trust = [o for o in objects if o.text("CKA_CLASS") == TRUST]
    by_sha1: dict[bytes, NssObject] = {}
    for item in trust:
        if item.text("CKA_TRUST_SERVER_AUTH") is None:
            raise InputError(
                f"{label}:{item.line}: trust object without CKA_TRUST_SERVER_AUTH; refusing "
                "the file"
            )
        digest = item.octets("CKA_CERT_SHA1_HASH")
        if digest and digest in by_sha1:
            raise InputError(
                f"{label}:{item.line}: a second trust object for the certificate of the one "
                f"of line {by_sha1[digest].line}; refusing the file rather than choosing one"
            )
        if digest:
            by_sha1[digest] = item
    roots = []
    matched: set[int] = set()
    for cert in certificates:
        der = cert.octets("CKA_VALUE") or b""
        trust_object = by_sha1.get(hashlib.sha1(der).digest())
        if trust_object is None:
            raise InputError(
                f"{label}:{cert.line}: certificate {cert.text('CKA_LABEL')!r} has no trust "
                "object; refusing the file (cut short, or edited?)"
            )
        matched.add(id(trust_object))
        roots.append(
            NssRoot(
                der,
                cert.text("CKA_LABEL") or "",
                cert.line,
                trust_object.text("CKA_TRUST_SERVER_AUTH"),
                _distrust_after(trust_object, label),
            )
        )
    distrusts = [
        _distrust_entry(item, label)
        for item in trust
        if id(item) not in matched and item.text("CKA_TRUST_SERVER_AUTH") == NOT_TRUSTED
    ]
    return roots, distrusts


def looks_like_certdata(head: str) -> bool:
    return "CKA_CLASS" in head or "BEGINDATA" in head
