"""Firefox's Remote Settings collections as Firefox ships them (``defaults/settings/...``
in its ``omni.ja``): a JSON document ``{"data": [records...], "timestamp": MS}``, perhaps
gzip- or xz-compressed. Its readers (OneCRL, the intermediate preloading list) take the
records from here; this module owns the envelope and the checks every record shares.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustgraph.errors import InputError
from trustgraph.ingest.sources import read_input

MAX_RECORDS = 200_000
"""Far above any collection Firefox ships (a few thousand records)."""


@dataclass(frozen=True)
class Collection:
    """A collection's records (JSON objects) and when it was published (ISO; None when
    the file does not say)."""

    path: Path
    records: list[dict[str, Any]]
    published: str | None
    digest: str = ""
    """SHA-256 of the document."""

    def where(self, index: int) -> str:
        """How a message names record ``index``: the file, its position and its id."""
        record = self.records[index]
        ident = record.get("id") if isinstance(record.get("id"), str) else None
        return f"{self.path}: record {index + 1}" + (f" ({ident})" if ident else "")


def read_collection(path: Path) -> Collection:
    """The records of a Remote Settings collection file.

    Raises:
        InputError: the file cannot be read, is not JSON, or not a collection (a ``data``
            list of objects, an integer ``timestamp`` if any); the message names it.
    """
    data = read_input(path)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{path}: not a JSON document: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise InputError(f'{path}: not a Remote Settings collection (no "data" list)')
    records = document["data"]
    if len(records) > MAX_RECORDS:
        raise InputError(f"{path}: more than {MAX_RECORDS} records; refused")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise InputError(f"{path}: record {index + 1} is not an object")
    stamp = document.get("timestamp")
    published = milliseconds(stamp, f"{path}: timestamp") if stamp is not None else None
    return Collection(path, records, published, hashlib.sha256(data).hexdigest())


def milliseconds(value: Any, where: str) -> str:
    """An ISO time from milliseconds since the epoch (Remote Settings' times).

    Raises:
        InputError: ``value`` is not an integer time between 1970 and 9999.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: {value!r} is not a time in milliseconds")
    try:
        moment = datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise InputError(f"{where}: {value!r} is not a time in milliseconds") from exc
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def b64(record: dict[str, Any], key: str, where: str, size: int | None = None) -> bytes:
    """The bytes of base64 field ``key`` (of ``size`` bytes when given).

    Raises:
        InputError: the field is missing, not a string, not base64, empty or of another
            size.
    """
    value = record.get(key)
    if not isinstance(value, str):
        raise InputError(f"{where}: {key} is missing or not text")
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{where}: {key} is not base64 ({exc})") from exc
    if not decoded or (size is not None and len(decoded) != size):
        expected = f"{size} bytes" if size is not None else "bytes"
        raise InputError(f"{where}: {key} holds {len(decoded)} bytes, not {expected}")
    return decoded
