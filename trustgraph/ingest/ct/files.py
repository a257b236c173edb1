"""Leaves from files (a scan's results: PEM or DER files, bundles, folders), kept as CT
entries are, and linked to the CA that issued each the way CA certificates are linked: the
loaded CAs with the leaf's issuer name, tried by their keys (the authority key id first)
until one verifies its signature. Every input ends stored or reported: a CA certificate
(load it with ``trustgraph load``), a certificate no loaded CA issued (stored, unlinked, and
counted), or bytes that are not a certificate.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trustgraph.core.kinds import VERIFIED
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.errors import CertificateParseError
from trustgraph.ingest.ct.leaves import facts_of
from trustgraph.ingest.linking import Candidate, decide_signed, load_candidates
from trustgraph.ingest.sources import Occurrence, Problem, read_paths
from trustgraph.storage import leaves as leaf_rows
from trustgraph.storage.database import Database
from trustgraph.x509.certificate import CertificateRecord, parse_certificate

BATCH = 5000
LISTED = 50


@dataclass
class LeafFilesReport:
    paths: list[str]
    found: int = 0
    stored: int = 0
    unlinked: int = 0
    cas: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    problem_count: int = 0

    @property
    def reconciles(self) -> bool:
        return self.found == self.stored + self.cas + self.problem_count

    def as_dict(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "certificates_found": self.found,
            "leaves_stored": self.stored,
            "leaves_without_issuer": self.unlinked,
            "ca_certificates_skipped": self.cas,
            "problems": self.problems,
            "problem_count": self.problem_count,
            "reconciles": self.reconciles,
        }


def load_leaf_files(
    db: Database, paths: Sequence[str | os.PathLike[str]], progress: Progress | None = None
) -> LeafFilesReport:
    """Store the leaf certificates of these files (see the module's description).

    Raises:
        DatabaseError: the database cannot be written (nothing of the batch is kept).
    """
    progress = progress or NullProgress()
    labels = [str(p) for p in paths]
    report = LeafFilesReport(labels)
    with db.transaction():
        source = leaf_rows.source_row(db, "files", ";".join(labels), None, None)
    progress.start("reading leaf certificates", None)
    batch: list[Occurrence] = []
    for item in read_paths(paths):
        if isinstance(item, Problem):
            _problem(report, item.location, item.reason)
            continue
        report.found += 1
        batch.append(item)
        if len(batch) >= BATCH:
            _store(db, source.id, batch, report)
            progress.advance(len(batch))
            batch = []
    if batch:
        _store(db, source.id, batch, report)
        progress.advance(len(batch))
    progress.finish()
    return report


def _problem(report: LeafFilesReport, location: str, reason: str) -> None:
    report.problem_count += 1
    if len(report.problems) < LISTED:
        report.problems.append({"location": location, "reason": reason})


def _store(db: Database, source: int, batch: list[Occurrence], report: LeafFilesReport) -> None:
    with db.transaction():
        first = leaf_rows.next_file_index(db, source)
        parsed = []
        for item in batch:
            try:
                record = parse_certificate(item.der)
            except CertificateParseError as exc:
                _problem(report, item.location, str(exc))
                continue
            if record.extensions.is_ca:
                report.cas += 1
                continue
            parsed.append((item, record))
        linked = _issuers(db, parsed)
        ids = leaf_rows.issuer_ids(db, sorted(set(linked.values())))
        rows, domains, domain_names = [], [], []
        for offset, (item, _record) in enumerate(parsed):
            facts = facts_of(item.der, False, None, None)
            issuer = linked.get(item.location)
            report.unlinked += issuer is None
            index = first + offset
            rows.append(
                (
                    source,
                    index,
                    ids.get(issuer) if issuer else None,
                    facts.ident,
                    facts.not_before,
                    facts.not_after,
                    None,
                    0,
                    None,
                )
            )
            for domain, name in facts.domains:
                domains.append((source, index, domain))
                domain_names.append((domain, name))
        leaf_rows.store_leaves(db, rows, domains, domain_names)
        report.stored += len(rows)


def _issuers(db: Database, parsed: list[tuple[Occurrence, CertificateRecord]]) -> dict[str, str]:
    """Leaf location -> the certificate (SHA-256) of the CA whose key verifies it."""
    candidates: dict[str, list[Candidate]] = {}
    load_candidates(db, {record.issuer_key for _item, record in parsed}, candidates)
    cas: dict[str, str] = {}
    for item, record in parsed:
        decision = decide_signed(
            item.location,
            record.ca_id,
            record.extensions.aki,
            record.signature,
            record.tbs,
            record.signature_value,
            candidates.get(record.issuer_key, []),
        )
        if decision.issuer_ca is not None and decision.kind == VERIFIED:
            cas[item.location] = decision.issuer_ca
    certificates = leaf_rows.certificate_of_cas(db, sorted(set(cas.values())))
    return {location: certificates[ca] for location, ca in cas.items() if ca in certificates}
