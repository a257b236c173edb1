"""Cross-certificates: CAs certified by more than one issuer, classified.

A CA (name + key) is cross-signed when its certificates come from two or more different
issuing CAs (its own self-signature counts as one). Each certificate from another CA is
classified by

* ``relation``: ``root-to-root`` (a root's key certified by another root),
  ``root-as-intermediate`` (a root's key certified by an intermediate CA), or
  ``intermediate`` (a CA without a self-signed certificate, certified by several issuers);
* ``scope``: ``same-organization`` (one organisation, or one owning the other, when the
  certificate became valid) or ``between-organizations``, judged by who operated each CA
  then (see :mod:`trustgraph.graph.owners`); when that is known for neither from a record,
  by the subjects' ``O=`` attributes, a guess the result labels as such; ``unknown`` when
  neither is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustgraph.graph.model import Edge
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.trustgraph import TrustGraph

ROOT_TO_ROOT = "root-to-root"
ROOT_AS_INTERMEDIATE = "root-as-intermediate"
INTERMEDIATE = "intermediate"


@dataclass(frozen=True)
class CrossCertificate:
    edge: Edge
    relation: str
    scope: str
    scope_basis: str | None = None
    """``records`` (operator facts), ``guess`` (an O= attribute on one side), or None."""

    def as_dict(self, graph: TrustGraph) -> dict[str, Any]:
        issuer = graph.ca(self.edge.issuer_ca)
        return {
            "certificate": self.edge.certificate,
            "kind": self.edge.kind,
            "issuer_ca": self.edge.issuer_ca,
            "issuer": issuer.subject if issuer else None,
            "relation": self.relation,
            "scope": self.scope,
            "scope_basis": self.scope_basis,
            "not_before": self.edge.not_before,
            "not_after": self.edge.not_after,
        }


@dataclass
class CrossSignedCA:
    ca: str
    is_root: bool
    issuers: list[str]
    self_signed: list[str] = field(default_factory=list)
    cross_certificates: list[CrossCertificate] = field(default_factory=list)

    def as_dict(self, graph: TrustGraph) -> dict[str, Any]:
        info = graph.ca(self.ca)
        return {
            "ca": self.ca,
            "subject": info.subject if info else None,
            "is_root": self.is_root,
            "issuer_count": len(self.issuers),
            "self_signed_certificates": self.self_signed,
            "cross_certificates": [c.as_dict(graph) for c in self.cross_certificates],
        }


def find_cross_signs(
    graph: TrustGraph, roots: set[str], at: str | None = None, owners: OwnerIndex | None = None
) -> list[CrossSignedCA]:
    """Every CA certified by two or more issuers (at ``at``, only certificates valid then);
    ``roots`` are the CAs with a self-issued certificate no other key signed; ``owners``
    says who operated which CA (without it, only O= attributes are compared)."""
    owners = owners or OwnerIndex()
    result = []
    for ca in sorted(graph.graph.nodes):
        edges = [e for e in graph.certificates_of(ca) if at is None or _valid(e, at)]
        issuers = sorted({e.issuer_ca for e in edges} | ({ca} if ca in roots else set()))
        if len(issuers) < 2:
            continue
        entry = CrossSignedCA(ca, ca in roots, issuers)
        for edge in edges:
            if edge.is_self_loop:
                entry.self_signed.append(edge.certificate)
                continue
            entry.cross_certificates.append(
                CrossCertificate(
                    edge,
                    _relation(ca in roots, edge.issuer_ca in roots),
                    *_scope(graph, owners, edge),
                )
            )
        result.append(entry)
    return result


def _valid(edge: Edge, at: str) -> bool:
    return (edge.not_before is None or edge.not_before <= at) and (
        edge.not_after is None or at <= edge.not_after
    )


def _relation(subject_is_root: bool, issuer_is_root: bool) -> str:
    if not subject_is_root:
        return INTERMEDIATE
    return ROOT_TO_ROOT if issuer_is_root else ROOT_AS_INTERMEDIATE


def _scope(graph: TrustGraph, owners: OwnerIndex, edge: Edge) -> tuple[str, str | None]:
    """Whether the certificate links CAs of one organisation when it became valid, and on
    what basis."""
    when = edge.not_before or ""
    sides = []
    for ca in (edge.issuer_ca, edge.subject_ca):
        operator = owners.operator_at(ca, when or None)
        info = graph.ca(ca)
        if operator is not None:
            sides.append((owners.key(operator.owner), operator.basis == "guess"))
        elif info is not None and info.organization:
            sides.append((owners.key(info.organization), True))
        else:
            return "unknown", None
    (issuer, issuer_guess), (subject, subject_guess) = sides
    basis = "guess" if issuer_guess or subject_guess else "records"
    if issuer == subject:
        return "same-organization", basis
    related = subject in owners.owned_keys_at(issuer, when) or issuer in owners.owned_keys_at(
        subject, when
    )
    return ("same-organization" if related else "between-organizations"), basis
