"""The properties trustgraph writes to Neo4j, spelled once: each node's and relationship's
property names with their Neo4j types (in the order of the bulk import's CSV columns), and
the Cypher SET clause a push writes them with.

A push writes None as "no property"; a bulk import writes None as an empty, unquoted field,
which the importer also leaves unset, while an empty text is a quoted "" and stays an empty
text.
"""

from __future__ import annotations

from collections.abc import Iterable

CA_PROPERTIES = {
    "subject": "string",
    "subject_key": "string",
    "subject_cn": "string",
    "subject_o": "string",
    "key_algorithm": "string",
    "key_size": "long",
    "key_curve": "string",
    "root": "boolean",
    "root_certificates": "string[]",
}
CERTIFICATE_PROPERTIES = {
    "subject_hash": "long",
    "issuer_hash": "long",
    "serial": "string",
    "not_before": "string",
    "not_after": "string",
    "is_ca": "boolean",
    "sig_hash": "string",
    "spki_sha256": "string",
    "key_algorithm": "string",
    "key_size": "long",
    "key_curve": "string",
    "issuer_ca": "string",
    "is_root": "boolean",
    "has_bytes": "boolean",
    "earliest_sct": "string",
    "content_digest": "string",
    "local_date": "string",
}
EDGE_PROPERTIES = {
    "certificate": "string",
    "kind": "string",
    "not_before": "string",
    "not_after": "string",
    "is_ca": "long",
    "path_len": "long",
    "key_usage": "long",
    "eku": "string",
    "name_constraints": "string",
    "subject_key": "string",
    "san": "string",
    "self_issued": "boolean",
    "sig_hash": "string",
    "unreadable_critical": "string",
    "sct_earliest": "string",
    "can_issue": "boolean",
    "revoked_at": "string",
    "revocation_source": "string",
}

CA_ROOT_PROPERTIES = ("root", "root_certificates")
"""CA properties the roots stage of a push sets (not the CA rows)."""
EDGE_KEY = "certificate"
"""The property an ISSUED relationship is found by."""
EDGE_REVOCATION_PROPERTIES = ("revoked_at", "revocation_source")
"""Relationship properties the revocations stage of a push sets (not the edge rows)."""


def set_clause(variable: str, names: Iterable[str]) -> str:
    """``SET v.a = row.a, v.b = row.b, ...`` for the properties ``names`` of ``variable``."""
    return "\nSET " + ", ".join(f"{variable}.{name} = row.{name}" for name in names) + "\n"
