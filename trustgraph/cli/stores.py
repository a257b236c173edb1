"""``trustgraph store``: trust-store snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustgraph.analysis import stores as store_history
from trustgraph.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    command_group,
    handle_errors,
    open_db,
    progress_for,
)
from trustgraph.core.times import as_iso
from trustgraph.errors import UsageError
from trustgraph.policy.stores import list_snapshots
from trustgraph.render.formats import render

store_app = command_group(
    "store",
    "Trust stores: named, dated snapshots of a root program's anchors.",
)


@store_app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="Store name, e.g. mozilla or microsoft.")],
    source: Annotated[
        Path,
        typer.Argument(
            help="PEM bundle (certifi or curl style), NSS certdata.txt, or a "
            "CCADB certificate-records report."
        ),
    ],
    as_of: Annotated[str, typer.Option("--as-of", help="Date of the snapshot (YYYY-MM-DD).")],
    program: Annotated[
        str | None,
        typer.Option(
            "--program",
            help="For a CCADB report: mozilla or microsoft (whose "
            "status column to read) [default: from NAME]",
            show_default=False,
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="Free text about the source.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Add (or replace) the snapshot of store NAME dated --as-of."""
    from trustgraph.ingest import stores
    from trustgraph.render.inputs import snapshot_view

    if not source.is_file():
        raise UsageError(f"{source} is not a file")
    with open_db(db, create=True) as database:
        report = stores.add_snapshot(
            database,
            name,
            source,
            as_iso(as_of),
            program=program,
            description=description,
            progress=progress_for(quiet),
        )
        document, table = snapshot_view(report, database.provenance())
    render(fmt, document, table)


@store_app.command("list")
@handle_errors
def list_(
    name: Annotated[str | None, typer.Argument(help="Only this store.")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Every store and snapshot in the database, with its anchor count."""
    from trustgraph.render.stores import store_list_view

    with open_db(db) as database:
        snapshots = list_snapshots(database, name)
        document, table = store_list_view(
            snapshots, store_history.anchor_counts(database), database.provenance()
        )
    render(fmt, document, table)


@store_app.command("diff")
@handle_errors
def diff(
    name: Annotated[str, typer.Argument(help="Store name.")],
    first: Annotated[str, typer.Argument(help="First date (the snapshot in force then).")],
    second: Annotated[str, typer.Argument(help="Second date.")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Anchors added and removed between the snapshots in force at two dates."""
    from trustgraph.render.stores import store_diff_view

    with open_db(db) as database:
        result = store_history.diff(database, name, as_iso(first), as_iso(second))
        document, table = store_diff_view(result, database.provenance())
    render(fmt, document, table)
