"""Commands that load data and answer questions about the graph."""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from trustgraph.cli.common import (
    AnchorsOption,
    AtOption,
    BackendOption,
    ClientsOption,
    DbOption,
    DepthOption,
    DistrustOwnerOption,
    DistrustRootOption,
    DistrustRuleOption,
    FormatOption,
    OutputFormat,
    PolicyOption,
    PurposeOption,
    QuietOption,
    RevokeCertOption,
    StoreOption,
    TargetArgument,
    VerifiedOnlyOption,
    app,
    choose_anchors,
    client_names,
    counted,
    handle_errors,
    many_stores,
    note,
    one_or_many,
    open_session,
    progress_for,
    say,
    stores_of,
)
from trustgraph.core.bounds import DEFAULT_MAX_DEPTH, DEFAULT_MAX_PATHS, DEFAULT_TIMEOUT, Purpose
from trustgraph.core.files import atomic_text, check_writable, is_stdout
from trustgraph.core.times import as_iso, parse_iso
from trustgraph.errors import InputError, UsageError
from trustgraph.render.formats import (
    Report,
    Tabular,
    envelope,
    render,
    report_markdown,
    write_jsonl,
)

if TYPE_CHECKING:
    from trustgraph.api import ImpactResult
    from trustgraph.render.common import View


@app.command()
@handle_errors
def load(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="PEM/DER files, bundles, directories, CCADB PEM CSV (.csv or "
            ".csv.gz), or a CCADB certificate-records report."
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date of a CCADB records report (its statuses have no "
            "dates) [default: a date in its file name]",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Load certificates into the database, verify issuance, report what was skipped.

    Each path is loaded whole or not at all (an interrupted load keeps the paths before it;
    run the same command again to finish), and loading the same bytes twice adds nothing.
    A CCADB certificate-records report adds metadata instead: declared edges for
    certificates without bytes, operators, and revocations (dated no later than --as-of).
    Exit 2 when some input could not be used (each is named on stderr); everything valid
    is loaded all the same.
    """
    from trustgraph import api
    from trustgraph.render.inputs import load_view, records_view

    records = [p for p in paths if api.is_records_report(p)]
    certificates = [p for p in paths if p not in records]
    failed = 0
    with open_session(db, create=True, quiet=quiet) as session:
        for path in records:
            try:
                report = session.load_records(path, _report_date(path, as_of))
            except InputError as exc:
                say(f"error: {exc}")
                failed += 1
                continue
            document, table = records_view(report, session.provenance())
            render(fmt, document, table)
            failed += _tell_problems(f"{p['location']}: {p['reason']}" for p in report.problems)
        if certificates:
            loaded = session.load(certificates)
            document, table = load_view(
                loaded, {"paths": [str(p) for p in certificates]}, session.provenance()
            )
            render(fmt, document, table)
            failed += _tell_problems(
                f"{issue.location}: {issue.reason}"
                for issue in (*loaded.notes, *loaded.skipped_inputs)
            )
    if failed:
        raise typer.Exit(2)


def _tell_problems(lines: Iterable[str], most: int = 20) -> int:
    """Say on stderr which inputs could not be used (the first ``most``); how many."""
    count = 0
    for count, line in enumerate(lines, start=1):
        if count <= most:
            say(f"error: {line}")
    if count > most:
        say(f"error: ... and {count - most} more (the report lists them)")
    return count


def _report_date(path: Path, as_of: str | None) -> str:
    if as_of:
        return as_iso(as_of)
    found = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
    if not found:
        raise UsageError(f"{path}: give --as-of DATE (the report's date; its file name has none)")
    return as_iso(found.group(1))


@app.command()
@handle_errors
def chains(
    target: TargetArgument,
    anchors: AnchorsOption = None,
    store: StoreOption = None,
    at: AtOption = None,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    max_paths: Annotated[
        int,
        typer.Option(
            "--max-paths", min=1, help="Most paths listed; the result says when it cut them."
        ),
    ] = DEFAULT_MAX_PATHS,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds before the search stops.")
    ] = DEFAULT_TIMEOUT,
    purpose: PurposeOption = Purpose.ANY,
    verified_only: VerifiedOnlyOption = False,
    signature_policy: PolicyOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    backend: BackendOption = "memory",
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Every path from a trust anchor to TARGET at a date (exit 1 when there is none)."""
    from trustgraph import api
    from trustgraph.render.paths import chains_view

    rules = api.make_rules(at, purpose, verified_only, signature_policy, max_depth)
    with open_session(db, create=bool(anchors), backend=backend, quiet=quiet) as session:
        results = []
        several = stores_of(session, store, anchors)

        def answer(chosen: str | None) -> View:
            anchor_set = (
                session.anchors(chosen, rules.at)
                if several
                else choose_anchors(session, anchors, chosen, rules.at, quiet)
            )
            result = session.chains(
                target, anchors=anchor_set, rules=rules, max_paths=max_paths, timeout=timeout
            )
            results.append(result)
            return chains_view(result, result.graph, session.provenance())

        document, table = one_or_many(session, "chains", several, rules.at, answer, store)
    render(fmt, document, table)
    if fmt is OutputFormat.JSON:
        for result in results:
            for bound, why in result.truncated.items():
                note(f"truncated by {bound}: {why}")
    if not any(result.paths for result in results):
        raise typer.Exit(1)


@app.command()
@handle_errors
def reach(
    target: TargetArgument,
    anchors: AnchorsOption = None,
    store: StoreOption = None,
    at: AtOption = None,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    purpose: PurposeOption = Purpose.ANY,
    verified_only: VerifiedOnlyOption = False,
    signature_policy: PolicyOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    backend: BackendOption = "memory",
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Which anchors reach TARGET at a date, by the rules of chains (exit 1 when none)."""
    from trustgraph import api
    from trustgraph.render.paths import reach_matrix_view, reach_view

    rules = api.make_rules(at, purpose, verified_only, signature_policy, max_depth)
    with open_session(db, create=bool(anchors), backend=backend, quiet=quiet) as session:
        several = stores_of(session, store, anchors)
        if several:
            answers = session.reach_in_stores(target, several, rules=rules)
            document, table = reach_matrix_view(target, rules.at, answers, session.provenance())
            reached = any(result and result.reached for _store, result, _why in answers)
        else:
            anchor_set = choose_anchors(session, anchors, store, rules.at, quiet)
            result = session.reach(target, anchors=anchor_set, rules=rules)
            document, table = reach_view(result, result.graph, session.provenance())
            reached = bool(result.reached)
    render(fmt, document, table)
    if not reached:
        raise typer.Exit(1)


@app.command()
@handle_errors
def timeline(
    target: TargetArgument,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            help="The trust store to follow; several, comma-separated, or all: one report "
            "with each store's answer",
        ),
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last date considered [default: now]", show_default=False),
    ] = None,
    clients: ClientsOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="With --clients: the first date of the client range, when servers set up "
            "their chains [default: a year before --until]",
            show_default=False,
        ),
    ] = None,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    purpose: PurposeOption = Purpose.ANY,
    verified_only: VerifiedOnlyOption = False,
    signature_policy: PolicyOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    backend: BackendOption = "memory",
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """When TARGET is reachable from a trust store, and the events that open and close each
    interval (anchor added or removed, validity, revocation, distrust rule, signature
    policy); with --clients, when each client starts or stops accepting the chains servers
    send for TARGET. Exit 1 when it never is reachable."""
    from trustgraph import api
    from trustgraph.render.clients import client_timeline_part, with_client_parts
    from trustgraph.render.timeline import timeline_view

    rules = api.make_rules(until, purpose, verified_only, signature_policy, max_depth)
    with open_session(db, backend=backend, quiet=quiet) as session:
        results = []

        def answer(chosen: str | None) -> View:
            result = session.timeline(target, chosen or store, rules=rules)
            results.append(result)
            return timeline_view(result, result.graph, session.provenance())

        several = many_stores(session, store)
        document, table = one_or_many(session, "timeline", several, None, answer, store)
        if clients is not None:
            first = since or _year_before(rules.at)
            found = session.client_timeline(
                target, since=first, until=rules.at, clients=client_names(clients)
            )
            document, table = with_client_parts(
                (document, table), "clients", found.as_dict(), [client_timeline_part(found)]
            )
    render(fmt, document, table)
    if not any(result.intervals for result in results):
        raise typer.Exit(1)


def _year_before(moment: str) -> str:
    """365 days before ``moment`` (a leap day has no same day a year before)."""
    parsed = parse_iso(moment)
    assert parsed is not None
    return as_iso(parsed - timedelta(days=365))


@app.command("cross-signs")
@handle_errors
def cross_signs(
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Only certificates valid at this date [default: all]", show_default=False
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    backend: BackendOption = "memory",
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Every CA certified by more than one issuer, with its cross-certificates, classified."""
    from trustgraph.render.crosssigns import cross_signs_view

    when = as_iso(at) if at else None
    with open_session(db, backend=backend, quiet=quiet) as session:
        items, graph = session.cross_signs(when)
        document, table = cross_signs_view(items, graph, {"at": when}, session.provenance())
    render(fmt, document, table)


class ExportFormat(enum.StrEnum):
    JSONL = "jsonl"
    GRAPHML = "graphml"
    GEXF = "gexf"
    CYTOSCAPE = "cytoscape"
    DOT = "dot"
    BLOODHOUND = "bloodhound"


@app.command()
@handle_errors
def export(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Graph formats: CAs or certificates whose region to export (as for render) "
            "[default: the whole graph]",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="jsonl: one JSON object per certificate and line; graphml, gexf (Gephi, "
            "yEd, igraph), cytoscape (Cytoscape.js JSON), dot (Graphviz), bloodhound "
            "(BloodHound OpenGraph JSON): CAs as nodes, certificates as edges.",
        ),
    ] = ExportFormat.JSONL,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="File to write, or - [default: standard output]", show_default=False
        ),
    ] = None,
    owner: Annotated[
        list[str] | None,
        typer.Option("--owner", help="Graph formats: also every CA this owner operates."),
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", min=0, help="Graph formats: issuance steps around them.")
    ] = 1,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Graph formats: each certificate's state at this date (YYYY-MM-DD) "
            "[default: no date]",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Graph formats, with --at: only what is usable then from this store",
            show_default=False,
        ),
    ] = None,
    purpose: PurposeOption = Purpose.ANY,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Export certificates (jsonl) or the trust graph for other tools (graphml, gexf,
    cytoscape, dot, bloodhound: the same region as render)."""
    if is_stdout(out):
        out = None
    if out is not None:
        check_writable(out)
    if fmt is ExportFormat.JSONL:
        if targets or owner or at or store:
            raise UsageError("jsonl exports every certificate: drop TARGET, --owner, --at, --store")
        _export_jsonl(out, db, quiet)
        return
    from trustgraph.render.graphformats import GraphFormat, graph_text

    with open_session(db, quiet=quiet) as session:
        cas = session.region(targets or [], owner or [], depth, at) if targets or owner else None
        graph = session.graph(at=as_iso(at) if at else None, store=store, purpose=purpose, cas=cas)
    chunks = graph_text(graph, GraphFormat(fmt.value))
    if out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
    else:
        with atomic_text(out) as stream:
            stream.writelines(chunks)
    note(
        f"exported {graph.number_of_nodes()} CAs and {graph.number_of_edges()} certificates",
        quiet,
    )


def _export_jsonl(out: Path | None, db: Path | None, quiet: bool) -> None:
    with open_session(db, quiet=quiet) as session:
        progress = progress_for(quiet)
        progress.start("exporting", session.counts()["certificates"])
        rows = counted(session.certificates(), progress)
        if out is None:
            count = write_jsonl(rows)
        else:
            with atomic_text(out) as stream:
                count = write_jsonl(rows, stream)
        progress.finish()
    note(f"exported {count} certificates", quiet)


@app.command()
@handle_errors
def status(
    fmt: FormatOption = OutputFormat.TABLE,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """What the database holds: counts and the sources loaded into it."""
    with open_session(db, quiet=quiet) as session:
        counts = session.counts()
        document = envelope("status", {}, session.provenance(), {"counts": counts})
        table = Tabular(
            f"Database {session.path}", ["count", "value"], [[k, v] for k, v in counts.items()]
        )
        table.notes.extend(
            f"source {s.id}: {s.kind} {s.path} ({s.loaded_at})" for s in session.sources()
        )
    render(fmt, document, table)


@app.command()
@handle_errors
def impact(
    store: Annotated[
        str,
        typer.Option(
            "--store",
            help="The trust store the program acts on; several, comma-separated, or all: one "
            "report with each store's answer",
        ),
    ],
    at: AtOption = None,
    distrust_owner: DistrustOwnerOption = None,
    distrust_root: DistrustRootOption = None,
    revoke_cert: RevokeCertOption = None,
    distrust_rule: DistrustRuleOption = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            "--horizon",
            help="Say when each surviving way in closes by this date, "
            "and what would close them all now.",
            show_default=False,
        ),
    ] = None,
    paths_per_ca: Annotated[
        int, typer.Option("--paths-per-ca", min=1, help="Surviving paths listed per CA.")
    ] = 3,
    clients: ClientsOption = None,
    max_depth: DepthOption = DEFAULT_MAX_DEPTH,
    purpose: PurposeOption = Purpose.ANY,
    verified_only: VerifiedOnlyOption = False,
    signature_policy: PolicyOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    backend: BackendOption = "memory",
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """What still chains to the watched CAs after a root program acts, through which
    certificates, and what would close it; with --clients, which clients stop accepting
    the chains servers send for those CAs, and the leaves each loses. Exit 1 when some
    watched CA stays reachable."""
    from trustgraph import api
    from trustgraph.render.clients import client_impact_parts, with_client_parts
    from trustgraph.render.impact import impact_markdown, impact_stores_view, impact_view

    rules = api.make_rules(at, purpose, verified_only, signature_policy, max_depth)
    scenario = api.Scenario(
        distrust_owner or [], distrust_root or [], revoke_cert or [], distrust_rule or []
    )
    with open_session(db, backend=backend, quiet=quiet) as session:
        several = many_stores(session, store)
        if several and clients is not None:
            raise UsageError("--clients answers for one --store at a time")
        answers: list[tuple[str, ImpactResult | None, str | None]] = []
        for chosen in several or [store]:
            # One store answers or says why not; of several, one without a snapshot that
            # early is a row saying so.
            why = session.why_no_snapshot(chosen, rules.at) if several else None
            result = None
            if not why:
                result = session.impact(chosen, rules.at, scenario, rules, horizon, paths_per_ca)
            answers.append((chosen, result, why))
        provenance = session.provenance()
        client_answer = (
            session.client_impact(
                answers[0][1], clients=client_names(clients), progress=progress_for(quiet)
            )
            if clients is not None and answers[0][1] is not None
            else None
        )
    results = [result for _store, result, _why in answers if result is not None]
    if several:
        parameters = {"stores": several, "at": rules.at}
        document, table = impact_stores_view(answers, parameters, provenance)
    else:
        document, table = impact_view(results[0], provenance)
    if client_answer is not None:
        parts = client_impact_parts(client_answer)
        document, table = with_client_parts(
            (document, table), "clients", client_answer.as_dict(), parts
        )
    if fmt is OutputFormat.MARKDOWN:
        typer.echo(impact_markdown(answers), nl=False)
        if client_answer is not None:
            typer.echo(report_markdown(Report(parts)), nl=False)
    else:
        render(fmt, document, table)
    if any(r.ways_in or any(w.status == "survives" for w in r.watched) for r in results):
        raise typer.Exit(1)


@app.command()
@handle_errors
def serials(
    scope: Annotated[
        Literal["all", "ca"], typer.Option("--scope", help="all certificates, or ca (cA=TRUE) only")
    ] = "all",
    fmt: FormatOption = OutputFormat.TABLE,
    backend: BackendOption = "memory",
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Distinct certificates sharing an issuer and a serial number (RFC 5280 4.1.2.2), by
    issuer name and by issuing CA, with what differs between them. Exit 1 when any."""
    from trustgraph.render.checks import serials_view

    with open_session(db, backend=backend, quiet=quiet) as session:
        groups = session.serials(scope)
        document, table = serials_view(groups, scope, session.provenance())
    render(fmt, document, table)
    if groups:
        raise typer.Exit(1)


SCOPE_HELP = (
    "scope tls: a rule of the Baseline Requirements, judged only on certificates whose EKU "
    "allows serverAuth and whose issuing CA can issue TLS certificates (a CA whose EKU "
    "excludes serverAuth is technically constrained, Mozilla Root Store Policy 5.3.1); "
    "scope all: every certificate"
)


@app.command()
@handle_errors
def check(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only this check (repeatable); see --list."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only certificates with notBefore on or after this date.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        Literal["info", "notice", "medium", "high"],
        typer.Option(
            "--fail-on",
            help="Exit 1 when findings of this severity or higher "
            "remain: info, notice, medium, high.",
        ),
    ] = "notice",
    scope: Annotated[
        Literal["tls", "all"],
        typer.Option(
            "--scope",
            help="tls: judge TLS rules (the Baseline Requirements) only where they apply, on "
            "certificates whose EKU and issuing path allow serverAuth, and count the rest; "
            "all: list every match, those outside TLS scope as info.",
        ),
    ] = "tls",
    list_checks: Annotated[
        bool,
        typer.Option(
            "--list", help="Describe the catalog (scope and source of each rule) and exit."
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.TABLE,
    backend: BackendOption = "memory",
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Run the catalog of incident checks (the failures of Mozilla's WoSign record) over
    the database. Exit 1 when findings at or above --fail-on remain."""
    from trustgraph.render.checks import catalog_view, check_markdown, check_view

    if list_checks:
        document, table = catalog_view(SCOPE_HELP)
        render(fmt, document, table)
        return
    with open_session(db, backend=backend, quiet=quiet) as session:
        report = session.check(only, as_iso(since) if since else None, scope)
        if fmt is OutputFormat.MARKDOWN:
            typer.echo(check_markdown(report), nl=False)
        else:
            document, table = check_view(report, fail_on, session.provenance())
            render(fmt, document, table)
    if report.failing(fail_on):
        raise typer.Exit(1)
