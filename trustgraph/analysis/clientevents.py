"""Which clients break, and when: client profiles over the chains servers send for CAs
(:mod:`trustgraph.analysis.servedchains`), across a date range (a root's expiry or
removal) or before and after a root program's scenario (``impact``), with the unexpired
leaves each broken client loses where leaves are loaded.

A CA "works" for a client when the client accepts the chain; leaves are then judged one
by one only on what depends on each leaf (a store's distrust-after on its notBefore, an SCT
cut-off on its log time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from trustgraph.analysis.clients import (
    ClientAnswer,
    ClientBench,
    StoreEdit,
    assumptions_for,
    parse_stored,
)
from trustgraph.analysis.leaves import seconds
from trustgraph.analysis.servedchains import ASSUMPTION, ServedChain, served_chains
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.core.times import as_iso, parse_iso
from trustgraph.policy.clients import ClientProfile
from trustgraph.policy.stores import list_snapshots
from trustgraph.storage import certificates, leaves
from trustgraph.storage.database import Database
from trustgraph.x509.certificate import CertificateRecord
from trustgraph.x509.names import COMMON_NAME, display_name, first_value

MAX_CHAINS_PER_CA = 4
"""Served chains considered per CA (its certificates × long/short), the preferred first."""
MAX_DATES = 200
"""Dates a client timeline evaluates at most (event dates beyond are said, not checked)."""


@dataclass(frozen=True)
class ChainOf:
    """A served chain of one CA, with a label for people."""

    ca: str
    chain: ServedChain

    @property
    def label(self) -> str:
        certificates = self.chain.certificates
        names = " < ".join(_short(r) for r in certificates)
        top = certificates[-1]
        by = "itself" if top.self_issued else first_value(top.issuer, COMMON_NAME) or "?"
        return f"{self.chain.variant} ({certificates[0].sha256[:8]}): {names} (by {by})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ca": self.ca,
            "variant": self.chain.variant,
            "certificates": [
                {"sha256": r.sha256, "subject": display_name(r.subject)}
                for r in self.chain.certificates
            ],
        }


def chains_of_cas(
    db: Database, cas: Sequence[str], configured: str
) -> tuple[dict[str, list[ChainOf]], list[str]]:
    """The served chains of each CA's certificates as set up at ``configured``, and what
    was bounded (CAs with more chains than :data:`MAX_CHAINS_PER_CA`)."""
    moment = parse_iso(configured)
    assert moment is not None
    cache: dict[str, list[CertificateRecord]] = {}

    def lookup(subject_key: str) -> list[CertificateRecord]:
        if subject_key not in cache:
            cache[subject_key] = parse_stored(certificates.ca_ders_named(db, subject_key))
        return cache[subject_key]

    found: dict[str, list[ChainOf]] = {}
    bounded = []
    by_ca: dict[str, list[CertificateRecord]] = {}
    for record in parse_stored(certificates.ders_of_cas(db, cas).values()):
        by_ca.setdefault(record.ca_id, []).append(record)
    for ca in cas:
        starts = sorted(
            by_ca.get(ca, []),
            key=lambda r: (not r.not_before <= moment <= r.not_after, -r.not_after.timestamp()),
        )
        chains: dict[tuple[str, ...], ChainOf] = {}
        for start in starts:
            for chain in served_chains(start, lookup, moment):
                chains.setdefault(chain.key, ChainOf(ca, chain))
        ordered = list(chains.values())
        if len(ordered) > MAX_CHAINS_PER_CA:
            bounded.append(ca)
        found[ca] = ordered[:MAX_CHAINS_PER_CA]
    return found, bounded


# -- over a date range -------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A client's outcome on one chain from one date to the next change."""

    client: str
    chain: ChainOf
    start: str
    end: str | None
    outcome: str
    reason: str | None
    leaves: tuple[int, int] | None = None
    """For a failing span with leaves loaded: the CA's unexpired leaves (and registered
    domains) at its start, which this client refuses on this chain."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "chain": self.chain.label,
            "ca": self.chain.ca,
            "from": self.start,
            "until": self.end,
            "outcome": self.outcome,
            "reason": self.reason,
            "leaves_refused": self.leaves[0] if self.leaves else None,
            "domains_refused": self.leaves[1] if self.leaves else None,
        }


@dataclass(frozen=True)
class ClientTimeline:
    since: str
    until: str
    chains: tuple[ChainOf, ...]
    spans: tuple[Span, ...]
    dates_checked: int
    limits: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def changes(self) -> list[Span]:
        """Every span after the first of its client and chain: the events."""
        seen: set[tuple[str, tuple[str, ...]]] = set()
        found = []
        for span in self.spans:
            key = (span.client, span.chain.chain.key)
            if key in seen:
                found.append(span)
            seen.add(key)
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "chains": [c.as_dict() for c in self.chains],
            "spans": [s.as_dict() for s in self.spans],
            "dates_checked": self.dates_checked,
            "limits": list(self.limits),
            "assumptions": list(self.assumptions),
        }


def client_timeline(
    db: Database,
    cas: Sequence[str],
    profiles: Sequence[ClientProfile],
    since: str,
    until: str,
) -> ClientTimeline:
    """Each client's outcome on each served chain of ``cas`` (set up at ``since``) from
    ``since`` to ``until``, evaluated at every date something can change: a certificate of
    a chain or a root of the same names starting or ending, a store snapshot."""
    chain_map, bounded = chains_of_cas(db, cas, since)
    chains = [c for ca in cas for c in chain_map.get(ca, [])]
    bench = ClientBench(db)
    dates = _event_dates(db, chains, profiles, since, until)
    limits = [f"more than {MAX_CHAINS_PER_CA} served chains for {ca}" for ca in bounded]
    if len(dates) > MAX_DATES:
        limits.append(f"{len(dates)} event dates: the first {MAX_DATES} were checked")
        dates = dates[:MAX_DATES]
    spans: list[Span] = []
    for profile in profiles:
        for chain in chains:
            spans.extend(_spans(bench, profile, chain, dates, until))
    if leaves.leaf_count(db) > 0:
        spans = [
            replace(s, leaves=leaves.unexpired_of(db, [s.chain.ca], seconds(s.start)))
            if s.outcome == "fails"
            else s
            for s in spans
        ]
    assumptions = (ASSUMPTION, *assumptions_for(profiles))
    return ClientTimeline(
        since, until, tuple(chains), tuple(spans), len(dates), tuple(limits), assumptions
    )


def _spans(
    bench: ClientBench, profile: ClientProfile, chain: ChainOf, dates: list[str], until: str
) -> list[Span]:
    spans: list[Span] = []
    for date in dates:
        answer = bench.answer(profile, chain.chain.certificates, date, judge_end=False)
        if spans and (spans[-1].outcome, spans[-1].reason) == (answer.outcome, answer.reason):
            continue
        if spans:
            spans[-1] = replace(spans[-1], end=date)
        spans.append(Span(profile.name, chain, date, None, answer.outcome, answer.reason))
    return spans


def _event_dates(
    db: Database,
    chains: Sequence[ChainOf],
    profiles: Sequence[ClientProfile],
    since: str,
    until: str,
) -> list[str]:
    """``since`` and every moment in the range where an answer can change."""
    moments = {since}
    names: set[str] = set()
    for chain in chains:
        for record in chain.chain.certificates:
            names.update((record.subject_key, record.issuer_key))
            moments.update(_validity_edges(record))
    for key in names:
        for record in parse_stored(certificates.ca_ders_named(db, key)):
            moments.update(_validity_edges(record))
    for profile in profiles:
        for program in filter(None, (profile.store.program, profile.store.earlier)):
            moments.update(s.as_of for s in list_snapshots(db, program))
    return sorted(m for m in moments if since <= m <= until)


def _validity_edges(record: CertificateRecord) -> tuple[str, str]:
    return as_iso(record.not_before), as_iso(record.not_after + timedelta(seconds=1))


# -- before and after a scenario -----------------------------------------------------------


@dataclass(frozen=True)
class ChainOutcome:
    """One client on one served chain of a CA, before and after the scenario, with the
    unexpired leaves of the CA it loses."""

    client: str
    chain: ChainOf
    before: ClientAnswer
    after: ClientAnswer
    leaves: tuple[int, int] | None = None
    """(leaves, registered domains) that stop working for this client (None: none loaded)."""

    @property
    def breaks(self) -> bool:
        return self.before.outcome == "ok" and self.after.outcome != "ok"

    @property
    def mends(self) -> bool:
        """The chain fails before the scenario and works after (a removed root the client
        used to build into, as OpenSSL 1.0.2 did into DST Root CA X3)."""
        return self.before.outcome == "fails" and self.after.outcome == "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "chain": self.chain.label,
            "ca": self.chain.ca,
            "before": self.before.outcome,
            "after": self.after.outcome,
            "reason_after": self.after.reason,
            "breaks": self.breaks,
            "mends": self.mends,
            "leaves_broken": self.leaves[0] if self.leaves else None,
            "domains_broken": self.leaves[1] if self.leaves else None,
        }


@dataclass(frozen=True)
class ClientImpact:
    """Every client's outcome on the served chains of the CAs a scenario touches."""

    at: str
    program: str
    outcomes: tuple[ChainOutcome, ...]
    limits: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    leaves_loaded: bool = False

    def summary(self) -> list[dict[str, Any]]:
        """Per client: the CAs whose every chain breaks, those broken on some chains only,
        and the leaves lost whatever chain the server sends (the least over a CA's
        chains, summed over CAs; domains may repeat across CAs)."""
        rows = []
        for client in dict.fromkeys(o.client for o in self.outcomes):
            by_ca: dict[str, list[ChainOutcome]] = {}
            for item in self.outcomes:
                if item.client == client:
                    by_ca.setdefault(item.chain.ca, []).append(item)
            every = [ca for ca, items in by_ca.items() if _all_break(items)]
            some = [ca for ca, items in by_ca.items() if ca not in every and _any_break(items)]
            lost = [min(i.leaves or (0, 0) for i in items) for items in by_ca.values()]
            mended = [ca for ca, items in by_ca.items() if any(i.mends for i in items)]
            rows.append(
                {
                    "client": client,
                    "cas_broken": len(every),
                    "cas_broken_on_some_chains": len(some),
                    "cas_mended": len(mended),
                    "leaves_broken": sum(n for n, _ in lost) if self.leaves_loaded else None,
                    "domains_broken_at_most": (
                        sum(d for _, d in lost) if self.leaves_loaded else None
                    ),
                }
            )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "program": self.program,
            "summary": self.summary(),
            "outcomes": [o.as_dict() for o in self.outcomes],
            "limits": list(self.limits),
            "assumptions": list(self.assumptions),
        }


def _any_break(items: list[ChainOutcome]) -> bool:
    return any(i.breaks for i in items)


def _all_break(items: list[ChainOutcome]) -> bool:
    """Whether a CA worked for the client before on some chain, and on none after."""
    return any(i.before.outcome == "ok" for i in items) and all(
        i.after.outcome != "ok" for i in items
    )


def client_impact(
    db: Database,
    cas: Sequence[str],
    profiles: Sequence[ClientProfile],
    at: str,
    edit: StoreEdit,
    progress: Progress | None = None,
) -> ClientImpact:
    """Each client's outcome on the served chains of ``cas`` at ``at`` before and after
    ``edit`` (applied to the clients of its program); with leaves loaded, the unexpired
    leaves (and registered domains) of each CA a client loses."""
    progress = progress or NullProgress()
    chain_map, bounded = chains_of_cas(db, cas, at)
    bench = ClientBench(db)
    loaded = leaves.leaf_count(db) > 0
    outcomes = []
    progress.start("clients on the served chains", len(profiles))
    for profile in profiles:
        progress.advance(1)
        for ca in cas:
            for chain in chain_map.get(ca, []):
                before = bench.answer(profile, chain.chain.certificates, at, judge_end=False)
                after = bench.answer(
                    profile, chain.chain.certificates, at, edit=edit, judge_end=False
                )
                counted = _leaves_lost(db, ca, at, before, after) if loaded else None
                outcomes.append(ChainOutcome(profile.name, chain, before, after, counted))
    progress.finish()
    limits = tuple(f"more than {MAX_CHAINS_PER_CA} served chains for {ca}" for ca in bounded)
    assumptions = (ASSUMPTION, *assumptions_for(profiles))
    return ClientImpact(at, edit.program, tuple(outcomes), limits, assumptions, loaded)


def _leaves_lost(
    db: Database, ca: str, at: str, before: ClientAnswer, after: ClientAnswer
) -> tuple[int, int]:
    """The unexpired leaves of ``ca`` that worked before and do not after: all of them when
    the chain breaks; else those the anchor's partial distrust catches after and did not
    before."""
    if before.outcome != "ok":
        return 0, 0
    broken_after = _broken(db, ca, at, after)
    broken_before = _broken(db, ca, at, before)
    return (
        max(0, broken_after[0] - broken_before[0]),
        max(0, broken_after[1] - broken_before[1]),
    )


def _broken(db: Database, ca: str, at: str, answer: ClientAnswer) -> tuple[int, int]:
    """The unexpired leaves of ``ca`` the client refuses with this answer on its chain."""
    if answer.verdict is None or not answer.verdict.ok:
        return leaves.unexpired_of(db, [ca], seconds(at))
    distrust_after, sct_cut_off = answer.verdict.cutoffs
    if distrust_after is None and sct_cut_off is None:
        return 0, 0
    return leaves.unexpired_of(
        db,
        [ca],
        seconds(at),
        issued_after=seconds(distrust_after) if distrust_after else None,
        logged_after=seconds(sct_cut_off) * 1000 if sct_cut_off else None,
    )


def _short(record: CertificateRecord) -> str:
    return first_value(record.subject, COMMON_NAME) or display_name(record.subject)


# -- the chains of a CA, at one date --------------------------------------------------------


@dataclass(frozen=True)
class ChainAnswers:
    """Every client's answer on one served chain of a CA."""

    chain: ChainOf
    answers: tuple[ClientAnswer, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.chain.as_dict(),
            "label": self.chain.label,
            "clients": [answer.as_dict() for answer in self.answers],
        }


@dataclass(frozen=True)
class CaClients:
    """Which clients accept the chains servers send for a target's CAs at one date."""

    at: str
    configured: str
    chains: tuple[ChainAnswers, ...]
    limits: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def caveats(self) -> list[str]:
        return list(
            dict.fromkeys(c for item in self.chains for a in item.answers for c in a.caveats())
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "configured": self.configured,
            "chains": [item.as_dict() for item in self.chains],
            "limits": list(self.limits),
            "assumptions": list(self.assumptions),
            "caveats": self.caveats(),
        }


def ca_clients(
    db: Database,
    cas: Sequence[str],
    profiles: Sequence[ClientProfile],
    at: str,
    configured: str,
) -> CaClients:
    """Each client's answer at ``at`` on the chains servers set up at ``configured`` send
    for ``cas`` (a leaf of the CA valid at ``at`` stands for its leaves)."""
    chain_map, bounded = chains_of_cas(db, cas, configured)
    bench = ClientBench(db)
    found = tuple(
        ChainAnswers(
            chain,
            tuple(bench.answer(p, chain.chain.certificates, at, judge_end=False) for p in profiles),
        )
        for ca in cas
        for chain in chain_map.get(ca, [])
    )
    limits = tuple(f"more than {MAX_CHAINS_PER_CA} served chains for {ca}" for ca in bounded)
    return CaClients(at, configured, found, limits, (ASSUMPTION, *assumptions_for(profiles)))
