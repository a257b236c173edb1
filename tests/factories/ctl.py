"""Microsoft authroot CTLs for tests, written by hand in DER the way ``authroot.stl`` is laid
out: a PKCS #7 SignedData (without signers: trustgraph reads the list, it does not verify
Microsoft's signature) whose content is a CTL of root entries named by SHA-1."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.factories.der import integer, oid, seq, tlv

CTL_TYPE = "1.3.6.1.4.1.311.10.1"
ROOT_LIST_SIGNER = "1.3.6.1.4.1.311.10.3.9"
SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
CODE_SIGNING = "1.3.6.1.5.5.7.3.3"
_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def filetime(moment: datetime) -> bytes:
    ticks = int((moment - _EPOCH).total_seconds()) * 10_000_000
    return ticks.to_bytes(8, "little")


def ekus(*oids: str) -> bytes:
    return seq(*(oid(o) for o in oids))


@dataclass
class Entry:
    """One root of the list: its certificate and the attributes (by the last arc of their
    OID under 1.3.6.1.4.1.311.10.11, value bytes inside the attribute's OCTET STRING)."""

    der: bytes
    attributes: dict[str, bytes] = field(default_factory=dict)

    def encode(self) -> bytes:
        attributes = [
            seq(oid(f"1.3.6.1.4.1.311.10.11.{arc}"), tlv(0x31, tlv(0x04, value)))
            for arc, value in self.attributes.items()
        ]
        return seq(tlv(0x04, hashlib.sha1(self.der).digest()), tlv(0x31, b"".join(attributes)))


def ctl(
    entries: list[Entry],
    this_update: datetime,
    sequence: int = 0x1401,
    usage: str = ROOT_LIST_SIGNER,
    content_type: str = CTL_TYPE,
) -> bytes:
    """The DER of an authroot-style SignedData carrying a CTL of ``entries``."""
    trust_list = seq(
        seq(oid(usage)),
        integer(sequence),
        tlv(0x17, this_update.strftime("%y%m%d%H%M%SZ").encode()),
        seq(oid("1.3.14.3.2.26"), tlv(0x05, b"")),
        seq(*(entry.encode() for entry in entries)),
    )
    # authroot.stl carries the CTL's SEQUENCE body, without its header, as the content.
    content = tlv(0x04, _body(trust_list))
    signed = seq(
        integer(1),
        tlv(0x31, seq(oid("1.3.14.3.2.26"), tlv(0x05, b""))),
        seq(oid(content_type), tlv(0xA0, content)),
        tlv(0x31, b""),
    )
    return seq(oid("1.2.840.113549.1.7.2"), tlv(0xA0, signed))


def _body(sequence: bytes) -> bytes:
    """The contents of a DER SEQUENCE (after its tag and length)."""
    return sequence[2:] if sequence[1] < 0x80 else sequence[2 + (sequence[1] & 0x7F) :]
