"""Name comparison keys (RFC 5280 7.1) and readable names."""

from __future__ import annotations

from trustgraph.x509 import names


def _rdns(*pairs: tuple[str, str]) -> names.RDNSequence:
    return tuple((pair,) for pair in pairs)


def test_case_space_and_unicode_folding() -> None:
    a = _rdns(("2.5.4.6", "CN"), ("2.5.4.3", "  WoSign   Root "))
    b = _rdns(("2.5.4.6", "cn"), ("2.5.4.3", "wosign root"))
    assert names.name_key(a) == names.name_key(b)
    assert names.name_key(_rdns(("2.5.4.3", "Ｗｏｓｉｇｎ"))) == names.name_key(
        _rdns(("2.5.4.3", "wosign"))
    )


def test_order_of_rdns_matters_but_not_order_inside_one() -> None:
    multi_a = ((("2.5.4.10", "O"), ("2.5.4.3", "X")),)
    multi_b = ((("2.5.4.3", "x"), ("2.5.4.10", "o")),)
    assert names.name_key(multi_a) == names.name_key(multi_b)
    assert names.name_key(_rdns(("2.5.4.10", "O"), ("2.5.4.3", "X"))) != names.name_key(
        _rdns(("2.5.4.3", "X"), ("2.5.4.10", "O"))
    )


def test_values_cannot_forge_structure() -> None:
    forged = _rdns(("2.5.4.3", 'a"],["2.5.4.3","b'))
    honest = _rdns(("2.5.4.3", "a"), ("2.5.4.3", "b"))
    assert names.name_key(forged) != names.name_key(honest)


def test_display_name_escapes_rfc4514() -> None:
    rdns = _rdns(("2.5.4.6", "US"), ("2.5.4.3", "a,b+c"))
    assert names.display_name(rdns) == "CN=a\\,b\\+c,C=US"


def test_string_types_read_alike() -> None:
    """The same value as PrintableString, UTF8String, BMPString and TeletexString."""

    def name_der(tag: int, value: bytes) -> bytes:
        atv = b"\x06\x03\x55\x04\x03" + bytes([tag, len(value)]) + value
        seq = b"\x30" + bytes([len(atv)]) + atv
        rdn = b"\x31" + bytes([len(seq)]) + seq
        return b"\x30" + bytes([len(rdn)]) + rdn

    keys = {
        names.name_key(names.rdns_from_der(name_der(0x13, b"Root CA"))),
        names.name_key(names.rdns_from_der(name_der(0x0C, b"ROOT CA"))),
        names.name_key(names.rdns_from_der(name_der(0x1E, "root ca".encode("utf-16-be")))),
        names.name_key(names.rdns_from_der(name_der(0x14, b"Root  CA"))),
    }
    assert len(keys) == 1
