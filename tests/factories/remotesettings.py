"""Firefox Remote Settings records (OneCRL, intermediate preloading) for tests, built from
generated certificates as Firefox's lists encode them."""

from __future__ import annotations

import base64
import hashlib
import json
import lzma
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.factories.pki import Cert


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _record(
    ident: str, created: str, last_modified_ms: int, enabled: bool, **names: str
) -> dict[str, Any]:
    """A OneCRL record naming what ``names`` gives (issuer and serial, or subject and key)."""
    return {
        "details": {"bug": f"https://bugzilla.example/{ident}", "created": created},
        "enabled": enabled,
        "id": ident,
        **names,
        "last_modified": last_modified_ms,
    }


def by_serial(
    cert: Cert,
    ident: str,
    created: str = "",
    last_modified_ms: int = 1_600_000_000_000,
    enabled: bool = True,
) -> dict[str, Any]:
    """A OneCRL record naming ``cert`` by issuer and serial."""
    parsed = cert.cert
    serial = parsed.serial_number
    octets = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    return _record(
        ident,
        created,
        last_modified_ms,
        enabled,
        issuerName=_b64(parsed.issuer.public_bytes()),
        serialNumber=_b64(octets),
    )


def by_key(
    cert: Cert,
    ident: str,
    created: str = "",
    last_modified_ms: int = 1_600_000_000_000,
    enabled: bool = True,
) -> dict[str, Any]:
    """A OneCRL record naming the CA of ``cert`` by subject and key."""
    parsed: x509.Certificate = cert.cert
    spki = parsed.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _record(
        ident,
        created,
        last_modified_ms,
        enabled,
        subject=_b64(parsed.subject.public_bytes()),
        pubKeyHash=_b64(hashlib.sha256(spki).digest()),
    )


def preloaded(cert: Cert, ident: str) -> dict[str, Any]:
    """An intermediate preloading record for ``cert``."""
    return {
        "derHash": _b64(hashlib.sha256(cert.der).digest()),
        "id": ident,
        "subject": cert.cert.subject.rfc4514_string(),
        "last_modified": 1_700_000_000_000,
    }


def collection(path: Path, records: list[Any], timestamp: int = 1_700_000_000_000) -> Path:
    """Write a collection as Firefox ships it, xz-compressed when ``path`` ends in .xz."""
    data = json.dumps({"data": records, "timestamp": timestamp}).encode()
    path.write_bytes(lzma.compress(data) if path.suffix == ".xz" else data)
    return path


def ms(iso_day: str) -> int:
    """Milliseconds since the epoch of a day (midnight UTC)."""
    from datetime import UTC, datetime

    return int(datetime.fromisoformat(iso_day).replace(tzinfo=UTC).timestamp() * 1000)
