"""Bulk export: one JSON object per certificate, for other tools."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from trustgraph.core.kinds import GRAPH_KINDS
from trustgraph.x509.keyusage import key_usage_names


def certificate_documents(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The export document of each certificate row (as the storage layer's export rows
    give them, with its edge).

    ``edge`` is verified, unverifiable or declared; ``none`` when the certificate has no
    edge (its issuer is not loaded, or its signature failed: see ``edge_reason``).
    """
    for row in rows:
        kind = row["kind"]
        edge = kind if kind in GRAPH_KINDS else "none"
        eku = row["eku"]
        yield {
            "sha256": row["sha256"],
            "subject": row["subject"],
            "issuer": row["issuer"],
            "serial": row["serial"],
            "not_before": row["not_before"],
            "not_after": row["not_after"],
            "ca": row["ca_id"],
            "issuer_ca": row["issuer_ca"] if edge != "none" else None,
            "edge": edge,
            "edge_reason": row["reason"] if edge != "verified" else None,
            "self_issued": bool(row["self_issued"]),
            "basic_constraints_ca": None if row["is_ca"] is None else bool(row["is_ca"]),
            "path_len": row["path_len"],
            "key_usage": key_usage_names(row["key_usage"]),
            "extended_key_usage": None if eku is None else json.loads(eku),
            "signature_algorithm": row["sig_name"],
            "key": {
                "algorithm": row["key_algorithm"],
                "size": row["key_size"],
                "curve": row["key_curve"],
            },
            "spki_sha256": row["spki_sha256"],
            "parser": row["parser"],
            "metadata_only": bool(row["metadata_only"]),
        }
