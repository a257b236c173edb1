"""Clients: which ones accept a served chain, the path each takes and why one fails."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.clientpaths import Step
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
