"""``trustgraph owners``: organisations, who operates which CA, and who owned whom when."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustgraph.cli.common import (
    AtOption,
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    command_group,
    handle_errors,
    open_session,
    say,
)
from trustgraph.render.formats import render

owners_app = command_group(
    "owners",
    "Owners: organisations, the CAs they operate, and who owned whom when.",
)


@owners_app.command("load")
@handle_errors
def load_relations(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV of dated relations: subject, object, relation (owned_by or "
            "reseller_of), from (1970-01-01: not known), source_note."
        ),
    ],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Record who owned (or resold for) whom from when. Exit 2 when some row could not be
    used (each is named); the others are recorded."""
    from trustgraph.render.owners import relations_view

    with open_session(db, create=True, quiet=quiet) as session:
        report = session.load_owners(path)
        document, table = relations_view(report, session.provenance())
    render(fmt, document, table)
    for problem in report.problems[:20]:
        say(f"error: {problem['location']}: {problem['reason']}")
    if report.problems:
        raise typer.Exit(2)


@owners_app.command("list")
@handle_errors
def list_owners(
    db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE, quiet: QuietOption = False
) -> None:
    """Every organisation known: the CAs it operates (and on what basis), its spellings."""
    from trustgraph.render.owners import owners_view

    with open_session(db, quiet=quiet) as session:
        document, table = owners_view(session.owners(), session.provenance())
    render(fmt, document, table)


@owners_app.command("show")
@handle_errors
def show(
    owner: Annotated[str, typer.Argument(help="An organisation (any spelling of it).")],
    at: AtOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """An organisation's ownership history, and what it owned and operated at --at."""
    from trustgraph.render.owners import owner_view

    with open_session(db, quiet=quiet) as session:
        document, table = owner_view(session.owner(owner, at), session.provenance())
    render(fmt, document, table)
