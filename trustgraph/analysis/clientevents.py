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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from trustgraph.analysis.clients import (
    ClientAnswer,
    ClientBench,
    StoreEdit,
    assumptions_for,
    parse_stored,
)
from trustgraph.analysis.leaves import seconds
from trustgraph.analysis.records import Records
from trustgraph.analysis.servedchains import ASSUMPTION, LOGGED, ServedChain, served_chains
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.core.times import as_iso, parse_iso
from trustgraph.policy.clients import ClientProfile
from trustgraph.x509.certificate import CertificateRecord
from trustgraph.x509.names import COMMON_NAME, display_name, first_value

MAX_CHAINS_PER_CA = 4
"""Served chains considered per CA (its certificates × long/short), the preferred first."""
LOGGED_ASSUMPTION = (
    "leaves from CT are judged on the chain logged with them ('logged': what the submitter "
    "had, often what its server sends); a leaf logged with several chains is lost when one "
    "of them breaks"
)
MAX_DATES = 200
"""Dates a client timeline evaluates at most (event dates beyond are said, not checked)."""


@dataclass(frozen=True)
class ChainOf:
    """A served chain of one CA, with a label for people."""

    ca: str
    chain: ServedChain
    logged_id: int | None = None
    """The id of the logged chain it is (None: a chain as commonly configured)."""
    logged_leaves: int = 0
    """How many of the CA's unexpired leaves were logged with it."""

    @property
    def label(self) -> str:
        certificates = self.chain.certificates
        names = " < ".join(_short(r) for r in certificates)
        top = certificates[-1]
        by = "itself" if top.self_issued else first_value(top.issuer, COMMON_NAME) or "?"
        count = f", {self.logged_leaves} leaves" if self.logged_id is not None else ""
        return f"{self.chain.variant} ({certificates[0].sha256[:8]}{count}): {names} (by {by})"

    @property
    def leaf_filter(self) -> list[int | None]:
        """The leaves it stands for: those logged with it, or (a configured chain) those
        whose chain is not known."""
        return [self.logged_id]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ca": self.ca,
            "variant": self.chain.variant,
            "logged_leaves": self.logged_leaves if self.logged_id is not None else None,
            "certificates": [
                {"sha256": r.sha256, "subject": display_name(r.subject)}
                for r in self.chain.certificates
            ],
        }


def chains_of_cas(
    records: Records, cas: Sequence[str], configured: str
) -> tuple[dict[str, list[ChainOf]], list[str]]:
    """The served chains of each CA's certificates as set up at ``configured``, and what
    was bounded (CAs with more chains than :data:`MAX_CHAINS_PER_CA`)."""
    moment = parse_iso(configured)
    assert moment is not None
    cache: dict[str, list[CertificateRecord]] = {}

    def lookup(subject_key: str) -> list[CertificateRecord]:
        if subject_key not in cache:
            cache[subject_key] = parse_stored(records.ca_ders_named(subject_key))
        return cache[subject_key]

    found: dict[str, list[ChainOf]] = {}
    bounded = []
    by_ca: dict[str, list[CertificateRecord]] = {}
    for record in parse_stored(records.ders_of_cas(cas).values()):
        by_ca.setdefault(record.ca_id, []).append(record)
    for ca in cas:
        starts = _starts(by_ca.get(ca, []), moment)
        chains: dict[tuple[str, ...], ChainOf] = {}
        for start in starts:
            for chain in served_chains(start, lookup, moment):
                chains.setdefault(chain.key, ChainOf(ca, chain))
        ordered = list(chains.values())
        if len(ordered) > MAX_CHAINS_PER_CA:
            bounded.append(ca)
        found[ca] = ordered[:MAX_CHAINS_PER_CA]
    return found, bounded


def _starts(certificates: list[CertificateRecord], moment: datetime) -> list[CertificateRecord]:
    """The CA's certificates a server set up at ``moment`` would send first: those valid
    then (all of them if none is), latest expiry first."""
    valid = [r for r in certificates if r.not_before <= moment <= r.not_after]
    return sorted(valid or certificates, key=lambda r: (-r.not_after.timestamp(), r.sha256))


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
    records: Records,
    cas: Sequence[str],
    profiles: Sequence[ClientProfile],
    since: str,
    until: str,
) -> ClientTimeline:
    """Each client's outcome on each served chain of ``cas`` (those their leaves were logged
    with, then those set up at ``since``) from ``since`` to ``until``, evaluated at every
    date something can change: a certificate of a chain or a root of the same names
    starting or ending, a store snapshot."""
    chain_map, bounded = chains_of_cas(records, cas, since)
    loaded = records.leaf_count() > 0
    if loaded:
        chain_map = _with_logged(records, cas, since, chain_map)
    chains = [c for ca in cas for c in chain_map.get(ca, [])]
    bench = ClientBench(records)
    dates = _event_dates(records, chains, profiles, since, until)
    limits = [f"more than {MAX_CHAINS_PER_CA} served chains for {ca}" for ca in bounded]
    if len(dates) > MAX_DATES:
        limits.append(f"{len(dates)} event dates: the first {MAX_DATES} were checked")
        dates = dates[:MAX_DATES]
    spans: list[Span] = []
    for profile in profiles:
        for chain in chains:
            spans.extend(_spans(bench, profile, chain, dates, until))
    if loaded:
        spans = [
            replace(s, leaves=_refused(records, s.chain, s.start)) if s.outcome == "fails" else s
            for s in spans
        ]
    assumptions = _assumptions(profiles, chains)
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


def _refused(records: Records, chain: ChainOf, start: str) -> tuple[int, int]:
    """The unexpired leaves (and domains) at ``start`` that ``chain`` stands for."""
    return records.unexpired_of([chain.ca], seconds(start), chains=chain.leaf_filter)


def _event_dates(
    records: Records,
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
        for record in parse_stored(records.ca_ders_named(key)):
            moments.update(_validity_edges(record))
    for profile in profiles:
        for program in filter(None, (profile.store.program, profile.store.earlier)):
            moments.update(s.as_of for s in records.snapshots(program))
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
    lost: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(client, CA) -> the CA's unexpired leaves and registered domains the client loses
    (see :func:`client_impact`)."""

    def summary(self) -> list[dict[str, Any]]:
        """Per client: the CAs whose every chain breaks, those broken on some chains only,
        those mended, and the leaves lost (summed over CAs; domains may repeat across
        CAs)."""
        rows = []
        for client in dict.fromkeys(o.client for o in self.outcomes):
            by_ca: dict[str, list[ChainOutcome]] = {}
            for item in self.outcomes:
                if item.client == client:
                    by_ca.setdefault(item.chain.ca, []).append(item)
            every = [ca for ca, items in by_ca.items() if _all_break(items)]
            some = [ca for ca, items in by_ca.items() if ca not in every and _any_break(items)]
            lost = [self.lost.get((client, ca), (0, 0)) for ca in by_ca]
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


def _lost_whatever_served(records: Records, items: list[ChainOutcome], at: str) -> tuple[int, int]:
    """A CA's leaves a client loses: those logged with a chain that breaks (each leaf
    once, whichever of its chains breaks), plus those a partial distrust catches on a
    logged chain that still works, plus, of the leaves logged without a chain, the fewest
    any configured chain loses."""
    logged = [i for i in items if i.chain.logged_id is not None]
    broken = [i.chain.logged_id for i in logged if i.breaks]
    whole = records.unexpired_of([items[0].chain.ca], seconds(at), chains=broken)
    partial = [i.leaves or (0, 0) for i in logged if not i.breaks]
    configured = [i.leaves or (0, 0) for i in items if i.chain.logged_id is None]
    least = min(configured, default=(0, 0))
    return (
        (whole[0] if broken else 0) + sum(n for n, _ in partial) + least[0],
        (whole[1] if broken else 0) + sum(d for _, d in partial) + least[1],
    )


def _any_break(items: list[ChainOutcome]) -> bool:
    return any(i.breaks for i in items)


def _all_break(items: list[ChainOutcome]) -> bool:
    """Whether a CA worked for the client before on some chain, and on none after."""
    return any(i.before.outcome == "ok" for i in items) and all(
        i.after.outcome != "ok" for i in items
    )


def client_impact(
    records: Records,
    cas: Sequence[str],
    profiles: Sequence[ClientProfile],
    at: str,
    edit: StoreEdit,
    progress: Progress | None = None,
) -> ClientImpact:
    """Each client's outcome on the served chains of ``cas`` at ``at`` before and after
    ``edit`` (applied to the clients of its program); with leaves loaded, the unexpired
    leaves (and registered domains) of each CA a client loses: those logged with a chain
    (a CT entry) judged on that chain, the others on the chains commonly configured."""
    progress = progress or NullProgress()
    chain_map, bounded = chains_of_cas(records, cas, at)
    loaded = records.leaf_count() > 0
    if loaded:
        chain_map = _with_logged(records, cas, at, chain_map)
    bench = ClientBench(records)
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
                counted = _leaves_lost(records, chain, at, before, after) if loaded else None
                outcomes.append(ChainOutcome(profile.name, chain, before, after, counted))
    progress.finish()
    lost = {}
    if loaded:
        grouped: dict[tuple[str, str], list[ChainOutcome]] = {}
        for item in outcomes:
            grouped.setdefault((item.client, item.chain.ca), []).append(item)
        lost = {key: _lost_whatever_served(records, items, at) for key, items in grouped.items()}
    limits = tuple(f"more than {MAX_CHAINS_PER_CA} served chains for {ca}" for ca in bounded)
    assumptions = _assumptions(profiles, [item.chain for item in outcomes])
    return ClientImpact(at, edit.program, tuple(outcomes), limits, assumptions, loaded, lost)


def _assumptions(profiles: Sequence[ClientProfile], chains: Sequence[ChainOf]) -> tuple[str, ...]:
    """What the answer assumes: configured chains, AIA, and logged chains when used."""
    logged = any(chain.logged_id is not None for chain in chains)
    return (ASSUMPTION, *assumptions_for(profiles), *((LOGGED_ASSUMPTION,) if logged else ()))


def _with_logged(
    records: Records, cas: Sequence[str], at: str, configured: dict[str, list[ChainOf]]
) -> dict[str, list[ChainOf]]:
    """Each CA's logged chains first, then its configured ones."""
    logged = logged_chains(records, cas, at)
    return {ca: [*logged.get(ca, []), *configured.get(ca, [])] for ca in cas}


def logged_chains(records: Records, cas: Sequence[str], at: str) -> dict[str, list[ChainOf]]:
    """The chains the unexpired leaves of ``cas`` at ``at`` were logged with (CT entries),
    each with the number of leaves logged with it; a chain whose certificates are not all
    loaded is left out (its leaves are not counted on it)."""
    found: dict[str, list[ChainOf]] = {}
    for ca in cas:
        counts = records.unexpired_by_chain([ca], seconds(at))
        ids = [chain for chain in counts if chain is not None]
        prints = records.leaf_chains(ids)
        ders = records.der_of({fp for fps in prints.values() for fp in fps})
        for chain_id in sorted(ids, key=lambda c: -counts[c]):
            if not all(fp in ders for fp in prints[chain_id]):
                continue
            certificates = tuple(parse_stored(ders[fp] for fp in prints[chain_id]))
            served = ServedChain(LOGGED, certificates)
            found.setdefault(ca, []).append(ChainOf(ca, served, chain_id, counts[chain_id]))
    return found


def _leaves_lost(
    records: Records, chain: ChainOf, at: str, before: ClientAnswer, after: ClientAnswer
) -> tuple[int, int]:
    """The unexpired leaves ``chain`` stands for that worked before and do not after: all
    of them when it breaks; else those the anchor's partial distrust catches after and did
    not before."""
    if before.outcome != "ok":
        return 0, 0
    broken_after = _broken(records, chain, at, after)
    broken_before = _broken(records, chain, at, before)
    return (
        max(0, broken_after[0] - broken_before[0]),
        max(0, broken_after[1] - broken_before[1]),
    )


def _broken(records: Records, chain: ChainOf, at: str, answer: ClientAnswer) -> tuple[int, int]:
    """The unexpired leaves ``chain`` stands for that the client refuses with this answer."""
    if answer.verdict is None or not answer.verdict.ok:
        return records.unexpired_of([chain.ca], seconds(at), chains=chain.leaf_filter)
    distrust_after, sct_cut_off = answer.verdict.cutoffs
    if distrust_after is None and sct_cut_off is None:
        return 0, 0
    return records.unexpired_of(
        [chain.ca],
        seconds(at),
        issued_after=seconds(distrust_after) if distrust_after else None,
        logged_after=seconds(sct_cut_off) * 1000 if sct_cut_off else None,
        chains=chain.leaf_filter,
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
    records: Records,
    cas: Sequence[str],
    profiles: Sequence[ClientProfile],
    at: str,
    configured: str,
) -> CaClients:
    """Each client's answer at ``at`` on the chains the unexpired leaves of ``cas`` were
    logged with (CT entries, when leaves are loaded), then on those servers set up at
    ``configured`` send (a leaf of the CA valid at ``at`` stands for its leaves)."""
    chain_map, bounded = chains_of_cas(records, cas, configured)
    if records.leaf_count() > 0:
        chain_map = _with_logged(records, cas, at, chain_map)
    bench = ClientBench(records)
    found = tuple(
        ChainAnswers(
            chain,
            tuple(bench.answer(p, chain.chain.certificates, at, judge_end=False) for p in profiles),
        )
        for ca in cas
        for chain in chain_map.get(ca, [])
    )
    limits = tuple(f"more than {MAX_CHAINS_PER_CA} served chains for {ca}" for ca in bounded)
    assumptions = _assumptions(profiles, [item.chain for item in found])
    return CaClients(at, configured, found, limits, assumptions)
