"""Apple's iOS and macOS trust stores, read from an archive of observations:
``ios/iosN/<date>.ca`` and ``osx/osx-10.N/<date>.ca`` (the trusted roots of that release as
observed on that date) and ``<date>.html`` (Apple's support page of that day, which lists
trusted, "always ask" and blocked certificates, with SHA-256 fingerprints on newer pages and
names and serial numbers only on older ones).

A platform's stores become one series: an observation is used only while its release was
the current one (by Apple's published release dates), dated by the day it was observed, so
that each snapshot says what the current release trusted that day. Observations of older
releases are reported, not used. Trusted certificates come from the ``.ca`` file, else
from the page (by fingerprint, else matched by serial number and names against the loaded
certificates: a page whose entries do not all match is not used, and says which to load).
Blocked certificates become distrust entries; "always ask" certificates are not anchors.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

from trustgraph.core.times import iso
from trustgraph.errors import CertificateParseError, InputError
from trustgraph.ingest.archive import archive_members
from trustgraph.ingest.listed import Blocked, ListedAnchor, StoreVersion
from trustgraph.ingest.sources import Item, Occurrence, read_pem
from trustgraph.x509 import names
from trustgraph.x509.certificate import parse_certificate

IOS = "ios"
MACOS = "macos"
RELEASES = {
    IOS: {
        "5": "2011-10-12",
        "6": "2012-09-19",
        "7": "2013-09-18",
        "8": "2014-09-17",
        "9": "2015-09-16",
        "10": "2016-09-13",
        "11": "2017-09-19",
        "12": "2018-09-17",
        "13": "2019-09-19",
    },
    MACOS: {
        "10.9": "2013-10-22",
        "10.10": "2014-10-16",
        "10.11": "2015-09-30",
        "10.12": "2016-09-20",
        "10.13": "2017-09-25",
        "10.14": "2018-09-24",
        "10.15": "2019-10-07",
    },
}
"""The day each release came out (Apple's published release history)."""

UNMATCHED = (
    "blocked, but listed by name and serial only and matching no loaded certificate: "
    "load it and add the store again for the block to apply to it"
)
_FOLDER = {IOS: re.compile(r"ios(\d+)"), MACOS: re.compile(r"osx-(10\.\d+)")}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class PageRow:
    """One certificate row of Apple's page."""

    section: str
    name: str
    issuer: str
    serial: str | None
    sha256: str | None
    expires: str | None = None
    key_bits: int | None = None


Candidate = tuple[str, str, str, str, str, int | None]
"""A certificate a row may name: (sha256, serial as lower-case hex, subject, issuer,
notAfter, key size)."""
Lookup = Callable[[set[str]], list[Candidate]]
"""The loaded certificates with these serial numbers."""


class _Matcher:
    """Finds the certificate of each page row listed by name and serial only: the one
    certificate, loaded or carried by the archive, with that serial whose subject and
    issuer carry the row's names."""

    def __init__(self, lookup: Lookup, carried: list[Occurrence]) -> None:
        self.lookup = lookup
        self.carried = carried
        self._index: dict[str, list[tuple[Candidate, Occurrence]]] | None = None

    def _carried_by_serial(self) -> dict[str, list[tuple[Candidate, Occurrence]]]:
        if self._index is None:
            self._index = {}
            for item in self.carried:
                try:
                    record = parse_certificate(item.der)
                except CertificateParseError:
                    continue
                candidate = (
                    record.sha256,
                    record.serial,
                    names.display_name(record.subject),
                    names.display_name(record.issuer),
                    iso(record.not_after) or "",
                    record.key.size,
                )
                self._index.setdefault(record.serial, []).append((candidate, item))
        return self._index

    def find(self, rows: list[PageRow]) -> tuple[list[str | None], list[Occurrence]]:
        """The SHA-256 of each row (None: no one certificate matches), and the archive's
        certificates that matched (to load with the version)."""
        serials = {r.serial for r in rows if r.serial}
        loaded: dict[str, list[Candidate]] = {}
        for candidate in self.lookup(serials):
            loaded.setdefault(candidate[1], []).append(candidate)
        carried = self._carried_by_serial()
        answers: list[str | None] = []
        used: dict[str, Occurrence] = {}
        for row in rows:
            options: list[tuple[Candidate, Occurrence | None]] = [
                (c, None) for c in loaded.get(row.serial or "", [])
            ]
            options += carried.get(row.serial or "", [])
            named = [
                (c, item)
                for c, item in options
                if _has_name(c[2], row.name) and _has_name(c[3], row.issuer)
            ]
            matches = {c[0]: item for c, item in named}
            if len(matches) > 1:
                # Reissued roots can share names and serial: the page's expiry and key size
                # tell them apart.
                matches = {
                    c[0]: item
                    for c, item in named
                    if (row.expires is None or _same_day(c[4], row.expires))
                    and (row.key_bits is None or c[5] == row.key_bits)
                }
            if len(matches) != 1:
                answers.append(None)
                continue
            ((sha, item),) = matches.items()
            answers.append(sha)
            if item is not None:
                used[sha] = item
        return answers, list(used.values())


def _same_day(not_after: str, expires: str) -> bool:
    """Whether a notAfter falls within a day of the page's expiry (the page shows a local
    time without its zone)."""
    try:
        gap = date.fromisoformat(not_after[:10]) - date.fromisoformat(expires)
    except ValueError:
        return False
    return abs(gap.days) <= 1


def _has_name(distinguished: str, name: str) -> bool:
    """Whether a page's display name is one of the attribute values of a name."""
    wanted = " ".join(name.split()).casefold()
    values = [
        part.partition("=")[2].replace("\\", "").strip().casefold()
        for part in distinguished.replace("\\,", "\0").split(",")
    ]
    return wanted in {" ".join(v.replace("\0", ",").split()) for v in values}


def platform_of(store: str) -> str | None:
    """The Apple platform a store name suggests (``ios`` or ``macos``), or None."""
    lowered = store.lower()
    if "ios" in lowered:
        return IOS
    if "mac" in lowered or "osx" in lowered:
        return MACOS
    return None


def looks_like_apple(names: list[str]) -> bool:
    """Whether archive member names are Apple store observations."""
    return any(_observation(name) for name in names)


def _observation(name: str) -> tuple[str, str, str, str] | None:
    """(platform, release, date, suffix) of an archive member, or None."""
    parts = PurePosixPath(name).parts
    if len(parts) < 2:
        return None
    stem, _, suffix = parts[-1].partition(".")
    if suffix not in ("ca", "html") or not _DATE.fullmatch(stem):
        return None
    for platform, pattern in _FOLDER.items():
        match = pattern.fullmatch(parts[-2])
        if match:
            return platform, match[1], stem, suffix
    return None


def _next_release(platform: str, release: str) -> str | None:
    """When the release after ``release`` came out (None: none known)."""
    dates = RELEASES[platform]
    later = sorted(date for date in dates.values() if date > dates[release])
    return f"{later[0]}T00:00:00Z" if later else None


def current_release(platform: str, day: str) -> str | None:
    """The release of ``platform`` that was the newest on ``day``."""
    released = [(date, release) for release, date in RELEASES[platform].items() if date <= day]
    return max(released)[1] if released else None


def read_apple(
    path: Path, platform: str, lookup: Lookup
) -> tuple[list[StoreVersion], list[dict[str, Any]]]:
    """The series of one platform from an Apple archive, and the observations not used
    (with why). ``lookup`` finds loaded certificates for rows of pages that list names and
    serial numbers only (the archive's own certificates are tried too).

    Raises:
        InputError: the archive is unreadable or holds no observation of ``platform``.
    """
    files: dict[tuple[str, str], dict[str, bytes]] = {}
    carried: list[Occurrence] = []
    for name, data in archive_members(path):
        found = _observation(name)
        if found and found[3] == "ca":
            items = read_pem(data.decode("utf-8", errors="replace"), f"{path}:{name}")
            carried += [item for item in items if isinstance(item, Occurrence)]
        if found and found[0] == platform:
            files.setdefault((found[2], found[1]), {})[found[3]] = data
    matcher = _Matcher(lookup, carried)
    if not files:
        raise InputError(f"{path}: no {platform} store observations in this archive")
    versions: list[StoreVersion] = []
    unused: list[dict[str, Any]] = []
    for (day, release), parts in sorted(files.items()):
        label = f"{path}:{platform} {release} {day}"
        current = current_release(platform, day)
        if current != release:
            unused.append(
                {
                    "source": label,
                    "reason": f"release {release} was not current that day "
                    f"({current or 'none'} was)",
                }
            )
            continue
        version, why = _version(label, platform, release, day, parts, matcher)
        if version is None:
            unused.append({"source": label, "reason": why})
            continue
        if "html" not in parts and versions:
            version = _with_page_of(version, versions[-1])
        versions.append(version)
    return versions, unused


def _with_page_of(version: StoreVersion, earlier: StoreVersion) -> StoreVersion:
    """An observation without its page keeps the blocked and "always ask" lists of the
    observation before it: a distrust is not lifted for want of a page."""
    version.blocked = list(earlier.blocked)
    version.not_anchors = list(earlier.not_anchors)
    version.description = (
        f"{version.description} (no page that day: blocked and always-ask lists of "
        f"{earlier.as_of[:10]})"
    )
    return version


def _version(
    label: str,
    platform: str,
    release: str,
    day: str,
    parts: dict[str, bytes],
    matcher: _Matcher,
) -> tuple[StoreVersion | None, str]:
    rows = page_rows(parts["html"].decode("utf-8", errors="replace")) if "html" in parts else []
    certificates: list[Item] = []
    if "ca" in parts:
        certificates = list(read_pem(parts["ca"].decode("utf-8", errors="replace"), label))
        trusted = sorted(
            {hashlib.sha256(i.der).hexdigest() for i in certificates if isinstance(i, Occurrence)}
        )
    else:
        trusted_rows = [r for r in rows if r.section == "trusted"]
        found, used = _identified(trusted_rows, matcher)
        why = _unidentified(trusted_rows, found)
        if why:
            return None, why
        trusted = sorted({sha for sha in found if sha})
        certificates += used
    blocked_rows = [r for r in rows if r.section == "blocked"]
    blocked, used = _identified(blocked_rows, matcher)
    certificates += used
    name = "iOS" if platform == IOS else "macOS"
    return (
        StoreVersion(
            as_of=f"{day}T00:00:00Z",
            source=label,
            anchors=[ListedAnchor(sha256=sha) for sha in trusted],
            sequence=f"{name} {release}",
            superseded_from=_next_release(platform, release),
            description=f"{name} {release} trust store as observed on {day}",
            blocked=[
                Blocked(sha, label=row.name)
                for sha, row in zip(blocked, blocked_rows, strict=True)
                if sha
            ],
            certificates=certificates,
            not_anchors=[
                {"certificate": r.sha256, "label": r.name, "apple": "always ask"}
                for r in rows
                if r.section == "always ask"
            ]
            + [
                {"certificate": None, "label": row.name, "serial": row.serial, "apple": UNMATCHED}
                for sha, row in zip(blocked, blocked_rows, strict=True)
                if not sha
            ],
        ),
        "",
    )


def _identified(
    rows: list[PageRow], matcher: _Matcher
) -> tuple[list[str | None], list[Occurrence]]:
    """The fingerprint of each row (its own, else matched; None: no one certificate
    matches) and the archive's certificates matched."""
    missing = [r for r in rows if r.sha256 is None]
    resolved, used = matcher.find(missing) if missing else ([], [])
    answers = iter(resolved)
    return [r.sha256 or next(answers) for r in rows], used


def _unidentified(rows: list[PageRow], found: list[str | None]) -> str:
    """Why a page whose trusted rows do not all match is not used ('' when they do)."""
    unknown = [r.name for r, sha in zip(rows, found, strict=True) if sha is None]
    if not unknown:
        return ""
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    return (
        f"{len(unknown)} of {len(rows)} trusted certificates its page lists by name and "
        f"serial match no one loaded certificate ({', '.join(unknown[:5])}{more}); load "
        "them (e.g. the CCADB certificates) and add the store again"
    )


_SECTIONS = (("always ask", "always ask"), ("blocked", "blocked"), ("trusted", "trusted"))


class _PageParser(HTMLParser):
    """The rows of each certificate table, by the heading above it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section: str | None = None
        self.heading: str | None = None
        self.row: list[str] | None = None
        self.cell: str | None = None
        self.header: list[str] = []
        self.rows: list[PageRow] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.heading = ""
        elif tag == "table":
            self.header = []
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self.heading is not None:
            lowered = self.heading.lower()
            self.section = next((s for key, s in _SECTIONS if key in lowered), None)
            self.heading = None
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self._row(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading += data
        if self.cell is not None:
            self.cell += data

    def _row(self, cells: list[str]) -> None:
        if cells and cells[0].lower() == "certificate name":
            self.header = [c.lower() for c in cells]
            return
        if self.section is None or not self.header or len(cells) != len(self.header):
            return
        value = dict(zip(self.header, cells, strict=True))
        fingerprint = value.get("fingerprint (sha-256)", "").replace(" ", "").lower()
        serial = value.get("serial number", "").replace(" ", "")
        self.rows.append(
            PageRow(
                section=self.section,
                name=value.get("certificate name", ""),
                issuer=value.get("issued by", ""),
                serial=_serial(serial),
                sha256=fingerprint if re.fullmatch(r"[0-9a-f]{64}", fingerprint) else None,
                expires=_expiry(value.get("expires", "")),
                key_bits=_bits(value.get("key size", "")),
            )
        )


def _expiry(text: str) -> str | None:
    """The day of the page's "Expires" cell ("23:59:59 Dec 31, 2028"), or None."""
    try:
        return datetime.strptime(text, "%H:%M:%S %b %d, %Y").date().isoformat()
    except ValueError:
        return None


def _bits(text: str) -> int | None:
    match = re.fullmatch(r"(\d+) bits", text)
    return int(match[1]) if match else None


def _serial(text: str) -> str | None:
    try:
        return f"{int(text, 16):x}"
    except ValueError:
        return None


def page_rows(text: str) -> list[PageRow]:
    """The certificate rows of Apple's trust-store page (sections trusted, always ask,
    blocked); rows of other tables are ignored."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.rows
