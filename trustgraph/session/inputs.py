"""What a session writes into its database: certificates, CCADB records, trust stores,
ownership relations, case files, fetched certificates, Firefox's lists and CT leaves. Each
needs a session opened for writing; what the session read before is read again after."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trustgraph.core.files import require_input
from trustgraph.core.progress import Progress
from trustgraph.core.times import When, as_iso
from trustgraph.errors import UsageError
from trustgraph.session.base import SessionBase

if TYPE_CHECKING:
    from trustgraph.ingest.casefile import CaseReport
    from trustgraph.ingest.ccadb import RecordsReport
    from trustgraph.ingest.ct.checkpoint import LogKey
    from trustgraph.ingest.ct.files import LeafFilesReport
    from trustgraph.ingest.ct.sync import SyncReport
    from trustgraph.ingest.fetch import FetchReport
    from trustgraph.ingest.intermediates import PreloadReport
    from trustgraph.ingest.loader import LoadReport
    from trustgraph.ingest.onecrl import OneCrlReport
    from trustgraph.ingest.owners import RelationsReport
    from trustgraph.ingest.stores import StoreReport

Paths = Sequence[str | os.PathLike[str]]


class InputMethods(SessionBase):
    """What a session loads."""

    def load(self, paths: Paths, progress: Progress | None = None) -> LoadReport:
        """Load certificates from files, bundles, directories or CCADB PEM reports (see
        :func:`trustgraph.ingest.loader.load_paths`); every input ends loaded or reported.

        Raises:
            InputError: an input cannot be read at all; DatabaseError: the database cannot
                be written (nothing of the input that failed is kept); UsageError: the
                session is read-only.
        """
        from trustgraph.ingest.loader import load_paths

        with self.writing("load certificates") as db:
            return load_paths(db, paths, progress or self.progress)

    def load_records(self, path: str | os.PathLike[str], as_of: When) -> RecordsReport:
        """Load a CCADB certificate-records report dated ``as_of``: declared edges for
        certificates without bytes, operators, and revocations.

        Raises:
            InputError: the report cannot be read; UsageError: the session is read-only.
        """
        from trustgraph.ingest.ccadb import import_records

        with self.writing("load CCADB records") as db:
            return import_records(db, Path(path), as_iso(as_of))

    def add_store(
        self,
        name: str,
        source: str | os.PathLike[str],
        as_of: When | None = None,
        *,
        program: str | None = None,
        platform: str | None = None,
        description: str | None = None,
        allow_empty: bool = False,
        progress: Progress | None = None,
    ) -> StoreReport:
        """Add (or replace) the snapshots of store ``name`` that ``source`` holds (see
        :func:`trustgraph.ingest.stores.add_store`), all or nothing.

        Raises:
            UsageError: ``source`` does not exist, or a bad combination of options;
            InputError: the source cannot be read.
        """
        from trustgraph.ingest.stores import add_store

        require_input(source, "source")
        with self.writing("add a trust store") as db:
            return add_store(
                db,
                name,
                source,
                as_iso(as_of) if as_of else None,
                program=program,
                platform=platform,
                description=description,
                progress=progress or self.progress,
                allow_empty=allow_empty,
            )

    def load_owners(self, path: str | os.PathLike[str]) -> RelationsReport:
        """Record who owned (or resold for) whom from when, from a CSV of dated relations.

        Raises:
            InputError: the file cannot be read; UsageError: the session is read-only.
        """
        from trustgraph.ingest.owners import import_relations

        with self.writing("load ownership relations") as db:
            return import_relations(db, Path(path))

    def apply_case(self, path: str | os.PathLike[str]) -> CaseReport:
        """Load a case file: owners, stores, declared certificates, revocations, rules.

        Raises:
            InputError: the case file is not valid (every problem listed).
        """
        from trustgraph.ingest import casefile

        case = casefile.load(Path(path))
        with self.writing("apply a case file") as db:
            return casefile.apply(db, case, self.progress)

    def fetch(
        self,
        fingerprints: Sequence[str] = (),
        *,
        declared: bool = False,
        mirror: str | os.PathLike[str] | None = None,
        cache: str | os.PathLike[str] | None = None,
        online: bool = True,
        timeout: float = 20.0,
    ) -> FetchReport:
        """Certificate bytes by SHA-256 (and, with ``declared``, every certificate known
        only by metadata), from ``mirror``, the cache or crt.sh, loaded into the database.

        Raises:
            UsageError: nothing to fetch, a bad fingerprint, or a mirror that is not a
                folder; DatabaseError: the database cannot be written.
        """
        from trustgraph.ingest.fetch import Fetcher, declared_fingerprints, default_cache
        from trustgraph.ingest.fetch import fetch as fetch_into

        source = require_input(mirror, "mirror", folder=True) if mirror is not None else None
        folder = Path(cache) if cache is not None else default_cache()
        fetcher = Fetcher(source, folder, timeout=timeout, online=online)
        with self.writing("fetch certificates") as db:
            wanted = list(fingerprints) + (declared_fingerprints(db) if declared else [])
            if not wanted:
                raise UsageError("give fingerprints, or {declared}", parameters=("declared",))
            return fetch_into(db, wanted, fetcher, self.progress)

    def add_onecrl(self, path: str | os.PathLike[str], store: str = "mozilla") -> OneCrlReport:
        """Record OneCRL's revocations for the view of ``store``, in place of the OneCRL
        list recorded for it before.

        Raises:
            InputError: the list cannot be read.
        """
        from trustgraph.ingest.onecrl import add_onecrl

        with self.writing("record OneCRL") as db:
            return add_onecrl(db, Path(path), store)

    def add_preloaded(self, path: str | os.PathLike[str]) -> PreloadReport:
        """Record the intermediates Firefox preloads, in place of the list recorded before.

        Raises:
            InputError: the list cannot be read.
        """
        from trustgraph.ingest.intermediates import add_preloading_list

        with self.writing("record Firefox's preloaded intermediates") as db:
            return add_preloading_list(db, Path(path))

    def sync_log(
        self, url: str, key: LogKey, first: int = 0, last: int | None = None
    ) -> SyncReport:
        """Sync a CT log's entries ``first`` to ``last`` (whole tiles; default: all) into the
        database as leaves (see :mod:`trustgraph.ingest.ct.sync`).

        Raises:
            InputError: the log serves something that does not verify (nothing of it is
                stored).
        """
        from trustgraph.ingest.ct.sync import sync_log

        with self.writing("sync a CT log") as db:
            return sync_log(db, url, key, self.progress, first, last)

    def load_leaves(self, paths: Paths) -> LeafFilesReport:
        """Store the leaf certificates of these files as leaves, each linked to the loaded
        CA whose key verifies it.

        Raises:
            InputError: an input cannot be read at all.
        """
        from trustgraph.ingest.ct.files import load_leaf_files

        with self.writing("load leaf certificates") as db:
            return load_leaf_files(db, paths, self.progress)
