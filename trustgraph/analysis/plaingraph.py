"""The trust graph as a plain ``networkx.MultiDiGraph`` for researchers' own tools: nodes
are CAs (keyed by CA id), edges are certificates (keyed by SHA-256, from issuer to subject),
and every attribute is a string, number or boolean (dates as ISO text; an unknown value is
left out, never ``None``), so that every networkx writer (GraphML, GEXF) and algorithm
takes it as it is. Every certificate is an edge, a root's self-signed one as a self-loop
(``self_issued``); text that XML cannot carry is escaped.

With a date, each certificate carries its state then (``valid`` or why path rules refuse
it, with ``usable``); with a store too, the graph is the part usable at that date from that
store: the usable certificates reachable from its anchors, and the CAs they reach.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from typing import Any

import networkx as nx

from trustgraph.analysis.crosssigns import find_cross_signs
from trustgraph.graph.model import Edge
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import PathRules, for_anchors


def plain_graph(
    graph: TrustGraph,
    owners: OwnerIndex,
    roots: set[str],
    *,
    cas: Iterable[str] | None = None,
    rules: PathRules | None = None,
    anchors: AnchorSet | None = None,
    stores: dict[str, set[str]] | None = None,
) -> nx.MultiDiGraph:
    """The CAs ``cas`` (default: all) and the certificates between them as plain data.

    ``roots``: CAs with a self-issued certificate; ``rules``: the date (and path rules)
    that give each certificate its state; ``anchors``: with ``rules``, keep only what is
    usable from them then; ``stores``: store name -> anchor CAs, for each CA's ``stores``.
    """
    chosen = set(graph.graph.nodes) if cas is None else set(cas) & set(graph.graph.nodes)
    if rules is not None and anchors is not None:
        rules = for_anchors(rules, anchors)
    cross = {
        item.edge.certificate: (item.relation, item.scope)
        for entry in find_cross_signs(graph, roots, None, owners)
        for item in entry.cross_certificates
    }
    usable = _usable(graph, rules) if rules is not None else None
    if anchors is not None and usable is not None:
        chosen &= _reachable(graph, set(anchors.cas), usable)
    result = nx.MultiDiGraph(
        name="trustgraph",
        at=rules.at if rules else "",
        purpose=str(rules.purpose) if rules else "",
    )
    membership = _membership(stores or {})
    for ca in sorted(chosen):
        attributes = _ca_attributes(graph, owners, ca, roots, anchors, membership, rules)
        result.add_node(ca, **{k: _xml_safe(v) for k, v in attributes.items()})
    for fingerprint in sorted(graph.edges):
        edge = graph.edges[fingerprint]
        if edge.issuer_ca not in chosen or edge.subject_ca not in chosen:
            continue
        if anchors is not None and usable is not None and fingerprint not in usable:
            continue
        attributes = _edge_attributes(edge, cross.get(fingerprint), rules, usable)
        result.add_edge(edge.issuer_ca, edge.subject_ca, key=fingerprint, **attributes)
    return result


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(value: Any) -> Any:
    """Text that XML 1.0 can carry: characters it cannot (control characters from
    certificate names) become visible ``\\xNN`` escapes, so GraphML and GEXF stay valid."""
    if not isinstance(value, str):
        return value
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def _usable(graph: TrustGraph, rules: PathRules) -> set[str]:
    return {fp for fp, edge in graph.edges.items() if rules.judge(edge) is None}


def _reachable(graph: TrustGraph, anchors: set[str], usable: set[str]) -> set[str]:
    seen = set(anchors) & set(graph.graph.nodes)
    queue = deque(seen)
    while queue:
        for edge in graph.out_edges(queue.popleft()):
            if edge.certificate in usable and edge.subject_ca not in seen:
                seen.add(edge.subject_ca)
                queue.append(edge.subject_ca)
    return seen


def _membership(stores: dict[str, set[str]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for store, cas in sorted(stores.items()):
        for ca in cas:
            result.setdefault(ca, []).append(store)
    return result


def _ca_attributes(
    graph: TrustGraph,
    owners: OwnerIndex,
    ca_id: str,
    roots: set[str],
    anchors: AnchorSet | None,
    membership: dict[str, list[str]],
    rules: PathRules | None,
) -> dict[str, Any]:
    ca = graph.ca(ca_id)
    operator = owners.operator_at(ca_id, rules.at if rules else None)
    attributes: dict[str, Any] = {
        "label": graph.label(ca_id),
        "subject": ca.subject if ca else "",
        "key_type": ca.key if ca else "",
        "root": ca_id in roots,
        "stores": ",".join(membership.get(ca_id, [])),
    }
    if anchors is not None:
        attributes["anchor"] = ca_id in anchors
    if ca and ca.organization:
        attributes["organization"] = ca.organization
    if operator is not None:
        attributes["operator"] = operator.owner
        attributes["operator_basis"] = operator.basis
    return attributes


def _edge_attributes(
    edge: Edge,
    cross: tuple[str, str] | None,
    rules: PathRules | None,
    usable: set[str] | None,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "certificate": edge.certificate,
        "kind": str(edge.kind),
        "self_issued": edge.self_issued,
        "cross_certificate": cross is not None,
    }
    optional = {
        "not_before": edge.not_before,
        "not_after": edge.not_after,
        "is_ca": edge.is_ca,
        "path_len": edge.path_len,
        "sig_hash": edge.sig_hash,
        "cross_relation": cross[0] if cross else None,
        "cross_scope": cross[1] if cross else None,
    }
    attributes.update({k: v for k, v in optional.items() if v is not None})
    if rules is not None and usable is not None:
        refusal = rules.judge(edge)
        attributes["state"] = refusal.state if refusal else "valid"
        attributes["usable"] = edge.certificate in usable
        revocation = rules.revocations.get(edge.certificate)
        if revocation is not None and revocation.effective:
            attributes["revoked"] = revocation.effective
            attributes["revocation_date_known"] = revocation.revoked_at is not None
    return attributes
