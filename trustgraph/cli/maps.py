"""``trustgraph render``: interactive HTML maps."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from trustgraph.cli.common import (
    AnchorsOption,
    AtOption,
    DbOption,
    DepthOption,
    DistrustOwnerOption,
    DistrustRootOption,
    DistrustRuleOption,
    PurposeOption,
    QuietOption,
    RevokeCertOption,
    StoreOption,
    VerifiedOnlyOption,
    app,
    choose_anchors,
    handle_errors,
    note,
    open_session,
)
from trustgraph.core.bounds import DEFAULT_MAX_DEPTH, Purpose
from trustgraph.core.files import check_writable, is_stdout
from trustgraph.errors import UsageError


@app.command()
@handle_errors
def render(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="CAs or certificates to centre the map on (as for chains)."),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="The file to write (.html, .svg or .png), or - for standard output."
        ),
    ] = Path("trustgraph-map.html"),
    fmt: Annotated[
        Literal["html", "svg", "png"] | None,
        typer.Option(
            "--format",
            help="html: the interactive map; svg or png: its opening view with the legend, "
            "for slides [default: from --out's suffix, else html]",
            show_default=False,
        ),
    ] = None,
    anchors: AnchorsOption = None,
    store: StoreOption = None,
    at: AtOption = None,
    highlight: Annotated[
        Literal["chains", "impact"] | None,
        typer.Option(
            "--highlight",
            help="chains: the paths to the targets; impact: the ways "
            "that survive a scenario (give --store and the scenario)",
            show_default=False,
        ),
    ] = None,
    owner: Annotated[
        list[str] | None,
        typer.Option("--owner", help="Also draw every CA this owner operates (repeatable)."),
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", min=0, help="Issuance steps drawn around the targets.")
    ] = 1,
    distrust_owner: DistrustOwnerOption = None,
    distrust_root: DistrustRootOption = None,
    revoke_cert: RevokeCertOption = None,
    distrust_rule: DistrustRuleOption = None,
    max_paths: Annotated[
        int, typer.Option("--max-paths", min=1, help="Paths highlighted per target.")
    ] = 200,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    purpose: PurposeOption = Purpose.ANY,
    verified_only: VerifiedOnlyOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write a map: an interactive HTML file that opens offline anywhere (operators
    grouped, the queried paths highlighted at every date, filters, search, details on hover
    and click), or a picture of it for slides (--format svg or png)."""
    to_stdout = is_stdout(out)
    if not to_stdout:
        check_writable(out)
    if highlight == "chains" and not targets:
        raise UsageError("--highlight chains needs at least one TARGET")
    from trustgraph import api
    from trustgraph.render.maps import page, write_map
    from trustgraph.render.mapsvg import render_png, render_svg

    chosen = fmt or _format_of(out)

    rules = api.make_rules(at, purpose, verified_only, None, max_depth)
    scenario = api.Scenario(
        distrust_owner or [], distrust_root or [], revoke_cert or [], distrust_rule or []
    )
    with open_session(db, create=bool(anchors), quiet=quiet) as session:
        anchor_set = choose_anchors(session, anchors, store, rules.at, quiet)
        request = session.map_request(
            targets or [],
            anchors=anchor_set,
            rules=rules,
            highlight=highlight,
            owners=owner or [],
            depth=depth,
            scenario=None if scenario.is_empty() else scenario,
            store=store,
            max_paths=max_paths,
        )
        data = session.map_data(request)
    if chosen == "html":
        written: str | bytes = page(request.title, data)
    elif chosen == "svg":
        written = render_svg(data)
    else:
        written = render_png(render_svg(data))
    if to_stdout:
        _to_stdout(written)
    else:
        write_map(out, written)
    where = "standard output" if to_stdout else str(out)
    note(
        f"wrote {where} ({len(request.cas)} CAs, {len(request.highlight)} highlighted paths)",
        quiet,
    )
    for bound, why in request.truncated.items():
        note(f"highlighted paths truncated by {bound}: {why}")


_SUFFIXES = {".html": "html", ".htm": "html", ".svg": "svg", ".png": "png"}


def _format_of(out: Path) -> str:
    """The map format an output's suffix names (standard output: html).

    Raises:
        UsageError: a suffix of none of them.
    """
    if is_stdout(out):
        return "html"
    chosen = _SUFFIXES.get(out.suffix.lower())
    if chosen is None:
        raise UsageError(
            f"--out {out}: trustgraph writes maps as .html, .svg or .png; give one of those "
            "suffixes, or --format"
        )
    return chosen


def _to_stdout(data: str | bytes) -> None:
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data)
