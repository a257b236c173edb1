"""The ``trustgraph`` command: a thin layer over the library.

Results go to stdout; progress and diagnostics to stderr. Exit codes: 0 success, 1 nothing
found (chains, reach) or findings, 2 usage errors (bad arguments, unknown or ambiguous
target).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from trustgraph import anchors as anchor_sets
from trustgraph import api
from trustgraph.crosssigns import find_cross_signs
from trustgraph.database import Database
from trustgraph.errors import (
    AmbiguousTargetError,
    InputError,
    TargetError,
    TrustgraphError,
    UsageError,
)
from trustgraph.export import export_certificates
from trustgraph.graph import TrustGraph
from trustgraph.loader import load_paths
from trustgraph.output import Format, render, write_jsonl
from trustgraph.pathrules import DEFAULT_MAX_DEPTH, DEFAULT_MAX_PATHS, DEFAULT_TIMEOUT, Purpose
from trustgraph.progress import NullProgress, Progress
from trustgraph.version import __version__
from trustgraph.views import chains_view, cross_signs_view, load_view, reach_view

app = typer.Typer(
    name="trustgraph",
    help="Trust graphs of the Web PKI: which anchors chain to a CA, through which "
    "certificates, as of which date.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

stderr = Console(stderr=True, highlight=False)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file [default: $TRUSTGRAPH_DB, else "
        "~/.local/share/trustgraph/trustgraph.db]",
        show_default=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="Date (YYYY-MM-DD) or ISO time of the question [default: now]",
        show_default=False,
    ),
]
AnchorsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--anchors",
        help="Anchor certificates (file, bundle or directory; "
        "repeatable). They are loaded into the database too. [default: every "
        "self-signed root in the database]",
        show_default=False,
    ),
]
PurposeOption = Annotated[
    Purpose, typer.Option("--purpose", help="serverAuth adds EKU and name-constraint checks.")
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--signature-policy",
        help="default, permissive, or a TOML file of hash cut-off dates (see the README)",
        show_default=False,
    ),
]
DepthOption = Annotated[
    int, typer.Option("--max-depth", min=0, help="Most certificates below the anchor.")
]
VerifiedOnlyOption = Annotated[
    bool, typer.Option("--verified-only", help="Use verified edges only.")
]

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
    """Turn library errors into a clean message on stderr and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AmbiguousTargetError as exc:
            stderr.print(Text(f"error: {exc}"))
            for candidate in exc.candidates:
                stderr.print(Text("  " + "  ".join(f"{k}={v}" for k, v in candidate.items())))
            raise typer.Exit(2) from exc
        except (UsageError, TargetError, InputError) as exc:
            stderr.print(Text(f"error: {exc}"))
            raise typer.Exit(2) from exc
        except TrustgraphError as exc:
            stderr.print(Text(f"error: {exc}"))
            raise typer.Exit(1) from exc

    return wrapper  # type: ignore[return-value]


class RichProgress:
    """A rich progress bar on stderr."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self._task: Any = None

    def start(self, description: str, total: int | None) -> None:
        self._progress.start()
        self._task = self._progress.add_task(Text(description).plain, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
        self._progress.stop()


def _progress(quiet: bool) -> Progress:
    if quiet or not sys.stderr.isatty():
        return NullProgress()
    return RichProgress()


def _note(message: str, quiet: bool = False) -> None:
    if not quiet:
        stderr.print(Text(message))


def _open(db_path: Path | None, *, create: bool = False) -> Database:
    return Database(db_path, create=create)


def _anchors(db: Database, paths: list[Path] | None, quiet: bool) -> anchor_sets.AnchorSet:
    if paths:
        for path in paths:
            if not path.exists():
                raise UsageError(f"anchor file {path} does not exist")
        anchors, report = anchor_sets.anchors_from_files(db, paths, _progress(quiet))
        _note(
            f"anchors: {len(anchors)} CAs from {report.found} certificates in "
            f"{', '.join(map(str, paths))}",
            quiet,
        )
        return anchors
    anchors = anchor_sets.database_roots(db)
    _note(
        f"no --anchors given: using every self-signed root in the database ({len(anchors)} CAs)",
        quiet,
    )
    return anchors


@app.command()
@_handle_errors
def load(
    paths: Annotated[
        list[Path],
        typer.Argument(help="PEM/DER files, bundles, directories or CCADB CSV (.csv or .csv.gz)."),
    ],
    db: DbOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Load certificates into the database, verify issuance, report what was skipped."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    with _open(db, create=True) as database:
        report = load_paths(database, paths, _progress(quiet))
        parameters = {"paths": [str(p) for p in paths]}
        document, table = load_view(report, parameters, database.provenance())
    render(fmt, document, table)


@app.command()
@_handle_errors
def chains(
    target: Annotated[
        str,
        typer.Argument(
            help="SHA-256 (or a unique prefix), CA id, or CA name (exact, else substring)."
        ),
    ],
    anchors: AnchorsOption = None,
    at: AtOption = None,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    max_paths: Annotated[int, typer.Option("--max-paths", min=1)] = DEFAULT_MAX_PATHS,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds before the search stops.")
    ] = DEFAULT_TIMEOUT,
    purpose: PurposeOption = Purpose.ANY,
    verified_only: VerifiedOnlyOption = False,
    signature_policy: PolicyOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv")] = Format.TABLE,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Every path from a trust anchor to TARGET at a date (exit 1 when there is none)."""
    rules = api.make_rules(at, purpose, verified_only, signature_policy, max_depth)
    with _open(db, create=bool(anchors)) as database:
        anchor_set = _anchors(database, anchors, quiet)
        graph = TrustGraph.from_database(database)
        result = api.chains(
            database,
            target,
            anchors=anchor_set,
            rules=rules,
            max_paths=max_paths,
            timeout=timeout,
            graph=graph,
        )
        document, table = chains_view(result, graph, database.provenance())
    render(fmt, document, table)
    for bound, why in result.truncated.items():
        _note(f"truncated by {bound}: {why}")
    if not result.paths:
        raise typer.Exit(1)


@app.command()
@_handle_errors
def reach(
    target: Annotated[str, typer.Argument(help="SHA-256 (or a unique prefix), CA id, or CA name.")],
    anchors: AnchorsOption = None,
    at: AtOption = None,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    purpose: PurposeOption = Purpose.ANY,
    verified_only: VerifiedOnlyOption = False,
    signature_policy: PolicyOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv")] = Format.TABLE,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Which anchors reach TARGET at a date, by the rules of chains (exit 1 when none)."""
    rules = api.make_rules(at, purpose, verified_only, signature_policy, max_depth)
    with _open(db, create=bool(anchors)) as database:
        anchor_set = _anchors(database, anchors, quiet)
        graph = TrustGraph.from_database(database)
        result = api.reach(database, target, anchors=anchor_set, rules=rules, graph=graph)
        document, table = reach_view(result, graph, database.provenance())
    render(fmt, document, table)
    if not result.reached:
        raise typer.Exit(1)


@app.command("cross-signs")
@_handle_errors
def cross_signs(
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Only certificates valid at this date [default: all]", show_default=False
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv")] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """Every CA certified by more than one issuer, with its cross-certificates, classified."""
    when = api.as_iso(at) if at else None
    with _open(db) as database:
        graph = TrustGraph.from_database(database)
        items = find_cross_signs(database, graph, when)
        document, table = cross_signs_view(items, graph, {"at": when}, database.provenance())
    render(fmt, document, table)


@app.command()
@_handle_errors
def export(
    fmt: Annotated[Format, typer.Option("--format", help="jsonl")] = Format.JSONL,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write [default: stdout]", show_default=False),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every certificate as one JSON object per line, with its CA and issuance edge."""
    if fmt is not Format.JSONL:
        raise UsageError("export writes --format jsonl only")
    with _open(db) as database:
        if out is None:
            count = write_jsonl(export_certificates(database))
        else:
            with out.open("w", encoding="utf-8") as stream:
                count = write_jsonl(export_certificates(database), stream)
    _note(f"exported {count} certificates")


@app.command()
@_handle_errors
def status(
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """What the database holds: counts and the sources loaded into it."""
    from trustgraph.output import Tabular, envelope

    with _open(db) as database:
        counts = database.counts()
        sources = database.sources()
        document = envelope("status", {}, database.provenance(), {"counts": counts})
        table = Tabular(
            f"Database {database.path}", ["count", "value"], [[k, v] for k, v in counts.items()]
        )
        table.notes.extend(f"source {s.id}: {s.kind} {s.path} ({s.loaded_at})" for s in sources)
    render(fmt, document, table)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trustgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Trust graphs of the Web PKI."""


def main() -> None:
    app()
