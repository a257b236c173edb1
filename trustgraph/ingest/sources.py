"""Reading certificates out of files: PEM, PEM bundles, DER, directories and CCADB CSV.

Every reader yields :class:`Occurrence` items (DER bytes plus where they came from) and
:class:`Problem` items (what could not be read, where, and why). Nothing is dropped
silently: a PEM block that does not decode, an empty CSV cell, or a file with no
certificate in it is a problem with its location.

Inputs are bounded: only regular files are read (a FIFO, device or socket is refused, so a
load never hangs or reads forever), one input may hold at most
:func:`~trustgraph.core.reading.max_input_bytes`
(decompressed: a small gzip bomb is refused, not expanded), and a CSV at most
:data:`MAX_CSV_ROWS` rows.
"""

from __future__ import annotations

import binascii
import csv
import hashlib
import io
import lzma
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from trustgraph.core.reading import InputRefused, limit_text, max_input_bytes, read_bounded
from trustgraph.errors import InputError
from trustgraph.ingest.archive import archive_members, archive_names, is_archive
from trustgraph.x509 import der

CERTIFICATE_LABELS = ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")
PEM_COLUMNS = ("X.509 Certificate (PEM)", "PEM Info", "PEM")
FINGERPRINT_COLUMNS = ("SHA-256 Fingerprint", "SHA256 Fingerprint")
CERTIFICATE_SUFFIXES = (
    ".pem",
    ".crt",
    ".cer",
    ".der",
    ".cert",
    ".csv",
    ".gz",
    ".txt",
    ".p7b",
    ".ca",
)

MAX_CSV_ROWS = 2_000_000

_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
_END = re.compile(r"-----END ([A-Z0-9 ]+)-----")
_GZIP_MAGIC = b"\x1f\x8b"
_XZ_MAGIC = b"\xfd7zXZ\x00"
_ZEROS = re.compile(rb"\0*")
"""Zero padding, which gzip allows between and after members."""
_CHUNK = 1 << 20

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


@dataclass
class Source:
    """One input of a load (a file or directory the user named, or certificates fetched),
    and a digest of every byte read from it, complete once :meth:`items` is exhausted."""

    label: str
    _items: Iterable[Item]
    _digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Source:
        source = cls(str(path), ())
        source._items = read_paths([path], source._digest)
        return source

    @classmethod
    def from_items(cls, label: str, items: Iterable[Item]) -> Source:
        """Items read elsewhere; the digest covers their locations and bytes."""
        source = cls(label, ())
        source._items = source._hashed(items)
        return source

    def _hashed(self, items: Iterable[Item]) -> Iterator[Item]:
        for item in items:
            if isinstance(item, Occurrence):
                self._digest.update(item.location.encode() + b"\0" + item.der)
            yield item

    def items(self) -> Iterable[Item]:
        return self._items

    def digest(self) -> str:
        return self._digest.hexdigest()


def read_paths(
    paths: Iterable[str | os.PathLike[str]], digest: hashlib._Hash | None = None
) -> Iterator[Item]:
    """Every certificate occurrence and problem in the given files and directories
    (``digest``, if given, is updated with each file's name and bytes).

    Directories are walked recursively in sorted order, and tar archives read member by
    member (see :mod:`trustgraph.ingest.archive`); inside them, only files whose name looks
    like certificate data are read (see ``CERTIFICATE_SUFFIXES``). A path named explicitly
    is always read, whatever its name.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _read_directory(path, digest)
        elif is_archive(path):
            yield from _read_archive(path, digest)
        elif path.exists() or path.is_symlink():
            yield from read_file(path, digest)
        else:
            yield Problem(str(path), "no such file or directory", kind="missing")


def _read_directory(root: Path, digest: hashlib._Hash | None) -> Iterator[Item]:
    files = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(CERTIFICATE_SUFFIXES):
                continue
            files += 1
            yield from read_file(Path(dirpath) / name, digest, relative_to=root)
    if not files:
        yield Problem(
            str(root),
            f"no certificate files in this folder (names ending {', '.join(CERTIFICATE_SUFFIXES)})",
            kind="empty",
        )


def _read_archive(path: Path, digest: hashlib._Hash | None) -> Iterator[Item]:
    """The certificates in the members of a tar archive whose names look like certificate
    data (an archive refused as a whole is one problem)."""
    files = 0
    try:
        if any(name.lower().endswith(".sql") for name in archive_names(path)):
            yield Problem(
                str(path),
                "an archive of SQL files (crt.sh's root-program snapshots?), not "
                f"certificates: add it with `trustgraph store add all {path}`",
                kind="not-a-certificate",
            )
            return
        for name, data in archive_members(path):
            if not PurePosixPath(name).name.lower().endswith(CERTIFICATE_SUFFIXES):
                continue
            files += 1
            if digest is not None:
                digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")
            yield from _read_blob(f"{path}:{name}", data)
    except InputError as exc:
        yield Problem(str(path), str(exc).removeprefix(f"{path}: "), kind="refused")
        return
    if not files:
        yield Problem(
            str(path),
            "no certificate files in this archive (names ending "
            f"{', '.join(CERTIFICATE_SUFFIXES)}); if it is a root program's history, add it "
            f"with `trustgraph store add NAME {path}`",
            kind="empty",
        )


def read_file(
    path: Path, digest: hashlib._Hash | None = None, relative_to: Path | None = None
) -> Iterator[Item]:
    """The certificates in one file, whatever its format (sniffed from the content)."""
    label = str(path)
    try:
        data = read_bounded(path)
    except InputRefused as exc:
        yield Problem(label, str(exc), kind="refused")
        return
    except OSError as exc:
        yield Problem(label, f"cannot read: {exc.strerror or exc}", kind="missing")
        return
    if digest is not None:
        name = str(path.relative_to(relative_to)) if relative_to else path.name
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")
    yield from _read_blob(label, data)


def _read_blob(label: str, data: bytes) -> Iterator[Item]:
    """The certificates in one file's bytes (gzip or xz unpacked), or why there are none."""
    try:
        unpacked = unpack_bounded(data)
    except InputRefused as exc:
        yield Problem(label, str(exc), kind="refused")
        return
    except UNPACK_ERRORS as exc:
        yield Problem(label, f"not a readable {compression_of(data)} file: {exc}")
        return
    data = unpacked.data
    if unpacked.trailing:
        yield Problem(label, _trailing_text(unpacked), kind="trailing-data")
    anything = False
    for item in read_bytes(data, label):
        anything = True
        yield item
    if not anything:
        yield Problem(label, "no certificate found in this file", kind="empty")


def _trailing_text(unpacked: Unpacked) -> str:
    kind = unpacked.compression
    return f"{unpacked.trailing} bytes after the end of the {kind} data are not {kind} data"


def read_input(path: Path) -> bytes:
    """The bytes of one input file, decompressed if it is gzip or xz, within the input
    limit. Trust data fails closed: bytes after the compressed data that are not another
    member (a file damaged, or two joined wrongly) refuse the file.

    Raises:
        InputError: the file is refused (see :func:`read_bounded`), unreadable, broken
            gzip or xz, or has bytes after its compressed data; the message names it.
    """
    data = b""
    try:
        data = read_bounded(path)
        unpacked = unpack_bounded(data)
        if unpacked.trailing:
            raise InputError(f"{path}: {_trailing_text(unpacked)}; refused")
        return unpacked.data
    except InputRefused as exc:
        raise InputError(f"{path}: {exc}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UNPACK_ERRORS as exc:
        raise InputError(f"{path}: not a readable {compression_of(data)} file: {exc}") from exc


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first ``size`` bytes of an input file, decompressed if it is gzip: enough to
    tell what it is.

    Raises:
        InputError: the file is refused or unreadable.
    """
    try:
        data = read_bounded(path)
    except InputRefused as exc:
        raise InputError(f"{path}: {exc}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not data.startswith(_GZIP_MAGIC):
        return data[:size]
    try:
        return zlib.decompressobj(wbits=31).decompress(data, size)
    except zlib.error as exc:
        raise InputError(f"{path}: not a readable gzip file: {exc}") from exc


@dataclass(frozen=True)
class Unpacked:
    """Decompressed data, and how many bytes followed its last member (stream) that were
    neither another member nor zero padding (ignored, as ``zcat`` and ``xzcat`` do)."""

    data: bytes
    trailing: int = 0
    compression: str | None = None


UNPACK_ERRORS = (zlib.error, lzma.LZMAError, EOFError)
"""What :func:`unpack_bounded` raises for data that is not valid gzip or xz."""


def compression_of(data: bytes) -> str | None:
    """``gzip`` or ``xz`` by the first bytes of ``data`` (None: neither)."""
    if data.startswith(_GZIP_MAGIC):
        return "gzip"
    return "xz" if data.startswith(_XZ_MAGIC) else None


def unpack_bounded(data: bytes) -> Unpacked:
    """``data`` decompressed if it is gzip or xz (as it is otherwise), within the input
    limit (see :func:`gunzip_bounded`).

    Raises:
        InputRefused: it expands beyond the limit.
        zlib.error, lzma.LZMAError, EOFError: it is not valid gzip or xz, or ends early.
    """
    kind = compression_of(data)
    if kind == "gzip":
        return gunzip_bounded(data)
    if kind == "xz":
        return unxz_bounded(data)
    return Unpacked(data)


def unxz_bounded(data: bytes) -> Unpacked:
    """Decompress xz data, every stream in turn (as ``xzcat`` does), refusing to expand
    beyond the input limit in total, in linear time (as :func:`gunzip_bounded`).

    Raises:
        InputRefused: it expands beyond the limit.
        lzma.LZMAError, EOFError: a stream is not valid xz data, or ends early.
    """
    limit = max_input_bytes()
    out = bytearray()
    position = 0
    while True:
        position = _ZEROS.match(data, position).end()  # type: ignore[union-attr]
        if not data.startswith(_XZ_MAGIC, position):
            return Unpacked(bytes(out), len(data) - position, "xz")
        inflater = lzma.LZMADecompressor(lzma.FORMAT_XZ)
        while not inflater.eof:
            chunk = b""
            if inflater.needs_input:
                if position >= len(data):
                    raise EOFError("compressed data ended early")
                chunk = data[position : position + _CHUNK]
                position += len(chunk)
            out += inflater.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise InputRefused(f"expands beyond {limit_text()} (an xz bomb?)")
        position -= len(inflater.unused_data)


def gunzip_bounded(data: bytes) -> Unpacked:
    """Decompress gzip data, every member in turn (as ``zcat`` does), refusing to expand
    beyond the input limit in total. Input is fed in chunks and output bounded at each
    step, so the work is linear in the input and memory bounded by the limit.

    Raises:
        InputRefused: it expands beyond the limit.
        zlib.error, EOFError: a member is not valid gzip data, or ends early.
    """
    limit = max_input_bytes()
    out = bytearray()
    view = memoryview(data)
    position = 0
    while True:
        position = _ZEROS.match(data, position).end()  # type: ignore[union-attr]
        if position >= len(data) or data[position : position + 2] != _GZIP_MAGIC:
            return Unpacked(bytes(out), len(data) - position, "gzip")
        inflater = zlib.decompressobj(wbits=31)
        while not inflater.eof:
            if position >= len(data):
                raise EOFError("compressed data ended early")
            chunk = view[position : position + _CHUNK]
            position += len(chunk)
            # At least one byte of room: a max_length of 0 would mean "no limit".
            out += inflater.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise InputRefused(f"expands beyond {limit_text()} (a gzip bomb?)")
        position -= len(inflater.unused_data)


def read_bytes(data: bytes, label: str) -> Iterator[Item]:
    """The certificates in one blob: a CCADB-style CSV, PEM text, or a DER certificate."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    store = _trust_store_kind(data[:65536])
    if store is not None:
        yield Problem(
            label,
            f"{store}, not certificates: add it with `trustgraph store add NAME {label}`",
            kind="not-a-certificate",
        )
    elif _looks_like_csv(head):
        yield from read_csv(data, label)
    elif b"-----BEGIN" in data:
        yield from read_pem(data.decode("utf-8", errors="replace"), label)
    elif data[:1] == b"\x30":
        yield from _read_der(data, label)
    elif data.strip():
        yield Problem(label, "neither PEM, DER nor a certificate CSV", kind="not-a-certificate")


_CTL_OID = bytes.fromhex("2b0601040182370a01")
"""The DER of 1.3.6.1.4.1.311.10.1, Microsoft's certificate trust list."""


def _trust_store_kind(head: bytes) -> str | None:
    """What root-store format a file that ``load`` cannot read is, by its first bytes."""
    if head.startswith((b"\xfd7zXZ\0", b"BZh")) or head[257:262] == b"ustar":
        return (
            "an archive whose name does not say so (load reads the certificates of archives "
            "named .tar, .tar.gz or .tar.xz)"
        )
    if head[:1] == b"\x30" and _CTL_OID in head[:64]:
        return "a Microsoft certificate trust list (authroot.stl)"
    if b"CKA_CLASS" in head and b"-----BEGIN" not in head:
        return "an NSS certdata.txt"
    if b"trust_anchors" in head and b"sha256_hex" in head:
        return "a Chrome Root Store textproto"
    return None


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
    for begin, following in _with_next(_BEGIN.finditer(text)):
        line += text.count("\n", position, begin.start())
        position = begin.start()
        location = f"{label}:{line}"
        block_label = begin.group(1).strip()
        end = _END.search(text, begin.end())
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


def _with_next(
    matches: Iterator[re.Match[str]],
) -> Iterator[tuple[re.Match[str], re.Match[str] | None]]:
    """Each BEGIN marker with the next one (None after the last): a block whose END comes
    after the next BEGIN has no END of its own."""
    current = next(matches, None)
    while current is not None:
        following = next(matches, None)
        yield current, following
        current = following


def _strict_base64(compact: str) -> bytes:
    """Base64 without white space, padding added where the writer left it off.

    Raises:
        binascii.Error: a character outside the alphabet, or misplaced padding.
        ValueError: a character that is not ASCII.
    """
    return binascii.a2b_base64(compact + "=" * (-len(compact) % 4), strict_mode=True)


def _decode_pem_body(body: str, block_label: str, location: str) -> Item:
    try:
        data = _strict_base64(body.replace("\n", ""))
    except (binascii.Error, ValueError):
        # Other white space than line feeds (CR, spaces, tabs): drop it all and retry, so
        # that the error reported, if any, is about the base64 itself.
        try:
            data = _strict_base64("".join(body.split()))
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
    A CSV of more than :data:`MAX_CSV_ROWS` rows is read up to the limit and the rest
    reported.
    """
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
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
    row_number = 1
    try:
        for row_number, row in enumerate(reader, start=2):
            if row_number > MAX_CSV_ROWS + 1:
                yield Problem(
                    f"{label} rows {row_number} and on",
                    f"more than {MAX_CSV_ROWS} rows, the limit for one CSV; split the file",
                    kind="refused",
                )
                return
            yield from _csv_row(row, row_number, label, pem_column, fp_column)
    except csv.Error as exc:
        yield Problem(f"{label} row {row_number + 1}", f"not readable as CSV: {exc}")


def _csv_row(
    row: list[str], number: int, label: str, pem_column: int, fp_column: int | None
) -> Iterator[Item]:
    location = f"{label} row {number}"
    if len(row) <= pem_column or not row[pem_column].strip():
        yield Problem(location, "empty certificate cell")
        return
    listed = fp_column is not None and fp_column < len(row)
    claimed = row[fp_column].strip().lower() if listed and fp_column is not None else None
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
