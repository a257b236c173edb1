"""Short helpers for running queries in tests."""

from __future__ import annotations

from typing import Any

from tests.factories.pki import Cert
from trustgraph import api
from trustgraph.analysis.chains import ChainsResult
from trustgraph.analysis.reach import ReachResult
from trustgraph.policy.anchors import AnchorSet, anchors_from_fingerprints
from trustgraph.storage.database import Database


def anchor_set(db: Database, certs: list[Cert]) -> AnchorSet:
    return anchors_from_fingerprints(db, [c.sha256 for c in certs], {"kind": "test"})


def chains(
    db: Database,
    target: str,
    anchors: list[Cert],
    at: str = "2020-01-01",
    max_paths: int = 1000,
    timeout: float = 30.0,
    **rules: Any,
) -> ChainsResult:
    return api.chains(
        db,
        target,
        anchors=anchor_set(db, anchors),
        rules=api.make_rules(at, **rules),
        max_paths=max_paths,
        timeout=timeout,
    )


def paths(
    db: Database, target: str, anchors: list[Cert], at: str = "2020-01-01", **rules: Any
) -> list[list[str]]:
    """The certificate fingerprints of every path, in the result's order."""
    return [p.certificates for p in chains(db, target, anchors, at, **rules).paths]


def reach(
    db: Database, target: str, anchors: list[Cert], at: str = "2020-01-01", **rules: Any
) -> ReachResult:
    return api.reach(db, target, anchors=anchor_set(db, anchors), rules=api.make_rules(at, **rules))


def reached(
    db: Database, target: str, anchors: list[Cert], at: str = "2020-01-01", **rules: Any
) -> set[str]:
    """Fingerprints of the anchor certificates that reach ``target``."""
    return {r.certificate for r in reach(db, target, anchors, at, **rules).reached}


def fps(*certs: Cert) -> list[str]:
    return [c.sha256 for c in certs]
