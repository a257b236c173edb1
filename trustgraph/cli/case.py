"""Case files, fetching certificate bytes, and the built-in demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from trustgraph.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    app,
    command_group,
    handle_errors,
    note,
    open_session,
    progress_for,
)
from trustgraph.core.files import require_input
from trustgraph.render.formats import render, to_json

case_app = command_group(
    "case",
    "Case files: the facts of an incident, with sources.",
)


@case_app.command("check")
@handle_errors
def check(
    file: Annotated[Path, typer.Argument(help="Case file (TOML).")],
    quiet: QuietOption = False,
) -> None:
    """Validate a case file; every problem is reported with its line and field."""
    from trustgraph import api

    case = api.read_case(file)
    counts = ", ".join(f"{count} {table}" for table, count in case.counts().items())
    note(f"{file}: valid ({counts})", quiet)


@case_app.command("apply")
@handle_errors
def apply(
    file: Annotated[Path, typer.Argument(help="Case file (TOML).")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Load a case file: owners, stores, declared certificates, revocations, rules."""
    from trustgraph.render.inputs import case_view

    with open_session(db, create=True, quiet=quiet) as session:
        report = session.apply_case(file)
        document, table = case_view(report, session.provenance())
    render(fmt, document, table)


@app.command("fetch")
@handle_errors
def fetch_command(
    fingerprints: Annotated[
        list[str] | None, typer.Argument(help="SHA-256 fingerprints to fetch.")
    ] = None,
    declared: Annotated[
        bool, typer.Option("--declared", help="Fetch every certificate known only by metadata.")
    ] = False,
    mirror: Annotated[
        Path | None,
        typer.Option(
            "--mirror",
            help="Folder of certificates to take them from instead of crt.sh",
            show_default=False,
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="Cache folder for crt.sh downloads [default: ~/.cache/trustgraph/crtsh]",
            show_default=False,
        ),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never ask crt.sh.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 20.0,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Certificate bytes by SHA-256, from --mirror, the cache or crt.sh, loaded into the
    database; declared edges become verified. Exit 1 when some could not be fetched."""
    from trustgraph.render.inputs import fetch_view

    if mirror is not None:
        require_input(mirror, "mirror", folder=True)  # before the database is made
    with open_session(db, create=True, quiet=quiet) as session:
        report = session.fetch(
            fingerprints or [],
            declared=declared,
            mirror=mirror,
            cache=cache,
            online=not offline,
            timeout=timeout,
        )
        document, table = fetch_view(report, session.provenance())
    render(fmt, document, table)
    if report.missing:
        raise typer.Exit(1)


@app.command()
@handle_errors
def demo(
    mirror: Annotated[
        Path | None,
        typer.Option(
            "--mirror",
            help="Folder with the case's certificates: tell the story on verified edges",
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo's database.")] = Path(
        "trustgraph-demo"
    ),
    root_stores: Annotated[
        Path | None,
        typer.Option(
            "--rootstores",
            help="Folder of other programs' stores (microsoft/authroot-stl/, apple/*.tar.xz, "
            "android/*.tar.xz): add each program's view of WoSign",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        Literal["text", "json"],
        typer.Option("--format", help="text to read, json for scripts (self-describing)."),
    ] = "text",
    quiet: QuietOption = False,
) -> None:
    """The WoSign 2016 case, offline: which roots chained to WoSign through StartCom, Certum
    and others, and when each way closed, computed from the shipped data."""
    from trustgraph import api

    result = api.demo_story(
        out, mirror=mirror, root_stores=root_stores, progress=progress_for(quiet)
    )
    document = api.demo_document(result)
    if fmt == "json":
        typer.echo(to_json(document))
    else:
        from rich.console import Console
        from rich.text import Text

        console = Console(highlight=False, soft_wrap=True)
        for line in api.demo_text(document):
            console.print(Text(line))
