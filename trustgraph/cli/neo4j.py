"""``trustgraph neo4j``: push the database to Neo4j and run catalog queries there."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trustgraph.backends.neo4j.catalog import catalog, query
from trustgraph.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    command_group,
    handle_errors,
    note,
    open_db,
    progress_for,
)
from trustgraph.errors import UsageError
from trustgraph.render.formats import Tabular, envelope, render

if TYPE_CHECKING:
    from trustgraph.backends.neo4j.connection import Neo4jGraph

neo4j_app = command_group(
    "neo4j",
    "Neo4j: push the database there (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD) and run "
    "the named query catalog. Query commands take --backend neo4j.",
)


def _connect() -> Neo4jGraph:
    from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings

    return Neo4jGraph(Neo4jSettings.from_environment())


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
    from trustgraph.backends.neo4j.push import push

    with open_db(db, write=True) as database, _connect() as neo:
        note(f"pushing {database.path} to {neo.settings.describe()}", quiet)
        report = push(database, neo, progress_for(quiet), restart=restart, batch=batch)
        document = envelope(
            "neo4j-push",
            {"restart": restart, "batch": batch},
            database.provenance(),
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
    from trustgraph.backends.neo4j.bulk import bulk_import

    home = neo4j_home or (Path(os.environ["NEO4J_HOME"]) if os.environ.get("NEO4J_HOME") else None)
    if home is None:
        raise UsageError("--bulk needs the Neo4j installation: give --neo4j-home or set NEO4J_HOME")
    name = database_name or os.environ.get("NEO4J_DATABASE") or "neo4j"
    with open_db(db, write=True) as database:
        note(f"importing {database.path} into database {name} of {home} (offline)", quiet)
        report = bulk_import(
            database, home, name, overwrite=overwrite, progress=progress_for(quiet)
        )
        document = envelope(
            "neo4j-bulk",
            {"neo4j_home": str(home), "database": name, "overwrite": overwrite},
            database.provenance(),
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
    from trustgraph.backends.neo4j.push import (
        MISSING_SCHEMA,
        held,
        missing_constraints,
        pending,
    )

    with open_db(db) as database, _connect() as neo:
        behind = pending(database, neo)
        counts = held(neo)
        missing = missing_constraints(neo)
        document = envelope(
            "neo4j-status",
            {"target": neo.settings.describe()},
            database.provenance(),
            {"held": counts, "not_pushed": behind, "missing_constraints": missing},
        )
    table = Tabular(
        f"Neo4j at {neo.settings.describe()}",
        ["stage", "held in Neo4j", "rows not pushed"],
        [[stage, counts.get(stage), behind[stage]] for stage in behind],
    )
    if any(behind.values()):
        table.notes.append("Neo4j is behind the database: run `trustgraph neo4j push`")
    if missing:
        table.notes.append(MISSING_SCHEMA)
    render(fmt, document, table)
    if any(behind.values()) or missing:
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
    if list_queries:
        items = list(catalog().values())
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
    chosen = query(name)
    parameters = parse_parameters(param or [])
    missing = [p for p in chosen.parameter_names if p not in parameters]
    if missing:
        raise UsageError(
            f"query {name} needs --param for: {', '.join(missing)} ({chosen.parameters})"
        )
    with _connect() as neo:
        rows = neo.run(chosen.text, parameters, timeout)
    columns = list(rows[0]) if rows else []
    document = envelope(
        "neo4j-query",
        {"name": name, "parameters": parameters},
        {"neo4j": neo.settings.describe()},
        {"rows": rows, "count": len(rows)},
    )
    table = Tabular(
        f"{name}: {len(rows)} rows", columns, [[_cell(row[c]) for c in columns] for row in rows]
    )
    render(fmt, document, table)


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
    from trustgraph.backends.neo4j.push import clear

    if not yes:
        raise UsageError("this deletes every CA and Certificate node in Neo4j; add --yes")
    with _connect() as neo:
        changes = clear(neo)
        note(f"cleared {neo.settings.describe()} ({changes} changes)", quiet)
