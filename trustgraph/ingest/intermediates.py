"""Firefox's intermediate preloading list: the intermediate certificates Firefox knows
without a server sending them (it builds paths through them), from the collection Firefox
ships (see :mod:`trustgraph.ingest.remotesettings`). Each record names a certificate by
``derHash`` (base64 of the SHA-256 of its DER); the PEM files themselves are not shipped,
so records are matched against the certificates loaded. Adding a list replaces the one
recorded before for the client. A record that cannot be read refuses the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustgraph.errors import InputError
from trustgraph.ingest.remotesettings import Collection, b64, read_collection
from trustgraph.storage import certificates, trust
from trustgraph.storage.database import Database

FIREFOX = "firefox"
KIND = "firefox-intermediates"
"""The kind of source a preloading list is, in the database's sources."""


@dataclass(frozen=True)
class Preloaded:
    """One record: the certificate's SHA-256 and the subject the list gives (if any)."""

    ident: str
    sha256: str
    subject: str | None


@dataclass
class PreloadReport:
    """What adding a list did: its records, how many loaded certificates they name, and
    how many the client preloaded before."""

    path: Path
    published: str | None
    client: str
    records: list[Preloaded]
    replaced: int
    loaded: set[str] = field(default_factory=set)

    @property
    def missing(self) -> list[Preloaded]:
        """Records whose certificate is not loaded."""
        return [r for r in self.records if r.sha256 not in self.loaded]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.path),
            "published": self.published,
            "client": self.client,
            "records": len(self.records),
            "certificates_loaded": len(self.loaded),
            "certificates_not_loaded": len(self.missing),
            "replaced": self.replaced,
            "not_loaded": [
                {"sha256": r.sha256, "subject": r.subject, "id": r.ident} for r in self.missing
            ],
        }


def read_preloading_list(path: Path) -> tuple[Collection, list[Preloaded]]:
    """The collection and its records.

    Raises:
        InputError: the file is no collection, or a record has no readable ``derHash``, or
            names a certificate twice (the message names the file, record and reason).
    """
    collection = read_collection(path)
    found: list[Preloaded] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(collection.records):
        where = collection.where(index)
        sha256 = b64(raw, "derHash", where, size=32).hex()
        if sha256 in seen:
            raise InputError(f"{where}: the certificate of record {seen[sha256] + 1} again")
        seen[sha256] = index
        subject = raw.get("subject")
        ident = raw.get("id")
        found.append(
            Preloaded(
                ident if isinstance(ident, str) else "",
                sha256,
                subject if isinstance(subject, str) else None,
            )
        )
    return collection, found


def add_preloading_list(db: Database, path: Path, client: str = FIREFOX) -> PreloadReport:
    """Record the intermediates ``client`` preloads, in place of those recorded before
    (all or nothing).

    Raises:
        InputError: as :func:`read_preloading_list` (nothing is changed).
    """
    collection, records = read_preloading_list(path)
    published = collection.published
    source = path.name + (f", published {published[:10]}" if published else "")
    with db.transaction():
        source_id = db.add_source(KIND, str(path))
        replaced = trust.replace_preloaded(db, client, ((r.sha256, source) for r in records))
        report = PreloadReport(path, published, client, records, replaced)
        report.loaded = certificates.existing_fingerprints(db, [r.sha256 for r in records])
        db.finish_source(source_id, report.as_dict() | {"not_loaded": None}, collection.digest)
    return report
