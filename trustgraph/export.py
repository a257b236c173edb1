"""Bulk export: one JSON object per certificate, for other tools."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from trustgraph.certificate import KEY_USAGE_BITS
from trustgraph.database import Database

_SQL = """
SELECT c.sha256, c.subject, c.issuer, c.serial, c.not_before, c.not_after, c.ca_id,
       e.issuer_ca, e.kind, e.reason, c.is_ca, c.path_len, c.key_usage, c.eku,
       c.sig_name, c.key_algorithm, c.key_size, c.key_curve, c.subject_key = c.issuer_key,
       c.spki_sha256, c.parser, c.der IS NULL
FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256
ORDER BY c.sha256
"""


def export_certificates(db: Database) -> Iterator[dict[str, Any]]:
    """Every certificate of the database with its edge, ordered by fingerprint.

    ``edge`` is verified, unverifiable or declared; ``none`` when the certificate has no
    edge (its issuer is not loaded, or its signature failed: see ``edge_reason``).
    """
    for row in db.conn.execute(_SQL):
        (
            sha256,
            subject,
            issuer,
            serial,
            not_before,
            not_after,
            ca,
            issuer_ca,
            kind,
            reason,
            is_ca,
            path_len,
            key_usage,
            eku,
            sig,
            key_alg,
            key_size,
            key_curve,
            self_issued,
            spki_sha256,
            parser,
            metadata_only,
        ) = row
        edge = kind if kind in ("verified", "unverifiable", "declared") else "none"
        yield {
            "sha256": sha256,
            "subject": subject,
            "issuer": issuer,
            "serial": serial,
            "not_before": not_before,
            "not_after": not_after,
            "ca": ca,
            "issuer_ca": issuer_ca if edge != "none" else None,
            "edge": edge,
            "edge_reason": reason if edge != "verified" else None,
            "self_issued": bool(self_issued),
            "basic_constraints_ca": None if is_ca is None else bool(is_ca),
            "path_len": path_len,
            "key_usage": _key_usage_names(key_usage),
            "extended_key_usage": None if eku is None else json.loads(eku),
            "signature_algorithm": sig,
            "key": {"algorithm": key_alg, "size": key_size, "curve": key_curve},
            "spki_sha256": spki_sha256,
            "parser": parser,
            "metadata_only": bool(metadata_only),
        }


def _key_usage_names(bits: int | None) -> list[str] | None:
    if bits is None:
        return None
    return [name for index, name in enumerate(KEY_USAGE_BITS) if bits & (1 << index)]
