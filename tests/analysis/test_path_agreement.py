"""chains and reach against a brute-force reference on random PKIs.

The reference enumerates every sequence of certificates from an anchor to the target
without repeating a CA and checks each with a direct transcription of RFC 5280 6.1
(pathLenConstraint budget, basicConstraints/keyUsage of issuers, name constraints). chains
must list exactly those paths in order; reach must list exactly their anchors with the
shortest length and the strongest weakest-edge kind.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_certs
from tests.factories.pki import random_pki, write_pem
from tests.queries import anchor_set
from trustgraph import api
from trustgraph.analysis.chains import ChainPath, find_chains
from trustgraph.analysis.impact import Scenario
from trustgraph.analysis.reach import find_reach, reach_everything
from trustgraph.graph.model import Edge
from trustgraph.graph.search import SearchContext, path_refusal
from trustgraph.graph.targets import Target, resolve_target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest import stores
from trustgraph.policy.anchors import AnchorSet, AnchorTrust
from trustgraph.policy.distrust import NameRule
from trustgraph.policy.nameconstraints import satisfies
from trustgraph.policy.revocations import Revocation, RevocationIndex
from trustgraph.policy.rules import KIND_RANK, PathRules, weakest
from trustgraph.render.impact import impact_document
from trustgraph.storage.database import Database
from trustgraph.x509.stored import NameConstraints


def _subject_key(graph: TrustGraph, ca: str) -> str:
    info = graph.ca(ca)
    assert info is not None
    return info.subject_key


def reference_valid(
    edges: list[Edge], rules: PathRules, anchors: AnchorSet, graph: TrustGraph, anchor: str
) -> bool:
    """RFC 5280 6.1 over a whole path, anchor side first (the anchor is not judged), plus
    the trust store's distrust-after dates, subject-name rules and distrusted certificates."""
    remaining: int | None = None
    constraints: list[NameConstraints] = []
    cas = [anchor] + [edge.subject_ca for edge in edges]
    for index, edge in enumerate(edges):
        last = index == len(edges) - 1
        if not rules.usable(edge) or edge.certificate in anchors.blocked:
            return False
        cutoffs = [anchors.trust_of(anchor).distrust_after] + [
            rule.not_before_after
            for ca in cas[: index + 1]
            for rule in anchors.name_rules
            if _subject_key(graph, ca) in rule.subject_keys
        ]
        if any(c and edge.not_before and edge.not_before > c for c in cutoffs):
            return False
        exempt = edge.self_issued and not last
        if (
            rules.checks_names
            and not exempt
            and not all(satisfies(edge.names, nc) for nc in constraints)
        ):
            return False
        if last:
            break
        if not rules.can_issue(edge):
            return False
        if not edge.self_issued and remaining is not None:
            if remaining <= 0:
                return False
            remaining -= 1
        if edge.path_len is not None:
            remaining = edge.path_len if remaining is None else min(remaining, edge.path_len)
        if rules.checks_names and edge.name_constraints is not None:
            constraints.append(edge.name_constraints)
    return True


def reference_paths(
    graph: TrustGraph,
    anchor_set: AnchorSet,
    target_cas: frozenset[str],
    certificate: str | None,
    rules: PathRules,
    judged: list[tuple[str, tuple[Edge, ...], bool]] | None = None,
) -> list[list[str]]:
    """Valid paths, sorted; every candidate path with its verdict goes to ``judged``."""
    anchors = {ca: anchor_set.certificate_for(ca) for ca in anchor_set.cas}
    found: list[list[str]] = []
    all_edges = [e for e in graph.edges.values() if not e.is_self_loop]

    def walk(ca: str, path: list[Edge], visited: set[str], anchor: str) -> None:
        if path:
            end = path[-1]
            done = end.certificate == certificate if certificate else end.subject_ca in target_cas
            if done:
                valid = reference_valid(path, rules, anchor_set, graph, anchor)
                if judged is not None:
                    judged.append((anchor, tuple(path), valid))
                if valid:
                    found.append([anchors[anchor], *(e.certificate for e in path)])
                return
            if end.subject_ca in target_cas:
                return
        if len(path) == rules.max_depth:
            return
        for edge in all_edges:
            if edge.issuer_ca == ca and edge.subject_ca not in visited:
                walk(edge.subject_ca, [*path, edge], visited | {edge.subject_ca}, anchor)

    for anchor in sorted(anchors):
        if not certificate and anchor in target_cas:
            found.append([anchors[anchor]])
            continue
        if anchor in target_cas:
            continue
        walk(anchor, [], {anchor}, anchor)
    return sorted(found, key=lambda p: (len(p), p))


def _with_store_rules(anchors: AnchorSet, graph: TrustGraph, rng: random.Random) -> AnchorSet:
    """Random trust-store extras: a distrust-after date, a subject-name rule, a blocked
    certificate (each sometimes)."""
    dates = ["2011-01-01T00:00:00Z", "2013-01-01T00:00:00Z", "2016-06-01T00:00:00Z"]
    cas = sorted(graph.graph.nodes)
    extras: dict[str, Any] = {}
    if rng.random() < 0.5:
        extras["trust"] = {
            rng.choice(sorted(anchors.cas)): AnchorTrust(distrust_after=rng.choice(dates))
        }
    if rng.random() < 0.5:
        subject = graph.ca(rng.choice(cas)).subject_key  # type: ignore[union-attr]
        extras["name_rules"] = (
            NameRule(
                frozenset([subject]), ("x",), rng.choice(dates), "2000-01-01T00:00:00Z", "test"
            ),
        )
    if rng.random() < 0.3:
        extras["blocked"] = frozenset([rng.choice(sorted(graph.edges))])
    return replace(anchors, **extras)


def _random_revocations(graph: TrustGraph, rng: random.Random) -> RevocationIndex:
    chosen = rng.sample(sorted(graph.edges), k=min(2, len(graph.edges)))
    return RevocationIndex(
        {
            chosen[0]: Revocation(chosen[0], "2015-01-01T00:00:00Z", None, "test"),
            chosen[-1]: Revocation(chosen[-1], None, "2018-01-01T00:00:00Z", "test"),
        }
    )


@pytest.mark.parametrize("seed", range(40))
def test_chains_and_reach_match_the_reference(seed: int, db: Database, tmp_path: Path) -> None:
    pki, roots, leaves = random_pki(seed)
    load_certs(db, tmp_path, pki.certs)
    graph = TrustGraph.from_database(db)
    anchors = _with_store_rules(anchor_set(db, roots), graph, random.Random(seed))
    revocations = _random_revocations(graph, random.Random(seed + 1000))
    ca_names = sorted({c.subject.cn for c in pki.certs if c.subject.cn.startswith("CA ")})
    targets = ca_names + [leaf.sha256 for leaf in leaves]
    checked = 0
    for at in ("2010-06-01", "2013-06-01", "2017-06-01", "2020-06-01"):
        for purpose in ("any", "serverAuth"):
            rules = replace(api.make_rules(at, purpose, max_depth=5), revocations=revocations)
            everything = reach_everything(graph, anchors, rules)
            context = SearchContext(graph, rules, Target("", frozenset(), None, ""), anchors)
            for query in targets:
                target = resolve_target(db, query)
                judged: list[tuple[str, tuple[Edge, ...], bool]] = []
                expected = reference_paths(
                    graph, anchors, target.cas, target.certificate, rules, judged
                )
                for anchor, edges, valid in judged:
                    assert (path_refusal(context, anchor, edges) is None) == valid
                result = find_chains(graph, target, anchors, rules, max_paths=10**6)
                assert not result.truncated or set(result.truncated) == {"max_depth"}
                assert [p.certificates for p in result.paths] == expected, (query, at, purpose)
                reach = find_reach(graph, target, anchors, rules)
                by_anchor: dict[str, list[ChainPath]] = {}
                for path in result.paths:
                    by_anchor.setdefault(path.anchor_ca, []).append(path)
                assert {r.ca for r in reach.reached} == set(by_anchor), (query, at, purpose)
                for item in reach.reached:
                    found = by_anchor[item.ca]
                    assert item.shortest == min(p.length for p in found)
                    assert KIND_RANK[item.best_kind] == max(
                        KIND_RANK[weakest([e.kind for e in p.edges])] for p in found
                    )
                if target.certificate is None and len(target.cas) == 1:
                    [ca] = target.cas
                    assert everything.get(ca, {}) == {
                        r.ca: (r.shortest, KIND_RANK[r.best_kind]) for r in reach.reached
                    }
                checked += len(expected)
    assert checked > 0


@pytest.mark.parametrize("seed", range(8))
def test_a_region_read_on_demand_answers_as_the_whole_graph(
    seed: int, db: Database, tmp_path: Path
) -> None:
    """Without a graph, the memory backend reads only the ancestors of the target from the
    database; chains, reach and impact must not notice (truncation notes included)."""
    pki, roots, leaves = random_pki(seed)
    load_certs(db, tmp_path, pki.certs)
    stores.add_snapshot(db, "s", write_pem(tmp_path / "roots.pem", roots), "2009-01-01T00:00:00Z")
    whole = api.open(db, graph=TrustGraph.from_database(db))
    region = api.open(db)
    anchors = anchor_set(db, roots)
    ca_names = sorted({c.subject.cn for c in pki.certs if c.subject.cn.startswith("CA ")})
    for at in ("2013-06-01", "2017-06-01"):
        rules = api.make_rules(at, max_depth=3)
        for query in [*ca_names, *(leaf.sha256 for leaf in leaves)]:
            one, other = (
                s.chains(query, anchors=anchors, rules=rules, max_paths=5, timeout=10.0)
                for s in (whole, region)
            )
            assert (one.paths, one.truncated) == (other.paths, other.truncated), query
            one_reach, other_reach = (
                s.reach(query, anchors=anchors, rules=rules) for s in (whole, region)
            )
            assert one_reach.reached == other_reach.reached, query
        scenario = Scenario(distrust_roots=[roots[0].sha256])
        one_impact, other_impact = (
            s.impact("s", rules.at, scenario, rules, "2030-01-01T00:00:00Z")
            for s in (whole, region)
        )
        assert impact_document(one_impact, {}) == impact_document(other_impact, {})
