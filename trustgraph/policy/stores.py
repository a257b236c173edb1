"""Trust stores as queries see them: the snapshot of a store in force at a date (the latest
dated on or before it) and the anchors it gives, with the store's distrust-after dates,
distrusted certificates and subject-name rules in force then."""

from __future__ import annotations

from trustgraph.core.text import did_you_mean
from trustgraph.errors import UsageError
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.distrust import rules_in_force
from trustgraph.storage import trust
from trustgraph.storage.database import Database
from trustgraph.storage.trust import Snapshot


def list_snapshots(db: Database, store: str | None = None) -> list[Snapshot]:
    """Every snapshot (of ``store`` if given), by store and date."""
    return trust.snapshots(db, store)


def snapshot_at(db: Database, store: str, at: str) -> Snapshot:
    """The snapshot of ``store`` in force at ``at`` (the latest dated on or before it).

    Raises:
        UsageError: the store does not exist, or has no snapshot that early.
    """
    snapshots = list_snapshots(db, store)
    if not snapshots:
        known = sorted({s.store for s in list_snapshots(db)})
        raise UsageError(
            f"no trust store named {store!r}{did_you_mean(store, known)}; known stores: "
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
    for fingerprint, ca, after in trust.snapshot_anchors(db, snapshot.id):
        if ca is None:
            missing += 1
            continue
        cas.setdefault(ca, set()).add(fingerprint)
        if after:
            distrust_after[ca] = min(after, distrust_after.get(ca, after))
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
        frozenset(trust.blocked_certificates(db, snapshot.id)),
        rules_in_force(db, store, at),
    )
