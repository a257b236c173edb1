"""Cross-signed CAs and their classification."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import load_certs
from tests.factories.pki import PKI
from trustgraph import api
from trustgraph.storage.database import Database


def test_classification(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Root B is certified by root A (root-to-root, between organizations) and by A's
    intermediate (root-as-intermediate); intermediate K by A and by B."""
    a, b = pki.ca("Root A", org="Org A"), pki.ca("Root B", org="Org B")
    pki.root(a)
    pki.root(b)
    a_to_b = pki.issue(a, b)
    a_inter = pki.ca("A Intermediate", org="Org A")
    pki.issue(a, a_inter)
    inter_to_b = pki.issue(a_inter, b)
    k = pki.ca("K", org="Org B")
    pki.issue(a, k)
    pki.issue(b, k)
    pki.root("Lonely Root")
    load_certs(db, tmp_path, pki.certs)
    items, graph = api.open(db).cross_signs()
    found = {graph.ca(item.ca).label: item for item in items}  # type: ignore[union-attr]
    assert set(found) == {"Root B", "K"}
    relations = {
        c.edge.certificate: (c.relation, c.scope) for c in found["Root B"].cross_certificates
    }
    assert relations == {
        a_to_b.sha256: ("root-to-root", "between-organizations"),
        inter_to_b.sha256: ("root-as-intermediate", "between-organizations"),
    }
    assert found["Root B"].is_root and len(found["Root B"].issuers) == 3
    assert {c.relation for c in found["K"].cross_certificates} == {"intermediate"}
    assert {c.scope for c in found["K"].cross_certificates} == {
        "between-organizations",
        "same-organization",
    }
