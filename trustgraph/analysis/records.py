"""What analysis reads, as one interface: the records a query needs (store snapshots and
their entries, anchors, distrust rules, revocations, owners, certificate bytes and names,
leaf aggregates, report rows), asked for by what they are, never by how they are stored.

Analysis functions take a :class:`Records` and a graph; they never see a database. The
session (:mod:`trustgraph.session`) hands them one that reads the database, each store's history,
rule set, revocation list and owner index once per session; a test can hand them any object
with these methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from trustgraph.core.records import GroupRow, LeafSource, Snapshot
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.targets import Elsewhere, Target
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.revocations import RevocationIndex
from trustgraph.policy.rules import PathRules
from trustgraph.policy.stores import StoreEntry

if TYPE_CHECKING:
    from trustgraph.graph.trustgraph import TrustGraph


class Records(Protocol):
    """The records of one database as analysis reads them (every method only reads)."""

    # -- trust stores --------------------------------------------------------------------

    def snapshots(self, store: str | None = None) -> list[Snapshot]:
        """Every snapshot (of ``store`` if given), by store and date."""
        ...

    def snapshot_at(self, store: str, at: str) -> Snapshot:
        """The snapshot of ``store`` in force at ``at``.

        Raises:
            UsageError: an unknown store, or none that early.
        """
        ...

    def snapshot_entries(self, snapshot: Snapshot) -> list[StoreEntry]:
        """The anchor entries of ``snapshot``, with the constraints carried into it."""
        ...

    def blocked_certificates(self, snapshot: Snapshot) -> frozenset[str]:
        """The certificates ``snapshot`` distrusts outright."""
        ...

    def anchors_at(self, store: str, at: str) -> AnchorSet:
        """The anchors of ``store`` at ``at``.

        Raises:
            UsageError: an unknown store, or none that early.
        """
        ...

    def database_roots(self) -> AnchorSet:
        """Every self-signed root loaded, as anchors."""
        ...

    def rule_dates(self, store: str) -> list[tuple[str, str]]:
        """(effective, not_before_after) of every subject-name distrust rule of ``store``."""
        ...

    def with_revocations(self, rules: PathRules, store: str | None = None) -> PathRules:
        """``rules`` with the loaded revocations (and those of ``store``'s clients)."""
        ...

    def revocations(self, scope: str | None = None) -> RevocationIndex:
        """The revocations every client honours, or (``scope``) only one store's clients."""
        ...

    def preloaded(self, client: str | None = None) -> dict[str, set[str]]:
        """Certificate -> the clients that preload it (of ``client`` only, if given)."""
        ...

    def anchor_counts(self) -> dict[int, int]:
        """Snapshot id -> how many anchors it lists."""
        ...

    # -- owners and names ----------------------------------------------------------------

    def owners(self) -> OwnerIndex:
        """Who operates and owns which CA, over time."""
        ...

    def resolve_target(self, query: str, at: str | None = None) -> Target:
        """The CAs or certificate ``query`` names.

        Raises:
            TargetError: it names nothing (AmbiguousTargetError: several CAs by name).
        """
        ...

    def attributed_elsewhere(
        self, index: OwnerIndex, owners: set[str], at: str | None
    ) -> tuple[Elsewhere, ...]:
        """CAs named for one of ``owners`` but operated by another organisation at ``at``."""
        ...

    def ca_names(self) -> list[tuple[str, str, str | None]]:
        """(CA id, subject, common name) of every CA."""
        ...

    # -- certificates --------------------------------------------------------------------

    def der_of(self, fingerprints: Iterable[str]) -> dict[str, bytes]:
        """The DER of these certificates, where stored."""
        ...

    def ders_of_cas(self, cas: Iterable[str]) -> dict[str, bytes]:
        """The DER of every stored certificate of these CAs, by fingerprint."""
        ...

    def ca_ders_named(self, subject_key: str) -> list[bytes]:
        """The DER of the CA certificates with this normalized subject (a bounded number)."""
        ...

    def fingerprints_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` fingerprints starting with ``prefix``."""
        ...

    def ca_of_certificate(self, fingerprint: str) -> str | None:
        """The CA a certificate certifies (None: unknown certificate or not a CA's)."""
        ...

    def cas_of_certificates(self, fingerprints: Iterable[str]) -> set[str]:
        """The CAs these certificates certify."""
        ...

    def cas_by_subject_keys(self, keys: Iterable[str]) -> set[str]:
        """The CAs with one of these normalized subjects."""
        ...

    def cas_issued_by(self, cas: set[str]) -> set[str]:
        """The CAs with an issuance edge from one of ``cas``."""
        ...

    def certificate_texts(self, fingerprints: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """(serial, subject, issuer) of these certificates."""
        ...

    def whole_graph(self) -> TrustGraph:
        """The whole trust graph (built once)."""
        ...

    # -- leaves --------------------------------------------------------------------------

    def leaf_count(self) -> int:
        """How many leaves are stored."""
        ...

    def leaf_sources(self) -> list[LeafSource]:
        """Where the leaves came from."""
        ...

    def leaf_ranges(self) -> list[tuple[int, int, int]]:
        """(source, first entry, count) of each run of entries stored."""
        ...

    def unexpired_of(
        self,
        cas: Sequence[str],
        at: int,
        issued_after: int | None = None,
        logged_after: int | None = None,
        chains: Sequence[int | None] | None = None,
    ) -> tuple[int, int]:
        """(unexpired leaves, registered domains) of ``cas`` at ``at`` (POSIX seconds),
        filtered as :func:`trustgraph.storage.leaves.unexpired_of` says."""
        ...

    def unexpired_by_ca(self, at: int) -> dict[str, tuple[int, int]]:
        """CA -> (unexpired leaves, registered domains) at ``at``."""
        ...

    def unexpired_by_chain(self, cas: Sequence[str], at: int) -> dict[int | None, int]:
        """Logged chain id (None: not known) -> unexpired leaves of ``cas`` at ``at``."""
        ...

    def leaf_chains(self, ids: Iterable[int]) -> dict[int, list[str]]:
        """Logged chain id -> its certificates' fingerprints."""
        ...

    # -- report rows ---------------------------------------------------------------------

    def serials_by_issuer_name(self, ca_only: bool) -> list[GroupRow]:
        """Certificates sharing an issuer name and serial."""
        ...

    def serials_by_issuing_ca(self, ca_only: bool, name_members: set[str]) -> list[GroupRow]:
        """Certificates sharing an issuing CA and serial."""
        ...

    def issuer_of(self, fingerprint: str) -> str:
        """The issuer name of a stored certificate."""
        ...

    def certificate_fields(
        self, fingerprint: str, columns: Sequence[str]
    ) -> tuple[bytes, dict[str, Any]]:
        """The DER of a stored certificate and the values of ``columns``."""
        ...

    def check_rows(self, since: str | None = None) -> Iterator[tuple[Any, ...]]:
        """Every certificate with bytes (issued since ``since``), as the checks read it."""
        ...

    def scope_rows(self) -> Iterator[tuple[str, str | None, str, str | None, bool]]:
        """Every CA certificate, as the TLS scope of the checks reads it."""
        ...
