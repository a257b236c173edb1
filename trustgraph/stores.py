"""Trust stores: named, dated snapshots of a root program's anchors.

``add_snapshot`` reads a PEM bundle (certifi or curl style), an NSS ``certdata.txt`` (trust
objects: server-auth anchors, explicit distrust, ``CKA_NSS_SERVER_DISTRUST_AFTER``) or a
CCADB certificate-records report (a root program's status column). A query at time T uses
the snapshot in force then: the latest one dated on or before T.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustgraph import ccadb, names, nss
from trustgraph.anchors import AnchorSet
from trustgraph.certificate import serial_hex
from trustgraph.database import Database
from trustgraph.distrust import rules_in_force
from trustgraph.errors import InputError, UsageError
from trustgraph.loader import LoadReport, load_items, load_paths
from trustgraph.progress import Progress
from trustgraph.sources import Occurrence

BUNDLE = "pem-bundle"
NSS = "nss-certdata"
CCADB = "ccadb-records"


@dataclass(frozen=True)
class Snapshot:
    id: int
    store: str
    as_of: str
    source_kind: str
    source_path: str
    description: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "as_of": self.as_of,
            "source_kind": self.source_kind,
            "source": self.source_path,
            "description": self.description,
        }


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
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if head[:2] == b"\x1f\x8b":
        head = gzip.decompress(path.read_bytes())[:65536]
    text = head.decode("utf-8", errors="replace")
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
    """Add (or replace) the snapshot of ``store`` dated ``as_of`` from ``source``.

    Raises:
        InputError: the source is unreadable or of no known kind.
        UsageError: a CCADB report without a known root program.
    """
    path = Path(source)
    kind = detect_kind(path)
    if kind == CCADB:
        program = program or _program_for(store)
    snapshot_id = _new_snapshot(db, store, as_of, kind, str(path), description)
    snapshot = Snapshot(snapshot_id, store, as_of, kind, str(path), description)
    if kind == BUNDLE:
        load = load_paths(db, [path], progress)
        _add_anchors(db, snapshot_id, [(fp, None, None) for fp in load.fingerprints])
        report = SnapshotReport(snapshot, len(set(load.fingerprints)), load=load)
    elif kind == NSS:
        report = _from_certdata(db, snapshot, path, progress)
    else:
        report = _from_ccadb(db, snapshot, path, program or "")
    db.conn.commit()
    return report


def _program_for(store: str) -> str:
    for program in ccadb.STATUS_COLUMNS:
        if program in store.lower():
            return program
    raise UsageError(
        f"which root program's status column describes store {store!r}? "
        f"give --program {' or '.join(ccadb.STATUS_COLUMNS)}"
    )


def _new_snapshot(
    db: Database, store: str, as_of: str, kind: str, path: str, description: str | None
) -> int:
    old = db.conn.execute(
        "SELECT id FROM store_snapshots WHERE store = ? AND as_of = ?", (store, as_of)
    ).fetchone()
    if old:
        for table in ("store_anchors", "store_blocked"):
            db.conn.execute(f"DELETE FROM {table} WHERE snapshot_id = ?", (old[0],))
        db.conn.execute("DELETE FROM store_snapshots WHERE id = ?", (old[0],))
    cursor = db.conn.execute(
        "INSERT INTO store_snapshots(store, as_of, source_kind, source_path, description, "
        "loaded_at) VALUES (?, ?, ?, ?, ?, datetime('now'))",
        (store, as_of, kind, path, description),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _add_anchors(
    db: Database, snapshot_id: int, rows: Sequence[tuple[str, str | None, str | None]]
) -> None:
    db.insert_rows(
        "store_anchors",
        ("snapshot_id", "certificate", "distrust_after", "label"),
        [(snapshot_id, fp.lower(), after, label) for fp, after, label in rows],
    )


def _from_certdata(
    db: Database, snapshot: Snapshot, path: Path, progress: Progress | None
) -> SnapshotReport:
    roots, distrusts = nss.read_certdata(
        path.read_text(encoding="utf-8", errors="replace"), str(path)
    )
    items = [Occurrence(root.der, f"{path}:{root.line}") for root in roots]
    load = load_items(db, [(str(path), items)], progress)
    anchors = []
    not_anchors = []
    for root in roots:
        fingerprint = hashlib.sha256(root.der).hexdigest()
        if root.server_auth == nss.TRUSTED_DELEGATOR:
            anchors.append((fingerprint, root.distrust_after, root.label))
        else:
            not_anchors.append(
                {
                    "certificate": fingerprint,
                    "label": root.label,
                    "server_auth": root.server_auth or "no trust object",
                }
            )
    _add_anchors(db, snapshot.id, anchors)
    blocked = []
    for entry in distrusts:
        try:
            issuer_key = names.name_key(names.rdns_from_der(entry.issuer_der))
            serial = serial_hex(entry.serial_der[2:]) if len(entry.serial_der) > 2 else None
        except ValueError:
            continue
        blocked.append((snapshot.id, None, issuer_key, serial, entry.label))
    db.insert_rows(
        "store_blocked", ("snapshot_id", "certificate", "issuer_key", "serial", "label"), blocked
    )
    return SnapshotReport(
        snapshot, len(anchors), not_anchors=not_anchors, distrusted=len(blocked), load=load
    )


def _from_ccadb(db: Database, snapshot: Snapshot, path: Path, program: str) -> SnapshotReport:
    rows = list(ccadb.included_roots(path, program))
    _add_anchors(
        db,
        snapshot.id,
        [
            (record.sha256, None, f"{record.get('Certificate Name')} ({status})")
            for record, status in rows
        ],
    )
    present = db.existing_fingerprints(record.sha256 for record, _status in rows)
    return SnapshotReport(snapshot, len(rows), without_bytes=len(rows) - len(present))


def list_snapshots(db: Database, store: str | None = None) -> list[Snapshot]:
    sql = (
        "SELECT id, store, as_of, source_kind, source_path, description FROM store_snapshots"
        + (" WHERE store = ?" if store else "")
        + " ORDER BY store, as_of"
    )
    return [Snapshot(*row) for row in db.conn.execute(sql, (store,) if store else ())]


def anchor_counts(db: Database) -> dict[int, int]:
    return {
        row[0]: row[1]
        for row in db.conn.execute(
            "SELECT snapshot_id, COUNT(*) FROM store_anchors GROUP BY snapshot_id"
        )
    }


def snapshot_at(db: Database, store: str, at: str) -> Snapshot:
    """The snapshot of ``store`` in force at ``at`` (the latest dated on or before it).

    Raises:
        UsageError: the store does not exist, or has no snapshot that early.
    """
    snapshots = list_snapshots(db, store)
    if not snapshots:
        known = sorted({s.store for s in list_snapshots(db)})
        raise UsageError(
            f"no trust store named {store!r}; known stores: "
            f"{', '.join(known) or 'none (add one with `trustgraph store add`)'}"
        )
    usable = [s for s in snapshots if s.as_of <= at]
    if not usable:
        raise UsageError(
            f"trust store {store!r} has no snapshot on or before {at[:10]}; its "
            f"first is dated {snapshots[0].as_of[:10]}"
        )
    return usable[-1]


def anchors_at(db: Database, store: str, at: str) -> AnchorSet:
    """The anchors of ``store`` at ``at``, with its distrust-after dates, distrusted
    certificates and the subject-name rules in force.

    Raises:
        UsageError: see :func:`snapshot_at`.
    """
    snapshot = snapshot_at(db, store, at)
    cas: dict[str, set[str]] = {}
    distrust_after: dict[str, str] = {}
    missing = 0
    for fingerprint, ca, after in db.conn.execute(
        "SELECT a.certificate, c.ca_id, a.distrust_after FROM store_anchors a "
        "LEFT JOIN certificates c ON c.sha256 = a.certificate AND c.der IS NOT NULL "
        "WHERE a.snapshot_id = ?",
        (snapshot.id,),
    ):
        if ca is None:
            missing += 1
            continue
        cas.setdefault(ca, set()).add(fingerprint)
        if after:
            distrust_after[ca] = min(after, distrust_after.get(ca, after))
    blocked = {
        row[0]
        for row in db.conn.execute(
            "SELECT COALESCE(b.certificate, c.sha256) FROM store_blocked b "
            "LEFT JOIN certificates c ON b.certificate IS NULL "
            "AND c.issuer_key = b.issuer_key AND c.serial = b.serial "
            "WHERE b.snapshot_id = ?",
            (snapshot.id,),
        )
        if row[0]
    }
    source = {
        "kind": "store",
        "store": store,
        "snapshot": snapshot.as_dict(),
        "anchors_without_certificate_bytes": missing,
    }
    return AnchorSet(
        {ca: tuple(sorted(fps)) for ca, fps in cas.items()},
        source,
        distrust_after,
        frozenset(blocked),
        rules_in_force(db, store, at),
    )


@dataclass
class StoreDiff:
    store: str
    first: Snapshot
    second: Snapshot
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "from": self.first.as_dict(),
            "to": self.second.as_dict(),
            "added": self.added,
            "removed": self.removed,
        }


def diff(db: Database, store: str, first: str, second: str) -> StoreDiff:
    """Anchors (by CA) added and removed between the snapshots in force at two dates.

    Raises:
        UsageError: see :func:`snapshot_at`.
    """
    a, b = snapshot_at(db, store, first), snapshot_at(db, store, second)
    before, after = _anchor_cas(db, a.id), _anchor_cas(db, b.id)
    return StoreDiff(
        store,
        a,
        b,
        [after[key] for key in sorted(set(after) - set(before))],
        [before[key] for key in sorted(set(before) - set(after))],
    )


def _anchor_cas(db: Database, snapshot_id: int) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for fingerprint, ca, subject in db.conn.execute(
        "SELECT a.certificate, c.ca_id, COALESCE(c.subject, a.label) FROM store_anchors a "
        "LEFT JOIN certificates c ON c.sha256 = a.certificate WHERE a.snapshot_id = ?",
        (snapshot_id,),
    ):
        key = ca or f"certificate:{fingerprint}"
        entry = result.setdefault(key, {"ca": ca, "subject": subject, "certificates": []})
        entry["certificates"].append(fingerprint)
    return result


def anchor_history(db: Database, store: str) -> list[tuple[str, set[str]]]:
    """(snapshot date, anchor CA ids) of every snapshot of ``store``, oldest first."""
    return [(s.as_of, set(_anchor_cas(db, s.id))) for s in list_snapshots(db, store)]


def snapshot_dates(db: Database, store: str) -> list[str]:
    return [s.as_of for s in list_snapshots(db, store)]
