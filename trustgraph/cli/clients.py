"""``trustgraph clients``: which clients accept a chain as a server sends it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustgraph.cli.common import (
    AtOption,
    DbOption,
    FormatOption,
    OutputFormat,
    app,
    handle_errors,
    open_session,
)
from trustgraph.errors import UsageError
from trustgraph.render.formats import render


@app.command()
@handle_errors
def clients(
    chain: Annotated[
        Path | None,
        typer.Argument(
            help="The chain a server sends: PEM or DER, end certificate first, any order "
            "after it (or give --ca).",
            show_default=False,
        ),
    ] = None,
    ca: Annotated[
        str | None,
        typer.Option(
            "--ca",
            help="Instead of CHAIN: the chains this CA's leaves were logged with in CT, "
            "then those servers send as commonly configured (a CA name, fingerprint, "
            "operator:NAME, ...).",
            show_default=False,
        ),
    ] = None,
    configured: Annotated[
        str | None,
        typer.Option(
            "--configured",
            help="With --ca: when the servers set up their chains [default: --at]",
            show_default=False,
        ),
    ] = None,
    client: Annotated[
        list[str] | None,
        typer.Option(
            "--client",
            help="A client profile (repeatable; `all` for every one; see `trustgraph "
            "clients-list`). [default: a set of OpenSSL, GnuTLS, LibreSSL, Android, "
            "Firefox, Chrome and Go]",
            show_default=False,
        ),
    ] = None,
    at: AtOption = None,
    sct_time: Annotated[
        str | None,
        typer.Option(
            "--sct-time",
            help="The end certificate's SCT time, for a store's SCT cut-offs (Chrome).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Which clients accept CHAIN at a date: for each client profile (a path-building
    behaviour and the root store it uses), the outcome, the path it takes and why it fails
    (an expired anchor on the path it chose, an unknown issuer, a distrust). With --ca, the
    same for the chains servers send for a CA's leaves. Exit 0 when every client accepts
    every chain, 1 when one fails or cannot be answered (its store is not loaded), 2 on bad
    input."""
    from trustgraph.render.clients import ca_clients_view, clients_view

    if (chain is None) == (ca is None):
        raise UsageError("give a CHAIN file or --ca TARGET (one of them)")
    with open_session(db) as session:
        if ca is not None:
            found = session.ca_clients(ca, at=at, configured=configured, clients=client or ())
            answers = [a for item in found.chains for a in item.answers]
            document, table = ca_clients_view(found, session.provenance())
        else:
            assert chain is not None
            result = session.clients(chain, at=at, clients=client or (), sct_time=sct_time)
            answers = list(result.answers)
            document, table = clients_view(result, session.provenance())
    render(fmt, document, table)
    if not answers or any(answer.outcome != "ok" for answer in answers):
        raise typer.Exit(1)


@app.command("clients-list")
@handle_errors
def clients_list(fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The client profiles: each one's path-building switches, root store and the sources
    that document its behaviour."""
    from trustgraph import api
    from trustgraph.render.clients import profiles_view

    document, table = profiles_view(api.client_profile_list())
    render(fmt, document, table)
