"""Adding trust-store snapshots: a root program's anchors at a date, read from a PEM bundle
(certifi or curl style), an NSS ``certdata.txt`` (trust objects: server-auth anchors,
explicit distrust, ``CKA_NSS_SERVER_DISTRUST_AFTER``) or a CCADB certificate-records report
(a root program's status column). Queries find them through :mod:`trustgraph.policy.stores`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustgraph.core.progress import Progress
from trustgraph.errors import UsageError
from trustgraph.ingest import ccadb, nss
from trustgraph.ingest.loader import LoadReport, load_items, load_paths
from trustgraph.ingest.sources import Occurrence, Source, read_head, read_input
from trustgraph.storage import certificates, trust
from trustgraph.storage.database import Database
from trustgraph.storage.trust import Snapshot

BUNDLE = "pem-bundle"
NSS = "nss-certdata"
CCADB = "ccadb-records"


@dataclass
class SnapshotReport:
    """What ``add_snapshot`` did."""

    snapshot: Snapshot
    anchors: int
    without_bytes: int = 0
    not_anchors: list[dict[str, Any]] = field(default_factory=list)
    distrusted: int = 0
    load: LoadReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot.as_dict(),
            "anchors": self.anchors,
            "anchors_without_certificate_bytes": self.without_bytes,
            "certificates_not_trusted": self.not_anchors,
            "distrusted_certificates": self.distrusted,
            "load": self.load.as_dict() if self.load else None,
        }


def detect_kind(path: Path) -> str:
    """Which kind of trust-store source ``path`` is.

    Raises:
        InputError: the file cannot be read.
    """
    text = read_head(path).decode("utf-8", errors="replace")
    first_line = text.split("\n", 1)[0]
    if ccadb.looks_like_records(first_line):
        return CCADB
    if nss.looks_like_certdata(text) and "-----BEGIN" not in text:
        return NSS
    return BUNDLE


def add_snapshot(
    db: Database,
    store: str,
    source: str | os.PathLike[str],
    as_of: str,
    *,
    program: str | None = None,
    description: str | None = None,
    progress: Progress | None = None,
) -> SnapshotReport:
    """Add (or replace) the snapshot of ``store`` dated ``as_of`` from ``source``: all of
    it, or (on an error) nothing.

    Raises:
        InputError: the source is unreadable, of no known kind, or holds trust data that
            cannot be read (a distrust entry that cannot be read fails the whole source).
        UsageError: a CCADB report without a known root program.
    """
    path = Path(source)
    kind = detect_kind(path)
    if kind == CCADB:
        program = program or _program_for(store)
    with db.transaction():
        snapshot_id = trust.replace_snapshot(db, store, as_of, kind, str(path), description)
        snapshot = Snapshot(snapshot_id, store, as_of, kind, str(path), description)
        if kind == BUNDLE:
            load = load_paths(db, [path], progress)
            trust.add_anchors(db, snapshot_id, [(fp, None, None) for fp in load.fingerprints])
            return SnapshotReport(snapshot, len(set(load.fingerprints)), load=load)
        if kind == NSS:
            return _from_certdata(db, snapshot, path, progress)
        return _from_ccadb(db, snapshot, path, program or "")


def _program_for(store: str) -> str:
    for program in ccadb.STATUS_COLUMNS:
        if program in store.lower():
            return program
    raise UsageError(
        f"which root program's status column describes store {store!r}? "
        f"give --program {' or '.join(ccadb.STATUS_COLUMNS)}"
    )


def _from_certdata(
    db: Database, snapshot: Snapshot, path: Path, progress: Progress | None
) -> SnapshotReport:
    roots, distrusts = nss.read_certdata(
        read_input(path).decode("utf-8", errors="replace"), str(path)
    )
    items = [Occurrence(root.der, f"{path}:{root.line}") for root in roots]
    load = load_items(db, [Source.from_items(str(path), items)], progress)
    anchors = []
    not_anchors = []
    blocked: list[tuple[str | None, str | None, str | None, str]] = []
    for root in roots:
        fingerprint = hashlib.sha256(root.der).hexdigest()
        if root.server_auth == nss.TRUSTED_DELEGATOR:
            anchors.append((fingerprint, root.distrust_after, root.label))
            continue
        if root.server_auth == nss.NOT_TRUSTED:
            blocked.append((fingerprint, None, None, root.label))
        not_anchors.append(
            {
                "certificate": fingerprint,
                "label": root.label,
                "server_auth": root.server_auth or "no trust object",
            }
        )
    trust.add_anchors(db, snapshot.id, anchors)
    blocked += [(None, entry.issuer_key, entry.serial, entry.label) for entry in distrusts]
    trust.add_blocked(db, snapshot.id, blocked)
    return SnapshotReport(
        snapshot, len(anchors), not_anchors=not_anchors, distrusted=len(blocked), load=load
    )


def _from_ccadb(db: Database, snapshot: Snapshot, path: Path, program: str) -> SnapshotReport:
    rows = list(ccadb.included_roots(path, program))
    trust.add_anchors(
        db,
        snapshot.id,
        [
            (record.sha256, None, f"{record.get('Certificate Name')} ({status})")
            for record, status in rows
        ],
    )
    present = certificates.existing_fingerprints(db, (record.sha256 for record, _status in rows))
    return SnapshotReport(snapshot, len(rows), without_bytes=len(rows) - len(present))
