"""Android's system CA stores, as AOSP keeps them per release tag, read from an archive of
``android/<tag>/1.ca`` files (certificates, each optionally preceded by its text dump).

The stores become one series dated by the month each Android version was released (from
Android's public release history): a device's store is frozen at its OS version until
Android 14, so "Android 7" stands for the devices that shipped it, and its date is
approximate. The first release tag of each version is used; the other tags of a version
are reported, with whether their store differs.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Any

from trustgraph.errors import InputError
from trustgraph.ingest.archive import archive_members
from trustgraph.ingest.listed import ListedAnchor, StoreVersion
from trustgraph.ingest.sources import Occurrence, read_pem

RELEASES = {
    "2.3": "2010-12-01",
    "4.0": "2011-10-01",
    "4.1": "2012-07-01",
    "4.2": "2012-11-01",
    "4.3": "2013-07-01",
    "4.4": "2013-10-01",
    "5.0": "2014-11-01",
    "5.1": "2015-03-01",
    "6.0": "2015-10-01",
    "7.0": "2016-08-01",
    "7.1": "2016-10-01",
    "8.0": "2017-08-01",
    "8.1": "2017-12-01",
    "9": "2018-08-01",
    "10": "2019-09-01",
}
"""The month each Android version was first released (Android's public release history)."""

_TAG = re.compile(r"(?P<major>\d+)(?:\.(?P<minor>\d+))?(?:\.(?P<patch>\d+))?_r(?P<rest>.*)")


def looks_like_android(names: list[str]) -> bool:
    """Whether archive member names are Android release-tag stores."""
    return any(_member_tag(name) for name in names)


def _member_tag(name: str) -> str | None:
    parts = PurePosixPath(name).parts
    if len(parts) >= 3 and parts[-3] == "android" and parts[-1] == "1.ca":
        return parts[-2]
    return None


def version_of(tag: str) -> str | None:
    """The Android version a release tag belongs to (``"7.1"``, ``"9"``), or None."""
    match = _TAG.fullmatch(tag)
    if not match:
        return None
    major = int(match["major"])
    return str(major) if major >= 9 else f"{major}.{match['minor'] or 0}"


def _tag_order(tag: str) -> tuple[Any, ...]:
    match = _TAG.fullmatch(tag)
    assert match is not None
    numbers = [int(match[part] or 0) for part in ("major", "minor", "patch")]
    rest = [int(p) if p.isdigit() else -1 for p in re.split(r"[._-]", match["rest"])]
    return (*numbers, "preview" not in tag, rest)


def read_android(path: Path) -> tuple[list[StoreVersion], list[dict[str, Any]]]:
    """The series of an Android archive, and what of it was not used (with why).

    Raises:
        InputError: the archive is unreadable or holds no Android store.
    """
    stores: dict[str, list[Occurrence]] = {}
    problems: dict[str, list[Any]] = {}
    for name, data in archive_members(path):
        tag = _member_tag(name)
        if tag is None:
            continue
        items = list(read_pem(data.decode("utf-8", errors="replace"), f"{path}:{name}"))
        stores[tag] = [item for item in items if isinstance(item, Occurrence)]
        problems[tag] = [item for item in items if not isinstance(item, Occurrence)]
    if not stores:
        raise InputError(f"{path}: no android/<tag>/1.ca store in this archive")
    by_version: dict[str, list[str]] = defaultdict(list)
    unused: list[dict[str, Any]] = []
    for tag in stores:
        version = version_of(tag)
        if version in RELEASES:
            by_version[version].append(tag)
        else:
            unused.append({"source": tag, "reason": "no known release date for this tag"})
    versions = []
    for version, tags in sorted(by_version.items(), key=lambda kv: RELEASES[kv[0]]):
        tags.sort(key=_tag_order)
        first = tags[0]
        versions.append(_version(path, version, first, stores[first], problems[first]))
        shipped = _fingerprints(stores[first])
        for other in tags[1:]:
            differs = _fingerprints(stores[other]) != shipped
            unused.append(
                {
                    "source": other,
                    "reason": f"a later tag of Android {version}; its store "
                    + ("differs from" if differs else "is the same as")
                    + f" {first}'s",
                }
            )
    return versions, unused


def _fingerprints(items: list[Occurrence]) -> set[str]:
    return {hashlib.sha256(item.der).hexdigest() for item in items}


def _version(
    path: Path, version: str, tag: str, items: list[Occurrence], problems: list[Any]
) -> StoreVersion:
    preview = " (a preview tag: the released store may differ)" if "preview" in tag else ""
    return StoreVersion(
        as_of=f"{RELEASES[version]}T00:00:00Z",
        source=f"{path}:android/{tag}",
        anchors=[ListedAnchor(sha256=sha) for sha in sorted(_fingerprints(items))],
        sequence=tag,
        precision="month",
        description=f"Android {version} system store, AOSP tag {tag}{preview}",
        certificates=[*items, *problems],
    )
