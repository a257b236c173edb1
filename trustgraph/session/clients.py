"""A session's questions about real clients: which accept a served chain, the chains
servers send for a CA, how each client's answer changes over time and with a scenario."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from trustgraph.core.progress import Progress
from trustgraph.core.times import When, as_iso
from trustgraph.errors import UsageError
from trustgraph.session.base import SessionBase

if TYPE_CHECKING:
    from trustgraph.analysis.clientevents import CaClients, ClientImpact, ClientTimeline
    from trustgraph.analysis.clients import ClientsResult
    from trustgraph.analysis.impact import ImpactResult

MAX_CLIENT_CAS = 50
"""CAs of one target a client timeline follows (the rest are named as a limit)."""
MAX_IMPACT_CAS = 1000
"""CAs a scenario's client answer checks (watched and collateral first; the rest are named
as a limit)."""


class ClientMethods(SessionBase):
    """The questions a session answers about clients."""

    def clients(
        self,
        chain: Sequence[bytes] | str | os.PathLike[str],
        *,
        at: When = None,
        clients: Sequence[str] = (),
        sct_time: When | None = None,
    ) -> ClientsResult:
        """Which clients accept ``chain`` as a server sends it (the end certificate first,
        any order after it) at ``at``: each client profile's outcome, the path it takes and
        why it fails (see :mod:`trustgraph.policy.clients` for the profiles; ``clients``
        names them, ``("all",)`` for every one, none for the default set). ``chain`` is DER
        certificates or a PEM/DER file; ``sct_time`` the end certificate's SCT time, for
        SCT cut-offs.

        Raises:
            UsageError: a client name is unknown, or the chain is empty or unreadable.
        """
        from trustgraph.analysis.clients import evaluate_clients, read_served
        from trustgraph.policy.clients import client_profiles

        profiles = client_profiles(list(clients))
        if isinstance(chain, str | os.PathLike):
            ders, origin = _served_chain_file(Path(chain)), str(chain)
        else:
            ders, origin = list(chain), "chain"
        served = read_served(ders, origin)
        sct = as_iso(sct_time) if sct_time is not None else None
        return evaluate_clients(self.records, served, as_iso(at), profiles, sct)

    def ca_clients(
        self,
        target: str,
        *,
        at: When = None,
        configured: When | None = None,
        clients: Sequence[str] = (),
    ) -> CaClients:
        """Which clients accept, at ``at``, the chains servers send for ``target``'s CAs as
        commonly configured at ``configured`` (default: ``at``; see
        :mod:`trustgraph.analysis.servedchains`).

        Raises:
            UsageError: a client name is unknown.
            TargetError: ``target`` matches nothing.
        """
        from trustgraph.analysis.clientevents import ca_clients as answers_for
        from trustgraph.policy.clients import client_profiles

        when = as_iso(at)
        set_up = as_iso(configured) if configured is not None else when
        cas, bounded = self._client_cas(target, when)
        result = answers_for(self.records, cas, client_profiles(list(clients)), when, set_up)
        return replace(result, limits=(*result.limits, *bounded))

    def client_timeline(
        self,
        target: str,
        *,
        since: When,
        until: When = None,
        clients: Sequence[str] = (),
    ) -> ClientTimeline:
        """Each client's outcome from ``since`` to ``until`` on the chains servers send for
        ``target``'s CAs (as set up at ``since``; see
        :mod:`trustgraph.analysis.servedchains`), with the dates it changes.

        Raises:
            UsageError: a client name is unknown, or ``since`` is not before ``until``.
            TargetError: ``target`` matches nothing.
        """
        from trustgraph.analysis.clientevents import client_timeline as timeline_of
        from trustgraph.policy.clients import client_profiles

        first, last = as_iso(since), as_iso(until)
        if first >= last:
            raise UsageError(
                f"the client range must start before it ends ({first} >= {last})",
                parameters=("since", "until"),
                value=first,
            )
        cas, bounded = self._client_cas(target, last)
        result = timeline_of(self.records, cas, client_profiles(list(clients)), first, last)
        return replace(result, limits=(*result.limits, *bounded))

    def client_impact(
        self,
        result: ImpactResult,
        *,
        clients: Sequence[str] = (),
        progress: Progress | None = None,
    ) -> ClientImpact:
        """Each client's outcome before and after ``result``'s scenario on the chains
        servers send for the CAs it touches (the watched ones, the collateral, and every CA
        below a removed anchor or a revoked certificate, which an ideal path builder may
        still reach but a client may not): the scenario applies to the clients of its
        program; with leaves loaded, the leaves each client loses.

        Raises:
            UsageError: a client name is unknown.
        """
        from trustgraph.analysis.clientevents import client_impact as impact_of
        from trustgraph.analysis.clients import StoreEdit
        from trustgraph.analysis.impact import below, revoked_by
        from trustgraph.policy.clients import client_profiles

        cas = list(
            dict.fromkeys([w.ca for w in result.watched] + [c.ca for c in result.collateral])
        )
        revoked = frozenset(revoked_by(self.records, result.scenario))
        starts = set(result.removed) | self.records.cas_of_certificates(revoked)
        cas += sorted(below(self.records, starts, result.rules.max_depth) - set(cas))
        edit = StoreEdit(result.store, frozenset(result.removed), revoked)
        profiles = client_profiles(list(clients))
        found = impact_of(self.records, cas[:MAX_IMPACT_CAS], profiles, result.at, edit, progress)
        if len(cas) > MAX_IMPACT_CAS:
            limit = f"{len(cas)} CAs are touched: the first {MAX_IMPACT_CAS} were checked"
            found = replace(found, limits=(*found.limits, limit))
        return found

    def _client_cas(self, target: str, at: str) -> tuple[list[str], tuple[str, ...]]:
        """The CAs of ``target`` a client answer follows, and the bound it hit (if any).

        Raises:
            TargetError: ``target`` matches nothing.
        """
        cas = sorted(self.records.resolve_target(target, at).cas)
        if len(cas) <= MAX_CLIENT_CAS:
            return cas, ()
        bound = f"{len(cas)} CAs match {target!r}: the first {MAX_CLIENT_CAS} were checked"
        return cas[:MAX_CLIENT_CAS], (bound,)


def _served_chain_file(path: Path) -> list[bytes]:
    """The certificates of a served-chain file, in their order.

    Raises:
        UsageError: a part of the file is not a certificate (where, and why).
    """
    from trustgraph.ingest.sources import Problem, read_paths

    ders = []
    for item in read_paths([path]):
        if isinstance(item, Problem):
            raise UsageError(f"{item.location}: {item.reason}")
        ders.append(item.der)
    return ders
