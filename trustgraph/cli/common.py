"""What every command shares: the app, common options, errors, progress, output."""

from __future__ import annotations

import enum
import functools
import os
import sys
import typing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperArgument, TyperGroup, TyperOption

from trustgraph.core.bounds import MOST_MAX_DEPTH, Purpose
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.core.text import printable
from trustgraph.errors import (
    AmbiguousTargetError,
    Neo4jError,
    TrustgraphError,
    UsageError,
)

if TYPE_CHECKING:
    from trustgraph.api import AnchorSet, Session
    from trustgraph.render.common import View

# Command modules import what only some commands need inside those commands, so that every
# command starts fast (networkx, numpy and neo4j take a third of a second to import).


class Commands(TyperGroup):
    """A command group whose help reads as words: every option shows a plain metavar
    (``DATE``, ``PATH``, the choices of an enumeration, nothing for a flag) instead of the
    Python type Typer derives from the annotation; an invalid value is refused in words,
    without the validation library's own label."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            for param in command.get_params(ctx):
                _plain_metavar(param)
        return command

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)
        for param in params:
            _plain_metavar(param)
        return params

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.BadParameter as exc:
            # Typer validates through pydantic, whose messages begin with its own label.
            exc.message = exc.message.removeprefix("Value error, ")
            raise


_METAVARS = {int: "N", float: "NUMBER", Path: "PATH", str: "TEXT"}
_NAMED_METAVARS = {
    "--at": "DATE",
    "--until": "DATE",
    "--horizon": "DATE",
    "--as-of": "DATE",
    "--since": "DATE",
    "--store": "STORE",
    "--owner": "OWNER",
    "--distrust-owner": "OWNER",
    "--distrust-root": "ROOT",
    "--revoke-cert": "SHA256",
    "--signature-policy": "POLICY",
    "--only": "CHECK",
    "--param": "KEY=VALUE",
    "--mirror": "FOLDER",
    "--cache": "FOLDER",
}


def _plain_metavar(param: Any) -> None:
    if param.metavar is not None:
        return
    if isinstance(param, TyperArgument):
        param.metavar = (param.name or "value").upper()
        # The name column already says what an argument is; no type column beside it.
        setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010
    elif isinstance(param, TyperOption) and param.is_flag:
        param.metavar = ""
    elif any(name in _NAMED_METAVARS for name in param.opts):
        param.metavar = next(_NAMED_METAVARS[n] for n in param.opts if n in _NAMED_METAVARS)
    else:
        descriptor = getattr(param, "type_descriptor", None)
        choices = getattr(descriptor, "choices", None)
        if choices:
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in choices)
        else:
            annotation = getattr(descriptor, "annotation", None)
            arguments = typing.get_args(annotation)
            element = arguments[0] if arguments else annotation
            param.metavar = _METAVARS.get(element, "TEXT") if isinstance(element, type) else "TEXT"


app = typer.Typer(
    cls=Commands,
    rich_markup_mode=None,
    name="trustgraph",
    help="Trust graphs of the Web PKI: which anchors chain to a CA, through which "
    "certificates, in which root store, as of which date.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def command_group(name: str, help: str) -> typer.Typer:
    """A group of subcommands (``trustgraph NAME ...``), with the help style of the rest."""
    group = typer.Typer(cls=Commands, rich_markup_mode=None, help=help, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


# Diagnostics are never wrapped: one message, one line, whatever the terminal's width.
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

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


class OutputFormat(enum.StrEnum):
    """The formats of every result (export has its own)."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="table for people, json for scripts (self-describing), csv for spreadsheets, "
        "markdown to paste into a bug or report; every format carries the same caveats.",
    ),
]
TargetArgument = Annotated[
    str,
    typer.Argument(
        help="SHA-256 (or a unique prefix), CA id, CA name (exact, else substring), "
        "operator:NAME (CAs an owner operates), owner:NAME (adds what it owns at --at) or "
        "organization:NAME (CAs whose subject's O= is NAME, whoever operates them)."
    ),
]

ClientsOption = Annotated[
    str | None,
    typer.Option(
        "--clients",
        help="Also answer for client profiles (comma-separated, `default` or `all`; see "
        "`trustgraph clients-list`): which break on the chains servers send for the CAs.",
        show_default=False,
    ),
]


def client_names(option: str | None) -> list[str]:
    """The profile names of a ``--clients`` option (``default``: the default set)."""
    names = [name.strip() for name in (option or "").split(",") if name.strip()]
    return [] if names == ["default"] else names


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
        help="Anchor certificates (file, bundle or directory; repeatable). They are loaded "
        "into the database too. [default: every self-signed root in the database]",
        show_default=False,
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Trust store whose snapshot in force at --at gives the anchors (see `trustgraph "
        "store list`); an alternative to --anchors. reach also takes several, comma-"
        "separated, or all: one row per store",
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
    int,
    typer.Option(
        "--max-depth", min=0, max=MOST_MAX_DEPTH, help="Most certificates below the anchor."
    ),
]
DistrustOwnerOption = Annotated[
    list[str] | None,
    typer.Option(
        "--distrust-owner",
        help="Distrust every anchor operated at --at by this owner or an organisation it "
        "owns then; their CAs are watched (repeatable).",
    ),
]
DistrustRootOption = Annotated[
    list[str] | None,
    typer.Option(
        "--distrust-root",
        help="Distrust this anchor of the store at --at: its name, a certificate fingerprint "
        "of it, or its CA id; the CAs that chained through it are watched (repeatable).",
    ),
]
RevokeCertOption = Annotated[
    list[str] | None,
    typer.Option("--revoke-cert", help="Treat this certificate as revoked from --at (repeatable)."),
]
DistrustRuleOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--distrust-rule",
        help="TOML with [[distrust]] subject-name rules, in the case-file format (repeatable).",
    ),
]
VerifiedOnlyOption = Annotated[
    bool, typer.Option("--verified-only", help="Use verified edges only.")
]

F = TypeVar("F", bound=Callable[..., Any])
SHOWN_CANDIDATES = 25
T = TypeVar("T")


def handle_errors(func: F) -> F:
    """Turn library errors into a clean message on stderr and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AmbiguousTargetError as exc:
            say(f"error: {exc}")
            for candidate in exc.candidates[:SHOWN_CANDIDATES]:
                say("  " + "  ".join(f"{k}={v}" for k, v in candidate.items()))
            if len(exc.candidates) > SHOWN_CANDIDATES:
                say(f"  ... and {len(exc.candidates) - SHOWN_CANDIDATES} more")
            raise typer.Exit(2) from exc
        except TrustgraphError as exc:
            say(f"error: {exc.naming(flag_name)}")
            for detail in exc.details:
                say(f"  {detail}")
            raise typer.Exit(1 if isinstance(exc, Neo4jError) else 2) from exc
        except KeyboardInterrupt as exc:
            # Each step writes in one transaction or one rename: what was under way is gone.
            say("interrupted: the step under way was not kept; run the command again")
            raise typer.Exit(130) from exc
        except BrokenPipeError as exc:
            # The reader of stdout went away (`| head`): stop quietly, as other tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from exc
        except Exception as exc:
            from trustgraph import api

            if not isinstance(exc, api.ReadFault):
                raise
            # Damage found only while reading (a corrupt page) surfaces here, and a lock
            # another process took after the database was opened.
            say(f"error: {api.read_fault(exc)}")
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]


_FLAGS = {"root_stores": "--rootstores", "source": "SOURCE"}


def flag_name(parameter: str) -> str:
    """The command line's name of a library parameter an error names: its option
    (``max_paths`` is ``--max-paths``), or its argument."""
    return _FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


def say(message: str) -> None:
    """A line on stderr, whatever text it holds (certificate text is shown escaped)."""
    stderr.print(Text(printable(message)))


class RichProgress:
    """A rich progress bar on stderr."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self._task: Any = None

    def start(self, description: str, total: int | None) -> None:
        self._bar.start()
        self._task = self._bar.add_task(Text(description).plain, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, amount)

    def finish(self) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)
            self._task = None
        self._bar.stop()


def progress_for(quiet: bool) -> Progress:
    """A progress bar on stderr, unless quiet or stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        return NullProgress()
    return RichProgress()


def counted(items: Iterable[T], progress: Progress, every: int = 1000) -> Iterator[T]:
    """``items``, advancing ``progress`` as they go by."""
    for count, item in enumerate(items, start=1):
        yield item
        if count % every == 0:
            progress.advance(every)


def note(message: str, quiet: bool = False) -> None:
    """A diagnostic line on stderr (certificate text in it is printed literally)."""
    if not quiet:
        say(message)


def open_session(
    db_path: Path | None,
    *,
    write: bool = False,
    create: bool = False,
    backend: str = "memory",
    quiet: bool = False,
) -> Session:
    """The session of a command over its database: read-only unless it writes
    (``write``), made if missing when ``create``; on ``backend``; what the session notices
    said on stderr, its progress shown unless ``quiet``.

    Raises:
        DatabaseError, UsageError, Neo4jError: see :func:`trustgraph.api.open`.
    """
    from trustgraph import api

    return api.open(
        db_path,
        backend=backend,
        write=write,
        create=create,
        progress=progress_for(quiet),
        on_wait=say,
        on_note=say,
    )


def many_stores(session: Session, store: str | None) -> list[str] | None:
    """The stores of ``--store all`` or ``--store a,b``; None for one store or none."""
    if store is None:
        return None
    if store.strip().lower() == "all":
        names = session.store_names()
        if not names:
            raise UsageError(
                "the database has no trust stores; add one with `trustgraph store add`"
            )
        return names
    names = [name.strip() for name in store.split(",") if name.strip()]
    return names if len(names) > 1 else None


def stores_of(session: Session, store: str | None, anchors: list[Path] | None) -> list[str] | None:
    """The stores of a query given several (see :func:`many_stores`); None for one or none.

    Raises:
        UsageError: several stores and anchor files together.
    """
    several = many_stores(session, store)
    if several and anchors:
        raise UsageError("give --anchors or --store, not both")
    return several


def one_or_many(
    session: Session,
    query: str,
    stores: list[str] | None,
    at: str | None,
    answer: Callable[[str | None], View],
    single: str | None = None,
) -> View:
    """``answer`` for one store (``single``, or the query's own anchors when None), or for
    each of ``stores`` side by side; a store without a snapshot by ``at`` says so."""
    from trustgraph.render.sidebyside import side_by_side

    if not stores:
        return answer(single)
    answers: list[tuple[str, View | None, str | None]] = []
    for store in stores:
        why = session.why_no_snapshot(store, at) if at else None
        answers.append((store, None, why) if why else (store, answer(store), None))
    return side_by_side(query, {"stores": stores, "at": at}, session.provenance(), answers)


def choose_anchors(
    session: Session, paths: list[Path] | None, store: str | None, at: str, quiet: bool
) -> AnchorSet:
    """The anchors of a query: files, a trust store's snapshot, or every root; says which.

    Raises:
        UsageError: both files and a store, a missing file, or an unknown store.
    """
    if paths and store:
        raise UsageError("give --anchors or --store, not both")
    if store:
        anchors = session.anchors(store, at)
        snapshot = anchors.source["snapshot"]
        note(
            f"anchors: {len(anchors)} CAs of trust store {store!r}, snapshot of "
            f"{snapshot['as_of'][:10]} ({snapshot['source']})",
            quiet,
        )
        missing = anchors.source.get("anchors_without_certificate_bytes")
        if missing:
            note(
                f"warning: {missing} anchors of that snapshot have no certificate bytes in the "
                "database; load them (or `trustgraph fetch`) to use them",
                quiet,
            )
        return anchors
    if paths:
        for path in paths:
            if not path.exists():
                raise UsageError(f"anchor file {path} does not exist")
        anchors, report = session.anchors_from_files(paths, progress_for(quiet))
        note(
            f"anchors: {len(anchors)} CAs from {report.found} certificates in "
            f"{', '.join(map(str, paths))}",
            quiet,
        )
        return anchors
    anchors = session.anchors()
    note(
        f"no --anchors or --store given: using every self-signed root in the database "
        f"({len(anchors)} CAs)",
        quiet,
    )
    return anchors


BackendOption = Annotated[
    Literal["memory", "neo4j"],
    typer.Option(
        "--backend",
        help="memory (the local database) or neo4j (the graph pushed "
        "with `trustgraph neo4j push`; connection from NEO4J_URI, NEO4J_USER, "
        "NEO4J_PASSWORD)",
    ),
]
