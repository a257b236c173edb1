"""DER encoding and signing for the certificate factories: the few ASN.1 constructions
they write by hand (what ``cryptography`` will not build: legacy hashes, version 1,
re-signed or altered to-be-signed bytes, and fast bulk certificates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def length(n: int) -> bytes:
    """A DER length field."""
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + length(len(content)) + content


def seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def oid(dotted: str) -> bytes:
    numbers = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * numbers[0] + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


def integer(value: int) -> bytes:
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)
    return tlv(0x02, raw)


def time(moment: datetime) -> bytes:
    """UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5)."""
    if moment.year < 2050:
        return tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())
    return tlv(0x18, moment.strftime("%Y%m%d%H%M%SZ").encode())


def name(cn: str, org: str | None, country: str | None) -> bytes:
    """A distinguished name: C, O, CN (UTF8String values, PrintableString country)."""
    rdns = []
    if country:
        rdns.append(tlv(0x31, seq(oid("2.5.4.6"), tlv(0x13, country.encode()))))
    if org:
        rdns.append(tlv(0x31, seq(oid("2.5.4.10"), tlv(0x0C, org.encode()))))
    rdns.append(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, cn.encode()))))
    return seq(*rdns)


def extension(identifier: str, value: bytes, critical: bool = False) -> bytes:
    flag = tlv(0x01, b"\xff") if critical else b""
    return seq(oid(identifier), flag, tlv(0x04, value))


def certificate(tbs: bytes, algorithm: bytes, signature: bytes) -> bytes:
    """A Certificate from its to-be-signed bytes, signature AlgorithmIdentifier and value."""
    return seq(tbs, algorithm, tlv(0x03, b"\x00" + signature))


def sign(key: Any, data: bytes, digest: hashes.HashAlgorithm, deterministic: bool = False) -> bytes:
    """An RSA PKCS#1 v1.5 or ECDSA signature of ``data`` (RFC 6979 when deterministic)."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), digest)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(digest, deterministic_signing=deterministic))
    raise TypeError(f"cannot sign with {type(key).__name__}")
