"""The DER walker: times in legacy encodings, malformed input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trustgraph.x509 import der


def _validity(first: bytes, second: bytes) -> bytes:
    body = first + second
    return b"\x30" + bytes([len(body)]) + body


def _utc(text: str) -> bytes:
    return b"\x17" + bytes([len(text)]) + text.encode()


def test_utctime_without_seconds_and_with_offset() -> None:
    """Legacy UTCTime forms that cryptography rejects (seen in the WoSign case)."""
    not_before, not_after = der.parse_validity(
        _validity(_utc("1211080000Z"), _utc("491231235959+0800"))
    )
    assert not_before == datetime(2012, 11, 8, tzinfo=UTC)
    assert not_after == datetime(2049, 12, 31, 15, 59, 59, tzinfo=UTC)


def test_generalized_time_with_fraction() -> None:
    generalized = b"\x18\x13" + b"20500101000000.123Z"
    _, not_after = der.parse_validity(_validity(_utc("500101000000Z"), generalized))
    assert not_after == datetime(2050, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "blob", [b"", b"\x30", b"\x30\x05\x02\x01", b"\x30\x80\x00\x00", b"\x04\x00"]
)
def test_malformed_certificates_raise(blob: bytes) -> None:
    with pytest.raises(der.DerError):
        der.split_certificate(blob)


def test_trailing_data_is_refused() -> None:
    with pytest.raises(der.DerError, match="trailing"):
        der.split_certificate(b"\x30\x00\x00")


def test_oid_decoding() -> None:
    assert der.decode_oid(bytes.fromhex("2a864886f70d01010b")) == "1.2.840.113549.1.1.11"
    assert der.decode_oid(bytes.fromhex("550403")) == "2.5.4.3"
