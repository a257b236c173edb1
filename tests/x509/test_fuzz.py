"""Property-based fuzzing of the readers of certificate bytes: whatever the bytes, the DER
walker, the name and time decoders fail only with their own error, and the certificate
parser only with CertificateParseError, so one bad certificate can never stop a load."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from tests.factories.pki import PKI
from tests.fuzzing import fuzz
from trustgraph.errors import CertificateParseError
from trustgraph.x509 import der, names
from trustgraph.x509.certificate import parse_certificate

_PKI = PKI()
_ROOT = _PKI.root("Fuzz Root")
_REAL = _PKI.issue(_ROOT.issuer, "Fuzz Intermediate", path_len=0).der

FUZZ = fuzz(400)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real certificate with a few bytes changed, cut short, or with bytes inserted."""
    data = bytearray(_REAL)
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(("flip", "cut", "insert", "delete")))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[position]
    return bytes(data)


CERTIFICATE_BYTES = st.one_of(st.binary(max_size=200), mutated())


def _walk(data: bytes) -> None:
    """Everything the DER walker offers, over ``data``."""
    tlv = der.read_tlv(data, 0)
    der.children(data, tlv)
    der.split_certificate(data).extensions  # noqa: B018 - decoding is the point
    der.signed_parts(data)
    der.issuer_name(data)


@FUZZ
@given(CERTIFICATE_BYTES)
@example(bytes.fromhex("30029f01"))
@example(bytes.fromhex("3084ffffffff"))
@example(b"\x30")
def test_the_der_walker_raises_only_its_own_error(data: bytes) -> None:
    with contextlib.suppress(der.DerError):
        _walk(data)


@FUZZ
@given(CERTIFICATE_BYTES)
@example(bytes.fromhex("30029f01"))
def test_the_certificate_parser_raises_only_parse_errors(data: bytes) -> None:
    try:
        record = parse_certificate(data)
    except CertificateParseError:
        return
    assert record.der == data


@FUZZ
@given(st.binary(max_size=120))
def test_names_decode_or_fail_cleanly(data: bytes) -> None:
    try:
        rdns = names.rdns_from_der(data)
    except der.DerError:
        return
    assert names.name_key(rdns) == names.name_key(names.rdns_from_der(data))
    names.display_name(rdns)


TIME_TEXT = st.text(alphabet="0123456789Z+-.:abc ", max_size=22)


@FUZZ
@given(st.sampled_from((0x17, 0x18, 0x04)), TIME_TEXT, TIME_TEXT)
@example(0x17, "", "")
@example(0x17, "9x0101000000Z", "200101000000Z")
@example(0x18, "99991231235959-2359", "99991231235959-2359")
@example(0x18, "00010101000000+2359", "20200101000000Z")
def test_times_decode_or_fail_cleanly(tag: int, first: str, second: str) -> None:
    def time(text: str) -> bytes:
        content = text.encode()
        return bytes([tag, len(content)]) + content

    body = time(first) + time(second)
    validity = bytes([0x30, len(body)]) + body
    try:
        not_before, not_after = der.parse_validity(validity)
    except der.DerError:
        return
    assert not_before.tzinfo is UTC and not_after.tzinfo is UTC
    assert datetime(1, 1, 1, tzinfo=UTC) <= not_before


def _outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except der.DerError as exc:
        return ("DerError", str(exc))


@FUZZ
@given(st.binary(max_size=12), st.integers(-2, 14), st.one_of(st.none(), st.integers(-1, 14)))
@example(bytes.fromhex("3081050102030405"), 0, None)
@example(bytes.fromhex("308200030102030405"), 0, None)
@example(bytes.fromhex("3082000301020304"), 0, 7)
@example(bytes.fromhex("0400000000"), 0, None)
def test_read_tlv_fast_path_agrees_with_the_general_one(
    data: bytes, offset: int, limit: int | None
) -> None:
    """Short and one- or two-byte lengths take a fast path: same element, same errors."""
    end_limit = len(data) if limit is None else min(limit, len(data))
    assert _outcome(lambda: der.read_tlv(data, offset, limit)) == _outcome(
        lambda: der._read_tlv(data, offset, end_limit)
    )


@FUZZ
@given(st.sampled_from((12, 14)), st.text(alphabet="0123456789", min_size=14, max_size=14))
@example(12, "240229120000")
@example(14, "20230229120000")
@example(12, "491231235960")
@example(14, "00000101000000")
def test_strict_times_read_as_strptime_reads_them(width: int, digits: str) -> None:
    """RFC 5280's strict forms (read without strptime) against strptime's reading."""
    text = digits[:width]
    full = (("19" if int(text[:2]) >= 50 else "20") + text) if width == 12 else text
    try:
        expected: datetime | None = datetime.strptime(full, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        expected = None
    got = der._strict_time(text.encode() + b"Z")
    assert got == expected
    assert got is None or got.tzinfo is UTC
