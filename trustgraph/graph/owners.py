"""Owners: which organisation operates each CA, and which organisation owns which, when.

Organisations are compared by a normalised key (:func:`owner_key`): "DigiCert, Inc.",
"DigiCert" and "Digicert" are one owner, shown under one spelling, with the others kept as
aliases. Operator facts come, in this order of precedence, from case files (``case``),
CCADB owner fields (``ccadb``, as of the report's date) and, only as a labelled guess, the
subject's ``O=`` attribute (``guess``). A CA named "WoSign ..." may be operated by another
company, so the guess never overrides a fact.

Ownership between organisations has dates (case files, and relation files such as the one
``trustgraph owners load`` reads): "distrust everything WoSign owns" on 2016-10-21 includes
StartCom (owned from 2015-11-01 per Mozilla's public record). A relation lasts until the
next one of the same organisation starts. CCADB speaks of the day of its report only: a CA
that CCADB files under DigiCert in 2021 and whose subject names VeriSign, an organisation
DigiCert owned by then, was VeriSign's before that day, so on 2017-03-01 it counts as
Symantec's (the owner of VeriSign then, ``history``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from trustgraph.core.text import did_you_mean
from trustgraph.errors import TargetError
from trustgraph.storage import certificates
from trustgraph.storage import owners as owner_rows
from trustgraph.storage.database import Database
from trustgraph.x509.names import fold

PRECEDENCE = {"case": 0, "ccadb": 1, "guess": 2}
OWNED_BY, RESELLER_OF = "owned_by", "reseller_of"

# Legal forms and the word "CA" at the end of an organisation's name say nothing about which
# organisation it is. "Sdn Bhd" is not among them: DigiCert Sdn Bhd is another company.
_LEGAL_FORM = re.compile(
    r"(?:[\s,]+(?:inc|incorporated|corp|corporation|co|company|ltd|ltda|limited|limitada|llc|"
    r"l\.l\.c|gmbh|ag|nv-sa|s\.?\s?a|n\.?\s?v|b\.?\s?v|plc|s\.?r\.?l|s\.?r\.?o|d\.?o\.?o|s\.?p\.?a|"
    r"k\.?k|sas|oy|ab|a/s|a\.s|s\.l|pty|pvt|kft|zrt|sp\.? z o\.?\s?o|ca|pte)\.?)+$"
)
_PARENTHESES = re.compile(r"\([^)]*\)")
_PUNCTUATION = re.compile(r"[^\w\s&/.-]+|(?<!\w)[.&/-]|[.&/-](?!\w)")


def owner_key(name: str) -> str:
    """An organisation's name in comparable form: folded, without parenthesised remarks,
    punctuation, legal form ("Inc.", "S.A.", "Sp. z o.o.", ...) or a final "CA"."""
    text = _PARENTHESES.sub(" ", fold(name))
    text = _PUNCTUATION.sub(" ", text)
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous, text = text, _LEGAL_FORM.sub("", text).strip(" ,.")
    return text or fold(name)


_REMARK_PREFIX = re.compile(r"^(?:previously|formerly|former|now|aka|dba|d/b/a|trading as)\s+")


def remark_keys(name: str) -> list[str]:
    """The keys of the names in an organisation's parenthesised remarks: "Start Commercial
    (StartCom) Ltd." is also StartCom, "Asseco Data Systems S.A. (previously Unizeto
    Certum)" also Unizeto Certum."""
    keys = []
    for remark in re.findall(r"\(([^)]*)\)", name):
        key = owner_key(_REMARK_PREFIX.sub("", fold(remark)))
        if len(key) >= 3 and key != owner_key(name):
            keys.append(key)
    return keys


def _within(start: str | None, until: str | None, at: str) -> bool:
    return (start is None or start <= at) and (until is None or at < until)


@dataclass(frozen=True)
class Operator:
    """Who operates a CA, on what basis, from which source (and as of when)."""

    owner: str
    basis: str
    source: str
    as_of: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "basis": self.basis,
            "source": self.source,
            "as_of": self.as_of,
        }


@dataclass(frozen=True)
class Relation:
    """``owned`` was owned by ``owner`` (or, as a reseller, resold its certificates) from
    ``start`` (None: since before any date we know) until ``until``."""

    owner: str
    owned: str
    start: str | None
    until: str | None
    relation: str
    precision: str
    source: str

    def active(self, at: str) -> bool:
        return _within(self.start, self.until, at)

    def uncertain_at(self, at: str) -> bool:
        """Whether ``at`` falls in the month or year the start is known to only."""
        if self.start is None or self.precision == "day":
            return False
        width = 7 if self.precision == "month" else 4
        return at[:width] == self.start[:width]

    def describe(self, names: dict[str, str]) -> str:
        start = (
            "since a date not recorded"
            if self.start is None
            else f"from {self.start[: {'month': 7, 'year': 4}.get(self.precision, 10)]}"
        )
        verb = "owned by" if self.relation == OWNED_BY else "reseller of"
        return (
            f"{names.get(self.owned, self.owned)} {verb} {names.get(self.owner, self.owner)} "
            f"{start}" + (f" until {self.until[:10]}" if self.until else "")
        )

    def as_dict(self, names: dict[str, str]) -> dict[str, Any]:
        return {
            "owner": names.get(self.owner, self.owner),
            "owned": names.get(self.owned, self.owned),
            "relation": self.relation,
            "from": self.start,
            "until": self.until,
            "precision": self.precision,
            "source": self.source,
        }


@dataclass
class OwnerIndex:
    """Who operates each CA (and its subject's organisation), the organisations under
    their keys with one spelling each, and the dated relations between them."""

    by_ca: dict[str, Operator] = field(default_factory=dict)
    brand: dict[str, str] = field(default_factory=dict)
    """The key of each CA's subject organisation (O=)."""
    names: dict[str, str] = field(default_factory=dict)
    """The spelling shown for each organisation key."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Alias key to the key of the organisation it names."""
    relations: list[Relation] = field(default_factory=list)
    matched: dict[str, str] = field(default_factory=dict)
    """Relation names mapped to a known organisation by a word-prefix match (a guess)."""
    _owned_cache: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_database(cls, db: Database) -> OwnerIndex:
        index = cls()
        spellings: Counter[str] = Counter()
        for name, aliases, _source in owner_rows.owners(db):
            key = owner_key(name)
            index.names[key] = name
            for alias in [*json.loads(aliases or "[]"), *remark_keys(name)]:
                if owner_key(alias) != key:
                    index.aliases[owner_key(alias)] = key
        index._operators(db, spellings)
        for key, spelling in _most_common(spellings).items():
            index.names.setdefault(index.aliases.get(key, key), spelling)
        index.by_ca = {
            ca: replace(op, owner=index.name(op.owner)) for ca, op in index.by_ca.items()
        }
        index._relations(owner_rows.ownership(db))
        return index

    def key(self, text: str) -> str:
        """The key of the organisation ``text`` names (aliases followed)."""
        key = owner_key(text)
        return self.aliases.get(key, key)

    def name(self, text: str) -> str:
        """The spelling shown for the organisation ``text`` names."""
        key = self.key(text)
        return self.names.get(key, text)

    def _operators(self, db: Database, spellings: Counter[str]) -> None:
        candidates: dict[str, list[tuple[int, int, Operator]]] = {}
        for ca, owner, basis, source, as_of, self_issued in owner_rows.certificate_operator_facts(
            db
        ):
            # A root record speaks for its own CA; an intermediate record of CCADB is filed
            # under the issuing root's owner, so it is weaker evidence.
            rank = 0 if basis == "case" or self_issued else 1
            spellings[owner] += 1
            for remark in remark_keys(owner):
                self.aliases.setdefault(remark, owner_key(owner))
            candidates.setdefault(ca, []).append(
                (PRECEDENCE[basis], rank, Operator(owner, basis, source, as_of))
            )
        org_facts = {
            org: Operator(owner, basis, source, as_of)
            for org, owner, basis, source, as_of in owner_rows.organization_operator_facts(db)
        }
        for ca, org in certificates.ca_subject_organizations(db):
            if not org:
                continue
            self.brand[ca] = self.key(org)
            fact = org_facts.get(fold(org))
            if fact:
                candidates.setdefault(ca, []).append((PRECEDENCE[fact.basis], 2, fact))
            else:
                spellings[org] += 0  # a spelling to show, never preferred to a fact's
                candidates.setdefault(ca, []).append(
                    (PRECEDENCE["guess"], 3, Operator(org, "guess", "subject O= attribute"))
                )
        for ca, items in candidates.items():
            best = min((p, r) for p, r, _ in items)
            top = [op for p, r, op in items if (p, r) == best]
            self.by_ca[ca] = Counter(top).most_common(1)[0][0]

    def _relations(self, rows: list[tuple[Any, ...]]) -> None:
        """Relations with keys for names (mapped to known organisations where a name is a
        unique word-prefix of one), each lasting until the next of its organisation."""
        known = set(self.names) | set(self.brand.values())
        resolved = []
        for owner, owned, start, until, source, relation, precision in rows:
            keys = [self._known(name, known) for name in (owner, owned)]
            if keys[0] == keys[1]:
                continue  # "X owned by X": the organisation exists, nothing more
            for name, key in zip((owner, owned), keys, strict=True):
                self.names.setdefault(key, name)
            resolved.append(Relation(keys[0], keys[1], start, until, relation, precision, source))
        resolved.sort(key=lambda r: (r.owned, r.relation, r.start or ""))
        for item, following in zip(resolved, [*resolved[1:], None], strict=False):
            if (
                item.until is None
                and item.relation == OWNED_BY
                and following is not None
                and (following.owned, following.relation) == (item.owned, item.relation)
                and following.start is not None
            ):
                item = replace(item, until=following.start)
            self.relations.append(item)

    def _known(self, name: str, known: set[str]) -> str:
        key = self.key(name)
        if key in known:
            return key
        longer = [k for k in known if k.startswith(key + " ")]
        if len(longer) == 1:
            self.matched[name] = longer[0]
            return longer[0]
        return key

    def operator(self, ca_id: str) -> Operator | None:
        """Who operates the CA according to the best source, on that source's date."""
        return self.by_ca.get(ca_id)

    def operator_at(self, ca_id: str, at: str | None) -> Operator | None:
        """Who operated the CA at ``at``: before a CCADB report's date, the organisation
        of its subject when the CCADB owner owned that organisation on that date."""
        operator = self.by_ca.get(ca_id)
        if operator is None or at is None or operator.basis != "ccadb":
            return operator
        if operator.as_of is None or at >= operator.as_of:
            return operator
        brand, owner = self.brand.get(ca_id), self.key(operator.owner)
        if brand is None or brand == owner or brand not in self._owned(owner, operator.as_of):
            return operator
        return Operator(
            self.names.get(brand, brand),
            "history",
            f"its subject's organisation, which {operator.owner} owned on "
            f"{operator.as_of[:10]} ({operator.source})",
            operator.as_of,
        )

    def _owned(self, key: str, at: str) -> frozenset[str]:
        known = self._owned_cache.get((key, at))
        if known is None:
            known = self._owned_cache[(key, at)] = frozenset(self._closure(key, at))
        return known

    def _closure(self, key: str, at: str) -> set[str]:
        result = {key}
        changed = True
        while changed:
            changed = False
            for item in self.relations:
                if (
                    item.relation == OWNED_BY
                    and item.owner in result
                    and item.owned not in result
                    and item.active(at)
                ):
                    result.add(item.owned)
                    changed = True
        return result

    def owned_keys_at(self, key: str, at: str) -> frozenset[str]:
        """The keys of the organisation ``key`` and of those it owns at ``at``."""
        return self._owned(key, at)

    def owned_at(self, owner: str, at: str) -> set[str]:
        """``owner`` and every organisation it owns (directly or not) at ``at``."""
        return {self.names.get(k, k) for k in self._owned(self.key(owner), at)}

    def uncertain(self, owner: str, at: str) -> list[Relation]:
        """Relations of ``owner``'s organisations that start in the month or year ``at``
        falls in, when that is all that is known of their start."""
        keys = self._owned(self.key(owner), at)
        return [
            item
            for item in self.relations
            if item.relation == OWNED_BY
            and (item.owner in keys or item.owned in keys)
            and item.uncertain_at(at)
        ]

    def cas_of(self, owners: set[str], at: str | None = None) -> set[str]:
        """Every CA operated by one of ``owners`` (at ``at``, when given)."""
        keys = {self.key(owner) for owner in owners}
        return {
            ca
            for ca in self.by_ca
            if self.key(self.operator_at(ca, at).owner) in keys  # type: ignore[union-attr]
        }

    def attributed_elsewhere(self, owners: set[str], at: str | None) -> list[tuple[str, Operator]]:
        """The CAs whose subject's organisation (O=) is one of ``owners`` but whose operator
        at ``at`` is another organisation, by CA id: an ``operator:`` query leaves them
        out, and says so."""
        keys = {self.key(owner) for owner in owners}
        found = []
        for ca, brand in sorted(self.brand.items()):
            if brand not in keys:
                continue
            operator = self.operator_at(ca, at)
            if operator is not None and self.key(operator.owner) not in keys:
                found.append((ca, operator))
        return found

    def cas_named(self, text: str) -> tuple[str, set[str]]:
        """The organisation ``text`` names among subjects' O= attributes (by key: exact,
        else a unique substring) and the CAs whose subject names it.

        Raises:
            TargetError: no subject names such an organisation, or several do.
        """
        by_key: dict[str, set[str]] = {}
        for ca, brand in self.brand.items():
            by_key.setdefault(brand, set()).add(ca)
        wanted = self.key(text)
        if wanted not in by_key:
            partial = sorted(key for key in by_key if wanted and wanted in key)
            if len(partial) > 1:
                shown = "; ".join(self.names.get(k, k) for k in partial[:10])
                more = f"; ... and {len(partial) - 10} more" if len(partial) > 10 else ""
                raise TargetError(
                    f"{text!r} matches {len(partial)} organisations of CA subjects: "
                    f"{shown}{more}; give the whole name"
                )
            if not partial:
                names = [self.names.get(k, k) for k in by_key]
                raise TargetError(
                    f"no CA subject names the organisation {text!r}"
                    + did_you_mean(text, names, owner_key)
                )
            wanted = partial[0]
        return self.names.get(wanted, wanted), by_key[wanted]

    def all_owners(self) -> set[str]:
        return {op.owner for op in self.by_ca.values()} | set(self.names.values())

    def resolve(self, text: str) -> str:
        """The organisation named by ``text``: by key (aliases included), else a unique
        substring of one.

        Raises:
            TargetError: no owner or several owners match (the message names the nearest
                or the candidates, and how to narrow).
        """
        wanted = self.key(text)
        by_key: dict[str, str] = {}
        for name in sorted(self.all_owners()):
            by_key.setdefault(self.key(name), self.names.get(self.key(name), name))
        if wanted in by_key:
            return by_key[wanted]
        partial = sorted({name for key, name in by_key.items() if wanted and wanted in key})
        if len(partial) == 1:
            return partial[0]
        if not partial:
            raise TargetError(
                f"no owner named {text!r}"
                + did_you_mean(text, by_key.values(), owner_key)
                + "; `trustgraph owners list` lists them"
            )
        shown = "; ".join(partial[:10])
        more = f"; ... and {len(partial) - 10} more" if len(partial) > 10 else ""
        raise TargetError(
            f"{text!r} matches {len(partial)} owners: {shown}{more}; give the whole name"
        )


def _most_common(spellings: Counter[str]) -> dict[str, str]:
    """For each owner key, its most frequent spelling (ties: the first in sorted order)."""
    best: dict[str, tuple[int, str]] = {}
    for spelling, count in spellings.items():
        key = owner_key(spelling)
        known = best.get(key)
        if known is None or (-count, spelling) < (-known[0], known[1]):
            best[key] = (count, spelling)
    return {key: spelling for key, (_count, spelling) in best.items()}
