"""A first load through Neo4j's offline importer: the same graph as a push, checkpoints
that make later pushes incremental, and a refusal that leaves an existing database alone."""

from __future__ import annotations

import csv
import json
import multiprocessing
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import neo4j_server
from tests.backends.test_backends import assert_parity, generated, generated_commands
from tests.backends.test_neo4j_push import dump
from tests.conftest import load_certs, unavailable
from tests.factories.pki import PKI
from trustgraph.backends.neo4j import bulk as bulk_module
from trustgraph.backends.neo4j.bulk import ADMIN_ENVIRONMENT, bulk_import, write_import_files
from trustgraph.backends.neo4j.connection import Neo4jGraph
from trustgraph.backends.neo4j.push import SCHEMA, pending, push
from trustgraph.cli import app
from trustgraph.errors import DatabaseError, Neo4jError
from trustgraph.storage.database import Database

runner = CliRunner()


@pytest.fixture
def server(
    neo4j_process: neo4j_server.RunningNeo4j | None,
    neo4j_env: Neo4jGraph,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[neo4j_server.RunningNeo4j]:
    """The session's test server, emptied, with its neo4j-admin named in the environment;
    running again after the test whatever it did, with the constraints a push creates (an
    import replaced the database without them)."""
    if neo4j_process is None:
        unavailable("a bulk import needs the session's own test server, not NEO4J_URI")
        return
    monkeypatch.setenv(ADMIN_ENVIRONMENT, shlex.join(neo4j_server.admin_command()))
    try:
        yield neo4j_process
    finally:
        if neo4j_process.process.poll() is not None:
            neo4j_process.resume()
        with Neo4jGraph(neo4j_env.settings) as neo:
            for statement in SCHEMA:
                neo.run(statement)


def bulk(database: Path, home: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app,
        ["neo4j", "push", "--bulk", "--neo4j-home", str(home), "--db", str(database), *extra],
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.neo4j
@pytest.mark.slow
def test_bulk_import_is_a_push_and_later_pushes_are_incremental(
    server: neo4j_server.RunningNeo4j, neo4j_env: Neo4jGraph, tmp_path: Path
) -> None:
    path = generated(tmp_path, 11)
    with Database(path) as database:
        push(database, neo4j_env)
        pushed = dump(neo4j_env)
    server.halt()
    code, out, err = bulk(path, server.home, "--overwrite", "--format", "json")
    assert code == 0, err
    imported = json.loads(out)["imported"]
    assert imported == {name: len(rows) for name, rows in pushed.items()}
    server.resume()
    # Until a push creates the constraints, status says so and queries refuse to run.
    status = runner.invoke(app, ["neo4j", "status", "--db", str(path)])
    assert status.exit_code == 1
    assert "run `trustgraph neo4j push` once" in status.stdout
    query = next(iter(generated_commands(path)))
    refused = runner.invoke(app, [*query, "--db", str(path), "--backend", "neo4j"])
    assert refused.exit_code == 1
    assert "lacks trustgraph's constraints" in refused.stderr
    with Neo4jGraph(neo4j_env.settings) as neo, Database(path) as database:
        assert dump(neo) == pushed
        assert set(pending(database, neo).values()) == {0}
        assert push(database, neo).changes == 0
        constraints = {row["name"] for row in neo.run("SHOW CONSTRAINTS YIELD name")}
        assert constraints >= {"trustgraph_ca", "trustgraph_certificate", "trustgraph_issued"}
        for command in generated_commands(path):
            assert_parity(path, command)
        pki = PKI()
        later = pki.ca("Later Root")
        pki.root(later)
        pki.issue(later, "Later Issuing CA")
        load_certs(database, tmp_path, pki.certs, "later.pem")
        report = push(database, neo)
        assert report.counts["certificates"] == 2
        assert report.resumed["certificates"] > 0


AWKWARD = 'Quote " comma, semicolon; back\\slash\nnew line'


@pytest.mark.neo4j
@pytest.mark.slow
def test_bulk_import_refuses_an_existing_database_unless_told_to_replace_it(
    server: neo4j_server.RunningNeo4j, neo4j_env: Neo4jGraph, tmp_path: Path
) -> None:
    path = generated(tmp_path, 23)
    pki = PKI()
    pki.root(pki.ca(AWKWARD))
    with Database(path) as database:
        load_certs(database, tmp_path, pki.certs, "awkward.pem")
        push(database, neo4j_env)
        pushed = dump(neo4j_env)
    assert any("new line" in row for row in pushed["cas"])
    neo4j_env.run("CREATE (:Unrelated {kept: true})")
    server.halt()
    code, _out, err = bulk(path, server.home)
    assert code == 1
    assert "import into 'neo4j' failed" in err and "--overwrite" in err
    server.resume()
    with Neo4jGraph(neo4j_env.settings) as neo:
        assert dump(neo) == pushed
        assert neo.run("MATCH (u:Unrelated) RETURN count(u) AS n")[0]["n"] == 1
    server.halt()
    code, _out, err = bulk(path, server.home, "--overwrite")
    assert code == 0, err
    server.resume()
    with Neo4jGraph(neo4j_env.settings) as neo:
        assert dump(neo) == pushed
        assert neo.run("MATCH (u:Unrelated) RETURN count(u) AS n")[0]["n"] == 0


def test_bulk_import_without_neo4j_admin_says_where_to_find_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ADMIN_ENVIRONMENT, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    path = generated(tmp_path, 37)
    code, _out, err = bulk(path, tmp_path)
    assert code == 2
    assert "cannot find neo4j-admin" in err and "--neo4j-home" in err
    code, _out, err = bulk(path, tmp_path / "absent")
    assert code == 2 and "is not a directory" in err


def test_import_files_keep_text_exactly_and_empty_apart_from_absent(tmp_path: Path) -> None:
    pki = PKI()
    pki.root(pki.ca(AWKWARD))
    with Database(tmp_path / "db.sqlite") as database:
        load_certs(database, tmp_path, pki.certs)
        files = write_import_files(database, tmp_path / "files", "id")
    assert files.multiline
    with open(files.path("cas.csv"), encoding="utf-8", newline="") as handle:
        [header, row] = list(csv.reader(handle))
    ca = dict(zip(header, row, strict=True))
    assert ca["subject_cn:string"] == AWKWARD
    assert ca["root:boolean"] == "true"
    with open(files.path("issued.csv"), encoding="utf-8", newline="") as handle:
        text = handle.read()
    # An empty text is quoted (it stays ""); an absent value is an empty field.
    assert ',"",' in text and ",," in text
    assert files.counts == {"edges": 1, "cas": 1, "certificates": 1}


def test_bulk_options_go_together(tmp_path: Path) -> None:
    path = generated(tmp_path, 37)
    code, _out, err = bulk(path, tmp_path, "--restart")
    assert code == 2 and "--restart does not go with --bulk" in err
    alone = runner.invoke(app, ["neo4j", "push", "--overwrite", "--db", str(path)])
    assert alone.exit_code == 2 and "go with --bulk" in alone.stderr


_TRANSCRIPT = Path(__file__).parent / "data" / "neo4j_admin_import.txt"


def _fake_importer(exit_code: int) -> list[str]:
    """A neo4j-admin that prints a real import transcript and exits with ``exit_code``."""
    script = (
        f"import sys; sys.stdout.write(open({str(_TRANSCRIPT)!r}).read()); sys.exit({exit_code})"
    )
    return [sys.executable, "-c", script]


class _Recording:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, description: str, total: int | None) -> None:
        self.events.append(("start", (description, total)))

    def advance(self, amount: int) -> None:
        self.events.append(("advance", amount))

    def finish(self) -> None:
        self.events.append(("finish", None))


def _import_stages(events: list[tuple[str, object]]) -> list[tuple[str, int]]:
    """(stage, percent reached) for each importer stage, checking each one is finished."""
    stages: list[tuple[str, int]] = []
    current: str | None = None
    for kind, value in events:
        if kind == "start" and isinstance(value, tuple) and value[0].startswith("neo4j-admin"):
            assert current is None and value[1] == 100
            current = value[0]
            stages.append((current, 0))
        elif kind == "advance" and current is not None:
            stages[-1] = (current, stages[-1][1] + int(str(value)))
        elif kind == "finish" and current is not None:
            current = None
    assert current is None
    return stages


def test_importer_stages_show_as_progress(pki: PKI, tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")
    load_certs(db, tmp_path, [pki.root("Progress Root")])
    progress = _Recording()
    report = bulk_import(db, tmp_path, admin=_fake_importer(0), progress=progress)
    assert report.counts["certificates"] == 1
    assert _import_stages(progress.events) == [
        ("neo4j-admin import 1/4: Node import", 100),
        ("neo4j-admin import 2/4: Relationship import", 100),
        ("neo4j-admin import 3/4: Relationship linking", 100),
        ("neo4j-admin import 4/4: Post processing", 100),
    ]


def test_a_failed_import_quotes_the_importers_last_lines(pki: PKI, tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")
    load_certs(db, tmp_path, [pki.root("Failing Root")])
    with pytest.raises(Neo4jError) as failure:
        bulk_import(db, tmp_path, admin=_fake_importer(3))
    message = str(failure.value)
    transcript = _TRANSCRIPT.read_text(encoding="utf-8").strip().splitlines()
    assert "failed (exit 3)" in message
    assert message.endswith("\n".join(transcript[-25:]))
    assert transcript[0] not in message


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.csv"))}


def test_the_certificates_file_written_beside_the_others_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = generated(tmp_path, 41)
    monkeypatch.setattr(bulk_module, "PARALLEL_FROM", 0)
    written = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("TRUSTGRAPH_JOBS", jobs)
        progress = _Recording()
        with Database(path) as database:
            files = write_import_files(database, tmp_path / jobs, "id", progress)
        written[jobs] = (_files(tmp_path / jobs), files.counts, files.multiline)
        advanced = _stage_advances(progress.events, "writing certificates")
        assert advanced == files.counts["certificates"] > 0
    assert written["1"] == written["2"]
    assert not multiprocessing.active_children()


def _stage_advances(events: list[tuple[str, object]], stage: str) -> int:
    """How far the progress of one stage went."""
    total, inside = 0, False
    for kind, value in events:
        if kind == "start":
            inside = isinstance(value, tuple) and value[0] == stage
        elif kind == "advance" and inside:
            total += int(str(value))
    return total


def test_no_other_process_changes_the_database_while_the_files_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = generated(tmp_path, 43)
    monkeypatch.setattr(bulk_module, "PARALLEL_FROM", 0)
    monkeypatch.setenv("TRUSTGRAPH_JOBS", "2")
    monkeypatch.setenv("TRUSTGRAPH_LOCK_TIMEOUT", "0.3")
    refused: list[str] = []

    class Writer(_Recording):
        def start(self, description: str, total: int | None) -> None:
            if description == "writing cas":
                with (
                    Database(path) as other,
                    pytest.raises(DatabaseError) as failure,
                    other.transaction(),
                ):
                    other.write("INSERT INTO meta VALUES ('intruder', 'x')")
                refused.append(str(failure.value))
                raise RuntimeError("stop here")

    with Database(path) as database, pytest.raises(RuntimeError, match="stop here"):
        write_import_files(database, tmp_path / "files", "id", Writer())
    assert refused and "locked" in refused[0]
    assert not multiprocessing.active_children()  # the certificates writer was stopped
    with Database(path) as database:  # and the lock is released
        with database.transaction():
            database.write("INSERT INTO meta VALUES ('after', 'x')")
        assert database.scalar("SELECT COUNT(*) FROM meta WHERE key = 'intruder'") == 0
