"""Leaf certificates: their sources (CT logs with the latest verified checkpoint, or files),
the data tiles stored, the leaves (a compact row each) with their registered domains, and
the aggregates impact answers need (unexpired leaves and registered domains by issuing CA at
a time, and those a program's partial distrust would break)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from trustgraph.core.records import LeafSource
from trustgraph.storage.database import Database

LEAF_COLUMNS = (
    "source",
    "idx",
    "issuer",
    "ident",
    "not_before",
    "not_after",
    "logged",
    "precert",
    "chain",
)


_SOURCE_COLUMNS = "id, kind, prefix, log_id, key, origin, size, root, checkpoint_time, synced_at"


def source_row(
    db: Database, kind: str, prefix: str, log_id: str | None, key: bytes | None
) -> LeafSource:
    """The source row of a log (or of files), made if missing."""
    db.write(
        "INSERT OR IGNORE INTO leaf_sources(kind, prefix, log_id, key) VALUES (?, ?, ?, ?)",
        (kind, prefix, log_id or "", key),
    )
    found = find_source(db, kind, prefix, log_id)
    assert found is not None
    return found


def find_source(db: Database, kind: str, prefix: str, log_id: str | None) -> LeafSource | None:
    """The source row of a log (or of files), if there is one."""
    row = db.conn.execute(
        f"SELECT {_SOURCE_COLUMNS} FROM leaf_sources WHERE kind = ? AND prefix = ? AND log_id = ?",
        (kind, prefix, log_id or ""),
    ).fetchone()
    return LeafSource(*row) if row else None


def sources(db: Database) -> list[LeafSource]:
    return [
        LeafSource(*row)
        for row in db.conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM leaf_sources ORDER BY id")
    ]


def record_checkpoint(
    db: Database, source: int, origin: str, size: int, root: bytes, text: str, timestamp: int
) -> None:
    db.write(
        "UPDATE leaf_sources SET origin = ?, size = ?, root = ?, checkpoint = ?, "
        "checkpoint_time = ?, synced_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
        (origin, size, root, text, timestamp, source),
    )


def stored_tiles(db: Database, source: int) -> dict[int, int]:
    """Data tile index -> how many of its entries are stored."""
    return dict(db.conn.execute("SELECT tile, width FROM leaf_tiles WHERE source = ?", (source,)))


def issuer_ids(db: Database, fingerprints: Iterable[str]) -> dict[str, int]:
    """The ids of issuing certificates (made for new ones)."""
    wanted = sorted(set(fingerprints))
    db.insert_rows("leaf_issuers", ("certificate",), ((fp,) for fp in wanted))
    sql = "SELECT certificate, id FROM leaf_issuers WHERE certificate IN ({marks})"
    return dict(db.in_batches(sql, wanted))


def store_leaves(
    db: Database,
    rows: Sequence[Sequence[Any]],
    domains: Iterable[tuple[int, int, int]],
    names: Iterable[tuple[int, str]],
    tiles: Iterable[tuple[int, int, int]] = (),
) -> None:
    """Leaves (rows of :data:`LEAF_COLUMNS`), their (source, idx, domain) rows, new domain
    names, and the data tiles they complete; all or nothing, inside the caller's
    transaction."""
    db.insert_rows("leaves", LEAF_COLUMNS, rows)
    db.insert_rows("leaf_domains", ("source", "idx", "domain"), domains)
    db.insert_rows("domains", ("id", "name"), names)
    db.insert_rows("leaf_tiles", ("source", "tile", "width"), tiles, replace=True)


def chain_ids(db: Database, chains: Iterable[bytes]) -> dict[bytes, int]:
    """The id of each chain (concatenated SHA-256s), stored if new."""
    wanted = sorted(set(chains))
    db.insert_rows("leaf_chains", ("certificates",), ((chain,) for chain in wanted))
    sql = "SELECT certificates, id FROM leaf_chains WHERE certificates IN ({marks})"
    return {bytes(row[0]): int(row[1]) for row in db.in_batches(sql, wanted)}


def chains_of(db: Database, ids: Iterable[int]) -> dict[int, list[str]]:
    """The certificates (hex SHA-256s, nearest first) of these chains."""
    sql = "SELECT id, certificates FROM leaf_chains WHERE id IN ({marks})"
    return {
        int(row[0]): [bytes(row[1][i : i + 32]).hex() for i in range(0, len(row[1]), 32)]
        for row in db.in_batches(sql, ids)
    }


def certificate_of_cas(db: Database, cas: Iterable[str]) -> dict[str, str]:
    """A certificate (the lowest SHA-256 with bytes) of each of these CAs."""
    sql = (
        "SELECT ca_id, MIN(sha256) FROM certificates WHERE der IS NOT NULL "
        "AND ca_id IN ({marks}) GROUP BY ca_id"
    )
    return dict(db.in_batches(sql, cas))


def next_file_index(db: Database, source: int) -> int:
    return db.scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves WHERE source = ?", (source,))


def leaf_count(db: Database) -> int:
    return db.scalar("SELECT COUNT(*) FROM leaves")


# -- aggregates ---------------------------------------------------------------------------

_BY_CA = """
SELECT c.ca_id, {what}
FROM leaves l
JOIN leaf_issuers i ON i.id = l.issuer
JOIN certificates c ON c.sha256 = i.certificate
{join}
WHERE l.not_before <= :at AND l.not_after >= :at AND c.ca_id IS NOT NULL {where}
GROUP BY c.ca_id
"""


def unexpired_by_ca(db: Database, at: int) -> dict[str, tuple[int, int]]:
    """Issuing CA -> (unexpired leaves, their registered domains) at ``at`` (seconds since
    the epoch); a certificate logged twice, or as a precertificate too, counts once."""
    leaves = dict(
        db.conn.execute(
            _BY_CA.format(what="COUNT(DISTINCT l.ident)", join="", where=""), {"at": at}
        )
    )
    domains = dict(
        db.conn.execute(
            _BY_CA.format(
                what="COUNT(DISTINCT d.domain)",
                join="JOIN leaf_domains d ON d.source = l.source AND d.idx = l.idx",
                where="",
            ),
            {"at": at},
        )
    )
    return {ca: (count, domains.get(ca, 0)) for ca, count in leaves.items()}


def unexpired_of(
    db: Database,
    cas: Sequence[str],
    at: int,
    issued_after: int | None = None,
    logged_after: int | None = None,
    chains: Sequence[int | None] | None = None,
) -> tuple[int, int]:
    """(unexpired leaves, registered domains) issued by ``cas`` at ``at``; only those
    issued (notBefore) after ``issued_after``, or first logged after ``logged_after`` (ms),
    when given: what a distrust-after date or an SCT cut-off would break; only those
    logged with one of ``chains`` (None in it: no chain known), when given."""
    if not cas:
        return 0, 0
    params: dict[str, Any] = {"at": at}
    marks = []
    for number, ca in enumerate(sorted(set(cas))):
        params[f"c{number}"] = ca
        marks.append(f":c{number}")
    where = f"AND c.ca_id IN ({', '.join(marks)})"
    if chains is not None:
        where += _chain_filter(chains, params)
    if issued_after is not None:
        where += " AND l.not_before > :issued"
        params["issued"] = issued_after
    if logged_after is not None:
        # Judged by its earliest SCT: a leaf logged by the cut-off anywhere is not broken,
        # nor one without an SCT time (read from a file).
        where += (
            " AND l.logged IS NOT NULL AND l.ident NOT IN (SELECT e.ident FROM leaves e "
            "WHERE e.logged IS NOT NULL AND e.logged <= :logged)"
        )
        params["logged"] = logged_after
    base = (
        "SELECT {what} FROM leaves l JOIN leaf_issuers i ON i.id = l.issuer "
        "JOIN certificates c ON c.sha256 = i.certificate {join} "
        "WHERE l.not_before <= :at AND l.not_after >= :at " + where
    )
    leaves = db.conn.execute(base.format(what="COUNT(DISTINCT l.ident)", join=""), params)
    domains = db.conn.execute(
        base.format(
            what="COUNT(DISTINCT d.domain)",
            join="JOIN leaf_domains d ON d.source = l.source AND d.idx = l.idx",
        ),
        params,
    )
    return int(leaves.fetchone()[0]), int(domains.fetchone()[0])


def stored_ranges(db: Database) -> list[tuple[int, int, int]]:
    """(source, first index, entries) of each run of consecutive stored data tiles."""
    runs: list[tuple[int, int, int]] = []
    rows = db.conn.execute("SELECT source, tile, width FROM leaf_tiles ORDER BY source, tile")
    for source, tile, width in rows:
        start = tile * 256
        if runs and runs[-1][0] == source and runs[-1][1] + runs[-1][2] == start:
            first = runs[-1]
            runs[-1] = (source, first[1], first[2] + width)
        else:
            runs.append((source, start, width))
    return runs


def _chain_filter(chains: Sequence[int | None], params: dict[str, Any]) -> str:
    known = sorted({chain for chain in chains if chain is not None})
    terms = []
    if known:
        for number, chain in enumerate(known):
            params[f"h{number}"] = chain
        terms.append(f"l.chain IN ({', '.join(f':h{n}' for n in range(len(known)))})")
    if None in chains:
        terms.append("l.chain IS NULL")
    return f" AND ({' OR '.join(terms) or '0'})"


def unexpired_by_chain(db: Database, cas: Sequence[str], at: int) -> dict[int | None, int]:
    """Chain logged with them (None: not known) -> unexpired leaves of ``cas`` at ``at``
    (a certificate logged twice counts in each of its chains)."""
    if not cas:
        return {}
    sql = (
        "SELECT l.chain, COUNT(DISTINCT l.ident) FROM leaves l "
        "JOIN leaf_issuers i ON i.id = l.issuer JOIN certificates c ON c.sha256 = i.certificate "
        "WHERE l.not_before <= ? AND l.not_after >= ? AND c.ca_id IN ({marks}) GROUP BY l.chain"
    )
    found: dict[int | None, int] = {}
    for chain, count in db.in_batches(sql, list(cas), (at, at)):
        found[chain] = found.get(chain, 0) + int(count)
    return found
