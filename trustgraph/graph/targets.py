"""Turning what the user typed (a fingerprint, a CA id, a name) into a query target.

* A hex string of at least 8 digits is a prefix of a certificate SHA-256 or of a CA id.
  A self-signed certificate stands for its CA; any other certificate is the exact last
  certificate of every path.
* Otherwise it is a name: first an exact (RFC 5280-folded) match on a CA's common name or
  whole subject, then a substring match. A name held by several keys (a re-keyed CA) is one
  target covering all of them; names of different CAs are ambiguous and listed.
* ``operator:NAME`` is every CA operated by the owner NAME; ``owner:NAME`` adds the CAs of
  every organisation NAME owns at the query date (see :mod:`trustgraph.graph.owners`). Such
  a target also names the CAs whose subject bears one of those organisations' names but
  whose operator is another (they are not part of it). ``organization:NAME`` is every CA
  whose subject's organisation (O=) is NAME, whoever operates it. A path to such a target
  ends at the first of its CAs it reaches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trustgraph.core.text import did_you_mean
from trustgraph.errors import AmbiguousTargetError, TargetError
from trustgraph.graph.owners import OwnerIndex
from trustgraph.storage import certificates
from trustgraph.storage.database import Database
from trustgraph.x509.names import fold

HEX = re.compile(r"^[0-9a-fA-F:]{8,}$")
"""What reads as a fingerprint or CA id (or a prefix of one) rather than a name."""
MAX_CANDIDATES = 25


@dataclass(frozen=True)
class Elsewhere:
    """A CA whose subject bears the name of a target's organisation, operated by another."""

    ca: str
    label: str
    organization: str
    operator: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "ca": self.ca,
            "label": self.label,
            "organization": self.organization,
            "operator": self.operator,
            "source": self.source,
        }


@dataclass(frozen=True)
class Target:
    """A query target: a set of CAs (paths end at any of them) or one certificate."""

    query: str
    cas: frozenset[str]
    certificate: str | None
    description: str
    elsewhere: tuple[Elsewhere, ...] = ()
    """For an ``operator:`` or ``owner:`` target: the CAs left out although their subject
    names one of its organisations (another organisation operates them)."""

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "query": self.query,
            "kind": "certificate" if self.certificate else "ca",
            "cas": sorted(self.cas),
            "certificate": self.certificate,
            "description": self.description,
        }
        if self.elsewhere:
            found["attributed_elsewhere"] = [item.as_dict() for item in self.elsewhere]
        return found


def resolve_target(db: Database, query: str, at: str | None = None) -> Target:
    """The target named by ``query`` (``at``: the date for ``owner:`` targets).

    Raises:
        AmbiguousTargetError: several different CAs or certificates match; ``candidates``
            lists them.
        TargetError: nothing matches.
    """
    text = query.strip()
    if not text:
        raise TargetError("the target is empty: give a SHA-256 fingerprint, CA id or CA name")
    prefix, _, rest = text.partition(":")
    if prefix in ("owner", "operator") and rest.strip():
        return _by_owner(db, rest.strip(), prefix == "owner", at)
    if prefix in ("organization", "organisation") and rest.strip():
        return _by_organization(db, rest.strip())
    if HEX.match(text):
        found = _by_hex(db, text.replace(":", "").lower())
        if found is not None:
            return found
    return _by_name(db, text)


def _by_hex(db: Database, prefix: str) -> Target | None:
    # A range, not LIKE (case-insensitive, so no index): every continuation of a lower-case
    # hex prefix sorts below prefix + "g".
    certs = certificates.certificates_in_range(db, prefix, prefix + "g", MAX_CANDIDATES + 1)
    cas = certificates.cas_in_range(db, prefix, prefix + "g", MAX_CANDIDATES + 1)
    if len(certs) + len(cas) > 1:
        candidates = [{"certificate": c[0], "ca": c[1], "subject": c[2]} for c in certs]
        candidates += [{"ca": c[0], "subject": c[1]} for c in cas]
        many = len(certs) > MAX_CANDIDATES or len(cas) > MAX_CANDIDATES
        raise AmbiguousTargetError(
            f"{prefix!r} is a prefix of {'more than ' if many else ''}{len(candidates)} "
            "fingerprints or CA ids; give more digits",
            candidates,
        )
    if certs:
        fingerprint, ca, subject, issuer_ca, self_issued = certs[0]
        if self_issued and issuer_ca in (ca, None):
            return Target(
                prefix,
                frozenset([ca]),
                None,
                f"the CA of self-signed certificate {fingerprint}: {subject}",
            )
        return Target(prefix, frozenset([ca]), fingerprint, f"certificate {fingerprint}: {subject}")
    if cas:
        return Target(prefix, frozenset([cas[0][0]]), None, f"CA {cas[0][0]}: {cas[0][1]}")
    return None


def _by_name(db: Database, text: str) -> Target:
    matches = certificates.cas_named(db, fold(text))
    if not matches:
        raise TargetError(
            f"no CA named {text!r} in the database"
            + _nearest_names(db, text)
            + "; try a shorter part of the name, a fingerprint, or `trustgraph load` the "
            "certificates first"
        )
    subjects = {r[2] for r in matches}
    if len(subjects) > 1:
        by_subject: dict[str, list[str]] = {}
        for r in matches:
            by_subject.setdefault(r[1], []).append(r[0])
        candidates = [
            {"subject": subject, "cas": sorted(ids)} for subject, ids in sorted(by_subject.items())
        ]
        raise AmbiguousTargetError(
            f"{text!r} matches {len(candidates)} different CA names; give the whole name, a "
            "fingerprint, or operator:NAME for every CA an owner operates",
            candidates,
        )
    cas = frozenset(r[0] for r in matches)
    keys = f" ({len(cas)} keys)" if len(cas) > 1 else ""
    return Target(text, cas, None, f"CA {matches[0][1]}{keys}")


def _nearest_names(db: Database, text: str) -> str:
    """``"; did you mean ..."`` for the CA names nearest ``text``, or an empty string."""
    labels = {row[2] or row[1] for row in certificates.ca_names(db)}
    return did_you_mean(text, labels, fold, cutoff=0.75)


def _by_owner(db: Database, text: str, with_owned: bool, at: str | None) -> Target:
    index = OwnerIndex.from_database(db)
    owner = index.resolve(text)
    owners = index.owned_at(owner, at or "9999") if with_owned else {owner}
    cas = index.cas_of(owners, at)
    if not cas:
        raise TargetError(f"no CA in the database is operated by {owner!r}")
    kind = "owned by" if with_owned else "operated by"
    return Target(
        f"{'owner' if with_owned else 'operator'}:{text}",
        frozenset(cas),
        None,
        f"{len(cas)} CAs {kind} {', '.join(sorted(owners))}",
        attributed_elsewhere(index, owners, at, certificates.ca_names(db)),
    )


def attributed_elsewhere(
    index: OwnerIndex,
    owners: set[str],
    at: str | None,
    names: Iterable[tuple[str, str, str | None]],
) -> tuple[Elsewhere, ...]:
    """The CAs whose subject names one of ``owners`` but whose operator at ``at`` is
    another organisation (see :meth:`OwnerIndex.attributed_elsewhere`), labelled by
    ``names`` ((CA id, subject, common name) of the CAs)."""
    others = index.attributed_elsewhere(owners, at)
    wanted = {ca for ca, _op in others}
    labels = {ca: cn or subject for ca, subject, cn in names if ca in wanted}
    return tuple(
        Elsewhere(
            ca,
            labels.get(ca, ca),
            index.names.get(index.brand[ca], index.brand[ca]),
            op.owner,
            op.source,
        )
        for ca, op in others
    )


def _by_organization(db: Database, text: str) -> Target:
    organization, cas = OwnerIndex.from_database(db).cas_named(text)
    return Target(
        f"organization:{text}",
        frozenset(cas),
        None,
        f"{len(cas)} CAs whose subject's organisation is {organization}",
    )
