"""Facts about CAs that come with sources rather than certificates: owners, ownership
between organisations, who operates a CA, revocations and subject-name distrust rules.
Written here in the database's normal form, each call in a transaction of its own (or in
the caller's); read by :mod:`trustgraph.graph.owners` and :mod:`trustgraph.policy`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from trustgraph.storage import owners as owner_rows
from trustgraph.storage import trust
from trustgraph.storage.database import Database
from trustgraph.x509.names import fold


def record_owner(db: Database, name: str, aliases: Iterable[str], source: str) -> None:
    """An organisation and the other names it goes by."""
    owner_rows.record_owner(db, name, json.dumps(sorted(set(aliases)), ensure_ascii=False), source)


def record_ownership(
    db: Database,
    owner: str,
    owned: str,
    start: str | None,
    until: str | None,
    source: str,
    relation: str = "owned_by",
    precision: str = "day",
) -> None:
    """``owner`` owned ``owned`` from ``start`` until ``until`` (either may be unknown; a
    ``start`` known to the month or year only has that ``precision``). With ``relation``
    ``reseller_of``, ``owned`` resold ``owner``'s certificates instead."""
    with db.transaction():
        owner_rows.record_ownership(db, owner, owned, start, until, source, relation, precision)


def record_operator(
    db: Database,
    owner: str,
    basis: str,
    source: str,
    *,
    certificate: str | None = None,
    organization: str | None = None,
    as_of: str | None = None,
) -> None:
    """A fact: the CA certified by ``certificate`` (or every CA whose subject O= is
    ``organization``) is operated by ``owner`` (as of ``as_of``, when the source is dated)."""
    with db.transaction():
        owner_rows.record_operator(
            db,
            certificate.lower() if certificate else None,
            fold(organization) if organization else None,
            owner,
            basis,
            source,
            as_of,
        )


def record_revocations(db: Database, rows: Iterable[Sequence[Any]]) -> None:
    """Revocations as rows of (certificate, issuer_key, serial, revoked_at, no_later_than,
    source, note)."""
    with db.transaction():
        trust.add_revocations(db, rows)


def add_distrust_rule(
    db: Database,
    store: str,
    subjects: Iterable[tuple[str, str]],
    not_before_after: str,
    effective: str,
    source: str,
    note: str | None = None,
) -> None:
    """Record a subject-name rule; ``subjects`` are (display name, name key) pairs."""
    payload = json.dumps(sorted(subjects), ensure_ascii=False)
    with db.transaction():
        trust.add_distrust_rule(db, store, payload, not_before_after, effective, source, note)
