"""``trustgraph ct``: Certificate Transparency logs as a source of leaf certificates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustgraph.cli.common import (
    AtOption,
    DbOption,
    DepthOption,
    FormatOption,
    OutputFormat,
    PurposeOption,
    QuietOption,
    TargetArgument,
    app,
    command_group,
    handle_errors,
    open_session,
)
from trustgraph.core.bounds import DEFAULT_MAX_DEPTH, Purpose
from trustgraph.errors import UsageError
from trustgraph.render.formats import render

ct_app = command_group(
    "ct",
    "Leaf certificates: sync a Certificate Transparency log (static CT API), or load files.",
)


@ct_app.command("sync")
@handle_errors
def sync(
    url: Annotated[
        str | None,
        typer.Argument(
            help="The log's monitoring prefix (where checkpoint and tile/ are served), or a "
            "folder holding the log's files.",
            show_default=False,
        ),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The log's public key (PEM).", show_default=False),
    ] = None,
    log_list: Annotated[
        Path | None,
        typer.Option(
            "--log-list",
            help="A v3 log list (log_list.json): the log is one of its tiled_logs.",
            show_default=False,
        ),
    ] = None,
    log: Annotated[
        str | None,
        typer.Option(
            "--log",
            help="With --log-list: part of the log's description, or its id.",
            show_default=False,
        ),
    ] = None,
    entries: Annotated[
        str | None,
        typer.Option(
            "--entries",
            help="Only entries FIRST:LAST (whole tiles of 256): parts sync independently "
            "and add up [default: every entry]",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Sync a CT log's entries into the database as leaves: the checkpoint is verified with
    the log's key and its tree with the stored checkpoint, every data tile against the tree
    before it is stored; a sync stopped at any point resumes where it stopped. Exit 2 when
    the log serves something that does not verify (nothing of it is stored)."""
    from trustgraph import api
    from trustgraph.render.leaves import sync_view

    if log_list is not None:
        if url is not None or key is not None:
            raise UsageError("give URL and --key, or --log-list and --log, not both")
        url, log_key = api.listed_log(log_list, log or "")
    elif url is None or key is None:
        raise UsageError("give the log's URL and --key PUBKEY.pem (or --log-list and --log)")
    else:
        log_key = api.log_key(key)
    first, last = _range(entries)
    with open_session(db, create=True, quiet=quiet) as session:
        report = session.sync_log(url, log_key, first, last)
        document, table = sync_view(report, session.provenance())
    render(fmt, document, table)


def _range(text: str | None) -> tuple[int, int | None]:
    """FIRST:LAST (either may be empty) as numbers.

    Raises:
        UsageError: not two whole numbers.
    """
    if text is None:
        return 0, None
    first, colon, last = text.partition(":")
    if not colon or not (first or "0").isdecimal() or not (last or "0").isdecimal():
        raise UsageError(f"--entries {text!r}: give FIRST:LAST, e.g. 0:65536")
    return int(first or 0), int(last) if last else None


@ct_app.command("load")
@handle_errors
def load_files(
    paths: Annotated[
        list[Path],
        typer.Argument(help="PEM/DER files, bundles or folders of leaf certificates."),
    ],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Store leaf certificates read from files (a scan's results) as leaves, each linked to
    the loaded CA whose key verifies it. CA certificates are skipped (load them with
    `trustgraph load`). Exit 2 when some input is not a certificate (each is named)."""
    from trustgraph.render.leaves import leaf_files_view

    with open_session(db, create=True, quiet=quiet) as session:
        report = session.load_leaves(paths)
        document, table = leaf_files_view(report, session.provenance())
    render(fmt, document, table)
    if report.problem_count:
        raise typer.Exit(2)


@app.command()
@handle_errors
def leaves(
    target: TargetArgument,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Count by way in from this store's anchors, with what its partial "
            "distrust would break.",
            show_default=False,
        ),
    ] = None,
    at: AtOption = None,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    purpose: PurposeOption = Purpose.ANY,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """The unexpired leaf certificates and registered domains of TARGET and the CAs below
    it at a date, by issuing CA; with --store, by way in from the store's anchors and what
    the store's partial distrust (distrust-after, SCT cut-off) would break. Counts are of
    the leaves loaded (`ct sync`, `ct load`); every answer names that corpus."""
    from trustgraph import api
    from trustgraph.render.leaves import leaves_view

    rules = api.make_rules(at, purpose, max_depth=max_depth)
    with open_session(db, quiet=quiet) as session:
        anchors = session.anchors(store, rules.at) if store else None
        result = session.leaves(target, anchors=anchors, rules=rules)
        document, table = leaves_view(result, session.whole_graph(), session.provenance())
    render(fmt, document, table)
