"""Pushing the database into a real Neo4j: complete, idempotent, resumable, in sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import load_certs
from tests.factories.pki import PKI, random_pki
from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings
from trustgraph.backends.neo4j.push import pending, push
from trustgraph.cli import app
from trustgraph.core.kinds import GRAPH_KINDS
from trustgraph.errors import Neo4jError
from trustgraph.ingest import facts
from trustgraph.policy.anchors import database_roots
from trustgraph.storage.database import Database

pytestmark = pytest.mark.neo4j
runner = CliRunner()


def dump(neo: Neo4jGraph) -> dict[str, list[str]]:
    """Everything trustgraph keeps in Neo4j, as sorted JSON lines."""
    parts = {
        "cas": "MATCH (c:CA) RETURN c {.*} AS item",
        "certificates": "MATCH (c:Certificate) RETURN c {.*} AS item",
        "edges": "MATCH (i)-[r:ISSUED]->(s) RETURN r {.*, i: i.id, s: s.id} AS item",
    }
    return {
        name: sorted(json.dumps(row["item"], sort_keys=True) for row in neo.run(text))
        for name, text in parts.items()
    }


def local_counts(db: Database) -> dict[str, int]:
    marks = ",".join("?" for _ in GRAPH_KINDS)
    edges = db.conn.execute(
        f"SELECT COUNT(*) FROM edges WHERE kind IN ({marks}) AND issuer_ca IS NOT NULL",
        tuple(GRAPH_KINDS),
    ).fetchone()[0]
    return {
        "cas": db.conn.execute("SELECT COUNT(*) FROM cas").fetchone()[0],
        "certificates": db.conn.execute("SELECT COUNT(*) FROM certificates").fetchone()[0],
        "edges": edges,
    }


@pytest.fixture
def loaded(db: Database, tmp_path: Path) -> Database:
    pki, _roots, _leaves = random_pki(7)
    load_certs(db, tmp_path, pki.certs)
    return db


def test_push_is_complete_and_a_second_push_changes_nothing(
    loaded: Database, neo4j: Neo4jGraph
) -> None:
    first = push(loaded, neo4j, batch=4)
    after_first = dump(neo4j)
    assert {name: len(rows) for name, rows in after_first.items()} == local_counts(loaded)
    assert first.changes > 0 and pending(loaded, neo4j) == dict.fromkeys(first.counts, 0)
    second = push(loaded, neo4j, batch=4)
    assert second.changes == 0 and set(second.counts.values()) == {0}
    assert dump(neo4j) == after_first


def test_an_interrupted_push_resumes_where_it_stopped(
    loaded: Database, neo4j: Neo4jGraph, tmp_path: Path
) -> None:
    class Interrupted(Neo4jGraph):
        """Fails on the tenth write, as a lost connection would."""

        writes = 0

        def write(self, text: str, parameters: dict[str, Any] | None = None) -> int:
            Interrupted.writes += 1
            if Interrupted.writes == 10:
                raise Neo4jError("connection lost")
            return super().write(text, parameters)

    with Interrupted(neo4j.settings) as failing, pytest.raises(Neo4jError):
        push(loaded, failing, batch=3)
    behind = pending(loaded, neo4j)
    assert any(behind.values())
    resumed = push(loaded, neo4j, batch=3)
    assert any(resumed.resumed.values())
    assert sum(resumed.counts.values()) == sum(behind.values())
    once = dump(neo4j)
    push(loaded, neo4j, restart=True)
    assert dump(neo4j) == once
    assert {name: len(rows) for name, rows in once.items()} == local_counts(loaded)


def test_new_data_and_revocations_are_pushed_as_changes(
    loaded: Database, neo4j: Neo4jGraph, tmp_path: Path
) -> None:
    push(loaded, neo4j)
    pki = PKI()
    newcomer = pki.ca("Newcomer Root")
    pki.root(newcomer)
    below = pki.issue(newcomer, "Newcomer Issuing CA")
    load_certs(loaded, tmp_path, pki.certs, "new.pem")
    assert pending(loaded, neo4j)["certificates"] == 2
    facts.record_revocations(
        loaded, [(below.sha256, None, None, "2020-01-01T00:00:00Z", None, "test", None)]
    )
    report = push(loaded, neo4j)
    assert report.counts["certificates"] == 2
    [row] = neo4j.run(
        "MATCH ()-[r:ISSUED {certificate: $fp}]->() RETURN r.revoked_at AS at", {"fp": below.sha256}
    )
    assert row["at"] == "2020-01-01T00:00:00Z"
    assert push(loaded, neo4j).changes == 0


def test_rows_deleted_locally_are_removed(loaded: Database, neo4j: Neo4jGraph) -> None:
    push(loaded, neo4j)
    [(gone,)] = loaded.conn.execute(
        "SELECT sha256 FROM certificates ORDER BY sha256 LIMIT 1"
    ).fetchall()
    loaded.conn.execute("DELETE FROM edges WHERE certificate = ?", (gone,))
    loaded.conn.execute("DELETE FROM certificates WHERE sha256 = ?", (gone,))
    report = push(loaded, neo4j)
    assert report.removed["certificates"] == 1
    assert {name: len(rows) for name, rows in dump(neo4j).items()} == local_counts(loaded)


def test_a_wiped_server_gets_everything_again(loaded: Database, neo4j: Neo4jGraph) -> None:
    push(loaded, neo4j)
    before = dump(neo4j)
    neo4j.run("MATCH (n) DETACH DELETE n")
    assert push(loaded, neo4j).counts["certificates"] == local_counts(loaded)["certificates"]
    assert dump(neo4j) == before


def test_cli_push_status_and_query(loaded: Database, neo4j_env: Neo4jGraph) -> None:
    path = str(loaded.path)
    behind = runner.invoke(app, ["neo4j", "status", "--db", path, "--format", "json"])
    assert behind.exit_code == 1 and json.loads(behind.stdout)["not_pushed"]["certificates"] > 0
    pushed = runner.invoke(app, ["neo4j", "push", "--db", path, "--format", "json", "-q"])
    assert pushed.exit_code == 0, pushed.output
    assert (
        json.loads(pushed.stdout)["pushed"]["certificates"] == local_counts(loaded)["certificates"]
    )
    assert runner.invoke(app, ["neo4j", "status", "--db", path]).exit_code == 0
    roots = runner.invoke(app, ["neo4j", "query", "roots", "--format", "json"])
    assert roots.exit_code == 0, roots.output
    found = {row["ca"] for row in json.loads(roots.stdout)["rows"]}
    assert found == set(database_roots(loaded).cas)
    [fp] = [r[0] for r in loaded.conn.execute("SELECT sha256 FROM certificates LIMIT 1")]
    edges = runner.invoke(
        app, ["neo4j", "query", "edges", "--param", f'certificates=["{fp}"]', "--format", "json"]
    )
    assert [row["edge"]["certificate"] for row in json.loads(edges.stdout)["rows"]] == [fp]


def test_cli_query_refuses_missing_parameters(neo4j_env: Neo4jGraph) -> None:
    result = runner.invoke(app, ["neo4j", "query", "region-step", "--param", "at=2016-01-01"])
    assert result.exit_code == 2 and "cas, kinds" in result.stderr


def test_unreachable_server_is_a_clear_error(loaded: Database, monkeypatch: Any) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_PASSWORD", "do-not-print-me")
    monkeypatch.setenv("NEO4J_USER", "someone")
    result = runner.invoke(app, ["neo4j", "push", "--db", str(loaded.path), "-q"])
    assert result.exit_code == 1 and "cannot reach Neo4j" in result.stderr
    assert "do-not-print-me" not in result.output


def test_settings_never_show_the_password() -> None:
    settings = Neo4jSettings("neo4j+s://example.databases.neo4j.io", "neo4j", "s3cret")
    assert "s3cret" not in settings.describe() and "s3cret" not in repr(settings)
