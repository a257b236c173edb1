"""Where a log's resources come from: its monitoring prefix over HTTP(S), or a folder (a
copy of the log's files, or a log that writes them, read in place). Every answer is bounded
in size and time; gzip-encoded answers are unpacked within the same bound.
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

from trustgraph.core.reading import InputRefused, read_bounded
from trustgraph.errors import InputError, UsageError
from trustgraph.version import __version__

MAX_RESOURCE_BYTES = 64 << 20
"""The most one resource may hold (a data tile is at most a few MiB)."""
DEFAULT_TIMEOUT = 30.0


class NotServed(Exception):
    """The log does not serve this resource (HTTP 404, no such file)."""


class LogSource:
    """The resources below a log's monitoring prefix."""

    def __init__(self, prefix: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        """
        Raises:
            UsageError: the prefix is neither an http(s) URL nor a folder.
        """
        parsed = urllib.parse.urlparse(prefix)
        self.folder: Path | None = None
        if parsed.scheme in ("http", "https"):
            self.prefix = prefix.rstrip("/") + "/"
        elif parsed.scheme == "file" or not parsed.scheme:
            folder = Path(urllib.parse.unquote(parsed.path) if parsed.scheme else prefix)
            if not folder.is_dir():
                raise UsageError(f"{prefix}: neither an http(s) URL nor a folder")
            self.folder, self.prefix = folder, str(folder).rstrip("/") + "/"
        else:
            raise UsageError(f"{prefix}: a log's prefix is an http(s) URL or a folder")
        self.timeout = timeout

    def label(self, path: str) -> str:
        return self.prefix + path

    def get(self, path: str) -> bytes:
        """The bytes of ``path`` below the prefix.

        Raises:
            NotServed: the log does not serve it.
            InputError: it cannot be read, or is larger than the bound.
        """
        if self.folder is not None:
            return self._file(path)
        return self._http(path)

    def _file(self, path: str) -> bytes:
        assert self.folder is not None
        target = self.folder / path
        if not target.is_file():
            raise NotServed(path)
        try:
            return read_bounded(target, MAX_RESOURCE_BYTES)
        except (InputRefused, OSError) as exc:
            raise InputError(f"{self.label(path)}: cannot read: {exc}") from exc

    def _http(self, path: str) -> bytes:
        request = urllib.request.Request(
            self.label(path),
            headers={
                "User-Agent": f"trustgraph/{__version__}",
                "Accept-Encoding": "gzip, identity",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body: bytes = response.read(MAX_RESOURCE_BYTES + 1)
                encoding = response.headers.get("Content-Encoding", "")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotServed(path) from exc
            raise InputError(f"{self.label(path)}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise InputError(f"{self.label(path)}: cannot fetch: {exc}") from exc
        if len(body) > MAX_RESOURCE_BYTES:
            raise InputError(f"{self.label(path)}: larger than {MAX_RESOURCE_BYTES >> 20} MiB")
        if encoding == "gzip":
            return self._gunzip(path, body)
        return body

    def _gunzip(self, path: str, body: bytes) -> bytes:
        try:
            inflater = zlib.decompressobj(wbits=31)
            data = inflater.decompress(body, MAX_RESOURCE_BYTES + 1)
        except (zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(f"{self.label(path)}: broken gzip encoding: {exc}") from exc
        if len(data) > MAX_RESOURCE_BYTES or inflater.unconsumed_tail:
            raise InputError(f"{self.label(path)}: expands beyond {MAX_RESOURCE_BYTES >> 20} MiB")
        return data
