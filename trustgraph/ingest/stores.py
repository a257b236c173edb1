"""Adding trust-store snapshots: a root program's anchors at a date, read from the
program's own format. One command adds one version, or a whole dated series:

* a PEM bundle (certifi or curl style): every certificate is an anchor;
* an NSS ``certdata.txt``: server-auth anchors, explicit distrust, distrust-after dates;
* a CCADB certificate-records report: one program's status column;
* Microsoft's ``authroot.stl`` CTL, or a directory of versions (one series by ThisUpdate);
* the Chrome Root Store's ``root_store.textproto``, with its constraints;
* an archive of Apple (iOS or macOS) or Android stores (one series per platform);
* crt.sh's root-program snapshots (one series per program; ``all`` adds every program,
  each into a store named after it);
* certifi's history of Mozilla's bundles (one series by release day).

Several sources may describe one program: their versions form one history, each with its
source. A version of a day the store already has from another source replaces it, and the
report says whether the two agreed.

Every version is stored with its anchors (by SHA-256 or SHA-1; anchors whose bytes are not
loaded stay facts of the store, counted as missing until ``load`` or ``fetch`` brings them),
its distrusted certificates and the certificates it carries. A series is added in one
transaction: all of it, or (on an error) nothing. Trust data fails closed: a certificate of
a bundle that cannot be read refuses the bundle, and a version without any anchor (a file
of something else, a page with no recognised rows) refuses the source unless empty versions
are allowed, so that an input that yields nothing never replaces a store. Queries find
snapshots through :mod:`trustgraph.policy.stores`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trustgraph.core.progress import Progress
from trustgraph.core.records import Snapshot
from trustgraph.core.storekinds import (
    ANDROID,
    APPLE,
    AUTHROOT,
    BUNDLE,
    CCADB,
    CERTIFI,
    CHROME,
    CRTSH,
    DATED,
    KINDS,
    NSS,
)
from trustgraph.core.times import as_iso
from trustgraph.errors import InputError, UsageError
from trustgraph.ingest import android, apple, authroot, ccadb, certifi, chrome, crtsh, nss
from trustgraph.ingest.archive import archive_names, is_archive
from trustgraph.ingest.listed import Blocked, ListedAnchor, StoreVersion
from trustgraph.ingest.loader import LoadReport, load_items
from trustgraph.ingest.sources import (
    Occurrence,
    Problem,
    Source,
    read_head,
    read_input,
    read_paths,
)
from trustgraph.storage import certificates, trust
from trustgraph.storage.database import Database
from trustgraph.x509.keyusage import SERVER_AUTH


@dataclass
class SnapshotReport:
    """What adding one version did."""

    snapshot: Snapshot
    anchors: int
    without_bytes: int = 0
    not_anchors: list[dict[str, Any]] = field(default_factory=list)
    distrusted: int = 0
    load: LoadReport | None = None
    replaced: dict[str, Any] | None = None
    """The snapshot of the same day from another source this one replaced: its source,
    and whether the two listed the same anchors."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot.as_dict(),
            "replaced": self.replaced,
            "anchors": self.anchors,
            "anchors_without_certificate_bytes": self.without_bytes,
            "certificates_not_trusted": self.not_anchors,
            "distrusted_certificates": self.distrusted,
            "load": self.load.as_dict() if self.load else None,
        }


@dataclass
class StoreReport:
    """What ``add_store`` did: each version stored, and each part of the source not used
    (with why), so that every version of the source ends stored or reported."""

    kind: str
    versions: list[SnapshotReport]
    unused: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "versions": [v.as_dict() for v in self.versions],
            "not_used": self.unused,
        }


def detect_kind(path: Path) -> str:
    """Which kind of trust-store source ``path`` is (see :data:`KINDS`).

    Raises:
        InputError: the source cannot be read, or a directory holds no CTL versions.
    """
    if path.is_dir() or is_archive(path):
        return _kind_of_collection(path)
    if crtsh.looks_like_crtsh([path.name]):
        return CRTSH
    head = read_head(path)
    if authroot.looks_like_ctl(head):
        return AUTHROOT
    text = head.decode("utf-8", errors="replace")
    if _comments_only(text):
        # A long comment (a licence) can fill the head: look at all of it.
        text = read_input(path).decode("utf-8", errors="replace")
    if ccadb.looks_like_records(text.split("\n", 1)[0]):
        return CCADB
    if chrome.looks_like_textproto(text):
        return CHROME
    if nss.looks_like_certdata(text) and "-----BEGIN" not in text:
        return NSS
    return BUNDLE


def _kind_of_collection(path: Path) -> str:
    """The kind of a folder or archive, from the names of its files.

    Raises:
        InputError: it holds none of the kinds trustgraph reads as a series.
    """
    if crtsh.looks_like_crtsh(crtsh.source_names(path)):
        return CRTSH
    if certifi.looks_like_certifi(certifi.names(path)):
        return CERTIFI
    if path.is_dir():
        authroot.ctl_files(path)
        return AUTHROOT
    names = archive_names(path)
    if android.looks_like_android(names):
        return ANDROID
    if apple.looks_like_apple(names):
        return APPLE
    raise InputError(
        f"{path}: an archive of none of the stores trustgraph reads (Apple, Android, crt.sh's "
        "root programs, certifi's history)"
    )


def _comments_only(text: str) -> bool:
    """Whether ``text`` holds nothing but ``#`` comment lines and blank ones."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def add_store(
    db: Database,
    store: str,
    source: str | os.PathLike[str],
    as_of: str | None = None,
    *,
    program: str | None = None,
    platform: str | None = None,
    description: str | None = None,
    progress: Progress | None = None,
    allow_empty: bool = False,
) -> StoreReport:
    """Add (or replace) the versions of ``store`` that ``source`` holds: all of them, or
    (on an error) nothing. ``as_of`` (a date or ISO time) dates a source without dates of
    its own (and is refused for one that has them); ``allow_empty`` lets a version without
    anchors in.

    Raises:
        InputError: the source is unreadable, of no known kind, holds trust data that
            cannot be read (one entry that cannot be read fails the whole source), or a
            version without anchors (unless ``allow_empty``).
        UsageError: ``as_of`` missing or not allowed, the program or platform unknown, or
            the store's name empty, or ``as_of`` is no date.
    """
    if not store.strip():
        raise UsageError("a trust store needs a name, such as mozilla or microsoft")
    as_of = as_iso(as_of) if as_of is not None else None
    path = Path(source)
    kind = detect_kind(path)
    if kind in DATED and as_of is not None:
        raise UsageError(
            f"{path} dates its own versions ({KINDS[kind]}); drop {{as_of}}",
            parameters=("as_of",),
            value=as_of,
        )
    if kind not in DATED and as_of is None:
        raise UsageError(
            f"{path} carries no date; give {{as_of}} (the day it was published)",
            parameters=("as_of",),
        )
    if store == ALL and kind != CRTSH:
        raise UsageError(f"store name {ALL!r} is for crt.sh's root programs, which name stores")
    series, unused = _read(db, kind, path, store, as_of, program, platform)
    chosen: list[tuple[str, StoreVersion]] = []
    for name, versions in sorted(series.items()):
        kept, duplicates = _one_per_date(versions)
        unused += duplicates
        chosen += [(name, replace(v, description=description) if description else v) for v in kept]
    with db.transaction():
        reports = [
            _store_version(db, name, kind, version, progress, allow_empty)
            for name, version in chosen
        ]
    return StoreReport(kind, reports, unused)


def add_snapshot(
    db: Database,
    store: str,
    source: str | os.PathLike[str],
    as_of: str | None = None,
    **options: Any,
) -> SnapshotReport:
    """Add one version of ``store`` (see :func:`add_store`) and say what it did.

    Raises:
        InputError, UsageError: as :func:`add_store`; UsageError also when the source
            holds a series rather than one version.
    """
    report = add_store(db, store, source, as_of, **options)
    if len(report.versions) != 1:
        raise UsageError(f"{source} holds {len(report.versions)} versions; use add_store")
    return report.versions[0]


ALL = "all"
"""The store name that adds every program of crt.sh's snapshots, each into its own store."""


def _read(
    db: Database,
    kind: str,
    path: Path,
    store: str,
    as_of: str | None,
    program: str | None,
    platform: str | None,
) -> tuple[dict[str, list[StoreVersion]], list[dict[str, Any]]]:
    """The versions ``path`` holds, by the store each goes into, and what is not used."""
    if kind == CRTSH:
        if store == ALL:
            return crtsh.read_programs(path), []
        chosen = program or _crtsh_program_for(store)
        found = crtsh.read_programs(path, {chosen}).get(chosen)
        if not found:
            raise InputError(f"{path}: no snapshot of {chosen} in it")
        return {store: found}, []
    if kind == CERTIFI:
        versions, unused = certifi.read_history(path)
        return {store: versions}, unused
    versions, unused = _read_one(db, kind, path, store, as_of, program, platform)
    return {store: versions}, unused


def _crtsh_program_for(store: str) -> str:
    """The crt.sh program a store's name names (``mozilla``, ``apple-ios`` -> apple, ...).

    Raises:
        UsageError: the name names none, or several.
    """
    programs = sorted({name for name, _context in crtsh.PROGRAMS.values()})
    found = [p for p in programs if p.split("-")[0] in store.lower()]
    if len(found) != 1:
        raise UsageError(
            f"which of crt.sh's programs is store {store!r}? give {{program}} "
            f"{'|'.join(programs)}, or name the store all to add every program",
            parameters=("program",),
        )
    return found[0]


def _read_one(
    db: Database,
    kind: str,
    path: Path,
    store: str,
    as_of: str | None,
    program: str | None,
    platform: str | None,
) -> tuple[list[StoreVersion], list[dict[str, Any]]]:
    if kind == AUTHROOT:
        files = authroot.ctl_files(path) if path.is_dir() else [path]
        return [authroot.read_ctl_file(f) for f in files], []
    if kind == APPLE:
        chosen = platform or apple.platform_of(store)
        if chosen not in apple.RELEASES:
            raise UsageError(
                f"which Apple platform is store {store!r}? give {{platform}} ios or macos",
                parameters=("platform",),
                value=platform,
            )
        return apple.read_apple(
            path, chosen, lambda serials: certificates.certificates_with_serials(db, serials)
        )
    if kind == ANDROID:
        return android.read_android(path)
    assert as_of is not None
    readers: dict[str, Callable[[], StoreVersion]] = {
        CHROME: lambda: chrome.read_textproto_file(path, as_of),
        NSS: lambda: _certdata_version(path, as_of),
        CCADB: lambda: _ccadb_version(path, as_of, program or _program_for(store)),
        BUNDLE: lambda: _bundle_version(path, as_of),
    }
    return [readers[kind]()], []


def _one_per_date(
    versions: list[StoreVersion],
) -> tuple[list[StoreVersion], list[dict[str, Any]]]:
    """One version per date: of versions with the same date (a source may publish one
    twice), the one with the highest sequence; the others are reported."""
    chosen: dict[str, StoreVersion] = {}
    dropped: list[dict[str, Any]] = []
    for version in versions:
        other = chosen.get(version.as_of)
        if other is None:
            chosen[version.as_of] = version
            continue
        keep, drop = sorted((other, version), key=_version_order, reverse=True)
        chosen[version.as_of] = keep
        if _entries(keep) == _entries(drop):
            why = "lists the same entries"
        elif _sequence_order(keep) == _sequence_order(drop):
            why = (
                "has the same sequence number but other entries; the one of the later source "
                "name is kept"
            )
        else:
            why = "has a higher sequence number"
        dropped.append(
            {
                "source": drop.source,
                "reason": f"another version dated {drop.as_of} ({keep.source}) {why}",
            }
        )
    return sorted(chosen.values(), key=lambda v: v.as_of), dropped


def _version_order(version: StoreVersion) -> tuple[tuple[int, str], str]:
    """Which of two versions of one date to keep: the higher sequence, then the later
    source name (so that the choice does not depend on the order files are read)."""
    return _sequence_order(version), version.source


def _sequence_order(version: StoreVersion) -> tuple[int, str]:
    sequence = version.sequence or ""
    try:
        return int(sequence, 16), ""
    except ValueError:
        return -1, sequence


def _entries(version: StoreVersion) -> list[tuple[Any, ...]]:
    return sorted(anchor.row() for anchor in version.anchors)


def _bundle_version(path: Path, as_of: str) -> StoreVersion:
    """A PEM or DER bundle whose every certificate is an anchor (found when it is loaded).

    Raises:
        InputError: a part of the bundle cannot be read as a certificate.
    """
    problems = [
        item
        for item in read_paths([path])
        if isinstance(item, Problem) and item.kind not in ("empty", "not-a-certificate")
    ]
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(
            f"{problems[0].location}: {problems[0].reason}{more}; a store is read whole or "
            "not at all"
        )
    return StoreVersion(as_of, str(path), [])


def _store_version(
    db: Database,
    store: str,
    kind: str,
    version: StoreVersion,
    progress: Progress | None,
    allow_empty: bool = False,
) -> SnapshotReport:
    before = _same_day(db, store, version)
    snapshot = trust.replace_snapshot(
        db,
        store,
        version.as_of,
        kind,
        version.source,
        version.description,
        version.sequence,
        version.precision,
        version.superseded_from,
    )
    snapshot_id = snapshot.id
    load = None
    if kind == BUNDLE:
        load = load_items(db, [Source.from_path(version.source)], progress)
        if load.skipped_inputs:
            first = load.skipped_inputs[0]
            raise InputError(
                f"{first.location}: {first.reason}; a store is read whole or not at all"
            )
        version.anchors = [ListedAnchor(sha256=fp) for fp in sorted(set(load.fingerprints))]
    elif version.certificates:
        source = Source.from_items(version.source, version.certificates)
        load = load_items(db, [source], progress)
    if not version.anchors and not allow_empty:
        raise InputError(
            f"{version.source}: no anchors found (version of {version.as_of[:10]}); refused so "
            f"that store {store!r} keeps what it had ({{allow_empty}} records an empty "
            "version)",
            parameters=("allow_empty",),
        )
    trust.add_anchors(db, snapshot_id, [anchor.row() for anchor in version.anchors])
    trust.add_blocked(db, snapshot_id, [entry.row() for entry in version.blocked])
    return SnapshotReport(
        snapshot,
        len(version.anchors),
        without_bytes=trust.anchors_without_bytes(db, snapshot_id),
        not_anchors=version.not_anchors,
        distrusted=len(version.blocked),
        load=load,
        replaced=_agreement(db, before, snapshot_id),
    )


def _same_day(db: Database, store: str, version: StoreVersion) -> tuple[str, list[Any]] | None:
    """The source and anchor rows of the snapshot of ``version``'s day that another source
    gave the store (None: there is none)."""
    old = trust.snapshot_of_day(db, store, version.as_of)
    if old is None or old.source_path == version.source:
        return None
    return old.source_path, trust.snapshot_anchors(db, old.id)


def _agreement(
    db: Database, before: tuple[str, list[Any]] | None, snapshot_id: int
) -> dict[str, Any] | None:
    """Whether a replaced snapshot of the same day trusted the anchors for serverAuth that
    the new one trusts (PEM bundles list only those: the Web PKI's purpose is the common
    ground of every source)."""
    if before is None:
        return None
    source, rows = before
    old = _web_anchors(db, rows)
    new = _web_anchors(db, trust.snapshot_anchors(db, snapshot_id))
    return {
        "source": source,
        "purpose": SERVER_AUTH,
        "agrees": old == new,
        "only_in_replaced": sorted(old - new),
        "only_in_new": sorted(new - old),
    }


def _web_anchors(db: Database, rows: list[Any]) -> set[str]:
    """The anchors of snapshot rows trusted for serverAuth, by SHA-256 where any loaded
    certificate has the SHA-1 a row names (else ``sha1:...``)."""
    trusted = [
        row for row in rows if row["purposes"] is None or SERVER_AUTH in json.loads(row["purposes"])
    ]
    resolved = trust.sha256_by_sha1(db, [r["sha1"] for r in trusted if not r["sha256"]])
    return {row["sha256"] or resolved.get(row["sha1"]) or f"sha1:{row['sha1']}" for row in trusted}


def _program_for(store: str) -> str:
    for program in ccadb.STATUS_COLUMNS:
        if program in store.lower():
            return program
    raise UsageError(
        f"which root program's status column describes store {store!r}? "
        f"give --program {' or '.join(ccadb.STATUS_COLUMNS)}"
    )


def _certdata_version(path: Path, as_of: str) -> StoreVersion:
    roots, distrusts = nss.read_certdata(
        read_input(path).decode("utf-8", errors="replace"), str(path)
    )
    anchors: list[ListedAnchor] = []
    not_anchors = []
    blocked: list[Blocked] = []
    for root in roots:
        fingerprint = hashlib.sha256(root.der).hexdigest()
        if root.server_auth == nss.TRUSTED_DELEGATOR:
            anchors.append(
                ListedAnchor(
                    sha256=fingerprint,
                    label=root.label,
                    purposes=frozenset({SERVER_AUTH}),
                    distrust_after=root.distrust_after,
                )
            )
            continue
        if root.server_auth == nss.NOT_TRUSTED:
            blocked.append(Blocked(fingerprint, label=root.label))
        not_anchors.append(
            {
                "certificate": fingerprint,
                "label": root.label,
                "server_auth": root.server_auth or "no trust object",
            }
        )
    blocked += [Blocked(None, entry.issuer_key, entry.serial, entry.label) for entry in distrusts]
    return StoreVersion(
        as_of,
        str(path),
        anchors,
        blocked=blocked,
        certificates=[Occurrence(root.der, f"{path}:{root.line}") for root in roots],
        not_anchors=not_anchors,
    )


def _ccadb_version(path: Path, as_of: str, program: str) -> StoreVersion:
    anchors = [
        ListedAnchor(
            sha256=record.sha256,
            label=f"{record.get('Certificate Name')} ({status})",
            attributes={"status": status},
        )
        for record, status in ccadb.included_roots(path, program)
    ]
    return StoreVersion(as_of, str(path), anchors, description=f"CCADB {program} status")
