"""Clients: which ones accept a served chain, the path each takes and why one fails."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.clientevents import CaClients, ClientImpact, ClientTimeline
from trustgraph.analysis.clientjudge import Step
from trustgraph.analysis.clients import ClientsResult
from trustgraph.policy.clients import ClientProfile
from trustgraph.render.common import View
from trustgraph.render.formats import Report, Tabular, envelope, join_route

_SOURCE_MARK = {"served": "", "store": " (trusted)", "preloaded": " (preloaded)", "aia": " (AIA)"}


def _route(path: tuple[Step, ...]) -> str:
    return join_route([f"{step.label}{_SOURCE_MARK.get(step.source, '')}" for step in path])


def clients_view(result: ClientsResult, provenance: dict[str, Any]) -> View:
    """The answer as a JSON document and as a report: one row per client, then the served
    chain."""
    names = [answer.profile.name for answer in result.answers]
    document = envelope(
        "clients", {"at": result.at, "clients": names}, provenance, result.as_dict()
    )
    accepted = sum(answer.outcome == "ok" for answer in result.answers)
    outcomes = Tabular(
        f"{accepted} of {len(result.answers)} clients accept the chain of "
        f"{document['served'][0]['subject']} at {result.at[:10]}",
        ["client", "outcome", "path (anchor last)", "reason", "store"],
        section="clients",
    )
    for answer in result.answers:
        store = (
            f"{answer.store.snapshot.store} {answer.store.snapshot.as_of[:10]}"
            if answer.store
            else ""
        )
        path = _route(answer.verdict.path) if answer.verdict else ""
        outcomes.add(
            [answer.profile.name, answer.outcome, path, answer.reason or "", store],
            answer.caveats(),
        )
    served = Tabular(
        "The chain as served (end certificate first)",
        ["position", "subject", "issuer", "not after", "sha256"],
        section="served chain",
    )
    for position, row in enumerate(document["served"]):
        served.add([position, row["subject"], row["issuer"], row["not_after"][:10], row["sha256"]])
    return document, Report([outcomes, served], notes=list(result.assumptions))


def profiles_view(profiles: list[ClientProfile]) -> View:
    """Every client profile, its switches and sources."""
    document = envelope(
        "clients-list", {}, {}, {"profiles": [profile.as_dict() for profile in profiles]}
    )
    table = Tabular(
        f"{len(profiles)} client profiles",
        ["client", "title", "store", "issuer order", "alternatives", "anchor expiry", "extras"],
    )
    for profile in profiles:
        behaviour = profile.behaviour
        extras = [
            name
            for name, on in (
                ("AIA", behaviour.fetches_aia),
                ("preloaded intermediates", behaviour.preloaded_intermediates),
            )
            if on
        ]
        table.add(
            [
                profile.name,
                profile.title,
                profile.store.describe(),
                str(behaviour.issuer_order),
                str(behaviour.alternatives),
                "checked" if behaviour.checks_anchor_validity else "not checked",
                ", ".join(extras),
            ],
            [f"{c.about}: {c.source}" for c in profile.citations],
        )
    return document, table


def client_timeline_part(timeline: ClientTimeline) -> Tabular:
    """When each client's outcome on each served chain changes, from the first date."""
    table = Tabular(
        f"Clients from {timeline.since[:10]} to {timeline.until[:10]}: "
        f"{len(timeline.changes())} changes on {len(timeline.chains)} served chains",
        ["client", "served chain", "from", "until", "outcome", "reason", "leaves refused"],
        section="clients",
    )
    for span in timeline.spans:
        table.add(
            [
                span.client,
                span.chain.label,
                span.start[:10],
                span.end[:10] if span.end else "",
                span.outcome,
                span.reason or "",
                span.leaves[0] if span.leaves else "",
            ]
        )
    table.notes.extend(timeline.limits)
    table.notes.extend(timeline.assumptions)
    table.notes.append(f"dates checked: {timeline.dates_checked} (every date an answer can change)")
    return table


def client_impact_parts(impact: ClientImpact) -> list[Tabular]:
    """Per client, what the scenario breaks; then each chain that breaks for a client."""
    leaves = impact.leaves_loaded
    summary = Tabular(
        f"Clients after the scenario ({impact.program}'s, applied to its clients) at "
        f"{impact.at[:10]}",
        [
            "client",
            "CAs broken",
            "CAs broken on some chains",
            "CAs mended",
            "leaves broken",
            "domains (at most)",
        ],
        section="clients",
    )
    for row in impact.summary():
        summary.add(
            [
                row["client"],
                row["cas_broken"],
                row["cas_broken_on_some_chains"],
                row["cas_mended"],
                row["leaves_broken"] if leaves else "",
                row["domains_broken_at_most"] if leaves else "",
            ]
        )
    if not leaves:
        summary.notes.append("no leaves are loaded: counts of certificates broken need `ct sync`")
    broken = Tabular(
        "Served chains that break or mend, by client",
        ["client", "served chain", "change", "reason (before / after)", "leaves broken"],
        section="clients: changed chains",
    )
    for item in impact.outcomes:
        if item.breaks or item.mends:
            broken.add(
                [
                    item.client,
                    item.chain.label,
                    "breaks" if item.breaks else "mends",
                    (item.after.reason if item.breaks else item.before.reason) or "",
                    item.leaves[0] if item.leaves else "",
                ]
            )
    broken.notes.extend(impact.limits)
    broken.notes.extend(impact.assumptions)
    return [summary, broken]


def with_client_parts(view: View, key: str, body: dict[str, Any], parts: list[Tabular]) -> View:
    """``view`` with the client answer added: under ``key`` in the document, as more
    parts of the report."""
    document, shown = view
    merged = (
        Report([*shown.parts], list(shown.notes), list(shown.shared))
        if isinstance(shown, Report)
        else Report([shown])
    )
    merged.parts.extend(parts)
    return {**document, key: body}, merged


def ca_clients_view(result: CaClients, provenance: dict[str, Any]) -> View:
    """One row per served chain and client."""
    document = envelope(
        "ca-clients",
        {"at": result.at, "configured": result.configured},
        provenance,
        result.as_dict(),
    )
    table = Tabular(
        f"Clients on {len(result.chains)} served chains at {result.at[:10]} "
        f"(set up {result.configured[:10]})",
        ["served chain", "client", "outcome", "path (anchor last)", "reason"],
    )
    for item in result.chains:
        for answer in item.answers:
            path = _route(answer.verdict.path) if answer.verdict else ""
            table.add(
                [item.chain.label, answer.profile.name, answer.outcome, path, answer.reason or ""],
                answer.caveats(),
            )
    table.notes.extend(result.limits)
    table.notes.extend(result.assumptions)
    if not result.chains:
        table.notes.append("the target's CAs have no loaded certificate to serve")
    return document, table
