"""Syncing a CT log into the database: incremental, resumable, verified before storing.

1. The checkpoint is verified with the log's key, its root recomputed from the log's
   rightmost tiles, and (when a checkpoint was stored before) the stored root recomputed
   from this tree's tiles: a log that shrank, forked or lied refuses the sync, and nothing
   is stored. The checkpoint is then recorded.
2. Data tiles not yet stored (or stored partial) are fetched a few at a time by threads,
   read by worker processes (entries, their Merkle leaf hashes, the facts of each leaf), and
   each is checked against the tree before it is stored: a tile that does not hash to the
   tree refuses the sync, and nothing of it is stored. Issuers the entries name are fetched
   (each must hash to its name) and loaded as certificates.
3. Each batch of tiles is one transaction with the record of the tiles it completes, so a
   sync killed at any point and run again ends as one uninterrupted sync would.

``first``/``last`` sync part of the log (whole tiles): parts sync independently, in one
database or several, and their leaves add up.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from trustgraph.core.progress import NullProgress, Progress
from trustgraph.core.records import LeafSource
from trustgraph.errors import InputError, UsageError
from trustgraph.ingest.ct.checkpoint import Checkpoint, LogKey, verify_checkpoint
from trustgraph.ingest.ct.leaves import LeafFacts, TileFacts, hash64, tile_facts
from trustgraph.ingest.ct.merkle import TILE_WIDTH
from trustgraph.ingest.ct.source import LogSource, NotServed
from trustgraph.ingest.ct.tiles import data_tile_path, issuer_path, tile_path
from trustgraph.ingest.ct.tree import TreeMismatch, VerifiedTree
from trustgraph.ingest.loader import load_items
from trustgraph.ingest.parallel import Workers
from trustgraph.ingest.sources import Occurrence, Source
from trustgraph.storage import certificates
from trustgraph.storage import leaves as leaf_rows
from trustgraph.storage.database import Database

KIND = "ct-log"
"""The kind of source a log is, in the database's sources."""
PRECERT_SIGNING = "1.3.6.1.4.1.11129.2.4.4"
BATCH_TILES = 16
"""Data tiles per transaction (4,096 entries)."""
FETCHERS = 8
PROBLEMS_LISTED = 50


@dataclass
class SyncReport:
    """What a sync did."""

    prefix: str
    checkpoint: Checkpoint
    previous_size: int
    first: int
    last: int
    tiles: int = 0
    entries: int = 0
    issuers: int = 0
    problems: int = 0
    listed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "origin": self.checkpoint.origin,
            "checkpoint_size": self.checkpoint.size,
            "checkpoint_time": self.checkpoint.timestamp,
            "previous_size": self.previous_size,
            "range": [self.first, self.last],
            "tiles_stored": self.tiles,
            "entries_stored": self.entries,
            "issuers_loaded": self.issuers,
            "entries_not_read": self.problems,
            "problems": self.listed,
            "seconds": round(self.seconds, 3),
            "entries_per_second": round(self.entries / self.seconds) if self.seconds else None,
        }


def sync_log(
    db: Database,
    prefix: str,
    key: LogKey,
    progress: Progress | None = None,
    first: int = 0,
    last: int | None = None,
    jobs: int | None = None,
) -> SyncReport:
    """Sync the log at ``prefix`` (entries ``first`` to ``last``, whole tiles; default:
    all) into the database (see the module's description).

    Raises:
        InputError: the log's checkpoint, tiles or issuers cannot be read or do not verify
            (the message says which; nothing of it is stored).
        UsageError: a bad prefix or range.
    """
    started = time.perf_counter()
    progress = progress or NullProgress()
    if first < 0 or first % TILE_WIDTH or (last is not None and last < first):
        raise UsageError(f"entries {first}:{last}: give a range of whole tiles (of 256)")
    source = LogSource(prefix)
    log_id = key.log_id.hex()
    stored = leaf_rows.find_source(db, "ct", source.prefix, log_id)
    checkpoint = verify_checkpoint(_get(source, "checkpoint"), key, source.label("checkpoint"))
    tree = _verified_tree(source, checkpoint, stored)
    with db.transaction():
        row = leaf_rows.source_row(db, "ct", source.prefix, log_id, key.spki)
        sync_id = db.add_source(KIND, source.prefix)
        leaf_rows.record_checkpoint(
            db,
            row.id,
            checkpoint.origin,
            checkpoint.size,
            checkpoint.root,
            checkpoint.text,
            checkpoint.timestamp,
        )
    end = checkpoint.size if last is None else min(last, checkpoint.size)
    report = SyncReport(source.prefix, checkpoint, stored.size if stored else 0, first, end)
    wanted = _wanted_tiles(db, row.id, first, end, checkpoint.size)
    progress.start(f"syncing {source.prefix}", sum(width for _index, width in wanted))
    _Syncer(db, source, tree, row.id, sync_id, report, progress).run(wanted, jobs)
    progress.finish()
    report.seconds = time.perf_counter() - started
    with db.transaction():
        db.finish_source(sync_id, report.as_dict(), checkpoint.root.hex())
    return report


def _get(source: LogSource, path: str) -> bytes:
    try:
        return source.get(path)
    except NotServed as exc:
        raise InputError(f"{source.label(path)}: not served by the log") from exc


def _verified_tree(
    source: LogSource, checkpoint: Checkpoint, row: LeafSource | None
) -> VerifiedTree:
    """The checkpoint's tree, consistent with the checkpoint stored before.

    Raises:
        InputError: the log shrank, its tiles do not hash to the checkpoint, or it is not
            consistent with the stored checkpoint.
    """
    label = source.label("checkpoint")
    size, root = (row.size, row.root) if row is not None else (0, None)
    if checkpoint.size < size:
        raise InputError(
            f"{label}: the log's tree ({checkpoint.size} entries) is smaller than the "
            f"checkpoint stored before ({size}): refused"
        )

    def fetch(level: int, index: int, width: int) -> bytes:
        try:
            return source.get(tile_path(level, index, width))
        except NotServed:
            if width == TILE_WIDTH:
                raise
            full = source.get(tile_path(level, index))  # the partial tile was replaced
            return full[: width * 32]

    try:
        tree = VerifiedTree(checkpoint.size, checkpoint.root, fetch)
        if size and root is not None and tree.root_at(size) != root:
            raise InputError(
                f"{label}: the log's tree of {checkpoint.size} entries does not extend the "
                f"checkpoint of {size} entries stored before (inconsistent): refused"
            )
    except TreeMismatch as exc:
        raise InputError(f"{label}: {exc}; refused, nothing stored") from exc
    except NotServed as exc:
        raise InputError(f"{source.label(str(exc))}: not served by the log") from exc
    return tree


def _wanted_tiles(
    db: Database, source: int, first: int, end: int, size: int
) -> list[tuple[int, int]]:
    """(index, width) of the data tiles from ``first`` to ``end`` not yet stored whole."""
    stored = leaf_rows.stored_tiles(db, source)
    wanted = []
    for index in range(first // TILE_WIDTH, -(-end // TILE_WIDTH)):
        width = min(TILE_WIDTH, size - index * TILE_WIDTH)
        if width > 0 and stored.get(index, 0) < width:
            wanted.append((index, width))
    return wanted


class _Syncer:
    """Fetches, reads, checks and stores the wanted data tiles, batch by batch."""

    def __init__(
        self,
        db: Database,
        source: LogSource,
        tree: VerifiedTree,
        source_id: int,
        sync_id: int,
        report: SyncReport,
        progress: Progress,
    ) -> None:
        self.db, self.source, self.tree = db, source, tree
        self.source_id, self.sync_id = source_id, sync_id
        self.report, self.progress = report, progress
        self.issuers: dict[bytes, int] = {}
        self.issuer_names: dict[bytes, tuple[int, bytes]] = {}
        """Issuer -> (64 bits of its name key's hash, SHA-256 of its key)."""
        self.precert_signers: set[bytes] = set()

    def run(self, wanted: list[tuple[int, int]], jobs: int | None) -> None:
        batches = [wanted[i : i + BATCH_TILES] for i in range(0, len(wanted), BATCH_TILES)]
        with Workers(jobs) as workers, ThreadPoolExecutor(FETCHERS) as fetchers:
            fetched = self._fetch_ahead(batches, fetchers)
            pending = None
            for batch in fetched:
                submitted = workers.submit(tile_facts, batch, least=2)
                if pending is not None:
                    self._store(pending.get())
                pending = submitted
            if pending is not None:
                self._store(pending.get())

    def _fetch_ahead(
        self, batches: list[list[tuple[int, int]]], fetchers: ThreadPoolExecutor
    ) -> Iterator[list[tuple[int, int, bytes]]]:
        """Each batch's tiles with their bytes, the next batch fetched meanwhile."""
        ahead = None
        for number, batch in enumerate(batches):
            current = ahead or fetchers.map(self._data_tile, batch)
            ahead = (
                fetchers.map(self._data_tile, batches[number + 1])
                if number + 1 < len(batches)
                else None
            )
            yield list(current)

    def _data_tile(self, wanted: tuple[int, int]) -> tuple[int, int, bytes]:
        index, width = wanted
        path = data_tile_path(index, width)
        try:
            return index, width, self.source.get(path)
        except NotServed:
            if width == TILE_WIDTH:
                raise InputError(f"{self.source.label(path)}: not served by the log") from None
        try:  # a partial tile the full one has replaced: its first entries are the same
            return index, TILE_WIDTH, self.source.get(data_tile_path(index))
        except NotServed as exc:
            raise InputError(f"{self.source.label(path)}: not served by the log") from exc

    def _store(self, results: Sequence[TileFacts | str]) -> None:
        """Check a batch of read tiles against the tree and store it in one transaction.

        Raises:
            InputError: a tile is not a data tile, or does not hash to the tree.
        """
        for result in results:
            if isinstance(result, str):
                raise InputError(f"{self.source.prefix}: {result}; refused, nothing of it stored")
            try:
                self.tree.check_data_tile(result.index, result.hashes, result.root)
            except TreeMismatch as exc:
                raise InputError(
                    f"{self.source.label(data_tile_path(result.index, result.width))}: {exc}; "
                    "refused, nothing of it stored"
                ) from exc
        tiles = [r for r in results if isinstance(r, TileFacts)]
        with self.db.transaction():
            self._load_issuers(tiles)
            rows, domains, names, problems = self._rows(tiles)
            leaf_rows.store_leaves(
                self.db,
                rows,
                domains,
                names,
                [(self.source_id, t.index, len(t.hashes)) for t in tiles],
            )
            self._record_problems(problems)
        self.report.tiles += len(tiles)
        self.report.entries += len(rows)
        self.progress.advance(sum(len(t.hashes) for t in tiles))

    def _load_issuers(self, tiles: list[TileFacts]) -> None:
        """Fetch and load the certificates of the chains first named in these tiles (clients
        are judged on whole chains); note which only sign precertificates."""
        new = sorted(
            {
                name
                for tile in tiles
                for facts in tile.facts
                if isinstance(facts, LeafFacts)
                for name in facts.chain
                if name not in self.issuers
            }
        )
        if not new:
            return
        found = []
        for name in new:
            path = issuer_path(name.hex())
            try:
                der = self.source.get(path)
            except NotServed as exc:
                raise InputError(
                    f"{self.source.label(path)}: an entry's chain names this issuer, which the "
                    "log does not serve; refused, nothing of the entry's tile stored"
                ) from exc
            if hashlib.sha256(der).digest() != name:
                raise InputError(f"{self.source.label(path)}: does not hash to its name; refused")
            found.append(Occurrence(der, self.source.label(path)))
        load_items(self.db, [Source.from_items(f"{self.source.prefix} issuers", found)])
        self.report.issuers += len(found)
        hexes = [name.hex() for name in new]
        for fingerprint, eku in certificates.ekus_of(self.db, hexes).items():
            if eku and PRECERT_SIGNING in json.loads(eku):
                self.precert_signers.add(bytes.fromhex(fingerprint))
        self.issuers.update(
            (bytes.fromhex(fp), ident) for fp, ident in leaf_rows.issuer_ids(self.db, hexes).items()
        )
        for fingerprint, (subject, spki) in certificates.names_and_keys(self.db, hexes).items():
            self.issuer_names[bytes.fromhex(fingerprint)] = (
                hash64(subject.encode()),
                bytes.fromhex(spki),
            )

    def _rows(
        self, tiles: list[TileFacts]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, int, int]], list[tuple[int, str]], list[str]]:
        rows, domains, names, problems = [], [], [], []
        chain_ids = leaf_rows.chain_ids(self.db, self._served_chains(tiles))
        for tile in tiles:
            for offset, facts in enumerate(tile.facts):
                index = tile.index * TILE_WIDTH + offset
                if isinstance(facts, str):
                    problems.append(f"entry {index}: {facts}")
                    continue
                issuer = facts.issuer
                if issuer in self.precert_signers:
                    issuer = facts.second
                self._check_issuer(index, facts, issuer)
                served = self._served(facts)
                rows.append(
                    (
                        self.source_id,
                        index,
                        self.issuers.get(issuer) if issuer else None,
                        facts.ident,
                        facts.not_before,
                        facts.not_after,
                        facts.logged,
                        int(facts.precert),
                        chain_ids[served] if served else None,
                    )
                )
                for domain, name in facts.domains:
                    domains.append((self.source_id, index, domain))
                    names.append((domain, name))
        return rows, domains, names, problems

    def _served(self, facts: LeafFacts) -> bytes:
        """The chain logged with an entry, from its issuing CA's certificate on (a
        precertificate signing certificate is not sent with the final certificate), as the
        concatenated SHA-256s stored."""
        chain = facts.chain
        if chain and chain[0] in self.precert_signers:
            chain = chain[1:]
        return b"".join(chain)

    def _served_chains(self, tiles: list[TileFacts]) -> set[bytes]:
        return {
            served
            for tile in tiles
            for facts in tile.facts
            if isinstance(facts, LeafFacts) and (served := self._served(facts))
        }

    def _check_issuer(self, index: int, facts: LeafFacts, issuer: bytes | None) -> None:
        """The chain the log stores is not covered by its tree: its issuer must be the one
        the entry names (by name; for a precertificate, by the key hash the entry holds).

        Raises:
            InputError: it is not.
        """
        if issuer is None:
            return
        known = self.issuer_names.get(issuer)
        name_ok = known is not None and known[0] == facts.issuer_name
        key_ok = facts.issuer_key_hash is None or (
            known is not None and known[1] == facts.issuer_key_hash
        )
        if not (name_ok and key_ok):
            raise InputError(
                f"{self.source.prefix}: entry {index}: the chain stored with it names "
                f"{issuer.hex()}, which did not issue it; refused, nothing of its tile stored"
            )

    def _record_problems(self, problems: list[str]) -> None:
        if not problems:
            return
        for problem in problems:
            certificates.insert_problem(
                self.db, self.sync_id, self.source.prefix, "not-a-certificate", problem
            )
        self.report.problems += len(problems)
        room = PROBLEMS_LISTED - len(self.report.listed)
        self.report.listed.extend(problems[:room])
