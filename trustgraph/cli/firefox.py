"""``trustgraph firefox``: the lists Firefox enforces on its own, beyond Mozilla's store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustgraph.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    command_group,
    handle_errors,
    open_session,
)
from trustgraph.render.formats import render

firefox_app = command_group(
    "firefox",
    "Firefox's own lists: OneCRL revocations and the intermediate preloading list.",
)

ListArgument = Annotated[
    Path,
    typer.Argument(
        help="The list as Firefox ships it (defaults/settings/security-state/*.json in "
        "omni.ja; .json, .json.gz or .json.xz)."
    ),
]


@firefox_app.command("onecrl")
@handle_errors
def onecrl(
    path: ListArgument,
    store: Annotated[
        str,
        typer.Option("--store", help="The store whose clients honour the list."),
    ] = "mozilla",
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Record OneCRL's revocations for the view of --store, in place of the OneCRL list
    recorded for it before: paths in that view refuse a revoked certificate from its date
    (records without a date: from their last change, with a caveat before it). Reports
    which records name no loaded certificate."""
    from trustgraph.render.firefox import onecrl_view

    with open_session(db, create=True, quiet=quiet) as session:
        report = session.add_onecrl(path, store)
        document, table = onecrl_view(report, session.provenance())
    render(fmt, document, table)


@firefox_app.command("onecrl-diff")
@handle_errors
def onecrl_diff(
    old: Annotated[Path, typer.Argument(help="The older list.")],
    new: Annotated[Path, typer.Argument(help="The newer list.")],
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """What changed between two OneCRL lists (two Firefox releases): records added,
    removed, enforced or no longer enforced, and otherwise modified. Reads no database."""
    from trustgraph import api
    from trustgraph.render.firefox import onecrl_diff_view

    result = api.onecrl_diff(old, new)
    document, table = onecrl_diff_view(result, {"database": None, "sources": []})
    render(fmt, document, table)


@firefox_app.command("intermediates")
@handle_errors
def intermediates(
    path: ListArgument,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Record the intermediates Firefox preloads (it builds paths through them without the
    server sending them), in place of the list recorded before; `chains` marks them."""
    from trustgraph.render.firefox import preload_view

    with open_session(db, create=True, quiet=quiet) as session:
        report = session.add_preloaded(path)
        document, table = preload_view(report, session.provenance())
    render(fmt, document, table)
