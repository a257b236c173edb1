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
from trustgraph.parallel import Pending, Workers
from trustgraph.progress import NullProgress, Progress
from trustgraph.signatures import Outcome, SignatureSpec, signature_spec, verify

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
    key_ids: frozenset[str] = frozenset()


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
        _load_candidates(self.db, {k for k in issuer_keys if k not in candidates}, candidates)
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
        _load_candidates(self.db, {row[1] for row in rows if row[1] not in candidates}, candidates)
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
        self.db.insert_rows(
            "edges",
            ("certificate", "issuer_ca", "subject_ca", "kind", "reason"),
            ((d.certificate, d.issuer_ca, d.subject_ca, d.kind, d.reason) for d in decisions),
            replace=True,
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
    found = {
        row[0]
        for row in db.conn.execute(
            "SELECT c.sha256 FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256 "
            "WHERE c.der IS NOT NULL AND (e.certificate IS NULL OR e.kind = ?)",
            (DECLARED,),
        )
    }
    names = set(new_issuer_names)
    if names:
        kinds = ",".join("?" for _ in RELINKABLE_KINDS)
        found.update(
            fingerprint
            for fingerprint, issuer_key in db.conn.execute(
                "SELECT c.sha256, c.issuer_key FROM certificates c "
                f"JOIN edges e ON e.certificate = c.sha256 "
                f"WHERE c.der IS NOT NULL AND e.kind IN ({kinds})",
                RELINKABLE_KINDS,
            )
            if issuer_key in names
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
            into[subject_key].append(_candidate(ca, spki, ski))


def _candidate(ca: str, spki: bytes, ski: str | None) -> Candidate:
    return Candidate(ca, spki, ski, frozenset(i for i in (ski, _sha1_key_id(spki)) if i))


def decide(row: LinkRow, candidates: list[Candidate]) -> EdgeDecision:
    """The edge of one certificate given the CAs that carry its issuer name."""
    fingerprint, _issuer_key, subject_ca, aki, der_bytes = row
    if not candidates:
        return EdgeDecision(fingerprint, None, subject_ca, NONE, "issuer not in the database")
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
        return EdgeDecision(fingerprint, None, subject_ca, NONE, "issuer not in the database")
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
