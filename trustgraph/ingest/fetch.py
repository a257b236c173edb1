"""Fetching certificate bytes by SHA-256: from a local mirror folder, a cache, or crt.sh.

Fetched certificates are loaded into the database, which turns declared edges into verified
ones. crt.sh is asked for ``?d=<sha256>``; the answer (PEM or DER) must hash to the
fingerprint asked for. Every fingerprint ends found (and from where) or missing (and why).
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustgraph.core.progress import NullProgress, Progress
from trustgraph.ingest.loader import LoadReport, load_items
from trustgraph.ingest.sources import Occurrence, read_bytes, read_paths
from trustgraph.storage import certificates
from trustgraph.storage.database import Database
from trustgraph.version import __version__

CRTSH_URL = "https://crt.sh/"
URL_VARIABLE = "TRUSTGRAPH_CRTSH_URL"


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trustgraph" / "crtsh"


@dataclass
class FetchReport:
    found: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    load: LoadReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "missing": self.missing,
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
        self.timeout = timeout
        self.retries = retries
        self.online = online

    def get(self, fingerprint: str) -> tuple[bytes | None, str]:
        """The DER of ``fingerprint`` and where it came from, or None and why not."""
        if fingerprint in self.mirror_index:
            path, mirrored = self.mirror_index[fingerprint]
            return mirrored, f"mirror {path}"
        cached = self.cache / f"{fingerprint}.der" if self.cache else None
        if cached is not None and cached.exists():
            return cached.read_bytes(), f"cache {cached}"
        if not self.online:
            return None, "not in the mirror (online fetching is off)"
        der, where = self._from_crtsh(fingerprint)
        if der is not None and cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(der)
        return der, where

    def _from_crtsh(self, fingerprint: str) -> tuple[bytes | None, str]:
        url = f"{self.base_url}?d={fingerprint}"
        request = urllib.request.Request(url, headers={"User-Agent": f"trustgraph/{__version__}"})
        last = ""
        for attempt in range(self.retries):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return None, f"crt.sh has no certificate with SHA-256 {fingerprint}"
                last = f"crt.sh answered HTTP {exc.code}"
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = (
                    f"cannot reach {self.base_url} ({reason}); check the network, or give "
                    "--mirror DIR with the certificates"
                )
            else:
                return _matching_der(body, fingerprint, url)
            time.sleep(min(2.0, 0.25 * 2**attempt))
        return None, last


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
    """Get the bytes of ``fingerprints`` not yet loaded and load them."""
    progress = progress or NullProgress()
    report = FetchReport()
    wanted = sorted({fp.lower().replace(":", "") for fp in fingerprints})
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
    if occurrences:
        report.load = load_items(
            db, [("fetched certificates", occurrences)], progress, kind="fetch"
        )
    return report


def declared_fingerprints(db: Database) -> list[str]:
    """Certificates known only by metadata: what ``fetch`` would upgrade."""
    return certificates.metadata_only_fingerprints(db)
