"""Resolving what the user typed into a target."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import load_certs
from tests.factories.pki import PKI
from trustgraph.errors import AmbiguousTargetError, TargetError
from trustgraph.graph.targets import resolve_target
from trustgraph.storage.database import Database


def test_exact_name_beats_substring(db: Database, pki: PKI, tmp_path: Path) -> None:
    """'Authority of WoSign' is a substring of two CA names; the exact name picks one."""
    root = pki.ca("Certification Authority of WoSign")
    pki.root(root)
    pki.root("Certification Authority of WoSign G2")
    load_certs(db, tmp_path, pki.certs)
    assert "G2" not in resolve_target(db, "certification authority of wosign").description
    with pytest.raises(AmbiguousTargetError) as caught:
        resolve_target(db, "Authority of WoSign")
    assert len(caught.value.candidates) == 2


def test_one_name_several_keys_is_one_target(db: Database, pki: PKI, tmp_path: Path) -> None:
    pki.root("Rekeyed CA")
    pki.root("Rekeyed CA")
    load_certs(db, tmp_path, pki.certs)
    target = resolve_target(db, "Rekeyed")
    assert len(target.cas) == 2 and target.certificate is None


def test_fingerprint_prefixes(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("Prefix Root")
    root_cert = pki.root(root)
    child = pki.issue(root, "Prefix Child")
    load_certs(db, tmp_path, pki.certs)
    assert resolve_target(db, child.sha256[:16]).certificate == child.sha256
    self_signed = resolve_target(db, root_cert.sha256.upper())
    assert self_signed.certificate is None and len(self_signed.cas) == 1
    with pytest.raises(TargetError):
        resolve_target(db, "no such CA anywhere")
