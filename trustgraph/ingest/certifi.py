"""Mozilla's store through certifi: an archive (or folder) of ``cacert-certifi-VERSION.pem``
bundles, one per certifi release, as one dated series. certifi's version is its release
date (``2015.04.28``, ``14.05.14`` for 2014-05-14; a fourth part or ``.postN`` marks a
re-release of the same day, of which the last is the version of that day and the others are
reported). Every certificate of a bundle is an anchor for server authentication; a bundle
with a part that is not a certificate is refused, as any trust data that cannot be read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from trustgraph.core.reading import InputRefused, read_bounded
from trustgraph.errors import InputError
from trustgraph.ingest.archive import archive_members, archive_names, is_archive
from trustgraph.ingest.listed import ListedAnchor, StoreVersion
from trustgraph.ingest.sources import Occurrence, Problem, read_bytes
from trustgraph.x509.keyusage import SERVER_AUTH

_NAME = re.compile(r"cacert-certifi-(\d{2}|\d{4})\.(\d{1,2})\.(\d{1,2})(?:\.(?:post)?(\d+))?\.pem")
MAX_FILES = 5_000
WEB = frozenset({SERVER_AUTH})
"""certifi takes the roots Mozilla trusts for server authentication, for that purpose."""


def looks_like_certifi(names: list[str]) -> bool:
    """Whether these file names are certifi bundles."""
    return any(_NAME.fullmatch(PurePosixPath(name).name) for name in names)


def release_of(name: str) -> tuple[str, int] | None:
    """(the day, the re-release number) a bundle's name says; None for another file.

    Raises:
        InputError: a certifi name whose version is no date.
    """
    found = _NAME.fullmatch(PurePosixPath(name).name)
    if found is None:
        return None
    year, month, day, again = found.groups()
    try:
        when = date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
    except ValueError as exc:
        raise InputError(f"{name}: certifi version {year}.{month}.{day} is no date") from exc
    return f"{when.isoformat()}T00:00:00Z", int(again or 0)


def names(path: Path) -> list[str]:
    """The file names of a certifi archive or folder.

    Raises:
        InputError: the archive cannot be read.
    """
    if is_archive(path):
        return archive_names(path)
    return [str(p) for p in sorted(path.glob("cacert-certifi-*.pem"))[:MAX_FILES]]


def _bundles(path: Path) -> Iterator[tuple[str, bytes]]:
    if is_archive(path):
        yield from ((n, d) for n, d in archive_members(path) if release_of(n) is not None)
        return
    for file in sorted(path.glob("cacert-certifi-*.pem"))[:MAX_FILES]:
        try:
            yield str(file), read_bounded(file)
        except (InputRefused, OSError) as exc:
            raise InputError(f"{file}: cannot read: {exc}") from exc


def read_history(path: Path) -> tuple[list[StoreVersion], list[dict[str, Any]]]:
    """One version per release day, oldest first, and the re-releases not used.

    Raises:
        InputError: the source or a bundle cannot be read, or a bundle holds a part that is
            not a certificate (the message names it).
    """
    by_day: dict[str, tuple[int, StoreVersion]] = {}
    unused: list[dict[str, Any]] = []
    for name, data in _bundles(path):
        release = release_of(name)
        assert release is not None
        day, again = release
        version = _version(path, PurePosixPath(name).name, day, data)
        kept = by_day.get(day)
        if kept is None or again > kept[0]:
            if kept is not None:
                unused.append(_superseded(kept[1], version))
            by_day[day] = (again, version)
        else:
            unused.append(_superseded(version, kept[1]))
    if not by_day:
        raise InputError(f"{path}: no certifi bundles (cacert-certifi-VERSION.pem) in it")
    return [version for _again, version in sorted(by_day.values(), key=lambda v: v[1].as_of)], (
        unused
    )


def _superseded(old: StoreVersion, new: StoreVersion) -> dict[str, Any]:
    return {"source": old.source, "reason": f"a later re-release of the same day: {new.source}"}


def _version(path: Path, name: str, day: str, data: bytes) -> StoreVersion:
    label = f"{path}:{name}"
    found = list(read_bytes(data, label))
    problems = [item for item in found if isinstance(item, Problem)]
    if problems:
        raise InputError(
            f"{problems[0].location}: {problems[0].reason}; a store is read whole or not at all"
        )
    certificates = [item for item in found if isinstance(item, Occurrence)]
    anchors = {hashlib.sha256(item.der).hexdigest() for item in certificates}
    return StoreVersion(
        day,
        label,
        [ListedAnchor(sha256=fp, purposes=WEB) for fp in sorted(anchors)],
        sequence=name.removeprefix("cacert-certifi-").removesuffix(".pem"),
        description="certifi's cacert.pem (Mozilla's server-authentication roots)",
        certificates=list(certificates),
    )
