"""Records the storage layer returns and the layers above it read: a trust-store snapshot,
the source of leaf certificates, a group of certificates sharing a serial."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Snapshot:
    """One dated snapshot of a trust store, and the source it was read from."""

    id: int
    store: str
    as_of: str
    source_kind: str
    source_path: str
    description: str | None
    sequence: str | None = None
    precision: str = "day"
    superseded_from: str | None = None
    """From then on a newer version of the source was current, one nobody observed: the
    snapshot may be out of date."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "as_of": self.as_of,
            "as_of_precision": self.precision,
            "source_kind": self.source_kind,
            "source": self.source_path,
            "description": self.description,
            "sequence": self.sequence,
            "superseded_from": self.superseded_from,
        }


@dataclass(frozen=True)
class LeafSource:
    """A source of leaves and, for a log, its latest verified checkpoint."""

    id: int
    kind: str
    prefix: str
    log_id: str | None
    key: bytes | None
    origin: str | None
    size: int
    root: bytes | None
    checkpoint_time: int | None
    synced_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "prefix": self.prefix,
            "log_id": self.log_id,
            "origin": self.origin,
            "checkpoint_size": self.size,
            "checkpoint_time": self.checkpoint_time,
            "synced_at": self.synced_at,
        }


GroupRow = tuple[str, str, list[str]]
"""(issuer name key or issuing CA, serial, fingerprints) of a serial group."""
