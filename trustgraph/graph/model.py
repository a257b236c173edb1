"""The graph's elements: a CA (a node) and an issuance edge (a certificate), with the facts
path rules need of each, built from records both backends return (database rows or Neo4j
properties), so that both build the same graph."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trustgraph.policy.nameconstraints import CertificateNames
from trustgraph.x509.stored import NameConstraints, general_names_from_json


@dataclass(frozen=True, slots=True)
class Edge:
    """One certificate as an issuance edge, with the facts path rules need."""

    certificate: str
    issuer_ca: str
    subject_ca: str
    kind: str
    not_before: str | None
    not_after: str | None
    is_ca: bool | None
    path_len: int | None
    key_usage: int | None
    eku: tuple[str, ...] | None
    name_constraints: NameConstraints | None
    names: CertificateNames
    self_issued: bool
    sig_hash: str | None
    defect: str | None
    sct_earliest: str | None = None
    """The earliest embedded SCT's time; '' when the certificate has none; None when
    unknown (read by an older trustgraph)."""

    @property
    def is_self_loop(self) -> bool:
        return self.issuer_ca == self.subject_ca


@dataclass(frozen=True, slots=True)
class CA:
    ca_id: str
    subject: str
    subject_key: str
    common_name: str | None
    organization: str | None
    key: str

    @property
    def label(self) -> str:
        return self.common_name or self.organization or self.subject


def ca_from_record(record: Mapping[str, Any]) -> CA:
    algorithm, size, curve = (
        record.get("key_algorithm"),
        record.get("key_size"),
        record.get("key_curve"),
    )
    key = (algorithm or "unknown") + (f"-{curve}" if curve else f"-{size}" if size else "")
    return CA(
        str(record["ca_id"]),
        str(record["subject"]),
        str(record["subject_key"]),
        record.get("subject_cn"),
        record.get("subject_o"),
        key,
    )


def edge_from_record(record: Mapping[str, Any]) -> Edge:
    """An :class:`Edge` from a record of the graph edge columns (a database row or Neo4j
    relationship properties: both backends build edges here, so they agree)."""
    is_ca, path_len = record.get("is_ca"), record.get("path_len")
    key_usage, eku = record.get("key_usage"), record.get("eku")
    constraints, san = record.get("name_constraints"), record.get("san")
    defect = record.get("unreadable_critical")
    return Edge(
        certificate=str(record["certificate"]),
        issuer_ca=str(record["issuer_ca"]),
        subject_ca=str(record["subject_ca"]),
        kind=str(record["kind"]),
        not_before=_text(record.get("not_before")),
        not_after=_text(record.get("not_after")),
        is_ca=None if is_ca is None else bool(is_ca),
        path_len=None if path_len is None else int(path_len),
        key_usage=None if key_usage is None else int(key_usage),
        eku=None if eku is None else tuple(json.loads(eku)),
        name_constraints=None if constraints is None else NameConstraints.from_json(constraints),
        names=CertificateNames(
            str(record["subject_key"]), general_names_from_json(json.loads(san)) if san else ()
        ),
        self_issued=bool(record.get("self_issued")),
        sig_hash=_text(record.get("sig_hash")),
        defect=None if defect is None else f"unreadable critical extension(s) {defect}",
        sct_earliest=_text(record.get("sct_earliest")),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
