"""Issuance edges: which CA signed each certificate.

For a certificate, the candidate issuers are the CAs whose subject equals its issuer name
under RFC 5280 section 7.1 comparison (several, when a CA rolled its key over). Each
candidate's key is tried on the signature:

* a key verifies it: a **verified** edge from that CA;
* no key verifies it but the signature cannot be checked (MD2, SM2, an unknown algorithm or
  a key type ``cryptography`` does not load): an **unverifiable** edge to the one candidate
  that the authority key identifier, self-issuance or uniqueness singles out;
* every candidate was checked and failed: **invalid**, no edge, reported;
* no candidate is loaded: **none** (the issuer is not in the database yet).

Kinds ``none``, ``invalid`` and ``unverifiable`` are re-examined whenever a CA of the matching
name arrives, so load order does not matter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from trustgraph import der
from trustgraph.database import Database
from trustgraph.declared import declared_issuer_ca, link_declared
from trustgraph.progress import NullProgress, Progress
from trustgraph.signatures import Outcome, signature_spec, verify

VERIFIED = "verified"
UNVERIFIABLE = "unverifiable"
DECLARED = "declared"
NONE = "none"
INVALID = "invalid"
GRAPH_KINDS = (VERIFIED, UNVERIFIABLE, DECLARED)
RELINKABLE_KINDS = (NONE, INVALID, UNVERIFIABLE, DECLARED)

_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Candidate:
    ca_id: str
    spki: bytes
    ski: str | None


@dataclass(frozen=True, slots=True)
class EdgeDecision:
    certificate: str
    issuer_ca: str | None
    subject_ca: str
    kind: str
    reason: str | None


@dataclass
class LinkSummary:
    """Edges decided by a linking run: counts by kind, and the failed signatures."""

    counts: dict[str, int] = field(default_factory=dict)
    invalid: list[EdgeDecision] = field(default_factory=list)


def link_pending(
    db: Database, new_issuer_names: Iterable[str] = (), progress: Progress | None = None
) -> LinkSummary:
    """Decide the edge of every certificate that needs one.

    Those are: certificates with bytes and no edge yet; certificates whose declared edge
    now has bytes behind it; and certificates with a relinkable edge whose issuer name is
    among ``new_issuer_names`` (names of CAs that just arrived, which may verify them).

    Raises:
        sqlite3.Error: the database cannot be read or written.
    """
    link_declared(db)
    pending = pending_fingerprints(db, new_issuer_names)
    progress = progress or NullProgress()
    progress.start("checking signatures", len(pending))
    summary = LinkSummary()
    candidates_by_name: dict[str, list[Candidate]] = {}
    for start in range(0, len(pending), _BATCH):
        batch = pending[start : start + _BATCH]
        rows = _link_rows(db, batch)
        _load_candidates(db, {row[1] for row in rows} - set(candidates_by_name), candidates_by_name)
        decisions = [
            _with_declaration(db, decide(row, candidates_by_name.get(row[1], []))) for row in rows
        ]
        db.insert_rows(
            "edges",
            ("certificate", "issuer_ca", "subject_ca", "kind", "reason"),
            ((d.certificate, d.issuer_ca, d.subject_ca, d.kind, d.reason) for d in decisions),
            replace=True,
        )
        for decision in decisions:
            summary.counts[decision.kind] = summary.counts.get(decision.kind, 0) + 1
            if decision.kind == INVALID:
                summary.invalid.append(decision)
        progress.advance(len(batch))
    progress.finish()
    return summary


def _with_declaration(db: Database, decision: EdgeDecision) -> EdgeDecision:
    """Where no loaded CA can have issued a certificate, a declaration still can say who
    did: the edge is then declared."""
    if decision.kind != NONE:
        return decision
    issuer = declared_issuer_ca(db, decision.certificate)
    if issuer is None:
        return decision
    return EdgeDecision(
        decision.certificate,
        issuer,
        decision.subject_ca,
        DECLARED,
        "issuer declared by metadata; its certificate bytes are not loaded",
    )


def pending_fingerprints(db: Database, new_issuer_names: Iterable[str] = ()) -> list[str]:
    """The certificates :func:`link_pending` would decide, sorted."""
    found = {
        row[0]
        for row in db.conn.execute(
            "SELECT c.sha256 FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256 "
            "WHERE c.der IS NOT NULL AND (e.certificate IS NULL OR e.kind = ?)",
            (DECLARED,),
        )
    }
    names = list(new_issuer_names)
    kinds = ",".join("?" for _ in RELINKABLE_KINDS)
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        found.update(
            row[0]
            for row in db.conn.execute(
                "SELECT c.sha256 FROM certificates c JOIN edges e ON e.certificate = c.sha256 "
                f"WHERE c.der IS NOT NULL AND e.kind IN ({kinds}) AND c.issuer_key IN ({marks})",
                (*RELINKABLE_KINDS, *chunk),
            )
        )
    return sorted(found)


LinkRow = tuple[str, str, str, str | None, bytes]


def _link_rows(db: Database, batch: list[str]) -> list[LinkRow]:
    marks = ",".join("?" for _ in batch)
    return db.conn.execute(
        f"SELECT sha256, issuer_key, ca_id, aki, der FROM certificates WHERE sha256 IN ({marks})",
        batch,
    ).fetchall()


def _load_candidates(
    db: Database, name_keys: Iterable[str], into: dict[str, list[Candidate]]
) -> None:
    keys = list(name_keys)
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        for key in chunk:
            into.setdefault(key, [])
        marks = ",".join("?" for _ in chunk)
        for subject_key, ca, spki, ski in db.conn.execute(
            f"SELECT subject_key, ca_id, spki, ski FROM cas WHERE subject_key IN ({marks}) "
            "AND spki IS NOT NULL ORDER BY ca_id",
            chunk,
        ):
            into[subject_key].append(Candidate(ca, spki, ski))


def decide(row: LinkRow, candidates: list[Candidate]) -> EdgeDecision:
    """The edge of one certificate given the CAs that carry its issuer name."""
    fingerprint, _issuer_key, subject_ca, aki, der_bytes = row
    if not candidates:
        return EdgeDecision(fingerprint, None, subject_ca, NONE, "issuer not in the database")
    try:
        parts = der.split_certificate(der_bytes)
        spec = signature_spec(parts.signature_algorithm)
    except der.DerError as exc:
        return EdgeDecision(fingerprint, None, subject_ca, INVALID, f"unreadable: {exc}")
    ordered = _ordered(candidates, subject_ca, aki)
    unsupported: list[tuple[Candidate, str]] = []
    for candidate in ordered:
        result = verify(candidate.spki, spec, parts.tbs, parts.signature)
        if result.outcome is Outcome.VERIFIED:
            return EdgeDecision(fingerprint, candidate.ca_id, subject_ca, VERIFIED, None)
        if result.outcome is Outcome.UNSUPPORTED:
            unsupported.append((candidate, result.reason))
    if unsupported:
        chosen = _single_out(unsupported, subject_ca, aki)
        if chosen is not None:
            return EdgeDecision(fingerprint, chosen[0].ca_id, subject_ca, UNVERIFIABLE, chosen[1])
        return EdgeDecision(
            fingerprint,
            None,
            subject_ca,
            NONE,
            f"signature cannot be checked ({unsupported[0][1]}) and {len(unsupported)} "
            "CAs carry the issuer name",
        )
    if [c.ca_id for c in ordered] == [subject_ca]:
        reason = "self-signature does not verify"
    else:
        reason = (
            f"signature does not verify with the key of any of the {len(ordered)} CA(s) "
            "with the issuer's name"
        )
    return EdgeDecision(fingerprint, None, subject_ca, INVALID, reason)


def _ordered(candidates: list[Candidate], subject_ca: str, aki: str | None) -> list[Candidate]:
    """Self first (roots), then those matching the authority key id, then the rest."""

    def rank(candidate: Candidate) -> tuple[int, str]:
        if candidate.ca_id == subject_ca:
            return (0, candidate.ca_id)
        if aki and aki in _key_ids(candidate):
            return (1, candidate.ca_id)
        return (2, candidate.ca_id)

    return sorted(candidates, key=rank)


def _single_out(
    unsupported: list[tuple[Candidate, str]], subject_ca: str, aki: str | None
) -> tuple[Candidate, str] | None:
    if aki:
        matching = [item for item in unsupported if aki in _key_ids(item[0])]
        if len(matching) == 1:
            return matching[0]
    own = [item for item in unsupported if item[0].ca_id == subject_ca]
    if own:
        return own[0]
    return unsupported[0] if len(unsupported) == 1 else None


def _key_ids(candidate: Candidate) -> set[str]:
    ids = {candidate.ski} if candidate.ski else set()
    ids.add(_sha1_key_id(candidate.spki))
    return ids


def _sha1_key_id(spki: bytes) -> str:
    """RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value."""
    try:
        seq = der.read_tlv(spki, 0)
        bits = der.children(spki, seq)[1].content(spki)[1:]
    except (der.DerError, IndexError):
        return ""
    return hashlib.sha1(bits).hexdigest()
