"""The database's records, read once per session (see :mod:`trustgraph.stored`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from trustgraph.core.records import GroupRow, LeafSource, Snapshot
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.targets import Elsewhere, Target, attributed_elsewhere, resolve_target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy import stores as store_policy
from trustgraph.policy.anchors import AnchorSet, database_roots
from trustgraph.policy.distrust import all_rules
from trustgraph.policy.revocations import RevocationIndex
from trustgraph.policy.rules import PathRules, add_revocations
from trustgraph.policy.stores import StoreEntry
from trustgraph.storage import certificates, edges, leaves, reports, trust
from trustgraph.storage.database import Database


class StoredRecords:
    """:class:`~trustgraph.analysis.records.Records` read from ``db``.

    What a query asks again (a store's snapshots and entries, its anchors at a date, its
    rules, the revocations, the owners, the CA names, the whole graph) is read once and kept
    until :meth:`forget`, which a session calls after every write.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._kept: dict[tuple[Any, ...], Any] = {}

    def forget(self) -> None:
        """Drop what was kept: the database changed."""
        self._kept.clear()

    def _once(self, key: tuple[Any, ...], read: Any) -> Any:
        if key not in self._kept:
            self._kept[key] = read()
        return self._kept[key]

    # -- trust stores --------------------------------------------------------------------

    def snapshots(self, store: str | None = None) -> list[Snapshot]:
        return list(self._once(("snapshots", store), lambda: trust.snapshots(self.db, store)))

    def snapshot_at(self, store: str, at: str) -> Snapshot:
        return store_policy.pick_snapshot(store, self.snapshots(store), self.snapshots, at)

    def snapshot_entries(self, snapshot: Snapshot) -> list[StoreEntry]:
        return list(
            self._once(
                ("entries", snapshot.id),
                lambda: store_policy.entries_of(self.db, snapshot, self.snapshots(snapshot.store)),
            )
        )

    def blocked_certificates(self, snapshot: Snapshot) -> frozenset[str]:
        return frozenset(trust.blocked_certificates(self.db, snapshot.id))

    def anchors_at(self, store: str, at: str) -> AnchorSet:
        def read() -> AnchorSet:
            snapshot = self.snapshot_at(store, at)
            entries = self.snapshot_entries(snapshot)
            return store_policy.anchors_of(self.db, snapshot, entries, at, self.revocations(store))

        found: AnchorSet = self._once(("anchors", store, at), read)
        return found

    def database_roots(self) -> AnchorSet:
        found: AnchorSet = self._once(("roots",), lambda: database_roots(self.db))
        return found

    def rule_dates(self, store: str) -> list[tuple[str, str]]:
        return list(self._once(("rule-dates", store), lambda: all_rules(self.db, store)))

    def with_revocations(self, rules: PathRules, store: str | None = None) -> PathRules:
        # Rules that carry revocations keep them: reading the list again would be wasted.
        everyone = rules.revocations if rules.revocations.by_certificate else self.revocations()
        scoped = self.revocations(store) if store is not None else None
        return add_revocations(rules, everyone, scoped)

    def revocations(self, scope: str | None = None) -> RevocationIndex:
        found: RevocationIndex = self._once(
            ("revocations", scope), lambda: RevocationIndex.from_database(self.db, scope)
        )
        return found

    def preloaded(self, client: str | None = None) -> dict[str, set[str]]:
        return trust.preloaded(self.db, client)

    def anchor_counts(self) -> dict[int, int]:
        return trust.anchor_counts(self.db)

    # -- owners and names ----------------------------------------------------------------

    def owners(self) -> OwnerIndex:
        found: OwnerIndex = self._once(("owners",), lambda: OwnerIndex.from_database(self.db))
        return found

    def resolve_target(self, query: str, at: str | None = None) -> Target:
        return resolve_target(self.db, query, at)

    def attributed_elsewhere(
        self, index: OwnerIndex, owners: set[str], at: str | None
    ) -> tuple[Elsewhere, ...]:
        return attributed_elsewhere(index, owners, at, self.ca_names())

    def ca_names(self) -> list[tuple[str, str, str | None]]:
        return list(self._once(("ca-names",), lambda: certificates.ca_names(self.db)))

    # -- certificates --------------------------------------------------------------------

    def der_of(self, fingerprints: Iterable[str]) -> dict[str, bytes]:
        return certificates.der_of(self.db, fingerprints)

    def ders_of_cas(self, cas: Iterable[str]) -> dict[str, bytes]:
        return certificates.ders_of_cas(self.db, cas)

    def ca_ders_named(self, subject_key: str) -> list[bytes]:
        return certificates.ca_ders_named(self.db, subject_key)

    def fingerprints_with_prefix(self, prefix: str, limit: int) -> list[str]:
        return certificates.fingerprints_with_prefix(self.db, prefix, limit)

    def ca_of_certificate(self, fingerprint: str) -> str | None:
        return certificates.ca_of_certificate(self.db, fingerprint)

    def cas_of_certificates(self, fingerprints: Iterable[str]) -> set[str]:
        return certificates.cas_of_certificates(self.db, fingerprints)

    def cas_by_subject_keys(self, keys: Iterable[str]) -> set[str]:
        return certificates.cas_by_subject_keys(self.db, keys)

    def cas_issued_by(self, cas: set[str]) -> set[str]:
        return edges.cas_issued_by(self.db, cas)

    def certificate_texts(self, fingerprints: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        return certificates.certificate_texts(self.db, fingerprints)

    def whole_graph(self) -> TrustGraph:
        found: TrustGraph = self._once(("graph",), lambda: TrustGraph.from_database(self.db))
        return found

    # -- leaves --------------------------------------------------------------------------

    def leaf_count(self) -> int:
        return leaves.leaf_count(self.db)

    def leaf_sources(self) -> list[LeafSource]:
        return leaves.sources(self.db)

    def leaf_ranges(self) -> list[tuple[int, int, int]]:
        return leaves.stored_ranges(self.db)

    def unexpired_of(
        self,
        cas: Sequence[str],
        at: int,
        issued_after: int | None = None,
        logged_after: int | None = None,
        chains: Sequence[int | None] | None = None,
    ) -> tuple[int, int]:
        return leaves.unexpired_of(self.db, cas, at, issued_after, logged_after, chains)

    def unexpired_by_ca(self, at: int) -> dict[str, tuple[int, int]]:
        return leaves.unexpired_by_ca(self.db, at)

    def unexpired_by_chain(self, cas: Sequence[str], at: int) -> dict[int | None, int]:
        return leaves.unexpired_by_chain(self.db, cas, at)

    def leaf_chains(self, ids: Iterable[int]) -> dict[int, list[str]]:
        return leaves.chains_of(self.db, ids)

    # -- report rows ---------------------------------------------------------------------

    def serials_by_issuer_name(self, ca_only: bool) -> list[GroupRow]:
        return reports.serials_by_issuer_name(self.db, ca_only)

    def serials_by_issuing_ca(self, ca_only: bool, name_members: set[str]) -> list[GroupRow]:
        return reports.serials_by_issuing_ca(self.db, ca_only, name_members)

    def issuer_of(self, fingerprint: str) -> str:
        return reports.issuer_of(self.db, fingerprint)

    def certificate_fields(
        self, fingerprint: str, columns: Sequence[str]
    ) -> tuple[bytes, dict[str, Any]]:
        return reports.certificate_fields(self.db, fingerprint, columns)

    def check_rows(self, since: str | None = None) -> Iterator[tuple[Any, ...]]:
        return reports.check_rows(self.db, since)

    def scope_rows(self) -> Iterator[tuple[str, str | None, str, str | None, bool]]:
        return reports.scope_rows(self.db)
