"""Fetching certificate bytes by SHA-256: from a local mirror folder, a cache, or crt.sh.

Fetched certificates are loaded into the database, which turns declared edges into verified
ones. crt.sh is asked for ``?d=<sha256>``; the answer (PEM or DER) must hash to the
fingerprint asked for, and so must a cached file. Every fingerprint ends found (and from
where) or missing (and why). Only SHA-256 fingerprints are accepted (they become file names
in the cache), one download may hold at most :data:`MAX_DOWNLOAD` bytes, and fetching one
certificate (retries included) takes at most the timeout given.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustgraph.core.files import write_atomic
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.core.reading import InputRefused, read_bounded
from trustgraph.errors import OutputError, UsageError
from trustgraph.ingest.loader import LoadReport, load_items
from trustgraph.ingest.sources import Occurrence, Source, read_bytes, read_paths
from trustgraph.storage import certificates
from trustgraph.storage.database import Database
from trustgraph.version import __version__

CRTSH_URL = "https://crt.sh/"
URL_VARIABLE = "TRUSTGRAPH_CRTSH_URL"
MAX_TIMEOUT = 3600.0
"""The longest a fetch may wait for one certificate, in seconds."""
MAX_CERTIFICATE_BYTES = 1 << 20
"""The most a cached certificate may hold: a certificate is a few KiB."""
MAX_DOWNLOAD = 1 << 20
"""Bytes one answer may hold: a certificate is a few kilobytes."""
_SHA256 = re.compile(r"[0-9a-f]{64}")


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trustgraph" / "crtsh"


def normalize_fingerprints(texts: list[str]) -> list[str]:
    """SHA-256 fingerprints as lower-case hex without colons, sorted and distinct.

    Raises:
        UsageError: one of them is not 64 hex digits (it is never used as a file name).
    """
    wanted = {text.strip().lower().replace(":", "") for text in texts}
    bad = sorted(fp for fp in wanted if not _SHA256.fullmatch(fp))
    if bad:
        shown = ", ".join(repr(fp[:80]) for fp in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise UsageError(f"not SHA-256 fingerprints (64 hex digits): {shown}")
    return sorted(wanted)


@dataclass
class FetchReport:
    found: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load: LoadReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "missing": self.missing,
            "notes": self.notes,
            "load": self.load.as_dict() if self.load else None,
        }


class Fetcher:
    """Where certificate bytes come from, in order: mirror folder, cache, crt.sh."""

    def __init__(
        self,
        mirror: Path | None = None,
        cache: Path | None = None,
        base_url: str | None = None,
        timeout: float = 20.0,
        retries: int = 3,
        online: bool = True,
    ) -> None:
        self.mirror_index = _index_mirror(mirror) if mirror else {}
        self.cache = cache
        self.base_url = base_url or os.environ.get(URL_VARIABLE) or CRTSH_URL
        if not 0 < timeout <= MAX_TIMEOUT:  # also refuses nan
            raise UsageError(f"timeout {timeout!r}: give a number of seconds above 0, at most 3600")
        self.timeout = timeout
        self.retries = retries
        self.online = online
        self.notes: list[str] = []

    def get(self, fingerprint: str) -> tuple[bytes | None, str]:
        """The DER of ``fingerprint`` (64 hex digits) and where it came from, or None and
        why not.

        Raises:
            UsageError: ``fingerprint`` is not a SHA-256 fingerprint.
        """
        if not _SHA256.fullmatch(fingerprint):
            raise UsageError(f"{fingerprint[:80]!r} is not a SHA-256 fingerprint")
        if fingerprint in self.mirror_index:
            path, mirrored = self.mirror_index[fingerprint]
            return mirrored, f"mirror {path}"
        cached = self.cache / f"{fingerprint}.der" if self.cache else None
        if cached is not None:
            hit = self._from_cache(cached, fingerprint)
            if hit is not None:
                return hit, f"cache {cached}"
        if not self.online:
            return None, "not in the mirror (online fetching is off)"
        der, where = self._from_crtsh(fingerprint)
        if der is not None and cached is not None:
            self._keep(cached, der)
        return der, where

    def _from_cache(self, cached: Path, fingerprint: str) -> bytes | None:
        """The cached bytes, if they are the certificate asked for (a wrong entry, one
        larger than any certificate, or one that is not a regular file is discarded and
        said so)."""
        if not cached.exists() and not cached.is_symlink():
            return None
        try:
            data = read_bounded(cached, MAX_CERTIFICATE_BYTES)
        except (InputRefused, OSError) as exc:
            self.notes.append(f"cache entry {cached} cannot be used ({exc}); fetching again")
            if cached.is_symlink() or cached.is_file():
                cached.unlink(missing_ok=True)
            return None
        if hashlib.sha256(data).hexdigest() == fingerprint:
            return data
        self.notes.append(f"cache entry {cached} was not that certificate; discarded it")
        cached.unlink(missing_ok=True)
        return None

    def _keep(self, cached: Path, der: bytes) -> None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(cached, der)
        except (OSError, OutputError) as exc:
            self.notes.append(f"could not cache {cached}: {exc}")

    def _from_crtsh(self, fingerprint: str) -> tuple[bytes | None, str]:
        url = f"{self.base_url}?d={fingerprint}"
        request = urllib.request.Request(url, headers={"User-Agent": f"trustgraph/{__version__}"})
        deadline = time.monotonic() + self.timeout
        last = ""
        for attempt in range(self.retries):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                body = _download(request, remaining, deadline)
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return None, f"crt.sh has no certificate with SHA-256 {fingerprint}"
                last = f"crt.sh answered HTTP {exc.code}"
            except _Refused as exc:
                return None, f"{url}: {exc}"
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = (
                    f"cannot reach {self.base_url} ({reason}); check the network, or give "
                    "--mirror DIR with the certificates"
                )
            else:
                return _matching_der(body, fingerprint, url)
            time.sleep(min(2.0, 0.25 * 2**attempt, max(0.0, deadline - time.monotonic())))
        return None, last or f"no answer from {self.base_url} within {self.timeout:g} s"


class _Refused(Exception):
    """An answer that is too large or too slow to take."""


def _download(request: urllib.request.Request, timeout: float, deadline: float) -> bytes:
    """The body of one answer, read piece by piece within the deadline and the size limit.

    Raises:
        _Refused: the answer is larger than :data:`MAX_DOWNLOAD` or outlasts the deadline.
        urllib.error.URLError, OSError: the request failed.
    """
    chunks: list[bytes] = []
    size = 0
    with urllib.request.urlopen(request, timeout=timeout) as response:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Refused("the answer took longer than the timeout; gave up")
            _set_socket_timeout(response, remaining)
            try:
                chunk = response.read1(65536)
            except TimeoutError as exc:
                raise _Refused("the answer took longer than the timeout; gave up") from exc
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_DOWNLOAD:
                raise _Refused(f"the answer is larger than {MAX_DOWNLOAD} bytes; gave up")
            chunks.append(chunk)


def _set_socket_timeout(response: Any, seconds: float) -> None:
    """Bound the next read by ``seconds`` (a server that drips bytes cannot hold it)."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        sock.settimeout(max(0.05, seconds))


def _matching_der(body: bytes, fingerprint: str, url: str) -> tuple[bytes | None, str]:
    for item in read_bytes(body, url):
        if isinstance(item, Occurrence) and hashlib.sha256(item.der).hexdigest() == fingerprint:
            return item.der, url
    return None, f"{url} did not return a certificate with that SHA-256"


def _index_mirror(mirror: Path) -> dict[str, tuple[str, bytes]]:
    index: dict[str, tuple[str, bytes]] = {}
    for item in read_paths([mirror]):
        if isinstance(item, Occurrence):
            index.setdefault(hashlib.sha256(item.der).hexdigest(), (item.location, item.der))
    return index


def fetch(
    db: Database, fingerprints: list[str], fetcher: Fetcher, progress: Progress | None = None
) -> FetchReport:
    """Get the bytes of ``fingerprints`` not yet loaded and load them.

    Raises:
        UsageError: a fingerprint is not 64 hex digits.
        DatabaseError: the database cannot be written.
    """
    progress = progress or NullProgress()
    report = FetchReport()
    wanted = normalize_fingerprints(fingerprints)
    present = certificates.existing_fingerprints(db, wanted)
    occurrences = []
    progress.start("fetching certificates", len(wanted))
    for fingerprint in wanted:
        progress.advance(1)
        if fingerprint in present:
            report.found[fingerprint] = "already in the database"
            continue
        der, where = fetcher.get(fingerprint)
        if der is None:
            report.missing[fingerprint] = where
        else:
            report.found[fingerprint] = where
            occurrences.append(Occurrence(der, f"{where} ({fingerprint[:16]})"))
    progress.finish()
    report.notes.extend(fetcher.notes)
    if occurrences:
        source = Source.from_items("fetched certificates", occurrences)
        report.load = load_items(db, [source], progress, kind="fetch")
    return report


def declared_fingerprints(db: Database) -> list[str]:
    """Certificates known only by metadata: what ``fetch`` would upgrade."""
    return certificates.metadata_only_fingerprints(db)
