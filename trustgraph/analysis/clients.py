"""Which clients accept a served chain: each client profile's store read from the
database at the date asked (or as its OS version shipped it), its preloaded intermediates
and AIA fetches, and the path it builds (:mod:`trustgraph.analysis.clientpaths`).

A client whose store is not loaded is answered as ``unknown`` with the reason, never left
out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustgraph.analysis.clientjudge import LazyPool, Pool, TrustedSet, Verdict
from trustgraph.analysis.clientpaths import build_path
from trustgraph.analysis.records import Records
from trustgraph.core.records import Snapshot
from trustgraph.core.times import as_iso, parse_iso
from trustgraph.errors import CertificateParseError, UsageError
from trustgraph.policy.anchors import SERVER_AUTH
from trustgraph.policy.clients import ClientProfile
from trustgraph.policy.coverage import staleness
from trustgraph.policy.revocations import Revocation, RevocationIndex
from trustgraph.policy.stores import StoreEntry
from trustgraph.x509.certificate import CertificateRecord, parse_certificate
from trustgraph.x509.names import display_name

AIA_ASSUMPTION = (
    "a client that fetches by AIA is assumed to get any loaded CA certificate of the "
    "issuer's name whose key signed the certificate (the caIssuers URL itself is not "
    "followed)"
)
PATH_ASSUMPTION = (
    "paths are judged on validity periods, CA flags, key usage, path length, revocations "
    "and the store's distrust; name constraints, policies and signature-algorithm limits "
    "are not modelled per client"
)


@dataclass(frozen=True)
class StoreUsed:
    """The snapshot a client's answer comes from, and what it could not use."""

    snapshot: Snapshot
    anchors: int
    without_bytes: int
    caveat: str | None = None
    """Why the snapshot may not be the store the client had (outdated, standing in)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.snapshot.store,
            "as_of": self.snapshot.as_of,
            "description": self.snapshot.description,
            "anchors": self.anchors,
            "anchors_without_certificate_bytes": self.without_bytes,
            "caveat": self.caveat,
        }


@dataclass(frozen=True)
class ClientAnswer:
    """One client's outcome (``ok``, ``fails`` or ``unknown``), path and reason."""

    profile: ClientProfile
    verdict: Verdict | None
    store: StoreUsed | None = None
    unknown_because: str | None = None

    @property
    def outcome(self) -> str:
        return self.verdict.outcome if self.verdict else "unknown"

    @property
    def reason(self) -> str | None:
        return self.verdict.reason if self.verdict else self.unknown_because

    def caveats(self) -> list[str]:
        found = []
        if self.store and self.store.caveat:
            found.append(f"{self.profile.name}: {self.store.caveat}")
        if self.store and self.store.without_bytes:
            found.append(
                f"{self.profile.name}: {self.store.without_bytes} anchors of "
                f"{self.store.snapshot.store} {self.store.snapshot.as_of[:10]} are listed by "
                "hash only (their certificates are not loaded) and were not used"
            )
        if self.verdict:
            found.extend(f"{self.profile.name}: {limit}" for limit in self.verdict.limits)
        return found

    def as_dict(self) -> dict[str, Any]:
        path = self.verdict.path if self.verdict else ()
        return {
            "client": self.profile.name,
            "title": self.profile.title,
            "outcome": self.outcome,
            "path": [
                {
                    "sha256": step.sha256,
                    "subject": step.subject,
                    "from": step.source,
                    "not_after": step.not_after,
                }
                for step in path
            ],
            "reason": self.reason,
            "store": self.store.as_dict() if self.store else None,
            "behaviour": self.profile.behaviour.as_dict(),
            "citations": [{"about": c.about, "source": c.source} for c in self.profile.citations],
        }


@dataclass(frozen=True)
class ClientsResult:
    """Every client's answer for one served chain at one date."""

    at: str
    served: tuple[CertificateRecord, ...]
    answers: tuple[ClientAnswer, ...]
    assumptions: tuple[str, ...] = field(default=(PATH_ASSUMPTION,))

    def caveats(self) -> list[str]:
        return [caveat for answer in self.answers for caveat in answer.caveats()]

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "served": [
                {
                    "sha256": r.sha256,
                    "subject": display_name(r.subject),
                    "issuer": display_name(r.issuer),
                    "not_before": as_iso(r.not_before),
                    "not_after": as_iso(r.not_after),
                }
                for r in self.served
            ],
            "clients": [answer.as_dict() for answer in self.answers],
            "assumptions": list(self.assumptions),
            "caveats": self.caveats(),
        }


def read_served(ders: Sequence[bytes], origin: str) -> tuple[CertificateRecord, ...]:
    """The served chain, parsed (end certificate first).

    Raises:
        UsageError: no certificate, or one that cannot be read (which one, and why).
    """
    if not ders:
        raise UsageError(f"{origin}: no certificate found; a served chain is PEM or DER")
    records = []
    for index, der in enumerate(ders, start=1):
        try:
            records.append(parse_certificate(der))
        except CertificateParseError as exc:
            raise UsageError(f"{origin}: certificate {index}: {exc}") from exc
    return tuple(records)


@dataclass(frozen=True)
class StoreEdit:
    """A root program's scenario as its clients see it: the anchor CAs it removes and the
    certificates it revokes (from the date asked), applied to the clients whose own store
    is ``program``'s (not to one whose store merely stands in for another's)."""

    program: str
    removed_cas: frozenset[str] = frozenset()
    revoked: frozenset[str] = frozenset()

    def applies_to(self, profile: ClientProfile, snapshot: Snapshot) -> bool:
        return profile.store.program == self.program == snapshot.store


class ClientBench:
    """Evaluates clients against one database: each store snapshot is read and parsed once,
    the preloaded intermediates and AIA fetches are shared."""

    def __init__(self, records: Records) -> None:
        self._records = records
        self._shared = records.revocations()
        self._preloaded = _preloaded(records)
        self._aia = LazyPool(lambda key: parse_stored(records.ca_ders_named(key)))
        self._entries: dict[int, list[tuple[StoreEntry, CertificateRecord | None]]] = {}
        self._scoped: dict[str, RevocationIndex] = {}

    def answer(
        self,
        profile: ClientProfile,
        served: Sequence[CertificateRecord],
        at: str,
        *,
        edit: StoreEdit | None = None,
        sct_time: str | None = None,
        judge_end: bool = True,
    ) -> ClientAnswer:
        """``profile``'s answer for ``served`` at ``at`` (``unknown`` when its store is not
        loaded); with ``edit``, after the scenario; ``judge_end`` False when ``served``
        starts at the issuing CA's certificate, standing in for its leaves."""
        try:
            snapshot, caveat = _snapshot(self._records, profile, at)
        except UsageError as exc:
            return ClientAnswer(profile, None, unknown_because=str(exc))
        if edit is not None and not edit.applies_to(profile, snapshot):
            edit = None
        trusted, used = self._trusted(snapshot, at, caveat, edit)
        moment = parse_iso(at)
        assert moment is not None
        verdict = build_path(
            served,
            trusted,
            profile.behaviour,
            moment,
            preloaded=self._preloaded,
            aia=self._aia,
            sct_time=parse_iso(sct_time) if sct_time else None,
            judge_end=judge_end,
        )
        return ClientAnswer(profile, verdict, used)

    def _trusted(
        self, snapshot: Snapshot, at: str, caveat: str | None, edit: StoreEdit | None
    ) -> tuple[TrustedSet, StoreUsed]:
        pairs = [(e, r) for e, r in self._anchor_entries(snapshot) if e.in_force(at)]
        if edit is not None:
            pairs = [(e, r) for e, r in pairs if e.ca not in edit.removed_cas]
        usable = [(e, r) for e, r in pairs if r is not None and e.trust.trusted_for(SERVER_AUTH)]
        revocations = self._revocations(snapshot.store)
        if edit is not None and edit.revoked:
            revocations = revocations.with_extra(
                Revocation(fp, at, None, "the scenario") for fp in sorted(edit.revoked)
            )
        trusted = TrustedSet(
            tuple(r for _, r in usable if r is not None),
            {r.sha256: e.trust for e, r in usable if r is not None},
            self._records.blocked_certificates(snapshot),
            revocations,
        )
        without = sum(1 for _, r in pairs if r is None)
        return trusted, StoreUsed(snapshot, len(usable), without, caveat)

    def _anchor_entries(
        self, snapshot: Snapshot
    ) -> list[tuple[StoreEntry, CertificateRecord | None]]:
        if snapshot.id not in self._entries:
            entries = self._records.snapshot_entries(snapshot)
            ders = self._records.der_of([e.sha256 for e in entries if e.sha256])
            self._entries[snapshot.id] = [
                (e, _parsed_one(ders[e.sha256]) if e.sha256 in ders else None) for e in entries
            ]
        return self._entries[snapshot.id]

    def _revocations(self, store: str) -> RevocationIndex:
        if store not in self._scoped:
            scoped = self._records.revocations(store).by_certificate
            self._scoped[store] = (
                self._shared.with_extra(scoped.values()) if scoped else self._shared
            )
        return self._scoped[store]


def evaluate_clients(
    records: Records,
    served: Sequence[CertificateRecord],
    at: str,
    profiles: Sequence[ClientProfile],
    sct_time: str | None = None,
) -> ClientsResult:
    """Each client's path and outcome for ``served`` (end certificate first) at ``at``."""
    bench = ClientBench(records)
    answers = tuple(bench.answer(p, served, at, sct_time=sct_time) for p in profiles)
    return ClientsResult(at, tuple(served), answers, assumptions_for(profiles))


def assumptions_for(profiles: Sequence[ClientProfile]) -> tuple[str, ...]:
    """What every client answer assumes (AIA's only when a client fetches)."""
    assumptions = [PATH_ASSUMPTION]
    if any(p.behaviour.fetches_aia for p in profiles):
        assumptions.append(AIA_ASSUMPTION)
    return tuple(assumptions)


def _snapshot(records: Records, profile: ClientProfile, at: str) -> tuple[Snapshot, str | None]:
    """The snapshot a client uses at ``at``, and why it may not be the store the client
    had (None: it is).

    Raises:
        UsageError: the store is not loaded (or has no snapshot of that OS version, or none
            that early).
    """
    choice = profile.store
    if choice.snapshot is None:
        program = choice.program
        first = records.snapshots(program)
        if choice.earlier and (not first or first[0].as_of > at):
            program = choice.earlier
        snapshot = records.snapshot_at(program, at)
        notes = [choice.earlier_because] if program != choice.program else []
        stale = staleness(snapshot, at)
        notes += [stale.describe()] if stale else []
        return snapshot, "; ".join(notes) or None
    shipped = [
        s
        for s in records.snapshots(choice.program)
        if (s.description or "").startswith(choice.snapshot)
    ]
    if not shipped:
        raise UsageError(
            f"no {choice.program} snapshot described as {choice.snapshot.strip()!r} is "
            "loaded (add the store's history with `trustgraph store add`)"
        )
    usable = [s for s in shipped if s.as_of <= at]
    if not usable:
        raise UsageError(
            f"{choice.snapshot.strip()}'s store is first known on {shipped[0].as_of[:10]}, "
            f"after {at[:10]}"
        )
    return usable[-1], None


def _preloaded(records: Records) -> Pool:
    fingerprints = list(records.preloaded("firefox"))
    return Pool(parse_stored(records.der_of(fingerprints).values()))


def parse_stored(ders: Iterable[bytes]) -> list[CertificateRecord]:
    """The stored certificates that parse (others cannot be a step of any path)."""
    return [record for record in map(_parsed_one, ders) if record is not None]


def _parsed_one(der: bytes) -> CertificateRecord | None:
    try:
        return parse_certificate(der)
    except CertificateParseError:
        return None  # stored bytes that do not parse cannot be a step of a path
