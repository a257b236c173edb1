"""Chains and reach: paths from anchors to a target, and the anchors that reach it."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.caveats import (
    anchor_caveats,
    dicts,
    path_caveats,
    target_caveats,
    texts,
    truncation_caveats,
)
from trustgraph.analysis.chains import ChainPath, ChainsResult
from trustgraph.analysis.reach import ReachResult
from trustgraph.graph.model import Edge
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.rules import PathRules
from trustgraph.render.common import View, ca_ref
from trustgraph.render.formats import Tabular, envelope, join_route


def step_dict(
    graph: TrustGraph, edge: Edge, rules: PathRules, preloaded: frozenset[str] | None = None
) -> dict[str, Any]:
    """One certificate of a path, with its revocation if one is recorded, and the clients
    that preload it (when preloading lists are known)."""
    step: dict[str, Any] = {
        "certificate": edge.certificate,
        "kind": edge.kind,
        "issuer": ca_ref(graph, edge.issuer_ca),
        "subject": ca_ref(graph, edge.subject_ca),
        "not_before": edge.not_before,
        "not_after": edge.not_after,
        "self_issued": edge.self_issued,
    }
    revocation = rules.revocations.get(edge.certificate)
    if revocation is not None:
        step["revocation"] = {**revocation.as_dict(), "shown": revocation.describe()}
    if preloaded is not None:
        step["preloaded_by"] = sorted(preloaded)
    return step


def path_dict(
    graph: TrustGraph,
    path: ChainPath,
    rules: PathRules,
    preloaded: dict[str, frozenset[str]] | None = None,
) -> dict[str, Any]:
    """A path with its steps (each with the clients that preload it, when ``preloaded`` is
    given) and the caveats of its certificates."""
    return {
        "anchor": {**ca_ref(graph, path.anchor_ca), "certificate": path.anchor_certificate},
        "length": path.length,
        "weakest_edge": path.weakest_edge,
        "certificates": path.certificates,
        "steps": [
            step_dict(
                graph,
                edge,
                rules,
                None if preloaded is None else preloaded.get(edge.certificate, frozenset()),
            )
            for edge in path.edges
        ],
        "caveats": dicts(path_caveats(path.edges, rules.revocations, rules.at)),
    }


def preloaded_text(path: ChainPath, result: ChainsResult) -> str:
    """How many of a path's certificates below the anchor (the intermediates a server
    would send for the target's certificates) each client preloads, as ``firefox 1/2``
    (empty when no preloading list is known, or the path is the anchor alone)."""
    intermediates = [edge.certificate for edge in path.edges]
    if not result.preloading_clients or not intermediates:
        return ""
    return ", ".join(
        f"{client} {sum(client in result.preloaded.get(fp, ()) for fp in intermediates)}"
        f"/{len(intermediates)}"
        for client in result.preloading_clients
    )


def path_route(graph: TrustGraph, path: ChainPath) -> str:
    return join_route(
        [graph.label(path.anchor_ca), *(graph.label(e.subject_ca) for e in path.edges)]
    )


def chains_view(result: ChainsResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    parameters = {
        **result.parameters(),
        "target": result.target.as_dict(),
        "anchors": result.anchors.as_dict(),
    }
    notes = [
        *anchor_caveats(result.anchors),
        *target_caveats(result.target),
        *truncation_caveats(result.truncated),
    ]
    document = envelope(
        "chains",
        parameters,
        provenance,
        {
            "paths": [
                path_dict(
                    graph, p, result.rules, result.preloaded if result.preloading_clients else None
                )
                for p in result.paths
            ],
            "preloading_lists": list(result.preloading_clients),
            "count": len(result.paths),
            "truncated": bool(result.truncated),
            "truncation": result.truncated,
            "caveats": dicts(notes),
        },
    )
    preloads = bool(result.preloading_clients)
    table = Tabular(
        f"Paths to {result.target.description} at {result.rules.at[:10]} "
        f"({len(result.paths)} from {len(result.anchors)} anchors)",
        [
            "#",
            "anchor",
            "length",
            "weakest edge",
            "route",
            "certificates",
            *(["preloaded"] if preloads else []),
        ],
        shared=texts(notes),
    )
    if preloads:
        table.notes.append(
            "preloaded: how many of the certificates below the anchor each client knows "
            "without the server sending them (its intermediate preloading list)"
        )
    for number, path in enumerate(result.paths, start=1):
        row = [
            number,
            graph.label(path.anchor_ca),
            path.length,
            path.weakest_edge,
            path_route(graph, path),
            " ".join(path.certificates),
            *([preloaded_text(path, result)] if preloads else []),
        ]
        table.add(row, texts(path_caveats(path.edges, result.rules.revocations, result.rules.at)))
    return document, table


def reach_view(result: ReachResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    parameters = {
        **result.parameters(),
        "target": result.target.as_dict(),
        "anchors": result.anchors.as_dict(),
    }
    reached = [{**r.as_dict(), "subject": ca_ref(graph, r.ca)["subject"]} for r in result.reached]
    notes = [*anchor_caveats(result.anchors), *target_caveats(result.target)]
    document = envelope(
        "reach",
        parameters,
        provenance,
        {"anchors": reached, "count": len(reached), "caveats": dicts(notes)},
    )
    table = Tabular(
        f"Anchors reaching {result.target.description} at {result.rules.at[:10]} "
        f"({len(reached)} of {len(result.anchors)})",
        ["anchor", "shortest path", "best weakest edge", "anchor certificate"],
        shared=texts(notes),
    )
    for item in result.reached:
        table.add(
            [graph.label(item.ca), item.shortest, item.best_kind, item.certificate],
            texts(item.caveats),
        )
    return document, table


def reach_matrix_view(
    target: str,
    at: str,
    answers: list[tuple[str, ReachResult | None, str | None]],
    provenance: dict[str, Any],
) -> View:
    """One row per store: whether the target is reachable from it, from which anchors,
    with the caveats of each store."""
    items: list[dict[str, Any]] = []
    table = Tabular(
        f"Reach of {target} at {at[:10]}, store by store",
        ["store", "snapshot", "reachable", "anchors reaching", "anchor CAs"],
    )
    for store, result, why in answers:
        if result is None:
            items.append({"store": store, "snapshot": None, "reachable": None, "why": why})
            table.add([store, why or "", "unknown", "", ""])
            continue
        graph = result.graph
        notes = [*anchor_caveats(result.anchors), *target_caveats(result.target)]
        snapshot = result.anchors.source.get("snapshot") or {}
        reached = [
            {**r.as_dict(), "subject": ca_ref(graph, r.ca)["subject"]} for r in result.reached
        ]
        items.append(
            {
                "store": store,
                "snapshot": snapshot,
                "reachable": bool(reached),
                "anchors": reached,
                "count": len(reached),
                "caveats": dicts(notes),
            }
        )
        labels = [graph.label(r.ca) for r in result.reached]
        shown = ", ".join(labels[:MATRIX_LABELS]) + (
            f" and {len(labels) - MATRIX_LABELS} more" if len(labels) > MATRIX_LABELS else ""
        )
        version = f" {snapshot['sequence']}" if snapshot.get("sequence") else ""
        table.add(
            [
                store,
                f"{snapshot.get('as_of', '')[:10]}{version}",
                "yes" if reached else "no",
                f"{len(reached)} of {len(result.anchors)}",
                shown,
            ],
            texts(notes) + [t for r in result.reached for t in texts(r.caveats)],
        )
    document = envelope("reach-stores", {"target": target, "at": at}, provenance, {"stores": items})
    return document, table


MATRIX_LABELS = 4
"""How many anchor CAs a row of the store matrix names (all are in the JSON)."""
