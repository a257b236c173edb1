"""Microsoft's ``authroot.stl``: the Certificate Trust List (CTL) of Microsoft's root program,
as Windows downloads it.

The file is a DER PKCS #7 SignedData whose content (type 1.3.6.1.4.1.311.10.1) is a CTL
for the root-list-signer usage (1.3.6.1.4.1.311.10.3.9). The CTL carries a sequence number
and a ThisUpdate time; each entry names a root by the SHA-1 of its certificate and carries
attributes (1.3.6.1.4.1.311.10.11.*): the EKUs the root is trusted for (9), its friendly
name (11), key identifier (20), subject-name MD5 (29), EV policies (83), certificate
SHA-256 (98), the date it is disabled (104), EKUs disallowed (122), and a "NotBefore" date
(126) with the EKUs it applies to (127; all when absent): certificates below the root
issued after that date are not trusted for them. Dates are Windows FILETIMEs; an attribute
present with an empty value (some versions have empty disabled and NotBefore dates) sets
nothing and is kept in the entry's attributes as ``empty_attributes`` — except the EKUs the
root is trusted for, where an empty list means what CryptoAPI's enhanced-key-usage property
means with no usages: valid for no purpose.

Trust data fails closed: a CTL or an entry whose structure or restriction cannot be read is
an error for the whole file, never a root trusted without its restriction. A CTL of more
than :data:`MAX_ENTRIES` entries is refused (Microsoft's lists hold about 500), and entries
are read one at a time, so memory stays bounded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from asn1crypto import algos, cms, core, x509

from trustgraph.core.times import iso
from trustgraph.errors import InputError
from trustgraph.ingest.listed import ListedAnchor, StoreVersion
from trustgraph.ingest.sources import read_input
from trustgraph.x509 import der

CTL_CONTENT_TYPE = "1.3.6.1.4.1.311.10.1"
ROOT_LIST_SIGNER = "1.3.6.1.4.1.311.10.3.9"
_ATTRIBUTE = "1.3.6.1.4.1.311.10.11."
EKUS, FRIENDLY_NAME, KEY_ID, SUBJECT_MD5, EV_POLICIES = "9", "11", "20", "29", "83"
SHA256, DISABLED, DISALLOWED_EKUS, NOT_BEFORE, NOT_BEFORE_EKUS = "98", "104", "122", "126", "127"
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
SUFFIX = ".stl"
MAX_ENTRIES = 20_000
"""The most entries a CTL may hold."""


class _Time(core.Choice):
    _alternatives: ClassVar[list[Any]] = [("utc", core.UTCTime), ("general", core.GeneralizedTime)]


class _Values(core.SetOf):
    _child_spec: ClassVar[Any] = core.OctetString


class _Attribute(core.Sequence):
    _fields: ClassVar[list[Any]] = [("type", core.ObjectIdentifier), ("values", _Values)]


class _Attributes(core.SetOf):
    _child_spec: ClassVar[Any] = _Attribute


class _Subject(core.Sequence):
    _fields: ClassVar[list[Any]] = [
        ("identifier", core.OctetString),
        ("attributes", _Attributes, {"optional": True}),
    ]


class _Subjects(core.SequenceOf):
    _child_spec: ClassVar[Any] = _Subject


class _Usages(core.SequenceOf):
    _child_spec: ClassVar[Any] = core.ObjectIdentifier


class _TrustList(core.Sequence):
    _fields: ClassVar[list[Any]] = [
        ("version", core.Integer, {"optional": True}),
        ("subject_usage", _Usages),
        ("list_identifier", core.OctetString, {"optional": True}),
        ("sequence_number", core.Integer, {"optional": True}),
        ("this_update", _Time),
        ("next_update", _Time, {"optional": True}),
        ("subject_algorithm", algos.DigestAlgorithm),
        ("trusted_subjects", _Subjects, {"optional": True}),
        ("extensions", x509.Extensions, {"explicit": 0, "optional": True}),
    ]


class _Policy(core.Sequence):
    _fields: ClassVar[list[Any]] = [
        ("policy", core.ObjectIdentifier),
        ("qualifiers", core.Any, {"optional": True}),
    ]


class _Policies(core.SequenceOf):
    _child_spec: ClassVar[Any] = _Policy


def looks_like_ctl(head: bytes) -> bool:
    """Whether the first bytes of a file are a PKCS #7 structure carrying a CTL."""
    return head[:1] == b"\x30" and bytes.fromhex("2b0601040182370a01") in head[:64]


def read_ctl_file(path: Path) -> StoreVersion:
    """One authroot CTL file as a store version dated by its ThisUpdate.

    Raises:
        InputError: the file is unreadable, not a CTL of root lists, or holds an entry
            whose structure or restriction cannot be read (the message names the file,
            the entry and the reason).
    """
    return read_ctl(read_input(path), str(path))


def read_ctl(data: bytes, label: str) -> StoreVersion:
    """See :func:`read_ctl_file`; ``label`` names the source in messages."""
    try:
        trust_list = _trust_list(data, label)
        this_update = trust_list["this_update"].chosen.native
        sequence = trust_list["sequence_number"].native
        subjects = trust_list["trusted_subjects"]
        entries = [] if isinstance(subjects, core.Void) else _entry_bytes(subjects.contents)
        as_of = iso(this_update)
    except (ValueError, TypeError, KeyError, OverflowError, der.DerError) as exc:
        raise InputError(f"{label}: not a readable certificate trust list: {exc}") from exc
    if len(entries) > MAX_ENTRIES:
        raise InputError(
            f"{label}: more than {MAX_ENTRIES} entries, the most a trust list may hold here "
            "(Microsoft's hold about 500); refused"
        )
    anchors = [_anchor(entry, label, index) for index, entry in enumerate(entries, 1)]
    assert as_of is not None
    return StoreVersion(
        as_of,
        label,
        anchors,
        sequence=None if sequence is None else f"{sequence:X}",
        description="Microsoft authroot.stl",
    )


def _trust_list(data: bytes, label: str) -> _TrustList:
    info = cms.ContentInfo.load(data, strict=True)
    if info["content_type"].native != "signed_data":
        raise InputError(f"{label}: not PKCS #7 signed data ({info['content_type'].dotted})")
    encapsulated = info["content"]["encap_content_info"]
    content_type = encapsulated["content_type"].dotted
    if content_type != CTL_CONTENT_TYPE:
        raise InputError(
            f"{label}: the signed content is {content_type}, not a certificate trust "
            f"list ({CTL_CONTENT_TYPE})"
        )
    # The content is the CTL's SEQUENCE body under an OCTET STRING; give it its header back.
    body = encapsulated["content"].contents
    trust_list = _TrustList.load(_sequence_header(len(body)) + body, strict=True)
    usages = [usage.dotted for usage in trust_list["subject_usage"]]
    if ROOT_LIST_SIGNER not in usages:
        raise InputError(
            f"{label}: a trust list for {', '.join(usages) or 'no usage'}, not a list of "
            f"roots ({ROOT_LIST_SIGNER})"
        )
    algorithm = trust_list["subject_algorithm"]["algorithm"].native
    if algorithm != "sha1":
        raise InputError(f"{label}: entries are named by {algorithm}, not SHA-1")
    return trust_list


def _sequence_header(length: int) -> bytes:
    if length < 0x80:
        return bytes((0x30, length))
    size = (length.bit_length() + 7) // 8
    return bytes((0x30, 0x80 | size)) + length.to_bytes(size, "big")


def _entry_bytes(contents: bytes) -> list[bytes]:
    """The DER of each entry of the trust list's SEQUENCE OF, without parsing them.

    Raises:
        DerError: the contents are not a run of DER elements.
    """
    entries, position = [], 0
    while position < len(contents):
        element = der.read_tlv(contents, position)
        entries.append(contents[position : element.end])
        position = element.end
        if len(entries) > MAX_ENTRIES:
            break
    return entries


def _anchor(raw: bytes, label: str, index: int) -> ListedAnchor:
    where = f"{label}: entry {index}"
    try:
        entry = _Subject.load(raw, strict=True)
        sha1 = entry["identifier"].native.hex()
        values = _attribute_values(entry)
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"{where}: unreadable: {exc}") from exc
    if len(sha1) != 40:
        raise InputError(f"{where}: its identifier is not a SHA-1 ({len(sha1) // 2} bytes)")
    try:
        return _listed(sha1, values)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise InputError(f"{where} (SHA-1 {sha1}): unreadable attribute: {exc}") from exc


def _attribute_values(entry: _Subject) -> dict[str, bytes]:
    values: dict[str, bytes] = {}
    attributes = entry["attributes"]
    for attribute in attributes if attributes.native is not None else []:
        oid = attribute["type"].dotted
        items = [value.native for value in attribute["values"]]
        if len(items) != 1:
            raise ValueError(f"attribute {oid} has {len(items)} values, not one")
        key = oid[len(_ATTRIBUTE) :] if oid.startswith(_ATTRIBUTE) else oid
        values[key] = items[0]
    return values


def _listed(sha1: str, values: dict[str, bytes]) -> ListedAnchor:
    empty = sorted(key for key, value in values.items() if not value and key != EKUS)
    # An EKU list, even an empty one, says what the root is trusted for.
    trusted = _ekus(values[EKUS]) if EKUS in values else None
    values = {key: value for key, value in values.items() if value}
    disallowed = _ekus(values[DISALLOWED_EKUS]) if DISALLOWED_EKUS in values else frozenset()
    sha256 = values.get(SHA256)
    if sha256 is not None and len(sha256) != 32:
        raise ValueError(f"the SHA-256 attribute has {len(sha256)} bytes")
    attributes: dict[str, Any] = {"empty_attributes": empty} if empty else {}
    if disallowed:
        attributes["disallowed_purposes"] = sorted(disallowed)
    if EV_POLICIES in values:
        attributes["ev_policies"] = _policies(values[EV_POLICIES])
    for key, name in ((KEY_ID, "key_identifier"), (SUBJECT_MD5, "subject_name_md5")):
        if key in values:
            attributes[name] = values[key].hex()
    known = {EKUS, FRIENDLY_NAME, KEY_ID, SUBJECT_MD5, EV_POLICIES, SHA256, DISABLED}
    known |= {DISALLOWED_EKUS, NOT_BEFORE, NOT_BEFORE_EKUS}
    other = {key: value.hex() for key, value in sorted(values.items()) if key not in known}
    if other:
        attributes["other"] = other
    return ListedAnchor(
        sha256=sha256.hex() if sha256 is not None else None,
        sha1=sha1,
        label=_friendly_name(values.get(FRIENDLY_NAME)),
        purposes=_purposes(trusted, disallowed),
        distrust_after=_filetime(values[NOT_BEFORE]) if NOT_BEFORE in values else None,
        distrust_purposes=(_ekus(values[NOT_BEFORE_EKUS]) if NOT_BEFORE_EKUS in values else None),
        disabled_from=_filetime(values[DISABLED]) if DISABLED in values else None,
        attributes=attributes,
    )


def _purposes(trusted: frozenset[str] | None, disallowed: frozenset[str]) -> frozenset[str] | None:
    if not disallowed:
        return trusted
    if trusted is None:
        # All purposes but some is not a set this model can hold: fail closed.
        raise ValueError("EKUs are disallowed from a root trusted for every purpose")
    return trusted - disallowed


def _ekus(value: bytes) -> frozenset[str]:
    """The EKUs of an attribute value (none for an empty value)."""
    if not value:
        return frozenset()
    return frozenset(oid.dotted for oid in _Usages.load(value, strict=True))


def _policies(value: bytes) -> list[str]:
    return [policy["policy"].dotted for policy in _Policies.load(value, strict=True)]


def _friendly_name(value: bytes | None) -> str | None:
    if value is None:
        return None
    return value.decode("utf-16-le", errors="replace").rstrip("\x00") or None


def _filetime(value: bytes) -> str:
    """A Windows FILETIME (little-endian count of 100 ns since 1601) as stored text."""
    if len(value) != 8:
        raise ValueError(f"a FILETIME has 8 bytes, not {len(value)}")
    ticks = int.from_bytes(value, "little")
    try:
        text = iso(_FILETIME_EPOCH + timedelta(microseconds=ticks // 10))
    except OverflowError as exc:
        raise ValueError(f"the FILETIME {value.hex()} is beyond any date") from exc
    assert text is not None
    return text


def ctl_files(directory: Path) -> list[Path]:
    """The CTL files of a directory of versions (``*.stl``), in name order.

    Raises:
        InputError: the directory holds none.
    """
    files = sorted(p for p in directory.iterdir() if p.suffix == SUFFIX)
    if not files:
        raise InputError(f"{directory}: no {SUFFIX} files (authroot CTL versions) in it")
    return files
