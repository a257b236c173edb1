"""Trust anchors: the CAs a path may start from, and the certificate that stands for each.

An anchor is a CA (name + key), not a certificate: a root that is also cross-signed is one
anchor whichever of its certificates the trust store lists. Its own certificate is never
judged (expiry, self-signature and algorithm do not matter).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustgraph.database import Database
from trustgraph.errors import UsageError
from trustgraph.loader import LoadReport, load_paths
from trustgraph.progress import Progress


@dataclass(frozen=True)
class AnchorSet:
    """Anchor CAs, each with the fingerprints of its anchor certificates (sorted)."""

    cas: dict[str, tuple[str, ...]]
    source: dict[str, Any] = field(default_factory=dict)

    def certificate_for(self, ca_id: str) -> str:
        """The anchor certificate that stands for ``ca_id`` in paths (the lowest SHA-256)."""
        return self.cas[ca_id][0]

    def ordered(self) -> list[str]:
        """Anchor CAs in the order of their representative certificate's fingerprint."""
        return sorted(self.cas, key=self.certificate_for)

    def __contains__(self, ca_id: object) -> bool:
        return ca_id in self.cas

    def __len__(self) -> int:
        return len(self.cas)

    def as_dict(self) -> dict[str, Any]:
        return {**self.source, "count": len(self.cas)}


def _group(rows: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, set[str]] = {}
    for fingerprint, ca in rows:
        grouped.setdefault(ca, set()).add(fingerprint)
    return {ca: tuple(sorted(fps)) for ca, fps in grouped.items()}


def anchors_from_fingerprints(
    db: Database, fingerprints: Iterable[str], source: dict[str, Any]
) -> AnchorSet:
    """The anchors whose certificates have these fingerprints (unknown ones are ignored)."""
    wanted = sorted(set(fingerprints))
    rows: list[tuple[str, str]] = []
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        marks = ",".join("?" for _ in chunk)
        rows.extend(
            db.conn.execute(
                f"SELECT sha256, ca_id FROM certificates WHERE ca_id IS NOT NULL "
                f"AND sha256 IN ({marks})",
                chunk,
            ).fetchall()
        )
    return AnchorSet(_group(rows), source)


def anchors_from_files(
    db: Database, paths: Sequence[str | os.PathLike[str]], progress: Progress | None = None
) -> tuple[AnchorSet, LoadReport]:
    """Load the certificates in ``paths`` into ``db`` and make them the anchors.

    Raises:
        UsageError: the files hold no certificate.
    """
    report = load_paths(db, paths, progress)
    if not report.fingerprints:
        raise UsageError(f"no certificate found in the anchor files {', '.join(map(str, paths))}")
    source = {"kind": "files", "files": [str(p) for p in paths]}
    return anchors_from_fingerprints(db, report.fingerprints, source), report


def database_roots(db: Database) -> AnchorSet:
    """Every root in the database: self-issued certificates no other key signed."""
    rows = db.conn.execute(
        "SELECT c.sha256, c.ca_id FROM certificates c JOIN edges e ON e.certificate = c.sha256 "
        "WHERE c.subject_key = c.issuer_key AND (e.issuer_ca IS NULL OR e.issuer_ca = c.ca_id)"
    ).fetchall()
    source = {
        "kind": "database-roots",
        "description": "every self-signed root certificate in the database",
    }
    return AnchorSet(_group(rows), source)
