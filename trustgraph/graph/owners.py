"""Owners: which organisation operates each CA, and which organisation owns which, when.

Operator facts come, in this order of precedence, from case files (``case``), CCADB owner
fields (``ccadb``) and, only as a labelled guess, the subject's ``O=`` attribute
(``guess``). A CA named "WoSign ..." may be operated by another company, so the guess never
overrides a fact. Ownership between organisations has dates: "distrust everything WoSign
owns" on 2016-10-21 includes StartCom (owned from 2015-11-01 per Mozilla's public record).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from trustgraph.errors import TargetError
from trustgraph.storage import certificates
from trustgraph.storage import owners as owner_rows
from trustgraph.storage.database import Database
from trustgraph.x509.names import fold

PRECEDENCE = {"case": 0, "ccadb": 1, "guess": 2}


@dataclass(frozen=True)
class Operator:
    owner: str
    basis: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"owner": self.owner, "basis": self.basis, "source": self.source}


@dataclass
class OwnerIndex:
    """Who operates each CA, and the canonical owner names with their aliases."""

    by_ca: dict[str, Operator] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)
    ownership: list[tuple[str, str, str | None, str | None, str]] = field(default_factory=list)

    @classmethod
    def from_database(cls, db: Database) -> OwnerIndex:
        index = cls()
        for name, aliases, _source in owner_rows.owners(db):
            index.canonical[fold(name)] = name
            for alias in json.loads(aliases or "[]"):
                index.canonical[fold(alias)] = name
        index.ownership = [
            (index.name(o), index.name(d), s, u, src)
            for o, d, s, u, src in owner_rows.ownership(db)
        ]
        index._operators(db)
        return index

    def name(self, text: str) -> str:
        """The canonical spelling of an owner name (aliases folded in)."""
        return self.canonical.get(fold(text), text)

    def _operators(self, db: Database) -> None:
        candidates: dict[str, list[tuple[int, int, Operator]]] = {}
        for ca, owner, basis, source, self_issued in owner_rows.certificate_operator_facts(db):
            # A root record speaks for its own CA; an intermediate record of CCADB is filed
            # under the issuing root's owner, so it is weaker evidence.
            rank = 0 if basis == "case" or self_issued else 1
            candidates.setdefault(ca, []).append(
                (PRECEDENCE[basis], rank, Operator(self.name(owner), basis, source))
            )
        org_facts = {
            org: (owner, basis, source)
            for org, owner, basis, source in owner_rows.organization_operator_facts(db)
        }
        for ca, org in certificates.ca_subject_organizations(db):
            fact = org_facts.get(fold(org)) if org else None
            if fact:
                candidates.setdefault(ca, []).append(
                    (PRECEDENCE[fact[1]], 2, Operator(self.name(fact[0]), fact[1], fact[2]))
                )
            elif org:
                candidates.setdefault(ca, []).append(
                    (
                        PRECEDENCE["guess"],
                        3,
                        Operator(self.name(org), "guess", "subject O= attribute"),
                    )
                )
        for ca, items in candidates.items():
            best = min((p, r) for p, r, _ in items)
            top = [op for p, r, op in items if (p, r) == best]
            self.by_ca[ca] = Counter(top).most_common(1)[0][0]

    def operator(self, ca_id: str) -> Operator | None:
        return self.by_ca.get(ca_id)

    def owned_at(self, owner: str, at: str) -> set[str]:
        """``owner`` and every organisation it owns (directly or not) at ``at``."""
        result = {self.name(owner)}
        changed = True
        while changed:
            changed = False
            for parent, child, start, until, _src in self.ownership:
                active = (start is None or start <= at) and (until is None or at < until)
                if active and parent in result and child not in result:
                    result.add(child)
                    changed = True
        return result

    def cas_of(self, owners: set[str]) -> set[str]:
        """Every CA operated by one of ``owners``."""
        return {ca for ca, op in self.by_ca.items() if op.owner in owners}

    def all_owners(self) -> set[str]:
        return {op.owner for op in self.by_ca.values()} | set(self.canonical.values())

    def resolve(self, text: str) -> str:
        """The owner named by ``text``: exact (aliases included), else a unique substring.

        Raises:
            TargetError: no owner or several owners match.
        """
        wanted = fold(text)
        if wanted in self.canonical:
            return self.canonical[wanted]
        known = sorted(self.all_owners())
        exact = [o for o in known if fold(o) == wanted]
        if exact:
            return exact[0]
        partial = [o for o in known if wanted in fold(o)]
        if len(partial) == 1:
            return partial[0]
        if not partial:
            raise TargetError(
                f"no owner named {text!r}; known owners include {', '.join(known[:10])}"
            )
        raise TargetError(f"{text!r} matches several owners: {'; '.join(partial[:10])}")
