"""Caveats: what a reader must know before trusting a row of an answer.

A caveat is a fact about the evidence, not about the answer: the answer holds, but one of
its steps rests on something weaker than a checked signature and a known date. Every
renderer shows every caveat (tables, Markdown and CSV as a column or numbered footnotes,
JSON as ``caveats`` fields), so no format reads more certain than another.

Kinds:

* ``revocation-date-unknown``: a certificate is recorded as revoked with only an upper
  bound for the date (CCADB lists revocations without dates); before that bound it is used,
  but it may already have been revoked;
* ``declared-edge``: an issuance known from metadata only, whose signature nobody checked;
* ``unverifiable-edge``: the issuer's name matches but its signature could not be checked;
* ``approximate-date``: a date known to the month or year only;
* ``guessed-owner``: an operator taken from the subject's ``O=`` attribute, not a record;
* ``operator-as-of``: an operator known from a record dated after the question's date;
* ``truncated``: a bound (paths, depth, time) cut the result;
* ``anchors-without-certificates``: anchors of a store snapshot whose certificates are not
  loaded, so no path can start from them;
* ``store-constraint``: anchors a store trusts only under conditions a CA-level answer cannot
  judge (an SCT cut-off on leaves, names the anchor may serve);
* ``attributed-elsewhere``: CAs whose subject bears the name of the organisation a target
  names, which records attribute to another operator (the target leaves them out);
* ``outdated-snapshot``: the store snapshot in force is too old to stand for its store at the
  question's date: a newer release, never observed, had replaced it, or it is older than
  root programs go between releases (see :mod:`trustgraph.policy.coverage`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trustgraph.core.kinds import DECLARED, UNVERIFIABLE
from trustgraph.graph.model import Edge
from trustgraph.graph.owners import Operator
from trustgraph.graph.targets import Elsewhere, Target
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.revocations import RevocationIndex

REVOCATION_DATE_UNKNOWN = "revocation-date-unknown"
DECLARED_EDGE = "declared-edge"
UNVERIFIABLE_EDGE = "unverifiable-edge"
APPROXIMATE_DATE = "approximate-date"
GUESSED_OWNER = "guessed-owner"
OPERATOR_AS_OF = "operator-as-of"
TRUNCATED = "truncated"
ANCHORS_WITHOUT_CERTIFICATES = "anchors-without-certificates"
STORE_CONSTRAINT = "store-constraint"
OUTDATED_SNAPSHOT = "outdated-snapshot"
ATTRIBUTED_ELSEWHERE = "attributed-elsewhere"
LISTED_ELSEWHERE = 10
"""How many CAs attributed elsewhere a caveat names (the JSON target lists them all)."""


@dataclass(frozen=True, order=True, slots=True)
class Caveat:
    """One caveat: its kind, a sentence for people, and what it is about (a certificate
    fingerprint or CA id, when it is about one)."""

    kind: str
    text: str
    about: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "about": self.about}


def edge_caveats(edge: Edge, revocations: RevocationIndex, at: str) -> list[Caveat]:
    """The caveats of using ``edge`` (its certificate) at ``at``."""
    found = []
    pending = revocations.caveat(edge.certificate, at)
    if pending:
        found.append(Caveat(REVOCATION_DATE_UNKNOWN, pending, edge.certificate))
    if edge.kind == DECLARED:
        found.append(
            Caveat(
                DECLARED_EDGE,
                f"certificate {edge.certificate} is known from metadata only: no signature "
                "was checked",
                edge.certificate,
            )
        )
    elif edge.kind == UNVERIFIABLE:
        found.append(
            Caveat(
                UNVERIFIABLE_EDGE,
                f"the signature of certificate {edge.certificate} could not be checked",
                edge.certificate,
            )
        )
    return found


def path_caveats(edges: Iterable[Edge], revocations: RevocationIndex, at: str) -> list[Caveat]:
    """The caveats of every certificate of a path, in path order, without repeats."""
    found: list[Caveat] = []
    for edge in edges:
        found.extend(c for c in edge_caveats(edge, revocations, at) if c not in found)
    return found


def texts(caveats: Iterable[Caveat]) -> list[str]:
    return [caveat.text for caveat in caveats]


def dicts(caveats: Iterable[Caveat]) -> list[dict[str, Any]]:
    return [caveat.as_dict() for caveat in caveats]


def truncation_caveats(truncated: dict[str, str]) -> list[Caveat]:
    """A caveat per bound that cut a result (``{bound: why}``)."""
    return [Caveat(TRUNCATED, f"truncated by {bound}: {why}") for bound, why in truncated.items()]


def anchor_caveats(anchors: AnchorSet) -> list[Caveat]:
    """Caveats of the store snapshot the anchors come from: anchors without certificates,
    a date known to the month only, conditions on anchors an answer about CAs cannot judge."""
    found = []
    missing = anchors.source.get("anchors_without_certificate_bytes")
    if missing:
        found.append(
            Caveat(
                ANCHORS_WITHOUT_CERTIFICATES,
                f"{missing} anchors of the store snapshot have no certificate loaded, so no "
                "path starts from them (load them, or run trustgraph fetch)",
            )
        )
    snapshot = anchors.source.get("snapshot") or {}
    if snapshot.get("as_of_precision", "day") != "day":
        found.append(
            Caveat(
                APPROXIMATE_DATE,
                f"the store snapshot of {snapshot.get('store')} is dated "
                f"{snapshot.get('as_of', '')[:7]} by release month only: its dates are "
                "approximate",
            )
        )
    stale = anchors.source.get("staleness")
    if stale:
        found.append(Caveat(OUTDATED_SNAPSHOT, stale["text"]))
    cut = sorted(ca for ca, trust in anchors.trust.items() if trust.sct_not_after)
    if cut:
        found.append(
            Caveat(
                STORE_CONSTRAINT,
                f"{len(cut)} anchors are trusted only for end-entity certificates whose "
                "embedded SCTs are no later than a cut-off (partial distrust); paths from them "
                "hold for such certificates only",
            )
        )
    limited = anchors.source.get("anchors_limited_to_names")
    if limited:
        found.append(
            Caveat(
                STORE_CONSTRAINT,
                f"{limited} anchors are trusted only for the DNS names their store lists; "
                "paths from them hold for those names only",
            )
        )
    return found


def operator_caveats(ca: str, label: str, operator: Operator | None) -> list[Caveat]:
    """A caveat when the operator of CA ``ca`` (shown as ``label``) is only a guess."""
    if operator is None or operator.basis != "guess":
        return []
    return [
        Caveat(
            GUESSED_OWNER,
            f"the operator of {label} ({operator.owner}) is guessed from its subject's O= "
            "attribute; no record says who operates it",
            ca,
        )
    ]


def target_caveats(target: Target) -> list[Caveat]:
    """A caveat naming the CAs an ``operator:`` or ``owner:`` target leaves out although
    their subject bears one of its organisations' names, and who operates them instead."""
    return elsewhere_caveats(target.query, target.elsewhere)


def elsewhere_caveats(query: str, elsewhere: tuple[Elsewhere, ...]) -> list[Caveat]:
    """A caveat naming the CAs ``query`` (an owner's CAs) leaves out although their
    subject bears the owner's name (``elsewhere``), and who operates them instead."""
    if not elsewhere:
        return []
    by_operator: dict[str, list[str]] = {}
    for item in elsewhere:
        by_operator.setdefault(item.operator, []).append(item.label)
    listed = "; ".join(
        f"{', '.join(sorted(labels)[:LISTED_ELSEWHERE])}"
        + (f" and {len(labels) - LISTED_ELSEWHERE} more" if len(labels) > LISTED_ELSEWHERE else "")
        + f" (operated by {operator})"
        for operator, labels in sorted(by_operator.items())
    )
    organizations = ", ".join(sorted({item.organization for item in elsewhere}))
    sources = ", ".join(sorted({item.source for item in elsewhere}))
    return [
        Caveat(
            ATTRIBUTED_ELSEWHERE,
            f"{len(elsewhere)} CAs whose subject names {organizations} are not part of "
            f"{query}, because records attribute them to other operators ({sources}): "
            f"{listed}; organization:NAME takes every CA by its subject's organisation",
        )
    ]
