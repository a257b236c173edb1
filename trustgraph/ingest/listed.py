"""A root program's store as its own source lists it, before it is stored: versions (one per
date of a series), each with its anchor entries and what the source says of them.

Every reader of a root program's format (authroot CTL, Chrome textproto, Apple and Android
bundles, NSS, CCADB) produces :class:`StoreVersion` objects; :mod:`trustgraph.ingest.stores`
stores them, so that one model of anchor constraints holds for every program.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trustgraph.ingest.sources import Item


@dataclass(frozen=True)
class ListedAnchor:
    """One anchor entry: the certificate by SHA-256 and/or SHA-1 (its bytes may not be
    loaded), and the program's restrictions on it (None: none).

    ``distrust_after`` rejects certificates below the anchor whose notBefore is later, for
    the EKUs ``distrust_purposes`` (None: all); ``sct_not_after`` rejects a path whose last
    certificate's earliest embedded SCT is later; ``disabled_from`` takes the anchor out of
    the store from that time; ``purposes`` are the EKUs it is trusted for (None: all).
    """

    sha256: str | None = None
    sha1: str | None = None
    label: str | None = None
    purposes: frozenset[str] | None = None
    distrust_after: str | None = None
    distrust_purposes: frozenset[str] | None = None
    disabled_from: str | None = None
    sct_not_after: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.sha256 is None and self.sha1 is None:
            raise ValueError("an anchor entry needs its SHA-256 or SHA-1")

    def row(self) -> tuple[Any, ...]:
        """The entry as a row of :data:`trustgraph.storage.trust.ANCHOR_COLUMNS`."""
        return (
            self.sha256.lower() if self.sha256 else None,
            self.sha1.lower() if self.sha1 else None,
            self.distrust_after,
            _json_set(self.distrust_purposes),
            self.disabled_from,
            _json_set(self.purposes),
            self.sct_not_after,
            self.label,
            json.dumps(dict(self.attributes), sort_keys=True) if self.attributes else None,
        )


def _json_set(values: frozenset[str] | None) -> str | None:
    return None if values is None else json.dumps(sorted(values))


@dataclass(frozen=True)
class Blocked:
    """A certificate the program distrusts outright: by fingerprint, or by issuer name key
    and serial number when the source does not give the certificate."""

    sha256: str | None
    issuer_key: str | None = None
    serial: str | None = None
    label: str | None = None

    def row(self) -> tuple[str | None, str | None, str | None, str | None]:
        return (self.sha256, self.issuer_key, self.serial, self.label)


@dataclass
class StoreVersion:
    """One dated version of a store: when (``as_of``, with ``precision`` day or month), its
    sequence or version name in the source, its anchors, the certificates it distrusts,
    the certificate bytes it carries (loaded with it; unreadable ones as problems), and
    the entries it lists that are not anchors (so every entry of the source ends stored or
    reported)."""

    as_of: str
    source: str
    anchors: list[ListedAnchor]
    sequence: str | None = None
    precision: str = "day"
    superseded_from: str | None = None
    description: str | None = None
    blocked: list[Blocked] = field(default_factory=list)
    certificates: list[Item] = field(default_factory=list)
    not_anchors: list[dict[str, Any]] = field(default_factory=list)
