"""Cross-signed CAs and their cross-certificates."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.crosssigns import CrossSignedCA
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.render.common import View
from trustgraph.render.formats import Tabular, envelope

GUESSED_SCOPE = (
    "scope judged by a subject's O= attribute: no record says who operated one of the two CAs"
)


def cross_signs_view(
    items: list[CrossSignedCA],
    graph: TrustGraph,
    parameters: dict[str, Any],
    provenance: dict[str, Any],
) -> View:
    document = envelope(
        "cross-signs",
        parameters,
        provenance,
        {
            "cross_signed_cas": [item.as_dict(graph) for item in items],
            "count": len(items),
        },
    )
    table = Tabular(
        f"Cross-signed CAs ({len(items)})",
        [
            "CA",
            "root",
            "issuers",
            "cross-certificate",
            "issued by",
            "relation",
            "scope",
            "valid to",
        ],
    )
    for item in items:
        for cross in item.cross_certificates:
            table.add(
                [
                    graph.label(item.ca),
                    "yes" if item.is_root else "no",
                    len(item.issuers),
                    cross.edge.certificate,
                    graph.label(cross.edge.issuer_ca),
                    cross.relation,
                    cross.scope,
                    (cross.edge.not_after or "")[:10],
                ],
                [GUESSED_SCOPE] if cross.scope_basis == "guess" else [],
            )
    return document, table
