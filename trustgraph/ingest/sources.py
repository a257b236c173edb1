"""Reading certificates out of files: PEM, PEM bundles, DER, directories and CCADB CSV.

Every reader yields :class:`Occurrence` items (DER bytes plus where they came from) and
:class:`Problem` items (what could not be read, where, and why). Nothing is dropped
silently: a PEM block that does not decode, an empty CSV cell, or a file with no
certificate in it is a problem with its location.
"""

from __future__ import annotations

import binascii
import csv
import gzip
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from trustgraph.x509 import der

CERTIFICATE_LABELS = ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")
PEM_COLUMNS = ("X.509 Certificate (PEM)", "PEM Info", "PEM")
FINGERPRINT_COLUMNS = ("SHA-256 Fingerprint", "SHA256 Fingerprint")
CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".cert", ".csv", ".gz", ".txt", ".p7b")

_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
_END = re.compile(r"-----END ([A-Z0-9 ]+)-----")
_GZIP_MAGIC = b"\x1f\x8b"

csv.field_size_limit(1 << 27)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One certificate found in an input: its DER and its location (file, line or row)."""

    der: bytes
    location: str
    claimed_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in an input that did not become a certificate, and why."""

    location: str
    reason: str
    kind: str = "unreadable"


Item = Occurrence | Problem


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """Every certificate occurrence and problem in the given files and directories.

    Directories are walked recursively in sorted order; inside them, only files whose
    name looks like certificate data are read (see ``CERTIFICATE_SUFFIXES``). A path named
    explicitly is always read, whatever its name.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _read_directory(path)
        elif path.exists():
            yield from read_file(path)
        else:
            yield Problem(str(path), "no such file or directory", kind="missing")


def _read_directory(root: Path) -> Iterator[Item]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(CERTIFICATE_SUFFIXES):
                continue
            yield from read_file(Path(dirpath) / name)


def read_file(path: Path) -> Iterator[Item]:
    """The certificates in one file, whatever its format (sniffed from the content)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}", kind="missing")
        return
    label = str(path)
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            yield Problem(label, f"not a readable gzip file: {exc}")
            return
    anything = False
    for item in read_bytes(data, label):
        anything = True
        yield item
    if not anything:
        yield Problem(label, "no certificate found in this file", kind="empty")


def read_bytes(data: bytes, label: str) -> Iterator[Item]:
    """The certificates in one blob: a CCADB-style CSV, PEM text, or a DER certificate."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _looks_like_csv(head):
        yield from read_csv(data, label)
    elif b"-----BEGIN" in data:
        yield from read_pem(data.decode("utf-8", errors="replace"), label)
    elif data[:1] == b"\x30":
        yield from _read_der(data, label)
    elif data.strip():
        yield Problem(label, "neither PEM, DER nor a certificate CSV", kind="not-a-certificate")


def _looks_like_csv(head: bytes) -> bool:
    first_line = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return any(column in first_line for column in PEM_COLUMNS + FINGERPRINT_COLUMNS)


def _read_der(data: bytes, label: str) -> Iterator[Item]:
    try:
        outer = der.read_tlv(data, 0)
    except der.DerError as exc:
        yield Problem(label, f"not DER: {exc}")
        return
    if outer.end != len(data):
        yield Problem(label, f"DER certificate followed by {len(data) - outer.end} extra bytes")
        return
    yield Occurrence(data, label)


def read_pem(text: str, label: str) -> Iterator[Item]:
    """The certificates in PEM text, tolerant of comments, blank lines and odd line breaks.

    Text outside BEGIN/END markers (certifi's comment headers) is ignored; inside a block,
    header lines (``Key: value``) and all white space are dropped before base64 decoding.
    A block may sit on one line. Locations are ``FILE:LINE`` of the BEGIN marker.
    """
    line = 1
    position = 0
    for begin in _BEGIN.finditer(text):
        line += text.count("\n", position, begin.start())
        position = begin.start()
        location = f"{label}:{line}"
        block_label = begin.group(1).strip()
        end = _END.search(text, begin.end())
        following = _BEGIN.search(text, begin.end())
        if end is None or (following is not None and following.start() < end.start()):
            yield Problem(location, f"PEM block {block_label!r} has no END line")
            continue
        if block_label not in CERTIFICATE_LABELS:
            yield Problem(
                location,
                f"PEM block of type {block_label!r} is not a certificate",
                kind="not-a-certificate",
            )
            continue
        body = text[begin.end() : end.start()]
        if ":" in body:
            body = "\n".join(row for row in body.splitlines() if ":" not in row)
        yield _decode_pem_body(body, block_label, location)


def _decode_pem_body(body: str, block_label: str, location: str) -> Item:
    compact = "".join(body.split())
    compact += "=" * (-len(compact) % 4)
    try:
        data = binascii.a2b_base64(compact, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        return Problem(location, f"PEM body is not base64: {exc}")
    if block_label == "TRUSTED CERTIFICATE":
        # OpenSSL's trusted form appends trust settings after the certificate.
        try:
            data = data[: der.read_tlv(data, 0).end]
        except der.DerError as exc:
            return Problem(location, f"not DER: {exc}")
    if not data:
        return Problem(location, "empty PEM block")
    return Occurrence(data, location)


def read_csv(data: bytes, label: str) -> Iterator[Item]:
    """The certificates of a CSV with a PEM column (CCADB "AllCertificatePEMsCSVFormat").

    Locations are ``FILE row N`` with the header as row 1, as a spreadsheet numbers them.
    """
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    pem_column = _column(header, PEM_COLUMNS)
    if pem_column is None:
        yield Problem(
            label,
            f"CSV has no certificate column (one of {', '.join(PEM_COLUMNS)}); columns are: "
            f"{', '.join(header[:12])}",
        )
        return
    fp_column = _column(header, FINGERPRINT_COLUMNS)
    for row_number, row in enumerate(reader, start=2):
        location = f"{label} row {row_number}"
        if len(row) <= pem_column or not row[pem_column].strip():
            yield Problem(location, "empty certificate cell")
            continue
        claimed = row[fp_column].strip().lower() if fp_column is not None else None
        cell = row[pem_column].strip().strip("'")
        items = list(read_pem(cell, location))
        if not items:
            yield Problem(location, "certificate cell holds no PEM block")
        for item in items:
            if isinstance(item, Occurrence):
                yield Occurrence(item.der, location, claimed or None)
            else:
                yield Problem(location, item.reason, item.kind)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    stripped = [column.strip() for column in header]
    for name in names:
        if name in stripped:
            return stripped.index(name)
    return None
