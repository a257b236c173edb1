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
    open_db,
)
from trustgraph.render.formats import render


@app.command()
@handle_errors
def clients(
    chain: Annotated[
        Path,
        typer.Argument(
            help="The chain a server sends: PEM or DER, end certificate first, any order after it.",
            show_default=False,
        ),
    ],
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
    (an expired anchor on the path it chose, an unknown issuer, a distrust). Exit 0 when
    every client accepts the chain, 1 when one fails or cannot be answered (its store is
    not loaded), 2 on bad input."""
    from trustgraph import api
    from trustgraph.render.clients import clients_view

    with open_db(db) as database:
        result = api.clients(database, chain, at=at, clients=client or (), sct_time=sct_time)
        document, table = clients_view(result, database.provenance())
    render(fmt, document, table)
    if any(answer.outcome != "ok" for answer in result.answers):
        raise typer.Exit(1)


@app.command("clients-list")
@handle_errors
def clients_list(fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The client profiles: each one's path-building switches, root store and the sources
    that document its behaviour."""
    from trustgraph.policy.clients import PROFILES
    from trustgraph.render.clients import profiles_view

    document, table = profiles_view(list(PROFILES.values()))
    render(fmt, document, table)
