"""Distrust impact: what still chains to a CA after a root program acts, and through what.

A scenario removes anchors from a trust store (every anchor an owner operates, or named
roots), treats certificates as revoked from the query date, and adds distrust rules. The
*watched* CAs are those the scenario is about: every CA operated at the date by the
distrusted owners and the organisations they own then; every CA that chained through a
distrusted root at the date (not its owner's whole estate); and the CAs certified by the
revoked certificates or named by the rules, with every CA their operators operate.

The result compares reachability before and after (without enumerating paths) for every CA
the scenario can affect (those within the search depth below a removed anchor, a revoked
certificate or a CA a rule names): the watched CAs that stay reachable or lose every path,
and the *collateral*: every other CA, whoever operates it, that had a path before and has
none after, with the way it used to be reached. It lists the ways in that survive (paths
from the remaining anchors that end at the first watched CA they reach: the last
certificate is the bypass), a few surviving paths per CA, the anchors that are the only
way in, and the smallest set of certificate revocations that closes every way in now. With
a horizon, it says when each surviving way in closes on its own (expiry, revocation,
removal from the store, a rule or signature cut-off).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustgraph.analysis.caveats import (
    APPROXIMATE_DATE,
    OPERATOR_AS_OF,
    Caveat,
    elsewhere_caveats,
)
from trustgraph.analysis.chains import ChainPath, ChainsResult, find_chains
from trustgraph.analysis.reach import ReachMap, reach_everything
from trustgraph.analysis.records import Records
from trustgraph.analysis.stores import snapshot_dates
from trustgraph.core.reading import TomlError, read_toml
from trustgraph.core.records import Snapshot
from trustgraph.core.text import did_you_mean
from trustgraph.core.times import one_second_after
from trustgraph.errors import AmbiguousTargetError, TargetError, UsageError
from trustgraph.graph.model import Edge
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.search import SearchContext, path_refusal
from trustgraph.graph.targets import HEX as _HEX
from trustgraph.graph.targets import Elsewhere, Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.distrust import NameRule
from trustgraph.policy.revocations import Revocation
from trustgraph.policy.rules import PathRules
from trustgraph.policy.signatures import ALWAYS
from trustgraph.x509 import names

if TYPE_CHECKING:
    from trustgraph.analysis.leaves import ImpactLeaves

_NO_TARGET = Target("", frozenset(), None, "")
LOST, SURVIVES, UNREACHED = "lost", "survives", "not reachable before"
COLLATERAL = "collateral"


@dataclass
class Scenario:
    """What the root program does; every field can be combined with the others.

    ``distrust_owners``: remove every anchor these organisations (and those they own at the
    date) operate; ``distrust_roots``: remove these anchors (name, fingerprint or CA id);
    ``revoke_certs``: treat these certificates (fingerprints) as revoked from the date;
    ``rule_files``: TOML files of ``[[distrust]]`` subject-name rules in the case-file
    format.
    """

    distrust_owners: list[str] = field(default_factory=list)
    distrust_roots: list[str] = field(default_factory=list)
    revoke_certs: list[str] = field(default_factory=list)
    rule_files: list[Path] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.distrust_owners or self.distrust_roots or self.revoke_certs or self.rule_files
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "distrust_owners": self.distrust_owners,
            "distrust_roots": self.distrust_roots,
            "revoke_certs": self.revoke_certs,
            "distrust_rules": [str(p) for p in self.rule_files],
        }


@dataclass
class WayIn:
    """A surviving path into the watched CAs; ``closes`` is set with a horizon."""

    path: ChainPath
    closes: tuple[str, str] | None = None

    @property
    def bypass(self) -> Edge:
        return self.path.edges[-1]


@dataclass
class Watched:
    ca: str
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]
    paths: list[ChainPath] = field(default_factory=list)
    more_paths: bool = False
    uncertain: bool = False
    """Every way in after the scenario uses a certificate revoked at an unknown date."""

    @property
    def status(self) -> str:
        if self.after:
            return SURVIVES
        return LOST if self.before else UNREACHED


@dataclass
class Collateral:
    """A CA outside the watched ones that had a path before the scenario and has none
    after, with the anchors that reached it before."""

    ca: str
    before: dict[str, tuple[int, int]]


@dataclass(kw_only=True)
class ImpactResult:
    store: str
    at: str
    horizon: str | None
    scenario: Scenario
    rules: PathRules
    snapshot: Snapshot
    owners_distrusted: list[str]
    anchors_before: AnchorSet
    anchors_after: AnchorSet
    removed: list[str]
    watched: list[Watched]
    ways_in: list[WayIn]
    ways_truncated: dict[str, str]
    only_way_in: dict[str, list[str]]
    directly_trusted: list[str]
    cut: list[str]
    cut_verified: bool
    graph: TrustGraph
    owners: OwnerIndex
    caveats: list[Caveat] = field(default_factory=list)
    """What holds for the whole answer: approximate ownership dates, operators known only as
    of a later record."""
    collateral: list[Collateral] = field(default_factory=list)
    """The CAs outside the watched ones that lose every path, by label."""
    paths_before: dict[str, ChainPath] = field(default_factory=dict)
    """The first path (shortest, then by fingerprints) before the scenario of each CA that
    loses every path; a CA whose paths lie beyond the search bounds has none."""
    leaves: ImpactLeaves | None = None
    """The leaf certificates behind the lost CAs and the ways in (None: none loaded)."""

    def count(self, status: str) -> int:
        return sum(1 for item in self.watched if item.status == status)

    def __repr__(self) -> str:
        return (
            f"ImpactResult({self.store} at {self.at[:10]}: {len(self.watched)} watched, "
            f"{self.count(SURVIVES)} stay reachable, {self.count(LOST)} lose every path, "
            f"{len(self.collateral)} collateral, {len(self.ways_in)} ways in)"
        )

    @property
    def lost_cas(self) -> list[str]:
        """Every CA that loses every path: the watched ones, then the collateral."""
        return [w.ca for w in self.watched if w.status == LOST] + [c.ca for c in self.collateral]


@dataclass
class ScenarioPlan:
    """A scenario resolved against the database: the anchors before and after, the rules
    before and after, and the watched CAs. Needs no graph."""

    store: str
    at: str
    scenario: Scenario
    owners: OwnerIndex
    distrusted: set[str]
    removed: set[str]
    extra_rules: tuple[NameRule, ...]
    anchors_before: AnchorSet
    anchors_after: AnchorSet
    rules_before: PathRules
    rules_after: PathRules
    watched: set[str]
    roots: set[str] = field(default_factory=set)
    """The anchors distrusted by name or fingerprint."""
    below_roots: set[str] = field(default_factory=set)
    """CAs certified, directly or not, by the distrusted roots: watched when they chained
    through one of those roots at the date (decided with the graph)."""
    affected: set[str] = field(default_factory=set)
    """Every CA whose reachability the scenario can change: those within the search depth
    below a removed anchor, a revoked certificate's subject or a CA a rule names. A query
    region must hold them (and their ancestors) for the collateral to be complete."""

    elsewhere: tuple[Elsewhere, ...] = ()
    """CAs whose subject names a distrusted organisation, operated by another: not
    watched, which the answer says."""

    @property
    def region_cas(self) -> frozenset[str]:
        """The CAs whose ancestors a backend must read to assess the plan."""
        return frozenset(self.watched | self.affected)


def plan_scenario(
    records: Records,
    store: str,
    scenario: Scenario,
    rules: PathRules,
    owners: OwnerIndex | None = None,
) -> ScenarioPlan:
    """Resolve ``scenario`` on ``store`` at the time of ``rules`` against the records
    (``owners``: the owner records, read from them when not given).

    Raises:
        UsageError: an empty scenario, an unknown store or snapshot, a root that is not an
            anchor of the store then, an unreadable rule file.
        TargetError: an owner name that matches no owner, or several; a root name that
            matches no anchor of the store, or several.
    """
    if scenario.is_empty():
        raise UsageError(
            "give a scenario: {distrust_owner}, {distrust_root}, {revoke_cert} or {distrust_rule}",
            parameters=("distrust_owner", "distrust_root", "revoke_cert", "distrust_rule"),
        )
    owners = owners or records.owners()
    at = rules.at
    base = records.with_revocations(rules, store)
    anchors_before = records.anchors_at(store, at)
    distrusted = set()
    for name in scenario.distrust_owners:
        distrusted |= owners.owned_at(owners.resolve(name), at)
    removed = owners.cas_of(distrusted, at) & set(anchors_before.cas)
    roots = {_anchor_ca(records, anchors_before, item) for item in scenario.distrust_roots}
    below_roots = below(records, roots, rules.max_depth)
    extra_rules = tuple(rule for path in scenario.rule_files for rule in read_rules(path, at))
    revoked = [
        Revocation(_certificate(records, fp), at, None, "scenario") for fp in scenario.revoke_certs
    ]
    changed = (
        removed
        | roots
        | records.cas_of_certificates([r.certificate for r in revoked])
        | records.cas_by_subject_keys({key for rule in extra_rules for key in rule.subject_keys})
    )
    after_rules = replace(base, revocations=base.revocations.with_extra(revoked))
    return ScenarioPlan(
        store,
        at,
        scenario,
        owners,
        distrusted,
        removed | roots,
        extra_rules,
        anchors_before,
        _apply(anchors_before, removed | roots, extra_rules),
        base,
        after_rules,
        _watched(
            records, owners, at, distrusted, removed, [r.certificate for r in revoked], extra_rules
        )
        | roots
        | below_roots,
        roots,
        below_roots - roots,
        below(records, changed, rules.max_depth),
        records.attributed_elsewhere(owners, distrusted, at),
    )


def assess(
    records: Records,
    plan: ScenarioPlan,
    graph: TrustGraph,
    horizon: str | None = None,
    paths_per_ca: int = 3,
) -> ImpactResult:
    """Evaluate a planned scenario on ``graph`` (the whole graph, or any part of it that
    holds every candidate path from the anchors to the watched CAs).

    Raises:
        UsageError: a horizon before the scenario's date.
    """
    at, after_rules, anchors_after = plan.at, plan.rules_after, plan.anchors_after
    if horizon is not None and horizon <= at:
        raise UsageError(
            "{horizon} must be after {at}", parameters=("horizon", "at"), value=horizon
        )
    before = reach_everything(graph, plan.anchors_before, plan.rules_before)
    after = reach_everything(graph, anchors_after, after_rules)
    kept = _kept(plan, before)
    watched = [
        Watched(ca, before.get(ca, {}), after.get(ca, {}))
        for ca in sorted(kept, key=lambda c: (graph.label(c), c))
    ]
    if after_rules.revocations.pending(at):
        strict = replace(after_rules, revocations=after_rules.revocations.assuming_revoked())
        surely = reach_everything(graph, anchors_after, strict)
        for item in watched:
            item.uncertain = item.status == SURVIVES and not surely.get(item.ca)
    collateral = _collateral(graph, plan, before, after, kept)
    chains = _ways_in(graph, plan, kept)
    ways = [WayIn(path) for path in chains.paths]
    for item in watched:
        if item.status == SURVIVES:
            one = Target(item.ca, frozenset([item.ca]), None, graph.label(item.ca))
            found = find_chains(graph, one, anchors_after, after_rules, max_paths=paths_per_ca)
            item.paths, item.more_paths = found.paths, "max_paths" in found.truncated
    if horizon is not None:
        for way in ways:
            way.closes = _closing(
                records,
                graph,
                plan.store,
                way.path,
                plan.removed,
                plan.extra_rules,
                after_rules,
                at,
                horizon,
            )
    directly = sorted(ca for ca in anchors_after.cas if ca in kept)
    cut = minimum_revocations(graph, anchors_after, after_rules, kept)
    verified = _cut_closes(graph, anchors_after, after_rules, kept, cut, set(directly))
    return ImpactResult(
        store=plan.store,
        at=at,
        horizon=horizon,
        scenario=plan.scenario,
        rules=after_rules,
        snapshot=records.snapshot_at(plan.store, at),
        owners_distrusted=sorted(plan.distrusted),
        anchors_before=plan.anchors_before,
        anchors_after=anchors_after,
        removed=sorted(plan.removed),
        watched=watched,
        ways_in=ways,
        ways_truncated=chains.truncated,
        only_way_in=_only_ways_in(watched),
        directly_trusted=directly,
        cut=cut,
        cut_verified=verified,
        graph=graph,
        owners=plan.owners,
        caveats=_owner_caveats(plan, kept | plan.removed | {c.ca for c in collateral}),
        collateral=collateral,
        paths_before={
            ca: path
            for ca in [w.ca for w in watched if w.status == LOST] + [c.ca for c in collateral]
            if (path := _first_path(graph, plan, ca)) is not None
        },
    )


def _collateral(
    graph: TrustGraph, plan: ScenarioPlan, before: ReachMap, after: ReachMap, watched: set[str]
) -> list[Collateral]:
    """The CAs outside ``watched`` that had a path before the scenario and have none after
    (a scenario only takes trust away, so no CA gains one), by label."""
    lost = [
        ca
        for ca, anchors in before.items()
        if anchors and not after.get(ca) and ca not in watched and ca in graph.graph
    ]
    return [Collateral(ca, before[ca]) for ca in sorted(lost, key=lambda c: (graph.label(c), c))]


def _first_path(graph: TrustGraph, plan: ScenarioPlan, ca: str) -> ChainPath | None:
    """The first path to ``ca`` before the scenario (shortest, then by fingerprints)."""
    one = Target(ca, frozenset([ca]), None, graph.label(ca))
    found = find_chains(graph, one, plan.anchors_before, plan.rules_before, max_paths=1)
    return found.paths[0] if found.paths else None


def _attributed_later(plan: ScenarioPlan, cas: set[str]) -> dict[str, str]:
    """The CAs whose operator at the date is known only from a record dated after it."""
    found = {}
    for ca in cas:
        operator = plan.owners.operator_at(ca, plan.at)
        if operator is not None and operator.basis == "ccadb" and (operator.as_of or "") > plan.at:
            found[ca] = operator.as_of or ""
    return found


def _kept(plan: ScenarioPlan, before: ReachMap) -> set[str]:
    """The watched CAs: a CA below a distrusted root is watched when a path through that
    root reached it; another anchor of the store is trusted in its own right, so it is not."""
    through_roots = {
        ca
        for ca in plan.below_roots - set(plan.anchors_before.cas)
        if plan.roots & set(before.get(ca, {}))
    }
    return (plan.watched - plan.below_roots) | through_roots


def _ways_in(graph: TrustGraph, plan: ScenarioPlan, watched: set[str]) -> ChainsResult:
    """The surviving paths from the remaining anchors to the first watched CA they reach
    (paths of no certificate, from a watched anchor, left out)."""
    target = Target("watched", frozenset(watched), None, "the watched CAs")
    found = find_chains(graph, target, plan.anchors_after, plan.rules_after, max_paths=1000)
    found.paths = [path for path in found.paths if path.edges]
    return found


def ways_in(graph: TrustGraph, plan: ScenarioPlan) -> tuple[list[ChainPath], dict[str, str]]:
    """The surviving ways in of a planned scenario (what :func:`assess` lists), and the
    bounds that cut them, without the rest of the assessment."""
    before = reach_everything(graph, plan.anchors_before, plan.rules_before) if plan.roots else {}
    found = _ways_in(graph, plan, _kept(plan, before))
    return found.paths, found.truncated


def _owner_caveats(plan: ScenarioPlan, cas: set[str]) -> list[Caveat]:
    """Caveats about who operated the CAs at the date: ownership whose start is known to
    the month or year only, around the date; operators known from a later record."""
    found = elsewhere_caveats(
        " and ".join(f"--distrust-owner {owner}" for owner in plan.scenario.distrust_owners),
        plan.elsewhere,
    )
    found += [
        Caveat(
            APPROXIMATE_DATE,
            f"{item.describe(plan.owners.names)}: known to the {item.precision} only, so "
            f"ownership on {plan.at[:10]} is uncertain",
        )
        for owner in plan.scenario.distrust_owners
        for item in plan.owners.uncertain(owner, plan.at)
    ]
    later = _attributed_later(plan, cas | set(plan.anchors_before.cas))
    if later:
        dates = ", ".join(sorted({as_of[:10] for as_of in later.values()}))
        history = (
            "the ownership history loaded says nothing of them"
            if plan.owners.relations
            else "`trustgraph owners load` adds ownership history"
        )
        found.append(
            Caveat(
                OPERATOR_AS_OF,
                f"{len(later)} of the CAs this answer considers (anchors of the store, "
                f"watched and collateral CAs) are attributed to an operator by CCADB records "
                f"of {dates}, after {plan.at[:10]}: some may have been operated by another "
                f"organisation then; {history}",
            )
        )
    return found


def _hex_prefix(parameter: str, text: str) -> str:
    """``text`` (given as ``parameter``) as a lower-case hex prefix of at least 8 digits.

    Raises:
        UsageError: it is not one.
    """
    wanted = text.strip().lower().replace(":", "")
    if len(wanted) < 8 or any(c not in "0123456789abcdef" for c in wanted):
        raise UsageError(
            f"{{{parameter}}} {text!r}: give a certificate SHA-256 fingerprint or CA id (at "
            "least 8 hex digits of it)",
            parameters=(parameter,),
            value=text,
        )
    return wanted


def revoked_by(records: Records, scenario: Scenario) -> list[str]:
    """The fingerprints of the certificates ``scenario`` revokes.

    Raises:
        UsageError: one matches no certificate, or several.
    """
    return [_certificate(records, text) for text in scenario.revoke_certs]


def _certificate(records: Records, text: str) -> str:
    fingerprint = _hex_prefix("revoke_cert", text)
    rows = records.fingerprints_with_prefix(fingerprint, 2)
    if len(rows) != 1:
        raise UsageError(
            f"{text!r} is {'not' if not rows else 'more than'} one certificate "
            "fingerprint in the database"
        )
    return rows[0]


def _anchor_ca(records: Records, anchors: AnchorSet, text: str) -> str:
    """The anchor CA named by a certificate fingerprint or CA id (or a unique prefix of
    either, of 8 hex digits or more), or by name (exact, else a unique substring).

    Raises:
        UsageError: a fingerprint of no anchor; TargetError: a name of no anchor, or of
            several.
    """
    if not _HEX.match(text.strip()):
        return _anchor_named(records, anchors, text)
    wanted = _hex_prefix("distrust_root", text)
    if wanted in anchors.cas:
        return wanted
    matching = sorted(
        ca
        for ca, fingerprints in anchors.cas.items()
        if ca.startswith(wanted) or any(fp.startswith(wanted) for fp in fingerprints)
    )
    if len(matching) > 1:
        raise UsageError(
            f"{{distrust_root}} {text}: {len(matching)} anchors match; give more digits",
            parameters=("distrust_root",),
            value=text,
        )
    if matching:
        return matching[0]
    found = records.fingerprints_with_prefix(wanted, 2)
    found_ca = records.ca_of_certificate(found[0]) if len(found) == 1 else None
    if found_ca in anchors.cas:
        return str(found_ca)
    raise UsageError(
        f"{{distrust_root}} {text}: no anchor of the store at that date has this certificate "
        "fingerprint or CA id (give the anchor's name, a fingerprint of its certificate, or "
        "its CA id; `trustgraph store list` shows the snapshots)",
        parameters=("distrust_root",),
        value=text,
    )


def _anchor_named(records: Records, anchors: AnchorSet, text: str) -> str:
    """The anchor whose name is ``text`` (folded, whole subject or common name; else a
    unique substring of its common name, or of its subject when it has none).

    Raises:
        UsageError: ``text`` holds no letter or digit; TargetError: no anchor has that
            name, or several do.
    """
    folded = names.fold(text)
    if sum(c.isalnum() for c in folded) < 1:
        raise UsageError(
            "{distrust_root} needs a name, a certificate fingerprint or a CA id",
            parameters=("distrust_root",),
            value=text,
        )
    named = [row for row in records.ca_names() if row[0] in anchors.cas]
    for exact in (True, False):
        found = sorted(
            {
                (row[1], row[0])
                for row in named
                if (folded in (names.fold(row[1]), names.fold(row[2] or "")))
                or (not exact and folded in names.fold(row[2] or row[1]))
            }
        )
        if len(found) == 1:
            return found[0][1]
        if len(found) > 1:
            raise AmbiguousTargetError(
                f"{{distrust_root}} {text!r} names {len(found)} anchors of the store at that "
                "date; give the whole name, or a fingerprint",
                [{"ca": ca, "subject": subject} for subject, ca in found],
                parameters=("distrust_root",),
                value=text,
            )
    labels = [row[2] or row[1] for row in named]
    raise TargetError(
        f"{{distrust_root}} {text!r}: no anchor of the store at that date has this name"
        + did_you_mean(text, labels, names.fold),
        parameters=("distrust_root",),
        value=text,
    )


def below(records: Records, roots: set[str], depth: int) -> set[str]:
    """Every CA within ``depth`` certificates below ``roots`` in the graph (whatever the
    dates), ``roots`` included."""
    found, frontier = set(roots), set(roots)
    for _ in range(depth):
        frontier = records.cas_issued_by(frontier) - found
        if not frontier:
            break
        found |= frontier
    return found


def read_rules(path: Path, at: str) -> list[NameRule]:
    """The [[distrust]] entries of a TOML file in the case-file format, in force from ``at``.

    Raises:
        UsageError: the file cannot be read or has no valid [[distrust]] entries.
    """
    # Imported here: the case-file reader brings every store reader with it, which no
    # other query needs, and this module is imported by every query command.
    from trustgraph.ingest.casefile import parse_dn, to_iso

    try:
        _text, data = read_toml(path)
    except TomlError as exc:
        raise UsageError(
            f"{{distrust_rule}} {exc}", parameters=("distrust_rule",), value=path
        ) from exc
    rules = []
    for index, entry in enumerate(data.get("distrust", []), start=1):
        try:
            subjects = [(dn, names.name_key(parse_dn(dn))) for dn in entry["subjects"]]
            cutoff = to_iso(entry["not_before_after"])
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(
                f"{path}: [[distrust]] #{index}: needs subjects (distinguished "
                f"names) and not_before_after (a date): {exc}"
            ) from exc
        if cutoff is None:
            raise UsageError(f"{path}: [[distrust]] #{index}: not_before_after is not a date")
        rules.append(NameRule.of_subjects(subjects, cutoff, at, str(entry.get("source", path))))
    if not rules:
        raise UsageError(f"{path}: no [[distrust]] entries")
    return rules


def _apply(anchors: AnchorSet, removed: set[str], rules: tuple[NameRule, ...]) -> AnchorSet:
    return replace(anchors.without(removed), name_rules=anchors.name_rules + rules)


def _watched(
    records: Records,
    owners: OwnerIndex,
    at: str,
    distrusted: set[str],
    removed: set[str],
    revoked: list[str],
    rules: tuple[NameRule, ...],
) -> set[str]:
    """The CAs a scenario is about: the anchors removed for their owner, the CAs the revoked
    certificates certify, the CAs named by the rules, and every CA their (known) operators
    and the distrusted organisations operate at ``at``."""
    subjects = set(removed)
    subjects |= records.cas_of_certificates(revoked)
    subjects |= records.cas_by_subject_keys({key for rule in rules for key in rule.subject_keys})
    operators = set(distrusted)
    for ca in subjects - removed:
        operator = owners.operator_at(ca, at)
        if operator is not None and operator.basis != "guess":
            operators.add(operator.owner)
    return owners.cas_of(operators, at) | subjects


def _only_ways_in(watched: list[Watched]) -> dict[str, list[str]]:
    only: dict[str, list[str]] = {}
    for item in watched:
        if len(item.after) == 1:
            [anchor] = item.after
            only.setdefault(anchor, []).append(item.ca)
    return only


def _closing(
    records: Records,
    graph: TrustGraph,
    store: str,
    path: ChainPath,
    removed: set[str],
    extra: tuple[NameRule, ...],
    rules: PathRules,
    at: str,
    horizon: str,
) -> tuple[str, str] | None:
    """When (and why) ``path`` stops being valid between ``at`` and ``horizon``."""
    times = set(snapshot_dates(records, store))
    for edge in path.edges:
        if edge.not_after:
            times.add(one_second_after(edge.not_after))
        revocation = rules.revocations.get(edge.certificate)
        if revocation and revocation.effective:
            times.add(revocation.effective)
    times |= {effective for effective, _cutoff in records.rule_dates(store)}
    times |= {c for c in rules.signature_policy.not_accepted_from.values() if c != ALWAYS}
    for moment in sorted(t for t in times if at < t <= horizon):
        anchors = _apply(records.anchors_at(store, moment), removed, extra)
        context = SearchContext(graph, replace(rules, at=moment), _NO_TARGET, anchors)
        reason = path_refusal(context, path.anchor_ca, path.edges)
        if reason is not None:
            return moment, reason
    return None


def minimum_revocations(
    graph: TrustGraph, anchors: AnchorSet, rules: PathRules, watched: set[str]
) -> list[str]:
    """The fewest certificates whose revocation cuts every usable issuance path from the
    anchors (other than watched ones) to the first watched CA: a minimum edge cut.

    Path rules can make even fewer suffice; never more are needed.
    """
    import networkx as nx

    context = SearchContext(graph, rules, _NO_TARGET, anchors)
    source, sink = ("source",), ("sink",)
    network = nx.DiGraph()
    certificates: dict[tuple[str, str], list[str]] = {}
    for edge in graph.edges.values():
        if edge.is_self_loop or edge.issuer_ca in watched or not context.usable(edge):
            continue
        key = (edge.issuer_ca, edge.subject_ca)
        certificates.setdefault(key, []).append(edge.certificate)
        network.add_edge(*key, capacity=len(certificates[key]))
    for anchor in anchors.cas:
        if anchor not in watched and anchor in network:
            network.add_edge(source, anchor)
    for ca in watched:
        if ca in network:
            network.add_edge(ca, sink)
    if source not in network or sink not in network:
        return []
    _value, (reachable, _rest) = nx.minimum_cut(network, source, sink)
    cut = [
        fp
        for (u, v), fps in certificates.items()
        if u in reachable and v not in reachable
        for fp in fps
    ]
    return sorted(cut)


def _cut_closes(
    graph: TrustGraph,
    anchors: AnchorSet,
    rules: PathRules,
    watched: set[str],
    cut: list[str],
    directly: set[str],
) -> bool:
    """Whether re-running with the suggested revocations leaves no way in (besides
    watched CAs that are anchors themselves, which no revocation closes)."""
    revoked = [Revocation(fp, rules.at, None, "suggested") for fp in cut]
    closed = replace(rules, revocations=rules.revocations.with_extra(revoked))
    reach: ReachMap = reach_everything(graph, anchors, closed)
    return all(set(reach.get(ca, {})) <= directly for ca in watched)
