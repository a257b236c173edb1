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
from typing import NamedTuple, cast

from trustgraph.core.kinds import DECLARED, INVALID, NONE, UNVERIFIABLE, VERIFIED
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.ingest.declared import declared_issuer_ca, link_declared
from trustgraph.ingest.parallel import Pending, Workers
from trustgraph.storage import edges
from trustgraph.storage.database import Database
from trustgraph.x509 import der
from trustgraph.x509.signatures import Outcome, SignatureSpec, signature_spec, verify

_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Candidate:
    ca_id: str
    spki: bytes
    ski: str | None
    key_ids: frozenset[str] = frozenset()


class EdgeDecision(NamedTuple):
    """The edge decided for one certificate (a tuple: workers send thousands back, and
    tuples pickle several times faster than dataclasses)."""

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
    db: Database,
    new_issuer_names: Iterable[str] = (),
    progress: Progress | None = None,
    workers: Workers | None = None,
) -> LinkSummary:
    """Decide the edge of every certificate that needs one.

    Those are: certificates with bytes and no edge yet; certificates whose declared edge
    now has bytes behind it; and certificates with a relinkable edge whose issuer name is
    among ``new_issuer_names`` (names of CAs that just arrived, which may verify them).

    Raises:
        sqlite3.Error: the database cannot be read or written.
    """
    with db.transaction():
        linker = Linker(db, workers or Workers(1))
        return linker.finish(new_issuer_names, progress)


class Linker:
    """Decides edges while a load goes on (:meth:`submit` the certificates just stored,
    whose signatures are checked in the workers while the load continues), then everything
    still undecided (:meth:`finish`). A certificate whose issuer arrives later is decided
    again then, and counted once, by its final kind.
    """

    def __init__(self, db: Database, workers: Workers) -> None:
        self.db = db
        self.workers = workers
        self.summary = LinkSummary()
        self._in_flight: Pending[EdgeDecision] | None = None
        self._provisional: dict[str, EdgeDecision] = {}
        self._candidates: dict[str, list[Candidate]] = {}

    def add_cas(self, rows: Iterable[tuple[str, str, bytes, str | None]]) -> None:
        """CAs just stored, as ``(subject_key, ca_id, spki, ski)``: candidates from now on."""
        for subject_key, ca, spki, ski in rows:
            if subject_key in self._candidates and spki is not None:
                self._candidates[subject_key].append(_candidate(ca, spki, ski))

    def candidates_for(self, issuer_keys: list[str]) -> list[list[Candidate]]:
        """The CAs stored so far that carry each of these issuer names.

        Raises:
            sqlite3.Error: the database cannot be read.
        """
        candidates = self._candidates
        load_candidates(self.db, {k for k in issuer_keys if k not in candidates}, candidates)
        return [candidates[key] for key in issuer_keys]

    def record(self, decisions: list[EdgeDecision]) -> None:
        """Store edges decided elsewhere (by the workers that parsed the certificates).

        Raises:
            sqlite3.Error: the database cannot be written.
        """
        self._store(decisions, NullProgress())

    def submit(self, rows: list[LinkRow]) -> None:
        """Start deciding the edges of these certificates.

        Raises:
            sqlite3.Error: the database cannot be read or written.
        """
        candidates = self._candidates
        load_candidates(self.db, {row[1] for row in rows if row[1] not in candidates}, candidates)
        submitted = self.workers.submit(
            decide_all, [(row, candidates.get(row[1], [])) for row in rows]
        )
        self._store_previous(NullProgress())
        self._in_flight = submitted

    def finish(
        self, new_issuer_names: Iterable[str] = (), progress: Progress | None = None
    ) -> LinkSummary:
        """Store what is in flight, then decide every certificate that still needs an edge
        (see :func:`link_pending`).

        Raises:
            sqlite3.Error: the database cannot be read or written.
        """
        progress = progress or NullProgress()
        self._store_previous(progress)
        link_declared(self.db)
        pending = pending_fingerprints(self.db, new_issuer_names)
        progress.start("checking signatures", len(pending))
        for start in range(0, len(pending), _BATCH):
            rows = _link_rows(self.db, pending[start : start + _BATCH])
            self.submit(rows)
            progress.advance(len(rows))
        self._store_previous(progress)
        progress.finish()
        self.summary.counts = {kind: n for kind, n in self.summary.counts.items() if n}
        return self.summary

    def _store_previous(self, progress: Progress) -> None:
        if self._in_flight is None:
            return
        decisions = self._in_flight.get()
        self._in_flight = None
        self._store(decisions, progress)

    def _store(self, decisions: list[EdgeDecision], progress: Progress) -> None:
        decisions = [_with_declaration(self.db, d) for d in decisions]
        edges.store_edges(
            self.db,
            ((d.certificate, d.issuer_ca, d.subject_ca, d.kind, d.reason) for d in decisions),
        )
        counts, invalid = self.summary.counts, self.summary.invalid
        for decision in decisions:
            earlier = self._provisional.pop(decision.certificate, None)
            if earlier is not None:
                counts[earlier.kind] -= 1
                if earlier.kind == INVALID:
                    invalid.remove(earlier)
            counts[decision.kind] = counts.get(decision.kind, 0) + 1
            if decision.kind == INVALID:
                invalid.append(decision)
            if decision.kind not in (VERIFIED, DECLARED):
                self._provisional[decision.certificate] = decision


def decide_all(work: list[tuple[LinkRow, list[Candidate]]]) -> list[EdgeDecision]:
    """:func:`decide` for each certificate and its candidate issuers (run in workers)."""
    return [decide(row, candidates) for row, candidates in work]


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
    return edges.pending_fingerprints(db, new_issuer_names)


LinkRow = tuple[str, str, str, str | None, bytes]


def _link_rows(db: Database, batch: list[str]) -> list[LinkRow]:
    return cast(list[LinkRow], edges.link_rows(db, batch))


def load_candidates(
    db: Database, name_keys: Iterable[str], into: dict[str, list[Candidate]]
) -> None:
    """Add to ``into`` the CAs (candidate issuers) of each issuer name key."""
    keys = list(name_keys)
    for key in keys:
        into.setdefault(key, [])
    for subject_key, ca, spki, ski in edges.issuer_candidates(db, keys):
        into[subject_key].append(_candidate(ca, spki, ski))


def _candidate(ca: str, spki: bytes, ski: str | None) -> Candidate:
    return Candidate(ca, spki, ski, frozenset(i for i in (ski, _sha1_key_id(spki)) if i))


def decide(row: LinkRow, candidates: list[Candidate]) -> EdgeDecision:
    """The edge of one certificate given the CAs that carry its issuer name."""
    fingerprint, _issuer_key, subject_ca, aki, der_bytes = row
    if not candidates:
        return EdgeDecision(fingerprint, None, subject_ca, NONE, edges.NO_ISSUER)
    try:
        tbs, algorithm, signature = der.signed_parts(der_bytes)
        spec = signature_spec(algorithm)
    except der.DerError as exc:
        return EdgeDecision(fingerprint, None, subject_ca, INVALID, f"unreadable: {exc}")
    return decide_signed(fingerprint, subject_ca, aki, spec, tbs, signature, candidates)


def decide_signed(
    fingerprint: str,
    subject_ca: str,
    aki: str | None,
    spec: SignatureSpec,
    tbs: bytes,
    signature: bytes,
    candidates: list[Candidate],
) -> EdgeDecision:
    """:func:`decide` for a certificate already split into what its signature covers."""
    if not candidates:
        return EdgeDecision(fingerprint, None, subject_ca, NONE, edges.NO_ISSUER)
    ordered = _ordered(candidates, subject_ca, aki)
    unsupported: list[tuple[Candidate, str]] = []
    for candidate in ordered:
        result = verify(candidate.spki, spec, tbs, signature)
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
        if aki and aki in candidate.key_ids:
            return (1, candidate.ca_id)
        return (2, candidate.ca_id)

    return sorted(candidates, key=rank)


def _single_out(
    unsupported: list[tuple[Candidate, str]], subject_ca: str, aki: str | None
) -> tuple[Candidate, str] | None:
    if aki:
        matching = [item for item in unsupported if aki in item[0].key_ids]
        if len(matching) == 1:
            return matching[0]
    own = [item for item in unsupported if item[0].ca_id == subject_ca]
    if own:
        return own[0]
    return unsupported[0] if len(unsupported) == 1 else None


def _sha1_key_id(spki: bytes) -> str:
    """RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value."""
    try:
        seq = der.read_tlv(spki, 0)
        bits = der.children(spki, seq)[1].content(spki)[1:]
    except (der.DerError, IndexError):
        return ""
    return hashlib.sha1(bits).hexdigest()
