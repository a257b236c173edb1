"""Distrust rules keyed on subject names, as Mozilla applied to WoSign and StartCom.

A rule names CA subjects and a cut-off: a path that passes through (or starts at) a CA with
one of those subjects may not contain, below that CA, a certificate whose notBefore is after
the cut-off. Keying on names rather than on one certificate is what caught the
cross-certificates of the distrusted roots. An anchor-level *distrust-after* date (NSS
``CKA_NSS_SERVER_DISTRUST_AFTER``) is the same rule for one anchor.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trustgraph.database import Database


@dataclass(frozen=True)
class NameRule:
    subject_keys: frozenset[str]
    subjects: tuple[str, ...]
    not_before_after: str
    effective: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "subjects": list(self.subjects),
            "not_before_after": self.not_before_after,
            "effective": self.effective,
            "source": self.source,
        }


def add_rule(
    db: Database,
    store: str,
    subjects: Iterable[tuple[str, str]],
    not_before_after: str,
    effective: str,
    source: str,
    note: str | None = None,
) -> None:
    """Record a rule; ``subjects`` are (display name, name key) pairs."""
    payload = json.dumps(sorted(subjects), ensure_ascii=False)
    db.conn.execute(
        "INSERT OR IGNORE INTO distrust_rules(store, subjects, not_before_after, effective, "
        "source, note) VALUES (?, ?, ?, ?, ?, ?)",
        (store, payload, not_before_after, effective, source, note),
    )


def rules_in_force(db: Database, store: str, at: str) -> tuple[NameRule, ...]:
    """The rules of ``store`` that have taken effect by ``at``."""
    rules = []
    for subjects, cutoff, effective, source in db.conn.execute(
        "SELECT subjects, not_before_after, effective, source FROM distrust_rules "
        "WHERE store = ? AND effective <= ? ORDER BY id",
        (store, at),
    ):
        pairs = json.loads(subjects)
        rules.append(
            NameRule(
                frozenset(key for _display, key in pairs),
                tuple(display for display, _key in pairs),
                cutoff,
                effective,
                source,
            )
        )
    return tuple(rules)


def all_rules(db: Database, store: str) -> list[tuple[str, str]]:
    """(effective, not_before_after) of every rule of ``store``, for timelines."""
    return [
        (row[0], row[1])
        for row in db.conn.execute(
            "SELECT effective, not_before_after FROM distrust_rules WHERE store = ?", (store,)
        )
    ]
