"""A session: one database, its records read once and read again after a write, a
read-only session that refuses to write, errors that name the parameter at fault."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

import trustgraph
from tests.factories.pki import PKI, write_pem
from trustgraph import api
from trustgraph.errors import UsageError
from trustgraph.storage.database import Database

AT = "2020-06-01"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return api.demo(tmp_path_factory.mktemp("demo"))


def _traced(session: trustgraph.Session) -> Counter[str]:
    """The statements ``session`` sends from now on, by their first 60 characters."""
    sent: Counter[str] = Counter()
    connection: sqlite3.Connection = session.database.conn  # the test watches the wire
    connection.set_trace_callback(lambda text: sent.update([" ".join(text.split())[:60]]))
    return sent


def test_a_session_reads_a_store_once_for_all_its_questions(demo_db: Path) -> None:
    scenario = api.Scenario(distrust_owners=["WoSign"])
    with trustgraph.open(demo_db) as session:
        sent = _traced(session)
        first = session.impact("mozilla", "2016-10-21", scenario)
        after_one = sum(sent.values())
        second = session.impact("mozilla", "2016-10-21", scenario)
        again = sum(sent.values()) - after_one
    snapshots = [text for text in sent if text.startswith("SELECT id, store, as_of")]
    assert snapshots and all(sent[text] == 1 for text in snapshots)
    assert again < after_one
    assert api.document(first) == api.document(second)


def test_a_write_makes_the_session_read_again(tmp_path: Path) -> None:
    pki = PKI()
    root = pki.root("Session Root")
    bundle = write_pem(tmp_path / "root.pem", [root])
    with trustgraph.open(tmp_path / "s.db", create=True) as session:
        session.load([bundle])
        assert session.store_names() == []
        session.add_store("bundle", bundle, "2020-01-01")
        assert session.store_names() == ["bundle"]
        assert len(session.anchors("bundle", AT)) == 1


def test_a_read_only_session_refuses_to_write(tmp_path: Path) -> None:
    pki = PKI()
    bundle = write_pem(tmp_path / "root.pem", [pki.root("Read Only Root")])
    api.load(tmp_path / "r.db", [bundle])
    with trustgraph.open(tmp_path / "r.db") as session, pytest.raises(UsageError) as raised:
        session.add_store("bundle", bundle, "2020-01-01")
    assert raised.value.parameter == "write"
    assert api.stores(tmp_path / "r.db") == []


def test_a_session_over_an_open_database_leaves_it_open(tmp_path: Path) -> None:
    pki = PKI()
    api.load(tmp_path / "o.db", [write_pem(tmp_path / "root.pem", [pki.root("Open Root")])])
    with Database(tmp_path / "o.db", readonly=True) as db:
        with trustgraph.open(db) as session:
            assert session.counts()["certificates"] == 1
        assert db.counts()["certificates"] == 1


def test_an_error_names_the_parameter_the_caller_gave(demo_db: Path) -> None:
    """The library says its own parameter names; the command line says its flags."""
    with trustgraph.open(demo_db) as session:
        with pytest.raises(UsageError) as raised:
            session.impact("mozilla", "2016-10-21", api.Scenario(), horizon="2016-01-01")
        assert raised.value.parameter == "distrust_owner"
        assert str(raised.value).startswith("give a scenario: distrust_owner, distrust_root")
        scenario = api.Scenario(distrust_owners=["WoSign"])
        with pytest.raises(UsageError) as raised:
            session.impact("mozilla", "2016-10-21", scenario, horizon="2016-01-01")
    assert (raised.value.parameter, raised.value.value) == ("horizon", "2016-01-01T00:00:00Z")
    assert str(raised.value) == "horizon must be after at"
    flags = raised.value.naming(lambda name: "--" + name.replace("_", "-"))
    assert flags == "--horizon must be after --at"


def test_an_unknown_backend_is_refused_before_anything_opens(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        trustgraph.open(tmp_path / "none.db", backend="postgres")
    assert raised.value.parameter == "backend"
    assert not (tmp_path / "none.db").exists()


class _Records:
    """Records held in memory: analysis needs nothing else."""

    def __init__(self, snapshots: list[api.Snapshot]) -> None:
        self._snapshots = snapshots

    def snapshots(self, store: str | None = None) -> list[api.Snapshot]:
        return [s for s in self._snapshots if store is None or s.store == store]

    def snapshot_at(self, store: str, at: str) -> api.Snapshot:
        return [s for s in self.snapshots(store) if s.as_of <= at][-1]


def test_analysis_answers_from_records_without_a_database() -> None:
    from trustgraph.analysis.stores import coverages
    from trustgraph.core.records import Snapshot

    held = _Records(
        [
            Snapshot(1, "a", "2020-01-01T00:00:00Z", "pem-bundle", "a1.pem", None),
            Snapshot(2, "a", "2022-06-01T00:00:00Z", "pem-bundle", "a2.pem", None),
            Snapshot(3, "b", "2021-01-01T00:00:00Z", "pem-bundle", "b1.pem", None),
        ]
    )
    found = {c.store: c for c in coverages(held)}  # type: ignore[arg-type]
    assert sorted(found) == ["a", "b"]
    assert [span.start[:10] for span in found["a"].spans] == ["2020-01-01", "2022-06-01"]
    assert [gap.start[:10] for gap in found["a"].gaps][:1] == ["2021-02-04"]


def test_a_session_sees_another_writer_after_refresh(tmp_path: Path) -> None:
    pki = PKI()
    first = write_pem(tmp_path / "first.pem", [pki.root("First Root")])
    second = write_pem(tmp_path / "second.pem", [pki.root("Second Root")])
    api.load(tmp_path / "w.db", [first])
    with trustgraph.open(tmp_path / "w.db") as session:
        assert len(session.anchors()) == 1
        assert session.graph().number_of_nodes() == 1
        api.load(tmp_path / "w.db", [second])  # another writer
        assert len(session.anchors()) == 1  # what it read stays
        session.refresh()
        assert len(session.anchors()) == 2
        assert session.graph().number_of_nodes() == 2
