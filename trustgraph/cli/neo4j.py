"""``trustgraph neo4j``: push the database to Neo4j and run catalog queries there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:
    from trustgraph.api import Session

import typer

from trustgraph.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    command_group,
    handle_errors,
    note,
    open_session,
)
from trustgraph.errors import UsageError
from trustgraph.render.formats import Tabular, envelope, render

neo4j_app = command_group(
    "neo4j",
    "Neo4j: push the database there (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD) and run "
    "the named query catalog. Query commands take --backend neo4j.",
)


@neo4j_app.command("push")
@handle_errors
def push_command(
    restart: Annotated[
        bool,
        typer.Option("--restart", help="Ignore the checkpoints of earlier pushes; send all."),
    ] = False,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Rows per transaction.")] = 5000,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="First load into a new database with neo4j-admin's offline importer "
            "(the server stopped; start it and run push once afterwards).",
        ),
    ] = False,
    neo4j_home: Annotated[
        Path | None,
        typer.Option(
            "--neo4j-home",
            metavar="PATH",
            help="With --bulk: the Neo4j installation [default: $NEO4J_HOME].",
        ),
    ] = None,
    database_name: Annotated[
        str | None,
        typer.Option(
            "--database",
            metavar="NAME",
            help="With --bulk: the Neo4j database to build [default: $NEO4J_DATABASE, else neo4j].",
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="With --bulk: replace that database if it exists (all of it is lost).",
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.TABLE,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Push the database into Neo4j: idempotent, and resumes after an interruption.

    With --bulk, build a new Neo4j database from the whole database in one offline import,
    without transactions: stop the server first, start it afterwards, then run push once
    more, which creates the constraints and finds nothing else to send.
    """
    if bulk:
        if restart:
            raise UsageError("--restart does not go with --bulk: a bulk import writes everything")
        _bulk_push(neo4j_home, database_name, overwrite, fmt, db, quiet)
        return
    if neo4j_home is not None or database_name is not None or overwrite:
        raise UsageError("--neo4j-home, --database and --overwrite go with --bulk")
    from trustgraph import api

    with _session(db, quiet) as session:
        note(f"pushing {session.path} to {api.neo4j_target()}", quiet)
        report = session.neo4j_push(restart=restart, batch=batch)
        document = envelope(
            "neo4j-push",
            {"restart": restart, "batch": batch},
            session.provenance(),
            report.as_dict(),
        )
    table = Tabular(
        f"Pushed to {report.target} ({report.changes} changes)",
        ["stage", "rows pushed", "resumed after rowid", "stale removed"],
        [
            [stage, count, report.resumed.get(stage, 0), report.removed.get(stage, 0)]
            for stage, count in report.counts.items()
        ],
    )
    render(fmt, document, table)


def _bulk_push(
    neo4j_home: Path | None,
    database_name: str | None,
    overwrite: bool,
    fmt: OutputFormat,
    db: Path | None,
    quiet: bool,
) -> None:
    from trustgraph import api

    target = api.BulkTarget.choose(neo4j_home, database_name)
    home, name = target.home, target.database
    with _session(db, quiet) as session:
        note(f"importing {session.path} into database {name} of {home} (offline)", quiet)
        report = session.neo4j_bulk(target, overwrite=overwrite)
        document = envelope(
            "neo4j-bulk",
            {"neo4j_home": str(home), "database": name, "overwrite": overwrite},
            session.provenance(),
            report.as_dict(),
        )
    note(
        f"imported {report.counts.get('certificates', 0)} certificates "
        f"({report.certificates_per_second:,.0f}/s). Next: start Neo4j, then run "
        "`trustgraph neo4j push` once: it creates the constraints and sends nothing else.",
        quiet,
    )
    table = Tabular(
        f"Imported into database {name} of {home}",
        ["stage", "rows imported"],
        [[stage, count] for stage, count in report.counts.items()],
    )
    render(fmt, document, table)


@neo4j_app.command("status")
@handle_errors
def status_command(
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
    db: DbOption = None,
) -> None:
    """Whether Neo4j is reachable and up to date with the database (exit 1 when behind, or
    when it lacks the constraints a push creates)."""
    with open_session(db, quiet=quiet) as session:
        found = session.neo4j_status()
        document = envelope(
            "neo4j-status", {"target": found.target}, session.provenance(), found.as_dict()
        )
    table = Tabular(
        f"Neo4j at {found.target}",
        ["stage", "held in Neo4j", "rows not pushed"],
        [[stage, found.held.get(stage), count] for stage, count in found.not_pushed.items()],
    )
    if found.behind:
        table.notes.append("Neo4j is behind the database: run `trustgraph neo4j push`")
    if found.missing_constraints:
        table.notes.append(found.missing_schema)
    render(fmt, document, table)
    if found.behind or found.missing_constraints:
        raise typer.Exit(1)


@neo4j_app.command("query")
@handle_errors
def query_command(
    name: Annotated[
        str | None, typer.Argument(help="A query of the catalog (see --list).", show_default=False)
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="key=value (repeatable); the value is read as JSON when it parses "
            '(["a","b"], 8, null), else as a string.',
        ),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="Describe the catalog and exit.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", min=0.1, help="Seconds the server may spend.", show_default=False
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Run catalog query NAME on Neo4j with parameters, and print its rows."""
    from trustgraph import api

    if list_queries:
        items = api.neo4j_catalog()
        document = envelope(
            "neo4j-catalog", {}, {}, {"queries": [item.as_dict() for item in items]}
        )
        table = Tabular("The query catalog", ["query", "parameters", "what it returns"])
        for item in items:
            table.add([item.name, ", ".join(item.parameter_names), item.description])
        render(fmt, document, table)
        return
    if name is None:
        raise UsageError("give a query NAME, or --list to see the catalog")
    parameters = parse_parameters(param or [])
    rows, target = api.neo4j_query(name, parameters, timeout)
    columns = list(rows[0]) if rows else []
    document = envelope(
        "neo4j-query",
        {"name": name, "parameters": parameters},
        {"neo4j": target},
        {"rows": rows, "count": len(rows)},
    )
    table = Tabular(
        f"{name}: {len(rows)} rows", columns, [[_cell(row[c]) for c in columns] for row in rows]
    )
    render(fmt, document, table)


def _session(db: Path | None, quiet: bool) -> Session:
    """A session that writes to the database (a push records its checkpoints)."""
    return open_session(db, write=True, quiet=quiet)


def parse_parameters(items: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; a value that parses as JSON is taken as JSON.

    Raises:
        UsageError: an item without ``=``.
    """
    parameters: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {item!r}: write key=value")
        try:
            parameters[key] = json.loads(value)
        except json.JSONDecodeError:
            parameters[key] = value
    return parameters


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


@neo4j_app.command("clear")
@handle_errors
def clear_command(
    yes: Annotated[bool, typer.Option("--yes", help="Really delete.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Delete trustgraph's nodes, relationships and push checkpoints from Neo4j."""
    from trustgraph import api

    if not yes:
        raise UsageError("this deletes every CA and Certificate node in Neo4j; add --yes")
    changes, target = api.neo4j_clear()
    note(f"cleared {target} ({changes} changes)", quiet)
