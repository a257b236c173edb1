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

from trustgraph.storage import trust
from trustgraph.storage.database import Database


@dataclass(frozen=True)
class NameRule:
    subject_keys: frozenset[str]
    subjects: tuple[str, ...]
    not_before_after: str
    effective: str
    source: str

    @classmethod
    def of_subjects(
        cls, subjects: Iterable[tuple[str, str]], not_before_after: str, effective: str, source: str
    ) -> NameRule:
        """A rule on ``subjects`` given as (display name, name key) pairs."""
        pairs = list(subjects)
        return cls(
            frozenset(key for _display, key in pairs),
            tuple(display for display, _key in pairs),
            not_before_after,
            effective,
            source,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "subjects": list(self.subjects),
            "not_before_after": self.not_before_after,
            "effective": self.effective,
            "source": self.source,
        }


def rules_in_force(db: Database, store: str, at: str) -> tuple[NameRule, ...]:
    """The rules of ``store`` that have taken effect by ``at``."""
    rules = []
    for subjects, cutoff, effective, source in trust.distrust_rules_in_force(db, store, at):
        rules.append(NameRule.of_subjects(json.loads(subjects), cutoff, effective, source))
    return tuple(rules)


def all_rules(db: Database, store: str) -> list[tuple[str, str]]:
    """(effective, not_before_after) of every rule of ``store``, for timelines."""
    return trust.distrust_rule_dates(db, store)
