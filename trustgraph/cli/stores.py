"""``trustgraph store``: trust-store snapshots."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trustgraph.cli.common import (
    AtOption,
    DbOption,
    FormatOption,
    OutputFormat,
    PurposeOption,
    QuietOption,
    command_group,
    handle_errors,
    note,
    open_session,
)
from trustgraph.core.bounds import Purpose
from trustgraph.core.files import require_input
from trustgraph.core.times import as_iso
from trustgraph.errors import UsageError
from trustgraph.render.formats import render

if TYPE_CHECKING:
    from trustgraph.api import Session, StoreCoverage

store_app = command_group(
    "store",
    "Trust stores: named, dated snapshots of a root program's anchors.",
)


def _kinds_help() -> str:
    from trustgraph.core.storekinds import KINDS

    return "\n\n".join(f"- {text}" for text in KINDS.values())


@store_app.command("add", epilog="Sources it reads:\n\n" + _kinds_help())
@handle_errors
def add(
    name: Annotated[
        str,
        typer.Argument(
            help="Store name, e.g. mozilla, microsoft, chrome, apple-ios (all: every program "
            "of crt.sh's snapshots, each into a store of its name)."
        ),
    ],
    source: Annotated[
        Path,
        typer.Argument(
            help="A file, directory or archive of a root program's store (the kinds are "
            "listed below; the kind is detected)."
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date of the snapshot (YYYY-MM-DD), for sources that carry no date "
            "(PEM bundle, certdata.txt, CCADB report, Chrome textproto).",
            show_default=False,
        ),
    ] = None,
    program: Annotated[
        str | None,
        typer.Option(
            "--program",
            help="For a CCADB report: mozilla, microsoft, apple or chrome (whose status "
            "column to read); for crt.sh's snapshots: microsoft, mozilla, chrome, apple, "
            "android, java, cisco, gmail or eutl-qwac [default: from NAME]",
            show_default=False,
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            help="For an Apple archive: ios or macos [default: from NAME]",
            show_default=False,
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="Free text about the source.")
    ] = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Record a version without anchors (refused by default, so that a file "
            "of something else never replaces a store).",
        ),
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Add (or replace) the snapshots of store NAME that SOURCE holds: one version, or a
    dated series (a directory of authroot.stl versions, an Apple or Android archive, crt.sh's
    snapshots, certifi's history), all or nothing. A snapshot of a day the store already
    has from another source replaces it, and the report says whether the two agreed."""
    from trustgraph.render.inputs import store_add_view

    require_input(source, "source")  # before the database is made
    with open_session(db, create=True, quiet=quiet) as session:
        report = session.add_store(
            name,
            source,
            as_of,
            program=program,
            platform=platform,
            description=description,
            allow_empty=allow_empty,
        )
        document, table = store_add_view(report, session.provenance())
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

    with open_session(db, quiet=quiet) as session:
        document, table = store_list_view(
            session.snapshots(name), session.anchor_counts(), session.provenance()
        )
    render(fmt, document, table)


@store_app.command("show")
@handle_errors
def show(
    name: Annotated[str, typer.Argument(help="Store name.")],
    at: AtOption = None,
    purpose: PurposeOption = Purpose.ANY,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """The entries of store NAME in force at --at: each anchor, whether its certificate is
    loaded, and what the store says of it (purposes, distrust dates, SCT cut-offs)."""
    from trustgraph.render.stores import store_show_view

    with open_session(db, quiet=quiet) as session:
        result = session.store_show(name, at, purpose is Purpose.SERVER_AUTH)
        document, table = store_show_view(result, session.provenance())
    render(fmt, document, table)


class CoverageFormat(enum.StrEnum):
    """The formats of ``store coverage``: those of every result, and a picture."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    SVG = "svg"
    PNG = "png"


PICTURES = (CoverageFormat.SVG, CoverageFormat.PNG)


@store_app.command("coverage")
@handle_errors
def coverage(
    name: Annotated[str | None, typer.Argument(help="Only this store.")] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Report gaps up to this date [default: now]", show_default=False),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Pictures: the first month drawn [default: the month of the first snapshot]",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Pictures: the file to write (.svg, .png), or - [default: standard output]",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: Annotated[
        CoverageFormat,
        typer.Option(
            "--format",
            help="table, json, csv or markdown as every result; svg or png: a picture of "
            "stores by month, coloured by the age of the snapshot in force.",
        ),
    ] = CoverageFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """The time each snapshot of each store stands for, and the gaps: a snapshot stands for
    its store until the next one, for at most 400 days (longer than root programs go
    between releases), and not past a newer release known to have replaced it. Answers
    from a date in a gap carry an outdated-snapshot caveat."""
    from trustgraph.render.stores import store_coverage_view

    if out is not None and fmt not in PICTURES:
        raise UsageError("--out is for pictures (--format svg or png); redirect other formats")
    today = as_iso(at)
    with open_session(db, quiet=quiet) as session:
        found = session.store_coverage(name)
        if fmt in PICTURES:
            _coverage_picture(found, as_iso(since) if since else None, today, fmt, out, quiet)
            return
        document, table = store_coverage_view(found, today, session.provenance())
    render(fmt, document, table)


def _coverage_picture(
    found: list[StoreCoverage],
    since: str | None,
    today: str,
    fmt: CoverageFormat,
    out: Path | None,
    quiet: bool,
) -> None:
    """Write the coverage picture to ``out`` (standard output for None or ``-``).

    Raises:
        UsageError: ``--from`` after ``--at``, or png without cairosvg.
        OutputError: ``out`` cannot be written.
    """
    from trustgraph.core.files import is_stdout, write_atomic
    from trustgraph.render.coveragesvg import coverage_svg
    from trustgraph.render.mapsvg import render_png

    start = since or min(item.spans[0].start for item in found if item.spans)
    if start > today:
        raise UsageError(f"--from {start[:10]} is after --at {today[:10]}")
    picture = coverage_svg(found, start, today)
    data = render_png(picture) if fmt is CoverageFormat.PNG else picture.encode("utf-8")
    if out is None or is_stdout(out):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(out, data)
    note(f"wrote {out} ({len(found)} stores)", quiet)


@store_app.command("diff")
@handle_errors
def diff(
    first: Annotated[str, typer.Argument(help="A store name.")],
    second: Annotated[str, typer.Argument(help="A second store (with --at), or a first date.")],
    third: Annotated[
        str | None, typer.Argument(help="A second date (to compare FIRST with itself).")
    ] = None,
    at: AtOption = None,
    purpose: PurposeOption = Purpose.ANY,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Anchors added and removed: `diff NAME DATE1 DATE2` compares a store with itself,
    `diff STORE1 STORE2 --at DATE` two stores (programs) at a date."""
    from trustgraph.render.stores import store_diff_view

    with open_session(db, quiet=quiet) as session:
        if third is not None:
            if at is not None:
                raise UsageError("give two dates or --at, not both")
            result = session.store_diff(first, second, third)
        else:
            _not_a_forgotten_date(session, second)
            result = session.store_compare(first, second, at, purpose is Purpose.SERVER_AUTH)
        document, table = store_diff_view(result, session.provenance())
    render(fmt, document, table)


def _not_a_forgotten_date(session: Session, second: str) -> None:
    """Refuse ``store diff NAME DATE`` (a second date forgotten) in words that say so.

    Raises:
        UsageError: ``second`` is a date and not the name of a store.
    """
    if second in session.store_names():
        return
    try:
        as_iso(second)
    except UsageError:
        return
    raise UsageError(
        f"{second!r} is a date: compare a store with itself with two dates "
        "(`store diff NAME DATE1 DATE2`), or two stores at a date (`store diff NAME1 NAME2 "
        "--at DATE`)"
    )
