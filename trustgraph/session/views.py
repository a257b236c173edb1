"""What a session shows of its records as they are: trust stores (snapshots, entries,
differences, coverage), owners, and every certificate for export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from trustgraph.core.records import Snapshot
from trustgraph.core.times import When, as_iso
from trustgraph.errors import UsageError
from trustgraph.session.base import SessionBase

if TYPE_CHECKING:
    from trustgraph.analysis.owners import OwnerHistory, OwnerSummary
    from trustgraph.analysis.stores import StoreDiff, StoreView
    from trustgraph.policy.coverage import StoreCoverage


class ViewMethods(SessionBase):
    """Stores, owners and certificates as the database holds them."""

    # -- trust stores --------------------------------------------------------------------

    def snapshots(self, store: str | None = None) -> list[Snapshot]:
        """Every trust-store snapshot (of ``store`` if given), by store and date."""
        return self.records.snapshots(store)

    def anchor_counts(self) -> dict[int, int]:
        """Snapshot id -> how many anchors it lists."""
        return self.records.anchor_counts()

    def store_show(self, store: str, at: When = None, server_auth: bool = False) -> StoreView:
        """The entries of ``store`` in force at ``at`` (only those trusted for server
        authentication when ``server_auth``), with what the store says of each.

        Raises:
            UsageError: an unknown store, or none that early.
        """
        from trustgraph.analysis.stores import show

        return show(self.records, store, as_iso(at), server_auth)

    def store_diff(self, store: str, first: When, second: When) -> StoreDiff:
        """Anchors (by CA) added and removed between the snapshots of ``store`` in force at
        two dates.

        Raises:
            UsageError: an unknown store, or none that early.
        """
        from trustgraph.analysis.stores import diff

        return diff(self.records, store, as_iso(first), as_iso(second))

    def store_compare(
        self, first: str, second: str, at: When = None, server_auth: bool = False
    ) -> StoreDiff:
        """Anchors (by CA) that store ``second`` has at ``at`` and ``first`` has not, and
        the reverse.

        Raises:
            UsageError: an unknown store, or none that early.
        """
        from trustgraph.analysis.stores import compare

        return compare(self.records, first, second, as_iso(at), server_auth)

    def store_coverage(self, store: str | None = None) -> list[StoreCoverage]:
        """The time each snapshot stands for, and the gaps, of every store (or of ``store``).

        Raises:
            UsageError: ``store`` is not a store of the database, or there is none.
        """
        from trustgraph.analysis.stores import coverages

        found = coverages(self.records, store)
        if not found:
            raise UsageError(
                "the database has no trust stores; add one with `trustgraph store add`"
            )
        return found

    # -- owners --------------------------------------------------------------------------

    def owners(self) -> list[OwnerSummary]:
        """Every organisation known: the CAs it operates (and on what basis), its names."""
        from trustgraph.analysis.owners import summarize

        return summarize(self.records.owners())

    def owner(self, name: str, at: When = None) -> OwnerHistory:
        """An organisation's ownership history, and what it owned and operated at ``at``.

        Raises:
            TargetError: no organisation of that name.
        """
        from trustgraph.analysis.owners import history

        return history(self.records.owners(), name, as_iso(at))

    # -- certificates --------------------------------------------------------------------

    def certificates(self) -> Iterator[dict[str, Any]]:
        """Every certificate of the database with its edge, by fingerprint, as the export
        documents them (see :func:`trustgraph.render.export.certificate_documents`)."""
        from trustgraph.render.export import certificate_documents
        from trustgraph.storage.reports import export_rows

        return certificate_documents(export_rows(self.database))
