"""``trustgraph render``: interactive HTML maps."""

from __future__ import annotations

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
    open_db,
)
from trustgraph.core.files import check_writable
from trustgraph.errors import UsageError
from trustgraph.policy.rules import DEFAULT_MAX_DEPTH, Purpose

MANY_CAS = 2000


@app.command()
@handle_errors
def render(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="CAs or certificates to centre the map on (as for chains)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "trustgraph-map.html"
    ),
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
    """Write an interactive HTML map: one self-contained file that opens offline anywhere,
    with the queried paths highlighted, a date control, search and details on click."""
    check_writable(out)
    if highlight == "chains" and not targets:
        raise UsageError("--highlight chains needs at least one TARGET")
    from trustgraph import api
    from trustgraph.analysis.impact import Scenario
    from trustgraph.analysis.maps import plan_map
    from trustgraph.graph.trustgraph import TrustGraph
    from trustgraph.render.maps import render_map, write_map

    rules = api.make_rules(at, purpose, verified_only, None, max_depth)
    scenario = Scenario(
        distrust_owner or [], distrust_root or [], revoke_cert or [], distrust_rule or []
    )
    with open_db(db, create=bool(anchors)) as database:
        anchor_set = choose_anchors(database, anchors, store, rules.at, quiet)
        graph = TrustGraph.from_database(database)
        request = plan_map(
            database,
            graph,
            targets=list(targets or []),
            anchors=anchor_set,
            rules=api.with_revocations(database, rules),
            highlight=highlight,
            owner_names=owner,
            depth=depth,
            scenario=None if scenario.is_empty() else scenario,
            store=store,
            max_paths=max_paths,
        )
        if len(request.cas) > MANY_CAS:
            note(
                f"warning: {len(request.cas)} CAs on one map; give targets or --owner to draw less",
                quiet,
            )
        page = render_map(graph, request)
    write_map(out, page)
    note(f"wrote {out} ({len(request.cas)} CAs, {len(request.highlight)} highlighted paths)", quiet)
    for bound, why in request.truncated.items():
        note(f"highlighted paths truncated by {bound}: {why}")
