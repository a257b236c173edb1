"""Opening databases safely: another program's SQLite file, a newer or damaged trustgraph
database, or a file that is not a database at all is refused with one line and left
untouched; a read-only database can be queried; a second writer waits for the first or
says why it cannot; a database of schema 1 is migrated and repaired."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import read_only_view
from tests.factories.pki import PKI, write_pem
from tests.process import trustgraph
from trustgraph.errors import DatabaseError
from trustgraph.storage.database import CACHE_KIB, LOAD_CACHE_KIB, Database
from trustgraph.storage.schema import APPLICATION_ID, SCHEMA_VERSION

SCHEMA_V1 = Path(__file__).parent / "data" / "schema-v1.sql"


def _state(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` with a digest of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _foreign(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    connection.execute("INSERT INTO invoices(amount) VALUES (12.5)")
    connection.commit()
    connection.close()
    return path


def _newer(path: Path) -> Path:
    with Database(path):
        pass
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 7}")
    connection.commit()
    connection.close()
    return path


def _not_a_database(path: Path) -> Path:
    path.write_bytes(b"this is a text file, not SQLite\n" * 50)
    return path


def _bad_version(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_V1.read_text())
    connection.execute("INSERT INTO meta(key, value) VALUES ('schema_version', 'one')")
    connection.commit()
    connection.close()
    return path


REFUSED = {
    "another program's database": (_foreign, "not trustgraph's (its tables: invoices)"),
    "a newer trustgraph's database": (_newer, "written by a newer trustgraph"),
    "not a database": (_not_a_database, "is not a SQLite database"),
    "an unreadable schema version": (_bad_version, "unreadable schema version 'one'"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("command", ["status", "load"])
def test_a_file_that_is_not_ours_is_refused_untouched(
    case: str, command: str, tmp_path: Path
) -> None:
    make, message = REFUSED[case]
    folder = tmp_path / "dbs"
    folder.mkdir()
    path = make(folder / "other.db")
    before = _state(folder)
    pem = write_pem(tmp_path / "one.pem", [PKI().root("Unused")])
    args = ["status"] if command == "status" else ["load", str(pem)]
    done = trustgraph(*args, "--db", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert _state(folder) == before


def _loaded(tmp_path: Path) -> Path:
    pki = PKI()
    root = pki.root("Damage Root")
    pki.issue(root.issuer, "Damage Child")
    db = tmp_path / "damaged.db"
    done = trustgraph("load", str(write_pem(tmp_path / "d.pem", pki.certs)), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


def test_a_damaged_page_is_a_one_line_error(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # every page but the header
        data[offset : offset + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    for args in (["status"], ["chains", "Damage Child", "--at", "2020-01-01"]):
        done = trustgraph(*args, "--db", str(db))
        assert done.returncode == 2 and "Traceback" not in done.stderr, args
        assert "damaged" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_read_only_database_is_queried(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    with read_only_view(db.parent, tmp_path / "ro") as view:
        frozen = view / db.name
        done = trustgraph("reach", "Damage Child", "--at", "2020-01-01", "--db", str(frozen))
        assert done.returncode == 0, done.stderr
        pem = write_pem(tmp_path / "new.pem", [PKI().root("New Root")])
        load = trustgraph("load", str(pem), "--db", str(frozen))
        assert load.returncode == 2 and "read-only" in load.stderr
        assert "Traceback" not in load.stderr


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    ready = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait()
    return thread


def test_a_second_writer_waits_or_says_why_not(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    pem = write_pem(tmp_path / "new.pem", [PKI().root("Waiting Root")])
    holder = _hold_write_lock(db, 4)
    refused = trustgraph("load", str(pem), "--db", str(db), env={"TRUSTGRAPH_LOCK_TIMEOUT": "0.5"})
    holder.join()
    assert refused.returncode == 2 and "another process kept" in refused.stderr
    # Held longer than the command takes to start, however busy the machine: it must wait.
    holder = _hold_write_lock(db, 6)
    waited = trustgraph("load", str(pem), "--db", str(db), env={"TRUSTGRAPH_LOCK_TIMEOUT": "60"})
    holder.join()
    assert waited.returncode == 0, waited.stderr
    assert "waiting for another process" in waited.stderr


_SCHEMA_7_CHANGES = ("ALTER TABLE leaves DROP COLUMN chain", "DROP TABLE leaf_chains")


def test_a_schema_6_database_gains_logged_chains(tmp_path: Path) -> None:
    """Schema 7 keeps the chain each CT entry was logged with: a schema 6 database keeps
    its leaves, whose chains are not known."""
    db = _loaded(tmp_path)
    connection = sqlite3.connect(db, isolation_level=None)
    for statement in (
        *_SCHEMA_7_CHANGES,
        "INSERT INTO leaves(source, idx, issuer, ident, not_before, not_after, logged, precert)"
        " VALUES (1, 0, NULL, 7, 0, 10, NULL, 0)",
        "PRAGMA user_version=6",
        "UPDATE meta SET value = '6' WHERE key = 'schema_version'",
    ):
        connection.execute(statement)
    connection.close()
    with Database(db) as database:
        assert database.conn.execute("SELECT ident, chain FROM leaves").fetchall() == [(7, None)]
        assert database.conn.execute("SELECT COUNT(*) FROM leaf_chains").fetchone() == (0,)


_SCHEMA_5_CHANGES = (
    *_SCHEMA_7_CHANGES,
    "DROP INDEX revocations_once",
    "ALTER TABLE revocations DROP COLUMN subject_key",
    "ALTER TABLE revocations DROP COLUMN spki_sha256",
    "ALTER TABLE revocations DROP COLUMN scope",
    "ALTER TABLE revocations DROP COLUMN list",
    "ALTER TABLE revocations DROP COLUMN origin",
    "CREATE UNIQUE INDEX revocations_once ON revocations(COALESCE(certificate, ''), "
    "COALESCE(issuer_key, ''), COALESCE(serial, ''), source)",
    "DROP TABLE preloaded",
)


def test_a_schema_4_database_gains_scoped_revocations(tmp_path: Path) -> None:
    """Schema 5 keeps revocations one store's clients honour (OneCRL), by subject and key
    too, and the intermediates clients preload: a schema 4 database keeps its revocations
    and takes both."""
    db = _loaded(tmp_path)
    connection = sqlite3.connect(db, isolation_level=None)
    for statement in (
        *_SCHEMA_5_CHANGES,
        "INSERT INTO revocations(certificate, revoked_at, source) VALUES ('ab', '2020', 'c')",
        "PRAGMA user_version=4",
        "UPDATE meta SET value = '4' WHERE key = 'schema_version'",
    ):
        connection.execute(statement)
    connection.close()
    with Database(db) as database:
        rows = database.conn.execute(
            "SELECT certificate, scope, subject_key FROM revocations"
        ).fetchall()
        assert rows == [("ab", None, None)]
        assert database.conn.execute("SELECT COUNT(*) FROM preloaded").fetchone() == (0,)


_SCHEMA_4_CHANGES = (
    *_SCHEMA_5_CHANGES,
    "DROP INDEX certificates_sha1",
    "DROP INDEX store_anchors_once",
    "ALTER TABLE certificates DROP COLUMN sha1",
    "ALTER TABLE certificates DROP COLUMN sct_earliest",
    "ALTER TABLE store_snapshots DROP COLUMN sequence",
    "ALTER TABLE store_snapshots DROP COLUMN precision",
    "ALTER TABLE store_snapshots DROP COLUMN superseded_from",
    "CREATE TABLE store_anchors_3 (snapshot_id INTEGER NOT NULL, certificate TEXT NOT NULL, "
    "distrust_after TEXT, label TEXT, UNIQUE (snapshot_id, certificate))",
    "INSERT INTO store_anchors_3 SELECT snapshot_id, certificate, distrust_after, label "
    "FROM store_anchors WHERE certificate IS NOT NULL",
    "DROP TABLE store_anchors",
    "ALTER TABLE store_anchors_3 RENAME TO store_anchors",
)


def test_a_schema_3_database_gains_sha1_fingerprints(tmp_path: Path) -> None:
    """Schema 4 names certificates by SHA-1 too (Microsoft's trust lists do): a schema 3
    database gets them from the bytes it holds."""
    db = _loaded(tmp_path)
    connection = sqlite3.connect(db, isolation_level=None)
    for statement in (
        *_SCHEMA_4_CHANGES,
        "PRAGMA user_version=3",
        "UPDATE meta SET value = '3' WHERE key = 'schema_version'",
    ):
        connection.execute(statement)
    connection.close()
    with Database(db) as database:
        rows = database.conn.execute("SELECT der, sha1, sct_earliest FROM certificates").fetchall()
        assert rows and all(sha1 == hashlib.sha1(der).hexdigest() for der, sha1, _sct in rows)
        assert all(sct is None for _der, _sha1, sct in rows)  # not read: older trustgraph


_SCHEMA_3_COLUMNS = (
    "ALTER TABLE ownership DROP COLUMN relation",
    "ALTER TABLE ownership DROP COLUMN precision",
    "ALTER TABLE operator_facts DROP COLUMN as_of",
)


def test_a_schema_2_database_gains_dated_operators(tmp_path: Path) -> None:
    """Schema 3 dates CCADB operator facts by their report (read from the fact's source)
    and types ownership relations; a schema 2 database is brought up to it."""
    db = _loaded(tmp_path)
    connection = sqlite3.connect(db, isolation_level=None)
    for statement in (
        *_SCHEMA_4_CHANGES,
        *_SCHEMA_3_COLUMNS,
        "PRAGMA user_version=2",
        "UPDATE meta SET value = '2' WHERE key = 'schema_version'",
        "INSERT INTO operator_facts(certificate, organization, owner, basis, source) VALUES "
        "('ab', NULL, 'O', 'ccadb', 'CCADB records report r.csv (2021-04-05)'), "
        "('cd', NULL, 'O', 'case', 'case file (2021-04-05)')",
        "INSERT INTO ownership(owner, owned, start, until, source) VALUES ('A', 'B', NULL, "
        "NULL, 's')",
    ):
        connection.execute(statement)
    connection.close()
    with Database(db) as database:
        assert database.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        dated = database.conn.execute(
            "SELECT certificate, as_of FROM operator_facts WHERE certificate IS NOT NULL ORDER BY 1"
        ).fetchall()
        assert dated == [("ab", "2021-04-05T00:00:00Z"), ("cd", None)]
        relation = database.conn.execute("SELECT relation, precision FROM ownership").fetchall()
        assert relation == [("owned_by", "day")]


def _as_schema_1(db: Path) -> None:
    """Turn a database into what trustgraph 0.1.0 wrote (schema 1), with the damage an
    interrupted load of it could leave: a provisional edge and facts counted twice."""
    connection = sqlite3.connect(db, isolation_level=None)
    for statement in (
        *_SCHEMA_4_CHANGES,
        "DROP INDEX revocations_once",
        "DROP INDEX ownership_once",
        "DROP INDEX operator_facts_once",
        "DROP INDEX store_blocked_once",
        "DROP INDEX edges_kind",
        "ALTER TABLE sources DROP COLUMN digest",
        "ALTER TABLE problems DROP COLUMN count",
        *_SCHEMA_3_COLUMNS,
        "PRAGMA application_id=0",
        "PRAGMA user_version=0",
        "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
        "UPDATE edges SET kind = 'none', issuer_ca = NULL, reason = 'issuer not in the "
        "database' WHERE certificate = (SELECT sha256 FROM certificates WHERE subject_cn = "
        "'Damage Child')",
        "INSERT INTO operator_facts(certificate, organization, owner, basis, source) "
        "VALUES (NULL, 'org', 'Owner', 'case', 's'), (NULL, 'org', 'Owner', 'case', 's')",
    ):
        connection.execute(statement)
    connection.close()


def test_a_schema_1_database_is_migrated_and_repaired(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    _as_schema_1(db)
    warned = trustgraph("reach", "Damage Child", "--at", "2020-01-01", "--db", str(db))
    assert warned.returncode == 1 and "have no issuance edge" in warned.stderr
    with Database(db, readonly=True) as database:
        assert database.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert database.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert database.conn.execute("SELECT COUNT(*) FROM operator_facts").fetchone()[0] == 1
    repaired = trustgraph("load", str(tmp_path / "d.pem"), "--db", str(db))
    assert repaired.returncode == 0, repaired.stderr
    done = trustgraph("reach", "Damage Child", "--at", "2020-01-01", "--db", str(db))
    assert done.returncode == 0 and "have no issuance edge" not in done.stderr


def test_writing_outside_a_transaction_is_refused(tmp_path: Path) -> None:
    with Database(tmp_path / "t.db") as database, pytest.raises(RuntimeError):
        database.write("DELETE FROM cas")


def test_a_missing_database_is_not_created_for_a_query(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no database at"):
        Database(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()


def test_a_load_enlarges_the_page_cache_only_while_it_runs(tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")

    def cache_kib() -> int:
        return -int(db.conn.execute("PRAGMA cache_size").fetchone()[0])

    assert cache_kib() == CACHE_KIB
    with pytest.raises(RuntimeError), db.loading():
        assert cache_kib() == LOAD_CACHE_KIB > CACHE_KIB
        raise RuntimeError("the load fails")
    assert cache_kib() == CACHE_KIB


def test_a_database_another_process_holds_exclusively_is_called_locked(tmp_path: Path) -> None:
    """Another program's exclusive lock is not damage: the message says who and what to do."""
    db = _loaded(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE held(x)")
    try:
        with pytest.raises(DatabaseError) as raised:
            Database(db, readonly=True).close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = str(raised.value)
    assert "locked by another process" in message and "may be damaged" not in message
    Database(db, readonly=True).close()
